"""Reads of comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from yamabiko.discussion.models import Comment

    _CommentBase = models.QuerySet[Comment]
else:
    _CommentBase = models.QuerySet


class CommentQuerySet(_CommentBase):
    def approved(self) -> CommentQuerySet:
        return self.filter(status="approved")

    def awaiting_moderation(self) -> CommentQuerySet:
        return self.filter(status="pending")
