"""Changing two-factor login once it is on: new recovery codes, turning it off, the CLI."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import PASSWORD, Clock, TwoFactor, password_login
from tests.factories import UserFactory
from yamabiko.accounts import services

pytestmark = pytest.mark.django_db

VERIFY = "/admin/two-factor/verify/"


@pytest.fixture
def verified(client: Client, twofactor: TwoFactor, clock: Clock) -> Client:
    """A client past both steps."""
    password_login(client)
    assert client.post(VERIFY, {"code": clock.code(twofactor.device)}).status_code == 302
    clock.step()
    return client


def test_turning_off_needs_the_password_or_a_code(verified: Client, author: AbstractUser) -> None:
    page = verified.get("/admin/two-factor/disable/")
    assert page.status_code == 200
    assert 'name="password"' in page.text

    assert "Enter your password or a code" in verified.post("/admin/two-factor/disable/").text
    wrong = verified.post("/admin/two-factor/disable/", {"password": "guess"})
    assert "That password is not right" in wrong.text
    assert services.twofactor_enabled(user=author)

    done = verified.post("/admin/two-factor/disable/", {"password": PASSWORD})
    assert done.url == "/admin/two-factor/"
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert verified.get("/admin/").status_code == 200

    # The next login is the password alone again.
    client = Client()
    assert password_login(client) == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_turning_off_with_a_code(
    verified: Client, author: AbstractUser, twofactor: TwoFactor, clock: Clock
) -> None:
    code = clock.code(twofactor.device)
    assert verified.post("/admin/two-factor/disable/", {"code": code}).status_code == 302
    assert not services.twofactor_enabled(user=author)


def test_wrong_passwords_at_turning_off_count_towards_the_login_lockout(
    verified: Client, author: AbstractUser
) -> None:
    statuses = [
        verified.post("/admin/two-factor/disable/", {"password": "guess"}).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    assert verified.post("/admin/two-factor/disable/", {"password": PASSWORD}).status_code == 429
    assert services.twofactor_enabled(user=author)


def test_new_recovery_codes_replace_the_old_ones(
    verified: Client, author: AbstractUser, twofactor: TwoFactor
) -> None:
    old = twofactor.recovery_codes
    response = verified.post("/admin/two-factor/recovery-codes/", {"code": old[0]})
    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=author).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(old)
    for code in new:
        assert code in response.text

    client = Client()
    password_login(client)
    assert client.post(VERIFY, {"code": old[1]}).status_code == 200  # refused
    StaticDevice.objects.update(throttling_failure_timestamp=None)
    assert client.post(VERIFY, {"code": sorted(new)[0]}).url == "/admin/"


def test_new_recovery_codes_need_the_password_or_a_code(
    verified: Client, author: AbstractUser, twofactor: TwoFactor
) -> None:
    response = verified.post("/admin/two-factor/recovery-codes/", {"password": "guess"})
    assert "That password is not right" in response.text
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == set(twofactor.recovery_codes)


def test_the_command_turns_two_factor_login_off(author: AbstractUser, twofactor: TwoFactor) -> None:
    out = StringIO()
    call_command("twofactor_disable", "kodama", stdout=out)
    assert "Two-factor login is off for kodama" in out.getvalue()
    assert not services.twofactor_enabled(user=author)
    assert not StaticToken.objects.exists()

    client = Client()
    assert password_login(client) == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_command_leaves_other_users_alone(author: AbstractUser, twofactor: TwoFactor) -> None:
    UserFactory(username="yamabiko")
    out = StringIO()
    call_command("twofactor_disable", "yamabiko", stdout=out)
    assert "was not on for yamabiko" in out.getvalue()
    assert services.twofactor_enabled(user=author)


def test_the_command_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("twofactor_disable", "nobody")
