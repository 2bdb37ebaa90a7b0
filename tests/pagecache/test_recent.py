"""The in-memory copies of recently served entries: bounded, and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.factories import PostFactory
from tests.pagecache.conftest import Server
from yamabiko.pagecache.store import Entry, RecentEntries
from yamabiko.posts import services
from yamabiko.posts.models import Blog


def entry(size: int) -> Entry:
    return Entry(status=200, headers=(), body=b"x" * size)


def test_the_least_recently_used_go_first_when_the_size_is_reached() -> None:
    recent = RecentEntries(max_bytes=100)
    recent.put("a", entry(40))
    recent.put("b", entry(40))
    assert recent.get("a") is not None  # "b" is now the oldest

    recent.put("c", entry(40))

    assert recent.get("b") is None
    assert recent.get("a") is not None
    assert recent.get("c") is not None
    assert recent.size == 80


def test_an_entry_larger_than_the_whole_budget_is_not_kept() -> None:
    recent = RecentEntries(max_bytes=100)
    recent.put("a", entry(40))
    recent.put("huge", entry(101))
    assert recent.get("huge") is None
    assert recent.get("a") is not None


def test_storing_a_key_again_replaces_it_without_counting_it_twice() -> None:
    recent = RecentEntries(max_bytes=100)
    recent.put("a", entry(40))
    recent.put("a", entry(30))
    assert recent.size == 30


@pytest.mark.django_db
def test_a_hit_is_served_from_memory_and_a_change_still_reaches_it(
    server: Server, blog: Blog, pages_dir: Path
) -> None:
    post = PostFactory(title="Echo valley")
    assert server.get("/").cache == "miss"
    shutil.rmtree(pages_dir)  # the shared cache lost everything; this process remembers

    assert server.get("/").cache == "hit"

    post.title = "Echo valley at dawn"
    services.post_save(post=post)
    after = server.get("/")
    assert after.cache == "miss"
    assert b"Echo valley at dawn" in after.body
