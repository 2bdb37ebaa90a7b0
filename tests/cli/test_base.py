"""What every command shares: help, version, one-line errors, the environment checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.cli.conftest import (
    Invoke,
    assert_ok,
    assert_one_line_error,
    assert_process_one_line_error,
    free_port,
    run_process,
)
from yamabiko import __version__
from yamabiko.cli import cli
from yamabiko.cli.base import masked_url, one_line

UNWRITABLE_DATA_DIR = "/proc/nonexistent-dir"
UNREACHABLE_DATABASE = "postgres://nobody:s3cret@127.0.0.1:1/nothing"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        elif name != "manage":  # its --help belongs to Django: tested below
            paths.append((*prefix, name))
    return paths


COMMANDS = command_paths(cli)


def test_every_command_is_covered_by_the_help_test() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"", "demo", "serve", "worker", "post new", "post edit", "post delete"} <= names
    assert {"config list", "config get", "config set"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "yamabiko")
def test_every_command_prints_help(run_cli: Invoke, path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")

    assert_ok(result)
    assert result.stdout.startswith(f"Usage: {' '.join(('yamabiko', *path))} ")


def test_help_needs_no_usable_environment(process_env: dict[str, str]) -> None:
    env = {**process_env, "YAMABIKO_DATA_DIR": UNWRITABLE_DATA_DIR}
    env["DATABASE_URL"] = UNREACHABLE_DATABASE

    for path in COMMANDS:
        done = run_process(*path, "--help", env=env)
        assert done.returncode == 0, (path, done.stderr)
        assert "Usage: yamabiko" in done.stdout


def test_version_prints_the_package_version(run_cli: Invoke) -> None:
    result = run_cli("--version")

    assert_ok(result)
    assert result.stdout == f"yamabiko {__version__}\n"


def test_console_script_runs_main(process_env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "yamabiko"
    if not script.exists():
        pytest.skip("yamabiko is not installed as a console script next to this Python")

    done = subprocess.run(
        [script, "--version"], env=process_env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"yamabiko {__version__}\n")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["post", "new"], id="missing-option"),
        pytest.param(["post", "delete", "one"], id="bad-argument-type"),
        pytest.param(["nonsense"], id="unknown-command"),
        pytest.param(["--nonsense"], id="unknown-option"),
    ],
)
def test_usage_errors_are_one_line_pointing_to_help(run_cli: Invoke, args: list[str]) -> None:
    result = run_cli(*args)

    assert_one_line_error(result)
    assert result.exit_code == 2
    assert "--help'" in result.stderr


def test_manage_passes_help_to_django(run_cli: Invoke) -> None:
    result = run_cli("manage", "migrate", "--help")

    assert_ok(result)
    assert "--fake" in result.stdout
    assert "yamabiko manage migrate" in result.stdout


def test_manage_runs_django_commands(run_cli: Invoke) -> None:
    result = run_cli("manage", "version")

    assert_ok(result)
    assert result.stdout.strip()[0].isdigit()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["config", "list"], id="config"),
        pytest.param(["post", "new", "--title", "T"], id="post-new"),
        pytest.param(["worker", "--batch"], id="worker"),
        pytest.param(["serve", "--port", "{port}"], id="serve"),
        pytest.param(["demo", "--port", "{port}"], id="demo"),
        pytest.param(["manage", "check"], id="manage"),
    ],
)
def test_unwritable_data_dir_is_one_line_error(
    process_env: dict[str, str], args: list[str]
) -> None:
    env = {**process_env, "YAMABIKO_DATA_DIR": UNWRITABLE_DATA_DIR}
    port = str(free_port())

    done = run_process(*(arg.replace("{port}", port) for arg in args), env=env)

    assert_process_one_line_error(done)
    assert f"data dir {UNWRITABLE_DATA_DIR} is not writable" in done.stderr
    assert "YAMABIKO_DATA_DIR" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["config", "get", "title"], id="config"),
        pytest.param(["post", "new", "--title", "T"], id="post-new"),
        pytest.param(["post", "delete", "1"], id="post-delete"),
        pytest.param(["worker"], id="worker"),
        pytest.param(["serve", "--port", "{port}"], id="serve"),
        pytest.param(["demo", "--port", "{port}"], id="demo"),
    ],
)
def test_unreachable_database_is_one_line_error_with_password_masked(
    process_env: dict[str, str], args: list[str]
) -> None:
    env = {**process_env, "DATABASE_URL": UNREACHABLE_DATABASE}
    port = str(free_port())

    done = run_process(*(arg.replace("{port}", port) for arg in args), env=env)

    assert_process_one_line_error(done)
    assert "cannot reach the database at postgres://nobody:***@127.0.0.1:1/nothing" in done.stderr
    assert "check DATABASE_URL" in done.stderr
    assert "s3cret" not in done.stderr


def test_unmigrated_database_asks_for_migrate(process_env: dict[str, str]) -> None:
    done = run_process("config", "list", env=process_env)

    assert_process_one_line_error(done)
    assert "yamabiko manage migrate" in done.stderr


def test_commands_work_once_migrated(process_env: dict[str, str]) -> None:
    assert run_process("manage", "migrate", "--verbosity", "0", env=process_env).returncode == 0

    done = run_process("config", "get", "timezone", env=process_env)

    assert (done.returncode, done.stdout, done.stderr) == (0, "UTC\n", "")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgres://blog:hunter2@db.example:5432/blog",
            "postgres://blog:***@db.example:5432/blog",
        ),
        ("postgres://blog@db.example/blog", "postgres://blog@db.example/blog"),
        (
            "postgres://db.example/blog?user=blog&password=hunter2",
            "postgres://db.example/blog?user=blog&password=***",
        ),
        ("postgres://a%40b:p%3Aw@h/db", "postgres://a%40b:***@h/db"),
        ("sqlite:////srv/blog/yamabiko.sqlite3", "sqlite:////srv/blog/yamabiko.sqlite3"),
    ],
)
def test_masked_url_hides_passwords_only(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_one_line_joins_a_driver_message_into_sentences() -> None:
    message = "port 1 failed: Connection refused\n\tIs the server running?\n"

    assert one_line(message) == "port 1 failed: Connection refused. Is the server running?"
