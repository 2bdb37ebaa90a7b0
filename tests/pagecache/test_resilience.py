"""A cache that fails is only slower; writes that skip model signals still reach it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import LazySettings
from django.core.cache.backends.locmem import LocMemCache

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory
from tests.pagecache.conftest import Server
from yamabiko.discussion.services import comment_count_refresh
from yamabiko.pagecache.generation import generation_current
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db


class BrokenCache(LocMemCache):
    """A cache whose server went away: every read and write raises."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache server unreachable")

    def set(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache server unreachable")


def test_an_unreachable_cache_is_bypassed_not_a_500(
    server: Server, blog: Blog, settings: LazySettings
) -> None:
    PostFactory(title="Still readable")
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": f"{__name__}.BrokenCache", "LOCATION": "broken"},
    }
    for _ in range(2):
        answer = server.request("GET", "/")
        assert answer.status == 200
        assert b"Still readable" in answer.body
    assert server.django_calls == 2


def test_a_counter_refresh_alone_makes_cached_pages_stale(server: Server, blog: Blog) -> None:
    post = PostFactory(title="Counted")
    CommentFactory(post=post)
    Post.objects.filter(pk=post.pk).update(comment_count=0)
    before = generation_current()
    comment_count_refresh(post_id=post.pk)
    assert generation_current() > before
    answer = server.request("GET", "/")
    assert b"Comment (1)" in answer.body


def test_raw_saves_leave_the_generation_alone(blog: Blog) -> None:
    post = PostFactory(title="Raw")
    before = generation_current()
    post.save_base(raw=True)
    assert generation_current() == before
