"""Snippets and highlights: matches marked in the original text, everything else escaped."""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from yamabiko.search.query import parse
from yamabiko.search.snippets import highlight, snippet


def marks(html: str) -> list[str]:
    return [mark.get_text() for mark in BeautifulSoup(html, "html.parser").find_all("mark")]


def test_highlight_marks_whole_words_in_their_original_form():
    html = highlight("Café culture, not cafeteria", parse("cafe").terms)
    assert html == "<mark>Café</mark> culture, not cafeteria"


def test_highlight_escapes_everything_else():
    html = highlight("<script>alert(1)</script> echo & more", parse("echo").terms)
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>echo</mark> &amp; more"


def test_cjk_matches_are_found_inside_runs():
    html = highlight("昨日、北朝鮮の非核化について", parse("北朝鮮 非核").terms)
    assert marks(html) == ["北朝鮮", "非核"]


def test_width_folded_matches_map_back_to_the_original_characters():
    html = highlight("ＡＢＣ and abc", parse("abc").terms)
    assert marks(html) == ["ＡＢＣ", "abc"]


def test_prefix_terms_mark_the_whole_word():
    assert marks(highlight("Misosoup and miso", parse("mis", prefix_last=True).terms)) == [
        "Misosoup",
        "miso",
    ]


def test_snippet_is_cut_around_the_first_match():
    text = "Filler words here. " * 30 + "The lantern glowed. " + "More filler. " * 30
    html = snippet(text, parse("lantern").terms)
    assert html.startswith("…")
    assert html.endswith("…")
    assert marks(html) == ["lantern"]
    assert len(BeautifulSoup(html, "html.parser").get_text()) <= 170


def test_snippet_without_a_match_is_the_start():
    html = snippet("First words. " + "x " * 200, parse("absent").terms)
    assert html.startswith("First words.")


def test_snippet_of_cjk_text_without_spaces_is_cut_anywhere():
    text = "あ" * 300 + "山びこ" + "い" * 300
    html = snippet(text, parse("山びこ").terms)
    assert marks(html) == ["山びこ"]
    assert html.startswith("…あ")


@settings(database=None, max_examples=300)
@given(st.text(max_size=600), st.text(max_size=40))
def test_snippets_never_fail_and_never_let_markup_through(text, query):
    terms = parse(query).terms
    for html in (snippet(text, terms), highlight(text, terms)):
        parsed = BeautifulSoup(html, "html.parser")
        assert {tag.name for tag in parsed.find_all(True)} <= {"mark"}
