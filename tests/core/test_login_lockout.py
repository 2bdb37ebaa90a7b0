"""Admin logins are locked out after repeated failures, per user name and per address."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LIMIT = 5


@pytest.fixture
def author() -> object:
    user = UserFactory(username="kodama", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client: Client, username: str, password: str, address: str, **extra: str) -> int:
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )
    return response.status_code


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_user_name_is_locked_after_five_failures_even_with_the_right_password(
    client: Client, author: object
) -> None:
    for attempt in range(LIMIT - 1):
        # From a different address each time: the user name alone counts.
        assert log_in(client, "kodama", "guess", f"198.51.100.{attempt}") == 200
    assert log_in(client, "kodama", "guess", "198.51.100.99") == 429  # the fifth locks

    assert log_in(client, "kodama", PASSWORD, "203.0.113.7") == 429
    assert not signed_in(client)


def test_an_address_is_locked_after_five_failures_whatever_the_user_name(
    client: Client, author: object
) -> None:
    for attempt in range(LIMIT - 1):
        assert log_in(client, f"guess{attempt}", "guess", "198.51.100.9") == 200
    assert log_in(client, "guess-last", "guess", "198.51.100.9") == 429

    assert log_in(client, "kodama", PASSWORD, "198.51.100.9") == 429
    assert not signed_in(client)
    other = Client()
    assert log_in(other, "kodama", PASSWORD, "203.0.113.7") == 302
    assert signed_in(other)


def test_a_success_before_the_limit_starts_the_count_again(client: Client, author: object) -> None:
    for _ in range(LIMIT - 1):
        assert log_in(client, "kodama", "guess", "198.51.100.9") == 200
    assert log_in(client, "kodama", PASSWORD, "198.51.100.9") == 302
    client.logout()

    for _ in range(LIMIT - 1):
        assert log_in(client, "kodama", "guess", "198.51.100.9") == 200
    assert log_in(client, "kodama", PASSWORD, "198.51.100.9") == 302


def test_behind_a_trusted_proxy_each_reader_has_an_address_of_their_own(
    client: Client, author: object, settings: LazySettings
) -> None:
    settings.YAMABIKO_TRUSTED_PROXIES = ("127.0.0.1/32",)
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for attempt in range(LIMIT - 1):
        assert log_in(client, f"guess{attempt}", "guess", "127.0.0.1", **forwarded) == 200
    assert log_in(client, "guess-last", "guess", "127.0.0.1", **forwarded) == 429

    locked = {"HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    assert log_in(Client(), "kodama", PASSWORD, "127.0.0.1", **locked) == 429
    another_reader = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert log_in(Client(), "kodama", PASSWORD, "127.0.0.1", **another_reader) == 302
