"""The results page, its feed and the JSON for search as you type, as readers get them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote_from_bytes, urlencode

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CategoryFactory, PageFactory, PostFactory
from tests.search.test_contract import NASTY_QUERIES

pytestmark = pytest.mark.django_db

BAD_QUERY_STRINGS = [
    "",
    "q=",
    "q=%FF",
    "q=%FF%00",
    "q=%00",
    "q=%C0%AF",
    "q=%ED%A0%80",  # an encoded surrogate
    "q=%F4%90%80%80",  # past U+10FFFF
    "q=" + "a" * 1000,
    "q=" + "%E5%B1%B1" * 400,
    "q=%22unbalanced",
    "q=-",
    "q=OR",
    "q=*",
    "q=%5E",
    "q=:",
    "q=NEAR(",
    "q=%27%3B+DROP+TABLE+posts_post%3B+--",
    "q=a&q=b",
    "q[]=x",
    "q=walk&category=%FF",
    "q=walk&category=nowhere",
    "q=walk&year=%00",
    "q=walk&year=99999",
    "q=walk&year=-1",
    "q=walk&page=1",
]


def get_soup(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def search_url(**params: str) -> str:
    return f"/search/?{urlencode(params)}"


def result_titles(page: BeautifulSoup) -> list[str]:
    return [
        " ".join(title.get_text().split()) for title in page.select(".search-result .entry-title")
    ]


def test_results_page_shows_the_count_titles_and_highlighted_snippets(client):
    food = CategoryFactory(name="Food", slug="food")
    post = PostFactory(
        title="Miso soup for one",
        body="Turn off the heat before the miso goes in.",
        categories=[food],
        published_at=datetime(2025, 2, 17, 11, 44, tzinfo=UTC),
    )
    PostFactory(title="Bread", body="Flour, water, salt, miso.")
    PostFactory(title="Nothing here")

    page = get_soup(client, search_url(q="miso"))

    assert page.select_one("h1").get_text() == "Search results for “miso”"
    assert page.select_one(".result-count").get_text() == "2 results"
    assert result_titles(page) == ["Miso soup for one", "Bread"]
    first = page.select_one(".search-result")
    assert first.select_one(".entry-title a")["href"] == post.get_absolute_url()
    assert first.select_one(".entry-title mark").get_text() == "Miso"
    assert [mark.get_text() for mark in first.select(".search-snippet mark")] == ["miso"]
    assert "Category: Food" in first.select_one(".search-meta").get_text()
    assert first.select_one("time")["datetime"].startswith("2025-02-17")
    assert page.select_one("form[role=search] input[name=q]")["value"] == "miso"


def test_markup_in_titles_bodies_and_the_query_comes_out_escaped(client):
    PostFactory(title="<script>alert(1)</script> echo", body="<b>bold</b> echo <img src=x>")

    response = client.get(search_url(q='echo "<script>'))
    page = BeautifulSoup(response.content, "html.parser")

    assert response.status_code == 200
    assert page.select(".search-page script") == []
    assert b"<script>alert(1)" not in response.content
    title = page.select_one(".search-result .entry-title")
    assert title.get_text() == "<script>alert(1)</script> echo"
    assert {tag.name for tag in page.select_one(".search-snippet").find_all(True)} <= {"mark"}
    assert page.select_one("h1").get_text() == 'Search results for “echo "<script>”'


def test_static_pages_show_as_pages(client):
    PageFactory(title="About", slug="about", body="I walk.")

    result = get_soup(client, search_url(q="walk")).select_one(".search-result")

    assert result.select_one(".entry-title a")["href"] == "/about/"
    assert result.select_one(".search-meta").get_text() == "Page"


def test_empty_search_invites_a_word_and_shows_tips(client):
    page = get_soup(client, "/search/")

    assert page.select_one(".empty").get_text() == "Type a word in the Search box above."
    assert page.select_one(".result-count") is None
    assert page.select_one("details.search-tips") is not None


def test_no_results_page_suggests_loosening_the_query(client, blog):
    CategoryFactory(name="Food", slug="food")
    PostFactory(title="Walk", published_at=datetime(2024, 5, 1, tzinfo=UTC))

    page = get_soup(client, search_url(q='"walk home" tag:x', category="food", year="2024"))

    assert page.select_one(".result-count").get_text() == "0 results"
    advice = page.select_one(".search-empty").get_text(" ", strip=True)
    assert "remove the quotation marks" in advice
    assert "fewer words" in advice
    assert "OR" in advice
    assert "tag:" in advice
    without = page.select_one(".search-empty a")
    assert without.get_text() == "search without the category and year filters"
    assert without["href"] == "/search/?q=%22walk+home%22+tag%3Ax"
    assert "There is no tag “x”." in page.select_one(".search-notice").get_text()


def test_category_and_year_filters_narrow_the_results(client):
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    PostFactory(
        title="Kyoto walk", categories=[japan], published_at=datetime(2024, 4, 1, tzinfo=UTC)
    )
    PostFactory(title="Home walk", published_at=datetime(2025, 4, 1, tzinfo=UTC))

    page = get_soup(client, search_url(q="walk", category="travel"))
    assert result_titles(page) == ["Kyoto walk"]
    selected = page.select_one("#search-category option[selected]")
    assert selected["value"] == "travel"
    assert [option["value"] for option in page.select("#search-year option")] == [
        "",
        "2025",
        "2024",
    ]

    assert result_titles(get_soup(client, search_url(q="walk", year="2025"))) == ["Home walk"]
    bad_year = get_soup(client, search_url(q="walk", year="soon"))
    assert "soon is not a year" in bad_year.select_one(".search-notice").get_text()
    assert len(result_titles(bad_year)) == 2


@pytest.mark.parametrize("page", ["0", "4", "abc", "-1", "1.5", "٢"])
def test_result_pages_that_do_not_exist_are_404(client, blog, page):
    blog.posts_per_page = 2
    blog.save()
    PostFactory.create_batch(5, body="heron")

    assert client.get(search_url(q="heron", page=page)).status_code == 404


def test_pagination_keeps_the_query_and_filters(client, blog):
    blog.posts_per_page = 2
    blog.save()
    PostFactory.create_batch(5, body="heron")

    first = get_soup(client, search_url(q="heron", year="", category=""))
    assert first.select_one(".result-count").get_text() == "5 results"
    assert first.select_one(".pagination a[rel=next]")["href"] == "?q=heron&year=&category=&page=2"
    last = get_soup(client, search_url(q="heron", page="3"))
    assert len(last.select(".search-result")) == 1
    assert last.select_one("ol.search-results")["start"] == "5"
    assert last.select_one(".pagination a[rel=next]") is None


def test_results_page_query_count_does_not_grow_with_results(client, blog):
    blog.posts_per_page = 20
    blog.save()
    PageFactory(title="Heron page", body="heron")
    PostFactory.create_batch(2, body="heron")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(search_url(q="heron")).status_code == 200
        return len(queries)

    few = count()
    PostFactory.create_batch(12, body="heron", categories=[CategoryFactory()])
    # blog, anything hidden?, count, rank window, ranked hits, posts, pages, category and
    # year filters, sidebar (generation, then 3 to render it: new posts moved the generation)
    assert few == count() == 13


def test_feed_lists_the_newest_matches_with_absolute_links(client, settings):
    settings.YAMABIKO_SITE_URL = "https://blog.example.org"
    PostFactory(title="Old heron", body="heron", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    new = PostFactory(title="New heron", body="heron <b>x</b> & y")

    response = client.get("/search/feed/?q=heron")
    feed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title.endswith("search for “heron”")
    assert feed.feed.link == "https://blog.example.org/search/?q=heron"
    assert [entry.title for entry in feed.entries] == ["New heron", "Old heron"]
    assert feed.entries[0].link == f"https://blog.example.org{new.get_absolute_url()}"
    assert b"&lt;mark&gt;heron&lt;/mark&gt;" in response.content


def test_feed_query_count_is_fixed(client, blog):
    PostFactory.create_batch(3, body="heron")

    with CaptureQueriesContext(connection) as queries:
        client.get("/search/feed/?q=heron")
    # blog settings, anything hidden?, hits, posts (a feed does not count)
    assert len(queries) == 4


def test_results_page_links_its_feed(client):
    PostFactory(body="heron")

    page = get_soup(client, search_url(q="heron", category="", year="2025"))

    link = page.select_one("link[rel=alternate][type='application/rss+xml']")
    assert link["href"] == "/search/feed/?q=heron&category=&year=2025"
    assert page.select_one("meta[name=robots]")["content"] == "noindex"


def test_suggest_returns_the_top_results_as_json(client):
    for number in range(10):
        PostFactory(title=f"Miso {number}", body="miso soup")
    PostFactory(title="<b>Soup</b>", body="miso soup: 1 < 2 & <tags> go")

    response = client.get("/search/suggest/?q=mis")
    data = json.loads(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert data["query"] == "mis"
    assert data["count"] == 11
    assert len(data["results"]) == 8
    assert data["url"] == "/search/?q=mis"
    first = data["results"][0]
    assert set(first) == {"title", "url", "snippet", "date", "date_text", "category"}
    assert "<mark>" in first["snippet"]
    assert first["date"]
    assert first["date_text"]
    escaped = client.get("/search/suggest/?q=soup").json()["results"]
    snippet = next(item["snippet"] for item in escaped if item["title"] == "<b>Soup</b>")
    assert "1 &lt; 2 &amp;" in snippet


def test_suggest_for_nothing_is_empty(client):
    assert client.get("/search/suggest/?q=").json() == {
        "query": "",
        "count": 0,
        "results": [],
        "url": "/search/?q=",
    }


@pytest.mark.parametrize("query_string", BAD_QUERY_STRINGS)
@pytest.mark.parametrize("path", ["/search/", "/search/feed/", "/search/suggest/"])
def test_bad_query_strings_give_a_normal_answer(client, path, query_string):
    PostFactory(title="Walk", body="walk a b")

    response = client.get(f"{path}?{query_string}")

    assert response.status_code == 200
    if path == "/search/feed/":
        assert feedparser.parse(response.content).bozo == 0


@pytest.mark.parametrize("text", NASTY_QUERIES)
def test_nasty_queries_render_the_page(client, text):
    PostFactory(title="Walk", body="walk a b")

    assert client.get("/search/", {"q": text}).status_code == 200


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=300), raw=st.binary(max_size=60))
def test_any_query_text_or_bytes_gives_a_page(client, text, raw):
    PostFactory.reset_sequence()
    assert client.get("/search/", {"q": text}).status_code == 200
    assert client.get("/search/suggest/", {"q": text}).status_code == 200
    assert client.get(f"/search/?q={quote_from_bytes(raw)}").status_code == 200


def test_search_box_on_every_page_has_the_suggestion_list(client):
    post = PostFactory()
    for url in ["/", post.get_absolute_url(), "/search/?q=x"]:
        page = get_soup(client, url)
        form = page.select_one("form[role=search]")
        assert form["action"] == "/search/"
        assert form["data-suggest-url"] == "/search/suggest/"
        listbox = form.select_one("#search-suggestions[role=listbox]")
        assert listbox.has_attr("hidden")
        assert page.select_one("script[src$='search/search.js']").has_attr("defer")


def test_search_script_and_styles_are_served(client):
    for url in ["/static/search/search.js", "/static/search/search.css"]:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)


def test_reading_pages_never_touches_the_index(client):
    post = PostFactory(categories=[CategoryFactory()])

    for url in ["/", post.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert not [query for query in queries if "search_" in query["sql"]]
