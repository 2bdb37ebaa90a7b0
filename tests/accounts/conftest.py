"""An author with a password, a controllable TOTP clock, and helpers to log in with both."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from yamabiko.accounts import services

PASSWORD = "correct horse battery staple"
START = 1_800_000_000.0  # a whole number of 30-second steps


@dataclass
class Clock:
    """The time django-otp checks codes against: ours, so a test can step past a code."""

    now: float = START

    def time(self) -> float:
        return self.now

    def step(self) -> None:
        self.now += 30

    def code(self, device: TOTPDevice) -> str:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = self.now
        return f"{totp.token():0{device.digits}d}"

    def wrong_code(self, device: TOTPDevice) -> str:
        right = int(self.code(device))
        # Not the code of this step nor of its neighbours, which the device also accepts.
        return f"{(right + 500_000) % 1_000_000:06d}"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=fake.time))
    return fake


@pytest.fixture
def author() -> AbstractUser:
    user: AbstractUser = UserFactory(username="kodama", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class TwoFactor:
    device: TOTPDevice
    recovery_codes: list[str]


@pytest.fixture
def twofactor(author: AbstractUser, clock: Clock) -> TwoFactor:
    """Two-factor login turned on for the author, as the set-up page does it."""
    device = services.totp_begin(user=author)
    device, codes = services.totp_confirm(user=author, code=clock.code(device))
    clock.step()  # the set-up used this step's code
    return TwoFactor(device=device, recovery_codes=codes)


def password_login(client: Client, password: str = PASSWORD) -> str:
    """Log in at the admin's login page; returns where it sends the browser."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "kodama", "password": password}
    )
    assert response.status_code == 302, response.status_code
    return str(response["Location"])
