"""Streaming reader for WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2).

Spec: WordPress/wordpress-develop src/wp-admin/includes/export.php (WXR_VERSION 1.2) and
shared/FORMATS.md §4.3. `parse_wxr` yields records in file order:

    SiteField | ImportedAuthor | ImportedCategory | ImportedTag | ImportedPost | Attachment
    | SkippedItem | ImportWarning

Deviations and choices:
- Namespaces are matched by pattern (§4.3 "Envelope"): http or https, export/1.0 to 1.2.
- Parsing runs defusedxml's `DefusedXMLParser` fed in 64 KiB chunks with our own tree-building
  target rather than `defusedxml.ElementTree.iterparse`: same defences, but the target can read
  expat's current line number, so every record and every error carries its line. Each direct
  child of <channel> is handed out and detached as soon as it ends, so memory stays flat.
- Any DOCTYPE is refused (`forbid_dtd`), not only entity declarations: WXR never needs one.
- wp:comment_approved 1/0/spam/trash map to approved/pending/spam/trash; an empty or unknown
  comment_type is read as a comment (older exports write it empty), unknown ones with a warning.
- Post dates come from wp:post_date_gmt (aware, UTC) unless it is empty or 0000-00-00, then from
  wp:post_date (naive, blog-local; `date_is_utc` False). Comments likewise.
- content:encoded is split at the first `<!--more-->` (with or without a label) into body and
  extended; the label text itself is dropped.
- Categories repeated as a `wp:term` of taxonomy category/post_tag are yielded once. Items
  without domain-tagged <category> (WXR 1.0) use the plain <category> names as categories.
- Unknown item elements are listed in `unknown_fields`; unknown channel elements and terms of
  other taxonomies are reported (warning / SkippedItem), never silently dropped.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import BinaryIO, Protocol

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from yamabiko.porting.records import (
    Attachment,
    CommentKind,
    CommentStatus,
    ImportedAuthor,
    ImportedCategory,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    ImportWarning,
    ParseError,
    PostStatus,
    SiteField,
    SkippedItem,
)

WxrRecord = (
    ImportedAuthor
    | ImportedCategory
    | ImportedTag
    | ImportedPost
    | Attachment
    | SkippedItem
    | SiteField
    | ImportWarning
)

_CHUNK = 64 * 1024
_NAMESPACES = (
    (re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/?$"), "excerpt"),
    (re.compile(r"^https?://wordpress\.org/export/1\.\d+/?$"), "wp"),
    (re.compile(r"^https?://purl\.org/rss/1\.0/modules/content/?$"), "content"),
    (re.compile(r"^https?://purl\.org/dc/elements/1\.1/?$"), "dc"),
    (re.compile(r"^https?://wellformedweb\.org/CommentAPI/?$"), "wfw"),
)
_MORE = re.compile(r"<!--more(?:\s[^>]*)?-->")
_POST_STATUSES: dict[str, PostStatus] = {
    "publish": "publish",
    "draft": "draft",
    "future": "future",
    "private": "private",
    "trash": "trash",
    "pending": "pending",
}
_COMMENT_STATUSES: dict[str, CommentStatus] = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "trash",
}
_COMMENT_KINDS: dict[str, CommentKind] = {
    "": "comment",
    "comment": "comment",
    "pingback": "pingback",
    "trackback": "trackback",
    "webmention": "webmention",  # what WordPress webmention plugins store
}
_KNOWN_ITEM = frozenset(
    {
        "title", "link", "pubDate", "dc:creator", "guid", "description", "content:encoded",
        "excerpt:encoded", "wp:post_id", "wp:post_date", "wp:post_date_gmt", "wp:post_modified",
        "wp:post_modified_gmt", "wp:comment_status", "wp:ping_status", "wp:post_name",
        "wp:status", "wp:post_parent", "wp:menu_order", "wp:post_type", "wp:post_password",
        "wp:is_sticky", "wp:attachment_url", "category", "wp:postmeta", "wp:comment",
        "comments", "wfw:commentRss",
    }
)  # fmt: skip
# Channel elements that describe the exported site, handed on as SiteField records.
_SITE_FIELDS = frozenset(
    {"title", "link", "description", "language", "wp:base_site_url", "wp:base_blog_url"}
)
_KNOWN_CHANNEL = frozenset(
    {
        "title", "link", "description", "pubDate", "language", "generator", "image", "cloud",
        "wp:wxr_version", "wp:base_site_url", "wp:base_blog_url",
    }
)  # fmt: skip


class _ExpatHolder(Protocol):
    CurrentLineNumber: int


def _short_tag(tag: str, cache: dict[str, str]) -> str:
    """`{https://wordpress.org/export/1.2/}post_id` -> `wp:post_id`, whatever the scheme/version."""
    if not tag.startswith("{"):
        return tag
    try:
        return cache[tag]
    except KeyError:
        pass
    uri, _, local = tag[1:].partition("}")
    short = tag
    for pattern, prefix in _NAMESPACES:
        if pattern.match(uri):
            short = f"{prefix}:{local}"
            break
    cache[tag] = short
    return short


class _Target:
    """Builds elements like TreeBuilder, but hands out each <channel> child when it ends."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.builder = ET.TreeBuilder()
        self.stack: list[tuple[ET.Element, int]] = []
        self.done: deque[tuple[ET.Element, int]] = deque()
        self.expat: _ExpatHolder | None = None
        self.cache: dict[str, str] = {}

    def line(self) -> int:
        return self.expat.CurrentLineNumber if self.expat is not None else 0

    def start(self, tag: str, attrib: dict[str, str]) -> ET.Element:
        short = _short_tag(tag, self.cache)
        depth = len(self.stack)
        if depth == 0 and short != "rss":
            raise ParseError(file=self.name, line=self.line(), expected="<rss> root element",
                             found=f"<{short}>")  # fmt: skip
        if depth == 1 and short != "channel":
            raise ParseError(file=self.name, line=self.line(), expected="<channel>",
                             found=f"<{short}>")  # fmt: skip
        element = self.builder.start(short, attrib)
        self.stack.append((element, self.line()))
        return element

    def end(self, tag: str) -> ET.Element:
        element = self.builder.end(_short_tag(tag, self.cache))
        _, line = self.stack.pop()
        if len(self.stack) == 2:
            channel = self.stack[1][0]
            channel.remove(element)  # detached: the tree never holds more than one item
            self.done.append((element, line))
        return element

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> None:
        self.builder.close()


