"""Streaming writer for WordPress eXtended RSS (WXR 1.2), the inverse of `wxr.parse_wxr`.

Spec: WordPress/wordpress-develop src/wp-admin/includes/export.php (WXR_VERSION 1.2) and
shared/FORMATS.md §4.3. `write_wxr(out, records)` writes UTF-8 XML to a binary stream, one
record at a time, in the order the records come:

    SiteField* ImportedAuthor* ImportedCategory* (parents first) ImportedTag*
    (ImportedPost | Attachment)*

Nothing but the current record is held, apart from a slug -> name map of the categories and
tags seen (the <category> links of an item carry the term's name as their text).

Choices:
- Element content is written as is when it holds no markup characters, else as CDATA (what
  WordPress does); a `]]>` inside is split across two CDATA sections, and a CR is written as
  `&#13;` between sections because parsers turn a literal CR into LF (XML 1.0 §2.11).
- Characters XML 1.0 cannot carry (§2.2: C0 controls other than TAB, LF and CR, lone
  surrogates, U+FFFE and U+FFFF) are dropped.
- Dates: an aware date is written to wp:post_date_gmt in UTC, and to wp:post_date in `zone` when
  given, else also in UTC (WordPress's local time is unknown here). A naive date is local time:
  it goes to wp:post_date with wp:post_date_gmt 0000-00-00 00:00:00, as WordPress writes drafts;
  if its record says `date_is_utc`, it is taken as UTC instead. No date: both are zero.
  <pubDate> is written only for aware dates. Comments likewise.
- content:encoded is `body`, then `<!--more-->` and `extended` when `extended` is not empty.
- wp:comment_type is empty for an ordinary comment, as older WordPress wrote it (§4.3), else
  pingback, trackback or webmention (the type WordPress webmention plugins store).
- A post whose `category_key` is "name" (read from a WXR 1.0 file without slugs) gets plain
  <category>Name</category> links, which is how such files carry them.
- Not written, because the records do not hold them: term ids, author ids and first/last names,
  guid of posts (attachments get their URL, as WordPress writes), wp:post_modified, commentmeta,
  comment_user_id. WordPress's importer treats all of them as optional.

What WXR, as `parse_wxr` reads it back, cannot carry:
- ImportedPost: `keywords`, `primary_category`, `no_entry`, `extra` and `unknown_fields` (the
  names of elements a first reader did not understand; their values were never kept);
  `text_format` always reads back as "wp_html"; `parent_original_id` "0" reads back as None; a
  `category_key` of "name" with no categories reads back as "slug"; a `body` holding
  `<!--more` is split there.
- ImportedComment: `title` and `blog_name` (MT ping fields).
- Surrounding whitespace of ids, slugs, links, logins, e-mail and IP addresses and site field
  values (the reader strips them), and of the names in plain <category> links.
- Fractions of a second, and the zone of an aware date (it reads back as UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from typing import BinaryIO
from xml.sax.saxutils import quoteattr

from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting.records import (
    Attachment,
    CommentStatus,
    ImportedAuthor,
    ImportedCategory,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    SiteField,
)

WxrWritable = (
    SiteField | ImportedAuthor | ImportedCategory | ImportedTag | ImportedPost | Attachment
)

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!-- WordPress eXtended RSS (WXR) 1.2, written by Yamabiko; WordPress can import it. -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
"""
_TAIL = "</channel>\n</rss>\n"
_VERSION = "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
_SITE_FIELDS = frozenset(
    {"title", "link", "description", "language", "wp:base_site_url", "wp:base_blog_url"}
)
_ZERO_DATE = "0000-00-00 00:00:00"
# XML 1.0 §2.2 Char; everything outside it is dropped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARKUP = re.compile("[<>&\r]")
_APPROVED: dict[CommentStatus, str] = {
    "approved": "1",
    "pending": "0",
    "spam": "spam",
    "trash": "trash",
}


