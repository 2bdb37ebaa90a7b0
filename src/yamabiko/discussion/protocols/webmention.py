"""Webmention: checking a request we receive, and finding a target's endpoint to send to.

Spec: W3C Webmention Recommendation (2017-01-12), https://www.w3.org/TR/webmention/ ("WM"
below), briefed in PROTOCOLS.md §3, with the webmention.rocks discovery tests 1-23
(§3.5, "ROCKS") and RFC 8288 "Web Linking" §3 for Link headers. Verifying the source page
is source.py.

Deviations and choices, each on purpose:
- validate_request answers with the error tokens of the ROCKS reference receiver
  (missing_source, invalid_source, missing_target, invalid_target) plus
  source_equals_target (the WordPress plugin's token). "Valid" means an absolute http(s)
  URL with a host, without user:pass@ (PROTOCOLS.md §5.1), at most 2,000 characters.
  Source and target are compared without their fragments (WM: the target's fragment
  SHOULD be ignored; a source's fragment names part of the same document).
- Whether the target is ours and open, and whether the source resolves to a public
  address, are the caller's checks: they need the database and the resolver.
- Link headers: a full RFC 8288 §3 parser (commas and semicolons inside <...> and quoted
  strings, several Link headers, several links per header). Relation types compare
  case-insensitively (RFC 8288 §2.1.1); only the first rel of a link counts (§3.3); the
  anchor parameter is not honoured. A malformed link is skipped up to the next comma.
- HTML is searched when the Content-Type is text/html, application/xhtml+xml or absent,
  with a real parser (BeautifulSoup's html.parser), so comments and escaped markup do not
  count (ROCKS 13, 14).
- Relative endpoints resolve against the final URL after redirects (ROCKS 23), which the
  caller passes as `url`; `<base href>` is not honoured, since WM says "relative to the
  target URL". An empty href is that URL without its fragment (ROCKS 15).
- A candidate that does not resolve to an absolute http(s) URL (mailto:, javascript:) is
  skipped and the search goes on. Refusing loopback and private endpoints (WM §4.3) is the
  fetcher's job (core/net.py), as for every outbound request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import urljoin

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.protocols._encoding import content_type_parts, decode_document
from yamabiko.discussion.protocols._text import attribute, parse_html
from yamabiko.discussion.protocols._urls import is_http_url, without_fragment

__all__ = [
    "WebmentionError",
    "discover_webmention",
    "link_header_endpoints",
    "parse_link_header",
    "validate_request",
]

_HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})
_OWS = " \t"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BARE_VALUE = re.compile(r"[^\s;,\"]*")
# HTML: URL attributes lose leading and trailing ASCII whitespace; the URL parser then drops
# tabs and newlines anywhere.
_ASCII_WHITESPACE = " \t\n\r\f"


class WebmentionError(InvalidInput):
    """The request was refused; `code` is the token for the 400 response body."""

    def __init__(self, code: str, message: str) -> None:
        # ROCKS answers with the token first; str(error) is ready to send as the body.
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --- receiving -----------------------------------------------------------------------------


def validate_request(source: str | None, target: str | None) -> tuple[str, str]:
    """The synchronous checks of WM "Request Verification", before anything is fetched."""
    source, target = (source or "").strip(), (target or "").strip()
    if not source:
        raise WebmentionError("missing_source", "The source parameter is required.")
    if not is_http_url(source):
        raise WebmentionError("invalid_source", "The source must be an absolute http(s) URL.")
    if not target:
        raise WebmentionError("missing_target", "The target parameter is required.")
    if not is_http_url(target):
        raise WebmentionError("invalid_target", "The target must be an absolute http(s) URL.")
    # WM: "The receiver MUST reject the request if the source URL is the same as the target URL."
    if without_fragment(source) == without_fragment(target):
        raise WebmentionError("source_equals_target", "The source and target are the same.")
    return source, target


# --- Link headers (RFC 8288 §3) ------------------------------------------------------------


def _skip(value: str, at: int, characters: str) -> int:
    while at < len(value) and value[at] in characters:
        at += 1
    return at


def _quoted_string(value: str, at: int) -> tuple[str, int]:
    """RFC 9110 §5.6.4 quoted-string starting at the opening quote; an unclosed one runs to
    the end."""
    out = []
    at += 1
    while at < len(value):
        character = value[at]
        if character == "\\" and at + 1 < len(value):
            out.append(value[at + 1])
            at += 2
        elif character == '"':
            return "".join(out), at + 1
        else:
            out.append(character)
            at += 1
    return "".join(out), at


def _next_link(value: str, at: int) -> int:
    """The position after the next comma that is outside <...> and quoted strings."""
    while at < len(value):
        character = value[at]
        if character == '"':
            at = _quoted_string(value, at)[1]
        elif character == "<":
            close = value.find(">", at)
            at = len(value) if close < 0 else close + 1
        elif character == ",":
            return at + 1
        else:
            at += 1
    return at


def _link_params(value: str, at: int) -> tuple[str | None, int]:
    """The first rel of a link's parameters, and where the link ends."""
    rel = None
    while True:
        at = _skip(value, at, _OWS)
        if at >= len(value) or value[at] == ",":
            return rel, at
        if value[at] != ";":
            return rel, _next_link(value, at)
        at = _skip(value, at + 1, _OWS)
        token = _TOKEN.match(value, at)
        name = token.group().lower() if token else ""
        at = _skip(value, token.end() if token else at, _OWS)
        param = None
        if at < len(value) and value[at] == "=":
            at = _skip(value, at + 1, _OWS)
            if at < len(value) and value[at] == '"':
                param, at = _quoted_string(value, at)
            else:
                bare = _BARE_VALUE.match(value, at)
                param, at = (bare.group(), bare.end()) if bare else ("", at)
        # RFC 8288 §3.3: rel "MUST NOT appear more than once"; later ones are ignored.
        if name == "rel" and rel is None and param is not None:
            rel = param


