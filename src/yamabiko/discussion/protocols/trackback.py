"""TrackBack: the ping we receive, our answer, our discovery block, and the sender's side.

Spec: "TrackBack Technical Specification", Six Apart, version 1.2 (2004-08-01), briefed in
PROTOCOLS.md §1 ("TB" below). Discovery of someone else's ping URL is in discovery.py.

Deviations and choices, each on purpose:
- Charset (§1.4 Rec; TB: the client SHOULD name it): the Content-Type `charset` parameter,
  else a `charset` form field, else strict UTF-8, else windows-1252. Labels are WHATWG's
  (_encoding.py). UTF-7 and unknown labels are refused, and so are bytes that do not fit the
  charset the sender named (MT: "corrupt character data"). We split and percent-decode the
  raw body ourselves, so no framework default decides the charset.
- Only `application/x-www-form-urlencoded` (TB: the client MUST send it). A ping with no
  Content-Type at all is read as that form: old clients omit the header.
- A parameter name that is not ASCII is refused (MT). A repeated url, title, excerpt,
  blog_name or charset is refused: two readers could disagree on which one counts.
- `url` (TB: required) must be an absolute http(s) URL with a host and without user:pass@,
  at most 2,000 characters; a longer one is refused, not cut, since a cut URL is another URL.
- title, excerpt and blog_name: senders fill these with HTML, so tags are dropped and
  character references decoded exactly once (`_text.html_to_text`: "&lt;b&gt;" stays the
  text "<b>"); controls are stripped and whitespace collapsed to single spaces; then they are
  cropped (TB lets servers crop) to 250, 1,000 and 250 characters, a cut one ending in "…".
  WordPress crops the title at 250 too. Nothing is filled in when a field is empty (MT uses
  the excerpt's first words as a title): that is a display decision for the caller.
- Our error message is always XML-escaped (§1.3 Rec; WordPress does not escape it).
- The RDF discovery block writes every run of two or more hyphens in an attribute value as
  `&#45;` references, so the HTML comment around it never holds "--" (§1.6). WordPress does
  this for the title; we do it for every value, URLs included, so an XML reader gets every
  value back unchanged. A reader that does not decode references sees "&#45;" instead.
- Sender: we post UTF-8 and say so (§1.7 Rec). The answer is read with defusedxml; anything
  but a `<response>` whose `<error>` is 0 is a failure. Junk before `<response` (PHP
  warnings printed ahead of the XML) is skipped rather than failing a ping that worked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_to_bytes, urlencode
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.protocols._encoding import (
    Encoding,
    content_type_parts,
    is_utf7,
    lookup,
)
from yamabiko.discussion.protocols._text import crop, html_to_text, one_line, strip_controls
from yamabiko.discussion.protocols._urls import is_http_url

__all__ = [
    "PING_CONTENT_TYPE",
    "RESPONSE_CONTENT_TYPE",
    "TrackbackError",
    "TrackbackPing",
    "TrackbackResult",
    "parse_ping",
    "parse_response",
    "ping_body",
    "rdf_block",
    "response_xml",
]

FORM_TYPE = "application/x-www-form-urlencoded"
PING_CONTENT_TYPE = f"{FORM_TYPE}; charset=utf-8"
RESPONSE_CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_PING_BYTES = 64 * 1024
MAX_RESPONSE_BYTES = 64 * 1024
TITLE_LENGTH = 250
BLOG_NAME_LENGTH = 250
EXCERPT_LENGTH = 1000
MESSAGE_LENGTH = 500

_FIELDS = frozenset({"url", "title", "excerpt", "blog_name", "charset"})
_UTF8 = Encoding(name="UTF-8", codec="utf-8")
_WINDOWS_1252 = Encoding(name="windows-1252", codec="windows-1252")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HYPHEN_RUN = re.compile("-{2,}")
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class TrackbackError(InvalidInput):
    """The ping was refused; the message is fit to send back in `<message>`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackbackPing:
    url: str
    title: str
    excerpt: str
    blog_name: str
    charset: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackbackResult:
    ok: bool
    message: str


# --- receiving -----------------------------------------------------------------------------


def _form_fields(body: bytes) -> dict[str, bytes]:
    """The TB fields of a urlencoded body, as raw bytes (HTML: application/x-www-form-urlencoded
    parsing, minus the UTF-8 decoding, which waits until we know the charset)."""
    fields: dict[str, bytes] = {}
    for pair in body.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        if not name.isascii():
            raise TrackbackError("Invalid request: a parameter name is not ASCII.")
        key = name.decode("ascii")
        if key not in _FIELDS:
            continue
        if key in fields:
            raise TrackbackError(f"Invalid request: the parameter {key} is given twice.")
        fields[key] = unquote_to_bytes(raw_value.replace(b"+", b" "))
    return fields


def _encoding_for(label: str | None, fields: dict[str, bytes]) -> Encoding | None:
    """The charset the sender named (§1.4 Rec), or None when they named none."""
    if not label and "charset" in fields:
        raw = fields["charset"]
        if not raw.isascii():
            raise TrackbackError("Unknown charset.")
        label = raw.decode("ascii")
    if not label or not label.strip():
        return None
    if is_utf7(label):
        raise TrackbackError("UTF-7 is not accepted; please send UTF-8.")
    encoding = lookup(label)
    if encoding is None:
        raise TrackbackError(f"Unknown charset {crop(one_line(label), 40)!r}.")
    return encoding


