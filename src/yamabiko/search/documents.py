"""What gets indexed: the one registry of searchable models and how each is read.

A ``Source`` turns its model's rows into ``Document`` values (original text, never HTML),
says in SQL which indexed rows readers may not see right now, and loads the rows a page
of results shows. Adding a searchable model means adding a Source here and nothing else.
"""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

from yamabiko.posts.models import Category, Page, PageStatus, Post, PostStatus
from yamabiko.search.periods import month_facet, year_facet

__all__ = [
    "SOURCES",
    "Document",
    "Found",
    "Source",
    "category_descendants",
    "category_facet",
    "category_tree",
    "plain_text",
    "source_for",
    "tag_facet",
]

# Text past this many characters is not indexed: PostgreSQL caps a tsvector at 1 MB, and
# a snippet never reaches that far.
MAX_INDEXED_LENGTH = 100_000
BATCH_SIZE = 500

_TAG = re.compile(r"<[^>]*>")


def plain_text(markup: str) -> str:
    """Text of our own sanitized HTML; tags become spaces so paragraphs do not run together."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    kind: str
    object_id: int
    status: str
    published_at: datetime | None
    title: str
    body: str
    taxonomy: str
    # Filter tokens (category_facet, tag_facet), stored as they are.
    facets: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """What a result shows of the object behind an entry."""

    kind: str
    title: str
    url: str
    text: str
    published_at: datetime | None
    category_name: str = ""
    category_url: str = ""


class Source(ABC):
    kind: ClassVar[str]
    model: ClassVar[type[Model]]

    @abstractmethod
    def indexable(self) -> QuerySet[Any]:
        """The rows that belong in the index, oldest first."""

    @abstractmethod
    def documents(self, pks: Collection[int]) -> Iterator[Document]:
        """Documents for those of ``pks`` that belong in the index."""

    @abstractmethod
    def hidden_sql(self, connection: BaseDatabaseWrapper, now: datetime) -> tuple[str, list[Any]]:
        """SQL selecting the object ids of this kind that readers may not see at ``now``."""

    @abstractmethod
    def found(self, pks: Collection[int], now: datetime) -> dict[int, Found]:
        """The rows behind a page of results, for those readers may see at ``now``."""


def category_facet(pk: int) -> str:
    """The token of a category in the index: a post has its categories' and their ancestors'."""
    return f"_c{pk}"


def tag_facet(pk: int) -> str:
    return f"_t{pk}"


def category_tree() -> dict[int, tuple[str, int | None]]:
    """Every category's name and parent id, by id (parent links, unlike paths, are never stale)."""
    return {
        pk: (name, parent)
        for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")
    }


