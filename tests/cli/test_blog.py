"""`yamabiko config list|get|set`, run in this process against the test database."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke, assert_ok, assert_one_line_error
from yamabiko.posts.models import Blog
from yamabiko.posts.services import BLOG_SETTING_KEYS

pytestmark = pytest.mark.django_db


def test_config_list_prints_every_setting_as_key_equals_value(run_cli: Invoke) -> None:
    blog = Blog.load()

    result = run_cli("config", "list")

    assert_ok(result)

    def shown(value: object) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    assert result.stdout.splitlines() == [
        f"{key} = {shown(getattr(blog, key))}" for key in BLOG_SETTING_KEYS
    ]


def test_config_list_shows_multi_line_settings_on_one_line(run_cli: Invoke) -> None:
    Blog.objects.update_or_create(pk=1, defaults={"blocked_words": "casino\npills\n"})

    result = run_cli("config", "list")

    assert "blocked_words = casino, pills" in result.stdout.splitlines()


def test_config_get_prints_the_bare_value(run_cli: Invoke) -> None:
    Blog.objects.update_or_create(pk=1, defaults={"title": "山彦の谷"})

    result = run_cli("config", "get", "title")

    assert_ok(result)
    assert result.stdout == "山彦の谷\n"


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("title", "Mountain echo", "Mountain echo"),
        ("timezone", "Asia/Tokyo", "Asia/Tokyo"),
        ("posts_per_page", "25", 25),
        ("date_format", "Y-m-d H:i", "Y-m-d H:i"),
    ],
)
def test_config_set_stores_the_value_and_prints_it(
    run_cli: Invoke, key: str, value: str, stored: object
) -> None:
    result = run_cli("config", "set", key, value)

    assert_ok(result)
    assert result.stdout == f"{value}\n"
    assert getattr(Blog.load(), key) == stored
    assert run_cli("config", "get", key).stdout == f"{value}\n"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("posts_per_page", "many"),
        ("posts_per_page", "0"),
        ("language", "xx"),
    ],
)
def test_config_set_refuses_invalid_values_and_changes_nothing(
    run_cli: Invoke, key: str, value: str
) -> None:
    before = getattr(Blog.load(), key)

    result = run_cli("config", "set", key, value)

    assert_one_line_error(result)
    assert key in result.stderr
    assert getattr(Blog.load(), key) == before


def test_config_set_invalid_timezone_says_what_is_wrong(run_cli: Invoke) -> None:
    result = run_cli("config", "set", "timezone", "Mars/Olympus_Mons")

    assert_one_line_error(result)
    assert "not a known time zone" in result.stderr


@pytest.mark.parametrize("args", [["get", "colour"], ["set", "colour", "blue"]])
def test_config_unknown_key_fails_naming_the_known_ones(run_cli: Invoke, args: list[str]) -> None:
    result = run_cli("config", *args)

    assert_one_line_error(result)
    assert "unknown setting 'colour'" in result.stderr
    assert "timezone" in result.stderr
