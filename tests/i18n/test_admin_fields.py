"""Our own models in a Japanese admin: field labels, help, fieldsets, filters and messages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.test import Client

from tests.discussion.factories import CommentFactory
from yamabiko.discussion.models import CommentStatus

pytestmark = pytest.mark.django_db

JAPANESE = {"Accept-Language": "ja"}


def label_of(page: BeautifulSoup, field: str) -> str:
    return page.select_one(f"label[for=id_{field}]").get_text(strip=True).rstrip(":：")


def test_japanese_post_add_page_shows_japanese_labels_help_and_fieldsets(admin_client, blog):
    response = admin_client.get("/admin/posts/post/add/", headers=JAPANESE)

    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert label_of(page, "title") == "タイトル"
    assert label_of(page, "slug") == "スラッグ"
    assert label_of(page, "is_sticky") == "先頭に固定"
    assert "公開日時" in page.select_one(".field-published_at").get_text()
    assert label_of(page, "tag_names") == "タグ"
    assert label_of(page, "allow_comments") == "コメントを受け付ける"
    headings = [h2.get_text(strip=True) for h2 in page.select("fieldset h2")]
    assert {"公開", "カテゴリーとタグ", "ディスカッション"} <= set(headings)
    assert "まだないタグは新しく作られます" in page.select_one("#id_tag_names_helptext").get_text()
    assert "プレビュー：本文" in response.content.decode()


def test_english_post_add_page_keeps_its_english_labels(admin_client, blog):
    response = admin_client.get("/admin/posts/post/add/", headers={"Accept-Language": "en"})

    page = BeautifulSoup(response.content, "html.parser")
    assert label_of(page, "title") == "Title"
    assert label_of(page, "is_sticky") == "Is sticky"
    assert "Published at" in page.select_one(".field-published_at").get_text()
    assert label_of(page, "tag_names") == "Tags"
    assert "Categories and tags" in [h2.get_text(strip=True) for h2 in page.select("fieldset h2")]


def test_japanese_blog_settings_page_shows_japanese_labels(admin_client, blog):
    response = admin_client.get(f"/admin/posts/blog/{blog.pk}/change/", headers=JAPANESE)

    page = BeautifulSoup(response.content, "html.parser")
    assert label_of(page, "tagline") == "キャッチフレーズ"
    assert label_of(page, "comment_max_links") == "コメント内のリンク数の上限"


def test_japanese_comment_action_reports_in_japanese(admin_client, blog):
    held = CommentFactory(status=CommentStatus.PENDING)
    already = CommentFactory(status=CommentStatus.APPROVED)

    response = admin_client.post(
        "/admin/discussion/comment/",
        {"action": "approve", "_selected_action": [str(held.pk), str(already.pk)]},
        headers=JAPANESE,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1件のコメントを承認しました。 1件はすでにその状態でした。"
    ]


def test_japanese_comment_list_names_its_columns_and_filters(admin_client: Client, blog):
    CommentFactory()

    page = admin_client.get("/admin/discussion/comment/", headers=JAPANESE).content.decode()

    assert "投稿者名" in page
    assert "選択したコメントを承認" in page
