"""Finding media URLs in imported HTML, and pointing them at the copies.

Sources: WHATWG HTML, "parse a srcset attribute" (§4.8.4.3.10) and the tokenizer's attribute
states (§13.2.5.32-39).

What counts as media: ``<img src srcset>``, ``<source src srcset>``, ``<video src poster>``,
``<audio src>``, and ``<a href>`` whose path ends in one of ``MEDIA_EXTENSIONS`` (a link to a
page is not media, a link to the full-size photo or to a PDF is). Only http and https URLs are
kept; a relative URL is resolved against the first site URL given (taken as a folder: the
blog's root), and skipped when none is given. A fragment is not part of what is downloaded:
``doc.pdf#page=2`` is listed as ``doc.pdf`` and rewritten to the copy with ``#page=2`` kept.

Choices:

- One tokenizer for listing and for rewriting: ``html.parser``, the standard library's, which
  is also what BeautifulSoup's ``html.parser`` builder runs on. It knows where tags are (not in
  comments, not inside ``<script>``) and reports where each start tag begins, which
  BeautifulSoup does not. ``rewrite_links`` scans the raw text of each start tag the parser
  reported for its attributes (the tokenizer's rules) and changes a value only when it decodes
  to exactly what the parser read, so a tag the two readings disagree about is left as written.
  Nothing outside a rewritten value changes; re-serialising the document through a parser
  would respell entities, quotes and void tags all over a post.
- A rewritten value is escaped for its quotes, and quoted if it was unquoted and now needs
  quotes. In a srcset only the URLs change, unless the value holds character references: then
  that one value is written back whole (its references may change spelling, nothing else).
- Of a repeated attribute only the first counts, as in browsers.
"""

from __future__ import annotations

import html as html_entities
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

__all__ = ["MEDIA_EXTENSIONS", "media_urls", "rewrite_links"]

MEDIA_EXTENSIONS = frozenset(
    {
        # images
        "jpg", "jpeg", "jpe", "png", "gif", "webp", "svg", "avif", "bmp", "ico", "tif", "tiff",
        "heic", "heif",
        # audio
        "mp3", "m4a", "ogg", "oga", "opus", "wav", "flac", "aac", "mid", "midi",
        # video
        "mp4", "m4v", "webm", "ogv", "mov", "avi", "mkv", "wmv", "flv", "3gp", "mpg", "mpeg",
        # documents and archives
        "pdf", "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "lzh", "epub", "rtf",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv",
    }
)  # fmt: skip

# Which attributes of which elements hold media URLs; <a href> only with a media extension.
_WATCHED: dict[str, tuple[str, ...]] = {
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "a": ("href",),
}
_SRCSET = "srcset"
# ASCII whitespace as HTML defines it (no vertical tab).
WHITESPACE = " \t\n\r\f"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Tag:
    """A start tag holding watched attributes: where it starts, as written, and the values
    html.parser decoded for its watched attributes (first occurrence of each name)."""

    name: str
    start: int
    raw: str
    values: tuple[tuple[str, str], ...]


class _TagFinder(HTMLParser):
    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        # getpos() counts lines by "\n" and columns from the last one.
        self._line_starts = [0]
        position = document.find("\n")
        while position >= 0:
            self._line_starts.append(position + 1)
            position = document.find("\n", position + 1)
        self.tags: list[_Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        watched = _WATCHED.get(tag)
        if watched is None:
            return
        values: dict[str, str] = {}
        seen: set[str] = set()
        for name, value in attrs:
            # A repeated attribute is ignored by browsers (tokenizer: "duplicate-attribute").
            if name in seen:
                continue
            seen.add(name)
            if name in watched and value is not None:
                values[name] = value
        if not values:
            return
        line, column = self.getpos()
        self.tags.append(
            _Tag(
                name=tag,
                start=self._line_starts[line - 1] + column,
                raw=self.get_starttag_text() or "",
                values=tuple(values.items()),
            )
        )


def _tags(document: str) -> list[_Tag]:
    finder = _TagFinder(document)
    finder.feed(document)
    finder.close()
    return finder.tags


def _base(site_urls: Sequence[str]) -> str | None:
    if not site_urls:
        return None
    base = site_urls[0].strip()
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # The site URL names the blog's root: "https://example.com/blog" + "a.jpg" is
    # https://example.com/blog/a.jpg, not https://example.com/a.jpg.
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _absolute(written: str, base: str | None) -> str | None:
    """The http(s) URL an attribute value names, without its fragment, or None."""
    reference = written.strip(WHITESPACE).partition("#")[0]
    if not reference:
        return None
    try:
        parts = urlsplit(reference)
        if not parts.scheme:
            if base is None:
                return None
            reference = urljoin(base, reference)
            parts = urlsplit(reference)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return reference


def _has_media_extension(url: str) -> bool:
    name = unquote(urlsplit(url).path).rpartition("/")[2]
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem and extension.lower() in MEDIA_EXTENSIONS)


