"""Date ranges as index tokens: whole UTC years and months, plus the edges left over. Pure.

Each post carries the tokens of its UTC year and month (``_y2024``, ``_m202403``), so a
date filter on a large index is mostly a token match; only the partial months at either
end of the range need the stored publication time. UTC keeps the tokens valid whatever
the blog's time zone (or a change of it); the edges make any day boundary exact.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["month_facet", "period_cover", "year_facet"]

type Span = tuple[datetime, datetime]


def year_facet(when: datetime) -> str:
    return f"_y{when.astimezone(UTC).year}"


def month_facet(when: datetime) -> str:
    utc = when.astimezone(UTC)
    return f"_m{utc.year}{utc.month:02d}"


def _month_start(when: datetime) -> datetime:
    return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(when: datetime) -> datetime:
    return (
        when.replace(year=when.year + 1, month=1)
        if when.month == 12
        else when.replace(month=when.month + 1)
    )


def period_cover(start: datetime, end: datetime) -> tuple[list[str], list[Span]]:
    """Tokens of the whole UTC years and months inside [start, end), and the rest as spans.

    The tokens and the spans together cover the range exactly, without overlap.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if start >= end:
        return [], []
    first = _month_start(start)
    if first < start:
        if first.year == 9999 and first.month == 12:
            return [], [(start, end)]
        first = _next_month(first)
    if first >= end:
        return [], [(start, end)]
    tokens: list[str] = []
    spans: list[Span] = [(start, first)] if start < first else []
    cursor = first
    while cursor < end:
        year_end = cursor.replace(year=cursor.year + 1) if cursor.year < 9999 else None
        if cursor.month == 1 and year_end is not None and year_end <= end:
            tokens.append(year_facet(cursor))
            cursor = year_end
            continue
        if cursor.year == 9999 and cursor.month == 12:
            spans.append((cursor, end))
            break
        month_end = _next_month(cursor)
        if month_end > end:
            spans.append((cursor, end))
            break
        tokens.append(month_facet(cursor))
        cursor = month_end
    if len(spans) == 2 and spans[0][1] == spans[1][0]:
        spans = [(spans[0][0], spans[1][1])]
    return tokens, spans
