"""Incremental reader for the Movable Type import/export text format.

Spec: movabletype/movabletype lib/MT/ImportExport.pm (`import_contents`, `_convert_date`) and
shared/FORMATS.md §4.1-4.2. `parse_mt` yields `ImportedPost | ImportWarning` in file order.

Deviations and choices:
- Encoding (§4.1 "Encoding"): an explicit `encoding=` wins; else a BOM; else strict UTF-8 over
  the first 64 KiB; else cp932 (Shift_JIS) or EUC-JP, whichever decodes that sample without
  error and with more kana/kanji (half-width katakana, the usual EUC-as-SJIS mojibake, counts
  against); else windows-1252. The file is decoded incrementally, line by line.
- Separators (§4.2 "Quirks"): services that do not TAB-escape body lines produce bare `-----`
  and `--------` lines inside bodies. Inside a multi-line section, `-----` ends the section only
  when the next non-blank line is a section header (`BODY:`, `EXTENDED BODY:`, `EXCERPT:`,
  `KEYWORDS:`, `COMMENT:`, `PING:`, or any other all-capitals `NAME:` line), `--------`, or the
  end of file; `--------` ends the record only when the next non-blank line is a `KEY:` line
  or the end of file. Otherwise the line stays in the body (with a warning). MT itself splits on
  them unconditionally.
- A TAB appended to a `-----`/`--------` line inside a section is stripped (MT's escape).
- Two-digit years get 1900 added, as MT's `_convert_date` does.
- STATUS: draft, publish, future; MT's review -> pending, unpublish -> draft; missing -> draft
  with a warning; anything else is a ParseError.
- Missing ALLOW COMMENTS / ALLOW PINGS -> None (site default); ALLOW PINGS other than 0/1 is an
  error (as in MT); ALLOW COMMENTS 2 (old MT "closed") reads as False.
- Unknown metadata keys and section headers go to `unknown_fields` (and their values to
  `extra`); `START BODY` (legacy) is not supported and is counted as unknown.
- A record cut off inside a section or its metadata is a ParseError; a file whose last record
  lacks only the final `--------` is accepted with a warning.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import BinaryIO

from yamabiko.porting.records import (
    ImportedComment,
    ImportedPost,
    ImportWarning,
    ParseError,
    PostStatus,
)

MtRecord = ImportedPost | ImportWarning

_SAMPLE = 64 * 1024
_SECTION = "-----"
_RECORD = "--------"
_HEADERS = frozenset({"BODY", "EXTENDED BODY", "EXCERPT", "KEYWORDS", "COMMENT", "PING"})
_HEADER_LINE = re.compile(r"^([A-Z][A-Z0-9 _]*):\s*$")
_KEY_LINE = re.compile(r"^[A-Z][A-Z0-9 _]*\s*:")
_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\s*([AaPp][Mm]))?$"
)
_STATUSES: dict[str, PostStatus] = {
    "draft": "draft",
    "publish": "publish",
    "future": "future",
    "review": "pending",
    "unpublish": "draft",
}
_META_KEYS = frozenset(
    {
        "AUTHOR", "TITLE", "BASENAME", "STATUS", "ALLOW COMMENTS", "ALLOW PINGS",
        "CONVERT BREAKS", "PRIMARY CATEGORY", "CATEGORY", "DATE", "TAGS", "NO ENTRY",
    }
)  # fmt: skip
_COMMENT_KEYS = frozenset({"AUTHOR", "EMAIL", "URL", "IP", "DATE"})
_PING_KEYS = frozenset({"TITLE", "URL", "IP", "BLOG NAME", "DATE"})


def detect_encoding(sample: bytes) -> str:
    """Guess a Python codec name for an MT file from its first bytes (see module docstring)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best, best_score = "", 0
    for candidate in ("cp932", "euc_jp"):
        try:
            text = codecs.getincrementaldecoder(candidate)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        score = sum(
            1 if "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" else
            -1 if "\uff61" <= ch <= "\uff9f" else 0
            for ch in text
        )  # fmt: skip
        if score > best_score:
            best, best_score = candidate, score
    return best or "cp1252"


def _lines(file: BinaryIO, head: bytes, encoding: str, name: str) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) pairs, decoding incrementally; CRLF and LF."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    number = 0
    for chunk in chain((head,), iter(lambda: file.read(_SAMPLE), b"")):
        try:
            pending += decoder.decode(chunk)
        except UnicodeDecodeError as e:
            raise ParseError(file=name, line=number + pending.count("\n") + 1,
                             expected=f"text in {encoding}", found=str(e)) from e  # fmt: skip
        *complete, pending = pending.split("\n")
        for line in complete:
            number += 1
            yield number, line.removesuffix("\r")
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:
        raise ParseError(file=name, line=number + 1, expected=f"text in {encoding}",
                         found=str(e)) from e  # fmt: skip
    if pending:
        yield number + 1, pending.removesuffix("\r")


