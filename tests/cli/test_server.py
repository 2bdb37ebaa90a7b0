"""`yamabiko serve` and `yamabiko worker`, started for real as processes."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import (
    Invoke,
    Server,
    assert_one_line_error,
    free_port,
    http_get,
    processes_in_group,
    run_process,
    serving,
)
from yamabiko.cli import server as server_module
from yamabiko.cli.server import default_workers


def test_serve_migrates_collects_static_and_answers(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()

    with serving(
        "serve", "--port", str(port), "--workers", "1", env=process_env, port=port,
        tmp_path=tmp_path,
    ) as server:  # fmt: skip
        status, page = http_get(server.base_url)
        assert status == 200
        assert "Search" in page
        # The manifest storage links hashed names, which only exist after collectstatic.
        stylesheet = page.split('href="/static/posts/classic.', 1)[1].split('"', 1)[0]
        assert http_get(f"{server.base_url}static/posts/classic.{stylesheet}")[0] == 200

    assert server.process.returncode == 0, server.output()
    assert "GET / HTTP/1.1" not in server.output()  # no access log unless asked for


def test_serve_without_a_site_url_links_to_the_address_it_serves(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()

    with serving(
        "serve", "--port", str(port), "--workers", "1", env=process_env, port=port,
        tmp_path=tmp_path,
    ) as server:  # fmt: skip
        status, robots = http_get(f"{server.base_url}robots.txt")

    assert status == 200
    assert f"Sitemap: http://127.0.0.1:{port}/sitemap.xml" in robots


def test_serve_refuses_a_port_in_use_with_one_line(run_cli: Invoke) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_cli("serve", "--port", str(port))

    assert_one_line_error(result)
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_default_workers_are_one_per_usable_core() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("cores", [1, 3, 64])
def test_default_workers_follow_the_cores_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    monkeypatch.setattr(server_module, "usable_cores", lambda: cores)

    assert default_workers() == cores


def test_serve_access_log_writes_one_line_per_request_to_stdout(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()

    with serving(
        "serve", "--port", str(port), "--workers", "1", "--access-log", env=process_env,
        port=port, tmp_path=tmp_path,
    ) as server:  # fmt: skip
        http_get(f"{server.base_url}robots.txt")

    lines = [line for line in server.stdout.read_text().splitlines() if "/robots.txt" in line]
    assert len(lines) == 1, server.output()
    # Combined Log Format (no byte count), then the milliseconds the request took.
    assert re.fullmatch(
        r'127\.0\.0\.1 - - \[[^]]+\] "GET /robots\.txt HTTP/1\.1" 200 - "-" '
        r'"Python-urllib/[\d.]+" \d+',
        lines[0],
    ), lines[0]
    assert "/robots.txt" not in server.stderr.read_text()


def worker_pids(server: Server) -> set[int]:
    """The server's workers: the supervisor's children, less a preparing child if running."""
    leader = server.process.pid
    found = set()
    for pid in processes_in_group(leader):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(stat.rpartition(")")[2].split()[1]) == leader and b"prepare_main" not in cmdline:
            found.add(pid)
    return found


def wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_serve_reloads_its_workers_on_sighup_without_failing_a_request(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    answers: list[int | str] = []
    done = threading.Event()

    with serving(
        "serve", "--port", str(port), "--workers", "2", env=process_env, port=port,
        tmp_path=tmp_path,
    ) as server:  # fmt: skip

        def keep_asking() -> None:
            while not done.is_set():
                try:
                    # Requests that arrive while new workers boot wait in the listen queue
                    # for them, longer than http_get's 5 s on a loaded machine: allow it,
                    # since what must not happen is a refused or dropped connection.
                    with urllib.request.urlopen(server.base_url, timeout=60) as response:  # noqa: S310
                        answers.append(response.status)
                except (OSError, http.client.HTTPException) as error:
                    answers.append(repr(error))

        assert wait_for(lambda: len(worker_pids(server)) == 2, seconds=10), server.output()
        before = worker_pids(server)
        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            wait_for(lambda: len(answers) >= 5, seconds=10)
            os.kill(server.process.pid, signal.SIGHUP)
            replaced = wait_for(
                lambda: len(worker_pids(server) - before) == 2 and not before & worker_pids(server),
                seconds=60,
            )
            # Some answers must come from the new workers, not only from the old ones.
            asked = len(answers)
            answered_after = wait_for(lambda: len(answers) >= asked + 5, seconds=10)
        finally:
            done.set()
            asker.join()

    assert replaced, server.output()
    assert answered_after, server.output()
    assert all(answer == 200 for answer in answers), [a for a in answers if a != 200]
    assert "HUP signal received" in server.stderr.read_text()
    assert server.process.returncode == 0, server.output()


def test_serve_stops_gracefully_on_sigterm_leaving_no_process(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()

    with serving(
        "serve", "--port", str(port), "--workers", "2", env=process_env, port=port,
        tmp_path=tmp_path,
    ) as server:  # fmt: skip
        assert http_get(server.base_url)[0] == 200

    # serving() sent SIGTERM and checked that no process of the group outlived it.
    assert server.process.returncode == 0, server.output()
    assert "Shutting down granian" in server.stderr.read_text()


def test_worker_batch_runs_waiting_tasks_and_exits(process_env: dict[str, str]) -> None:
    assert run_process("manage", "migrate", "--verbosity", "0", env=process_env).returncode == 0

    done = run_process("worker", "--batch", env=process_env)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