def _srcset_spans(value: str) -> list[tuple[int, int]]:
    """Where each candidate's URL sits in a srcset value (HTML "parse a srcset attribute")."""
    spans: list[tuple[int, int]] = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position] in WHITESPACE or value[position] == ","):
            position += 1
        if position >= length:
            break
        start = position
        while position < length and value[position] not in WHITESPACE:
            position += 1
        end = position
        if value[end - 1] == ",":
            # Step 5: a URL ending in commas has no descriptors; the commas end the candidate.
            while end > start and value[end - 1] == ",":
                end -= 1
            if end > start:
                spans.append((start, end))
            continue
        spans.append((start, end))
        # The descriptors run to the next comma that is not inside parentheses.
        in_parens = False
        while position < length:
            character = value[position]
            position += 1
            if character == "(":
                in_parens = True
            elif character == ")":
                in_parens = False
            elif character == "," and not in_parens:
                break
    return spans


def _urls_in(attribute: str, value: str) -> list[tuple[int, int]]:
    """The spans of ``value`` that are URLs: every srcset candidate, or the whole value."""
    if attribute == _SRCSET:
        return _srcset_spans(value)
    return [(0, len(value))]


def media_urls(html: str, *, site_urls: Sequence[str] = ()) -> list[str]:
    """The absolute http(s) URLs of the media ``html`` references, in document order, once each.

    ``site_urls[0]``, when given, is the old blog's address, against which relative URLs are
    resolved; without it they are skipped.
    """
    base = _base(site_urls)
    found: dict[str, None] = {}
    for tag in _tags(html):
        for attribute, value in tag.values:
            for start, end in _urls_in(attribute, value):
                url = _absolute(value[start:end], base)
                if url is None:
                    continue
                if tag.name == "a" and not _has_media_extension(url):
                    continue
                found.setdefault(url)
    return list(found)


# --- rewriting ----------------------------------------------------------------------------


def _attribute_spans(raw: str) -> dict[str, tuple[int, int, str] | None]:
    """Each attribute of a start tag as written: where its value sits and its quote ("" when
    unquoted), or None when it has no value. First occurrence of a name only.

    Follows the tokenizer's attribute states (HTML §13.2.5.32-39): names end at whitespace,
    "/", ">" or "="; a quoted value runs to the same quote; an unquoted one to whitespace or ">".
    """
    spans: dict[str, tuple[int, int, str] | None] = {}
    length = len(raw)
    position = 1
    while position < length and raw[position] not in WHITESPACE and raw[position] not in "/>":
        position += 1
    while position < length:
        while position < length and (raw[position] in WHITESPACE or raw[position] == "/"):
            position += 1
        if position >= length or raw[position] == ">":
            break
        start = position
        position += 1  # the first character may be "=" (before-attribute-name state)
        while position < length and raw[position] not in WHITESPACE and raw[position] not in "/>=":
            position += 1
        name = raw[start:position].lower()
        while position < length and raw[position] in WHITESPACE:
            position += 1
        if position >= length or raw[position] != "=":
            spans.setdefault(name, None)
            continue
        position += 1
        while position < length and raw[position] in WHITESPACE:
            position += 1
        if position < length and raw[position] in "\"'":
            quote_mark = raw[position]
            end = raw.find(quote_mark, position + 1)
            end = length if end < 0 else end
            spans.setdefault(name, (position + 1, end, quote_mark))
            position = end + 1
        else:
            start = position
            while position < length and raw[position] not in WHITESPACE and raw[position] != ">":
                position += 1
            spans.setdefault(name, (start, position, ""))
    return spans


