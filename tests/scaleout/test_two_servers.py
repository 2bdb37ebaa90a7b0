"""Two `yamabiko serve` processes and two workers on one PostgreSQL and one Redis are one site.

This is the "several machines" shape of docs/deployment.md on loopback: servers A and B on
their own ports and with their own data dirs (nothing shared through files), the same
DATABASE_URL, REDIS_URL, YAMABIKO_SECRET_KEY and YAMABIKO_SITE_URL (A's address, standing in
for the load balancer's public name), and two `yamabiko worker` processes competing for the
task queue. Everything is done from outside, as a reader, an author and another site would:
HTTP requests, `yamabiko` commands, and a RemoteSite that receives Webmentions.

It proves the three promises of issue 8: a page cached by one server is served by the other
and made stale by a comment posted through the other; a task is done exactly once whichever
worker takes it (one Webmention sent, one notification mailed per comment); a rate limit
counts the hits of every server.

It needs PostgreSQL and Redis, so it skips on SQLite (the suite also runs on PostgreSQL in
CI, where it runs), and skips when no Redis answers on 127.0.0.1:6379 (CI starts one first;
the skip only spares a developer's machine without Redis).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from bs4 import BeautifulSoup
from django.db import connection

from tests.cli.conftest import Server, free_port, serving, stop
from tests.live_databases import live_databases
from tests.remote_site import RemoteSite, remote_site

# A database of the local Redis that no other test uses (test_ratelimit has 15); flushed
# before and after, because cached pages of an earlier run's generation would be served.
REDIS_URL = "redis://127.0.0.1:6379/7"
REQUEST_TIMEOUT_SECONDS = 15
WAIT_SECONDS = 30
# After the first send arrives, how long a second (double) send gets to show up: far longer
# than a worker takes to claim and run a task on loopback.
SETTLE_SECONDS = 3
# The spam filter holds a form sent sooner than 2 s after it was shown (spam.Policy).
FORM_AGE_SECONDS = 2.1
RATE_LIMIT = 3
RATE_WINDOW_SECONDS = 3600  # discussion.services: comment limits are per hour
AUTHOR_EMAIL = "kodama@example.org"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL and Redis shared by several servers; CI runs it on PostgreSQL",
)


# --- the shared stores ----------------------------------------------------------------


@pytest.fixture
def shared_redis() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        client.close()
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({error}); CI starts one before the suite")
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def shared_database() -> Iterator[str]:
    with live_databases("scaleout") as (url,):
        assert url is not None  # the module skips on SQLite
        yield url


# --- processes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """One machine's share of the site: its own data dir, the shared rest of the environment."""

    name: str
    root: Path
    env: dict[str, str]


