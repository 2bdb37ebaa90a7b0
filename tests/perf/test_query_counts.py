"""Every public page and feed runs a pinned number of queries, whatever the data.

Each URL is rendered on a realistic site and again after ``site_grow`` has doubled what
it shows (posts on the page, categories and tags per post, comments and linkbacks on the
permalink, entries in every feed and sitemap). An N+1 shows up as a count that moved.
These are cold renders: the test client goes straight to Django, past the page cache (the
sidebar, the same on every page, is kept per content generation).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.perf.site import Site, site_build, site_grow
from yamabiko.posts.models import Blog
from yamabiko.posts.templatetags.classic import sidebar_forget

pytestmark = pytest.mark.django_db

# The sidebar of every HTML page, as kept for the content generation: reading the
# generation. Rendering it (categories, menu pages, months with posts) is 3 more, once per
# generation and process (test_the_sidebar_is_rendered_once_per_generation).
SIDEBAR = 1
SIDEBAR_RENDER = 3
# blog settings, count, posts with author and primary category, their tags, sidebar.
# tests/posts/test_pages.py pins the home page with the sidebar rendered: 3 more.
LISTING = 1 + 1 + 1 + 1 + SIDEBAR
# ... and the category or tag named in the URL, or whether the author has any posts.
SCOPED_LISTING = LISTING + 1
# blog settings, post with author and primary category, tags, categories, comments,
# linkbacks, sidebar: tests/discussion/test_comment_views.py pins it with the sidebar
# rendered, 3 more.
PERMALINK = 1 + 1 + 1 + 1 + 1 + 1 + SIDEBAR
# blog settings, the page lookup that fails, the 404 page's sidebar, the Redirect lookup.
NOT_FOUND = 1 + 1 + SIDEBAR + 1
# The fallback answers only after the 404 page has been rendered; the 410 page then
# renders a sidebar of its own.
GONE = NOT_FOUND + SIDEBAR
# Feed counts as tests/feeds/test_feeds.py pins them: blog settings, when posts last
# changed (posts, removals), count, posts, tags, categories ...
POST_FEED = 7
# ... and the category, tag or author named in the URL.
SCOPED_POST_FEED = 8
# blog settings, when the discussion last changed (comments, linkbacks, posts, removals),
# two counts, comments with their posts, linkbacks with their posts ...
COMMENT_FEED = 9
# ... and the post itself.
POST_COMMENT_FEED = COMMENT_FEED + 1
FEED_SUFFIXES = ("feed/", "feed/atom/", "feed.json")


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int
    queries: int


def expected_answers(site: Site) -> dict[str, Answer]:
    permalink = site.featured.get_absolute_url()
    answers = {
        "/": Answer(status=200, queries=LISTING),
        "/?page=2": Answer(status=200, queries=LISTING),
        permalink: Answer(status=200, queries=PERMALINK),
        "/about/": Answer(status=200, queries=1 + 1 + SIDEBAR),
        "/category/travel/": Answer(status=200, queries=SCOPED_LISTING),
        "/category/travel/mountains/": Answer(status=200, queries=SCOPED_LISTING),
        "/tag/walking/": Answer(status=200, queries=SCOPED_LISTING),
        "/author/kodama/": Answer(status=200, queries=SCOPED_LISTING),
        "/2025/": Answer(status=200, queries=LISTING),
        "/2025/03/": Answer(status=200, queries=LISTING),
        # blog, anything hidden?, count, rank window, ranked hits, posts, category and year
        # filters, sidebar; the FTS5 and the PostgreSQL backends plan alike.
        "/search/?q=heron": Answer(status=200, queries=6 + 2 + SIDEBAR),
        # blog, anything hidden?, window, ranked hits, posts, count
        "/search/suggest/?q=her": Answer(status=200, queries=6),
        # blog, anything hidden?, hits, posts (a feed does not count)
        "/search/feed/?q=heron": Answer(status=200, queries=4),
        # blog, then per section its entries and count (posts, pages) or its entries and
        # their last changes, asked for the lastmod and again for the pages (categories,
        # tags); each is one query however many entries there are.
        "/sitemap.xml": Answer(status=200, queries=11),
        "/sitemap-posts.xml": Answer(status=200, queries=3),
        "/sitemap-pages.xml": Answer(status=200, queries=3),
        "/sitemap-categories.xml": Answer(status=200, queries=3),
        "/sitemap-tags.xml": Answer(status=200, queries=2),
        "/robots.txt": Answer(status=200, queries=1),
        "/no-such-page/": Answer(status=404, queries=NOT_FOUND),
        "/gone/": Answer(status=410, queries=GONE),
        "/old-walk/": Answer(status=301, queries=NOT_FOUND),
        # The receivers answer a GET with 405 and how to use them; only the blog is read.
        f"/trackback/{site.featured.pk}/": Answer(status=405, queries=1),
        "/xmlrpc/": Answer(status=405, queries=1),
        "/webmention/": Answer(status=405, queries=1),
    }
    for suffix in FEED_SUFFIXES:
        answers[f"/{suffix}"] = Answer(status=200, queries=POST_FEED)
        for scope in ("category/travel/", "category/travel/mountains/", "tag/walking/"):
            answers[f"/{scope}{suffix}"] = Answer(status=200, queries=SCOPED_POST_FEED)
        answers[f"/author/kodama/{suffix}"] = Answer(status=200, queries=SCOPED_POST_FEED)
        answers[f"/comments/{suffix}"] = Answer(status=200, queries=COMMENT_FEED)
        answers[f"{permalink}{suffix}"] = Answer(status=200, queries=POST_COMMENT_FEED)
    return answers


def measured_answers(client: Client, urls: list[str]) -> dict[str, Answer]:
    client.get("/")  # the sidebar, rendered once for this generation
    answers = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        answers[url] = Answer(status=response.status_code, queries=len(queries))
    return answers


def moved(expected: dict[str, Answer], measured: dict[str, Answer]) -> dict[str, str]:
    """Every URL whose answer differs, as "expected -> measured", so one failure names all."""
    return {
        url: f"{answer} -> {measured[url]}"
        for url, answer in expected.items()
        if measured[url] != answer
    }


def comments_shown(client: Client, site: Site) -> int:
    page = client.get(site.featured.get_absolute_url()).content
    return page.count(b'class="comment p-comment h-cite"')


def test_every_public_page_and_feed_runs_a_pinned_number_of_queries(
    client: Client, blog: Blog
) -> None:
    site = site_build()
    expected = expected_answers(site)

    assert moved(expected, measured_answers(client, list(expected))) == {}


def test_query_counts_do_not_grow_with_the_data(client: Client, blog: Blog) -> None:
    site = site_build()
    urls = list(expected_answers(site))
    before = measured_answers(client, urls)
    shown_before = client.get("/").content.count(b'class="entry h-entry"')
    thread_before = comments_shown(client, site)

    site_grow(site)

    assert client.get("/").content.count(b'class="entry h-entry"') == 2 * shown_before
    assert comments_shown(client, site) == 2 * thread_before
    assert moved(before, measured_answers(client, urls)) == {}


def test_the_sidebar_is_rendered_once_per_generation(client: Client, blog: Blog) -> None:
    site = site_build()
    urls = ["/", site.featured.get_absolute_url(), "/category/travel/"]
    first = measured_answers_cold(client, urls[0])
    assert first == LISTING + SIDEBAR_RENDER
    assert [measured_answers_cold(client, url, forget=False) for url in urls] == [
        LISTING,
        PERMALINK,
        SCOPED_LISTING,
    ]

    site.featured.title = "Renamed"
    site.featured.save()  # a change moves the generation on: rendered again, once

    assert measured_answers_cold(client, "/", forget=False) == LISTING + SIDEBAR_RENDER
    assert measured_answers_cold(client, "/", forget=False) == LISTING
    assert b"Renamed" in client.get("/").content


def measured_answers_cold(client: Client, url: str, *, forget: bool = True) -> int:
    if forget:
        sidebar_forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
