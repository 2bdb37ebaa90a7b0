"""Running the `yamabiko` command: in this process (CliRunner) or as a real process.

In-process runs share the test database. Subprocess runs get a fresh data dir and their
own SQLite file, whatever DATABASE_URL the suite runs with, so starting servers never
touches a shared database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from yamabiko.cli import cli

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 30

type Invoke = Callable[..., Result]


@pytest.fixture
def run_cli() -> Invoke:
    """Invoke `yamabiko ARGS…` in this process; ``input`` is what stdin reads."""

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, prog_name="yamabiko")

    return invoke


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)


def assert_one_line_error(result: Result) -> None:
    """A refused command: non-zero exit, one line on stderr, handled (no traceback)."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: ")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def user_env(data_dir: Path) -> dict[str, str]:
    """The environment a user runs `yamabiko` with: none of the suite's own YAMABIKO_* or
    database settings, and ``data_dir`` (SQLite inside it unless DATABASE_URL is added)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("YAMABIKO_")
        # As a user runs it: the command must find its own settings module.
        and name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["YAMABIKO_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture
def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a `yamabiko` subprocess: a fresh data dir, SQLite inside it."""
    return user_env(tmp_path / "data")


def run_process(
    *args: str, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yamabiko", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_process_one_line_error(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()


def http_get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - test server
        return response.status, response.read().decode()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.output()}")
        try:
            status, _ = http_get(server.base_url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
            continue
        if status == 200:
            return
    pytest.fail(f"no 200 from {server.base_url} in {START_TIMEOUT_SECONDS} s:\n{server.output()}")


def processes_in_group(group: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        # After the command name: state, ppid, pgrp; a zombie has already exited.
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(stat.parent.name))
    return found


def command_lines_in_group(group: int) -> list[str]:
    lines = []
    for pid in processes_in_group(group):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        lines.append(raw.replace(b"\0", b" ").decode().strip())
    return lines


@contextmanager
def serving(*args: str, env: Mapping[str, str], port: int, tmp_path: Path) -> Iterator[Server]:
    """Start `yamabiko ARGS…`, yield once it answers 200, then stop it with SIGTERM.

    It runs in a process group of its own so the test can tell whether every process it
    started (server workers, task worker) is gone afterwards, and clean up if not.
    """
    stdout, stderr = tmp_path / f"{port}.out", tmp_path / f"{port}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "yamabiko", *args],
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    server = Server(
        process=process, base_url=f"http://127.0.0.1:{port}/", stdout=stdout, stderr=stderr
    )
    try:
        wait_until_up(server)
        yield server
    finally:
        left = stop(process)
    assert not left, f"processes left running: {left}\n{server.output()}"


def stop(process: subprocess.Popen[bytes]) -> list[int]:
    """SIGTERM the leader, wait, and kill whatever of its group outlived it (returned)."""
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    left = processes_in_group(process.pid)
    if left:
        os.killpg(process.pid, signal.SIGKILL)
    return left
