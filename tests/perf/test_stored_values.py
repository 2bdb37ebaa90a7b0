"""Pages show what was stored at write time: the discussion counters and rendered HTML.

"Comment (N)" and "Trackback (N)" read ``Post.comment_count`` and ``trackback_count``,
which the discussion services keep; Markdown is rendered when a post, page or comment is
saved. A cold render therefore neither counts rows nor runs the Markdown parser.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from markdown_it import MarkdownIt

from tests.discussion.factories import CommentFactory, LinkbackFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from yamabiko.core import text
from yamabiko.posts.models import Page as StaticPage
from yamabiko.posts.models import Post

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/", "/category/travel/", "/tag/walking/", "/author/kodama/", "/2025/", "/2025/03/"]


@pytest.fixture
def post() -> Post:
    post = PostFactory(
        title="Spring walk",
        author=UserFactory(username="kodama"),
        published_at=datetime(2025, 3, 20, 12, tzinfo=UTC),
        body="A *heron* by the river.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        extended="More about the **walk**.",
        categories=[CategoryFactory(name="Travel", slug="travel")],
        tags=[TagFactory(name="walking", slug="walking")],
    )
    reply_to = CommentFactory(post=post, body="What a *lovely* walk.")
    CommentFactory(post=post, parent=reply_to, body="Thank **you**.")
    LinkbackFactory(post=post)
    return post


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_show_the_stored_discussion_counters_without_counting(
    client: Client, post: Post, url: str
) -> None:
    # Numbers no real count could give: the page can only have them from the counters.
    Post.objects.filter(pk=post.pk).update(comment_count=4242, trackback_count=4343)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    # Shown grouped, as the blog's language writes numbers.
    assert "Comment (4,242)" in response.text
    assert "Trackback (4,343)" in response.text
    discussion_tables = ("discussion_comment", "discussion_linkback")
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in discussion_tables)]


def test_permalink_headings_show_the_stored_discussion_counters(client: Client, post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(comment_count=4242, trackback_count=4343)

    response = client.get(post.get_absolute_url())

    assert 'Comments (<span class="comment-count">4,242</span>)' in response.text
    assert "Trackbacks (4,343)" in response.text
    # The permalink reads the thread itself, but never counts it.
    with CaptureQueriesContext(connection) as queries:
        client.get(post.get_absolute_url())
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def markdown_forbidden(*args: object, **kwargs: object) -> str:
    raise AssertionError("Markdown was rendered while serving a page")


@pytest.fixture
def no_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way into markdown-it fail: our helpers and the library's own entry."""
    for name in ("render_markdown", "render_body", "render_comment", "render_comment_body"):
        monkeypatch.setattr(text, name, markdown_forbidden)
    monkeypatch.setattr(MarkdownIt, "render", markdown_forbidden)
    monkeypatch.setattr(MarkdownIt, "parse", markdown_forbidden)


@pytest.fixture
def static_page() -> StaticPage:
    return PageFactory(slug="about", body="About *this* blog.")


def test_pages_and_feeds_serve_stored_html_without_rendering_markdown(
    client: Client, post: Post, static_page: StaticPage, no_markdown: None
) -> None:
    permalink = post.get_absolute_url()
    urls = [
        *LIST_PAGES,
        permalink,
        static_page.get_absolute_url(),
        "/search/?q=heron",
        "/feed/",
        "/feed/atom/",
        "/feed.json",
        "/comments/feed/",
        f"{permalink}feed/",
    ]

    answers = {url: client.get(url) for url in urls}

    assert {url: response.status_code for url, response in answers.items()} == dict.fromkeys(
        urls, 200
    )
    assert "<em>heron</em>" in answers[permalink].text
    assert "<strong>walk</strong>" in answers[permalink].text
    assert "<em>lovely</em>" in answers[permalink].text
    assert "<em>this</em>" in answers[static_page.get_absolute_url()].text
