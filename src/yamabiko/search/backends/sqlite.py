"""SQLite: an FTS5 table over ``search_entry``, ranked with bm25().

The FTS5 table (created by the migration) takes its text from ``search_entry``
("external content") and is kept in step by triggers, so every ORM write reaches it. Its
tokenizer is ``ascii`` with "_" as a token character: our tokens are already folded and
separated by spaces (``text.index_text``), and ``ascii`` keeps every non-ASCII character
inside its token, so FTS5 sees exactly the tokens Python made, facets included.

Reading avoids a join per match: words, category and tag filters and whole months of a
date filter are one MATCH; visibility and the edges of a date range are subqueries on
``rowid`` (which is ``search_entry.id``) that SQLite evaluates once; only the page of
results is joined back to its entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from yamabiko.search.backends.base import Criteria, Hit, SearchBackend, Sql
from yamabiko.search.periods import period_cover
from yamabiko.search.query import Query, Term

__all__ = ["SqliteBackend", "match_expression"]

FTS = "search_fts"


def _quoted(text: str) -> str:
    # Tokens are letters, digits and marks (facets add "_"); doubling quotes is belt and braces.
    return '"' + text.replace('"', '""') + '"'


def _phrase(term: Term) -> str:
    quoted = _quoted(" ".join(term.tokens))
    return f"{quoted}*" if term.prefix else quoted


def _any(terms: Iterable[Term]) -> str:
    phrases = [_phrase(term) for term in terms]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def _negatives(query: Query, excluded_facets: Sequence[str]) -> list[str]:
    negatives = [_any(query.excluded)] if query.excluded else []
    return negatives + [_quoted(facet) for facet in excluded_facets]


def match_expression(
    query: Query, *, facets: Sequence[str] = (), excluded_facets: Sequence[str] = ()
) -> str | None:
    """The FTS5 MATCH string for words, phrases, ORs, exclusions and facets; None if empty.

    No column filter is needed: facet tokens contain "_" and readers' tokens never do (a
    column filter makes FTS5 read positions, measured 2.5x slower on a common word).
    """
    positives = [_any(group) for group in query.groups] + [_quoted(facet) for facet in facets]
    if not positives:
        return None
    expression = " AND ".join(positives)
    negatives = _negatives(query, excluded_facets)
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(negatives)})"
    return expression


def _month_after(now: datetime) -> datetime:
    """The start of the UTC month after ``now``'s."""
    utc = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (
        utc.replace(year=utc.year + 1, month=1)
        if utc.month == 12
        else utc.replace(month=utc.month + 1)
    )


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def exclusion_sql(self, criteria: Criteria) -> Sql:
        negatives = _negatives(criteria.query, criteria.excluded_facets)
        if not negatives:
            return "", []
        sql = f"e.id NOT IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"  # noqa: S608
        return sql, [" OR ".join(negatives)]

    def _branches(self, criteria: Criteria) -> list[Sql]:
        """WHERE clauses on the FTS table whose matches, together, are the results.

        Without date filters there is one. With them, whole UTC years and months inside
        the range are period facets in the MATCH, and the partial months at the ends a
        second, disjoint branch checked against the stored time: materializing every id
        in a long range would cost more than the search (see periods.py).
        """
        match = match_expression(
            criteria.query, facets=criteria.facets, excluded_facets=criteria.excluded_facets
        )
        visible, visible_params = self.visible_sql(f"{FTS}.rowid", criteria.now)
        suffix = f" AND {visible}" if visible else ""

        def branch(expression: str | None, extra: str = "", params: Sequence[Any] = ()) -> Sql:
            return f"{FTS} MATCH %s{suffix}{extra}", [expression, *visible_params, *params]

        if criteria.published_from is None and criteria.published_before is None:
            return [branch(match)]
        start = criteria.published_from or self._oldest()
        # Nothing later than now is shown, so the range may end with this month.
        end = criteria.published_before or _month_after(criteria.now)
        if start is None:
            return []
        periods, edges = period_cover(start, end)
        branches = []
        if periods:
            tokens = " OR ".join(_quoted(token) for token in periods)
            branches.append(branch(f"({match}) AND ({tokens})"))
        if edges:
            adapt = self.connection.ops.adapt_datetimefield_value
            ranges = " OR ".join(["(e.published_at >= %s AND e.published_at < %s)"] * len(edges))
            # The unary + keeps SQLite from pushing "rowid IN (…)" into FTS5, which
            # would run the MATCH once per listed row.
            extra = f" AND +{FTS}.rowid IN (SELECT e.id FROM {self.entry_table()} e WHERE {ranges})"  # noqa: S608
            branches.append(branch(match, extra, [adapt(when) for edge in edges for when in edge]))
        return branches

    def _oldest(self) -> datetime | None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT min(published_at) FROM {self.entry_table()}")  # noqa: S608
            row = cursor.fetchone()
        value: object = row[0] if row else None
        if isinstance(value, str):  # raw cursors do not convert SQLite's text dates
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def _union(
        self, criteria: Criteria, columns: str, extra: str = "", params: Sequence[Any] = ()
    ) -> Sql:
        """One SELECT of ``columns`` per branch, joined with UNION ALL (never empty SQL)."""
        parts: list[str] = []
        values: list[Any] = []
        for where, branch_params in self._branches(criteria) or [("0", [])]:
            parts.append(f"SELECT {columns} FROM {FTS} WHERE {where}{extra}")  # noqa: S608
            values += [*branch_params, *params]
        return " UNION ALL ".join(parts), values

    def _joined(self, inner: str, params: list[Any], order: str) -> list[Hit]:
        """Entries for the ids (and scores) ``inner`` selects, in ``order``."""
        sql = (
            f"SELECT e.kind, e.object_id FROM ({inner}) found"  # noqa: S608
            f" JOIN {self.entry_table()} e ON e.id = found.id ORDER BY {order}"
        )
        return self.fetch_hits(sql, params)

    def count(self, criteria: Criteria) -> int:
        if not criteria.matches_text:
            return self.browse_count(criteria)
        union, params = self._union(criteria, "count(*) AS found")
        return self.scalar(f"SELECT sum(found) FROM ({union})", params)  # noqa: S608

    def nth_newest_id(self, criteria: Criteria, number: int) -> int | None:
        union, params = self._union(criteria, f"{FTS}.rowid AS id")
        sql = f"SELECT id FROM ({union}) ORDER BY id DESC LIMIT 2 OFFSET %s"  # noqa: S608
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, number - 1])
            rows = cursor.fetchall()
        return int(rows[0][0]) if len(rows) == 2 else None

    def ranked_hits(
        self, criteria: Criteria, *, offset: int, limit: int, from_id: int | None
    ) -> list[Hit]:
        title, body, taxonomy = self.weights
        columns = f"{FTS}.rowid AS id, bm25({FTS}, {title}, {body}, {taxonomy}, 0.0) AS score"
        if from_id is None:
            union, params = self._union(criteria, columns)
        else:
            union, params = self._union(criteria, columns, f" AND {FTS}.rowid >= %s", [from_id])
        inner = f"SELECT id, score FROM ({union}) ORDER BY score, id DESC LIMIT %s OFFSET %s"  # noqa: S608
        return self._joined(inner, [*params, limit, offset], "found.score, found.id DESC")

    def id_order_hits(
        self, criteria: Criteria, *, offset: int, limit: int, below_id: int
    ) -> list[Hit]:
        union, params = self._union(
            criteria, f"{FTS}.rowid AS id", f" AND {FTS}.rowid < %s", [below_id]
        )
        inner = f"SELECT id FROM ({union}) ORDER BY id DESC LIMIT %s OFFSET %s"  # noqa: S608
        return self._joined(inner, [*params, limit, offset], "found.id DESC")

    def date_hits(self, criteria: Criteria, *, offset: int, limit: int) -> list[Hit]:
        if not criteria.matches_text:
            return self.browse_hits(criteria, offset=offset, limit=limit)
        union, params = self._union(criteria, f"{FTS}.rowid AS id")
        sql = (
            f"SELECT e.kind, e.object_id FROM ({union}) found"  # noqa: S608
            f" JOIN {self.entry_table()} e ON e.id = found.id"
            " ORDER BY e.published_at DESC NULLS LAST, e.id DESC LIMIT %s OFFSET %s"
        )
        return self.fetch_hits(sql, [*params, limit, offset])

    def size(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE %s OR name = %s"
                " OR name LIKE %s",
                [f"{FTS}%", "search_entry", "search_entry_%"],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608