def parse_link_header(value: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(URI reference, lower-cased relation types) for each link-value of one Link header."""
    at = 0
    while True:
        at = _skip(value, at, _OWS + ",")
        if at >= len(value):
            return
        if value[at] != "<":
            at = _next_link(value, at)
            continue
        close = value.find(">", at)
        if close < 0:
            return
        reference = value[at + 1 : close].strip()
        rel, at = _link_params(value, close + 1)
        yield reference, tuple(rel.lower().split()) if rel else ()


def link_header_endpoints(headers: Sequence[tuple[str, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """Every link of every Link header, in order, as (URI reference, relation types)."""
    return [
        link
        for name, value in headers
        if name.lower() == "link"  # ROCKS 7: header names are case-insensitive
        for link in parse_link_header(value)
    ]


# --- discovery -----------------------------------------------------------------------------


def _resolve(url: str, reference: str) -> str | None:
    reference = reference.strip(_ASCII_WHITESPACE)
    reference = reference.replace("\t", "").replace("\n", "").replace("\r", "")
    # ROCKS 15: an empty href is the page itself.
    endpoint = without_fragment(url) if not reference else urljoin(url, reference)
    return endpoint if is_http_url(endpoint) else None


def discover_webmention(
    *,
    url: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    content_type: str | None,
) -> str | None:
    """The Webmention endpoint a fetched target advertises (WM "Sender discovers receiver
    Webmention endpoint"), absolute and with its query string kept, or None.

    `url` is the final URL after redirects; `headers` are the response's (name, value) pairs
    in order. For a HEAD response pass an empty body: only headers are then read.
    """
    # WM: the first HTTP Link header with rel=webmention wins (ROCKS 11, 18, 19).
    for reference, rels in link_header_endpoints(headers):
        if "webmention" in rels and (endpoint := _resolve(url, reference)) is not None:
            return endpoint
    media_type, params = content_type_parts(content_type)
    if media_type not in _HTML_TYPES or not body:
        return None
    soup = parse_html(decode_document(body, charset=params.get("charset"), html=True))
    # WM: then the first <link> or <a> in document order (ROCKS 16, 17).
    for element in soup.find_all(["link", "a"]):
        tokens = (attribute(element, "rel") or "").lower().split()
        if "webmention" not in tokens:  # ROCKS 12: a token, not a substring
            continue
        href = attribute(element, "href")
        if href is None:  # ROCKS 20
            continue
        if (endpoint := _resolve(url, href)) is not None:
            return endpoint
    return None
