"""/sitemap.xml and /robots.txt: what a crawler is told exists, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory
from tests.feeds.conftest import SITE, at
from yamabiko.posts.models import Page, Post, PostStatus

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def read(client: Client, url: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def locations(client: Client, url: str) -> dict[str, str]:
    """loc -> lastmod of a sitemap section."""
    root = read(client, url)
    return {
        entry.findtext("s:loc", namespaces=NS): entry.findtext("s:lastmod", namespaces=NS)
        for entry in root.findall("s:url", NS)
    }


@pytest.fixture
def content(blog):
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    CategoryFactory(name="Empty", slug="empty")
    secret = CategoryFactory(name="Secret", slug="secret")
    walking = TagFactory(name="walking", slug="walking")
    TagFactory(name="unused", slug="unused")
    hidden = TagFactory(name="hidden", slug="hidden")
    PostFactory(title="Kyoto", slug="kyoto", published_at=at(2), categories=[japan], tags=[walking])
    PostFactory(title="Lisbon", slug="lisbon", published_at=at(5), categories=[travel])
    PostFactory(
        slug="draft", status=PostStatus.DRAFT, categories=[secret], tags=[hidden], published_at=None
    )
    PostFactory(slug="later", published_at=timezone.now() + timedelta(days=1), categories=[secret])
    PageFactory(title="About", slug="about")
    PageFactory(title="Hidden page", slug="hidden-page", status="draft")


def test_the_index_lists_every_section_at_absolute_urls(client, content):
    root = read(client, "/sitemap.xml")

    listed = [entry.findtext("s:loc", namespaces=NS) for entry in root.findall("s:sitemap", NS)]
    assert listed == [
        f"{SITE}/sitemap-posts.xml",
        f"{SITE}/sitemap-pages.xml",
        f"{SITE}/sitemap-categories.xml",
        f"{SITE}/sitemap-tags.xml",
    ]
    lastmods = [
        entry.findtext("s:lastmod", namespaces=NS) for entry in root.findall("s:sitemap", NS)
    ]
    assert all(lastmods)


def test_sitemap_entries_equal_the_published_content(client, content):
    posts = locations(client, "/sitemap-posts.xml")
    pages = locations(client, "/sitemap-pages.xml")
    categories = locations(client, "/sitemap-categories.xml")
    tags = locations(client, "/sitemap-tags.xml")

    live = Post.objects.live()
    assert set(posts) == {f"{SITE}{post.get_absolute_url()}" for post in live}
    assert set(posts) == {f"{SITE}/2025/03/kyoto/", f"{SITE}/2025/03/lisbon/"}
    assert set(pages) == {f"{SITE}{page.get_absolute_url()}" for page in Page.objects.live()}
    assert set(pages) == {f"{SITE}/about/"}
    # Travel has a post of its own and one through Japan; Empty and Secret show nothing.
    assert set(categories) == {f"{SITE}/category/travel/", f"{SITE}/category/travel/japan/"}
    assert set(tags) == {f"{SITE}/tag/walking/"}


def test_lastmod_is_when_the_content_last_changed(client, content):
    Post.objects.filter(slug="kyoto").update(updated_at=at(3))
    Post.objects.filter(slug="lisbon").update(updated_at=at(6))

    posts = locations(client, "/sitemap-posts.xml")
    categories = locations(client, "/sitemap-categories.xml")
    tags = locations(client, "/sitemap-tags.xml")

    assert posts[f"{SITE}/2025/03/kyoto/"] == "2025-03-03"
    assert posts[f"{SITE}/2025/03/lisbon/"] == "2025-03-06"
    assert categories[f"{SITE}/category/travel/"] == "2025-03-06"
    assert categories[f"{SITE}/category/travel/japan/"] == "2025-03-03"
    assert tags[f"{SITE}/tag/walking/"] == "2025-03-03"


def test_unknown_sections_and_pages_are_404(client, content):
    assert client.get("/sitemap-users.xml").status_code == 404
    assert client.get("/sitemap-posts.xml?p=2").status_code == 404
    assert client.get("/sitemap-posts.xml?p=x").status_code == 404


def test_an_empty_blog_has_a_valid_sitemap(client, blog):
    assert len(read(client, "/sitemap.xml").findall("s:sitemap", NS)) == 4
    assert locations(client, "/sitemap-posts.xml") == {}


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, blog):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