def write_wxr(out: BinaryIO, records: Iterable[WxrWritable], *, zone: tzinfo | None = None) -> None:
    """Write `records` to `out` as a WXR 1.2 file, each as soon as it comes.

    `zone` is the blog's time zone, used for wp:post_date and wp:comment_date of aware dates;
    without it those equal the UTC dates. Raises InvalidInput for a SiteField this format has
    no element for, TypeError for anything that is not one of the record types above.
    """
    writer = _Writer(out, zone)
    out.write(_HEAD.encode())
    for record in records:
        writer.write(record)
    writer.version()
    out.write(_TAIL.encode())


class _Writer:
    def __init__(self, out: BinaryIO, zone: tzinfo | None) -> None:
        self.out = out
        self.zone = zone
        self.version_written = False
        # The names of terms seen so far, for the text of each item's <category> links.
        self.category_names: dict[str, str] = {}
        self.tag_names: dict[str, str] = {}

    def version(self) -> None:
        # Written after the site fields, where WordPress puts it, so that they stay first.
        if not self.version_written:
            self.version_written = True
            self.out.write(_VERSION.encode())

    def write(self, record: WxrWritable) -> None:
        if isinstance(record, SiteField):
            if record.name not in _SITE_FIELDS:
                raise InvalidInput(f"WXR has no channel element for site field {record.name!r}")
            text = _element(record.name, record.value, 1)
        else:
            self.version()
            text = self.entry(record)
        self.out.write(text.encode())

    def entry(self, record: WxrWritable) -> str:
        match record:
            case ImportedAuthor():
                return _block("wp:author", 1, [
                    _element("wp:author_login", record.login, 2),
                    _element("wp:author_email", record.email, 2),
                    _element("wp:author_display_name", record.display_name, 2),
                ])  # fmt: skip
            case ImportedCategory():
                self.category_names[record.slug] = record.name
                lines = [
                    _element("wp:category_nicename", record.slug, 2),
                    _element("wp:category_parent", record.parent_slug or "", 2),
                    _element("wp:cat_name", record.name, 2),
                ]
                if record.description:  # WordPress leaves an empty description out
                    lines.append(_element("wp:category_description", record.description, 2))
                return _block("wp:category", 1, lines)
            case ImportedTag():
                self.tag_names[record.slug] = record.name
                return _block("wp:tag", 1, [
                    _element("wp:tag_slug", record.slug, 2),
                    _element("wp:tag_name", record.name, 2),
                ])  # fmt: skip
            case ImportedPost():
                return self.post(record)
            case Attachment():
                return _block("item", 1, [
                    _element("title", record.title, 2),
                    f'\t\t<guid isPermaLink="false">{_text(record.url)}</guid>\n',
                    _element("wp:post_id", record.original_id, 2),
                    _element("wp:status", "inherit", 2),
                    _element("wp:post_parent", record.parent_original_id or "0", 2),
                    _element("wp:post_type", "attachment", 2),
                    _element("wp:attachment_url", record.url, 2),
                ])  # fmt: skip
        raise TypeError(f"write_wxr cannot write {type(record).__name__}")

    def post(self, post: ImportedPost) -> str:
        local, gmt, published = self.dates(post.date, post.date_is_utc)
        content = post.body + "<!--more-->" + post.extended if post.extended else post.body
        lines = [_element("title", post.title, 2), _element("link", post.link, 2)]
        if published:
            lines.append(_element("pubDate", published, 2))
        lines += [
            _element("dc:creator", post.author_login, 2),
            _element("content:encoded", content, 2),
            _element("excerpt:encoded", post.excerpt, 2),
            _element("wp:post_id", post.original_id, 2),
            _element("wp:post_date", local, 2),
            _element("wp:post_date_gmt", gmt, 2),
        ]
        for name, flag in (
            ("wp:comment_status", post.allow_comments),
            ("wp:ping_status", post.allow_pings),
        ):
            if flag is not None:  # None: the site default, which WXR expresses by omission
                lines.append(_element(name, "open" if flag else "closed", 2))
        lines += [
            _element("wp:post_name", post.slug, 2),
            _element("wp:status", post.status, 2),
            _element("wp:post_parent", post.parent_original_id or "0", 2),
            _element("wp:menu_order", str(post.menu_order), 2),
            _element("wp:post_type", post.kind, 2),
            _element("wp:post_password", post.password, 2),
            _element("wp:is_sticky", "1" if post.sticky else "0", 2),
        ]
        if post.category_key == "name":
            lines += [_element("category", name, 2) for name in post.categories]
        else:
            lines += [_term("category", slug, self.category_names) for slug in post.categories]
        lines += [_term("post_tag", slug, self.tag_names) for slug in post.tags]
        if post.post_format is not None:
            # WordPress's post-format terms: "Aside" with the slug "post-format-aside", etc.
            name = post.post_format.capitalize()
            lines.append(_term("post_format", f"post-format-{post.post_format}", {}, name))
        for key, value in post.meta:
            lines.append(_block("wp:postmeta", 2, [
                _element("wp:meta_key", key, 3), _element("wp:meta_value", value, 3),
            ]))  # fmt: skip
        lines += [self.comment(comment) for comment in post.comments]
        return _block("item", 1, lines)

    def comment(self, comment: ImportedComment) -> str:
        local, gmt, _ = self.dates(comment.date, comment.date_is_utc)
        kind = "" if comment.kind == "comment" else comment.kind
        return _block("wp:comment", 2, [
            _element("wp:comment_id", comment.original_id, 3),
            _element("wp:comment_author", comment.author_name, 3),
            _element("wp:comment_author_email", comment.author_email, 3),
            _element("wp:comment_author_url", comment.author_url, 3),
            _element("wp:comment_author_IP", comment.author_ip, 3),
            _element("wp:comment_date", local, 3),
            _element("wp:comment_date_gmt", gmt, 3),
            _element("wp:comment_content", comment.body, 3),
            _element("wp:comment_approved", _APPROVED[comment.status], 3),
            _element("wp:comment_type", kind, 3),
            _element("wp:comment_parent", comment.parent_original_id or "0", 3),
        ])  # fmt: skip

    def dates(self, date: datetime | None, is_utc: bool) -> tuple[str, str, str]:
        """(local, gmt, RFC 822 pubDate or "") in WordPress's MySQL DATETIME form."""
        if date is None:
            return _ZERO_DATE, _ZERO_DATE, ""
        if date.utcoffset() is None:
            if not is_utc:
                return _mysql(date), _ZERO_DATE, ""
            date = date.replace(tzinfo=UTC)
        utc = date.astimezone(UTC)
        local = utc.astimezone(self.zone) if self.zone is not None else utc
        return _mysql(local), _mysql(utc), format_datetime(utc)


