"""URL checks shared by the protocol modules (RFC 3986 syntax as urllib reads it)."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

__all__ = ["MAX_URL_LENGTH", "host_of", "is_http_url", "matches_target", "without_fragment"]

# Longer URLs are refused rather than cut: a cut URL is another URL. 2,000 is the figure
# most browsers and servers agree on.
MAX_URL_LENGTH = 2000

_BAD_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host, no user:pass@, no spaces or controls, a sane port."""
    if not url or len(url) > MAX_URL_LENGTH or _BAD_CHARACTERS.search(url):
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    # PROTOCOLS.md §5.1: userinfo is refused; it is how "http://ours@evil/" fools a reader.
    return (
        parts.scheme.lower() in {"http", "https"}
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and port_ok
    )


def without_fragment(url: str) -> str:
    return urldefrag(url).url


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def matches_target(candidate: str, target: str) -> bool:
    """The candidate is the target; when the target has no #fragment, a fragment on the
    candidate does not matter, since it names a part of the same document."""
    if candidate == target:
        return True
    return "#" not in target and without_fragment(candidate) == target
