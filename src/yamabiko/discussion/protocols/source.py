"""Checking a fetched source page: does it link to our post, and what should we show?

Used for Webmention, Pingback and TrackBack alike (PROTOCOLS.md §1.5 Rec: TrackBack is
verified by the Webmention rules). Spec: W3C Webmention, "Webmention Verification" and
§4 "Security Considerations" ("WM" below), briefed in PROTOCOLS.md §3.4; microformats2
parsing by mf2py (https://microformats.org/wiki/microformats2-parsing).

Rules and choices:
- HTML (WM: "a href, img src, video src, and similar"): an `a[href]`, `link[href]`, `img[src]`,
  `video[src]`, `audio[src]` or `source[src]` whose value is exactly the target, either as
  written or resolved against the page (its `<base href>` first, then `source_url`, as a
  browser would). A real parser reads the page, so links inside comments or escaped text do
  not count. WM asks for an exact match; our one leniency: when the target has no #fragment,
  a link to the target plus a fragment counts, since it is the same document. A target
  with a fragment needs that fragment.
- JSON (WM: "property values exactly equal"): any string value anywhere equal to the target.
  Plain text and other `text/*` (WM: "a substring match"): the target appears in the text.
- Decoding: BOM, the charset passed in (from HTTP), `<meta charset>` for HTML, UTF-8,
  windows-1252 (_encoding.decode_document). JSON is UTF-8 (RFC 8259 §8.1).
- The primary h-entry is, among the page's top-level h-entries and those of its top-level
  h-feeds, the first that references the target (a reply/like/repost/bookmark property, else
  a link in its content), else the first. `mention_type` follows webmention.rocks
  (lib/Rocks/Response.php getMentionType): like-of, repost-of, bookmark-of, then in-reply-to,
  counted only when the property's value (a URL, or an h-cite's url) is the target.
- Author: the entry's `author` (an h-card, or a bare name or URL), else its h-feed's. The
  full authorship algorithm (rel=author, fetching the author page) needs the network, so it
  is the caller's, if anyone's.
- Title: the entry's name when it is a real one (differs from its content; mf2 implies a
  name from all the text otherwise), else the HTML `<title>`. Published: the entry's
  `published`, read as UTC when it names no offset.
- Excerpt: the text around the link in its nearest block (about 100 characters a side, as
  WordPress does for pingbacks), whitespace collapsed, at most 255 characters with "…" where
  cut; without a link, the start of the entry's summary or content.
- Everything is plain text except `content`, the entry's content as HTML run through
  core.text.sanitize_html, cut at about 5,000 characters (WM §4: published data MUST be
  filtered against XSS). Callers still escape the text fields when they render.
- `is_gone_meta`: `<meta http-equiv="Status" content="410 ...">`, which webmention.rocks
  accepts in place of a real 410 (controllers/Webmention.php _getMetaHTTPStatus).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import mf2py
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from yamabiko.core.text import sanitize_html
from yamabiko.discussion.protocols._encoding import content_type_parts, decode_document
from yamabiko.discussion.protocols._mf2 import (
    MentionType,
    author_of,
    content_of,
    first_text,
    primary_entry,
    published_of,
    response_type,
    values_of,
)
from yamabiko.discussion.protocols._text import (
    ELLIPSIS,
    attribute,
    crop,
    one_line,
    parse_html,
    quiet_markup,
    strip_controls,
)
from yamabiko.discussion.protocols._urls import matches_target

__all__ = ["MentionType", "SourceReport", "context_excerpt", "inspect_source"]

TITLE_LENGTH = 250
NAME_LENGTH = 250
EXCERPT_LENGTH = 255
LINK_TEXT_LENGTH = 100
CONTENT_LENGTH = 5000

_LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "img": "src",
    "video": "src",
    "audio": "src",
    "source": "src",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details",
        "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
        "td", "th", "tr", "ul",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceReport:
    links_to_target: bool = False
    title: str = ""
    excerpt: str = ""
    author_name: str = ""
    author_url: str = ""
    author_photo: str = ""
    content: str = ""
    mention_type: MentionType = MentionType.MENTION
    published: datetime | None = None
    is_gone_meta: bool = False


def inspect_source(
    *,
    source_url: str,
    target_url: str,
    body: bytes,
    content_type: str | None,
    charset: str | None,
) -> SourceReport:
    """What a fetched source says about the target; see the module docstring for the rules."""
    media_type, params = content_type_parts(content_type)
    charset = charset or params.get("charset")
    if media_type in _HTML_TYPES or (not media_type and body.lstrip()[:1] == b"<"):
        return _inspect_html(
            source_url, target_url, decode_document(body, charset=charset, html=True)
        )
    if media_type == "application/json" or media_type.endswith("+json"):
        return _inspect_json(target_url, body)
    if media_type.startswith("text/") or not media_type:
        return _inspect_text(target_url, decode_document(body, charset=charset, html=False))
    return SourceReport()


# --- matching ------------------------------------------------------------------------------


def _links_to(value: str, target: str, base: str) -> bool:
    # HTML strips ASCII whitespace around URL attributes before using them.
    value = value.strip(" \t\n\r\f")
    return matches_target(value, target) or matches_target(urljoin(base, value), target)


# --- excerpts ------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    """Whitespace runs made one space, keeping a space at either edge if there was one."""
    return _WHITESPACE.sub(" ", strip_controls(text))


def _cut_start(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    if budget <= 1:
        return ELLIPSIS
    kept = text[len(text) - budget + 1 :]
    # Drop a word cut in half, when the text has spaces at all (Japanese has none).
    space = kept.find(" ", 0, 20)
    return ELLIPSIS + (kept[space:] if space >= 0 else kept)


def _cut_end(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    if budget <= 1:
        return ELLIPSIS
    kept = text[: budget - 1]
    space = kept.rfind(" ", max(0, len(kept) - 20))
    return (kept[:space] if space >= 0 else kept) + ELLIPSIS


def context_excerpt(before: str, inside: str, after: str, *, limit: int = EXCERPT_LENGTH) -> str:
    """The link text with as much text either side as fits in `limit` characters."""
    before, after = _collapse(before), _collapse(after)
    inside = _collapse(inside)
    core = crop(inside.strip(), LINK_TEXT_LENGTH)
    inside = (" " if inside.startswith(" ") else "") + core + (" " if inside.endswith(" ") else "")
    whole = _collapse(before + inside + after).strip()
    if len(whole) <= limit:
        return whole
    budget = max(limit - len(inside), 2)
    left, right = budget // 2, budget - budget // 2
    # A short side gives the other side what it does not use.
    if len(before) < left:
        left, right = len(before), right + left - len(before)
    elif len(after) < right:
        left, right = left + right - len(after), len(after)
    text = _cut_start(before, left) + inside + _cut_end(after, right)
    return _collapse(text).strip()


def _html_context(element: Tag) -> str:
    block = next((parent for parent in element.parents if parent.name in _BLOCK_TAGS), None)
    if block is None:
        block = element.parent if element.parent is not None else element
    inside_nodes = {id(node) for node in element.descendants}
    parts: dict[str, list[str]] = {"before": [], "inside": [], "after": []}
    bucket = "before"
    for node in block.descendants:
        if node is element:
            bucket = "inside"
            continue
        if bucket == "inside" and id(node) not in inside_nodes:
            bucket = "after"
        if isinstance(node, Tag):
            if node.name in _BLOCK_TAGS or node.name == "br":
                parts[bucket].append(" ")
        # Only plain strings: not comments, doctypes, nor script, style or template text,
        # which bs4 gives their own NavigableString subclasses.
        elif type(node) is NavigableString:
            parts[bucket].append(str(node))
    if element.name == "img" and not parts["inside"]:
        parts["inside"].append(attribute(element, "alt") or "")
    return context_excerpt(
        "".join(parts["before"]), "".join(parts["inside"]), "".join(parts["after"])
    )


def _capped_html(html: str) -> str:
    if len(html) <= CONTENT_LENGTH:
        return sanitize_html(html)
    # Cut first: the sanitizer then closes open tags and drops a tag cut in half.
    return sanitize_html(html[:CONTENT_LENGTH]) + ELLIPSIS


# --- per media type ------------------------------------------------------------------------


def _base_url(soup: BeautifulSoup, source_url: str) -> str:
    base = soup.find("base", href=True)
    href = attribute(base, "href") if isinstance(base, Tag) else None
    return urljoin(source_url, href.strip()) if href else source_url


def _is_gone(soup: BeautifulSoup) -> bool:
    for meta in soup.find_all("meta"):
        if (attribute(meta, "http-equiv") or "").strip().lower() == "status":
            return (attribute(meta, "content") or "").strip().startswith("410")
    return False


def _inspect_html(source_url: str, target: str, text: str) -> SourceReport:
    text = quiet_markup(text)
    soup = parse_html(text)
    base = _base_url(soup, source_url)
    link = None
    for element in soup.find_all(list(_LINK_ATTRIBUTES)):
        value = attribute(element, _LINK_ATTRIBUTES[element.name])
        if value is not None and _links_to(value, target, base):
            link = element
            break
    title_tag = soup.find("title")
    page_title = crop(one_line(title_tag.get_text()), TITLE_LENGTH) if title_tag else ""
    excerpt = _html_context(link) if link is not None else ""
    # mf2py given a document never touches the network; it fetches only when given none.
    parsed: object = mf2py.parse(doc=text, url=source_url) if "<" in text else {}
    primary = primary_entry(parsed.get("items") if isinstance(parsed, dict) else None, target)
    if primary is None:
        return SourceReport(
            links_to_target=link is not None,
            title=page_title,
            excerpt=excerpt,
            is_gone_meta=_is_gone(soup),
        )
    entry, feed = primary
    html, content_text = content_of(entry)
    content_line = one_line(content_text)
    name = crop(one_line(first_text(values_of(entry, "name"))), TITLE_LENGTH)
    # mf2 implies a name from all of an entry's text: a name that is the start of the content,
    # or of an entry without content, is no title.
    is_real_name = bool(name) and bool(content_line) and not content_line.startswith(name)
    title = name if is_real_name or (name and not page_title) else page_title
    if not excerpt:
        summary = one_line(first_text(values_of(entry, "summary"))) or content_line
        excerpt = crop(summary, EXCERPT_LENGTH)
    author_name, author_url, author_photo = author_of(entry, feed)
    return SourceReport(
        links_to_target=link is not None,
        title=title,
        excerpt=excerpt,
        author_name=crop(one_line(author_name), NAME_LENGTH),
        author_url=author_url,
        author_photo=author_photo,
        content=_capped_html(html) if html.strip() else "",
        mention_type=response_type(entry, target) or MentionType.MENTION,
        published=published_of(entry),
        is_gone_meta=_is_gone(soup),
    )


def _inspect_json(target: str, body: bytes) -> SourceReport:
    try:
        data: object = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return SourceReport()
    found = False
    stack = [data]
    while stack and not found:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            found = isinstance(value, str) and value == target
    title = ""
    if isinstance(data, dict):
        title = next((data[key] for key in ("name", "title") if isinstance(data.get(key), str)), "")
    return SourceReport(links_to_target=found, title=crop(one_line(str(title)), TITLE_LENGTH))


def _inspect_text(target: str, text: str) -> SourceReport:
    at = text.find(target)
    if at < 0:
        return SourceReport()
    excerpt = context_excerpt(text[:at], target, text[at + len(target) :])
    return SourceReport(links_to_target=True, excerpt=excerpt)
