"""TrackBack auto-discovery: the ping URL a page advertises for itself.

Spec: "TrackBack Technical Specification" 1.2, "Auto-Discovery of TrackBack Ping URLs"
("TB" below), briefed in PROTOCOLS.md §1.6-1.7. Pingback and Webmention discovery live in
pingback.py and webmention.py, next to the rest of their protocol.

Deviations and choices, each on purpose:
- Pages are tag soup, and the RDF usually sits inside an HTML comment, so the page is not
  parsed as XML or HTML. Every `<rdf:Description ...>` start tag is found by a bounded
  scan that respects quoted attribute values, and its attributes are read with a regular
  expression, as Movable Type's discover_tb does. An enclosing `<rdf:RDF>` is not
  required. Tag and attribute names match case-insensitively.
- TB: when a page carries several blocks, the one whose `dc:identifier` is the URL we
  linked counts. We accept the URL as given or without its #fragment (as MT does), and
  nothing looser: MT's "last path segments match" could ping the wrong post of an index
  page.
- Attribute values have their character references decoded (our own block writes hyphen
  runs as `&#45;`, trackback.rdf_block). A relative ping URL is resolved against the page;
  one that is not then an absolute http(s) URL is ignored.
- Only the first 256 KiB are read (PROTOCOLS.md §5.4 Rec: discovery 256 KiB).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin

from yamabiko.discussion.protocols._urls import is_http_url, without_fragment

__all__ = ["MAX_DISCOVERY_BYTES", "discover_trackback"]

MAX_DISCOVERY_BYTES = 256 * 1024
# A start tag longer than this is not one of ours to read; the bound keeps the scan linear.
_MAX_TAG_LENGTH = 8 * 1024

_DESCRIPTION = re.compile(r"<rdf:description\b", re.IGNORECASE)
# Possessive, so a tag with no end fails at once instead of backtracking.
_TAG_INSIDE = re.compile(r"((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>")
_ATTRIBUTE = re.compile(r"([A-Za-z_][\w:.-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _start_tags(text: str) -> list[str]:
    """The insides of each `<rdf:Description ...>` start tag, up to its unquoted `>`.

    A tag ends before the next `<rdf:Description` at the latest, so the whole scan reads
    each character about once however many unterminated tags a page holds.
    """
    matches = list(_DESCRIPTION.finditer(text))
    limits = [following.start() for following in matches[1:]] + [len(text)]
    tags = []
    for match, limit in zip(matches, limits, strict=False):
        inside = _TAG_INSIDE.match(text, match.end(), min(limit, match.end() + _MAX_TAG_LENGTH))
        if inside is not None:
            tags.append(inside.group(1))
    return tags


def discover_trackback(
    *, url: str, body: bytes, max_bytes: int = MAX_DISCOVERY_BYTES
) -> str | None:
    """The `trackback:ping` of the RDF block describing `url` (TB), or None."""
    text = body[:max_bytes].decode("utf-8", errors="replace")
    wanted = {url, without_fragment(url)}
    for tag in _start_tags(text):
        attributes: dict[str, str] = {}
        for name, double, single in _ATTRIBUTE.findall(tag):
            attributes.setdefault(name.lower(), unescape(double or single).strip())
        if attributes.get("dc:identifier") not in wanted:
            continue
        ping = attributes.get("trackback:ping")
        if ping and is_http_url(resolved := urljoin(url, ping)):
            return resolved
    return None
