"""The two-factor pages in a Japanese admin (Accept-Language), English ones unchanged."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.accounts.conftest import Clock, TwoFactor, password_login

pytestmark = pytest.mark.django_db

VERIFY = "/admin/two-factor/verify/"
JAPANESE = {"Accept-Language": "ja"}


def test_verify_page_in_japanese(client: Client, twofactor: TwoFactor) -> None:
    password_login(client)

    response = client.get(VERIFY, headers=JAPANESE)

    page = BeautifulSoup(response.content, "html.parser")
    assert response["Content-Language"] == "ja"
    assert page.select_one("#content h1").get_text(strip=True) == "2段階認証"
    assert (
        "このアカウントには2段階目の認証が必要です" in page.select_one("#content-main p").get_text()
    )
    assert page.select_one("label[for=id_code]").get_text(strip=True).rstrip(":：") == "コード"
    buttons = [button["value"] for button in page.select("input[type=submit]")]
    assert buttons == ["ログイン", "ログアウト"]


def test_wrong_code_is_refused_in_japanese(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    password_login(client)

    response = client.post(VERIFY, {"code": clock.wrong_code(twofactor.device)}, headers=JAPANESE)

    assert "コードが正しくありません。" in response.content.decode()


def test_verify_page_in_english_for_an_english_browser(
    client: Client, twofactor: TwoFactor
) -> None:
    password_login(client)

    page = BeautifulSoup(
        client.get(VERIFY, headers={"Accept-Language": "en"}).content, "html.parser"
    )

    assert page.select_one("#content h1").get_text(strip=True) == "Two-factor login"
    assert (
        page.select_one("#content-main p")
        .get_text(" ", strip=True)
        .startswith("Your account asks for a second step.")
    )


def test_overview_and_turning_off_in_japanese(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    password_login(client)
    client.post(VERIFY, {"code": clock.code(twofactor.device)})

    overview = client.get("/admin/two-factor/", headers=JAPANESE).content.decode()
    assert "2段階認証は有効です。" in overview
    assert "未使用のリカバリーコード：10 個" in overview

    form = client.get("/admin/two-factor/disable/", headers=JAPANESE).content.decode()
    assert "本人確認のため、パスワードかコードを入力してください。" in form
    assert (
        "パスワードかコードを入力してください。"
        in client.post("/admin/two-factor/disable/", headers=JAPANESE).content.decode()
    )
