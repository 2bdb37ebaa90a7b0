"""nginx in front of `yamabiko serve`, configured by `yamabiko nginx-config`, serving the mirror.

A real nginx (Debian's package; .ci/run installs it) and a real server: nginx answers a
mirrored page from disk, with the headers Yamabiko gives it, only to requests Yamabiko's
cache would answer, and never after a change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import free_port, process_env, run_process, serving
from yamabiko.pagecache.nginx import PER_RESPONSE_HEADERS

__all__ = ["process_env"]  # a fixture this module uses

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
START_TIMEOUT_SECONDS = 10

if NGINX is None and os.environ.get("YAMABIKO_REQUIRE_NGINX") == "1":
    pytest.fail("nginx is not installed (YAMABIKO_REQUIRE_NGINX=1)", pytrace=False)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def from_nginx(self) -> bool:
        # Yamabiko's answers carry weak ETags and name the cache; nginx's files neither.
        return "x-yamabiko-cache" not in self.headers and not self.headers["etag"].startswith("W/")


def lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    # Header names are case-insensitive: nginx capitalizes them, granian sends lower case.
    return {name.lower(): value for name, value in headers}


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return Reply(response.status, lowered(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, lowered(error.headers.items()), error.read())


NGINX_MAIN = """\
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/temp;
    proxy_temp_path {tmp}/temp;
    fastcgi_temp_path {tmp}/temp;
    uwsgi_temp_path {tmp}/temp;
    scgi_temp_path {tmp}/temp;
    include {tmp}/yamabiko.conf;
}}
"""


@dataclass(frozen=True)
class Front:
    url: str
    env: dict[str, str]
    permalink: str


@pytest.fixture
def front(process_env: dict[str, str], tmp_path: Path) -> Iterator[Front]:
    """A blog with one post behind nginx; yields the address readers use."""
    app_port, front_port = free_port(), free_port()
    url = f"http://127.0.0.1:{front_port}/"
    env = {**process_env, "YAMABIKO_PAGE_MIRROR": "1", "YAMABIKO_SITE_URL": url}
    with serving("serve", "--port", str(app_port), env=env, port=app_port, tmp_path=tmp_path):
        body = tmp_path / "body.md"
        body.write_text("Shout.")
        made = run_process("post", "new", "--title", "Echo valley", str(body), env=env)
        assert made.returncode == 0, made.stderr
        config = run_process(
            "nginx-config",
            "--listen",
            f"127.0.0.1:{front_port}",
            "--upstream",
            f"127.0.0.1:{app_port}",
            env=env,
        )
        assert config.returncode == 0, config.stderr
        nginx_dir = tmp_path / "nginx"
        (nginx_dir / "temp").mkdir(parents=True)
        (nginx_dir / "yamabiko.conf").write_text(config.stdout)
        # Started as root, nginx's workers would become "nobody", who cannot enter the
        # test's private temporary folders; as anyone else they stay that user.
        user = "user root;" if os.geteuid() == 0 else ""
        (nginx_dir / "nginx.conf").write_text(NGINX_MAIN.format(tmp=nginx_dir, user=user))
        assert NGINX is not None
        nginx = subprocess.Popen(
            [NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(url, nginx)
            yield Front(url=url, env=env, permalink=json.loads(made.stdout)["url"])
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def wait_for(url: str, nginx: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            pytest.fail(f"nginx exited with {nginx.returncode}; see its error.log")
        try:
            fetch(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"nginx did not answer at {url}")


NONCE_SOURCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
NONCE_ATTRIBUTE = re.compile(rb'nonce="([A-Za-z0-9_-]+)"')


def shared(headers: dict[str, str]) -> dict[str, str]:
    # nginx offers byte ranges of files; more than Yamabiko does, and harmless. The policy
    # names each answer's own nonce.
    left_out = {*PER_RESPONSE_HEADERS, "accept-ranges"}
    return {k: NONCE_SOURCE.sub("'nonce-N'", v) for k, v in headers.items() if k not in left_out}


def scripts_allowed(reply: Reply) -> str:
    """The nonce the policy names, after checking every script tag of the page has it."""
    named = NONCE_SOURCE.findall(reply.headers["content-security-policy"])
    assert len(named) == 1, reply.headers["content-security-policy"]
    carried = NONCE_ATTRIBUTE.findall(reply.body)
    assert carried, "the page has no script with a nonce"
    assert set(carried) == {named[0].encode()}
    return str(named[0])


def test_nginx_answers_a_mirrored_page_as_yamabiko_did(front: Front):
    permalink = front.permalink
    first = fetch(permalink)
    assert first.headers["x-yamabiko-cache"] == "miss"

    second = fetch(permalink)

    assert second.from_nginx
    # The same page but for the nonce: the mirror directory's, named by nginx's policy.
    nonce, mirrored_nonce = scripts_allowed(first), scripts_allowed(second)
    assert mirrored_nonce != nonce
    assert second.body == first.body.replace(nonce.encode(), mirrored_nonce.encode())
    assert second.headers["content-type"] == first.headers["content-type"]
    assert shared(second.headers) == shared(first.headers)
    assert "content-security-policy" in shared(second.headers)
    assert second.headers["link"] == first.headers["link"]
    assert second.headers["x-pingback"] == first.headers["x-pingback"]
    head = fetch(permalink, method="HEAD")
    assert head.from_nginx
    assert head.headers["content-length"] == str(len(second.body))
    unchanged = fetch(permalink, headers={"If-None-Match": second.headers["etag"]})
    assert unchanged.status == 304


def test_nginx_answers_feeds_with_their_type_and_self_link(front: Front):
    for path in ("feed/", "feed/atom/"):
        first = fetch(front.url + path)
        second = fetch(front.url + path)
        assert second.from_nginx
        assert second.body == first.body
        assert second.headers["content-type"] == first.headers["content-type"]
        assert second.headers["link"] == first.headers["link"]


def test_a_change_shows_through_nginx_at_once(front: Front):
    fetch(front.url)
    before = fetch(front.url)
    assert before.from_nginx

    done = run_process("post", "edit", "1", "--title", "Echo valley at dawn", env=front.env)
    assert done.returncode == 0, done.stderr

    after = fetch(front.url)
    assert not after.from_nginx
    assert b"Echo valley at dawn" in after.body
    again = fetch(front.url)
    assert again.from_nginx
    # A new directory, so a new nonce: one read from a page before the change is no use.
    assert scripts_allowed(again) not in {scripts_allowed(before), scripts_allowed(after)}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("?page=1", {}),
        ("", {"Cookie": "theme=dark; sessionid=abc"}),
        ("", {"Cookie": "yamabiko_commenter=abc"}),
    ],
    ids=["query", "session", "commenter"],
)
def test_requests_yamabikos_cache_would_not_answer_go_to_yamabiko(
    front: Front, path: str, headers: dict[str, str]
):
    fetch(front.url)
    assert fetch(front.url).from_nginx

    reply = fetch(front.url + path, headers=headers)

    assert reply.status == 200
    assert not reply.from_nginx


def test_a_path_without_its_slash_is_redirected_by_yamabiko(front: Front):
    permalink = front.permalink
    fetch(permalink)
    assert fetch(permalink).from_nginx

    request = urllib.request.Request(permalink.rstrip("/"))  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(request, timeout=10)
    with raised.value as answer:
        assert answer.code == 301


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
