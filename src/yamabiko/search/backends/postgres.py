"""PostgreSQL: a generated ``tsvector`` column with a GIN index, ranked with ts_rank_cd().

The migration adds ``search_entry.document``, computed by ``search_tsvector()`` from the
same space-separated tokens SQLite indexes: each token becomes a lexeme at its own
position, weighted A (title), B (categories and tags), C (body) or D (facets).
PostgreSQL's text parser never sees the text, so both databases agree on every token,
whatever the locale.

The tsquery is built here from those tokens, each quoted as a tsquery literal; no text a
reader typed reaches to_tsquery(). Facet tokens contain "_", which readers' tokens never
do, so words cannot match them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from yamabiko.search.backends.base import Criteria, Hit, SearchBackend, Sql
from yamabiko.search.query import Query, Term

__all__ = ["PostgresBackend", "tsquery_expression"]


def _lexeme(token: str, *, prefix: bool = False) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:*" if prefix else quoted


def _phrase(term: Term) -> str:
    last = len(term.tokens) - 1
    lexemes = [
        _lexeme(token, prefix=term.prefix and index == last)
        for index, token in enumerate(term.tokens)
    ]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def _any(terms: Iterable[Term]) -> str:
    phrases = [_phrase(term) for term in terms]
    return phrases[0] if len(phrases) == 1 else "(" + " | ".join(phrases) + ")"


def _negatives(query: Query, excluded_facets: Sequence[str]) -> list[str]:
    negatives = [_any(query.excluded)] if query.excluded else []
    return negatives + [_lexeme(facet) for facet in excluded_facets]


def tsquery_expression(
    query: Query, *, facets: Sequence[str] = (), excluded_facets: Sequence[str] = ()
) -> str | None:
    """The tsquery literal for words, phrases, ORs, exclusions and facets; None if empty."""
    positives = [_any(group) for group in query.groups] + [_lexeme(facet) for facet in facets]
    if not positives:
        return None
    expression = " & ".join(positives)
    negatives = _negatives(query, excluded_facets)
    if negatives:
        expression = f"{expression} & !({' | '.join(negatives)})"
    return expression


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def exclusion_sql(self, criteria: Criteria) -> Sql:
        negatives = _negatives(criteria.query, criteria.excluded_facets)
        if not negatives:
            return "", []
        return "NOT (e.document @@ %s::tsquery)", [" | ".join(negatives)]

    def _match_where(self, criteria: Criteria) -> Sql:
        match = tsquery_expression(
            criteria.query, facets=criteria.facets, excluded_facets=criteria.excluded_facets
        )
        where = "e.document @@ %s::tsquery"
        params: list[Any] = [match]
        visible, visible_params = self.visible_sql("e.id", criteria.now)
        if visible:
            where += f" AND {visible}"
            params += visible_params
        dates, date_params = self.dates_sql(criteria)
        if dates:
            where += f" AND {dates}"
            params += date_params
        return where, params

    def _select(self, criteria: Criteria, condition: str, condition_params: list[Any]) -> Sql:
        where, params = self._match_where(criteria)
        if condition:
            where += f" AND {condition}"
            params += condition_params
        return f"SELECT e.kind, e.object_id FROM {self.entry_table()} e WHERE {where}", params  # noqa: S608

    def count(self, criteria: Criteria) -> int:
        if not criteria.matches_text:
            return self.browse_count(criteria)
        where, params = self._match_where(criteria)
        return self.scalar(f"SELECT count(*) FROM {self.entry_table()} e WHERE {where}", params)  # noqa: S608

    def nth_newest_id(self, criteria: Criteria, number: int) -> int | None:
        where, params = self._match_where(criteria)
        sql = (
            f"SELECT e.id FROM {self.entry_table()} e WHERE {where}"  # noqa: S608
            " ORDER BY e.id DESC LIMIT 2 OFFSET %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, number - 1])
            rows = cursor.fetchall()
        return int(rows[0][0]) if len(rows) == 2 else None

    def ranked_hits(
        self, criteria: Criteria, *, offset: int, limit: int, from_id: int | None
    ) -> list[Hit]:
        condition, condition_params = ("e.id >= %s", [from_id]) if from_id is not None else ("", [])
        sql, params = self._select(criteria, condition, condition_params)
        # ts_rank_cd takes weights from 0 to 1, in the order D, C, B, A; normalization 1
        # divides by 1 + log(length), as BM25 discounts long documents. Only the words
        # rank: facets weigh nothing and are left out of the ranking query.
        top = max(self.weights)
        title, body, taxonomy = (weight / top for weight in self.weights)
        weights = f"{{0, {body}, {taxonomy}, {title}}}"
        sql += (
            " ORDER BY ts_rank_cd(%s::float4[], e.document, %s::tsquery, 1) DESC, e.id DESC"
            " LIMIT %s OFFSET %s"
        )
        words = tsquery_expression(criteria.query)
        return self.fetch_hits(sql, [*params, weights, words, limit, offset])

    def id_order_hits(
        self, criteria: Criteria, *, offset: int, limit: int, below_id: int
    ) -> list[Hit]:
        sql, params = self._select(criteria, "e.id < %s", [below_id])
        sql += " ORDER BY e.id DESC LIMIT %s OFFSET %s"
        return self.fetch_hits(sql, [*params, limit, offset])

    def date_hits(self, criteria: Criteria, *, offset: int, limit: int) -> list[Hit]:
        if not criteria.matches_text:
            return self.browse_hits(criteria, offset=offset, limit=limit)
        sql, params = self._select(criteria, "", [])
        sql += " ORDER BY e.published_at DESC NULLS LAST, e.id DESC LIMIT %s OFFSET %s"
        return self.fetch_hits(sql, [*params, limit, offset])

    def size(self) -> int:
        return self.scalar("SELECT pg_total_relation_size(%s)", [self.entry_table()])

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.entry_table()}")
