"""Markdown to safe HTML: markdown-it-py (CommonMark) renders, nh3 sanitizes.

Authors' Markdown is sanitized too: an author account is one stolen password away from
being an attacker's, and imported posts come from elsewhere.
"""

from __future__ import annotations

from functools import cache
from html import unescape

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "details", "dfn",
        "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt",
        "ruby", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "class", "id"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    # markdown-it writes table column alignment as style="text-align:…"; only that survives.
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


@cache
def markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


COMMENT_TAGS = frozenset({"p", "a", "em", "strong", "code", "pre", "br"})


@cache
def comment_parser() -> MarkdownIt:
    """Readers get a small subset: paragraphs, links, emphasis, code. Their HTML is text."""
    return MarkdownIt("zero", {"html": False}).enable(
        ["emphasis", "link", "backticks", "escape", "entity", "newline", "fence", "autolink"]
    )


def render_comment(source: str) -> str:
    """A reader's comment as safe HTML; their links carry nofollow and ugc."""
    return nh3.clean(
        comment_parser().render(source),
        tags=set(COMMENT_TAGS),
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def sanitize_html(html: str) -> str:
    """Keep structure and links; drop scripts, event handlers and javascript: URLs."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        filter_style_properties={"text-align"},
    )


def render_markdown(source: str) -> str:
    if not source.strip():
        return ""
    return sanitize_html(markdown_parser().render(source))


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment, for excerpts and meta descriptions."""
    return unescape(nh3.clean(html, tags=set())).strip()
