"""Conditional GET (ETag, Last-Modified, 304) and Cache-Control on feeds and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.http import http_date

from tests.discussion.factories import CommentFactory
from tests.factories import CategoryFactory, PostFactory, UserFactory
from tests.feeds.conftest import at
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.services import comment_set_status
from yamabiko.feeds.middleware import is_public, page_etag
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db

FEEDS = ["/feed/", "/feed/atom/", "/feed.json", "/comments/feed/"]


@pytest.fixture
def settled(blog: Blog) -> Post:
    """Two posts and a comment, all last touched in the past, so any change now is newer."""
    CategoryFactory(name="Travel", slug="travel")
    PostFactory(title="Older", published_at=at(1))
    post = PostFactory(title="Newer", slug="newer", published_at=at(2))
    CommentFactory(post=post, created_at=at(3))
    Post.objects.update(updated_at=at(2))
    Blog.objects.update(updated_at=at(1))
    return post


def revalidate(client: Client, url: str, response: HttpResponse, header: str) -> HttpResponse:
    if header == "etag":
        return client.get(url, headers={"if-none-match": response["ETag"]})
    return client.get(url, headers={"if-modified-since": response["Last-Modified"]})


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_carry_validators_and_answer_304_to_either(client, settled, url):
    first = client.get(url)

    assert first.status_code == 200
    assert first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    for header in ("etag", "last-modified"):
        again = revalidate(client, url, first, header)
        assert again.status_code == 304, header
        assert again.content == b""
        assert again["Last-Modified"] == first["Last-Modified"]
        assert again["Cache-Control"] == "public, max-age=60"


def test_post_feed_last_modified_is_the_newest_change(client, settled):
    assert client.get("/feed/")["Last-Modified"] == http_date(at(2).timestamp())
    assert client.get("/comments/feed/")["Last-Modified"] == http_date(at(3).timestamp())


def test_if_modified_since_is_answered_before_any_item_is_read(
    client, settled, django_assert_num_queries
):
    first = client.get("/feed/atom/")

    # blog settings, when posts last changed (posts, removals): no count, no items
    with django_assert_num_queries(3):
        assert revalidate(client, "/feed/atom/", first, "last-modified").status_code == 304


def publish_new(post: Post) -> None:
    PostFactory(title="Brand new")


def edit(post: Post) -> None:
    post.title = "Edited"
    services.post_save(post=post)


def unpublish(post: Post) -> None:
    post.status = PostStatus.DRAFT
    services.post_save(post=post)


def delete(post: Post) -> None:
    services.post_delete(post=post)


def go_live(post: Post) -> None:
    scheduled = PostFactory(published_at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - timedelta(seconds=1), updated_at=at(1)
    )


def retitle_blog(post: Post) -> None:
    services.blog_setting_set(key="title", value="A new name")


@pytest.mark.parametrize("change", [publish_new, edit, unpublish, delete, go_live, retitle_blog])
@pytest.mark.parametrize("header", ["etag", "last-modified"])
def test_any_change_to_what_a_post_feed_shows_defeats_the_304(client, settled, change, header):
    first = client.get("/feed/")

    change(settled)

    assert revalidate(client, "/feed/", first, header).status_code == 200


def test_a_new_comment_defeats_the_304_of_the_comment_feed(client, settled):
    first = client.get("/comments/feed/")

    CommentFactory(post=settled)

    for header in ("etag", "last-modified"):
        assert revalidate(client, "/comments/feed/", first, header).status_code == 200


def test_approving_an_old_comment_changes_the_etag(client, settled):
    held = CommentFactory(post=settled, status=CommentStatus.PENDING, created_at=at(2))
    first = client.get("/comments/feed/")

    comment_set_status(comment=Comment.objects.get(pk=held.pk), status=CommentStatus.APPROVED)

    assert revalidate(client, "/comments/feed/", first, "etag").status_code == 200


def test_an_unknown_feed_is_404_even_to_a_conditional_request(client, settled):
    since = http_date(timezone.now().timestamp())

    response = client.get("/category/nothing/feed/", headers={"if-modified-since": since})

    assert response.status_code == 404


def test_feeds_answer_head_and_refuse_post(client, settled):
    assert client.head("/feed/").status_code == 200
    assert client.post("/feed/").status_code == 405


@pytest.mark.parametrize("url", ["/", "/category/travel/", "/2025/03/newer/", "/2025/"])
def test_pages_answer_304_to_a_matching_etag(client, settled, url):
    first = client.get(url)

    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert first["Cache-Control"] == "public, max-age=60"
    again = revalidate(client, url, first, "etag")
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=60"
    # The reader keeps its copy, whose scripts carry the nonce of its own policy.
    assert "Content-Security-Policy" not in again


def test_a_permalink_etag_changes_with_its_discussion(client, settled):
    first = client.get("/2025/03/newer/")

    CommentFactory(post=settled, body="A fresh thought.")

    assert revalidate(client, "/2025/03/newer/", first, "etag").status_code == 200


def test_page_etag_ignores_only_the_form_token_and_expires_daily():
    page = b'<p>x</p><input type="hidden" name="token" value="%s"><p>y</p>'

    same_day = page_etag(page % b"aaa:1", today="2025-03-01")
    assert page_etag(page % b"bbb:2", today="2025-03-01") == same_day
    assert page_etag(page % b"bbb:2", today="2025-03-02") != same_day
    assert page_etag(b"<p>changed</p>" + page % b"aaa:1", today="2025-03-01") != same_day


def test_page_etag_ignores_the_scripts_nonce():
    page = b'<script src="/static/a.js" nonce="%s"></script><p>x</p>'
    assert page_etag(page % b"Abc_1", today="2025-03-01") == page_etag(
        page % b"Xyz-2", today="2025-03-01"
    )


def test_pages_that_may_not_be_stored_get_no_etag(admin_client, settled):
    response = admin_client.get("/admin/")

    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_logged_in_authors_get_no_public_cache_control(client, settled):
    client.force_login(UserFactory(username="editor"))

    for url in ["/", "/feed/", "/2025/03/newer/"]:
        response = client.get(url)
        assert "public" not in response.get("Cache-Control", ""), url


def test_readers_with_cookies_get_no_public_cache_control(client, settled):
    client.cookies["yamabiko_commenter"] = "remembered"

    response = client.get("/2025/03/newer/")

    assert "public" not in response.get("Cache-Control", "")


def test_public_responses_vary_on_cookie(client, settled):
    assert "Cookie" in client.get("/")["Vary"]


def test_only_anonymous_cookieless_successful_safe_requests_are_public():
    factory = RequestFactory()

    def request(method: str = "get", **cookies: str) -> object:
        made = getattr(factory, method)("/")
        made.user = AnonymousUser()
        made.COOKIES.update(cookies)
        return made

    assert is_public(request(), HttpResponse())
    assert is_public(request("head"), HttpResponse(status=304))
    assert not is_public(request("post"), HttpResponse())
    assert not is_public(request(sessionid="x"), HttpResponse())
    assert not is_public(request(), HttpResponse(status=404))
    with_cookie = HttpResponse()
    with_cookie.set_cookie("csrftoken", "x")
    assert not is_public(request(), with_cookie)
    private = HttpResponse(headers={"Cache-Control": "no-cache"})
    assert not is_public(request(), private)