def parse_wxr(
    source: str | os.PathLike[str] | BinaryIO, *, name: str | None = None
) -> Iterator[WxrRecord]:
    """Yield the records of a WXR file (path or binary file object), reading it in chunks.

    Raises ParseError (file, line, what was expected) on malformed XML, a DOCTYPE, or a value
    this reader cannot interpret (unknown post status, unparseable date).
    """
    with ExitStack() as stack:
        if isinstance(source, str | os.PathLike):
            file: BinaryIO = stack.enter_context(open(source, "rb"))
            file_name = name or os.fspath(source)
        else:
            file = source
            file_name = name or str(getattr(source, "name", "<stream>"))
        target = _Target(file_name)
        parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                                  forbid_external=True)  # fmt: skip
        target.expat = parser.parser  # the pure-Python XMLParser defusedxml hooks keeps expat here
        reader = _ItemReader(file_name)
        while True:
            chunk = file.read(_CHUNK)
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except ET.ParseError as e:
                line = e.position[0] if e.position else None
                raise ParseError(file=file_name, line=line, expected="well-formed XML",
                                 found=str(e)) from e  # fmt: skip
            except DefusedXmlException as e:
                raise ParseError(file=file_name, line=target.line(),
                                 expected="no DOCTYPE, entity declaration or external reference",
                                 found=type(e).__name__) from e  # fmt: skip
            while target.done:
                element, line = target.done.popleft()
                yield from reader.read(element, line)
            if not chunk:
                break


