"""The feeds as readers fetch them: every scope and format, parsed by feedparser."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from tests.discussion.factories import CommentFactory
from tests.factories import CategoryFactory, PostFactory, TagFactory, UserFactory
from tests.feeds.conftest import HOSTILE, SITE, at, feed_of, linkback_for, well_formed
from tests.feeds.jsonfeed_schema import assert_valid_json_feed
from yamabiko.discussion.models import CommentStatus, LinkbackStatus
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Category, Post, PostStatus, Tag

pytestmark = pytest.mark.django_db

FORMATS = {"rss": "feed/", "atom": "feed/atom/", "json": "feed.json"}


def feed_urls(prefix: str = "/") -> list[str]:
    return [f"{prefix}{suffix}" for suffix in FORMATS.values()]


def get_json(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    data = json.loads(response.content)
    assert_valid_json_feed(data)
    return data


def titles(client: Client, url: str) -> list[str]:
    """Item titles of any format, newest first as the feed gives them."""
    if url.endswith(".json"):
        return [item["title"] for item in get_json(client, url)["items"]]
    return [entry.title for entry in feed_of(client.get(url)).entries]


@pytest.fixture
def three_posts(blog: Blog) -> list[Post]:
    travel = CategoryFactory(name="Travel", slug="travel")
    walking = TagFactory(name="walking", slug="walking")
    author = UserFactory(username="kodama", first_name="Kodama", last_name="Yama")
    return [
        PostFactory(
            title=f"Walk {day}",
            slug=f"walk-{day}",
            body=f"Day {day}: the *river*.\n\n![A heron](/media/heron-{day}.jpg)",
            extended="The [rest](#more) of it.",
            excerpt="A walk by the river." if day == 3 else "",
            published_at=at(day),
            categories=[travel],
            tags=[walking],
            author=author,
        )
        for day in (1, 3, 2)
    ]


def test_site_rss_lists_live_posts_newest_first_with_everything(client, three_posts):
    PostFactory(title="Draft", status=PostStatus.DRAFT)
    response = client.get("/feed/")

    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    parsed = feed_of(response)
    assert parsed.feed.title == "Yamabiko"
    assert parsed.feed.link == f"{SITE}/"
    assert [entry.title for entry in parsed.entries] == ["Walk 3", "Walk 2", "Walk 1"]
    newest = parsed.entries[0]
    post = Post.objects.get(slug="walk-3")
    assert newest.link == f"{SITE}/2025/03/walk-3/"
    assert newest.id == f"tag:blog.example.org,{post.created_at:%Y-%m-%d}:post-{post.pk}"
    assert newest.published_parsed[:6] == (2025, 3, 3, 12, 0, 0)
    assert newest.published.endswith("+0000")
    assert newest.author == "Kodama Yama"
    assert newest.summary == "A walk by the river."
    content = newest.content[0].value
    assert "<em>river</em>" in content
    assert f'src="{SITE}/media/heron-3.jpg"' in content
    assert f'href="{SITE}/2025/03/walk-3/#more"' in content
    assert [tag.term for tag in newest.tags] == ["Travel", "walking"]
    assert newest.enclosures[0].href == f"{SITE}/media/heron-3.jpg"
    assert newest.enclosures[0].type == "image/jpeg"
    assert parsed.entries[1].summary.startswith("Day 2: the river.")


def test_site_atom_and_json_say_the_same(client, three_posts):
    atom = feed_of(client.get("/feed/atom/"))
    data = get_json(client, "/feed.json")

    assert [entry.title for entry in atom.entries] == ["Walk 3", "Walk 2", "Walk 1"]
    assert [item["title"] for item in data["items"]] == ["Walk 3", "Walk 2", "Walk 1"]
    assert atom.entries[0].id == data["items"][0]["id"]
    assert atom.entries[0].published == "2025-03-03T12:00:00Z"
    assert data["items"][0]["date_published"] == "2025-03-03T12:00:00Z"
    assert data["items"][0]["url"] == f"{SITE}/2025/03/walk-3/"
    assert data["items"][0]["image"] == f"{SITE}/media/heron-3.jpg"
    assert data["items"][0]["tags"] == ["Travel", "walking"]
    assert data["home_page_url"] == f"{SITE}/"
    assert data["feed_url"] == f"{SITE}/feed.json"
    assert "<em>river</em>" in data["items"][0]["content_html"]
    assert {link.rel: link.href for link in atom.feed.links}["self"] == f"{SITE}/feed/atom/"


def test_an_edit_keeps_the_entry_id_and_moves_its_updated_date(client, three_posts):
    post = Post.objects.get(slug="walk-3")
    before = feed_of(client.get("/feed/atom/")).entries[0]

    post.title = "Walk three, retitled"
    post.slug = "walk-three"
    services.post_save(post=post)

    after = feed_of(client.get("/feed/atom/")).entries[0]
    assert after.title == "Walk three, retitled"
    assert after.id == before.id
    assert after.link == f"{SITE}/2025/03/walk-three/"
    assert datetime.fromisoformat(after.updated) > datetime.fromisoformat(before.updated)


def test_category_feeds_include_subcategories(client, blog):
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    food = CategoryFactory(name="Food", slug="food")
    PostFactory(title="Kyoto", categories=[japan], published_at=at(2))
    PostFactory(title="Lisbon", categories=[travel], published_at=at(1))
    PostFactory(title="Soup", categories=[food], published_at=at(3))

    for url in feed_urls("/category/travel/"):
        assert titles(client, url) == ["Kyoto", "Lisbon"], url
    for url in feed_urls("/category/travel/japan/"):
        assert titles(client, url) == ["Kyoto"], url
    parsed = feed_of(client.get("/category/travel/feed/"))
    assert parsed.feed.title == "Yamabiko — Category: Travel"
    assert parsed.feed.link == f"{SITE}/category/travel/"


def test_tag_and_author_feeds(client, blog):
    walk = TagFactory(name="walking", slug="walking")
    kodama = UserFactory(username="kodama")
    PostFactory(title="Tagged", tags=[walk], published_at=at(1))
    PostFactory(title="By kodama", author=kodama, published_at=at(2))

    for url in feed_urls("/tag/walking/"):
        assert titles(client, url) == ["Tagged"], url
    for url in feed_urls("/author/kodama/"):
        assert titles(client, url) == ["By kodama"], url
    assert feed_of(client.get("/author/kodama/feed/")).feed.title == "Yamabiko — Posts by kodama"


@pytest.mark.parametrize(
    "url",
    [
        *feed_urls("/category/nothing/"),
        *feed_urls("/category/travel/nothing/"),
        *feed_urls("/tag/unknown/"),
        *feed_urls("/author/nobody/"),
        *feed_urls("/author/drafter/"),
        *feed_urls("/2025/03/no-such-post/"),
        *feed_urls("/2024/01/walk/"),  # the right slug under the wrong month
        *feed_urls("/2025/03/draft/"),
    ],
)
def test_unknown_category_tag_author_or_post_feeds_are_404(client, url):
    CategoryFactory(name="Travel", slug="travel")
    PostFactory(slug="walk", published_at=at(1))
    PostFactory(slug="draft", status=PostStatus.DRAFT, author=UserFactory(username="drafter"))

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["0", "4", "99999", "abc", "-1", "1.5", "٢", ""])
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/feed.json", "/comments/feed/"])
def test_pages_beyond_the_end_or_malformed_are_404(client, blog, url, page):
    blog.posts_per_page = 2
    blog.save()
    posts = PostFactory.create_batch(5)
    for post in posts:
        CommentFactory(post=post)

    assert client.get(f"{url}?page={page}").status_code == 404


def test_feeds_are_paginated_with_links_between_pages(client, blog):
    blog.posts_per_page = 2
    blog.save()
    for day in range(1, 6):
        PostFactory(title=f"Day {day}", published_at=at(day))

    first = feed_of(client.get("/feed/atom/"))
    second = feed_of(client.get("/feed/atom/?page=2"))
    last = feed_of(client.get("/feed/atom/?page=3"))

    assert [e.title for e in first.entries] == ["Day 5", "Day 4"]
    assert [e.title for e in second.entries] == ["Day 3", "Day 2"]
    assert [e.title for e in last.entries] == ["Day 1"]
    links = {link.rel: link.href for link in second.feed.links}
    assert links["self"] == f"{SITE}/feed/atom/?page=2"
    assert links["next"] == f"{SITE}/feed/atom/?page=3"
    assert links["previous"] == f"{SITE}/feed/atom/"
    assert links["first"] == f"{SITE}/feed/atom/"
    assert links["last"] == f"{SITE}/feed/atom/?page=3"
    assert "next" not in {link.rel for link in last.feed.links}
    assert get_json(client, "/feed.json")["next_url"] == f"{SITE}/feed.json?page=2"
    assert "next_url" not in get_json(client, "/feed.json?page=3")


def test_an_empty_blog_has_valid_empty_feeds(client, blog):
    for url in [*feed_urls(), *feed_urls("/comments/")]:
        assert titles(client, url) == [], url


def test_absolute_urls_come_from_the_site_setting_not_the_request(client, three_posts):
    response = client.get("/feed/", headers={"host": "127.0.0.1"})

    body = response.content.decode()
    assert "127.0.0.1" not in body
    assert "testserver" not in body
    assert f"{SITE}/2025/03/walk-3/" in body


def test_japanese_slugs_are_percent_encoded_in_feed_links(client, blog):
    PostFactory(title="山彦の話", published_at=at(1))

    rss = feed_of(client.get("/feed/"))
    data = get_json(client, "/feed.json")

    encoded = f"{SITE}/2025/03/%E5%B1%B1%E5%BD%A6%E3%81%AE%E8%A9%B1/"
    assert rss.entries[0].link == encoded
    assert data["items"][0]["url"] == encoded
    assert rss.entries[0].title == "山彦の話"


# --- comments ---------------------------------------------------------------------------


@pytest.fixture
def discussion(blog: Blog) -> Post:
    post = PostFactory(title="Spring walk", slug="spring-walk", published_at=at(1))
    other = PostFactory(title="Other walk", slug="other-walk", published_at=at(2))
    CommentFactory(post=post, author_name="Hana", body="Lovely *river*.", created_at=at(10))
    CommentFactory(post=other, author_name="Ken", body="Nice.", created_at=at(12))
    CommentFactory(post=post, author_name="Spammer", status=CommentStatus.SPAM, created_at=at(13))
    linkback_for(post, blog_name="Other Blog", received_at=at(11))
    linkback_for(
        post,
        kind="pingback",
        blog_name="",
        author_name="",
        source_url="https://third.example/reply",
        received_at=at(9),
    )
    linkback_for(post, status=LinkbackStatus.PENDING, received_at=at(14))
    return post


def test_site_comment_feeds_label_comments_and_linkbacks_newest_first(client, discussion):
    expected = [
        "Comment by Ken on “Other walk”",
        "Trackback from Other Blog on “Spring walk”",
        "Comment by Hana on “Spring walk”",
        "Pingback from third.example on “Spring walk”",
    ]
    for url in feed_urls("/comments/"):
        assert titles(client, url) == expected, url

    parsed = feed_of(client.get("/comments/feed/atom/"))
    comment = parsed.entries[2]
    assert comment.link == f"{SITE}/2025/03/spring-walk/#comment-{discussion.comments.first().pk}"
    assert comment.author == "Hana"
    assert comment.published == "2025-03-10T12:00:00Z"
    assert "<em>river</em>" in comment.content[0].value
    trackback = parsed.entries[1]
    assert trackback.link.startswith(f"{SITE}/2025/03/spring-walk/#linkback-")
    assert {link.rel: link.href for link in trackback.links}["related"].startswith(
        "https://other.example/"
    )
    assert "I wrote about this too." in trackback.content[0].value
    assert parsed.feed.title == "Yamabiko — Comments"


def test_a_posts_comment_feed_has_only_its_own_discussion(client, discussion):
    expected = ["Trackback from Other Blog", "Comment by Hana", "Pingback from third.example"]
    for url in feed_urls("/2025/03/spring-walk/"):
        assert titles(client, url) == expected, url
    data = get_json(client, "/2025/03/spring-walk/feed.json")
    assert data["title"] == "Yamabiko — Comments on “Spring walk”"
    assert data["home_page_url"] == f"{SITE}/2025/03/spring-walk/"
    assert data["items"][0]["external_url"].startswith("https://other.example/")


def test_comments_on_posts_that_are_no_longer_live_leave_the_feed(client, discussion):
    discussion.status = PostStatus.DRAFT
    services.post_save(post=discussion)

    assert titles(client, "/comments/feed/") == ["Comment by Ken on “Other walk”"]
    assert client.get("/2025/03/spring-walk/feed/").status_code == 404


def test_comment_feeds_page_through_comments_and_linkbacks_together(client, discussion, blog):
    blog.posts_per_page = 3
    blog.save()

    first = titles(client, "/comments/feed/")
    second = titles(client, "/comments/feed/?page=2")

    assert len(first) == 3
    assert second == ["Pingback from third.example on “Spring walk”"]
    assert client.get("/comments/feed/?page=3").status_code == 404


# --- hostile text -----------------------------------------------------------------------


def test_xml_illegal_characters_in_posts_comments_and_linkbacks_never_break_a_feed(client, blog):
    category = CategoryFactory(name=f"Cat{HOSTILE}egory", slug="cat")
    tag = TagFactory(name=f"ta{HOSTILE}g", slug="tag")
    post = PostFactory(
        title=f"Title{HOSTILE}",
        slug="hostile",
        body=f"Body{HOSTILE} text",
        extended=f"More{HOSTILE}",
        excerpt=f"Excerpt{HOSTILE}",
        categories=[category],
        tags=[tag],
        published_at=at(1),
    )
    services.blog_setting_set(key="title", value=f"Blog{HOSTILE}")
    services.blog_setting_set(key="tagline", value=f"Tag{HOSTILE}line")
    CommentFactory(
        post=post, author_name=f"Name{HOSTILE}", body=f"Comment{HOSTILE}", created_at=at(19)
    )
    linkback_for(
        post,
        title=f"Title{HOSTILE}",
        excerpt=f"Excerpt{HOSTILE}",
        content=f"<p>Content{HOSTILE}</p>",
        blog_name=f"Blog{HOSTILE}",
        author_name=f"Author{HOSTILE}",
    )

    urls = [*feed_urls(), *feed_urls("/category/cat/"), *feed_urls("/tag/tag/")]
    urls += [*feed_urls("/comments/"), *feed_urls("/2025/03/hostile/")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        assert not any(character in text for character in HOSTILE), url
        if url.endswith(".json"):
            assert_valid_json_feed(json.loads(text))
        else:
            well_formed(response.content)

    rss = feed_of(client.get("/feed/"))
    assert rss.feed.title == "Blog"
    assert rss.entries[0].title == "Title"
    assert [tag.term for tag in rss.entries[0].tags] == ["Category", "tag"]
    comments = feed_of(client.get("/comments/feed/atom/"))
    assert [entry.title for entry in comments.entries] == [
        "Trackback from Blog on “Title”",
        "Comment by Name on “Title”",
    ]
    assert "Content" in comments.entries[0].content[0].value


def test_linkback_html_is_sanitized_again_in_the_feed(client, blog):
    post = PostFactory(slug="target", published_at=at(1))
    linkback_for(
        post,
        kind="webmention",
        mention_type="reply",
        content='<p onclick="x()">Hi<script>alert(1)</script></p>',
    )

    content = feed_of(client.get("/comments/feed/atom/")).entries[0].content[0].value

    assert "<script" not in content
    assert "onclick" not in content


# --- cost -------------------------------------------------------------------------------


def make_posts(count: int) -> None:
    travel = Category.objects.filter(slug="travel").first() or CategoryFactory(slug="travel")
    walking = Tag.objects.filter(slug="walking").first() or TagFactory(slug="walking")
    author = UserFactory(username="kodama")
    for _ in range(count):
        tags = [walking, TagFactory()]
        PostFactory(categories=[travel], tags=tags, author=author, extended="More.")


def make_discussion(count: int) -> None:
    for post in Post.objects.all()[:1]:
        for _ in range(count):
            CommentFactory(post=post)
            linkback_for(post)


# blog settings, when posts last changed (posts, removals), count, posts, tags, categories
POST_FEED_QUERIES = 7
# ... and the category, tag or author named in the URL
SCOPED_POST_FEED_QUERIES = 8
# blog settings, when the discussion last changed (comments, linkbacks, posts, removals),
# two counts, comments with their posts, linkbacks with their posts
COMMENT_FEED_QUERIES = 9


@pytest.mark.parametrize("fmt", FORMATS.values())
def test_feed_query_counts_do_not_grow_with_items(client, blog, django_assert_num_queries, fmt):
    blog.posts_per_page = 50
    blog.save()
    urls = {
        f"/{fmt}": POST_FEED_QUERIES,
        f"/category/travel/{fmt}": SCOPED_POST_FEED_QUERIES,
        f"/tag/walking/{fmt}": SCOPED_POST_FEED_QUERIES,
        f"/author/kodama/{fmt}": SCOPED_POST_FEED_QUERIES,
        f"/comments/{fmt}": COMMENT_FEED_QUERIES,
    }

    make_posts(2)
    make_discussion(2)
    post = Post.objects.order_by("pk").first()
    assert post is not None
    urls[f"{post.get_absolute_url()}{fmt}"] = COMMENT_FEED_QUERIES + 1  # the post itself
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200

    make_posts(15)
    make_discussion(15)
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
    for scope in ("", "category/travel/", "tag/walking/", "author/kodama/"):
        assert len(titles(client, f"/{scope}{fmt}")) == 17
    assert len(titles(client, f"/comments/{fmt}")) == 34
