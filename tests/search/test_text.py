"""Folding and tokenizing, the rules both databases index and search by."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yamabiko.search.text import MAX_TOKEN_LENGTH, fold, index_text, index_tokens, run_tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＡＢＣ", "abc"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("Café", "cafe"),
        ("Ångström", "angstrom"),
        ("naïve", "naive"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("cafe\u0301", "cafe"),  # a combining accent, not a precomposed é
        ("ＯＲ", "or"),
    ],
)
def test_fold_removes_case_width_and_latin_accents(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["が", "パン", "й", "한국어", "ё"])
def test_fold_keeps_marks_that_make_another_letter_outside_latin(text):
    assert fold(text) == text.casefold()


def test_unspaced_runs_become_bigrams_closed_by_their_last_character():
    assert index_tokens("北朝鮮の") == ["北朝", "朝鮮", "鮮の", "の"]
    assert index_tokens("山") == ["山"]
    assert index_tokens("비핵화를") == ["비핵", "핵화", "화를", "를"]


def test_words_and_runs_split_where_the_script_changes():
    assert index_tokens("Rubio北朝鮮 2025年") == ["rubio", "北朝", "朝鮮", "鮮", "2025", "年"]


def test_punctuation_and_underscores_separate_words():
    assert index_tokens("e-mail, 3.14 x_y (NEAR)") == ["e", "mail", "3", "14", "x", "y", "near"]


def test_query_runs_stay_open_and_index_runs_close():
    assert run_tokens("日米韓", closed=False) == ["日米", "米韓"]
    assert run_tokens("日米韓", closed=True) == ["日米", "米韓", "韓"]
    assert run_tokens("日米", closed=False) == ["日米"]


def test_long_words_are_cut():
    assert index_tokens("x" * 500) == ["x" * MAX_TOKEN_LENGTH]


def test_katakana_middle_dot_separates_words():
    assert index_tokens("マルコ・ルビオ") == ["マル", "ルコ", "コ", "ルビ", "ビオ", "オ"]


@settings(database=None, max_examples=300)
@given(st.text())
def test_index_text_is_single_space_separated_tokens_of_word_characters(text):
    indexed = index_text(text)
    assert indexed == " ".join(indexed.split(" "))
    for token in indexed.split():
        assert 0 < len(token) <= MAX_TOKEN_LENGTH
        assert all(ch.isalnum() for ch in token if ch.isascii())
        assert not any(ch.isspace() for ch in token)
