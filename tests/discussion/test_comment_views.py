"""The comment form on the permalink page, with and without JavaScript."""

from __future__ import annotations

import time

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import PostFactory
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.tokens import form_token_issue
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


def set_policy(**values: object) -> None:
    Blog.load()
    Blog.objects.filter(pk=1).update(**values)


def page(client: Client, post: Post, query: str = "") -> BeautifulSoup:
    response = client.get(post.get_absolute_url() + query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def form_fields(post: Post, **overrides: str) -> dict[str, str]:
    fields = {
        "name": "Kodama",
        "email": "kodama@example.org",
        "url": "",
        "body": "Lovely walk.",
        "parent": "",
        "token": form_token_issue(post_id=post.pk, now=time.time() - 30),
        "homepage": "",
    }
    fields.update(overrides)
    return fields


def post_comment(client: Client, post: Post, headers: dict[str, str] | None = None, **fields: str):
    return client.post(f"/comments/{post.pk}/", form_fields(post, **fields), headers=headers or {})


def test_permalink_has_a_form_that_works_without_javascript(client):
    post = PostFactory()

    form = page(client, post).select_one("form#comment-form")

    assert form["method"] == "post"
    assert form["action"] == f"/comments/{post.pk}/"
    names = {field["name"] for field in form.select("input, textarea") if field.get("name")}
    assert {"name", "email", "url", "body", "parent", "token", "homepage", "remember"} <= names
    honeypot = form.select_one("input[name=homepage]")
    assert honeypot["tabindex"] == "-1"
    assert honeypot.find_parent(attrs={"aria-hidden": "true"}) is not None
    assert form.select_one(".loading").get_text() == "Loading…"


def test_approved_comment_redirects_to_its_anchor_and_shows(client):
    set_policy(comment_moderation="none")
    post = PostFactory()

    response = post_comment(client, post)

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    shown = page(client, post)
    item = shown.select_one(f"#comment-{comment.pk}")
    assert item.select_one(".comment-body").get_text(strip=True) == "Lovely walk."
    assert shown.select_one("#comments-heading").get_text() == "Comments (1)"
    home = BeautifulSoup(client.get("/").content, "html.parser")
    assert home.select_one("a.entry-comments").get_text() == "Comment (1)"


def test_held_comment_redirects_to_a_moderation_notice(client):
    post = PostFactory()

    response = post_comment(client, post)

    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}?held=1#comments"
    notice = page(client, post, "?held=1").select_one("#comments .notice")
    assert "awaits moderation" in notice.get_text()
    assert Comment.objects.get().status == CommentStatus.PENDING
    assert page(client, post).select(".comment") == []


def test_javascript_post_gets_json_with_the_rendered_comment(client):
    set_policy(comment_moderation="none")
    post = PostFactory()

    response = post_comment(client, post, headers=JSON)

    assert response.status_code == 201
    payload = response.json()
    comment = Comment.objects.get()
    assert payload["status"] == "approved"
    assert payload["id"] == comment.pk
    item = BeautifulSoup(payload["html"], "html.parser").select_one("li.comment")
    assert item["id"] == f"comment-{comment.pk}"


def test_javascript_post_of_a_held_comment_gets_the_notice(client):
    response = post_comment(client, PostFactory(), headers=JSON)

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert response.json()["html"] == ""
    assert "awaits moderation" in response.json()["message"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Please give a name."),
        ("name", "n" * 101, "too long"),
        ("url", "javascript:alert(1)", "http://"),
        ("url", "https://example.org/" + "a" * 500, "too long"),
        ("body", "", "empty"),
        ("body", "   ", "empty"),
        ("body", "b" * 10_001, "too long"),
        ("email", "not-an-address", "does not look right"),
    ],
)
def test_bad_fields_are_refused_on_the_form_and_nothing_is_stored(client, field, value, message):
    post = PostFactory()

    response = post_comment(client, post, **{field: value})

    assert response.status_code == 400
    error = BeautifulSoup(response.content, "html.parser").select_one(f"#id_{field}-error")
    assert message in error.get_text()
    assert not Comment.objects.exists()

    as_json = post_comment(client, post, headers=JSON, **{field: value})
    assert as_json.status_code == 400
    assert field in as_json.json()["errors"]