def _text(element: ET.Element, path: str) -> str:
    return element.findtext(path) or ""


class _ItemReader:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.category_slugs: set[str] = set()
        self.tag_slugs: set[str] = set()

    def error(self, line: int, expected: str, found: str) -> ParseError:
        return ParseError(file=self.file_name, line=line, expected=expected, found=found)

    def read(self, el: ET.Element, line: int) -> Iterator[WxrRecord]:
        tag = el.tag
        if tag == "item":
            yield from self.item(el, line)
        elif tag == "wp:author":
            yield ImportedAuthor(
                login=_text(el, "wp:author_login").strip(),
                display_name=_text(el, "wp:author_display_name"),
                email=_text(el, "wp:author_email").strip(),
            )
        elif tag == "wp:category":
            yield from self.category(
                name=_text(el, "wp:cat_name"),
                slug=_text(el, "wp:category_nicename").strip(),
                parent=_text(el, "wp:category_parent").strip(),
                description=_text(el, "wp:category_description"),
            )
        elif tag == "wp:tag":
            yield from self.tag(name=_text(el, "wp:tag_name"), slug=_text(el, "wp:tag_slug"))
        elif tag == "wp:term":
            taxonomy = _text(el, "wp:term_taxonomy").strip()
            if taxonomy == "category":
                yield from self.category(
                    name=_text(el, "wp:term_name"),
                    slug=_text(el, "wp:term_slug").strip(),
                    parent=_text(el, "wp:term_parent").strip(),
                    description=_text(el, "wp:term_description"),
                )
            elif taxonomy == "post_tag":
                yield from self.tag(name=_text(el, "wp:term_name"), slug=_text(el, "wp:term_slug"))
            else:
                yield SkippedItem(line=line, kind=f"term:{taxonomy}",
                                  original_id=_text(el, "wp:term_id").strip())  # fmt: skip
        elif tag in _SITE_FIELDS:
            yield SiteField(name=tag, value=(el.text or "").strip())
        elif tag not in _KNOWN_CHANNEL:
            yield ImportWarning(line=line, message=f"unknown channel element <{tag}> ignored")

    def category(
        self, *, name: str, slug: str, parent: str, description: str
    ) -> Iterator[ImportedCategory]:
        if slug in self.category_slugs:
            return
        self.category_slugs.add(slug)
        yield ImportedCategory(name=name, slug=slug, parent_slug=parent or None,
                               description=description)  # fmt: skip

    def tag(self, *, name: str, slug: str) -> Iterator[ImportedTag]:
        slug = slug.strip()
        if slug in self.tag_slugs:
            return
        self.tag_slugs.add(slug)
        yield ImportedTag(name=name, slug=slug)

    def date(self, el: ET.Element, local: str, gmt: str, line: int) -> tuple[datetime | None, bool]:
        for path, is_utc in ((gmt, True), (local, False)):
            value = _text(el, path).strip()
            if not value or value.startswith("0000-00-00"):
                continue
            try:
                parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            except ValueError as e:
                raise self.error(line, f"<{path}> as YYYY-MM-DD HH:MM:SS", repr(value)) from e
            return (parsed.replace(tzinfo=UTC), True) if is_utc else (parsed, False)
        return None, False

    def item(self, el: ET.Element, line: int) -> Iterator[WxrRecord]:
        post_type = _text(el, "wp:post_type").strip() or "post"
        original_id = _text(el, "wp:post_id").strip()
        parent = _text(el, "wp:post_parent").strip()
        parent_id = parent if parent not in ("", "0") else None
        if post_type == "attachment":
            yield Attachment(line=line, original_id=original_id, title=_text(el, "title"),
                             url=_text(el, "wp:attachment_url").strip(),
                             parent_original_id=parent_id)  # fmt: skip
            return
        if post_type not in ("post", "page"):
            yield SkippedItem(line=line, kind=post_type, original_id=original_id)
            return
        raw_status = _text(el, "wp:status").strip()
        status = _POST_STATUSES.get(raw_status)
        if status is None:
            raise self.error(line, "wp:status publish|draft|future|private|pending|trash",
                             repr(raw_status))  # fmt: skip
        categories: list[str] = []
        plain_categories: list[str] = []
        tags: list[str] = []
        post_format: str | None = None
        meta: list[tuple[str, str]] = []
        comments: list[ImportedComment] = []
        unknown: list[str] = []
        for child in el:
            if child.tag == "category":
                domain = child.get("domain")
                value = child.get("nicename") or (child.text or "").strip()
                if domain == "category":
                    categories.append(value)
                elif domain == "post_tag":
                    tags.append(value)
                elif domain == "post_format":
                    post_format = value.removeprefix("post-format-")
                elif domain is None:
                    plain_categories.append((child.text or "").strip())
                elif f"category[{domain}]" not in unknown:
                    unknown.append(f"category[{domain}]")
            elif child.tag == "wp:postmeta":
                meta.append((_text(child, "wp:meta_key"), _text(child, "wp:meta_value")))
            elif child.tag == "wp:comment":
                comments.append(self.comment(child, line))
            elif child.tag not in _KNOWN_ITEM and child.tag not in unknown:
                unknown.append(child.tag)
        content = _text(el, "content:encoded")
        body, _, extended = _split_more(content)
        date, date_is_utc = self.date(el, "wp:post_date", "wp:post_date_gmt", line)
        menu_order = _text(el, "wp:menu_order").strip()
        yield ImportedPost(
            line=line,
            original_id=original_id,
            kind="page" if post_type == "page" else "post",
            title=_text(el, "title"),
            slug=_text(el, "wp:post_name").strip(),
            link=_text(el, "link").strip(),
            author_login=_text(el, "dc:creator").strip(),
            status=status,
            date=date,
            date_is_utc=date_is_utc,
            body=body,
            extended=extended,
            excerpt=_text(el, "excerpt:encoded"),
            categories=tuple(categories or plain_categories),
            category_key="slug" if categories or not plain_categories else "name",
            tags=tuple(tags),
            comments=tuple(comments),
            allow_comments=_open_flag(_text(el, "wp:comment_status")),
            allow_pings=_open_flag(_text(el, "wp:ping_status")),
            sticky=_text(el, "wp:is_sticky").strip() == "1",
            text_format="wp_html",
            post_format=post_format,
            parent_original_id=parent_id,
            menu_order=int(menu_order) if menu_order.lstrip("-").isdigit() else 0,
            password=_text(el, "wp:post_password"),
            meta=tuple(meta),
            unknown_fields=tuple(unknown),
        )

    def comment(self, el: ET.Element, line: int) -> ImportedComment:
        raw_type = _text(el, "wp:comment_type").strip()
        kind = _COMMENT_KINDS.get(raw_type, "comment")
        raw_approved = _text(el, "wp:comment_approved").strip()
        status = _COMMENT_STATUSES.get(raw_approved)
        if status is None:
            raise self.error(line, "wp:comment_approved 1|0|spam|trash", repr(raw_approved))
        parent = _text(el, "wp:comment_parent").strip()
        date, date_is_utc = self.date(el, "wp:comment_date", "wp:comment_date_gmt", line)
        return ImportedComment(
            original_id=_text(el, "wp:comment_id").strip(),
            parent_original_id=parent if parent not in ("", "0") else None,
            kind=kind,
            status=status,
            author_name=_text(el, "wp:comment_author"),
            author_email=_text(el, "wp:comment_author_email").strip(),
            author_url=_text(el, "wp:comment_author_url").strip(),
            author_ip=_text(el, "wp:comment_author_IP").strip(),
            date=date,
            date_is_utc=date_is_utc,
            body=_text(el, "wp:comment_content"),
        )


def _split_more(content: str) -> tuple[str, str, str]:
    match = _MORE.search(content)
    if match is None:
        return content, "", ""
    return content[: match.start()], match.group(0), content[match.end() :]


def _open_flag(value: str) -> bool | None:
    value = value.strip()
    return None if not value else value == "open"