def _mysql(date: datetime) -> str:
    # Not strftime: %Y is not zero-padded below year 1000 on every platform.
    return (
        f"{date.year:04d}-{date.month:02d}-{date.day:02d} "
        f"{date.hour:02d}:{date.minute:02d}:{date.second:02d}"
    )


def _text(value: str) -> str:
    """Element content that reads back as `value`, less the characters XML cannot carry."""
    value = _NOT_XML.sub("", value)
    if not _MARKUP.search(value):
        return value
    # "]]>" would close the section early: end it between "]]" and ">" and open a new one
    # (XML 1.0 §2.7). A CR inside CDATA reads back as LF (§2.11), so it goes out as a
    # character reference between two sections.
    inner = value.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    return f"<![CDATA[{inner}]]>"


def _element(name: str, value: str, depth: int) -> str:
    return f"{'\t' * depth}<{name}>{_text(value)}</{name}>\n"


def _block(name: str, depth: int, lines: list[str]) -> str:
    indent = "\t" * depth
    return f"{indent}<{name}>\n{''.join(lines)}{indent}</{name}>\n"


def _term(domain: str, slug: str, names: dict[str, str], name: str | None = None) -> str:
    text = names.get(slug, slug) if name is None else name
    nicename = quoteattr(_NOT_XML.sub("", slug))
    return f'\t\t<category domain="{domain}" nicename={nicename}>{_text(text)}</category>\n'
