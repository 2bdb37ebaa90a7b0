"""The interface every search backend implements, and the SQL they share.

The SQL here and in the backends is put together from quoted table names, fixed column
names and ``%s`` placeholders only (hence the S608 exemptions); every value, the match
expressions included, travels as a parameter.

A backend only answers questions about the index (how many entries match, which ones in
what order, how big the index is). Writing goes through the ORM for every backend
(``services``); each database's migration builds its full-text structure over the same
``search_entry`` rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from django.db.backends.base.base import BaseDatabaseWrapper

from yamabiko.search.documents import SOURCES
from yamabiko.search.models import Entry
from yamabiko.search.query import Query

__all__ = ["Criteria", "Hit", "Order", "SearchBackend"]

type Sql = tuple[str, list[Any]]


class Order(StrEnum):
    RANK = "rank"
    DATE = "date"


@dataclass(frozen=True, slots=True, kw_only=True)
class Criteria:
    """A parsed query with its filters resolved to index tokens and times."""

    query: Query
    now: datetime
    # Facet tokens (documents.category_facet, tag_facet): every one required, none allowed.
    facets: tuple[str, ...] = ()
    excluded_facets: tuple[str, ...] = ()
    published_from: datetime | None = None
    published_before: datetime | None = None

    @property
    def matches_text(self) -> bool:
        """True when the full-text index has something to match (words or facets)."""
        return bool(self.query.groups or self.facets)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    object_id: int


class SearchBackend(ABC):
    vendor: ClassVar[str]
    # Relative weight of a match in the title, the body and a category or tag name.
    weights: ClassVar[tuple[float, float, float]] = (10.0, 1.0, 2.0)
    # How many of the newest matches are ranked when a query matches more (see hits()).
    rank_window: ClassVar[int] = 5_000

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self._any_hidden: dict[datetime, bool] = {}

    # --- what each backend provides ---------------------------------------------------

    @abstractmethod
    def count(self, criteria: Criteria) -> int:
        """How many entries readers may see match ``criteria``."""

    @abstractmethod
    def nth_newest_id(self, criteria: Criteria, number: int) -> int | None:
        """The id of the ``number``-th newest match, if there are more matches than that."""

    @abstractmethod
    def ranked_hits(
        self, criteria: Criteria, *, offset: int, limit: int, from_id: int | None
    ) -> list[Hit]:
        """Matches best first (title weighted above body), only ids >= ``from_id`` if given."""

    @abstractmethod
    def id_order_hits(
        self, criteria: Criteria, *, offset: int, limit: int, below_id: int
    ) -> list[Hit]:
        """Matches with ids below ``below_id``, newest indexed first."""

    @abstractmethod
    def date_hits(self, criteria: Criteria, *, offset: int, limit: int) -> list[Hit]:
        """Matches newest published first (feeds, and filters without words)."""

    @abstractmethod
    def size(self) -> int:
        """Bytes the index takes on disk, its full-text structures included."""

    @abstractmethod
    def optimize(self) -> None:
        """Compact the index and refresh the planner's statistics after a rebuild."""

    def hits(self, criteria: Criteria, *, offset: int, limit: int, order: Order) -> list[Hit]:
        """Matching entries, best first (or newest first), ``limit`` from ``offset``.

        Ranking reads every match's positions, which grows with the number of matches:
        when a query matches more than ``rank_window`` entries, the newest
        ``rank_window`` of them are ranked and the older ones follow, newest first. A
        word in half of 100,000 posts then costs what one in 5,000 does.
        """
        if order is Order.DATE or not criteria.query.groups:
            return self.date_hits(criteria, offset=offset, limit=limit)
        window = self.rank_window
        threshold = self.nth_newest_id(criteria, window)
        if threshold is None:
            return self.ranked_hits(criteria, offset=offset, limit=limit, from_id=None)
        found: list[Hit] = []
        if offset < window:
            ranked = min(limit, window - offset)
            found += self.ranked_hits(criteria, offset=offset, limit=ranked, from_id=threshold)
        if offset + limit > window:
            start = max(offset, window)
            found += self.id_order_hits(
                criteria, offset=start - window, limit=offset + limit - start, below_id=threshold
            )
        return found

    # --- shared SQL ---------------------------------------------------------------------

    def entry_table(self) -> str:
        return self.connection.ops.quote_name(Entry._meta.db_table)

    def hidden_sql(self, now: datetime) -> Sql:
        """SQL selecting the ids of entries readers may not see at ``now``.

        Read from the objects' own tables at query time, so a scheduled post turns up at
        its time with nothing re-indexed, and an object changed behind the index's back
        (an UPDATE without signals) is still hidden.
        """
        parts: list[str] = []
        params: list[Any] = []
        for kind, source in SOURCES.items():
            sql, source_params = source.hidden_sql(self.connection, now)
            parts.append(
                f"SELECT h.id FROM {self.entry_table()} h"  # noqa: S608 - identifiers only
                f" WHERE h.kind = %s AND h.object_id IN ({sql})"
            )
            params.extend([kind, *source_params])
        return " UNION ALL ".join(parts), params

    def visible_sql(self, column: str, now: datetime) -> Sql:
        """A condition keeping hidden entries out, or nothing when none is hidden now.

        Usually nothing is (drafts are not indexed; only posts waiting for their time
        are), and the check costs a lookup per match, so it is left out when it can be.
        """
        hidden, params = self.hidden_sql(now)
        if now not in self._any_hidden:
            self._any_hidden[now] = bool(self.scalar(f"SELECT EXISTS ({hidden})", params))
        if not self._any_hidden[now]:
            return "", []
        return f"{column} NOT IN ({hidden})", params

    def dates_sql(self, criteria: Criteria) -> Sql:
        """Conditions on the entry aliased ``e`` for the date filters (may be empty)."""
        conditions: list[str] = []
        params: list[Any] = []
        adapt = self.connection.ops.adapt_datetimefield_value
        if criteria.published_from is not None:
            conditions.append("e.published_at >= %s")
            params.append(adapt(criteria.published_from))
        if criteria.published_before is not None:
            conditions.append("e.published_at < %s")
            params.append(adapt(criteria.published_before))
        return " AND ".join(conditions), params

    @abstractmethod
    def exclusion_sql(self, criteria: Criteria) -> Sql:
        """A condition on the entry ``e``: none of the excluded words or facets (or empty)."""

    def browse_where(self, criteria: Criteria) -> Sql:
        """The WHERE clause on entries when nothing is matched: dates and exclusions only."""
        conditions: list[str] = []
        params: list[Any] = []
        parts = (
            self.visible_sql("e.id", criteria.now),
            self.dates_sql(criteria),
            self.exclusion_sql(criteria),
        )
        for sql, sql_params in parts:
            if sql:
                conditions.append(sql)
                params += sql_params
        return " AND ".join(conditions) or "1 = 1", params

    def browse_count(self, criteria: Criteria) -> int:
        where, params = self.browse_where(criteria)
        return self.scalar(f"SELECT count(*) FROM {self.entry_table()} e WHERE {where}", params)  # noqa: S608

    def browse_hits(self, criteria: Criteria, *, offset: int, limit: int) -> list[Hit]:
        where, params = self.browse_where(criteria)
        sql = (
            f"SELECT e.kind, e.object_id FROM {self.entry_table()} e WHERE {where}"  # noqa: S608
            " ORDER BY e.published_at DESC NULLS LAST, e.id DESC LIMIT %s OFFSET %s"
        )
        return self.fetch_hits(sql, [*params, limit, offset])

    def scalar(self, sql: str, params: list[Any]) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def fetch_hits(self, sql: str, params: list[Any]) -> list[Hit]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(str(kind), int(object_id)) for kind, object_id in cursor.fetchall()]
