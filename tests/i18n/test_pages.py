"""Public pages in the blog's language: Japanese words and dates, English unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import CategoryFactory, PostFactory
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

# 20:44 on 17 February in Tokyo.
PUBLISHED = datetime(2026, 2, 17, 11, 44, tzinfo=UTC)


@pytest.fixture
def japanese(blog: Blog) -> Blog:
    blog.language = "ja"
    blog.timezone = "Asia/Tokyo"
    blog.save()
    return blog


def soup_of(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def walk_post() -> Post:
    post = PostFactory(
        title="春の散歩",
        slug="spring-walk",
        extended="続きの本文",
        published_at=PUBLISHED,
        categories=[CategoryFactory(name="旅", slug="travel")],
    )
    Post.objects.filter(pk=post.pk).update(comment_count=1234, trackback_count=1)
    post.refresh_from_db()
    return post


def test_japanese_home_shows_japanese_words_dates_and_grouped_counts(client, japanese):
    walk_post()

    page = soup_of(client, "/")

    assert page.html["lang"] == "ja"
    entry = page.select_one("article.entry")
    assert entry.select_one(".entry-category").get_text(" ", strip=True) == "カテゴリー: 旅"
    assert entry.select_one("time.entry-date").get_text() == "2月17日 20:44"
    assert entry.select_one("a.entry-comments").get_text() == "コメント (1,234)"
    assert entry.select_one("a.entry-trackbacks").get_text() == "トラックバック (1)"
    assert entry.select_one(".continue-reading a").get_text().endswith("続きを読む")
    assert page.select_one("#widget-archives").get_text() == "アーカイブ"
    assert page.select_one(".sidebar li a[href='/2026/02/']").get_text(strip=True) == "2026年2月"
    assert page.select_one(".search-form label").get_text() == "検索"
    assert page.select_one(".search-form .loading").get_text() == "読み込み中…"
    assert page.select_one(".search-form")["data-text-all"] == "{count}件の結果をすべて見る"


def test_japanese_month_archive_heading_is_localized(client, japanese):
    walk_post()

    page = soup_of(client, "/2026/02/")

    assert page.select_one("h1.archive-heading").get_text() == "2026年2月"


def test_japanese_permalink_and_comment_form(client, japanese):
    post = walk_post()

    page = soup_of(client, post.get_absolute_url())

    assert page.select_one("#comments-heading").get_text() == "コメント (1,234)"
    form = page.select_one("#comment-form")
    assert form.select_one("#comment-form-heading").get_text() == "コメントを書く"
    assert form.select_one("label[for=id_name]").get_text(strip=True) == "名前*"
    assert form.select_one("label[for=id_body]").get_text(strip=True) == "コメント*"
    assert form.select_one("button[type=submit]").get_text() == "コメントを送信"
    assert form["data-text-count"] == "コメント ({count})"
    assert page.select_one("#trackbacks-heading").get_text() == "トラックバック (1)"


def test_japanese_comment_errors_are_japanese(client, japanese):
    post = walk_post()

    response = client.post(f"/comments/{post.pk}/", {"name": "", "body": ""})

    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 400
    assert page.select_one("#id_name-error").get_text() == "名前を入力してください。"
    assert page.select_one("#id_body-error").get_text() == "コメントが空です。"


def test_japanese_search_page(client, japanese):
    walk_post()

    page = soup_of(client, "/search/?q=存在しない語")

    assert page.select_one("#search-heading").get_text() == "「存在しない語」の検索結果"
    assert page.select_one(".result-count").get_text() == "0件"
    assert "一致するものはありませんでした" in page.select_one(".search-empty").get_text()
    assert page.select_one(".search-tips summary").get_text() == "検索のヒント"


def test_japanese_not_found_page(client, japanese):
    page = soup_of(client, "/no/such/page/", status=404)

    assert page.select_one("h1.archive-heading").get_text() == "ページが見つかりません"


def test_a_customised_date_format_is_kept_in_japanese(client, japanese):
    japanese.date_format = "Y/m/d H:i"
    japanese.save()
    walk_post()

    entry = soup_of(client, "/").select_one("article.entry")

    assert entry.select_one("time.entry-date").get_text() == "2026/02/17 20:44"


def test_english_blog_is_unchanged(client, blog):
    blog.timezone = "Asia/Tokyo"
    blog.save()
    walk_post()

    page = soup_of(client, "/")

    assert page.html["lang"] == "en"
    entry = page.select_one("article.entry")
    assert entry.select_one(".entry-category").get_text(" ", strip=True) == "Category: 旅"
    assert entry.select_one("time.entry-date").get_text() == "17/2 20:44"
    assert entry.select_one("a.entry-trackbacks").get_text() == "Trackback (1)"
    month = page.select_one(".sidebar li a[href='/2026/02/']")
    assert month.get_text(strip=True) == "February 2026"

    assert soup_of(client, "/2026/02/").select_one("h1").get_text() == "February 2026"


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_blogs_in_other_languages_fall_back_to_english_words(client, blog, language):
    blog.language = language
    blog.save()
    walk_post()

    page = soup_of(client, "/")

    assert page.html["lang"] == language
    assert page.select_one(".entry-category").get_text(" ", strip=True) == "Category: 旅"
    assert page.select_one("#widget-archives").get_text() == "Archives"


def test_public_pages_ignore_accept_language(client, blog):
    walk_post()

    response = client.get("/", headers={"Accept-Language": "ja"})

    assert "Accept-Language" not in response.get("Vary", "")
    assert "Category:" in response.content.decode()
