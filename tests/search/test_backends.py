"""Each database's own full-text structure; these tests skip on the other database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory
from yamabiko.posts import services
from yamabiko.posts.models import Post, PostStatus
from yamabiko.search.backends import BACKENDS, backend_for
from yamabiko.search.backends.base import SearchBackend
from yamabiko.search.models import Entry

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's tsvector column"
)


def test_every_supported_vendor_has_a_backend():
    assert set(BACKENDS) == {"sqlite", "postgresql"}
    assert all(issubclass(backend, SearchBackend) for backend in BACKENDS.values())


def test_hidden_sql_is_the_complement_of_live():
    now = timezone.now()
    PostFactory(title="live")
    PostFactory(title="draft", status=PostStatus.DRAFT)
    PostFactory(title="future", published_at=now + timedelta(days=1))
    PostFactory(title="due", published_at=now + timedelta(days=1))
    Post.objects.filter(title="due").update(published_at=now - timedelta(minutes=1))
    PostFactory(title="odd")
    Post.objects.filter(title="odd").update(published_at=None)
    backend = backend_for()

    sql, params = backend.hidden_sql(now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT object_id FROM search_entry WHERE id IN ({sql})", params)  # noqa: S608
        hidden = {row[0] for row in cursor.fetchall()}
    indexed = set(Entry.objects.filter(kind="post").values_list("object_id", flat=True))

    assert indexed - hidden == set(Post.objects.live(now).values_list("pk", flat=True))


@sqlite_only
def test_sqlite_fts5_table_stays_in_step_with_the_entries():
    food = CategoryFactory(name="Food")
    post = PostFactory(title="Miso", body="soup", categories=[food], tags=[TagFactory()])
    PageFactory(title="About")
    post.title = "Miso again"
    services.post_save(post=post)
    food.name = "Cooking"
    services.category_save(category=food)
    services.post_delete(post=PostFactory(title="Gone"))

    with connection.cursor() as cursor:
        # Raises "database disk image is malformed" if the index and entries disagree.
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        cursor.execute("SELECT count(*) FROM search_fts")
        (count,) = cursor.fetchone()
    assert count == Entry.objects.count() == 2


@sqlite_only
def test_sqlite_index_uses_the_ascii_tokenizer_on_our_tokens():
    PostFactory(title="北朝鮮 Café")

    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
        (sql,) = cursor.fetchone()
        cursor.execute("SELECT title FROM search_entry")
        (title,) = cursor.fetchone()
    assert "fts5" in sql
    assert "tokenize=\"ascii tokenchars '_'\"" in sql
    assert title == "北朝 朝鮮 鮮 cafe"


@postgres_only
def test_postgres_document_holds_our_tokens_with_positions_and_weights():
    food = CategoryFactory(name="Food")
    PostFactory(
        title="北朝鮮 Café",
        body="Soup.",
        categories=[food],
        published_at=datetime(2025, 2, 17, tzinfo=UTC),
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM search_entry")
        (document,) = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_document'")
        (index,) = cursor.fetchone()
    assert document == (
        f"'_c{food.pk}':7 '_m202502':9 '_y2025':8"
        " 'cafe':4A 'food':5B 'soup':6C '北朝':1A '朝鮮':2A '鮮':3A"
    )
    assert "gin" in index.lower()


@postgres_only
def test_postgres_document_is_generated_from_the_text_columns():
    post = PostFactory(title="Heron")
    Entry.objects.filter(kind="post", object_id=post.pk).update(title="egret")

    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM search_entry")
        (document,) = cursor.fetchone()
    assert "'egret':1A" in document
    assert "heron" not in document


def test_index_size_is_reported():
    PostFactory(body="words " * 50)

    assert backend_for().size() > 0


@postgres_only
def test_postgres_keeps_documents_in_the_table_so_the_planner_uses_the_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'search_entry'::regclass AND attname = 'document'"
        )
        (storage,) = cursor.fetchone()
    assert storage == "m"
