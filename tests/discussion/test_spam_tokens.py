"""The classifier's tokenizer (pure): normalisation, CJK bigrams, URL hosts, limits."""

from __future__ import annotations

import pytest

from yamabiko.discussion.spam import tokenize
from yamabiko.discussion.spam.tokens import MAX_TOKEN_LENGTH, MAX_TOKENS


def test_full_width_latin_is_folded_to_lower_case_ascii() -> None:
    assert tokenize("ＣＡＳＩＮＯ") == ["casino"]


def test_case_is_folded() -> None:
    assert tokenize("Casino CASINO Straße") == ["casino", "casino", "strasse"]


def test_japanese_without_spaces_yields_character_bigrams() -> None:
    assert tokenize("山彦が返る") == ["山彦", "彦が", "が返", "返る"]


def test_japanese_sentence_is_split_at_punctuation() -> None:
    assert tokenize("山を歩く。川を見る") == ["山を", "を歩", "歩く", "川を", "を見", "見る"]


def test_a_single_cjk_character_is_its_own_token() -> None:
    assert tokenize("例 a 字") == ["例", "字"]


def test_korean_words_yield_bigrams() -> None:
    assert tokenize("온라인 카지노") == ["온라", "라인", "카지", "지노"]


def test_half_width_katakana_joins_its_full_width_form() -> None:
    assert tokenize("ｶｼﾞﾉ") == tokenize("カジノ") == ["カジ", "ジノ"]


def test_latin_next_to_kana_is_a_separate_word() -> None:
    assert tokenize("カジノcasino") == ["カジ", "ジノ", "casino"]


def test_url_is_reduced_to_its_host_and_host_words() -> None:
    assert tokenize("Go to https://Cheap-Pills.example/buy/viagra?now=1 today") == [
        "go",
        "to",
        "host:cheap-pills.example",
        "cheap",
        "pills",
        "example",
        "today",
    ]


def test_bare_www_address_counts_as_a_host() -> None:
    assert tokenize("www.casino.example!") == [
        "host:www.casino.example",
        "www",
        "casino",
        "example",
    ]


def test_url_followed_by_japanese_punctuation_keeps_a_clean_host() -> None:
    assert tokenize("詳細はhttp://example.com。") == [
        "詳細",
        "細は",
        "host:example.com",
        "example",
        "com",
    ]


def test_pure_numbers_are_dropped_but_mixed_words_kept() -> None:
    assert tokenize("2024 100mg ５０ v1agra") == ["100mg", "v1agra"]


def test_words_are_kept_only_from_2_to_30_characters() -> None:
    assert tokenize(f"a ab {'x' * 30} {'y' * 31}") == ["ab", "x" * 30]


def test_typographic_apostrophe_is_folded() -> None:
    assert tokenize("Don’t don't") == ["don't", "don't"]


def test_repeats_are_kept_in_order() -> None:
    assert tokenize("spam eggs spam") == ["spam", "eggs", "spam"]


def test_token_count_is_capped() -> None:
    assert len(tokenize("word " * (MAX_TOKENS * 3))) == MAX_TOKENS


@pytest.mark.parametrize("text", ["", "   ", "!!! ??? 123", "— … ・"])
def test_text_without_words_has_no_tokens(text: str) -> None:
    assert tokenize(text) == []


def test_every_token_fits_the_database_column() -> None:
    host = ".".join(["label"] * 30) + ".example"

    tokens = tokenize(f"http://{host}/ {'字' * 50}")

    assert tokens[0].startswith("host:label.label")
    assert max(len(token) for token in tokens) <= MAX_TOKEN_LENGTH
