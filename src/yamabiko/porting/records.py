"""The neutral records both import formats produce (WXR in `wxr.py`, Movable Type in `mt.py`).

Pure value objects: no ORM, no request, no I/O. The importer service (not written yet) maps them
onto models. Statuses are `Literal` strings rather than `TextChoices` (STYLE rule 18) because
these records must not depend on any Django app's models; the importer maps them onto the
models' choices.

Dates: a WXR item carries its UTC time (`wp:post_date_gmt`), an MT record only the blog's local
wall-clock time. `date_is_utc` says which one a record holds: when True, `date` is an aware
datetime in UTC; when False, `date` is naive and means local time in the blog's own zone (the
importer attaches the zone). A missing date (MT allows it) is `None`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from yamabiko.core.exceptions import YamabikoError

CommentKind = Literal["comment", "pingback", "trackback", "webmention"]
CommentStatus = Literal["approved", "pending", "spam", "trash"]
PostKind = Literal["post", "page"]
PostStatus = Literal["publish", "draft", "future", "private", "trash", "pending"]

# Post meta a Yamabiko WXR export adds, which WordPress keeps and ignores: the text format and,
# for Markdown, the source, so an import into Yamabiko gets back what was written.
FORMAT_META = "_yamabiko_text_format"
BODY_META = "_yamabiko_body"
EXTENDED_META = "_yamabiko_extended"
OUR_META = frozenset({FORMAT_META, BODY_META, EXTENDED_META})


class ParseError(YamabikoError):
    """An export file is malformed; names the file, the line and what was expected there."""

    def __init__(self, *, file: str, line: int | None, expected: str, found: str = "") -> None:
        self.file = file
        self.line = line
        self.expected = expected
        self.found = found
        where = f"{file}:{line}" if line is not None else file
        message = f"{where}: expected {expected}"
        if found:
            message += f", found {found}"
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportWarning:
    """Something was read but not understood or kept; the import goes on."""

    line: int | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteField:
    """One fact about the exported site (WXR channel): title, link, description, language,
    wp:base_site_url or wp:base_blog_url, named as the element is."""

    name: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedAuthor:
    login: str
    display_name: str
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedCategory:
    name: str
    slug: str
    parent_slug: str | None
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedTag:
    name: str
    slug: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedComment:
    """A comment, pingback or trackback (MT's PING sections are trackbacks)."""

    original_id: str  # "" where the format has no ids (MT)
    parent_original_id: str | None  # threading; MT comments are flat
    kind: CommentKind
    status: CommentStatus
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    date: datetime | None
    date_is_utc: bool
    body: str
    title: str = ""  # MT PING TITLE
    blog_name: str = ""  # MT PING BLOG NAME


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedPost:
    """A post or page with its comments. `line` is where the item/record starts."""

    line: int
    original_id: str  # WXR wp:post_id; "" for MT, whose format carries no ids
    kind: PostKind
    title: str
    slug: str
    link: str  # the original URL (WXR <link>); "" for MT
    author_login: str
    status: PostStatus
    date: datetime | None
    date_is_utc: bool
    body: str
    extended: str
    excerpt: str
    keywords: str = ""
    # WXR: category nicenames (slugs); MT: category labels (names). `category_key` says which.
    categories: tuple[str, ...] = ()
    category_key: Literal["slug", "name"] = "slug"
    primary_category: str | None = None
    tags: tuple[str, ...] = ()  # WXR: tag slugs; MT: tag names
    comments: tuple[ImportedComment, ...] = ()
    allow_comments: bool | None = None  # None: the file does not say; use the site default
    allow_pings: bool | None = None
    sticky: bool = False
    # MT: the raw CONVERT BREAKS value ("0", "1", "__default__", "richtext", "markdown", …);
    # WXR: "wp_html" (HTML to which WordPress applies wpautop on display).
    text_format: str = ""
    post_format: str | None = None  # WXR post_format term without "post-format-" ("aside", …)
    parent_original_id: str | None = None  # WXR wp:post_parent for pages
    menu_order: int = 0
    password: str = ""
    no_entry: bool = False  # MT NO ENTRY: attach comments/pings to the entry with this DATE
    meta: tuple[tuple[str, str], ...] = ()  # WXR wp:postmeta pairs, in file order
    unknown_fields: tuple[str, ...] = ()  # names of keys/elements/sections not understood
    extra: tuple[tuple[str, str], ...] = ()  # values of those unknown keys (MT), never lost


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A WXR attachment item: media referenced by URL, never embedded in the file."""

    line: int
    original_id: str
    title: str
    url: str
    parent_original_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedItem:
    """A WXR item or term the importer does not take (nav_menu_item, wp_navigation, …)."""

    line: int
    kind: str  # the wp:post_type, or "term:<taxonomy>"
    original_id: str
