"""Text and HTML helpers for everything Yamabiko syndicates: feeds, page metadata, JSON-LD.

Pure functions of strings. XML 1.0 §2.2 (Char) lists the characters a document may hold;
``xml_safe`` is the one helper that every feed writer runs every string through, so a
control character pasted into a comment, or a lone surrogate from a broken import, can never
make a feed ill-formed.
"""

from __future__ import annotations

import mimetypes
import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.utils.text import Truncator

from yamabiko.core.text import strip_tags

__all__ = [
    "absolutize_urls",
    "first_image_url",
    "image_type",
    "summary_text",
    "xml_safe",
]

# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
# Everything else (C0 controls but tab and newlines, lone surrogates, U+FFFE, U+FFFF) goes.
NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Stored HTML has been through nh3, whose serializer always double-quotes attribute values.
URL_ATTRIBUTE = re.compile(r'(?P<before>\s(?:href|src)=")(?P<url>[^"]*)(?P<after>")', re.IGNORECASE)
IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="(?P<url>[^"]+)"', re.IGNORECASE)
SUMMARY_CHARS = 300


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return NOT_XML_CHAR.sub("", text)


def absolutize_urls(html: str, base: str) -> str:
    """``html`` with every href and src resolved against ``base``.

    Feed readers resolve relative URLs against different bases (the feed, the site, nothing),
    so a feed carries absolute ones; ``#more`` becomes ``<base>#more``.
    """

    def resolve(match: re.Match[str]) -> str:
        url = match["url"].strip()
        if url.lower().startswith(("mailto:", "tel:")):
            return match[0]
        return f"{match['before']}{urljoin(base, url)}{match['after']}"

    return URL_ATTRIBUTE.sub(resolve, html)


def first_image_url(html: str, base: str) -> str:
    """The absolute URL of the first ``<img>`` in ``html``, or "" when there is none."""
    match = IMG_SRC.search(html)
    if match is None:
        return ""
    url = urljoin(base, unescape(match["url"]).strip())
    return url if urlsplit(url).scheme in {"http", "https"} else ""


def image_type(url: str) -> str:
    """The image MIME type its URL's extension names, or "" when it names none."""
    guessed, _ = mimetypes.guess_type(urlsplit(url).path, strict=False)
    return guessed if guessed and guessed.startswith("image/") else ""


def summary_text(excerpt: str, html: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The author's excerpt, or else the start of ``html`` as plain text, on one line."""
    text = excerpt.strip() or strip_tags(html)
    return Truncator(" ".join(text.split())).chars(limit)