def test_reply_link_without_javascript_prefills_the_parent(client):
    set_policy(comment_moderation="none")
    post = PostFactory()
    post_comment(client, post)
    parent = Comment.objects.get()

    shown = page(client, post, f"?replyto={parent.pk}")

    reply = shown.select_one(f"#comment-{parent.pk} a.comment-reply")
    assert reply["href"] == f"?replyto={parent.pk}#comment-form"
    assert shown.select_one("input[name=parent]")["value"] == str(parent.pk)
    post_comment(client, post, body="A reply.", parent=str(parent.pk))
    child = Comment.objects.get(parent=parent)
    nested = page(client, post).select_one(
        f"#comment-{parent.pk} .comment-replies #comment-{child.pk}"
    )
    assert nested is not None


def test_missing_or_forged_token_is_a_readable_403(client):
    post = PostFactory()
    for token in ["", "forged", form_token_issue(post_id=post.pk + 1)]:
        response = post_comment(client, post, token=token)
        assert response.status_code == 403
        heading = BeautifulSoup(response.content, "html.parser").select_one("h1")
        assert heading.get_text() == "Your comment was not accepted"
    assert not Comment.objects.exists()


def test_cross_site_post_is_refused(client):
    post = PostFactory()

    response = post_comment(client, post, headers={"origin": "https://evil.example"})
    referer = post_comment(client, post, headers={"referer": "https://evil.example/page"})

    assert response.status_code == referer.status_code == 403
    assert not Comment.objects.exists()


def test_same_site_origin_is_accepted(client):
    response = post_comment(client, PostFactory(), headers={"origin": "http://testserver"})
    assert response.status_code == 303


def test_posting_too_fast_is_held_as_spam(client):
    set_policy(comment_moderation="none")
    post = PostFactory()

    post_comment(client, post, token=form_token_issue(post_id=post.pk))

    assert Comment.objects.get().status == CommentStatus.SPAM


def test_flood_from_one_ip_gets_a_429_page(client):
    set_policy(comment_rate_per_ip=3, comment_moderation="none")
    post = PostFactory()
    statuses = [post_comment(client, post, body=f"n{n}", email="").status_code for n in range(5)]

    assert statuses == [303, 303, 303, 429, 429]
    last = post_comment(client, post, body="again", email="")
    assert int(last["Retry-After"]) > 0
    assert "Too many comments" in BeautifulSoup(last.content, "html.parser").get_text()
    assert Comment.objects.count() == 3


def test_comments_closed_shows_no_form_and_refuses_posts(client):
    post = PostFactory(allow_comments=False)

    shown = page(client, post)
    assert shown.select_one("form#comment-form") is None
    assert shown.select_one(".comments-closed").get_text() == "Comments are closed."
    response = post_comment(client, post)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_unknown_post_is_404(client):
    assert client.post("/comments/999999/", {}).status_code == 404


def test_get_is_not_allowed(client):
    assert client.get(f"/comments/{PostFactory().pk}/").status_code == 405


def test_remember_me_sets_a_cookie_only_when_asked(client):
    set_policy(comment_moderation="none")
    post = PostFactory()

    plain = post_comment(client, post, body="one")
    assert "yamabiko_commenter" not in plain.cookies

    asked = post_comment(client, post, body="two", remember="on", url="https://kodama.example/")
    assert asked.cookies["yamabiko_commenter"]["httponly"]
    form = page(client, post).select_one("form#comment-form")
    assert form.select_one("input[name=name]")["value"] == "Kodama"
    assert form.select_one("input[name=url]")["value"] == "https://kodama.example/"
    assert form.select_one("input[name=remember]").has_attr("checked")


def test_permalink_query_count_with_a_thread_is_fixed(client, django_assert_num_queries):
    set_policy(comment_moderation="none")
    post = PostFactory()
    Blog.load()
    top = services.comment_submit(
        data=services.CommentInput(post_id=post.pk, author_name="a", body="top", ip_address=None)
    )
    for n in range(4):
        services.comment_submit(
            data=services.CommentInput(
                post_id=post.pk, author_name="b", body=f"reply {n}", parent_id=top.pk
            )
        )

    # blog, post, tags, categories, comments, linkbacks, sidebar (generation, then 3 to
    # render it)
    with django_assert_num_queries(10):
        client.get(post.get_absolute_url())
