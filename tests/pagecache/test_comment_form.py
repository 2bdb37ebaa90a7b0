"""The comment form works from a cached page: its signed token is not bound to anyone."""

from __future__ import annotations

import time

import pytest
from bs4 import BeautifulSoup

from tests.factories import PostFactory
from tests.pagecache.conftest import Server
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.spam.values import Policy
from yamabiko.posts.models import Blog

pytestmark = pytest.mark.django_db


def test_comment_posted_from_a_cached_page_is_accepted_and_shows(server: Server, blog: Blog):
    Blog.objects.filter(pk=1).update(comment_moderation="none")
    post = PostFactory(title="Echo valley")
    url = post.get_absolute_url()
    server.get(url)
    cached = server.get(url)
    assert cached.cache == "hit"
    form = BeautifulSoup(cached.body, "html.parser").select_one("form#comment-form")
    fields = {
        field["name"]: field.get("value", "")
        for field in form.select("input, textarea")
        if field.get("name") and field.get("type") != "checkbox"
    }
    fields.update(name="Kodama", email="kodama@example.org", body="Heard it from the ridge.")
    # A person takes a moment to write; quicker than the spam filter's minimum looks robotic.
    time.sleep(Policy().min_form_seconds + 0.1)

    answer = server.request(
        "POST", form["action"], data=fields, headers={"origin": "http://testserver"}
    )

    assert answer.status == 303
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.APPROVED
    assert answer.headers["Location"] == f"{url}#comment-{comment.pk}"
    after = server.get(url)
    assert after.cache == "miss"
    assert b"Heard it from the ridge." in after.body


def test_comment_from_another_site_is_refused_and_nothing_is_stored(server: Server, blog: Blog):
    post = PostFactory(title="Echo valley")
    cached = server.get(post.get_absolute_url())
    token = BeautifulSoup(cached.body, "html.parser").select_one("input[name=token]")["value"]

    answer = server.request(
        "POST",
        f"/comments/{post.pk}/",
        data={"name": "X", "body": "Buy now", "token": token},
        headers={"origin": "https://elsewhere.example"},
    )

    assert answer.status == 403
    assert answer.cache is None
    assert not Comment.objects.exists()
    assert server.get(post.get_absolute_url()).cache == "hit"
