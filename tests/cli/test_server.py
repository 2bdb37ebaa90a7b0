"""`yamabiko serve` and `yamabiko worker`, started for real as processes."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.cli.conftest import (
    Invoke,
    assert_one_line_error,
    free_port,
    http_get,
    run_process,
    serving,
)
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
    assert '"GET / HTTP/1.1" 200' in server.stdout.read_text()


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


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_default_workers_are_two_per_cpu_plus_one_at_most_eight(
    monkeypatch: pytest.MonkeyPatch, cpus: int, workers: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)

    assert default_workers() == workers


def test_worker_batch_runs_waiting_tasks_and_exits(process_env: dict[str, str]) -> None:
    assert run_process("manage", "migrate", "--verbosity", "0", env=process_env).returncode == 0

    done = run_process("worker", "--batch", env=process_env)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
