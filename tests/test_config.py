"""Reading the environment: defaults, generated secret, and one-line errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from yamabiko.config import load_config
from yamabiko.core.exceptions import ConfigurationError
from yamabiko.settings import database_settings


def test_defaults_put_everything_in_the_data_dir(tmp_path: Path) -> None:
    config = load_config({"YAMABIKO_DATA_DIR": str(tmp_path)})

    assert config.data_dir == tmp_path
    assert config.database_url == f"sqlite:///{tmp_path / 'yamabiko.sqlite3'}"
    assert config.site_url == "http://127.0.0.1:8000"
    assert config.debug is False
    assert config.page_cache is True
    assert config.redis_url is None
    assert "127.0.0.1" in config.allowed_hosts


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_config({"YAMABIKO_DATA_DIR": str(tmp_path)}).secret_key
    second = load_config({"YAMABIKO_DATA_DIR": str(tmp_path)}).secret_key

    assert first == second
    assert len(first) >= 50
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_explicit_secret_key_wins_and_nothing_is_written(tmp_path: Path) -> None:
    config = load_config({"YAMABIKO_DATA_DIR": str(tmp_path), "YAMABIKO_SECRET_KEY": "k" * 60})

    assert config.secret_key == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_site_url_sets_default_allowed_hosts_and_https(tmp_path: Path) -> None:
    config = load_config(
        {"YAMABIKO_DATA_DIR": str(tmp_path), "YAMABIKO_SITE_URL": "https://blog.example.org/"}
    )

    assert config.site_url == "https://blog.example.org"
    assert config.site_is_https
    assert config.allowed_hosts[0] == "blog.example.org"


def test_allowed_hosts_and_outbound_allow_are_comma_lists(tmp_path: Path) -> None:
    config = load_config(
        {
            "YAMABIKO_DATA_DIR": str(tmp_path),
            "YAMABIKO_ALLOWED_HOSTS": "a.example, b.example ,",
            "YAMABIKO_OUTBOUND_ALLOW": "127.0.0.2/32,127.0.0.1:8081",
        }
    )

    assert config.allowed_hosts == ("a.example", "b.example")
    assert config.outbound_allow == ("127.0.0.2/32", "127.0.0.1:8081")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("YAMABIKO_DEBUG", "maybe", "YAMABIKO_DEBUG must be 1 or 0"),
        ("YAMABIKO_SITE_URL", "ftp://x", r"YAMABIKO_SITE_URL must be an http\(s\) URL"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("YAMABIKO_PAGE_CACHE", "sometimes", "YAMABIKO_PAGE_CACHE must be 1 or 0"),
        ("YAMABIKO_TRUSTED_PROXIES", "10.0.0.0/8, nginx", "YAMABIKO_TRUSTED_PROXIES must list"),
    ],
)
def test_bad_values_stop_with_a_message_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_config({"YAMABIKO_DATA_DIR": str(tmp_path), name: value})


def test_trusted_proxies_are_read_as_networks(tmp_path: Path) -> None:
    config = load_config(
        {
            "YAMABIKO_DATA_DIR": str(tmp_path),
            "YAMABIKO_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16,::1",
        }
    )
    assert config.trusted_proxies == ("127.0.0.1/32", "10.1.0.0/16", "::1/128")


def test_the_page_mirror_is_off_by_default_and_needs_the_page_cache(tmp_path: Path) -> None:
    assert load_config({"YAMABIKO_DATA_DIR": str(tmp_path)}).page_mirror is False
    on = {"YAMABIKO_DATA_DIR": str(tmp_path), "YAMABIKO_PAGE_MIRROR": "1"}
    assert load_config(on).page_mirror is True

    with pytest.raises(ConfigurationError, match="YAMABIKO_PAGE_MIRROR=1 needs the page cache"):
        load_config({**on, "YAMABIKO_PAGE_CACHE": "0"})


def test_unwritable_data_dir_says_what_to_set(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    with pytest.raises(ConfigurationError, match="set YAMABIKO_DATA_DIR") as raised:
        load_config({"YAMABIKO_DATA_DIR": str(blocker / "data")})
    assert "\n" not in str(raised.value)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    database = database_settings(f"sqlite:///{tmp_path}/x.sqlite3")

    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_is_parsed(tmp_path: Path) -> None:
    database = database_settings("postgres://blog:pw@db.internal:5433/yamabiko")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "yamabiko",
    )


def test_many_processes_starting_together_share_one_secret_key(tmp_path: Path) -> None:
    script = (
        "import sys; from yamabiko.config import load_config; "
        "print(load_config({'YAMABIKO_DATA_DIR': sys.argv[1]}).secret_key)"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(12)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}

    assert all(process.returncode == 0 for process in processes)
    assert keys == {(tmp_path / "secret_key").read_text()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]
