"""The second step after the password: required, enforced everywhere, and throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import PASSWORD, Clock, TwoFactor, password_login

pytestmark = pytest.mark.django_db

VERIFY = "/admin/two-factor/verify/"
ADMIN_PAGES = [
    "/admin/",
    "/admin/posts/post/",
    "/admin/posts/post/add/",
    "/admin/auth/user/",
    "/admin/password_change/",
    "/admin/login/",
    "/admin/two-factor/",
    "/admin/two-factor/disable/",
    "/admin/two-factor/recovery-codes/",
]


@pytest.fixture
def throttle_minutes(settings: LazySettings) -> None:
    # A wait of 1, 2, 4, … minutes instead of seconds, so that a slow test run cannot
    # outlast a lock between two requests; the mechanism is the same.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    settings.OTP_STATIC_THROTTLE_FACTOR = 60


def wait_out_the_throttle(device: TOTPDevice | StaticDevice) -> None:
    # Moves the last failure back, as if its wait had passed; the count stays.
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(days=365)
    device.save()


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_between_password_and_code_every_admin_page_leads_to_the_code(
    client: Client, twofactor: TwoFactor, path: str
) -> None:
    assert password_login(client) == "/admin/"
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(f"{VERIFY}?next=")


def test_between_password_and_code_admin_posts_change_nothing(
    client: Client, author: AbstractUser, twofactor: TwoFactor
) -> None:
    password_login(client)
    response = client.post(
        "/admin/two-factor/disable/", {"password": "correct horse battery staple"}
    )
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=author, confirmed=True).exists()


def test_between_password_and_code_the_public_site_sees_no_author(
    client: Client, twofactor: TwoFactor
) -> None:
    password_login(client)
    response = client.get("/")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_the_right_code_opens_the_admin(client: Client, twofactor: TwoFactor, clock: Clock) -> None:
    password_login(client)
    page = client.get(f"{VERIFY}?next=/admin/posts/post/")
    assert page.status_code == 200
    assert 'name="code"' in page.text

    session_before = client.session.session_key
    response = client.post(
        VERIFY, {"code": clock.code(twofactor.device), "next": "/admin/posts/post/"}
    )
    assert response.url == "/admin/posts/post/"
    assert client.session.session_key != session_before
    assert client.get("/admin/posts/post/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_once(client: Client, twofactor: TwoFactor, clock: Clock) -> None:
    code = clock.code(twofactor.device)
    password_login(client)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    other = Client()
    password_login(other)
    replayed = other.post(VERIFY, {"code": code})
    assert replayed.status_code == 200
    assert "That code is not right" in replayed.text
    assert other.get("/admin/").status_code == 302


def test_an_offsite_next_is_not_followed(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    password_login(client)
    response = client.post(
        VERIFY, {"code": clock.code(twofactor.device), "next": "https://evil.example/"}
    )
    assert response.url == "/admin/"


def test_a_recovery_code_logs_in_once(client: Client, twofactor: TwoFactor) -> None:
    code = twofactor.recovery_codes[0]
    password_login(client)
    # As typed from paper: upper case, split in two.
    response = client.post(VERIFY, {"code": f"{code[:4].upper()}-{code[4:].upper()}"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    password_login(client)
    again = client.post(VERIFY, {"code": code})
    assert again.status_code == 200
    assert "That code is not right" in again.text
    assert client.get("/admin/").status_code == 302
    assert len(twofactor.recovery_codes) - 1 == StaticDevice.objects.get().token_set.count()


@pytest.mark.usefixtures("throttle_minutes")
def test_wrong_codes_are_throttled_and_the_lock_says_so(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    device = twofactor.device
    password_login(client)
    first = client.post(VERIFY, {"code": clock.wrong_code(device)})
    assert first.status_code == 200
    assert "That code is not right" in first.text

    # Locked now: even the right code is not checked, and the page says why.
    locked = client.post(VERIFY, {"code": clock.code(device)})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.text
    assert client.get("/admin/").status_code == 302

    # Each failure doubles the wait; locked attempts do not count but do not get through.
    for failures in range(2, 6):
        wait_out_the_throttle(device)
        client.post(VERIFY, {"code": clock.wrong_code(device)})
        device.refresh_from_db()
        assert device.throttling_failure_count == failures
        assert client.post(VERIFY, {"code": clock.code(device)}).status_code == 429
    device.refresh_from_db()
    assert device.throttling_failure_count == 5

    wait_out_the_throttle(device)
    assert client.post(VERIFY, {"code": clock.code(device)}).url == "/admin/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.usefixtures("throttle_minutes")
def test_wrong_recovery_codes_are_throttled_too(client: Client, twofactor: TwoFactor) -> None:
    password_login(client)
    assert client.post(VERIFY, {"code": "aaaaaaaa"}).status_code == 200
    locked = client.post(VERIFY, {"code": twofactor.recovery_codes[0]})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.text
    assert StaticDevice.objects.get().token_set.count() == len(twofactor.recovery_codes)


@pytest.mark.usefixtures("throttle_minutes")
def test_a_throttled_device_stays_throttled_in_a_new_session(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    password_login(client)
    client.post(VERIFY, {"code": clock.wrong_code(twofactor.device)})
    other = Client()
    password_login(other)
    assert other.post(VERIFY, {"code": clock.code(twofactor.device)}).status_code == 429


def test_a_locked_out_password_still_gets_no_further(
    client: Client, twofactor: TwoFactor, clock: Clock
) -> None:
    for _ in range(5):
        client.post("/admin/login/", {"username": "kodama", "password": "guess"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "kodama", "password": PASSWORD},
    )
    assert response.status_code == 429
    assert client.get(VERIFY).url.startswith("/admin/login/")
