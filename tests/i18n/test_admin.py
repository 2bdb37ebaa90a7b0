"""The admin speaks the reader's language (Accept-Language), English or Japanese."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_admin_login_in_japanese_for_a_japanese_browser(client, blog):
    response = client.get("/admin/login/", headers={"Accept-Language": "ja,en;q=0.5"})

    assert response.status_code == 200
    assert "ユーザー名" in response.content.decode()
    assert response["Content-Language"] == "ja"
    assert "Accept-Language" in response["Vary"]


def test_admin_login_in_english_for_other_browsers(client, blog):
    response = client.get("/admin/login/", headers={"Accept-Language": "fr,en-GB;q=0.8"})

    assert "Username" in response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


def test_admin_falls_back_to_the_blogs_language_then_english(client, blog):
    blog.language = "ja"
    blog.save()
    assert client.get("/admin/login/")["Content-Language"] == "ja"
    french = client.get("/admin/login/", headers={"Accept-Language": "fr"})
    assert french["Content-Language"] == "ja"

    blog.language = "ko"
    blog.save()
    assert client.get("/admin/login/")["Content-Language"] == "en"


def test_admin_skips_languages_the_interface_does_not_speak(client, blog):
    response = client.get("/admin/login/", headers={"Accept-Language": "ko, ja;q=0.5"})

    assert response["Content-Language"] == "ja"


def test_japanese_admin_shows_our_own_words(admin_client, blog):
    response = admin_client.get("/admin/", headers={"Accept-Language": "ja"})

    assert "記事" in response.content.decode()
    assert "ブログ設定" in response.content.decode()
