"""Yamabiko's deployment checks: each fires in the situation it names, and only there."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.checks import CheckMessage, run_checks

from yamabiko.core.checks import TAG, estimated_bits

type Settings = LazySettings
# Only the checks read the overridden DATABASES; the test's connections stay as they are.
overrides_databases = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
STRONG_KEY = secrets.token_urlsafe(50)


def sqlite(path: Path) -> dict[str, object]:
    return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}


@pytest.fixture
def clean(settings: Settings, tmp_path: Path) -> Path:
    """A proper https production blog in a private data dir; yields that dir."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    data_dir.chmod(0o700)
    settings.DEBUG = False
    settings.YAMABIKO_SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["blog.example.org", "127.0.0.1"]
    settings.SECRET_KEY = STRONG_KEY
    settings.YAMABIKO_DATA_DIR = data_dir
    settings.YAMABIKO_PAGE_MIRROR = False
    settings.YAMABIKO_REDIS_URL = None
    settings.YAMABIKO_OUTBOUND_ALLOW = ()
    settings.YAMABIKO_TRUSTED_PROXIES = ("127.0.0.1/32",)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    return data_dir


def ids() -> list[str]:
    found: list[CheckMessage] = run_checks(tags=[TAG], include_deployment_checks=True)
    return sorted(str(message.id) for message in found)


def test_clean_https_blog_has_no_findings(clean: Path) -> None:
    assert ids() == []


def test_checks_run_only_for_deployment(clean: Path, settings: Settings) -> None:
    settings.DEBUG = True
    assert run_checks(tags=[TAG]) == []


def test_debug_on_warns(clean: Path, settings: Settings) -> None:
    settings.DEBUG = True
    assert ids() == ["yamabiko.W001"]


@pytest.mark.parametrize("url", ["http://blog.example.org", "http://192.0.2.10:8000"])
def test_http_site_url_warns(clean: Path, settings: Settings, url: str) -> None:
    settings.YAMABIKO_SITE_URL = url
    settings.ALLOWED_HOSTS = ["*"] if "192.0.2" in url else ["blog.example.org"]
    assert "yamabiko.W002" in ids()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]"])
def test_http_site_url_on_loopback_is_fine(clean: Path, settings: Settings, url: str) -> None:
    settings.YAMABIKO_SITE_URL = url
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    assert ids() == []


@pytest.mark.parametrize(
    "key", ["short-but-random-" + secrets.token_urlsafe(8), "ab" * 40, "abcdefgh" * 10]
)
def test_weak_secret_key_from_environment_warns(clean: Path, settings: Settings, key: str) -> None:
    settings.SECRET_KEY = key
    found = run_checks(tags=[TAG], include_deployment_checks=True)
    assert [message.id for message in found] == ["yamabiko.W003"]
    assert "YAMABIKO_SECRET_KEY" in str(found[0].msg)


def test_weak_secret_key_file_warns_naming_the_file(clean: Path, settings: Settings) -> None:
    (clean / "secret_key").write_text("tiny\n")
    (clean / "secret_key").chmod(0o600)
    settings.SECRET_KEY = "tiny"
    found = run_checks(tags=[TAG], include_deployment_checks=True)
    assert [message.id for message in found] == ["yamabiko.W003"]
    assert str(clean / "secret_key") in str(found[0].msg)


def test_generated_keys_score_far_above_the_bar() -> None:
    assert min(estimated_bits(secrets.token_urlsafe(50)) for _ in range(100)) > 300
    assert estimated_bits(secrets.token_hex(32)) > 128
    assert estimated_bits("abcdefgh" * 10) < 128


@pytest.mark.parametrize("mode", [0o755, 0o705, 0o701, 0o704])
def test_data_dir_open_to_others_warns(clean: Path, mode: int) -> None:
    clean.chmod(mode)
    assert ids() == ["yamabiko.W004"]


def test_data_dir_open_to_group_is_fine(clean: Path) -> None:
    clean.chmod(0o750)
    assert ids() == []


