"""The demo's sample content: what demo_load writes, and that every page of it renders."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PageFactory, PostFactory, UserFactory
from yamabiko.posts import services
from yamabiko.posts.demo import demo_load
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Tag

pytestmark = pytest.mark.django_db

# Kana or kanji: the demo has no Chinese posts for kanji to be confused with.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def author() -> User:
    return UserFactory()


@pytest.fixture
def loaded(author: User) -> User:
    assert demo_load(author=author) is True
    return author


def entries_at(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    page = BeautifulSoup(response.content, "html.parser")
    return [title.get_text(strip=True) for title in page.select("article.entry .entry-title")]


def content_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in (Post, Category, Tag, Page)}


def test_demo_load_on_an_empty_blog_returns_true_and_fills_it(author: User) -> None:
    assert demo_load(author=author) is True

    live = Post.objects.live()
    assert live.count() >= 20
    assert len(live.datetimes("published_at", "month")) >= 5
    assert Category.objects.count() >= 3
    assert Category.objects.filter(parent__isnull=False).exists()
    assert Category.objects.filter(name="Other", parent=None).exists()
    assert set(Post.objects.values_list("author", flat=True)) == {author.pk}


def test_demo_load_nests_subcategories_under_their_parents(loaded: User) -> None:
    japan = Category.objects.get(name="Japan")

    assert japan.parent is not None
    assert japan.parent.name == "Travel"
    assert japan.path == "travel/japan"


def test_demo_category_pages_each_list_posts(loaded: User, client: Client) -> None:
    # A parent's page lists its subcategories' posts too, so Travel needs none of its own.
    empty = [
        category.name
        for category in Category.objects.all()
        if not entries_at(client, category.get_absolute_url())
    ]
    assert empty == []


def test_demo_load_tags_most_posts_with_some_tags_shared(loaded: User) -> None:
    live = Post.objects.live()

    assert live.filter(tags__isnull=False).distinct().count() >= live.count() * 3 // 4
    assert any(tag.posts.count() >= 2 for tag in Tag.objects.all())


def test_demo_load_sets_the_blog_title_and_tagline(loaded: User) -> None:
    blog = Blog.load()

    assert blog.title == "Yamabiko Demo"
    assert blog.tagline


def test_demo_load_a_second_time_returns_false_and_changes_nothing(loaded: User) -> None:
    services.blog_setting_set(key="title", value="My own blog")
    before = content_counts()

    assert demo_load(author=UserFactory()) is False

    assert content_counts() == before
    assert Blog.load().title == "My own blog"


def test_demo_load_on_a_blog_with_one_draft_returns_false_and_changes_nothing(
    author: User,
) -> None:
    PostFactory(author=author, status=PostStatus.DRAFT, published_at=None)
    before = content_counts()

    assert demo_load(author=author) is False

    assert content_counts() == before
    assert Blog.load().title != "Yamabiko Demo"


def test_demo_load_that_fails_midway_leaves_the_blog_as_it_was() -> None:
    # An author never saved to the database makes the first post's insert fail, after
    # the categories and tags have been written.
    unsaved = User(username="ghost")

    with pytest.raises(ValueError, match="unsaved related object"):
        demo_load(author=unsaved)

    assert content_counts() == {"Post": 0, "Category": 0, "Tag": 0, "Page": 0}
    assert Blog.load().title != "Yamabiko Demo"


def test_demo_load_keeps_an_existing_page_at_a_demo_address(author: User) -> None:
    PageFactory(slug="about", title="About me, really", author=author)

    assert demo_load(author=author) is True

    assert Page.objects.get(slug="about").title == "About me, really"
    assert Page.objects.filter(slug="colophon").exists()


def test_demo_load_writes_japanese_and_korean_posts_with_cjk_slugs(loaded: User) -> None:
    live = list(Post.objects.live())
    japanese = [post for post in live if JAPANESE.search(post.title)]
    korean = [post for post in live if HANGUL.search(post.title)]
    mixed = [post for post in japanese if LATIN.search(post.title)]

    assert len(japanese) - len(mixed) >= 3
    assert len(korean) >= 2
    assert len(mixed) >= 1
    for post in japanese + korean:
        assert CJK.search(post.slug), post.slug


def test_demo_load_gives_a_post_an_extended_body(loaded: User) -> None:
    extended = Post.objects.live().exclude(extended="")

    assert extended.exists()
    assert all(post.extended_html for post in extended)


def test_demo_load_renders_headings_lists_code_quotes_and_tables(loaded: User) -> None:
    html = "".join(post.body_html + post.extended_html for post in Post.objects.live())

    for element in ("<h3>", "<ul>", "<ol>", '<code class="language-python">', "<blockquote>"):
        assert element in html, element
    assert "<table>" in html


def test_demo_load_keeps_the_scheduled_post_and_the_draft_from_readers(
    loaded: User, client: Client
) -> None:
    scheduled = Post.objects.get(status=PostStatus.SCHEDULED)
    draft = Post.objects.get(status=PostStatus.DRAFT)

    assert scheduled.published_at is not None
    assert scheduled.published_at > timezone.now()
    assert draft.published_at is None
    assert not Post.objects.live().filter(pk__in=[scheduled.pk, draft.pk]).exists()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_demo_load_dates_every_live_post_in_the_past(loaded: User) -> None:
    now = timezone.now()

    assert all(post.published_at <= now for post in Post.objects.live())


def test_demo_home_page_shows_the_sticky_welcome_first(loaded: User, client: Client) -> None:
    sticky = Post.objects.get(is_sticky=True)

    assert entries_at(client, "/")[0] == sticky.title
    assert "/admin/" in sticky.body


def test_demo_menu_lists_the_static_pages(loaded: User, client: Client) -> None:
    page = BeautifulSoup(client.get("/").content, "html.parser")

    links = {a["href"] for a in page.select("#widget-pages + ul a")}
    assert {"/about/", "/colophon/"} <= links


@pytest.mark.parametrize("query", ["echo", "miso", "山びこ"])
def test_demo_search_finds_the_words_the_welcome_suggests(
    loaded: User, client: Client, query: str
) -> None:
    assert entries_at(client, f"/search/?{urlencode({'q': query})}")


def test_demo_site_pages_all_answer_200(loaded: User, client: Client) -> None:
    live = Post.objects.live()
    urls = [
        "/",
        "/?page=2",
        *(category.get_absolute_url() for category in Category.objects.all()),
        *(
            reverse("posts:month", kwargs={"year": month.year, "month": month.month})
            for month in live.datetimes("published_at", "month")
        ),
        *(tag.get_absolute_url() for tag in Tag.objects.filter(posts__in=live).distinct()),
        *(post.get_absolute_url() for post in live),
        *(page.get_absolute_url() for page in Page.objects.live()),
    ]

    statuses = {url: client.get(url).status_code for url in urls}

    assert {url: status for url, status in statuses.items() if status != 200} == {}
