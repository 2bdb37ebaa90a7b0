"""The blog as export records: the inverse of the importer, written out by the format writers.

`export_to(format, out)` streams the whole blog as WXR (for WordPress and every engine that
reads it), the Movable Type format (for the hosts that read that) or the native JSON lines
(everything, for `yamabiko import json`). Rows are read in chunks, never all at once.

What WXR and MT cannot say is said their way where possible, so a Yamabiko-to-Yamabiko trip
through them keeps it: WXR gets WordPress's HTML in content:encoded plus post meta holding the
Markdown source (``_yamabiko_text_format``, ``_yamabiko_body``, ``_yamabiko_extended``), which
WordPress keeps and ignores. Meta, keywords and unknown keys an earlier import kept are written
back. MT has no pages, ids or threads: pages are left out of it and comments come out flat.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, Prefetch
from django.utils import timezone

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.models import Comment, Linkback, LinkbackStatus
from yamabiko.porting.models import ImportedItem, ImportedKind
from yamabiko.porting.records import (
    BODY_META,
    EXTENDED_META,
    FORMAT_META,
    OUR_META,
    CommentStatus,
    ImportedAuthor,
    ImportedCategory,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    PostStatus,
    SiteField,
)
from yamabiko.posts.models import Blog, Category, Page, PageStatus, Post, Tag, TextFormat

CHUNK = 500

_STATUS: dict[str, PostStatus] = {"published": "publish", "scheduled": "future", "draft": "draft"}
_LINKBACK_STATUS: dict[str, CommentStatus] = {
    LinkbackStatus.APPROVED: "approved",
    LinkbackStatus.PENDING: "pending",
    LinkbackStatus.SPAM: "spam",
    LinkbackStatus.REJECTED: "spam",
    LinkbackStatus.DELETED: "trash",
}
_MT_FORMAT = {TextFormat.MARKDOWN: "markdown", TextFormat.HTML: "0",
              TextFormat.HTML_PARAGRAPHS: "__default__"}  # fmt: skip


def export_to(format: str, out: BinaryIO) -> None:
    if format == "json":
        from yamabiko.porting.native import export_native

        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
        export_native(text)
        text.detach()
    elif format == "wxr":
        from yamabiko.porting.wxr_write import write_wxr

        write_wxr(out, wxr_records(), zone=Blog.load().zone)
    elif format == "mt":
        from yamabiko.porting.mt_write import write_mt

        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
        write_mt(text, mt_records())
        text.detach()
    else:
        raise InvalidInput(f"unknown export format {format!r}: choose wxr, mt or json")


def site_fields() -> Iterator[SiteField]:
    blog = Blog.load()
    site = settings.YAMABIKO_SITE_URL
    for name, value in (("title", blog.title), ("link", site), ("description", blog.tagline),
                        ("language", blog.language), ("wp:base_site_url", site),
                        ("wp:base_blog_url", site)):  # fmt: skip
        yield SiteField(name=name, value=value)


def wxr_records() -> Iterator[
    SiteField | ImportedAuthor | ImportedCategory | ImportedTag | ImportedPost
]:
    yield from site_fields()
    authors = User.objects.filter(pk__in=Post.objects.values("author")) | User.objects.filter(
        pk__in=Page.objects.values("author")
    )
    for user in authors.distinct().order_by("pk"):
        yield ImportedAuthor(
            login=user.username, display_name=user.get_full_name() or user.username,
            email=user.email,
        )  # fmt: skip
    for category in Category.objects.select_related("parent").order_by("path"):
        yield ImportedCategory(name=category.name, slug=category.slug,
                               parent_slug=category.parent.slug if category.parent else None,
                               description=category.description)  # fmt: skip
    for tag in Tag.objects.order_by("pk"):
        yield ImportedTag(name=tag.name, slug=tag.slug)
    extras = _extras(ImportedKind.POST)
    offset = Comment.objects.aggregate(top=Max("pk"))["top"] or 0
    for post in _posts():
        yield _wxr_post(post, extras.get(post.pk, {}), linkback_offset=offset)
    page_extras = _extras(ImportedKind.PAGE)
    # WordPress numbers posts and pages in one sequence; pages follow the posts here.
    page_offset = Post.objects.aggregate(top=Max("pk"))["top"] or 0
    for page in Page.objects.select_related("author").order_by("pk").iterator(CHUNK):
        yield _wxr_page(page, page_extras.get(page.pk, {}), offset=page_offset)


def mt_records() -> Iterator[ImportedPost]:
    extras = _extras(ImportedKind.POST)
    zone = Blog.load().zone
    for post in _posts():
        extra = extras.get(post.pk, {})
        comments = [_comment(comment, mt_zone=zone) for comment in post.comments.all()]
        pings = [_linkback(linkback, 0, mt_zone=zone) for linkback in post.linkbacks.all()]
        yield ImportedPost(
            line=0, original_id="", kind="post", title=post.title, slug=post.slug, link="",
            author_login=post.author.username, status=_STATUS[post.status],
            date=_local(post.published_at, zone), date_is_utc=False,
            body=post.body, extended=post.extended, excerpt=post.excerpt,
            keywords=str(extra.get("keywords", "")),
            categories=tuple(category.name for category in post.categories.all()),
            category_key="name",
            primary_category=post.primary_category.name if post.primary_category else None,
            tags=tuple(tag.name for tag in post.tags.all()),
            comments=tuple(comments + pings),
            allow_comments=post.allow_comments, allow_pings=post.allow_pings,
            sticky=post.is_sticky,
            text_format=_mt_format(post.text_format, extra),
            extra=_pairs(extra.get("fields")),
        )  # fmt: skip


def _posts() -> Iterator[Post]:
    return (
        Post.objects.select_related("author", "primary_category")
        .prefetch_related(
            "categories",
            "tags",
            Prefetch("comments", queryset=Comment.objects.order_by("created_at", "pk")),
            Prefetch("linkbacks", queryset=Linkback.objects.order_by("received_at", "pk")),
        )
        .order_by("pk")
        .iterator(CHUNK)
    )


def _extras(kind: str) -> dict[int, dict[str, object]]:
    rows = ImportedItem.objects.filter(kind=kind).exclude(extra={})
    return {row.object_id: row.extra for row in rows.order_by("pk").iterator(CHUNK)}


def _source_meta(text_format: str, body: str, extended: str) -> list[tuple[str, str]]:
    if text_format == TextFormat.HTML_PARAGRAPHS:
        return []
    meta = [(FORMAT_META, text_format)]
    if text_format == TextFormat.MARKDOWN:
        meta += [(BODY_META, body), (EXTENDED_META, extended)]
    return meta


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    """Name/value pairs kept as JSON lists in an ImportedItem's extra."""
    if not isinstance(value, list):
        return ()
    return tuple((str(pair[0]), str(pair[1])) for pair in value if len(pair) == 2)


