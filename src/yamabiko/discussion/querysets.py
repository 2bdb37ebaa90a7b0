"""Reads of comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from yamabiko.discussion.models import Comment, Linkback

    _CommentBase = models.QuerySet[Comment]
    _LinkbackBase = models.QuerySet[Linkback]
else:
    _CommentBase = _LinkbackBase = models.QuerySet


class CommentQuerySet(_CommentBase):
    def approved(self) -> CommentQuerySet:
        return self.filter(status="approved")

    def awaiting_moderation(self) -> CommentQuerySet:
        return self.filter(status="pending")


class LinkbackQuerySet(_LinkbackBase):
    def approved(self) -> LinkbackQuerySet:
        """Shown to readers and counted in "Trackback (N)"."""
        return self.filter(status="approved")

    def held(self) -> LinkbackQuerySet:
        """Verified, waiting for a moderator."""
        return self.filter(status="pending", verified_at__isnull=False)
