"""Links in submitted text, as the link-count rule, the domain rule and the tokenizer see them.

Comments are CommonMark with raw HTML allowed (core/text.py) and no linkify, so a link is an
http(s) URL written out (also inside `<…>` autolinks), a Markdown `[text](target)` or
`![alt](target)`, or an HTML `<a href>`. A bare `www.host` is not rendered as a link, so it
does not count as one, but its host still counts as mentioned for blocked domains.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

# CJK punctuation (、。「」) and full-width brackets end a URL: Japanese text puts them
# straight after one without a space.
_URL_CHARS = r"[^\s<>\"'`\u3000-\u303f\uff08\uff09\uff0c\uff01\uff1f\uff1b\uff1a]"
_URL = re.compile(rf"https?://{_URL_CHARS}+", re.IGNORECASE)
_WWW_HOST = re.compile(r"(?<![\w.@/-])www\.[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# The character classes stop at the next bracket or tag, so a text made of nothing but
# "[a](" or "<a href" is scanned once rather than once per opening: comments come from
# strangers, who could otherwise spend seconds of CPU per comment.
_MARKDOWN_LINK = re.compile(
    r"!?\[[^\[\]\n]*\]\(\s*<?((?:[^\s()<>\[\]]|\([^\s()<>\[\]]*\))*)>?"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
_HTML_ANCHOR = re.compile(
    r"<a\b[^<>]*?\bhref\s*=\s*(?:\"([^\"<>]*)\"|'([^'<>]*)'|([^\s\"'<>]+))[^<>]*>",
    re.IGNORECASE,
)
_HTML_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?*'\""


def _trim(url: str) -> str:
    """Drop sentence punctuation after a URL, and a ")" that closes a surrounding bracket."""
    url = url.rstrip(_TRAILING_PUNCTUATION)
    unmatched = url.count(")") - url.count("(")
    while unmatched > 0 and url.endswith(")"):
        url = url[:-1].rstrip(_TRAILING_PUNCTUATION)
        unmatched -= 1
    return url


def host_of(url: str) -> str | None:
    """The host of an absolute or scheme-relative URL, or of a bare "www." address."""
    if url[:4].lower() == "www.":
        url = f"//{url}"
    try:
        host = urlsplit(url).hostname
    except ValueError:  # an unbalanced "[" in what looked like an IPv6 host
        return None
    if not host:
        return None
    return host.rstrip(".") or None


def domain_key(host: str) -> str:
    """One spelling per domain, so "例え.jp", "XN--R8JZ45G.jp" and "例え.ＪＰ" compare equal."""
    host = unicodedata.normalize("NFKC", host).casefold().strip().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDN label; compare it as written
        return host


def iter_url_hosts(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, host) of each written-out http(s) URL and bare "www." host, in order."""
    urls = [(m.start(), m.start() + len(_trim(m.group()))) for m in _URL.finditer(text)]
    bare = [
        (m.start(), m.end())
        for m in _WWW_HOST.finditer(text)
        if not any(start <= m.start() < end for start, end in urls)
    ]
    for start, end in sorted(urls + bare):
        yield start, end, host_of(text[start:end])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_links(text: str) -> list[str]:
    """The target of every link in `text`, one entry per link, in no particular order.

    An anchor whose text repeats its target (`<a href="http://x">http://x</a>`,
    `[http://x](http://x)`) is one link, not two.
    """
    targets: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _MARKDOWN_LINK.finditer(text):
        targets.append(match.group(1))
        spans.append(match.span())
    anchors = list(_HTML_ANCHOR.finditer(text))
    closings = [m.end() for m in _HTML_ANCHOR_END.finditer(text)]
    for index, match in enumerate(anchors):
        targets.append(next((group for group in match.groups("") if group), ""))
        # The anchor's text belongs to it up to its "</a>", unless another <a> opens first.
        next_open = anchors[index + 1].start() if index + 1 < len(anchors) else len(text)
        position = bisect.bisect_left(closings, match.end())
        end = match.end()
        if position < len(closings) and closings[position] <= next_open:
            end = closings[position]
        spans.append((match.start(), end))
    spans = _merged(spans)
    starts = [start for start, _ in spans]
    for match in _URL.finditer(text):
        position = bisect.bisect_right(starts, match.start()) - 1
        if position >= 0 and match.start() < spans[position][1]:
            continue
        targets.append(_trim(match.group()))
    return targets


def mentioned_hosts(text: str) -> set[str]:
    """Hosts of every link target, written-out URL and bare "www." address in `text`."""
    hosts = {host for _, _, host in iter_url_hosts(text) if host}
    hosts.update(host for target in find_links(text) if (host := host_of(target)))
    return hosts
