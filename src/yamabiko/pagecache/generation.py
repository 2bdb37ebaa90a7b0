"""The content generation number: what makes every cached page's key change at once.

Why a database row, in every deployment: every process that can change what a page shows
(server workers, the task worker that approves linkbacks and publishes, the CLI) already
writes to the one database, and every app server reads it. Bumping the row with an
``UPDATE … SET number = number + 1`` inside the transaction of the change makes the bump
atomic with it: no reader can see the new number with the old content, and a crash cannot
leave the content committed and the bump lost (as an INCR in Redis after commit could).
Redis, when configured, holds only the cached pages themselves (settings.CACHES["pages"]).

Why readers cannot store stale content under the new number: a request reads the
generation *before* it renders. If it saw the new number, the change was committed first,
so rendering sees the change (every backend reads committed data, each query a fresh
snapshot in autocommit). If it saw the old number, whatever it stores lands under a key
nobody will ask for again once the number moved.

The clock changes pages too: a scheduled post goes live when its ``published_at`` passes.
Each bump records the earliest such moment in ``next_change_at``; the first request at or
after it bumps again, which records the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import Case, DateTimeField, Expression, F, Subquery, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from yamabiko.pagecache.mirror import after_change as mirror_after_change
from yamabiko.pagecache.mirror import wanted as mirror_wanted
from yamabiko.pagecache.models import GENERATION_PK, Generation
from yamabiko.posts.models import Post

__all__ = ["changes_batched", "content_changed", "generation_current"]


def next_change_after(now: datetime) -> Expression:
    """The earliest moment after ``now`` at which ``Post.objects.live()`` grows by itself.

    The pending moment already in the row is kept when it is earlier: on PostgreSQL a bump
    that waited for another transaction's bump computes its subquery from a snapshot taken
    before that one committed, and would otherwise forget the post it scheduled. Keeping a
    moment that no longer applies costs one needless bump, never a stale page.
    """
    computed = Subquery(
        Post.objects.filter(status__in=["published", "scheduled"], published_at__gt=now)
        .order_by("published_at")
        .values("published_at")[:1]
    )
    kept = Case(
        When(next_change_at__gt=now, then=F("next_change_at")),
        default=None,
        output_field=DateTimeField(),
    )
    # LEAST is NULL on SQLite when either side is; each side falls back to the other.
    return Least(Coalesce(kept, computed), Coalesce(computed, kept))


# The table and columns of models.Generation (a test reads them back through the ORM).
GENERATION_SQL = (
    "SELECT number, CASE WHEN next_change_at <= %s THEN 1 ELSE 0 END"
    " FROM pagecache_generation WHERE id = %s"
)

# Inside changes_batched(): whether anything changed yet (the bump waits for the end).
_batched: ContextVar[list[bool] | None] = ContextVar("pagecache_batched", default=None)


@contextmanager
def changes_batched() -> Iterator[None]:
    """Bump once at the end of the block for all the changes made in it (imports make
    thousands); use inside the transaction that makes them, so the bump commits with them."""
    if _batched.get() is not None:
        yield
        return
    changed: list[bool] = []
    token = _batched.set(changed)
    try:
        yield
    finally:
        _batched.reset(token)
    if changed:
        content_changed()


def content_changed() -> None:
    """Make every cached page stale; call inside the transaction of the change."""
    if (changed := _batched.get()) is not None:
        changed[:1] = [True]
        return
    now = timezone.now()
    changes = {"number": F("number") + 1, "next_change_at": next_change_after(now)}
    if mirror_wanted():
        # The on-disk mirror is moved on by whoever bumps, once the bump is visible.
        transaction.on_commit(mirror_after_change, robust=True)
    if Generation.objects.filter(pk=GENERATION_PK).update(**changes):
        return
    # No row yet (a fresh or flushed database): make it, then bump it like anyone else, so
    # that two processes racing here both end up counted.
    with transaction.atomic():
        Generation.objects.bulk_create([Generation(pk=GENERATION_PK)], ignore_conflicts=True)
        Generation.objects.filter(pk=GENERATION_PK).update(**changes)


def generation_read(moment: datetime) -> tuple[int, bool]:
    """The number, and whether ``moment`` has reached the pending clock change.

    Plain SQL for the one query every cache hit makes: compiling it through the ORM cost
    more than running it (profiled: 0.3 of 0.4 ms per hit). Routed like the ORM's reads.
    """
    connection = connections[router.db_for_read(Generation)]
    with connection.cursor() as cursor:
        moment_value = connection.ops.adapt_datetimefield_value(moment)
        cursor.execute(GENERATION_SQL, [moment_value, GENERATION_PK])
        found = cursor.fetchone()
    return (0, False) if found is None else (int(found[0]), bool(found[1]))


def generation_current(*, now: datetime | None = None) -> int:
    """The number to key pages with now, after moving it on if the clock changed a page."""
    moment = now or timezone.now()
    number, due = generation_read(moment)
    if not due:
        return number
    # Only the request that still sees the passed moment bumps; a racing one finds the row
    # already moved on (the WHERE is evaluated again after the first commits) and re-reads.
    if (
        Generation.objects.filter(pk=GENERATION_PK, next_change_at__lte=moment).update(
            number=F("number") + 1, next_change_at=next_change_after(moment)
        )
        and mirror_wanted()
    ):
        transaction.on_commit(mirror_after_change, robust=True)
    return generation_read(moment)[0]
