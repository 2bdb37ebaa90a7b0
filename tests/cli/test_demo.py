"""`yamabiko demo`, started for real: sample content, a working login, a worker beside it."""

from __future__ import annotations

import http.cookiejar
import re
import stat
import urllib.parse
import urllib.request
from pathlib import Path

from tests.cli.conftest import (
    Server,
    command_lines_in_group,
    free_port,
    http_get,
    run_process,
    serving,
)

CHANGE_PASSWORD = (
    "from django.contrib.auth.models import User; "
    "admin = User.objects.get(username='admin'); "
    "admin.set_password('changed meanwhile'); admin.save()"
)
LOGIN_LINE = re.compile(r"admin\s+(\S+)admin/\s+user admin / password (\S+)")


def printed_login(server: Server) -> tuple[str, str]:
    found = LOGIN_LINE.search(server.stdout.read_text())
    assert found, server.output()
    return found[1], found[2]


def admin_login(base_url: str, password: str) -> str:
    """Log in through the admin's own form; returns the page the login lands on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_url = f"{base_url}admin/login/?next=/admin/"
    with opener.open(login_url, timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token[1],
            "username": "admin",
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    with opener.open(login_url, data=data, timeout=10) as response:
        assert response.status == 200
        return str(response.url) + "\n" + response.read().decode()


def entry_count(page: str) -> int:
    return page.count('class="entry h-entry"')


def test_demo_serves_sample_posts_and_its_printed_login_works(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()

    with serving("demo", "--port", str(port), env=process_env, port=port, tmp_path=tmp_path) as (
        server
    ):
        status, home = http_get(server.base_url)
        site, password = printed_login(server)
        landed = admin_login(server.base_url, password)
        commands = command_lines_in_group(server.process.pid)

    assert status == 200
    assert entry_count(home) > 0
    assert site == server.base_url
    assert landed.startswith(f"{server.base_url}admin/\n")
    assert "Log out" in landed
    assert any(command.endswith("-m yamabiko worker") for command in commands), commands
    assert server.process.returncode == 0, server.output()


def test_demo_run_twice_reuses_data_and_password(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    data_dir = Path(process_env["YAMABIKO_DATA_DIR"])
    runs = []
    for run in range(2):
        if run:
            # Someone changed the password meanwhile: the demo puts the printed one back.
            done = run_process("manage", "shell", "-c", CHANGE_PASSWORD, env=process_env)
            assert done.returncode == 0, done.stderr
        port = free_port()
        with serving(
            "demo", "--port", str(port), env=process_env, port=port, tmp_path=tmp_path
        ) as server:
            _, home = http_get(server.base_url)
            _, password = printed_login(server)
            landed = admin_login(server.base_url, password)
        runs.append((password, entry_count(home), landed.split("\n", 1)[0]))

    (first_password, first_entries, _), (second_password, second_entries, landed) = runs
    assert second_password == first_password
    assert second_entries == first_entries
    assert landed.endswith("/admin/")
    password_file = data_dir / "demo-admin-password"
    assert password_file.read_text().strip() == first_password
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
