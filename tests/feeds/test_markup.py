"""What parsers read from our pages: microformats2, Open Graph, JSON-LD, feed autodiscovery."""

from __future__ import annotations

import json
from typing import Any

import mf2py
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.discussion.factories import CommentFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from tests.feeds.conftest import SITE, at, linkback_for
from yamabiko.feeds.pagemeta import json_for_script, text_direction
from yamabiko.posts import services
from yamabiko.posts.models import Post

pytestmark = pytest.mark.django_db


def page_of(client: Client, url: str) -> tuple[BeautifulSoup, str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    return BeautifulSoup(html, "html.parser"), html


def h_entries(html: str, url: str) -> list[dict[str, Any]]:
    parsed = mf2py.parse(doc=html, url=f"{SITE}{url}")
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "h-entry" in item["type"]:
                found.append(item)
            walk(item.get("children", []))

    walk(parsed["items"])
    return found


@pytest.fixture
def post(blog) -> Post:
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    walking = TagFactory(name="walking", slug="walking")
    author = UserFactory(username="kodama", first_name="Kodama")
    post = PostFactory(
        title="Spring walk",
        slug="spring-walk",
        body="The *river* was loud.\n\n![A heron](/media/heron.jpg)",
        excerpt="A walk by a loud river.",
        published_at=at(2, 11, 44),
        categories=[travel, japan],
        tags=[walking],
        author=author,
    )
    CommentFactory(post=post, author_name="Hana", author_url="https://hana.example/", body="Nice!")
    linkback_for(post, title="My own walk", source_url="https://other.example/walk")
    return post


def test_the_permalink_is_one_h_entry_with_every_property(client, post):
    _, html = page_of(client, "/2025/03/spring-walk/")

    entries = h_entries(html, "/2025/03/spring-walk/")
    assert len(entries) == 1
    props = entries[0]["properties"]
    assert props["name"] == ["Spring walk"]
    assert props["url"] == [f"{SITE}/2025/03/spring-walk/"]
    assert props["published"] == ["2025-03-02T11:44:00+0000"]
    assert "The river was loud." in props["content"][0]["value"]
    assert "<em>river</em>" in props["content"][0]["html"]
    assert props["category"] == ["Travel", "walking", "Japan"]
    author = props["author"][0]
    assert author["type"] == ["h-card"]
    assert author["properties"]["name"] == ["kodama"]
    assert author["properties"]["url"] == [f"{SITE}/author/kodama/"]
    comments = props["comment"]
    assert [comment["type"] for comment in comments] == [["h-cite"], ["h-cite"]]
    hana = comments[0]["properties"]
    assert hana["author"][0]["properties"]["name"] == ["Hana"]
    assert hana["author"][0]["properties"]["url"] == ["https://hana.example/"]
    assert "Nice!" in hana["content"][0]["value"]
    linkback = comments[1]["properties"]
    assert linkback["name"] == ["My own walk"]
    assert linkback["url"] == ["https://other.example/walk"]


def test_list_pages_are_an_h_feed_of_h_entries(client, post):
    PostFactory(title="Another walk", published_at=at(1))
    _, html = page_of(client, "/")

    parsed = mf2py.parse(doc=html, url=f"{SITE}/")
    feeds = [item for item in parsed["items"] if "h-feed" in item["type"]]
    assert len(feeds) == 1
    assert feeds[0]["properties"]["name"] == ["Yamabiko"]
    children = feeds[0]["children"]
    assert [child["properties"]["name"] for child in children] == [
        ["Spring walk"],
        ["Another walk"],
    ]
    first = children[0]["properties"]
    assert first["url"] == [f"{SITE}/2025/03/spring-walk/"]
    assert first["published"] == ["2025-03-02T11:44:00+0000"]
    assert first["category"] == ["Travel"]
    assert first["author"][0]["properties"]["name"] == ["kodama"]
    assert "content" in first


def test_open_graph_twitter_and_canonical_on_the_permalink(client, post):
    soup, _ = page_of(client, "/2025/03/spring-walk/")

    def meta(key: str) -> list[str]:
        tags = soup.select(f'meta[property="{key}"]') or soup.select(f'meta[name="{key}"]')
        return [tag["content"] for tag in tags]

    url = f"{SITE}/2025/03/spring-walk/"
    assert [link["href"] for link in soup.select('link[rel="canonical"]')] == [url]
    assert meta("og:title") == ["Spring walk"]
    assert meta("og:type") == ["article"]
    assert meta("og:url") == [url]
    assert meta("og:description") == ["A walk by a loud river."]
    assert meta("og:site_name") == ["Yamabiko"]
    assert meta("og:image") == [f"{SITE}/media/heron.jpg"]
    assert meta("article:published_time") == ["2025-03-02T11:44:00Z"]
    assert meta("article:section") == ["Travel"]
    assert meta("article:tag") == ["walking"]
    assert meta("twitter:card") == ["summary_large_image"]
    assert meta("twitter:title") == ["Spring walk"]
    assert meta("twitter:image") == [f"{SITE}/media/heron.jpg"]


def test_json_ld_blog_posting_on_the_permalink(client, post):
    soup, _ = page_of(client, "/2025/03/spring-walk/")

    scripts = soup.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    url = f"{SITE}/2025/03/spring-walk/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Spring walk"
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"] == "2025-03-02T11:44:00Z"
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == {"@type": "Person", "name": "Kodama", "url": f"{SITE}/author/kodama/"}
    assert data["publisher"]["name"] == "Yamabiko"
    assert data["image"] == f"{SITE}/media/heron.jpg"
    assert data["keywords"] == ["walking"]


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, blog):
    evil = "</script><script>alert(1)</script><!-- & more"
    PostFactory(title=evil, slug="evil", published_at=at(1))

    soup, html = page_of(client, "/2025/03/evil/")

    assert "<script>alert(1)" not in html
    script = soup.select_one('script[type="application/ld+json"]')
    assert json.loads(script.string)["headline"] == evil
    assert "<" not in str(json_for_script({"a": evil})).replace("\\u003C", "")


