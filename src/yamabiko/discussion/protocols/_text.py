"""Plain text out of strangers' markup: controls stripped, whitespace collapsed, cropped."""

from __future__ import annotations

import re
from html import unescape

import nh3
from bs4 import BeautifulSoup, Tag

__all__ = [
    "ELLIPSIS",
    "attribute",
    "crop",
    "html_to_text",
    "one_line",
    "parse_html",
    "quiet_markup",
    "strip_controls",
]

ELLIPSIS = "\u2026"

# C0 and C1 controls other than tab, line feed and carriage return, DEL, and the two
# non-characters that XML and many terminals refuse.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")
_XML_PROCESSING_INSTRUCTION = re.compile(r"<\?xml[^>]*>", re.IGNORECASE)


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """Controls removed and every run of whitespace (line ends too) made one space."""
    return _WHITESPACE.sub(" ", strip_controls(text)).strip()


def crop(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text ends with an ellipsis, which counts."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment: tags dropped (script and style with their content), then
    character references decoded exactly once.

    Once, and after the tags are gone: "&lt;b&gt;" written by the sender is the text "<b>",
    which we keep as text and escape when we render, instead of turning it into a tag and
    losing it.
    """
    return unescape(nh3.clean(fragment, tags=set()))


def quiet_markup(text: str) -> str:
    """The page as bs4 and mf2py can parse it without their beginner warnings.

    Tests turn warnings into errors, and a source page may well start with an XML
    declaration (XMLParsedAsHTMLWarning) or be one line that looks like a URL or a file name
    (MarkupResemblesLocatorWarning). HTML reads `<?xml ...>` as a bogus comment, so dropping
    it changes nothing in the tree; nor does a trailing newline. warnings.catch_warnings
    would do instead, but it is not thread-safe before Python 3.14.
    """
    text = _XML_PROCESSING_INSTRUCTION.sub("", text)
    if "<" not in text and "\n" not in text:
        text += "\n"
    return text


def parse_html(text: str) -> BeautifulSoup:
    """Parse with the stdlib html.parser, as browsers would for our purposes."""
    return BeautifulSoup(quiet_markup(text), "html.parser")


def attribute(element: Tag, name: str) -> str | None:
    """An attribute as one string; bs4 splits rel and class into lists."""
    value = element.get(name)
    if value is None or isinstance(value, str):
        return value
    return " ".join(value)
