"""The query language, parsed without a database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yamabiko.search.backends.postgres import tsquery_expression
from yamabiko.search.backends.sqlite import match_expression
from yamabiko.search.query import MAX_QUERY_LENGTH, MAX_TERMS, Filter, date_parse, parse


def tokens(text: str, **kwargs: bool) -> list[list[tuple[str, ...]]]:
    return [[term.tokens for term in group] for group in parse(text, **kwargs).groups]


def test_words_are_all_required():
    assert tokens("River Stone") == [[("river",)], [("stone",)]]


def test_quotes_make_a_phrase_and_an_unbalanced_quote_runs_to_the_end():
    assert tokens('"miso soup" bowl') == [[("miso", "soup")], [("bowl",)]]
    assert tokens('bowl "miso soup') == [[("bowl",)], [("miso", "soup")]]


@pytest.mark.parametrize("quoted", ["“miso soup”", "「miso soup」", "＂miso soup＂"])
def test_typographic_and_japanese_quotes_work_as_quotes(quoted):
    assert tokens(quoted) == [[("miso", "soup")]]


def test_minus_excludes_words_phrases_and_filters():
    query = parse('walk -rain -"heavy snow" -tag:winter')
    assert [term.tokens for term in query.excluded] == [("rain",), ("heavy", "snow")]
    assert query.filters == (Filter(key="tag", value="winter", negated=True),)


def test_or_joins_its_neighbours_into_one_group():
    assert tokens("walk river OR sea | lake") == [[("walk",)], [("river",), ("sea",), ("lake",)]]


@pytest.mark.parametrize("text", ["OR", "OR walk", "walk OR", "-", "- walk", "--", "walk -"])
def test_lone_operators_are_ignored(text):
    groups = tokens(text)
    assert groups in ([], [[("walk",)]])


def test_lower_case_or_is_a_word():
    assert tokens("this or that") == [[("this",)], [("or",)], [("that",)]]


def test_filters_are_recognised_case_insensitively_with_quoted_values():
    query = parse('Category:travel TAG:"long walk" category:')
    assert query.filters == (
        Filter(key="category", value="travel"),
        Filter(key="tag", value="long walk"),
    )
    assert tokens("category: x") == [[("category",)], [("x",)]]


def test_unknown_prefixes_are_words():
    assert tokens("http://example.org") == [[("http", "example", "org")]]


def test_dates_and_their_negations():
    query = parse("before:2025-03-01 after:2024 -after:2025/02/10")
    assert query.before == date(2025, 2, 10)
    assert query.after == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", date(2025, 1, 1)),
        ("2025-03", date(2025, 3, 1)),
        ("2025-3-7", date(2025, 3, 7)),
        ("2025.03.07", date(2025, 3, 7)),
        ("2025-02-30", None),
        ("0000", None),
        ("yesterday", None),
        ("２０２５", None),
    ],
)
def test_date_parse(value, expected):
    assert date_parse(value) == expected


def test_a_bad_date_is_left_out_with_a_notice():
    query = parse("walk before:soon")
    assert query.before is None
    assert tokens("walk before:soon") == [[("walk",)]]
    assert "before:soon" in query.notices[0]


def test_cjk_terms_are_phrases_of_bigrams():
    assert tokens("北朝鮮") == [[("北朝", "朝鮮")]]
    assert tokens("日米") == [[("日米",)]]
    assert tokens("비핵화") == [[("비핵", "핵화")]]


def test_a_single_cjk_character_is_a_prefix():
    (term,) = parse("韓").terms
    assert term.tokens == ("韓",)
    assert term.prefix


def test_cjk_run_inside_a_phrase_keeps_its_closing_character():
    assert tokens('"北朝鮮 Rubio"') == [[("北朝", "朝鮮", "鮮", "rubio")]]


def test_mixed_query_is_two_terms():
    assert tokens("Rubio 北朝鮮") == [[("rubio",)], [("北朝", "朝鮮")]]


def test_width_and_case_fold_in_queries():
    assert tokens("ＡＢＣ Café") == [[("abc",)], [("cafe",)]]


def test_prefix_last_applies_to_an_unfinished_last_word_only():
    assert parse("miso so", prefix_last=True).terms[-1].prefix is False  # too short
    assert parse("miso sou", prefix_last=True).terms[-1].prefix is True
    assert parse("miso sou ", prefix_last=True).terms[-1].prefix is False
    assert parse('miso "sou', prefix_last=True).terms[-1].prefix is False
    assert parse("miso sou").terms[-1].prefix is False


def test_queries_are_capped_in_length_and_terms():
    long = parse("a" * 1000)
    assert long.terms[0].tokens == ("a" * 64,)
    assert any(str(MAX_QUERY_LENGTH) in notice for notice in long.notices)
    many = parse(" ".join(f"w{n}" for n in range(40)))
    assert len(many.terms) == MAX_TERMS
    assert any(str(MAX_TERMS) in notice for notice in many.notices)


def test_only_exclusions_is_not_a_search():
    query = parse("-walk")
    assert not query.has_criteria
    assert query.notices


@pytest.mark.parametrize(
    "text",
    ["", " ", "*", "^", ":", "()", "NEAR(", '"', '""', "\x00", "\ufffd", "'; DROP TABLE x; --"],
)
def test_syntax_characters_alone_search_for_nothing_or_for_words(text):
    query = parse(text)
    for term in query.terms:
        assert all(token.isalnum() for token in term.tokens)


def test_fts5_expression_quotes_every_token():
    query = parse('walk "river bank" OR sea -rain 山')
    assert match_expression(query, facets=["_c3"], excluded_facets=["_t5"]) == (
        '("walk" AND ("river bank" OR "sea") AND "山"* AND "_c3") NOT ("rain" OR "_t5")'
    )
    assert match_expression(parse("-rain")) is None
    assert match_expression(parse(""), facets=["_c3"]) == '"_c3"'


def test_tsquery_expression_quotes_every_lexeme():
    query = parse('walk "river bank" OR sea -rain 山')
    assert tsquery_expression(query, facets=["_c3"], excluded_facets=["_t5"]) == (
        "'walk' & (('river' <-> 'bank') | 'sea') & '山':* & '_c3' & !('rain' | '_t5')"
    )
    assert tsquery_expression(parse("-rain")) is None


@settings(database=None, max_examples=500)
@given(st.text(max_size=400), st.booleans())
def test_parse_never_fails_and_stays_within_its_caps(text, prefix_last):
    query = parse(text, prefix_last=prefix_last)
    assert len(query.terms) + len(query.excluded) + len(query.filters) <= MAX_TERMS
    for term in (*query.terms, *query.excluded):
        assert term.tokens
        assert all(token and token.strip() == token for token in term.tokens)
    if query.groups:
        expression = match_expression(query)
        assert expression is not None
        assert expression.count('"') % 2 == 0
        assert tsquery_expression(query)


@settings(database=None, max_examples=200)
@given(st.lists(st.sampled_from(['"', "-", "OR", "|", ":", "*", "(", ")", "NEAR", "a", "北", " "])))
def test_operator_soup_never_fails(parts):
    parse("".join(parts))
    parse(" ".join(parts), prefix_last=True)