def node_make(name: str, tmp_path: Path, shared: Mapping[str, str]) -> Node:
    root = tmp_path / name
    root.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("YAMABIKO_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(shared)
    env["YAMABIKO_DATA_DIR"] = str(root / "data")
    return Node(name=name, root=root, env=env)


def yamabiko(
    node: Node, *args: str, stdin: str = "", extra: Mapping[str, str] | None = None
) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "yamabiko", *args],
        input=stdin,
        env={**node.env, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"yamabiko {' '.join(args)}: {done.stderr}"
    return done.stdout


def server_start(node: Node, port: int) -> AbstractContextManager[Server]:
    args = ("serve", "--workers", "2", "--port", str(port), "--access-log")
    return serving(*args, env=node.env, port=port, tmp_path=node.root)


@contextmanager
def working(node: Node) -> Iterator[Path]:
    """`yamabiko worker` on the node, its output in a file; the whole group stopped after."""
    log = node.root / "worker.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "yamabiko", "worker"],
            env=node.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield log
    finally:
        left = stop(process)
        assert not left, f"{node.name} left processes running: {left}"


# --- talking HTTP ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int
    cache_headers: tuple[str, ...]
    body: str

    @property
    def cache(self) -> str | None:
        """The one X-Yamabiko-Cache header the answer must carry."""
        assert len(self.cache_headers) == 1, self.cache_headers
        return self.cache_headers[0]

    @property
    def page(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")


@dataclass(frozen=True, slots=True, kw_only=True)
class Door:
    """A server as a load balancer reaches it: at its own port, with the public Host, which
    is part of every page's cache key."""

    port: int
    host: str


def request(
    door: Door, method: str, path: str, *, body: str = "", headers: Mapping[str, str] | None = None
) -> Answer:
    client = http.client.HTTPConnection("127.0.0.1", door.port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        sent = {**(headers or {}), "Host": door.host}
        client.request(method, path, body=body or None, headers=sent)
        response = client.getresponse()
        return Answer(
            status=response.status,
            cache_headers=tuple(response.headers.get_all("X-Yamabiko-Cache") or ()),
            body=response.read().decode(errors="replace"),
        )
    finally:
        client.close()


def comment_post(door: Door, post_id: int, token: str, origin: str, n: int) -> Answer:
    """Post comment ``n`` as the page's script does; a new email each time, so only the
    per-address limit can refuse it."""
    fields = {
        "name": f"Reader {n}",
        "email": f"reader{n}@example.org",
        "url": "",
        "body": f"Comment number {n}, heard across the valley.",
        "parent": "",
        "token": token,
        "homepage": "",
    }
    return request(
        door,
        "POST",
        f"/comments/{post_id}/",
        body=urlencode(fields),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            # A browser on the public site sends its origin, whichever server answers.
            "Origin": origin,
        },
    )


def comment_count(answer: Answer) -> str:
    link = answer.page.select_one("a.entry-comments")
    assert link is not None, answer.body[:500]
    return link.get_text()


def wait_for(what: str, done: Callable[[], object], logs: list[Path]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log}\n{log.read_text()[-3000:]}" for log in logs)
    pytest.fail(f"not done in {WAIT_SECONDS} s: {what}\n{tails}")


def rate_window_fresh() -> None:
    """Comment limits count per clock hour; keep the four comments inside one hour."""
    left = RATE_WINDOW_SECONDS - time.time() % RATE_WINDOW_SECONDS
    if left < 20:
        time.sleep(left + 0.5)


# --- the test -------------------------------------------------------------------------


def test_two_servers_and_two_workers_on_shared_postgresql_and_redis_act_as_one_site(
    tmp_path: Path, shared_database: str, shared_redis: str
) -> None:
    a_port, b_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{a_port}"
    with ExitStack() as stack:
        remote = stack.enter_context(remote_site())
        shared = {
            "DATABASE_URL": shared_database,
            "REDIS_URL": shared_redis,
            "YAMABIKO_SECRET_KEY": secrets.token_urlsafe(50),
            "YAMABIKO_SITE_URL": site_url,
            "YAMABIKO_OUTBOUND_ALLOW": remote.allow,
        }
        a, b, cli, worker_1, worker_2 = (
            node_make(name, tmp_path, shared) for name in ("a", "b", "cli", "w1", "w2")
        )
        # A starts alone and migrates the shared database, as the first server of an upgrade
        # does (docs/deployment.md); the site is then set up while B starts.
        servers = [stack.enter_context(server_start(a, a_port))]
        with ThreadPoolExecutor(max_workers=3) as pool:
            # The author gets an address, so every comment mails one notification (a task).
            author = pool.submit(
                yamabiko,
                cli,
                *("manage", "createsuperuser", "--noinput", "--username", "kodama"),
                *("--email", AUTHOR_EMAIL),
                extra={"DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16)},
            )
            # One after the other: each `config set` saves the whole settings row, so two at
            # once can lose one of the changes.
            configured = pool.submit(
                lambda: [
                    yamabiko(cli, "config", "set", key, value)
                    for key, value in [
                        ("comment_moderation", "none"),
                        ("comment_rate_per_ip", str(RATE_LIMIT)),
                    ]
                ]
            )
            servers.append(stack.enter_context(server_start(b, b_port)))
            worker_logs = [stack.enter_context(working(node)) for node in (worker_1, worker_2)]
            author.result()  # the first superuser is the author of what `post new` writes
            created = [
                pool.submit(yamabiko, cli, "post", "new", "--title", title, "-", stdin=body)
                for title, body in [
                    ("Echo", "Talk to me."),
                    ("Reading", f"I read [this]({remote.url('/page')})."),
                ]
            ]
            configured.result()
            talk, linking = (json.loads(done.result()) for done in created)
        path = urlsplit(talk["url"]).path

        public = urlsplit(site_url).netloc
        doors = Door(port=a_port, host=public), Door(port=b_port, host=public)
        token = cache_is_shared_and_invalidated_exactly(*doors, path, talk["id"], site_url)
        rate_limit_counts_hits_on_both_servers(*doors, path, talk["id"], token, site_url)
        task_is_done_once(remote, linking["url"], worker_logs)

    for server in servers:
        assert "Traceback" not in server.output()
    for log in worker_logs:
        assert "Traceback" not in log.read_text()


def cache_is_shared_and_invalidated_exactly(
    a: Door, b: Door, path: str, post_id: int, origin: str
) -> str:
    """GET through A twice, then through B: one render, two hits. A comment posted through B
    is on A's next answer. Returns the form token the comment was sent with."""
    first = request(a, "GET", path)
    assert (first.status, first.cache) == (200, "miss")
    assert request(a, "GET", path).cache == "hit"
    through_b = request(b, "GET", path)
    assert (through_b.status, through_b.cache) == (200, "hit")  # stored by A, in Redis
    assert comment_count(through_b) == "Comment (0)"

    token = through_b.page.select_one("form#comment-form input[name=token]")
    assert token is not None
    time.sleep(FORM_AGE_SECONDS)
    rate_window_fresh()
    posted = comment_post(b, post_id, str(token["value"]), origin, 1)
    assert posted.status == 201, posted.body
    assert json.loads(posted.body)["status"] == "approved"

    # The generation lives in the database B wrote to, so A's next answer is rebuilt.
    after = request(a, "GET", path)
    assert (after.status, after.cache) == (200, "miss")
    assert "Comment number 1, heard across the valley." in after.body
    assert comment_count(after) == "Comment (1)"
    again = request(b, "GET", path)
    assert again.cache == "hit"  # what A just stored
    assert comment_count(again) == "Comment (1)"
    return str(token["value"])


def rate_limit_counts_hits_on_both_servers(
    a: Door, b: Door, path: str, post_id: int, token: str, origin: str
) -> None:
    """Comment 1 went through B; 2 through A and 3 through B reach the limit of 3, so 4
    through A is refused, though neither server alone has seen more than two.

    ``token`` is the one comment 1 was sent with: reusable, and already old enough for the
    spam filter (a page rendered since would hand out a younger one and get these held)."""
    second = comment_post(a, post_id, token, origin, 2)
    third = comment_post(b, post_id, token, origin, 3)
    fourth = comment_post(a, post_id, token, origin, 4)
    assert (second.status, third.status) == (201, 201), (second.body, third.body)
    assert {json.loads(second.body)["status"], json.loads(third.body)["status"]} == {"approved"}
    assert fourth.status == 429, fourth.body
    assert "Too many comments" in fourth.body

    shown = request(b, "GET", path)
    assert comment_count(shown) == "Comment (3)"
    assert "Comment number 4" not in shown.body


def task_is_done_once(remote: RemoteSite, source: str, worker_logs: list[Path]) -> None:
    """Two workers compete for the queue: one Webmention for the linking post (enqueued by
    the `post new` command), one mail per accepted comment (enqueued by A or B)."""

    def mailed() -> int:
        return sum(log.read_text().count(f"To: {AUTHOR_EMAIL}") for log in worker_logs)

    wait_for("the Webmention is sent", lambda: remote.posts_to("/webmention"), worker_logs)
    wait_for("three comment notifications", lambda: mailed() >= 3, worker_logs)
    time.sleep(SETTLE_SECONDS)

    (sent,) = remote.posts_to("/webmention")
    assert sent.form == {"source": source, "target": remote.url("/page")}
    assert mailed() == 3
    # Every task any worker started, started once: none was claimed by both.
    started = Counter(
        line.split()[1]
        for log in worker_logs
        for line in log.read_text().splitlines()
        if line.startswith("Task id=") and line.endswith("state=RUNNING")
    )
    assert len(started) == 5, started  # two posts' sends, three comments' mails
    assert set(started.values()) == {1}, started