def test_every_page_links_the_site_feeds_and_its_own(client, post):
    PageFactory(title="About", slug="about")
    site = [
        ("application/rss+xml", f"{SITE}/feed/"),
        ("application/atom+xml", f"{SITE}/feed/atom/"),
        ("application/feed+json", f"{SITE}/feed.json"),
        ("application/rss+xml", f"{SITE}/comments/feed/"),
    ]
    own = {
        "/": [],
        "/about/": [],
        "/2025/": [],
        "/search/?q=walk": [],
        "/category/travel/": [
            ("application/rss+xml", f"{SITE}/category/travel/feed/"),
            ("application/atom+xml", f"{SITE}/category/travel/feed/atom/"),
            ("application/feed+json", f"{SITE}/category/travel/feed.json"),
        ],
        "/category/travel/japan/": [
            ("application/rss+xml", f"{SITE}/category/travel/japan/feed/"),
            ("application/atom+xml", f"{SITE}/category/travel/japan/feed/atom/"),
            ("application/feed+json", f"{SITE}/category/travel/japan/feed.json"),
        ],
        "/tag/walking/": [
            ("application/rss+xml", f"{SITE}/tag/walking/feed/"),
            ("application/atom+xml", f"{SITE}/tag/walking/feed/atom/"),
            ("application/feed+json", f"{SITE}/tag/walking/feed.json"),
        ],
        "/author/kodama/": [
            ("application/rss+xml", f"{SITE}/author/kodama/feed/"),
            ("application/atom+xml", f"{SITE}/author/kodama/feed/atom/"),
            ("application/feed+json", f"{SITE}/author/kodama/feed.json"),
        ],
        "/2025/03/spring-walk/": [
            ("application/rss+xml", f"{SITE}/2025/03/spring-walk/feed/"),
            ("application/atom+xml", f"{SITE}/2025/03/spring-walk/feed/atom/"),
            ("application/feed+json", f"{SITE}/2025/03/spring-walk/feed.json"),
        ],
    }
    for url, expected in own.items():
        soup, _ = page_of(client, url)
        links = [
            (link["type"], link["href"])
            for link in soup.select('head link[rel="alternate"]')
            if "search" not in link["href"]
        ]
        assert links == site + expected, url
        for _, href in links:
            assert client.get(href.removeprefix(SITE)).status_code == 200, href


def test_canonical_links_on_list_pages_keep_only_the_page_number(client, blog):
    blog.posts_per_page = 1
    blog.save()
    PostFactory.create_batch(2)

    def canonical(url: str) -> str:
        return page_of(client, url)[0].select_one('link[rel="canonical"]')["href"]

    assert canonical("/") == f"{SITE}/"
    assert canonical("/?page=2&utm_source=x") == f"{SITE}/?page=2"
    assert canonical("/search/?q=walk") == f"{SITE}/search/?q=walk"


def test_list_pages_say_website_in_open_graph(client, post):
    soup, _ = page_of(client, "/category/travel/")

    assert soup.select_one('meta[property="og:type"]')["content"] == "website"
    assert soup.select_one('meta[property="og:title"]')["content"] == "Category: Travel"
    assert soup.select_one('meta[name="twitter:card"]')["content"] == "summary"
    assert soup.select_one('script[type="application/ld+json"]') is None


@pytest.mark.parametrize("language", ["en", "ja", "ko", "zh-hans"])
def test_lang_and_dir_follow_the_blogs_language(client, blog, language):
    services.blog_setting_set(key="language", value=language)

    root = page_of(client, "/")[0].html

    assert root["lang"] == language
    assert root["dir"] == "ltr"


def test_right_to_left_languages_get_dir_rtl():
    assert text_direction("ar") == "rtl"
    assert text_direction("he") == "rtl"
    assert text_direction("ja") == "ltr"
    assert text_direction("no-such-language") == "ltr"


def test_page_metadata_adds_no_queries(client, post, django_assert_num_queries):
    # blog settings, post with author and category, tags, categories, comments, linkbacks,
    # sidebar (generation, then 3 to render it): the same as tests/posts pins without any of
    # this markup
    with django_assert_num_queries(10):
        page_of(client, "/2025/03/spring-walk/")
