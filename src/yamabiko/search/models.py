"""The search index's one table, written through the ORM by ``services``.

Each database builds its own full-text structure over it in migrations: an FTS5 table kept
in step by triggers on SQLite, a generated ``tsvector`` column with a GIN index on
PostgreSQL. The text columns hold folded tokens (``text.index_text``), not display text.
"""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    # Copies of the object's own, refreshed on every save; date filters and the feed's
    # newest-first order read them. Whether an entry may be shown is decided at query
    # time from the object's table (see documents.Source.hidden_sql).
    status = models.CharField(max_length=16)
    published_at = models.DateTimeField(null=True)
    title = models.TextField()
    body = models.TextField()
    taxonomy = models.TextField()
    # Filter tokens: _c<id> for each category and its ancestors, _t<id> for each tag,
    # _y<year> and _m<year><month> of the UTC publication time. Readers' tokens never
    # contain "_", so only filters can match them.
    facets = models.TextField(default="")

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_object")
        ]
        indexes = [models.Index(fields=["published_at"], name="search_entry_published")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
