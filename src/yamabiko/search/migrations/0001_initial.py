"""The search index: the entry table, then each database's full-text structure over it.

SQLite gets an FTS5 table with ``search_entry`` as its external content, kept in step by
triggers. PostgreSQL gets a generated tsvector column and a GIN index. Each part runs only
on its own database, so the app migrates cleanly on both.

A later migration that alters ``search_entry`` on SQLite rebuilds the table, which drops
its triggers: it must create them again (``SQLITE_TRIGGERS``) and run the FTS5 'rebuild'.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# "ascii" keeps every non-ASCII character inside its token; "_" joins them too, for the
# facet tokens (_c12, _t5).
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, taxonomy, facets,"
    " content='search_entry', content_rowid='id', tokenize=\"ascii tokenchars '_'\")"
)
SQLITE_TRIGGERS = [
    """CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_fts(rowid, title, body, taxonomy, facets)
        VALUES (new.id, new.title, new.body, new.taxonomy, new.facets);
    END""",
    """CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, taxonomy, facets)
        VALUES ('delete', old.id, old.title, old.body, old.taxonomy, old.facets);
    END""",
    """CREATE TRIGGER search_entry_fts_update AFTER UPDATE OF title, body, taxonomy, facets
    ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, taxonomy, facets)
        VALUES ('delete', old.id, old.title, old.body, old.taxonomy, old.facets);
        INSERT INTO search_fts(rowid, title, body, taxonomy, facets)
        VALUES (new.id, new.title, new.body, new.taxonomy, new.facets);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]

# Each space-separated token becomes a lexeme at its own position (PostgreSQL keeps
# positions up to 16383), weighted A for the title, B for categories and tags, C for the
# body and D for the facets; the same tokens SQLite indexes, with no text parser between.
POSTGRES_FUNCTION = r"""
CREATE FUNCTION search_tsvector(title text, taxonomy text, body text, facets text)
RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    fields text[] := ARRAY[title, taxonomy, body, facets];
    weights text[] := ARRAY['A', 'B', 'C', 'D'];
    tokens text[];
    lexemes text[] := '{}';
    shift integer := 0;
BEGIN
    FOR i IN 1..4 LOOP
        tokens := string_to_array(nullif(fields[i], ''), ' ');
        CONTINUE WHEN tokens IS NULL;
        lexemes := lexemes || ARRAY(
            SELECT '''' || replace(replace(token, '\', '\\'), '''', '''''') || ''':'
                || least(shift + n, 16383) || weights[i]
            FROM unnest(tokens) WITH ORDINALITY AS t(token, n)
            WHERE token <> ''
        );
        shift := shift + cardinality(tokens);
    END LOOP;
    RETURN array_to_string(lexemes, ' ')::tsvector;
END
$$
"""
POSTGRES_COLUMN = (
    "ALTER TABLE search_entry ADD COLUMN document tsvector"
    " GENERATED ALWAYS AS (search_tsvector(title, taxonomy, body, facets)) STORED"
)
# Kept in the table rather than TOASTed: PostgreSQL costs a sequential scan by the table's
# own pages, and with every document out of line the table looks tiny, so the planner
# scanned it (detoasting each document) instead of using the GIN index: 110 ms instead of
# under 1 ms for a rare word at 10,000 posts.
POSTGRES_STORAGE = "ALTER TABLE search_entry ALTER COLUMN document SET STORAGE MAIN"
POSTGRES_INDEX = "CREATE INDEX search_entry_document ON search_entry USING gin (document)"
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS document",
    "DROP FUNCTION IF EXISTS search_tsvector(text, text, text, text)",
]


def full_text_create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [SQLITE_FTS, *SQLITE_TRIGGERS]
    elif vendor == "postgresql":
        statements = [POSTGRES_FUNCTION, POSTGRES_COLUMN, POSTGRES_STORAGE, POSTGRES_INDEX]
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def full_text_drop(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("object_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=16)),
                ("published_at", models.DateTimeField(null=True)),
                ("title", models.TextField()),
                ("body", models.TextField()),
                ("taxonomy", models.TextField()),
                ("facets", models.TextField(default="")),
            ],
            options={
                "verbose_name_plural": "entries",
                "indexes": [models.Index(fields=["published_at"], name="search_entry_published")],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_object")
                ],
            },
        ),
        migrations.RunPython(full_text_create, full_text_drop, elidable=False),
    ]
