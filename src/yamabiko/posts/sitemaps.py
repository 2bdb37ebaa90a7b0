"""The posts app's sitemap sections (STYLE rule 1): live posts, static pages, categories, tags.

Each lists only what a reader can open, with the time it last changed as ``lastmod``; the
feeds app puts them together into /sitemap.xml.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from yamabiko.posts.models import Category, Page, Post, Tag
from yamabiko.posts.querysets import PageQuerySet, PostQuerySet

__all__ = ["CategorySitemap", "PageSitemap", "PostSitemap", "TagSitemap"]


def changed(post: Post) -> datetime:
    """A post changes when edited and when it goes live (a scheduled post is edited earlier)."""
    return max(filter(None, [post.updated_at, post.published_at]))


class PostSitemap(Sitemap[Post]):
    def items(self) -> PostQuerySet:
        return Post.objects.live().only("slug", "published_at", "created_at", "updated_at")

    def lastmod(self, item: Post) -> datetime:
        return changed(item)


class PageSitemap(Sitemap[Page]):
    def items(self) -> PageQuerySet:
        return Page.objects.live().only("slug", "updated_at")

    def lastmod(self, item: Page) -> datetime:
        return item.updated_at


def live_post_filter(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}status__in": ["published", "scheduled"],
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


class CategorySitemap(Sitemap[Category]):
    """Categories with a live post in them or in one of their subcategories."""

    def items(self) -> list[Category]:
        newest: dict[str, datetime] = {}
        rows = (
            Post.objects.live()
            .filter(categories__isnull=False)
            .values_list("categories__path")
            .annotate(at=Max(Greatest("updated_at", "published_at")))
        )
        for path, at in rows:
            # A post in travel/japan is also on the travel page.
            parts = path.split("/")
            for depth in range(1, len(parts) + 1):
                ancestor = "/".join(parts[:depth])
                newest[ancestor] = max(at, newest.get(ancestor, at))
        categories = list(Category.objects.filter(path__in=newest))
        for category in categories:
            category.lastmod = newest[category.path]  # type: ignore[attr-defined]
        return categories

    def lastmod(self, item: Category) -> datetime:
        moment: datetime = item.lastmod  # type: ignore[attr-defined]
        return moment


class TagSitemap(Sitemap[Tag]):
    """Tags on at least one live post."""

    def items(self) -> list[Tag]:
        newest = Max(
            Greatest("posts__updated_at", "posts__published_at"),
            filter=live_post_filter("posts__"),
        )
        return list(Tag.objects.annotate(newest=newest).filter(newest__isnull=False))

    def lastmod(self, item: Tag) -> datetime:
        moment: datetime = item.newest  # type: ignore[attr-defined]
        return moment