def _decode_fields(fields: dict[str, bytes], encoding: Encoding) -> tuple[str, str, str, str]:
    try:
        url, title, excerpt, blog_name = (
            encoding.decode(fields.get(name, b""))
            for name in ("url", "title", "excerpt", "blog_name")
        )
    except UnicodeDecodeError as error:
        raise TrackbackError(f"The ping is not valid {encoding.name}.") from error
    return url, title, excerpt, blog_name


def parse_ping(
    body: bytes, content_type: str | None, *, max_bytes: int = MAX_PING_BYTES
) -> TrackbackPing:
    """Read a TB ping (TB "Sending a TrackBack Ping"); TrackbackError says why not."""
    if len(body) > max_bytes:
        raise TrackbackError("The ping is too large.")
    media_type, params = content_type_parts(content_type)
    if media_type and media_type != FORM_TYPE:
        raise TrackbackError(f"A TrackBack ping must be sent as {FORM_TYPE}.")
    fields = _form_fields(body)
    encoding = _encoding_for(params.get("charset"), fields)
    if encoding is None:
        try:
            raw = _decode_fields(fields, _UTF8)
            encoding = _UTF8
        except TrackbackError:
            raw = _decode_fields(fields, _WINDOWS_1252)
            encoding = _WINDOWS_1252
    else:
        raw = _decode_fields(fields, encoding)
    url, title, excerpt, blog_name = raw
    url = strip_controls(url).strip()
    # TB: "If the url parameter is not provided, the server MUST respond with an error".
    if not url:
        raise TrackbackError("The url parameter is required.")
    if not is_http_url(url):
        raise TrackbackError("The url parameter must be an absolute http or https URL.")
    return TrackbackPing(
        url=url,
        title=crop(one_line(html_to_text(title)), TITLE_LENGTH),
        excerpt=crop(one_line(html_to_text(excerpt)), EXCERPT_LENGTH),
        blog_name=crop(one_line(html_to_text(blog_name)), BLOG_NAME_LENGTH),
        charset=encoding.name,
    )


def _xml_text(text: str) -> str:
    text = _NOT_XML_CHAR.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def response_xml(error: str | None) -> bytes:
    """TB §"Response": `<error>0</error>` for None, else `<error>1</error>` and the message."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<response>\n']
    if error is None:
        parts.append("<error>0</error>\n")
    else:
        parts.append(f"<error>1</error>\n<message>{_xml_text(error)}</message>\n")
    parts.append("</response>\n")
    return "".join(parts).encode("utf-8")


# --- advertising ---------------------------------------------------------------------------


def _attribute(value: str) -> str:
    escaped = _xml_text(one_line(value)).replace('"', "&quot;")
    # HTML: a comment must not contain "--"; "&#45;" is a hyphen to any XML reader.
    return _HYPHEN_RUN.sub(lambda run: "&#45;" * len(run.group()), escaped)


def rdf_block(
    *,
    permalink: str,
    title: str,
    ping_url: str,
    description: str = "",
    creator: str = "",
    date: datetime | None = None,
) -> str:
    """The RDF that TB auto-discovery reads (§1.6), wrapped in an HTML comment."""
    attributes = [
        ("rdf:about", permalink),
        ("dc:identifier", permalink),
        ("dc:title", title),
        ("dc:description", description),
        ("dc:creator", creator),
        ("dc:date", date.isoformat(timespec="seconds") if date is not None else ""),
        ("trackback:ping", ping_url),
    ]
    lines = "".join(
        f'\n    {name}="{_attribute(value)}"'
        for name, value in attributes
        if value or name in {"rdf:about", "dc:identifier", "dc:title", "trackback:ping"}
    )
    return (
        "<!--\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">\n'
        f"<rdf:Description{lines} />\n"
        "</rdf:RDF>\n"
        "-->"
    )


# --- sending -------------------------------------------------------------------------------


def ping_body(*, url: str, title: str, excerpt: str, blog_name: str) -> bytes:
    """The POST body of a ping, UTF-8 and urlencoded; send it with PING_CONTENT_TYPE."""
    fields = [("url", url), ("title", title), ("excerpt", excerpt), ("blog_name", blog_name)]
    return urlencode(fields, encoding="utf-8").encode("ascii")


def _failure(message: str) -> TrackbackResult:
    return TrackbackResult(ok=False, message=message)


def parse_response(body: bytes, *, max_bytes: int = MAX_RESPONSE_BYTES) -> TrackbackResult:
    """What the server answered (TB §"Response"); anything unreadable is a failure."""
    if len(body) > max_bytes:
        return _failure("the response is too large")
    if _DECLARATION.search(body):
        return _failure("the response declares a document type")
    candidates = [body.lstrip(b"\xef\xbb\xbf \t\r\n")]
    if (start := body.find(b"<response")) > 0:
        candidates.append(body[start:])
    for candidate in candidates:
        try:
            root = fromstring(candidate, forbid_dtd=True)
        except (ParseError, DefusedXmlException, ValueError, LookupError):
            continue
        if root.tag != "response":
            return _failure("the response is not a TrackBack <response>")
        error = (root.findtext("error") or "").strip()
        message = crop(one_line(root.findtext("message") or ""), MESSAGE_LENGTH)
        if not error:
            return _failure(message or "the response has no <error>")
        return TrackbackResult(ok=error == "0", message=message)
    return _failure("the response is not XML")
