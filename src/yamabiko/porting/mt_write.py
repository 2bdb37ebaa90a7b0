"""Writer for the Movable Type import/export text format, the inverse of `mt.parse_mt`.

Spec: movabletype/movabletype lib/MT/ImportExport.pm (`export` and its template) and
shared/FORMATS.md §4.1. `write_mt(out, posts)` writes one record per ImportedPost to a text
stream, each as soon as it comes; the encoding is the stream's (MT files are usually UTF-8).

Choices:
- Layout as MT exports it: metadata lines, `-----`, then BODY, EXTENDED BODY, EXCERPT and
  KEYWORDS sections (always, even when empty), COMMENT and PING sections, each closed by
  `-----`, and `--------` after the record. Comments and pings keep their order in the record
  (MT itself writes all comments before all pings).
- Lines inside a section that are exactly `-----` or `--------` get a TAB appended, MT's escape.
- Single-line values (metadata, comment and ping fields) have their line breaks replaced by a
  space, as MT's `strip_linefeeds` does; surrounding whitespace is dropped.
- AUTHOR and BASENAME are left out when empty (MT would create a nameless user, or would make a
  basename itself); ALLOW COMMENTS / ALLOW PINGS when None (the site default), CONVERT BREAKS
  when `text_format` is empty, DATE when there is no date, TAGS when there are none.
- STATUS: publish, draft, future -> Publish, Draft, Future; pending -> Review. MT has no private
  or trash status, nor post passwords: private and trashed posts, and posts with a password,
  are written as Draft so that importing the file does not make them public.
- DATE is `MM/DD/YYYY hh:mm:ss AM|PM` in English, whatever the locale. The format has no zone:
  the caller passes naive local dates in the blog's zone; an aware date is written as the wall
  time it holds, and converting it to the blog's zone first is the caller's job.
- TAGS: a tag holding whitespace, a comma or a double quote is double-quoted, with inner
  quotes doubled (the CSV rule `parse_mt` reads).
- Only approved comments and pings are written, as MT exports only published ones: the format
  has no status, and an importer publishes everything it reads.
- Trackbacks, pingbacks and webmentions are written as PING sections. One whose `blog_name` is
  empty gets its `author_name` as BLOG NAME (WordPress keeps a pinging blog's name there).
- `extra` pairs (keys and sections the reader did not know) are written back: as `KEY: value`
  metadata lines where the value is one line without surrounding whitespace, else (or once one
  pair needed it, so their order holds) as `KEY:` sections. A pair that fits neither (say a
  lower-case key, or a multi-line value under a key that cannot be a section header) raises
  InvalidInput; a key MT would read as its own is never written as a metadata line.
- A comment with no DATE whose text starts with a `DATE:` line gets a blank line before its
  text, so the reader does not take that line for the field.

What the format cannot carry, read back with `parse_mt`:
- ImportedPost: `original_id`, `link`, `kind` (pages come back as posts), `sticky`,
  `post_format`, `parent_original_id`, `menu_order`, `password`, `meta`; statuses private and
  trash (-> draft); `date_is_utc` and the zone of an aware date; `category_key` (labels are
  written as given, so pass names, not slugs); `primary_category` None when there are categories
  (the first one becomes primary); empty category names and tags; leading and trailing blank
  lines of sections, and a BODY, EXTENDED BODY, EXCERPT or KEYWORDS holding only whitespace
  (-> ""); `unknown_fields` other than the keys of `extra`, which is what the reader makes.
- ImportedComment: `original_id`, `parent_original_id` (comments are flat), `status` (all read
  back approved; others are not written), `date_is_utc`; the kinds pingback and webmention
  (PING sections read back as trackbacks); a comment's `title` and `blog_name`; a ping's
  `author_name` (written as BLOG NAME when that is empty) and `author_email`; leading and
  trailing blank lines of the text.
- Anywhere: line breaks and surrounding whitespace in one-line values, CR before a line end
  (read back as a plain line end), lines that are exactly
  `-----<TAB>` or `--------<TAB>` (read back without the TAB), fractions of a second, years
  before 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting.records import ImportedComment, ImportedPost, PostStatus

_SECTION = "-----"
_RECORD = "--------"
_STATUSES: dict[PostStatus, str] = {
    "publish": "Publish",
    "draft": "Draft",
    "future": "Future",
    "pending": "Review",
    "private": "Draft",
    "trash": "Draft",
}
# Keys and headers parse_mt (and MT) give a meaning to; an `extra` pair must not pose as one.
_META_KEYS = frozenset(
    {
        "AUTHOR", "TITLE", "BASENAME", "STATUS", "ALLOW COMMENTS", "ALLOW PINGS",
        "CONVERT BREAKS", "PRIMARY CATEGORY", "CATEGORY", "DATE", "TAGS", "NO ENTRY",
        "START BODY",
    }
)  # fmt: skip
_HEADERS = frozenset({"BODY", "EXTENDED BODY", "EXCERPT", "KEYWORDS", "COMMENT", "PING"})
_SECTION_KEY = re.compile(r"[A-Z][A-Z0-9 _]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def write_mt(out: TextIO, posts: Iterable[ImportedPost]) -> None:
    """Write `posts` to `out` in the Movable Type export format, one record at a time.

    Raises InvalidInput for an `extra` pair the format cannot hold (see the module docstring).
    """
    for post in posts:
        out.write(_record(post))


def _record(post: ImportedPost) -> str:
    meta_extra, section_extra = _split_extra(post.extra)
    lines: list[str] = []
    if post.author_login.strip():
        lines.append(_meta("AUTHOR", post.author_login))
    lines.append(_meta("TITLE", post.title))
    if post.slug.strip():
        lines.append(_meta("BASENAME", post.slug))
    status = "Draft" if post.password else _STATUSES[post.status]
    lines.append(_meta("STATUS", status))
    if post.allow_comments is not None:
        lines.append(_meta("ALLOW COMMENTS", "1" if post.allow_comments else "0"))
    if post.text_format.strip():
        lines.append(_meta("CONVERT BREAKS", post.text_format))
    if post.allow_pings is not None:
        lines.append(_meta("ALLOW PINGS", "1" if post.allow_pings else "0"))
    if post.primary_category and _one_line(post.primary_category):
        lines.append(_meta("PRIMARY CATEGORY", post.primary_category))
    lines += [_meta("CATEGORY", name) for name in post.categories if _one_line(name)]
    if post.date is not None:
        lines.append(_meta("DATE", _date(post.date)))
    tags = [_tag(tag) for tag in post.tags if _one_line(tag)]
    if tags:
        lines.append(_meta("TAGS", ",".join(tags)))
    if post.no_entry:
        lines.append(_meta("NO ENTRY", "1"))
    lines += [_meta(key, value) for key, value in meta_extra]
    lines.append(_SECTION)
    parts = ["\n".join(lines), "\n"]
    parts += [
        _section("BODY", [], post.body),
        _section("EXTENDED BODY", [], post.extended),
        _section("EXCERPT", [], post.excerpt),
        _section("KEYWORDS", [], post.keywords),
    ]
    parts += [_section(key, [], value) for key, value in section_extra]
    parts += [_comment(c) for c in post.comments if c.status == "approved"]
    parts.append(_RECORD + "\n")
    return "".join(parts)


def _split_extra(
    extra: tuple[tuple[str, str], ...],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Which `extra` pairs go out as metadata lines and which as sections, keeping their order
    as far as the format lets: all metadata precedes all sections in a record."""
    meta: list[tuple[str, str]] = []
    sections: list[tuple[str, str]] = []
    for key, value in extra:
        # The reader upper-cases and trims a metadata key and trims its one-line value.
        can_meta = (
            key not in _META_KEYS
            and key == key.strip().upper()
            and ":" not in key
            and _LINE_BREAK.search(key + value) is None
            and value == value.strip()
        )
        # A section header must look like one, and must not be a section the reader knows.
        can_section = _SECTION_KEY.fullmatch(key) is not None and key not in _HEADERS
        if can_meta and not sections:
            meta.append((key, value))
        elif can_section:
            sections.append((key, value))
        elif can_meta:
            meta.append((key, value))
        else:
            raise InvalidInput(f"MT format cannot hold the extra field {key!r}: {value[:40]!r}")
    return meta, sections