def category_descendants(pk: int, tree: dict[int, tuple[str, int | None]]) -> set[int]:
    """``pk`` and every category below it."""
    children: dict[int | None, list[int]] = {}
    for child, (_, parent) in tree.items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), [pk]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def table(connection: BaseDatabaseWrapper, model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class PostSource(Source):
    kind = "post"
    model = Post

    def indexable(self) -> QuerySet[Any]:
        return Post.objects.filter(
            status__in=[PostStatus.PUBLISHED, PostStatus.SCHEDULED]
        ).order_by("published_at", "id")

    def documents(self, pks: Collection[int]) -> Iterator[Document]:
        tree = category_tree()
        posts = self.indexable().filter(pk__in=pks).prefetch_related("categories", "tags")
        for post in posts:
            categories = self._with_ancestors(post, tree)
            tags = list(post.tags.all())
            names = dict.fromkeys([tree[pk][0] for pk in categories] + [tag.name for tag in tags])
            yield Document(
                kind=self.kind,
                object_id=post.pk,
                status=post.status,
                published_at=post.published_at,
                title=post.title,
                body=" ".join(
                    [post.excerpt, plain_text(post.body_html), plain_text(post.extended_html)]
                )[:MAX_INDEXED_LENGTH],
                taxonomy="\n".join(names),
                facets=" ".join(
                    [category_facet(pk) for pk in categories]
                    + [tag_facet(tag.pk) for tag in tags]
                    + self._period_facets(post)
                ),
            )

    @staticmethod
    def _period_facets(post: Post) -> list[str]:
        if post.published_at is None:
            return []
        return [year_facet(post.published_at), month_facet(post.published_at)]

    @staticmethod
    def _with_ancestors(post: Post, tree: dict[int, tuple[str, int | None]]) -> list[int]:
        # A post in Travel/Japan is found by "travel" and by category:travel too.
        found: dict[int, None] = {}
        for category in post.categories.all():
            current: int | None = category.pk
            while current is not None and current in tree and current not in found:
                found[current] = None
                current = tree[current][1]
        return list(found)

    def hidden_sql(self, connection: BaseDatabaseWrapper, now: datetime) -> tuple[str, list[Any]]:
        # The complement of PostQuerySet.live() (a test keeps the two in step), written so
        # each branch is a range of the (status, published_at) index: a scan of every post
        # would cost more than the search. Statuses outside PostStatus cannot be saved;
        # should one appear, Source.found() still keeps the post out of the results.
        live = [PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]
        other = [status for status in PostStatus.values if status not in live]
        marks = ", ".join(["%s"] * len(live))
        branches = [
            f"(p.status IN ({marks}) AND p.published_at > %s)",
            f"(p.status IN ({marks}) AND p.published_at IS NULL)",
        ]
        params: list[Any] = [*live, connection.ops.adapt_datetimefield_value(now), *live]
        if other:
            branches.append(f"p.status IN ({', '.join(['%s'] * len(other))})")
            params.extend(other)
        sql = f"SELECT p.id FROM {table(connection, Post)} p WHERE {' OR '.join(branches)}"  # noqa: S608
        return sql, params

    def found(self, pks: Collection[int], now: datetime) -> dict[int, Found]:
        # By primary key, with live() checked row by row: filtering live() in SQL here lets
        # SQLite pick the status index and scan every post (measured: 40 ms at 100,000).
        posts = [
            post
            for post in Post.objects.filter(pk__in=pks).select_related("primary_category")
            if post.is_live(now)
        ]
        return {
            post.pk: Found(
                kind=self.kind,
                title=post.title,
                url=post.get_absolute_url(),
                text=" ".join(
                    [post.excerpt, plain_text(post.body_html), plain_text(post.extended_html)]
                ),
                published_at=post.published_at,
                category_name=post.primary_category.name if post.primary_category else "",
                category_url=(
                    post.primary_category.get_absolute_url() if post.primary_category else ""
                ),
            )
            for post in posts
        }


class PageSource(Source):
    kind = "page"
    model = Page

    def indexable(self) -> QuerySet[Any]:
        return Page.objects.filter(status=PageStatus.PUBLISHED).order_by("id")

    def documents(self, pks: Collection[int]) -> Iterator[Document]:
        for page in self.indexable().filter(pk__in=pks):
            yield Document(
                kind=self.kind,
                object_id=page.pk,
                status=page.status,
                # Pages are not dated: date filters leave them out.
                published_at=None,
                title=page.title,
                body=plain_text(page.body_html)[:MAX_INDEXED_LENGTH],
                taxonomy="",
            )

    def hidden_sql(self, connection: BaseDatabaseWrapper, now: datetime) -> tuple[str, list[Any]]:
        sql = f"SELECT g.id FROM {table(connection, Page)} g WHERE g.status <> %s"  # noqa: S608
        return sql, [PageStatus.PUBLISHED.value]

    def found(self, pks: Collection[int], now: datetime) -> dict[int, Found]:
        return {
            page.pk: Found(
                kind=self.kind,
                title=page.title,
                url=page.get_absolute_url(),
                text=plain_text(page.body_html),
                published_at=None,
            )
            for page in Page.objects.live().filter(pk__in=pks)
        }


SOURCES: dict[str, Source] = {source.kind: source for source in (PostSource(), PageSource())}


def source_for(model: type[Model]) -> Source | None:
    return next((source for source in SOURCES.values() if source.model is model), None)
