"""What an import brought in, so that importing the same export again changes nothing.

One row per object an import created: which file format and site it came from, the key that
names it there (a WordPress id, a Movable Type basename and date), the object it became and a
fingerprint of the record as last imported. A second import of an unchanged record finds the
row and the same fingerprint and skips it; a changed record updates the object it points to.

``extra`` keeps what the source said that our models have no place for (WordPress post meta,
a page's parent, the original URL, unknown Movable Type keys), so nothing read is lost and an
export can write it back out.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportedKind(models.TextChoices):
    AUTHOR = "author", "Author"
    CATEGORY = "category", "Category"
    TAG = "tag", "Tag"
    POST = "post", "Post"
    PAGE = "page", "Page"
    COMMENT = "comment", "Comment"
    LINKBACK = "linkback", "Linkback"


class ImportedItem(models.Model):
    source = models.CharField(
        max_length=300, help_text='"wxr:<site URL>" or "mt": where the keys below are unique.'
    )
    kind = models.CharField(max_length=16, choices=ImportedKind)
    key = models.CharField(max_length=400)
    object_id = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64)
    extra = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "key"], name="imported_once_per_key")
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imported_object")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.key} → {self.object_id}"
