"""Writing the index: signals in the same transaction, deferral for bulk work, rebuilding."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PostFactory
from yamabiko.posts.models import Post
from yamabiko.search.models import Entry
from yamabiko.search.results import search_prepare
from yamabiko.search.services import entries_refresh, index_deferred, index_rebuild

pytestmark = pytest.mark.django_db


def count(text: str) -> int:
    return search_prepare(text=text).results.count()


def test_saving_counters_does_not_touch_the_index():
    post = PostFactory()
    post.comment_count = 3

    with CaptureQueriesContext(connection) as queries:
        post.save(update_fields=["comment_count"])

    assert not [query for query in queries if "search_" in query["sql"]]


def test_deferred_changes_apply_once_at_the_end():
    with index_deferred():
        PostFactory(title="Deferred heron")
        with index_deferred():
            PostFactory(title="Nested heron")
        assert not Entry.objects.exists()
    assert count("heron") == 2


def fail_while_deferred() -> None:
    with index_deferred():
        PostFactory(title="Heron")
        raise RuntimeError


def test_deferred_changes_are_dropped_when_the_block_fails():
    with pytest.raises(RuntimeError):
        fail_while_deferred()
    assert not Entry.objects.exists()


def test_refreshing_an_unchanged_entry_writes_nothing():
    post = PostFactory(title="Heron")

    with CaptureQueriesContext(connection) as queries:
        entries_refresh(keys=[("post", post.pk)])

    assert not [query for query in queries if query["sql"].startswith(("UPDATE", "INSERT"))]


def test_rebuild_restores_a_damaged_index_and_reports_progress():
    kept = PostFactory(title="Heron")
    PostFactory(title="Egret")
    Entry.objects.filter(object_id=kept.pk).delete()
    Entry.objects.create(
        kind="post", object_id=10**9, status="published", title="ghost", body="", taxonomy=""
    )
    Entry.objects.create(
        kind="retired", object_id=1, status="published", title="old", body="", taxonomy=""
    )
    Post.objects.filter(pk=kept.pk).update(title="Grey heron")
    seen: list[tuple[int, int]] = []

    assert index_rebuild(progress=lambda done, total: seen.append((done, total))) == 2

    assert seen[-1] == (2, 2)
    assert count("grey heron") == 1
    assert count("ghost") == 0
    assert set(Entry.objects.values_list("kind", flat=True)) == {"post"}
