"""Reading the index: a parsed search with its filters resolved, and the results it shows.

``search_prepare`` is what every interface calls (the results page, its feed, search as
you type). It returns ``Results``, which Django's Paginator pages like a QuerySet: one
query for the count, one for a page of hits, one per kind of object shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import overload

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString

from yamabiko.posts.models import Category, Tag
from yamabiko.search.backends import Criteria, Order, SearchBackend, backend_for
from yamabiko.search.documents import SOURCES, category_facet, tag_facet
from yamabiko.search.query import Filter, Query, parse
from yamabiko.search.snippets import highlight, snippet

__all__ = ["Prepared", "Result", "Results", "search_prepare"]

ITERATION_BATCH = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    kind: str
    title: str
    title_html: SafeString
    url: str
    snippet: SafeString
    published_at: datetime | None
    category_name: str = ""
    category_url: str = ""


class Results:
    """The matches of one search, in order, loaded a slice at a time."""

    def __init__(self, criteria: Criteria | None, *, order: Order = Order.RANK) -> None:
        self.criteria = criteria
        self.order = order
        self._count: int | None = None
        self._backend: SearchBackend | None = None

    @property
    def backend(self) -> SearchBackend:
        # One per search, so what it learns about the index (see visible_sql) is reused.
        if self._backend is None:
            self._backend = backend_for()
        return self._backend

    def newest_first(self) -> Results:
        return Results(self.criteria, order=Order.DATE)

    def count(self) -> int:
        if self._count is None:
            self._count = 0 if self.criteria is None else self.backend.count(self.criteria)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Result]:
        for start in range(0, self.count(), ITERATION_BATCH):
            yield from self[start : start + ITERATION_BATCH]

    @overload
    def __getitem__(self, item: int) -> Result: ...
    @overload
    def __getitem__(self, item: slice) -> list[Result]: ...
    def __getitem__(self, item: int | slice) -> Result | list[Result]:
        if isinstance(item, int):
            return self[item : item + 1][0]
        start, stop = item.start or 0, item.stop
        if self.criteria is None or stop is None or stop <= start:
            return []
        hits = self.backend.hits(self.criteria, offset=start, limit=stop - start, order=self.order)
        by_kind: dict[str, list[int]] = defaultdict(list)
        for hit in hits:
            by_kind[hit.kind].append(hit.object_id)
        now = self.criteria.now
        found = {kind: SOURCES[kind].found(pks, now) for kind, pks in by_kind.items()}
        terms = self.criteria.query.terms
        results: list[Result] = []
        for hit in hits:
            shown = found[hit.kind].get(hit.object_id)
            if shown is None:
                continue  # changed since it was indexed: the object's own rules win
            results.append(
                Result(
                    kind=shown.kind,
                    title=shown.title,
                    title_html=highlight(shown.title, terms),
                    url=shown.url,
                    snippet=snippet(shown.text, terms),
                    published_at=shown.published_at,
                    category_name=shown.category_name,
                    category_url=shown.category_url,
                )
            )
        return results


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    query: Query
    results: Results
    notices: tuple[str, ...] = ()
    # False when there was nothing to search for (an empty box, only exclusions).
    searched: bool = True


def year_range(raw: str) -> tuple[date, date] | None:
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 9998):
        return None
    return date(int(raw), 1, 1), date(int(raw) + 1, 1, 1)


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _category_id(value: str) -> int | None:
    found = Category.objects.filter(
        Q(slug=value) | Q(path=value.strip("/")) | Q(name__iexact=value)
    ).first()
    return found.pk if found else None


def _tag_id(value: str) -> int | None:
    found = Tag.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()
    return found.pk if found else None


def search_prepare(
    *,
    text: str,
    category: str = "",
    year: str = "",
    now: datetime | None = None,
    prefix_last: bool = False,
) -> Prepared:
    """Parse ``text`` and resolve its filters (and the page's ``category`` and ``year``).

    Dates are days in the current time zone (the blog's, during a request). Categories
    and tags become facet tokens (a category's covers its subcategories). A filter naming
    a category or tag that does not exist matches nothing, with a notice.
    """
    query = parse(text, prefix_last=prefix_last)
    notices = list(query.notices)
    filters = list(query.filters)
    if category:
        filters.append(Filter(key="category", value=category))
    after, before = query.after, query.before
    if year:
        span = year_range(year)
        if span is None:
            notices.append(f"{year} is not a year; the year filter was left out.")
        else:
            after = max(after, span[0]) if after else span[0]
            before = min(before, span[1]) if before else span[1]
    if not (query.groups or filters or after or before):
        return Prepared(query=query, results=Results(None), notices=tuple(notices), searched=False)
    facets: list[str] = []
    excluded_facets: list[str] = []
    missing = False
    for wanted in filters:
        if wanted.key == "category":
            pk = _category_id(wanted.value)
            facet = None if pk is None else category_facet(pk)
        else:
            pk = _tag_id(wanted.value)
            facet = None if pk is None else tag_facet(pk)
        if facet is None:
            notices.append(f"There is no {wanted.key} “{wanted.value}”.")
            missing = missing or not wanted.negated
        else:
            (excluded_facets if wanted.negated else facets).append(facet)
    if missing:
        return Prepared(query=query, results=Results(None), notices=tuple(notices))
    criteria = Criteria(
        query=query,
        now=now or timezone.now(),
        facets=tuple(facets),
        excluded_facets=tuple(excluded_facets),
        published_from=_start_of(after),
        published_before=_start_of(before),
    )
    return Prepared(query=query, results=Results(criteria), notices=tuple(notices))