def _one_line(value: str) -> str:
    return _LINE_BREAK.sub(" ", value).strip()


def _meta(key: str, value: str) -> str:
    return f"{key}: {_one_line(value)}".rstrip()


def _date(date: datetime) -> str:
    # By hand rather than strftime: %p follows the locale, and MT reads English AM/PM only.
    hour = date.hour % 12 or 12
    meridiem = "PM" if date.hour >= 12 else "AM"
    return (
        f"{date.month:02d}/{date.day:02d}/{date.year:04d} "
        f"{hour:02d}:{date.minute:02d}:{date.second:02d} {meridiem}"
    )


def _tag(tag: str) -> str:
    tag = _one_line(tag)
    if any(ch.isspace() or ch in ',"' for ch in tag):
        return '"' + tag.replace('"', '""') + '"'
    return tag


def _escape(text: str) -> str:
    return "\n".join(
        line + "\t" if line in (_SECTION, _RECORD) else line for line in text.split("\n")
    )


def _section(header: str, fields: list[str], text: str) -> str:
    body = _escape(text)
    return "\n".join([f"{header}:", *fields, body, _SECTION]) + "\n"


def _comment(comment: ImportedComment) -> str:
    if comment.kind == "comment":
        header = "COMMENT"
        fields = [
            _meta("AUTHOR", comment.author_name),
            _meta("EMAIL", comment.author_email),
            _meta("IP", comment.author_ip),
            _meta("URL", comment.author_url),
        ]
    else:
        header = "PING"
        fields = [
            _meta("TITLE", comment.title),
            _meta("URL", comment.author_url),
            _meta("IP", comment.author_ip),
            _meta("BLOG NAME", comment.blog_name or comment.author_name),
        ]
    if comment.date is not None:
        fields.append(_meta("DATE", _date(comment.date)))
    elif comment.body.partition("\n")[0].partition(":")[0].strip() == "DATE":
        fields.append("")  # ends the fields, and the reader drops it from the text
    return _section(header, fields, comment.body)