def parse_mt(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    encoding: str | None = None,
    name: str | None = None,
) -> Iterator[MtRecord]:
    """Yield one ImportedPost per MT record (and warnings), reading the file incrementally."""
    with ExitStack() as stack:
        if isinstance(source, str | os.PathLike):
            file: BinaryIO = stack.enter_context(open(source, "rb"))
            file_name = name or os.fspath(source)
        else:
            file = source
            file_name = name or str(getattr(source, "name", "<stream>"))
        head = file.read(_SAMPLE)
        chosen = encoding or detect_encoding(head)
        yield from _Reader(file_name).run(_lines(file, head, chosen, file_name))


@dataclass
class _Record:
    line: int
    keys: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    comments: list[ImportedComment] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.lookahead: list[tuple[int, str]] = []

    def error(self, line: int | None, expected: str, found: str = "") -> ParseError:
        return ParseError(file=self.name, line=line, expected=expected, found=found)

    def run(self, lines: Iterator[tuple[int, str]]) -> Iterator[MtRecord]:
        self.source = lines
        while True:
            first = self.next_nonblank()
            if first is None:
                return
            self.lookahead.insert(0, first)
            yield from self.record(first[0])

    def next_line(self) -> tuple[int, str] | None:
        if self.lookahead:
            return self.lookahead.pop(0)
        return next(self.source, None)

    def next_nonblank(self) -> tuple[int, str] | None:
        while (item := self.next_line()) is not None:
            if item[1].strip():
                return item
        return None

    def peek_nonblank(self) -> str | None:
        """The next non-blank line, left in place (blank lines before it too)."""
        index = 0
        while True:
            if index == len(self.lookahead):
                item = next(self.source, None)
                if item is None:
                    return None
                self.lookahead.append(item)
            if self.lookahead[index][1].strip():
                return self.lookahead[index][1]
            index += 1

    def record(self, start: int) -> Iterator[MtRecord]:
        rec = _Record(line=start)
        # metadata section
        while True:
            item = self.next_line()
            if item is None:
                raise self.error(start, "'-----' or '--------' after the metadata of this record",
                                 "end of file")  # fmt: skip
            number, line = item
            text = line.strip()
            if text == _RECORD:
                yield from self.finish(rec)
                return
            if text == _SECTION:
                break
            if text:
                self.metadata(rec, number, text)
        # multi-line sections
        while True:
            item = self.next_nonblank()
            if item is None:
                yield ImportWarning(line=start, message="last record has no closing '--------'")
                yield from self.finish(rec)
                return
            number, line = item
            if line.strip() == _RECORD:
                yield from self.finish(rec)
                return
            header = _HEADER_LINE.match(line.strip())
            if header is None:
                raise self.error(number, "a section header such as BODY: or COMMENT:", repr(line))
            content, warnings, ended = self.section_content(number)
            yield from warnings
            self.section(rec, number, header.group(1), content)
            if ended is None:
                yield ImportWarning(line=start, message="last record has no closing '--------'")
            if ended != _SECTION:
                yield from self.finish(rec)
                return

    def section_content(
        self, header_line: int
    ) -> tuple[list[tuple[int, str]], list[ImportWarning], str | None]:
        content: list[tuple[int, str]] = []
        warnings: list[ImportWarning] = []
        while True:
            item = self.next_line()
            if item is None:
                raise self.error(header_line, "'-----' closing this section", "end of file")
            number, line = item
            if line in (_SECTION, _RECORD):
                following = self.peek_nonblank()
                if following is None:
                    return content, warnings, None
                if line == _SECTION and (following.strip() == _RECORD
                                         or _HEADER_LINE.match(following.strip())):  # fmt: skip
                    return content, warnings, _SECTION
                if line == _RECORD and _KEY_LINE.match(following):
                    return content, warnings, _RECORD
                message = f"bare {line!r} line inside a section kept as text"
                warnings.append(ImportWarning(line=number, message=message))
            elif line in (_SECTION + "\t", _RECORD + "\t"):
                line = line[:-1]  # MT's escape of separator lines inside bodies
            content.append((number, line))

    def metadata(self, rec: _Record, number: int, text: str) -> None:
        key, colon, value = text.partition(":")
        key, value = key.strip().upper(), value.strip()
        if not colon or key not in _META_KEYS:
            rec.unknown.append(key)
            rec.extra.append((key, value))
        elif key == "CATEGORY":
            if value:
                rec.categories.append(value)
        else:
            rec.keys[key] = value
            if key == "DATE":
                self.date(value, number)
            elif key == "ALLOW PINGS" and value not in ("", "0", "1"):
                raise self.error(number, "ALLOW PINGS 0 or 1", repr(value))
            elif key == "ALLOW COMMENTS" and not (value == "" or value.isdigit()):
                raise self.error(number, "ALLOW COMMENTS 0, 1 or 2", repr(value))
            elif key == "STATUS" and value.lower() not in _STATUSES:
                raise self.error(number, "STATUS Draft, Publish, Future, Review or Unpublish",
                                 repr(value))  # fmt: skip
        rec.keys.setdefault(f"line:{key}", str(number))

    def date(self, value: str, number: int) -> datetime:
        match = _DATE.match(value.strip())
        if match is None:
            raise self.error(number, "DATE as MM/DD/YYYY hh:mm:ss [AM|PM]", repr(value))
        month, day, year, hour, minute, second = (int(g) for g in match.groups()[:6])
        meridiem = (match.group(7) or "").upper()
        if year < 100:
            year += 1900
        if meridiem:
            if not 1 <= hour <= 12:
                raise self.error(number, "a DATE hour from 1 to 12 before AM/PM", repr(value))
            hour = hour % 12 + (12 if meridiem == "PM" else 0)
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError as e:
            raise self.error(number, "DATE as a real calendar date and time", repr(value)) from e

    def section(
        self, rec: _Record, number: int, header: str, content: list[tuple[int, str]]
    ) -> None:
        if header in ("COMMENT", "PING"):
            rec.comments.append(self.comment(header, number, content))
        elif header in _HEADERS:
            text = "\n".join(line for _, line in content).strip("\n")
            rec.sections[header] = text if text.strip() else ""
        else:
            rec.unknown.append(header)
            rec.extra.append((header, "\n".join(line for _, line in content)))

    def comment(self, header: str, number: int, content: list[tuple[int, str]]) -> ImportedComment:
        keys = _COMMENT_KEYS if header == "COMMENT" else _PING_KEYS
        fields: dict[str, str] = {}
        date: datetime | None = None
        index = 0
        while index < len(content):
            line_number, line = content[index]
            key, colon, value = line.partition(":")
            if not colon or key.strip() not in keys or key.strip() in fields:
                break
            fields[key.strip()] = value.strip()
            if key.strip() == "DATE":
                date = self.date(value, line_number)
            index += 1
        body = "\n".join(line for _, line in content[index:]).strip("\n")
        return ImportedComment(
            original_id="",
            parent_original_id=None,
            kind="comment" if header == "COMMENT" else "trackback",
            status="approved",
            author_name=fields.get("AUTHOR", ""),
            author_email=fields.get("EMAIL", ""),
            author_url=fields.get("URL", ""),
            author_ip=fields.get("IP", ""),
            date=date,
            date_is_utc=False,
            body=body,
            title=fields.get("TITLE", ""),
            blog_name=fields.get("BLOG NAME", ""),
        )

    def finish(self, rec: _Record) -> Iterator[MtRecord]:
        keys = rec.keys
        status_text = keys.get("STATUS", "")
        if not status_text:
            yield ImportWarning(line=rec.line, message="record without STATUS read as draft")
        date = self.date(keys["DATE"], int(keys["line:DATE"])) if keys.get("DATE") else None
        allow_comments = keys.get("ALLOW COMMENTS")
        allow_pings = keys.get("ALLOW PINGS")
        primary = keys.get("PRIMARY CATEGORY") or (rec.categories[0] if rec.categories else None)
        yield ImportedPost(
            line=rec.line,
            original_id="",
            kind="post",
            title=keys.get("TITLE", ""),
            slug=keys.get("BASENAME", ""),
            link="",
            author_login=keys.get("AUTHOR", ""),
            status=_STATUSES.get(status_text.lower(), "draft"),
            date=date,
            date_is_utc=False,
            body=rec.sections.get("BODY", ""),
            extended=rec.sections.get("EXTENDED BODY", ""),
            excerpt=rec.sections.get("EXCERPT", ""),
            keywords=rec.sections.get("KEYWORDS", ""),
            categories=tuple(rec.categories),
            category_key="name",
            primary_category=primary,
            tags=_tags(keys.get("TAGS", "")),
            comments=tuple(rec.comments),
            allow_comments=None if allow_comments is None else allow_comments == "1",
            allow_pings=None if allow_pings is None else allow_pings == "1",
            text_format=keys.get("CONVERT BREAKS", ""),
            no_entry="NO ENTRY" in keys,
            unknown_fields=tuple(rec.unknown),
            extra=tuple(rec.extra),
        )


def _tags(value: str) -> tuple[str, ...]:
    if not value.strip():
        return ()
    row = next(csv.reader([value], skipinitialspace=True))
    return tuple(tag.strip() for tag in row if tag.strip())
