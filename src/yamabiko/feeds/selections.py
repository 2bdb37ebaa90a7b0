"""Which posts, comments and linkbacks a feed shows, and when any of them last changed.

Reads only: querysets built on ``Post.objects.live()`` and the discussion's ``approved()``,
consumed by the feed views as they are (STYLE rule 5).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from yamabiko.core.exceptions import NotFound
from yamabiko.discussion.models import Comment, Linkback
from yamabiko.discussion.querysets import CommentQuerySet, LinkbackQuerySet
from yamabiko.posts.models import Blog, Category, Post, Redirect, Tag
from yamabiko.posts.querysets import PostQuerySet

__all__ = [
    "CommentScope",
    "PostScope",
    "comment_scope",
    "comments_changed_at",
    "discussion_page",
    "post_scope",
    "posts_changed_at",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PostScope:
    """A feed of posts: the whole blog, or one category (with its subcategories), tag or author."""

    title: str
    home_path: str
    posts: PostQuerySet


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentScope:
    """A feed of the discussion: the whole blog's, or one post's."""

    title: str
    home_path: str
    comments: CommentQuerySet
    linkbacks: LinkbackQuerySet
    post: Post | None


def post_scope(kind: str, route: Mapping[str, Any], blog: Blog) -> PostScope:
    """The posts of the feed ``kind`` names; NotFound for an unknown category, tag or author."""
    live = Post.objects.live()
    if kind == "site":
        return PostScope(title=blog.title, home_path="/", posts=live)
    if kind == "category":
        category = Category.objects.filter(path=route["path"]).first()
        if category is None:
            raise NotFound(f"no category {route['path']!r}")
        subtree = Category.objects.filter(
            Q(pk=category.pk) | Q(path__startswith=f"{category.path}/")
        )
        return PostScope(
            title=gettext("%(blog)s — Category: %(name)s")
            % {"blog": blog.title, "name": category.name},
            home_path=category.get_absolute_url(),
            posts=live.filter(categories__in=subtree).distinct(),
        )
    if kind == "tag":
        tag = Tag.objects.filter(slug=route["slug"]).first()
        if tag is None:
            raise NotFound(f"no tag {route['slug']!r}")
        return PostScope(
            title=gettext("%(blog)s — Tag: %(name)s") % {"blog": blog.title, "name": tag.name},
            home_path=tag.get_absolute_url(),
            posts=live.filter(tags=tag),
        )
    if kind == "author":
        username = str(route["username"])
        posts = live.filter(author__username=username)
        # As on the author's page: someone with nothing published is nobody readers know.
        if not posts.exists():
            raise NotFound(f"no author {username!r}")
        return PostScope(
            title=gettext("%(blog)s — Posts by %(name)s") % {"blog": blog.title, "name": username},
            home_path=reverse("posts:author", kwargs={"username": username}),
            posts=posts,
        )
    raise NotFound(f"no feed of {kind!r}")


def comment_scope(kind: str, route: Mapping[str, Any], blog: Blog) -> CommentScope:
    """The discussion of the whole blog, or of the live post the route names."""
    comments = Comment.objects.approved().select_related("post")
    linkbacks = Linkback.objects.approved().select_related("post")
    if kind == "comments":
        live = Post.objects.live()
        return CommentScope(
            title=gettext("%(blog)s — Comments") % {"blog": blog.title},
            home_path="/",
            comments=comments.filter(post__in=live),
            linkbacks=linkbacks.filter(post__in=live),
            post=None,
        )
    post = Post.objects.live().filter(slug=route["slug"]).first()
    if post is None or post.get_absolute_url() != _permalink(route):
        raise NotFound("no such post")
    return CommentScope(
        title=gettext("%(blog)s — Comments on “%(title)s”")
        % {"blog": blog.title, "title": post.title},
        home_path=post.get_absolute_url(),
        comments=comments.filter(post=post),
        linkbacks=linkbacks.filter(post=post),
        post=post,
    )


def _permalink(route: Mapping[str, Any]) -> str:
    month = f"{int(route['month']):02d}"
    return reverse(
        "posts:detail", kwargs={"year": route["year"], "month": month, "slug": route["slug"]}
    )


def discussion_page(
    scope: CommentScope, *, number: int, size: int
) -> tuple[list[Comment | Linkback], int]:
    """Page ``number`` of comments and linkbacks together, newest first, and the item count.

    The two live in separate tables: page N takes the newest N × size of each and merges
    them, so the cost follows the page asked for, not the size of the discussion.
    """
    total = scope.comments.count() + scope.linkbacks.count()
    if number > max(1, -(-total // size)):
        raise NotFound(f"no page {number}")
    wanted = number * size
    comments: list[Comment | Linkback] = list(
        scope.comments.order_by("-created_at", "-id")[:wanted]
    )
    linkbacks: list[Comment | Linkback] = list(
        scope.linkbacks.order_by("-received_at", "-id")[:wanted]
    )
    merged: list[Comment | Linkback] = list(
        islice(heapq.merge(comments, linkbacks, key=_moment, reverse=True), wanted)
    )
    return merged[(number - 1) * size :], total


def _moment(item: Comment | Linkback) -> datetime:
    return item.created_at if isinstance(item, Comment) else item.received_at


def posts_changed_at(blog: Blog) -> datetime:
    """When anything a post feed shows last changed, as far as the database records it.

    Site-wide and on the safe side: the newest edit of any post (a post edited out of a
    category still moves this), the newest publication time that has come (a scheduled post
    going live), the newest removal (deleting or unpublishing a live post leaves a 410
    Redirect behind) and the blog settings (the title is in every feed).
    """
    now = timezone.now()
    marks = Post.objects.aggregate(
        edited=Max("updated_at"),
        published=Max(
            "published_at",
            filter=Q(status__in=["published", "scheduled"], published_at__lte=now),
        ),
    )
    removed = Redirect.objects.filter(new_path="").aggregate(at=Max("created_at"))["at"]
    moments: list[datetime | None] = [marks["edited"], marks["published"], removed, blog.updated_at]
    return max(moment for moment in moments if moment is not None)


def comments_changed_at(blog: Blog) -> datetime:
    """When the discussion feeds last changed: the newest comment or linkback, or a post.

    Neither table records when a moderator approved something, so an old comment approved
    today is seen through the ETag (If-None-Match) at once and through If-Modified-Since
    only once something newer arrives.
    """
    written = Comment.objects.aggregate(at=Max("created_at"))["at"]
    linked = Linkback.objects.aggregate(received=Max("received_at"), verified=Max("verified_at"))
    moments: list[datetime | None] = [
        written,
        linked["received"],
        linked["verified"],
        posts_changed_at(blog),
    ]
    return max(moment for moment in moments if moment is not None)
