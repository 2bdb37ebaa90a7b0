"""Markdown to safe HTML: markdown-it-py (CommonMark) renders, nh3 sanitizes.

Authors' Markdown is sanitized too: an author account is one stolen password away from
being an attacker's, and imported posts come from elsewhere.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

import nh3
from markdown_it import MarkdownIt

from yamabiko.core.csp import alignment_style

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
        attribute_filter=style_allowed,
    )


def style_allowed(tag: str, attribute: str, value: str) -> str | None:
    """Style attributes only in the few forms the Content-Security-Policy lets through."""
    return alignment_style(value) if attribute == "style" else value


def render_markdown(source: str) -> str:
    if not source.strip():
        return ""
    return sanitize_html(markdown_parser().render(source))


# How a stored body is written. Authors write Markdown; imports keep their HTML as it was
# written (WordPress and Movable Type's "convert line breaks" store HTML whose blank lines
# become paragraphs on display), so an export gives back exactly what came in.
MARKDOWN = "markdown"
HTML = "html"
HTML_PARAGRAPHS = "html_paragraphs"


def render_body(source: str, text_format: str) -> str:
    """An author's body (post, page) as safe HTML, in its stored format."""
    if not source.strip():
        return ""
    if text_format == HTML:
        return sanitize_html(source)
    if text_format == HTML_PARAGRAPHS:
        return sanitize_html(paragraphs_from_breaks(source))
    return render_markdown(source)


def render_comment_body(source: str, text_format: str) -> str:
    """A comment as safe HTML; imported comments keep their HTML, a reader's own is Markdown."""
    if text_format == MARKDOWN:
        return render_comment(source)
    html = paragraphs_from_breaks(source) if text_format == HTML_PARAGRAPHS else source
    return nh3.clean(
        html,
        tags=set(COMMENT_TAGS),
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


# Block-level elements: a blank line beside one of them does not open a paragraph, and no
# line break inside them becomes <br>.
_BLOCK = (
    "address|article|aside|blockquote|details|div|dl|dd|dt|figure|figcaption|footer|form|"
    "h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul"
)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK})\b", re.IGNORECASE)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.IGNORECASE | re.DOTALL)
_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs_from_breaks(source: str) -> str:
    """HTML in which blank lines separate paragraphs and single newlines are line breaks.

    What WordPress (wpautop) and Movable Type ("convert line breaks") do on display: a chunk
    that is plain text or inline markup becomes a <p> (its newlines <br>), a chunk holding a
    block element stays as written, and <pre> content is left alone.
    """
    out: list[str] = []
    for part in _PRE.split(source.replace("\r\n", "\n").replace("\r", "\n")):
        if _PRE.fullmatch(part):
            out.append(part)
            continue
        for chunk in _BLANK_LINES.split(part):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _BLOCK_TAG.search(chunk):
                out.append(chunk)
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment, for excerpts and meta descriptions."""
    return unescape(nh3.clean(html, tags=set())).strip()
