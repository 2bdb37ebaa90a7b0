"""Markdown rendering and sanitizing, without a database."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from yamabiko.core.text import (
    paragraphs_from_breaks,
    render_body,
    render_comment,
    render_comment_body,
    render_markdown,
    sanitize_html,
    strip_tags,
)


def test_commonmark_with_tables_and_strikethrough() -> None:
    html = render_markdown("# Title\n\n*a* **b** ~~c~~\n\n|x|y|\n|-|-|\n|1|2|\n")
    page = BeautifulSoup(html, "html.parser")

    assert page.h1.get_text() == "Title"
    assert page.em.get_text() == "a"
    assert page.s.get_text() == "c"
    assert [td.get_text() for td in page.select("td")] == ["1", "2"]


def test_fenced_code_is_escaped_not_executed() -> None:
    html = render_markdown("```html\n<script>x()</script>\n```")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_dangerous_markup_is_removed(source: str) -> None:
    page = BeautifulSoup(render_markdown(source), "html.parser")

    assert page.find(["script", "iframe", "svg", "style"]) is None
    for element in page.find_all(True):
        assert not any(name.startswith("on") or name == "style" for name in element.attrs)
        for attr in ("href", "src"):
            assert not element.get(attr, "").lower().startswith("javascript")


def test_links_keep_their_target_and_get_noopener() -> None:
    page = BeautifulSoup(render_markdown("[x](https://example.org/a?b=1)"), "html.parser")

    assert page.a["href"] == "https://example.org/a?b=1"
    assert page.a["rel"] == ["noopener"]


def test_japanese_text_passes_through() -> None:
    assert (
        BeautifulSoup(render_markdown("山彦が**返る**"), "html.parser").strong.get_text() == "返る"
    )


def test_empty_source_renders_nothing() -> None:
    assert render_markdown("  \n ") == ""


def test_strip_tags_gives_plain_text() -> None:
    assert strip_tags("<p>Fish &amp; <b>chips</b></p>") == "Fish & chips"


def test_sanitize_keeps_ruby_annotations() -> None:
    html = sanitize_html("<ruby>山彦<rt>やまびこ</rt></ruby>")
    assert BeautifulSoup(html, "html.parser").rt.get_text() == "やまびこ"


def test_table_alignment_survives_but_no_other_style() -> None:
    html = render_markdown("|n|\n|--:|\n|1|\n")
    cell = BeautifulSoup(html, "html.parser").td

    assert cell["style"].replace(" ", "") == "text-align:right"
    assert "position" not in sanitize_html('<td style="position:fixed;text-align:left">x</td>')


def test_comment_subset_keeps_emphasis_links_and_code_only() -> None:
    source = "Hi *there* `x()` <https://a.example>\n\n# not a heading\n\n<b>raw</b>"
    page = BeautifulSoup(render_comment(source), "html.parser")

    assert page.em.get_text() == "there"
    assert page.code.get_text() == "x()"
    assert page.a["href"] == "https://a.example"
    assert page.a["rel"] == ["nofollow", "ugc", "noopener"]
    assert page.find(["h1", "b"]) is None
    assert "<b>raw</b>" in page.get_text()


def test_comment_javascript_links_are_not_links() -> None:
    page = BeautifulSoup(render_comment("[x](javascript:alert(1))"), "html.parser")
    assert all("javascript" not in a.get("href", "") for a in page.find_all("a"))


# --- imported HTML ---------------------------------------------------------------------------


def test_blank_lines_make_paragraphs_and_single_newlines_breaks() -> None:
    html = paragraphs_from_breaks("One\nline two\r\n\r\nThree <em>em</em>")
    assert html == "<p>One<br>\nline two</p>\n<p>Three <em>em</em></p>"


def test_block_elements_and_preformatted_text_stay_as_written() -> None:
    source = "<ul>\n<li>a</li>\n</ul>\n\n<pre>keep\n\nthis</pre>\n\ntext"
    html = paragraphs_from_breaks(source)
    assert html == "<ul>\n<li>a</li>\n</ul>\n<pre>keep\n\nthis</pre>\n<p>text</p>"


@pytest.mark.parametrize(
    ("text_format", "expected"),
    [
        ("markdown", "<p><em>hi</em></p>"),
        ("html", "*hi*"),
        ("html_paragraphs", "<p>*hi*</p>"),
    ],
)
def test_a_body_renders_in_its_format(text_format: str, expected: str) -> None:
    assert render_body("*hi*", text_format).strip() == expected


def test_imported_html_is_sanitized_in_every_format() -> None:
    for text_format in ("html", "html_paragraphs"):
        html = render_body('<p onclick="x()">a<script>alert(1)</script></p>', text_format)
        assert "script" not in html
        assert "onclick" not in html


def test_an_imported_comment_keeps_its_html_within_the_comment_tags() -> None:
    html = render_comment_body("<strong>bold</strong>\n\n<h1>big</h1><a href='http://x.example'>x</a>",
                               "html_paragraphs")  # fmt: skip
    assert "<strong>bold</strong>" in html
    assert "<h1>" not in html
    assert 'rel="nofollow ugc noopener"' in html
    assert (
        render_comment_body("<strong>b</strong>", "markdown")
        == "<p>&lt;strong&gt;b&lt;/strong&gt;</p>\n"
    )
