"""Reads: every public list (pages, feeds, sitemaps) starts from these querysets."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from yamabiko.posts.models import Page, Post

    _PostBase = models.QuerySet[Post]
    _PageBase = models.QuerySet[Page]
else:
    _PostBase = _PageBase = models.QuerySet


class PostQuerySet(_PostBase):
    def live(self, now: datetime | None = None) -> PostQuerySet:
        """What readers may see: published, or scheduled and whose time has come.

        Scheduled posts go live by this filter alone, so no cron job or worker has to flip
        them at the right second.
        """
        return self.filter(
            status__in=["published", "scheduled"], published_at__lte=now or timezone.now()
        )

    def for_listing(self) -> PostQuerySet:
        """Everything an entry on a list page shows, in a fixed number of queries."""
        return self.select_related("author", "primary_category").prefetch_related("tags")


class PageQuerySet(_PageBase):
    def live(self) -> PageQuerySet:
        return self.filter(status="published")
