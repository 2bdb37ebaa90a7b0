"""`yamabiko check` as an operator runs it: a real process with a real environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run_process


@pytest.fixture
def https_env(process_env: dict[str, str]) -> dict[str, str]:
    """The deployment guide's environment, with the data dir private to its user."""
    data_dir = Path(process_env["YAMABIKO_DATA_DIR"])
    data_dir.mkdir(mode=0o700)
    data_dir.chmod(0o700)
    return process_env | {
        "YAMABIKO_SITE_URL": "https://blog.example.org",
        "YAMABIKO_TRUSTED_PROXIES": "127.0.0.1",
        "YAMABIKO_EMAIL_URL": "smtp://blog%40example.org:secret@smtp.example.org:587",
    }


def test_check_on_clean_https_blog_exits_0_without_findings(https_env: dict[str, str]) -> None:
    done = run_process("check", env=https_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("No findings at WARNING or above"), done.stdout
    assert done.stderr == ""


def test_check_on_http_debug_blog_exits_1_naming_checks(https_env: dict[str, str]) -> None:
    env = https_env | {"YAMABIKO_SITE_URL": "http://blog.example.org", "YAMABIKO_DEBUG": "1"}
    done = run_process("check", env=env)
    assert done.returncode == 1, done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("WARNING (yamabiko.W001) YAMABIKO_DEBUG") for line in lines)
    assert any(line.startswith("WARNING (yamabiko.W002) YAMABIKO_SITE_URL") for line in lines)
    # Replaced by ours, which name the variable to set.
    assert "security.W018" not in done.stdout
    assert "security.W012" not in done.stdout
    assert done.stderr.startswith("Error: ")
    assert len(done.stderr.splitlines()) == 1


def test_check_fail_level_error_passes_warnings(https_env: dict[str, str]) -> None:
    env = https_env | {"YAMABIKO_DEBUG": "1"}
    done = run_process("check", "--fail-level", "error", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(yamabiko.W001)" in done.stdout


def test_check_site_host_not_allowed_is_an_error(https_env: dict[str, str]) -> None:
    env = https_env | {"YAMABIKO_ALLOWED_HOSTS": "other.example.org"}
    done = run_process("check", "--fail-level", "ERROR", env=env)
    assert done.returncode == 1
    assert "ERROR (yamabiko.E001)" in done.stdout


def test_check_help_reads_no_environment(tmp_path: Path, process_env: dict[str, str]) -> None:
    env = process_env | {"YAMABIKO_SITE_URL": "not a url"}
    done = run_process("check", "--help", env=env)
    assert done.returncode == 0
    assert "--fail-level" in done.stdout
    assert not Path(env["YAMABIKO_DATA_DIR"]).exists()