def test_data_dir_traversable_for_the_mirror_is_fine(clean: Path, settings: Settings) -> None:
    settings.YAMABIKO_PAGE_MIRROR = True
    clean.chmod(0o701)
    assert ids() == []
    clean.chmod(0o705)
    assert ids() == ["yamabiko.W004"]


@overrides_databases
def test_secret_files_readable_through_traversable_dir_warn(
    clean: Path, settings: Settings
) -> None:
    settings.YAMABIKO_PAGE_MIRROR = True
    settings.DATABASES = sqlite(clean / "blog.sqlite3")
    (clean / "blog.sqlite3").write_bytes(b"")
    (clean / "blog.sqlite3").chmod(0o644)
    (clean / "secret_key").write_text(STRONG_KEY)
    (clean / "secret_key").chmod(0o644)
    clean.chmod(0o711)
    found = run_checks(tags=[TAG], include_deployment_checks=True)
    assert [message.id for message in found] == ["yamabiko.W005"]
    assert str(clean / "secret_key") in str(found[0].msg)
    assert str(clean / "blog.sqlite3") in str(found[0].msg)


@overrides_databases
def test_secret_files_in_private_dir_are_fine(clean: Path, settings: Settings) -> None:
    settings.DATABASES = sqlite(clean / "blog.sqlite3")
    for name in ("blog.sqlite3", "secret_key"):
        (clean / name).write_text(STRONG_KEY)
        (clean / name).chmod(0o644)
    assert ids() == []


@overrides_databases
def test_page_mirror_with_redis_warns(clean: Path, settings: Settings) -> None:
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}
    settings.YAMABIKO_REDIS_URL = "redis://127.0.0.1:6379/0"
    assert ids() == []
    settings.YAMABIKO_PAGE_MIRROR = True
    assert ids() == ["yamabiko.W006"]


def test_outbound_allow_warns(clean: Path, settings: Settings) -> None:
    settings.YAMABIKO_OUTBOUND_ALLOW = ("127.0.0.1",)
    assert ids() == ["yamabiko.W007"]


@overrides_databases
def test_sqlite_with_redis_warns(clean: Path, settings: Settings) -> None:
    settings.DATABASES = sqlite(clean / "blog.sqlite3")
    assert ids() == []
    settings.YAMABIKO_REDIS_URL = "redis://127.0.0.1:6379/0"
    assert ids() == ["yamabiko.W008"]


def test_console_mail_warns(clean: Path, settings: Settings) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    assert ids() == ["yamabiko.W009"]


def test_https_without_trusted_proxies_warns(clean: Path, settings: Settings) -> None:
    settings.YAMABIKO_TRUSTED_PROXIES = ()
    assert ids() == ["yamabiko.W010"]
    settings.YAMABIKO_SITE_URL = "http://127.0.0.1:8000"
    assert ids() == []


def test_any_host_allowed_warns(clean: Path, settings: Settings) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    assert ids() == ["yamabiko.W011"]


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (["example.org"], ["yamabiko.E001"]),
        ([".example.org"], []),
        (["blog.example.org"], []),
    ],
)
def test_site_host_not_allowed_is_an_error(
    clean: Path, settings: Settings, hosts: list[str], expected: list[str]
) -> None:
    settings.ALLOWED_HOSTS = hosts
    assert ids() == expected


def test_every_finding_has_a_hint(clean: Path, settings: Settings) -> None:
    changes: list[Callable[[], None]] = [
        lambda: setattr(settings, "DEBUG", True),
        lambda: setattr(settings, "YAMABIKO_SITE_URL", "http://blog.example.org"),
        lambda: setattr(settings, "SECRET_KEY", "x"),
        lambda: setattr(settings, "YAMABIKO_OUTBOUND_ALLOW", ("10.0.0.0/8",)),
        lambda: setattr(settings, "ALLOWED_HOSTS", ["*", "other.example.org"]),
    ]
    for change in changes:
        change()
    clean.chmod(0o755)
    found = run_checks(tags=[TAG], include_deployment_checks=True)
    assert len(found) >= 5
    assert all(message.hint for message in found)
