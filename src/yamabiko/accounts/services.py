"""Two-factor login: setting it up, checking the second step, and turning it off.

A user has it on when they own a confirmed TOTP device; their recovery codes are the
tokens of one static device. Both kinds of device count failed codes and refuse to check
any code for 1, 2, 4, 8, … seconds after successive failures (django-otp's throttling,
kept in the device row, so every process counts together): a million guesses at six digits
would take longer than anyone waits.
"""

from __future__ import annotations

import logging
import re
from base64 import b32encode
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from yamabiko.core.exceptions import InvalidInput, YamabikoError

__all__ = [
    "RECOVERY_CODE_COUNT",
    "SecondFactorLocked",
    "recovery_codes_left",
    "recovery_codes_regenerate",
    "second_factor_verify",
    "second_step_pending",
    "totp_begin",
    "totp_confirm",
    "totp_pending",
    "totp_secret",
    "twofactor_disable",
    "twofactor_enabled",
]

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP_CODE = re.compile(r"[0-9]{6}")
# People copy codes as "123 456" or "abcd-efgh"; neither separator is part of a code.
SEPARATORS = re.compile(r"[\s-]+")

logger = logging.getLogger(__name__)


class SecondFactorLocked(YamabikoError):
    """Too many wrong codes in a row: no code is checked before ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            gettext("Too many wrong codes. Wait until %(time)s UTC before trying again.")
            % {"time": f"{until:%H:%M:%S}"}
        )
        self.until = until


def twofactor_enabled(*, user: AbstractBaseUser) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def second_step_pending(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this logged-in user still owes the code that their account asks for.

    ``otp_device`` is set by django-otp's middleware from the session: the device that
    accepted a code since the password was given.
    """
    if not user.is_authenticated or getattr(user, "otp_device", None) is not None:
        return False
    assert isinstance(user, AbstractBaseUser)
    return twofactor_enabled(user=user)


def totp_pending(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The device being set up: shown to the user's app, not yet confirmed by a code."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps ask to have it typed: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def totp_begin(*, user: AbstractBaseUser) -> TOTPDevice:
    """A fresh secret for the user's app; it protects nothing until confirmed with a code."""
    if twofactor_enabled(user=user):
        raise InvalidInput(gettext("two-factor login is already on; turn it off first"))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_confirm(*, user: AbstractBaseUser, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor login on with the first code from the app; returns recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise InvalidInput(gettext("no set-up in progress; start again"))
        verified = _verify(device, _normalized(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes_replace(user)
    # Outside the transaction: the failure count the device just saved must stay.
    if not verified:
        raise InvalidInput(
            gettext("That code is not right. Check the time on your phone and retry.")
        )
    logger.info("two-factor login turned on for %s", user.get_username())
    return device, codes


def second_factor_verify(*, user: AbstractBaseUser, code: str) -> Device:
    """The device that accepts this code: the app's six digits or an unused recovery code.

    A recovery code is used up by this call.
    """
    code = _normalized(code)
    with transaction.atomic():
        device = None
        if not TOTP_CODE.fullmatch(code):
            device = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        if device is None:
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        if device is None:
            raise InvalidInput(gettext("two-factor login is not on for this account"))
        verified = _verify(device, code)
    if not verified:
        raise InvalidInput(gettext("That code is not right."))
    return device


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())


def recovery_codes_regenerate(*, user: AbstractBaseUser) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        if not twofactor_enabled(user=user):
            raise InvalidInput(gettext("two-factor login is not on for this account"))
        codes = _recovery_codes_replace(user)
    logger.info("new recovery codes for %s", user.get_username())
    return codes


@transaction.atomic
def twofactor_disable(*, user: AbstractBaseUser) -> int:
    """Remove the user's app and recovery codes; returns how many devices there were."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    logger.info("two-factor login turned off for %s", user.get_username())
    return int(removed)


def _normalized(code: str) -> str:
    # Recovery codes are lowercase base32; people copy them in any case.
    return SEPARATORS.sub("", code).lower()


def _verify(device: Device, code: str) -> bool:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorLocked(details["locked_until"])
    return bool(device.verify_token(code))


def _recovery_codes_replace(user: AbstractBaseUser) -> list[str]:
    # The device is kept so that its failure count survives new codes.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
