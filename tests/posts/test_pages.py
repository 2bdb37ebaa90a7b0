"""The classic page as readers get it, checked by parsing the HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup, Tag
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db


def soup_of(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def entries(page: BeautifulSoup) -> list[Tag]:
    return page.select("article.entry")


def entry_titles(page: BeautifulSoup) -> list[str]:
    return [entry.select_one(".entry-title").get_text(strip=True) for entry in entries(page)]


def test_entry_shows_title_category_body_date_and_footer_counts(client, blog):
    blog.timezone = "Asia/Tokyo"
    blog.save()
    other = CategoryFactory(name="Other", slug="other")
    post = PostFactory(
        title="Spring walk",
        body="The *river* was loud.",
        published_at=datetime(2025, 2, 17, 11, 44, tzinfo=UTC),  # 20:44 in Tokyo
        categories=[other],
    )
    Post.objects.filter(pk=post.pk).update(comment_count=3, trackback_count=1)

    entry = entries(soup_of(client, "/"))[0]

    assert entry.select_one("summary .fold-open").get_text() == "▼"
    title = entry.select_one(".entry-title")
    assert title.a["href"] == post.get_absolute_url()
    # The fold's summary is named by the title, which stays outside it (no link in a button).
    assert entry.select_one("summary")["aria-labelledby"] == title["id"]
    category = entry.select_one(".entry-category")
    assert category.get_text(" ", strip=True) == "Category: Other"
    assert category.a["href"] == "/category/other/"
    assert entry.select_one(".entry-body em").get_text() == "river"
    assert entry.select_one("time.entry-date").get_text() == "17/2 20:44"
    assert entry.select_one("time.entry-date")["datetime"] == "2025-02-17T20:44:00+09:00"
    comments = entry.select_one("a.entry-comments")
    trackbacks = entry.select_one("a.entry-trackbacks")
    assert comments.get_text() == "Comment (3)"
    assert comments["href"] == post.get_absolute_url() + "#comments"
    assert trackbacks.get_text() == "Trackback (1)"
    assert trackbacks["href"] == post.get_absolute_url() + "#trackbacks"


def test_date_follows_the_blogs_format_and_timezone_setting(client, blog):
    blog.timezone = "America/New_York"
    blog.date_format = "Y-m-d H:i"
    blog.save()
    PostFactory(published_at=datetime(2025, 7, 1, 3, 5, tzinfo=UTC))

    entry = entries(soup_of(client, "/"))[0]

    assert entry.select_one("time.entry-date").get_text() == "2025-06-30 23:05"


def test_permalink_uses_the_month_in_the_blogs_timezone(client, blog):
    blog.timezone = "Asia/Tokyo"
    blog.save()
    post = PostFactory(slug="new-year", published_at=datetime(2024, 12, 31, 16, 0, tzinfo=UTC))

    soup_of(client, "/")  # activates the blog's timezone for this request only
    response = client.get("/2025/01/new-year/")

    assert response.status_code == 200
    assert client.get("/2024/12/new-year/").status_code == 301
    assert post.pk


def test_entries_fold_without_javascript_and_start_open(client):
    PostFactory()

    fold = entries(soup_of(client, "/"))[0].select_one("details.entry-fold")

    assert fold.has_attr("open")
    summary = fold.find("summary", recursive=False)
    assert summary is fold.find(True)
    assert summary.select_one(".fold-closed").get_text() == "▶"


def test_list_pages_show_continue_reading_and_the_permalink_shows_both(client):
    post = PostFactory(body="Short start.", extended="The *rest* of it.")

    listed = entries(soup_of(client, "/"))[0]
    link = listed.select_one(".continue-reading a")
    assert link["href"] == post.get_absolute_url() + "#more"
    assert listed.select_one(".entry-extended") is None

    full = soup_of(client, post.get_absolute_url())
    assert " ".join(full.select_one("#more").get_text().split()) == "The rest of it."
    assert full.select_one(".continue-reading") is None
    assert full.select_one("h1.entry-title").get_text() == post.title


def test_permalink_page_has_comment_and_trackback_sections(client):
    post = PostFactory()

    page = soup_of(client, post.get_absolute_url())

    assert page.select_one("section#comments h2").get_text() == "Comments (0)"
    assert page.select_one("section#trackbacks h2").get_text() == "Trackbacks (0)"


def test_every_page_has_the_search_box_and_a_hidden_loading_indicator(client):
    post = PostFactory()
    for url in ["/", post.get_absolute_url(), "/search/?q=x"]:
        form = soup_of(client, url).select_one("form[role=search]")
        assert form["action"] == "/search/"
        assert form.select_one("input[name=q]") is not None
        indicator = form.select_one(".loading")
        assert indicator.get_text() == "Loading…"
        assert indicator.has_attr("hidden")


def test_drafts_and_future_posts_are_invisible_to_readers(client):
    author = UserFactory()
    visible = PostFactory(title="Visible", author=author)
    draft = PostFactory(title="Draft", status=PostStatus.DRAFT, author=author)
    future = PostFactory(
        title="Future", published_at=timezone.now() + timedelta(days=1), author=author
    )
    assert future.status == PostStatus.SCHEDULED

    assert entry_titles(soup_of(client, "/")) == ["Visible"]
    for hidden in (draft, future):
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert entry_titles(soup_of(client, f"/author/{author.username}/")) == ["Visible"]
    assert visible.is_live()


def test_scheduled_post_appears_once_its_time_has_come(client):
    post = PostFactory(title="Soon", published_at=timezone.now() + timedelta(hours=1))
    assert entry_titles(soup_of(client, "/")) == []

    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert entry_titles(soup_of(client, "/")) == ["Soon"]
    assert client.get(post.get_absolute_url()).status_code == 200


def test_home_is_newest_first_with_sticky_posts_on_top(client):
    now = timezone.now()
    PostFactory(title="Old", published_at=now - timedelta(days=3))
    PostFactory(title="New", published_at=now - timedelta(days=1))
    PostFactory(title="Pinned", published_at=now - timedelta(days=9), is_sticky=True)

    assert entry_titles(soup_of(client, "/")) == ["Pinned", "New", "Old"]


@pytest.mark.parametrize("page", ["0", "3", "99999", "abc", "-1", "1.5", "٢"])
def test_pages_that_do_not_exist_are_404(client, blog, page):
    blog.posts_per_page = 2
    blog.save()
    PostFactory.create_batch(4)

    assert client.get(f"/?page={page}").status_code == 404


def test_pagination_edges(client, blog):
    blog.posts_per_page = 2
    blog.save()
    now = timezone.now()
    for day in range(5):
        PostFactory(title=f"Day {day}", published_at=now - timedelta(days=day))

    first = soup_of(client, "/")
    assert entry_titles(first) == ["Day 0", "Day 1"]
    assert first.select_one(".pagination a[rel=prev]") is None
    assert first.select_one(".pagination a[rel=next]")["href"] == "?page=2"

    last = soup_of(client, "/?page=3")
    assert entry_titles(last) == ["Day 4"]
    assert last.select_one(".pagination a[rel=next]") is None
    assert last.select_one(".pagination a[rel=prev]")["href"] == "?page=2"


def test_empty_blog_home_says_so(client):
    assert soup_of(client, "/").select_one(".empty").get_text() == "No posts here yet."


def test_category_page_includes_subcategories(client):
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    CategoryFactory(name="Food", slug="food")
    PostFactory(title="Kyoto", categories=[japan])
    PostFactory(title="Lisbon", categories=[travel])

    assert sorted(entry_titles(soup_of(client, "/category/travel/"))) == ["Kyoto", "Lisbon"]
    assert entry_titles(soup_of(client, "/category/travel/japan/")) == ["Kyoto"]
    assert entry_titles(soup_of(client, "/category/food/")) == []
    assert client.get("/category/japan/").status_code == 404
    assert client.get("/category/nothing/").status_code == 404


def test_tag_year_month_and_author_archives(client, blog):
    blog.timezone = "Asia/Tokyo"
    blog.save()
    walk = TagFactory(name="walking", slug="walking")
    author = UserFactory(username="kodama")
    PostFactory(title="Jan", published_at=datetime(2024, 1, 10, tzinfo=UTC), tags=[walk])
    PostFactory(title="Mar", published_at=datetime(2024, 3, 31, 16, 0, tzinfo=UTC))  # 1 Apr JST
    PostFactory(title="Other year", published_at=datetime(2023, 5, 1, tzinfo=UTC), author=author)

    assert entry_titles(soup_of(client, "/tag/walking/")) == ["Jan"]
    assert entry_titles(soup_of(client, "/2024/")) == ["Mar", "Jan"]
    assert entry_titles(soup_of(client, "/2024/04/")) == ["Mar"]
    assert entry_titles(soup_of(client, "/2024/03/")) == []
    assert entry_titles(soup_of(client, "/author/kodama/")) == ["Other year"]


@pytest.mark.parametrize(
    "url",
    [
        "/2024/13/",
        "/2024/00/",
        "/0/",
        "/2024/1/",
        "/2024/02/no-such-post/",
        "/tag/unknown/",
        "/author/nobody/",
        "/no-such-page/",
        "/category/a/b/c/",
    ],
)
def test_malformed_or_unknown_urls_are_404_pages(client, url):
    PostFactory()
    response = client.get(url)
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("h1").get_text() == "Not found"


def test_static_page_is_served_at_its_slug_and_listed_in_the_menu(client):
    PageFactory(title="About me", slug="about", body="I *walk*.")
    PageFactory(title="Hidden", slug="hidden", status="draft")

    page = soup_of(client, "/about/")

    assert page.select_one("h1.entry-title").get_text() == "About me"
    assert page.select_one(".e-content em").get_text() == "walk"
    menu = [a.get_text() for a in page.select("#widget-pages + ul a")]
    assert menu == ["About me"]
    assert client.get("/hidden/").status_code == 404


def test_japanese_slug_permalink_round_trips(client):
    post = PostFactory(title="山彦の話")

    assert post.slug == "山彦の話"
    page = soup_of(client, post.get_absolute_url())
    assert page.select_one("h1.entry-title").get_text() == "山彦の話"


def test_changed_slug_redirects_and_deleted_post_is_gone(client):
    post = PostFactory(slug="first-name")
    old_url = post.get_absolute_url()
    post.slug = "second-name"
    services.post_save(post=post)

    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()

    new_url = post.get_absolute_url()
    services.post_delete(post=post)
    assert client.get(new_url).status_code == 410
    assert client.get(old_url).status_code == 410


def test_unknown_host_is_refused(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_settings_change_shows_on_the_next_request(client):
    PostFactory()
    assert soup_of(client, "/").select_one(".site-title").get_text() == "Yamabiko"

    services.blog_setting_set(key="title", value="山彦日記")

    page = soup_of(client, "/")
    assert page.select_one(".site-title").get_text() == "山彦日記"
    assert page.html["lang"] == "en"


def test_page_language_follows_the_blog(client):
    services.blog_setting_set(key="language", value="ja")
    assert soup_of(client, "/").html["lang"] == "ja"


def test_markdown_is_sanitized_on_public_pages(client):
    post = PostFactory(
        body='<script>alert(1)</script>\n\n<a href="javascript:alert(2)" onclick="x()">x</a>'
    )

    body = soup_of(client, post.get_absolute_url()).select_one(".e-content")

    assert body.find("script") is None
    assert all(not a.get("href", "").startswith("javascript") for a in body.find_all("a"))
    assert all(not attr.startswith("on") for el in body.find_all(True) for attr in el.attrs)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def make_posts(count: int) -> None:
    category = CategoryFactory()
    tags = [TagFactory(), TagFactory()]
    for _ in range(count):
        PostFactory(categories=[category], tags=tags, extended="More.")


def test_home_page_query_count_does_not_grow_with_posts(client, blog):
    blog.posts_per_page = 20
    blog.save()
    make_posts(2)
    few = count_queries(client, "/")
    make_posts(15)
    many = count_queries(client, "/")

    # blog settings, count, posts, tags, sidebar (the generation it is kept under, then
    # categories, pages, months: rendered again since adding posts moved the generation)
    assert few == many == 8


def test_permalink_query_count_is_fixed(client, blog):
    make_posts(1)
    post = Post.objects.get()

    # blog settings, post with author and category, tags, categories, comments, linkbacks,
    # sidebar (generation, then 3 to render it)
    assert count_queries(client, post.get_absolute_url()) == 10


def test_blog_settings_record_is_created_on_first_request(client):
    assert not Blog.objects.exists()
    client.get("/")
    assert Blog.objects.get().date_format == "j/n H:i"


def test_unpublished_post_answers_410_and_comes_back_when_republished(client):
    post = PostFactory(slug="back-and-forth")
    url = post.get_absolute_url()
    post.status = PostStatus.DRAFT
    services.post_save(post=post)

    assert client.get(url).status_code == 410

    post.status = PostStatus.PUBLISHED
    services.post_save(post=post)
    assert client.get(url).status_code == 200
