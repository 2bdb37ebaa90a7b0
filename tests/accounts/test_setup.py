"""Turning two-factor login on from the admin: secret, QR code, confirmation, codes once."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import Clock, password_login
from yamabiko.accounts import services

pytestmark = pytest.mark.django_db


def assert_no_inline_script_or_style(html: str) -> None:
    # A strict Content-Security-Policy would block them.
    soup = BeautifulSoup(html, "html.parser")
    assert not [s for s in soup.find_all("script") if not s.get("src")]
    assert not soup.find_all("style")
    assert not soup.find_all(style=True)


def test_an_author_without_a_device_logs_in_with_the_password_alone(
    client: Client, author: AbstractUser
) -> None:
    assert password_login(client) == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/two-factor/verify/?next=/admin/").url == "/admin/"

    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    assert "Two-factor login is off" in page.text
    assert_no_inline_script_or_style(page.text)


def test_the_admin_links_to_the_two_factor_page(client: Client, author: AbstractUser) -> None:
    password_login(client)
    assert 'href="/admin/two-factor/"' in client.get("/admin/").text


def test_setting_up_shows_the_secret_and_turns_on_only_with_a_right_code(
    client: Client, author: AbstractUser, clock: Clock
) -> None:
    password_login(client)
    started = client.post("/admin/two-factor/setup/start/")
    assert started.url == "/admin/two-factor/setup/"

    page = client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=author)
    assert not device.confirmed
    secret = services.totp_secret(device)
    assert secret in page.text
    assert re.search(r"otpauth://totp/[^\"<]*kodama\?secret=", page.text)
    svg = BeautifulSoup(page.text, "html.parser").find("svg", class_="segno")
    assert svg is not None
    assert svg.find("path") is not None
    assert_no_inline_script_or_style(page.text)
    # Begun but not confirmed: nothing asks for a code yet.
    assert not services.twofactor_enabled(user=author)

    wrong = client.post("/admin/two-factor/setup/", {"code": clock.wrong_code(device)})
    assert "That code is not right" in wrong.text
    assert not services.twofactor_enabled(user=author)

    clock.now += 2  # past the one-second wait after a wrong code
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/admin/two-factor/setup/", {"code": clock.code(device)})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    shown = [
        c.text for c in BeautifulSoup(done.text, "html.parser").select("#content-main li code")
    ]
    stored = set(StaticToken.objects.filter(device__user=author).values_list("token", flat=True))
    assert len(shown) == services.RECOVERY_CODE_COUNT == 10
    assert set(shown) == stored
    assert services.twofactor_enabled(user=author)
    assert_no_inline_script_or_style(done.text)

    # This session gave the code; it goes on working without another.
    assert client.get("/admin/").status_code == 200
    # The codes are shown once: the page for them now asks who it is and makes new ones.
    assert client.get("/admin/two-factor/setup/").url == "/admin/two-factor/"


def test_starting_again_replaces_an_unconfirmed_secret(
    client: Client, author: AbstractUser
) -> None:
    password_login(client)
    client.post("/admin/two-factor/setup/start/")
    first = TOTPDevice.objects.get(user=author).key
    client.post("/admin/two-factor/setup/start/")
    assert TOTPDevice.objects.get(user=author).key != first


def test_set_up_cannot_start_while_on(
    client: Client, author: AbstractUser, twofactor: object, clock: Clock
) -> None:
    device = TOTPDevice.objects.get(user=author)
    password_login(client)
    client.post("/admin/two-factor/verify/", {"code": clock.code(device)})
    response = client.post("/admin/two-factor/setup/start/", follow=True)
    assert "already on" in response.text
    assert TOTPDevice.objects.filter(user=author).count() == 1
