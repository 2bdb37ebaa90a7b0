"""Hits answered before Django, 304s, HEAD, and what never enters or leaves the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory, UserFactory
from tests.pagecache.conftest import Server
from yamabiko.discussion.threads import REMEMBER_COOKIE, remember_value
from yamabiko.pagecache.store import response_storable
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(blog: Blog) -> Post:
    return PostFactory(title="Echo valley")


def stored_files(where: Path) -> list[Path]:
    return list(where.glob("*.djcache")) if where.exists() else []


@pytest.mark.parametrize("path", ["/", "/feed/", "/feed/atom/", "/feed.json", "PERMALINK"])
def test_second_get_is_a_hit_answered_without_django(server: Server, post: Post, path: str):
    url = post.get_absolute_url() if path == "PERMALINK" else path
    first = server.get(url)
    assert first.status == 200
    assert first.cache == "miss"
    assert server.django_calls == 1

    with CaptureQueriesContext(connection) as queries:
        second = server.get(url)

    assert second.cache == "hit"
    assert server.django_calls == 1
    assert len(queries) == 1  # the generation, nothing else
    assert "pagecache_generation" in queries[0]["sql"]
    assert second.status == 200
    assert second.body == first.body
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert int(second.headers["Content-Length"]) == len(first.body)


def test_hit_answers_304_when_if_none_match_names_its_etag(server: Server, post: Post):
    first = server.get("/")
    second = server.get("/", headers={"if-none-match": first.headers["ETag"]})

    assert second.status == 304
    assert second.cache == "hit"
    assert second.body == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert server.get("/", headers={"if-none-match": '"other"'}).status == 200


def test_head_is_answered_from_the_get_entry_without_a_body(server: Server, post: Post):
    first = server.get("/")
    head = server.request("HEAD", "/")

    assert head.cache == "hit"
    assert head.body == b""
    assert int(head.headers["Content-Length"]) == len(first.body)


def test_head_miss_is_not_stored(server: Server, post: Post):
    assert server.request("HEAD", "/").cache == "miss"
    assert server.get("/").cache == "miss"


def test_query_string_and_host_are_part_of_the_key(server: Server, post: Post):
    server.get("/")
    assert server.get("/?page=1").cache == "miss"
    assert server.get("/", headers={"host": "other.testserver"}).status == 400
    assert server.get("/").cache == "hit"


def test_turned_off_the_cache_passes_everything_to_django(
    server: Server, post: Post, settings, pages_dir
):
    settings.YAMABIKO_PAGE_CACHE = False
    first = server.get("/")
    second = server.get("/")

    assert first.cache is None
    assert second.cache is None
    assert server.django_calls == 2
    assert stored_files(pages_dir) == []


def test_logged_in_page_is_never_stored_nor_served_from_the_cache(
    server: Server, post: Post, client: Client, pages_dir
):
    author = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(author)
    session = {"sessionid": client.cookies["sessionid"].value}

    personal = server.get("/", cookies=session)
    assert personal.cache is None
    assert stored_files(pages_dir) == []

    anonymous = server.get("/")
    assert anonymous.cache == "miss"
    again = server.get("/", cookies=session)
    assert again.cache is None
    assert server.django_calls == 3
    assert len(stored_files(pages_dir)) == 1  # the anonymous copy alone


def test_a_signed_in_user_is_never_stored_even_if_asked():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    response = HttpResponse("<p>hi</p>", content_type="text/html")

    assert not response_storable(request, response)


def test_a_remembered_commenters_filled_in_form_stays_theirs(server: Server, post: Post, pages_dir):
    comment = CommentFactory(post=post, author_email="kodama@example.org")
    cookie = {REMEMBER_COOKIE: remember_value(comment)}

    personal = server.get(post.get_absolute_url(), cookies=cookie)

    assert b"kodama@example.org" in personal.body
    assert personal.cache is None
    assert stored_files(pages_dir) == []
    anonymous = server.get(post.get_absolute_url())
    assert anonymous.cache == "miss"
    assert b"kodama@example.org" not in anonymous.body
    assert server.get(post.get_absolute_url(), cookies=cookie).cache is None


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "messages", "yamabiko_commenter"])
def test_a_personal_cookie_bypasses_the_cache(server: Server, post: Post, cookie: str, settings):
    names = {"sessionid": settings.SESSION_COOKIE_NAME, "csrftoken": settings.CSRF_COOKIE_NAME}
    server.get("/")

    bypassed = server.get("/", cookies={names.get(cookie, cookie): "x"})

    assert bypassed.cache is None


def test_an_unrelated_cookie_still_gets_the_cached_page(server: Server, post: Post):
    server.get("/")
    assert server.get("/", cookies={"_ga": "GA1.1"}).cache == "hit"


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/static/posts/classic.css"])
def test_admin_and_static_paths_are_never_cached(server: Server, post: Post, path: str, pages_dir):
    server.get(path)
    assert server.get(path).cache is None
    assert stored_files(pages_dir) == []


def test_posts_are_never_stored(server: Server, post: Post, pages_dir):
    answer = server.request("POST", f"/comments/{post.pk}/", data={"name": "", "body": ""})

    assert answer.status == 400  # the page again, with the form's errors
    assert answer.cache is None
    assert stored_files(pages_dir) == []
    assert server.get(post.get_absolute_url()).cache == "miss"


def test_a_response_that_sets_a_cookie_is_not_stored():
    request = RequestFactory().get("/")
    response = HttpResponse("<p>hi</p>", content_type="text/html")
    assert response_storable(request, response)

    response.set_cookie("sessionid", "abc")

    assert not response_storable(request, response)


@pytest.mark.parametrize(
    ("header", "value"),
    [("Cache-Control", "private"), ("Cache-Control", "no-store"), ("Vary", "Accept-Language")],
)
def test_a_response_marked_private_or_varying_is_not_stored(header: str, value: str):
    response = HttpResponse("<p>hi</p>", content_type="text/html")
    response[header] = value
    assert not response_storable(RequestFactory().get("/"), response)


def test_requests_through_the_test_client_are_untouched(client: Client, post: Post):
    # Only the WSGI wrapper looks pages up; inside Django the middleware costs nothing.
    response = client.get("/")
    assert "X-Yamabiko-Cache" not in response


def test_a_hit_carries_one_cache_header(server: Server, post: Post) -> None:
    server.request("GET", "/")
    factory = RequestFactory()
    seen: list[list[tuple[str, str]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None):
        seen.append(headers)

    environ = factory.get("/").environ
    list(server.application(environ, start_response))
    values = [value for name, value in seen[0] if name == "X-Yamabiko-Cache"]
    assert values == ["hit"]
