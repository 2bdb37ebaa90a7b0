"""Writes to the search index: refresh entries, rebuild everything, defer during bulk work.

Signal handlers call ``entries_refresh`` in the transaction of the change that caused it,
so an entry is never out of step with a committed post. ``index_deferred`` collects the
keys instead and refreshes them once at the end, for imports and benchmarks that write
many objects in a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from yamabiko.pagecache import content_changed
from yamabiko.search.backends import backend_for
from yamabiko.search.documents import BATCH_SIZE, SOURCES, Document
from yamabiko.search.models import Entry
from yamabiko.search.text import index_text

__all__ = ["Key", "entries_refresh", "entries_remove", "index_deferred", "index_rebuild"]

type Key = tuple[str, int]
type Progress = Callable[[int, int], None]

TEXT_FIELDS = ("title", "body", "taxonomy", "facets")
META_FIELDS = ("status", "published_at")

_pending: ContextVar[set[Key] | None] = ContextVar("search_pending", default=None)


def _chunks(items: Sequence[int], size: int = BATCH_SIZE) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _entries_write(kind: str, documents: Sequence[Document]) -> None:
    """Create or update the entries of ``documents``; unchanged ones are left alone."""
    existing = {
        entry.object_id: entry
        for entry in Entry.objects.filter(
            kind=kind, object_id__in=[document.object_id for document in documents]
        )
    }
    created: list[Entry] = []
    text_changed: list[Entry] = []
    meta_changed: list[Entry] = []
    for document in documents:
        values: dict[str, object] = {
            "status": document.status,
            "published_at": document.published_at,
            "title": index_text(document.title),
            "body": index_text(document.body),
            "taxonomy": index_text(document.taxonomy),
            "facets": document.facets,
        }
        entry = existing.get(document.object_id)
        if entry is None:
            created.append(Entry(kind=kind, object_id=document.object_id, **values))
            continue
        changed = {name for name, value in values.items() if getattr(entry, name) != value}
        for name in changed:
            setattr(entry, name, values[name])
        if changed & set(TEXT_FIELDS):
            text_changed.append(entry)
        elif changed:
            meta_changed.append(entry)
    Entry.objects.bulk_create(created)
    # Only text updates touch the full-text index (SQLite's trigger fires on those columns).
    if text_changed:
        Entry.objects.bulk_update(text_changed, [*META_FIELDS, *TEXT_FIELDS])
    if meta_changed:
        Entry.objects.bulk_update(meta_changed, list(META_FIELDS))


def _refresh(kind: str, pks: Sequence[int]) -> None:
    documents = list(SOURCES[kind].documents(pks))
    _entries_write(kind, documents)
    indexed = {document.object_id for document in documents}
    gone = [pk for pk in pks if pk not in indexed]
    if gone:
        Entry.objects.filter(kind=kind, object_id__in=gone).delete()


def entries_refresh(*, keys: Iterable[Key]) -> None:
    """Bring the entries of ``keys`` in line with their objects: add, update or remove.

    An object that is gone, a draft or otherwise not searchable loses its entry.
    """
    pending = _pending.get()
    if pending is not None:
        pending.update(keys)
        return
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, pk in keys:
        by_kind[kind].add(pk)
    with transaction.atomic():
        for kind, pks in by_kind.items():
            for chunk in _chunks(sorted(pks)):
                _refresh(kind, chunk)


def entries_remove(*, keys: Iterable[Key]) -> None:
    """Remove the entries of objects that are being deleted."""
    pending = _pending.get()
    if pending is not None:
        pending.update(keys)
        return
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    for kind, pks in by_kind.items():
        Entry.objects.filter(kind=kind, object_id__in=pks).delete()


@contextmanager
def index_deferred() -> Iterator[None]:
    """Collect index changes made inside the block and apply them once when it ends.

    Nothing is applied when the block raises (its own transaction is expected to roll
    back too). Nested blocks join the outermost one.
    """
    if _pending.get() is not None:
        yield
        return
    pending: set[Key] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    entries_refresh(keys=pending)


def index_rebuild(*, progress: Progress | None = None) -> int:
    """Re-read every searchable object and bring the whole index in line; returns the count.

    Entries whose text did not change are not rewritten, so running it on a current index
    is cheap. Each batch commits on its own: readers and writers are never blocked for
    the whole run.
    """
    wanted = {
        kind: list(source.indexable().values_list("pk", flat=True))
        for kind, source in SOURCES.items()
    }
    total = sum(len(pks) for pks in wanted.values())
    done = 0
    for kind, pks in wanted.items():
        for chunk in _chunks(pks):
            with transaction.atomic():
                _entries_write(kind, list(SOURCES[kind].documents(chunk)))
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        stale = set(Entry.objects.filter(kind=kind).values_list("object_id", flat=True))
        stale.difference_update(pks)
        for chunk in _chunks(sorted(stale)):
            Entry.objects.filter(kind=kind, object_id__in=chunk).delete()
    Entry.objects.exclude(kind__in=list(SOURCES)).delete()
    backend_for().optimize()
    content_changed()  # cached search pages may list what the index held before
    return total