def _replacement(written: str, mapping: Mapping[str, str], base: str | None) -> str | None:
    """The new URL for one URL as written (its fragment kept), or None to leave it."""
    stripped = written.strip(WHITESPACE)
    reference, hash_mark, fragment = stripped.partition("#")
    absolute = _absolute(reference, base)
    for key in (absolute, reference):
        if key is not None and key in mapping:
            return mapping[key] + hash_mark + fragment
    # A key with the fragment names this very link: its replacement is taken whole.
    return mapping.get(stripped) if hash_mark else None


def _escape(text: str, quote_mark: str) -> str:
    text = text.replace("&", "&amp;")
    if quote_mark == '"':
        text = text.replace('"', "&quot;")
    elif quote_mark == "'":
        text = text.replace("'", "&#39;")
    return text


def _needs_quotes(text: str) -> bool:
    # HTML §13.2.5.38: an unquoted value cannot be empty or hold these.
    return not text or any(c in WHITESPACE or c in "\"'=<>`" for c in text)


def _rewritten_value(
    attribute: str,
    value: str,
    raw_value: str,
    quote_mark: str,
    mapping: Mapping[str, str],
    base: str | None,
) -> str | None:
    """The attribute value to write instead of ``raw_value`` (with any quotes it now needs),
    or None to leave it."""
    changes: list[tuple[int, int, str]] = []
    for start, end in _urls_in(attribute, value):
        new = _replacement(value[start:end], mapping, base)
        if new is not None and attribute == _SRCSET:
            # Whitespace would split the candidate; %20 is the same URL (RFC 3986 §2.1).
            new = "".join(quote(c) if c in WHITESPACE else c for c in new)
        if new is not None:
            changes.append((start, end, new))
    if not changes:
        return None
    new_value = value
    for start, end, new in reversed(changes):
        new_value = new_value[:start] + new + new_value[end:]
    mark = quote_mark or ('"' if _needs_quotes(new_value) else "")
    if attribute == _SRCSET and "&" not in raw_value and mark == quote_mark:
        # Without character references the value reads as written, offsets and all, so
        # only the URLs change and the descriptors and spacing stay as they were.
        text = raw_value
        for start, end, new in reversed(changes):
            text = text[:start] + _escape(new, mark) + text[end:]
        return text
    text = _escape(new_value, mark)
    return text if mark == quote_mark else f"{mark}{text}{mark}"


def rewrite_links(html: str, mapping: Mapping[str, str], *, site_urls: Sequence[str] = ()) -> str:
    """``html`` with every media URL found in ``mapping`` replaced by its new URL.

    Looks in the attributes ``media_urls`` reads (src, srcset candidates, poster, and href of
    <a>, whatever its extension); a relative URL is resolved against ``site_urls[0]`` as
    ``media_urls`` does before it is looked up. Everything else stays byte for byte.
    """
    if not mapping:
        return html
    base = _base(site_urls)
    edits: list[tuple[int, int, str]] = []
    for tag in _tags(html):
        if not html.startswith(tag.raw, tag.start):
            continue  # the parser's position and text disagree; leave the tag as written
        spans = _attribute_spans(tag.raw)
        for attribute, value in tag.values:
            span = spans.get(attribute)
            if span is None:
                continue
            start, end, quote_mark = span
            raw_value = tag.raw[start:end]
            if html_entities.unescape(raw_value) != value:
                continue  # read differently by the parser and by us; do not guess
            new = _rewritten_value(attribute, value, raw_value, quote_mark, mapping, base)
            if new is not None:
                edits.append((tag.start + start, tag.start + end, new))
    if not edits:
        return html
    pieces: list[str] = []
    done = 0
    for start, end, new in sorted(edits):
        pieces.append(html[done:start])
        pieces.append(new)
        done = end
    pieces.append(html[done:])
    return "".join(pieces)
