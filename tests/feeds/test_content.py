"""The pure text helpers: XML-legal text, absolute URLs, the first image, summaries."""

from __future__ import annotations

from io import BytesIO
from xml.sax.xmlreader import AttributesImpl

import pytest
from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from yamabiko.feeds.content import (
    absolutize_urls,
    first_image_url,
    image_type,
    summary_text,
    xml_safe,
)
from yamabiko.feeds.writers import CleanXMLGenerator

BASE = "https://blog.example.org/2025/03/spring/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("tab\tnew\nline\rreturn", "tab\tnew\nline\rreturn"),
        ("nul\x00bell\x07vt\x0bff\x0cesc\x1b", "nulbellvtffesc"),
        ("lone \ud800 and \udfff surrogates", "lone  and  surrogates"),
        ("non-characters \ufffe\uffff", "non-characters "),
        ("kept: \x7f \x85 \ud7ff \ue000 \ufffd 😀", "kept: \x7f \x85 \ud7ff \ue000 \ufffd 😀"),
        ("山彦", "山彦"),
    ],
)
def test_xml_safe_drops_exactly_what_xml_1_0_forbids(text: str, expected: str) -> None:
    assert xml_safe(text) == expected


@given(st.text())
def test_xml_safe_text_always_survives_an_xml_writer(text: str) -> None:
    out = BytesIO()
    writer = CleanXMLGenerator(out, "utf-8")
    writer.startDocument()
    writer.startElement("t", AttributesImpl({"a": text}))
    writer.characters(text)
    writer.endElement("t")
    writer.endDocument()

    element = ElementTree.fromstring(out.getvalue())
    # XML parsers normalise CR and CRLF to LF (XML 1.0 §2.11) and attribute whitespace.
    assert element.text in {xml_safe(text).replace("\r\n", "\n").replace("\r", "\n"), None}


def test_relative_links_and_images_become_absolute() -> None:
    html = (
        '<p><a href="/2024/01/old/">old</a> <a href="#more">more</a> '
        '<a href="https://elsewhere.example/x?a=1&amp;b=2">x</a> '
        '<a href="mailto:me@example.org">mail</a> <img src="/media/pic.jpg" alt=""></p>'
    )

    result = absolutize_urls(html, BASE)

    assert 'href="https://blog.example.org/2024/01/old/"' in result
    assert f'href="{BASE}#more"' in result
    assert 'href="https://elsewhere.example/x?a=1&amp;b=2"' in result
    assert 'href="mailto:me@example.org"' in result
    assert 'src="https://blog.example.org/media/pic.jpg"' in result


def test_first_image_is_absolute_and_typed_by_its_extension() -> None:
    html = '<p>text</p><img alt="a" src="/media/first.PNG"><img src="/media/second.jpg">'

    url = first_image_url(html, BASE)

    assert url == "https://blog.example.org/media/first.PNG"
    assert image_type(url) == "image/png"
    assert image_type("https://x.example/a.jpeg?size=2") == "image/jpeg"
    assert image_type("https://x.example/a.webp") == "image/webp"
    assert image_type("https://x.example/photo?id=3") == ""
    assert image_type("https://x.example/file.pdf") == ""


def test_no_image_or_a_non_web_image_gives_nothing() -> None:
    assert first_image_url("<p>no picture</p>", BASE) == ""
    assert first_image_url('<img src="data:image/png;base64,AAAA">', BASE) == ""


def test_summary_prefers_the_excerpt_and_otherwise_starts_the_body() -> None:
    assert summary_text("  Hand written.  ", "<p>Body</p>") == "Hand written."
    assert summary_text("", "<p>One &amp; <em>two</em></p>\n<p>three</p>") == "One & two three"
    long = summary_text("", "<p>" + "word " * 200 + "</p>", limit=50)
    assert len(long) <= 50
    assert long.endswith("…")
