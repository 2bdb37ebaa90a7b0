"""The demo site is searchable in English, Japanese and Korean, ranked sensibly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.factories import UserFactory
from yamabiko.posts.demo import demo_load
from yamabiko.posts.models import Post
from yamabiko.search.results import search_prepare

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> User:
    author = UserFactory()
    assert demo_load(author=author) is True
    return author


def titles(text: str) -> list[str]:
    return [result.title for result in search_prepare(text=text).results[0:20]]


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("山びこ", "山びこを聞きに行った日"),
        ("miso", "Miso soup for one, properly"),
        ("된장", "된장찌개를 처음 끓인 날"),
        ("된장찌개", "된장찌개를 처음 끓인 날"),
    ],
)
def test_demo_title_words_rank_their_post_first(query, first):
    assert titles(query)[0] == first


@pytest.mark.usefixtures("loaded")
def test_demo_echo_finds_the_echo_posts_with_title_matches_first():
    found = titles("echo")
    echo_titles = [title for title in found if "echo" in title.lower()]

    assert len(found) >= 4
    assert found[: len(echo_titles)] == echo_titles
    assert len(echo_titles) >= 2


@pytest.mark.usefixtures("loaded")
def test_demo_search_finds_only_live_posts():
    found = set(titles("the"))
    hidden = set(Post.objects.exclude(pk__in=Post.objects.live()).values_list("title", flat=True))

    assert hidden
    assert not found & hidden


@pytest.mark.usefixtures("loaded")
def test_demo_mixed_and_filtered_queries():
    assert titles("echo 山びこ")[0] == "山びこを聞きに行った日"
    assert "Miso soup for one, properly" in titles("category:kitchen miso")
    assert "Miso soup for one, properly" not in titles("miso -soup")
    assert set(titles("category:kitchen miso")) <= set(titles("miso"))
