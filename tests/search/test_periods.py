"""Date ranges as year and month tokens plus exact edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from yamabiko.search.periods import month_facet, period_cover, year_facet


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_whole_years_and_months_become_tokens():
    tokens, spans = period_cover(utc(2023, 11, 1), utc(2025, 3, 1))
    assert tokens == ["_m202311", "_m202312", "_y2024", "_m202501", "_m202502"]
    assert spans == []


def test_partial_months_are_left_as_spans():
    tokens, spans = period_cover(utc(2024, 1, 15), utc(2024, 3, 10))
    assert tokens == ["_m202402"]
    assert spans == [(utc(2024, 1, 15), utc(2024, 2, 1)), (utc(2024, 3, 1), utc(2024, 3, 10))]


def test_a_day_in_another_time_zone_is_an_exact_utc_span():
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2024, 3, 1, tzinfo=tokyo)
    tokens, spans = period_cover(start, start + timedelta(days=1))
    assert tokens == []
    assert spans == [(utc(2024, 2, 29, 15), utc(2024, 3, 1, 15))]


def test_empty_and_reversed_ranges_cover_nothing():
    assert period_cover(utc(2024, 1, 1), utc(2024, 1, 1)) == ([], [])
    assert period_cover(utc(2025, 1, 1), utc(2024, 1, 1)) == ([], [])


def test_facets_of_a_time_are_its_utc_year_and_month():
    when = datetime(2025, 1, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo"))  # 2024-12-31 16:00 UTC
    assert (year_facet(when), month_facet(when)) == ("_y2024", "_m202412")


@settings(database=None, max_examples=300)
@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_time_is_in_the_range_exactly_when_a_token_or_span_covers_it(start, end, when):
    tokens, spans = period_cover(start, end)
    covered = year_facet(when) in tokens or month_facet(when) in tokens
    in_span = [span for span in spans if span[0] <= when < span[1]]
    assert covered + len(in_span) <= 1
    assert (covered or bool(in_span)) == (start <= when < end)