def _kept_meta(extra: dict[str, object]) -> list[tuple[str, str]]:
    return [pair for pair in _pairs(extra.get("meta")) if pair[0] not in OUR_META]


def _wxr_post(post: Post, extra: dict[str, object], *, linkback_offset: int) -> ImportedPost:
    markdown = post.text_format == TextFormat.MARKDOWN
    comments = [_comment(comment) for comment in post.comments.all()]
    pings = [_linkback(linkback, linkback_offset) for linkback in post.linkbacks.all()]
    return ImportedPost(
        line=0, original_id=str(post.pk), kind="post", title=post.title, slug=post.slug,
        link=f"{settings.YAMABIKO_SITE_URL}{post.get_absolute_url()}",
        author_login=post.author.username, status=_STATUS[post.status],
        date=post.published_at, date_is_utc=post.published_at is not None,
        body=post.body_html if markdown else post.body,
        extended=post.extended_html if markdown else post.extended,
        excerpt=post.excerpt,
        categories=tuple(category.slug for category in post.categories.all()),
        primary_category=post.primary_category.slug if post.primary_category else None,
        tags=tuple(tag.slug for tag in post.tags.all()),
        comments=tuple(comments + pings),
        allow_comments=post.allow_comments, allow_pings=post.allow_pings,
        sticky=post.is_sticky, text_format="wp_html",
        post_format=_optional(extra.get("post_format")),
        password=str(extra.get("password", "")),
        meta=tuple(_kept_meta(extra) + _source_meta(post.text_format, post.body, post.extended)),
    )  # fmt: skip


def _wxr_page(page: Page, extra: dict[str, object], *, offset: int) -> ImportedPost:
    markdown = page.text_format == TextFormat.MARKDOWN
    return ImportedPost(
        line=0, original_id=str(offset + page.pk), kind="page", title=page.title, slug=page.slug,
        link=f"{settings.YAMABIKO_SITE_URL}{page.get_absolute_url()}",
        author_login=page.author.username,
        status="publish" if page.status == PageStatus.PUBLISHED else "draft",
        date=page.created_at, date_is_utc=True,
        body=page.body_html if markdown else page.body, extended="", excerpt="",
        text_format="wp_html", menu_order=page.menu_order,
        parent_original_id=_optional(extra.get("parent")),
        meta=tuple(_kept_meta(extra) + _source_meta(page.text_format, page.body, "")),
    )  # fmt: skip


def _comment(comment: Comment, *, mt_zone: object = None) -> ImportedComment:
    html = comment.body if comment.text_format != TextFormat.MARKDOWN else comment.body_html
    return ImportedComment(
        original_id=str(comment.pk),
        parent_original_id=str(comment.parent_id) if comment.parent_id else None,
        kind="comment", status=comment.status,  # type: ignore[arg-type]
        author_name=comment.author_name, author_email=comment.author_email,
        author_url=comment.author_url, author_ip=comment.ip_address or "",
        date=_local(comment.created_at, mt_zone) if mt_zone else comment.created_at,
        date_is_utc=mt_zone is None,
        body=comment.body if mt_zone else html,
    )  # fmt: skip


def _linkback(linkback: Linkback, offset: int, *, mt_zone: object = None) -> ImportedComment:
    return ImportedComment(
        original_id=str(offset + linkback.pk), parent_original_id=None,
        kind=linkback.kind,  # type: ignore[arg-type]
        status=_LINKBACK_STATUS[linkback.status],
        author_name=linkback.author_name or linkback.blog_name or linkback.title,
        author_email="", author_url=linkback.source_url,
        author_ip=linkback.ip_address or "",
        date=_local(linkback.received_at, mt_zone) if mt_zone else linkback.received_at,
        date_is_utc=mt_zone is None, body=linkback.excerpt, title=linkback.title,
        blog_name=linkback.blog_name,
    )  # fmt: skip


def _local(value: datetime | None, zone: object) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value, zone).replace(tzinfo=None)  # type: ignore[arg-type]


def _mt_format(text_format: str, extra: dict[str, object]) -> str:
    original = extra.get("text_format")
    if isinstance(original, str) and original and original != "wp_html":
        return original
    return _MT_FORMAT[TextFormat(text_format)]


def _optional(value: object) -> str | None:
    return str(value) if value else None
