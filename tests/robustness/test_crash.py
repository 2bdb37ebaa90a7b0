"""Crash safety: SIGKILL a loaded `yamabiko serve`, restart it, and lose no answered write.

Client threads post comments and TrackBack pings, each with a marker of its own, to a real
multi-worker server. Part way through, the whole process group (supervisor and workers) is
killed with SIGKILL, mid-request, and the server is started again on the same data dir or
database and port. Every request that got a success answer must then be stored, and the
database must be sound: SQLite's own checks, or on PostgreSQL no orphan rows, and on both
"Comment (N)" and "Trackback (N)" equal to the rows they count.

A client whose connection fails counts that request as unanswered, waits until the server
is back, and goes on with its next request: no retries, so exactly REQUESTS are attempted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.cli.conftest import free_port, processes_in_group, serving
from tests.discussion.test_comment_concurrency import (
    FORM_AGE_SECONDS,
    child_env,
    form_post,
    page,
    yamabiko,
)
from tests.live_databases import live_databases

REQUESTS = 500
THREADS = 8
WORKERS = 2
# Acknowledged writes before the kill: enough that the kill lands in the middle of the load.
KILL_AFTER = 150
OUTAGE_TIMEOUT_SECONDS = 60
SOURCE = "http://pinger.example/crash/{0}"
MARKER = re.compile(r"crash-comment-(\d+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    n: int
    kind: str  # "comment" or "trackback"
    status: int  # 0: the connection failed or broke before an answer
    acknowledged: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Stored:
    comment_markers: set[int]
    ping_sources: set[str]
    comment_count: int
    approved_comments: int
    trackback_count: int
    approved_linkbacks: int
    problems: list[str]  # integrity check findings; empty when sound


@pytest.fixture
def live_database() -> Iterator[str | None]:
    """The child's DATABASE_URL: None (SQLite in its data dir) or a new PostgreSQL database."""
    with live_databases("crash") as (url,):
        yield url


# --- reading the database after the run --------------------------------------------

COMMENT_BODIES = "SELECT body FROM discussion_comment WHERE post_id = {0}"
PING_SOURCES = "SELECT source_url FROM discussion_linkback WHERE post_id = {0}"
COUNTERS = "SELECT comment_count, trackback_count FROM posts_post WHERE id = {0}"
APPROVED = "SELECT COUNT(*) FROM {table} WHERE post_id = {{0}} AND status = 'approved'"
# Foreign keys as the schema declares them; PostgreSQL enforces them, so any row found here
# would mean a constraint was bypassed or the data is damaged.
ORPHANS = {
    "comment without post": (
        "SELECT COUNT(*) FROM discussion_comment c "
        "LEFT JOIN posts_post p ON p.id = c.post_id WHERE p.id IS NULL"
    ),
    "reply without parent": (
        "SELECT COUNT(*) FROM discussion_comment c LEFT JOIN discussion_comment r "
        "ON r.id = c.parent_id WHERE c.parent_id IS NOT NULL AND r.id IS NULL"
    ),
    "linkback without post": (
        "SELECT COUNT(*) FROM discussion_linkback l "
        "LEFT JOIN posts_post p ON p.id = l.post_id WHERE p.id IS NULL"
    ),
}


def read_sqlite(path: Path, post_id: int) -> Stored:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if problems == ["ok"]:
            problems = []
        problems += [repr(row) for row in db.execute("PRAGMA foreign_key_check")]
        return stored(lambda query: db.execute(query.format("?"), [post_id]).fetchall(), problems)


def read_postgresql(url: str, post_id: int) -> Stored:
    with psycopg.connect(url) as db:
        db.read_only = True
        problems = [
            f"{what}: {count}"
            for what, query in ORPHANS.items()
            for (count,) in [db.execute(query).fetchone() or (0,)]
            if count
        ]
        return stored(lambda query: db.execute(query.format("%s"), [post_id]).fetchall(), problems)


def stored(rows: Callable[[str], list[tuple[object, ...]]], problems: list[str]) -> Stored:
    bodies = [str(body) for (body,) in rows(COMMENT_BODIES)]
    ((comment_count, trackback_count),) = rows(COUNTERS)
    ((approved_comments,),) = rows(APPROVED.format(table="discussion_comment"))
    ((approved_linkbacks,),) = rows(APPROVED.format(table="discussion_linkback"))
    return Stored(
        comment_markers={int(found) for body in bodies for found in MARKER.findall(body)},
        ping_sources={str(source) for (source,) in rows(PING_SOURCES)},
        comment_count=int(str(comment_count)),
        approved_comments=int(str(approved_comments)),
        trackback_count=int(str(trackback_count)),
        approved_linkbacks=int(str(approved_linkbacks)),
        problems=problems,
    )


# --- the load ------------------------------------------------------------------------


class Load:
    """REQUESTS posts, alternating comment and TrackBack, shared by the client threads."""

    def __init__(self, *, port: int, post_id: int, token: str) -> None:
        self.port = port
        self.post_id = post_id
        self.token = token
        self.server_up = threading.Event()
        self.server_up.set()
        self.lock = threading.Lock()
        self.acknowledged = 0
        self.enough = threading.Event()  # KILL_AFTER answered writes

    def send(self, n: int) -> Attempt:
        if n % 2:
            status, body = form_post(
                self.port,
                f"/trackback/{self.post_id}/",
                {
                    "url": SOURCE.format(n),
                    "title": f"Ping {n}",
                    "excerpt": f"A ping sent under load, number {n}.",
                    "blog_name": "Pinger",
                },
            )
            answered = status == 200 and "<error>0</error>" in body
            attempt = Attempt(n=n, kind="trackback", status=status, acknowledged=answered)
        else:
            status, body = form_post(
                self.port,
                f"/comments/{self.post_id}/",
                {
                    "name": f"Reader {n}",
                    "email": f"reader{n}@example.org",
                    "url": "",
                    "body": f"Comment crash-comment-{n} sent under load.",
                    "parent": "",
                    "token": self.token,
                    "homepage": "",
                },
            )
            attempt = Attempt(n=n, kind="comment", status=status, acknowledged=status == 201)
        if attempt.acknowledged:
            with self.lock:
                self.acknowledged += 1
                if self.acknowledged >= KILL_AFTER:
                    self.enough.set()
        if status == 0:
            # Not retried: this request stays unanswered. The next one waits for the restart.
            self.server_up.wait(OUTAGE_TIMEOUT_SECONDS)
        return attempt


def kill_group(group: int) -> None:
    os.killpg(group, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while processes_in_group(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_in_group(group), "processes survived SIGKILL"


# --- the test ------------------------------------------------------------------------


def test_sigkill_under_load_loses_no_acknowledged_comment_or_ping(
    tmp_path: Path, live_database: str | None
) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    env = child_env(data_dir, port, live_database)
    args = ("serve", "--port", str(port), "--workers", str(WORKERS))
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        with serving(*args, env=env, port=port, tmp_path=tmp_path) as first:
            created = yamabiko(
                "post", "new", "--title", "T", "--status", "published", "-", env=env, stdin="."
            )
            info = json.loads(created)
            post_id = int(info["id"])
            for key, value in [
                ("comment_moderation", "none"),
                ("comment_rate_per_ip", "0"),
                ("comment_rate_per_email", "0"),
                ("linkback_rate_per_ip", "0"),
                ("linkback_rate_per_host", "0"),
            ]:
                yamabiko("config", "set", key, value, env=env)
            field = page(info["url"]).select_one("form#comment-form input[name=token]")
            assert field is not None
            time.sleep(FORM_AGE_SECONDS)  # the token is reusable; it only has to be old enough

            load = Load(port=port, post_id=post_id, token=str(field["value"]))
            futures = [pool.submit(load.send, n) for n in range(REQUESTS)]
            assert load.enough.wait(OUTAGE_TIMEOUT_SECONDS), "too few writes answered"
            load.server_up.clear()
            kill_group(first.process.pid)
            killed_at = time.monotonic()
        try:
            # serving() found the group gone; the same port is bound again at once.
            with serving(*args, env=env, port=port, tmp_path=tmp_path) as second:
                outage = time.monotonic() - killed_at
                load.server_up.set()
                attempts = [future.result() for future in futures]
                page(info["url"])  # the restarted server still answers after the load
        finally:
            load.server_up.set()  # no client waits out its timeout if the restart failed
    elapsed = time.monotonic() - started

    statuses = Counter(attempt.status for attempt in attempts)
    acknowledged = [attempt for attempt in attempts if attempt.acknowledged]
    failed = [attempt for attempt in attempts if not attempt.acknowledged]
    numbers = (
        f"{len(acknowledged)} answered, {len(failed)} not, statuses {dict(statuses)}, "
        f"outage {outage:.1f} s, {elapsed:.1f} s in all"
    )
    assert len(attempts) == REQUESTS
    assert 500 not in statuses, numbers
    assert failed, f"the kill interrupted nothing: {numbers}"
    assert all(attempt.status == 0 for attempt in failed), numbers
    # After the restart the load went on and was answered again.
    assert any(attempt.acknowledged for attempt in attempts[-THREADS * 4 :]), numbers

    found = (
        read_sqlite(data_dir / "yamabiko.sqlite3", post_id)
        if live_database is None
        else read_postgresql(live_database, post_id)
    )
    comments = {attempt.n for attempt in acknowledged if attempt.kind == "comment"}
    pings = {SOURCE.format(attempt.n) for attempt in acknowledged if attempt.kind == "trackback"}
    assert comments - found.comment_markers == set(), numbers
    assert pings - found.ping_sources == set(), numbers
    assert found.problems == [], numbers
    assert found.comment_count == found.approved_comments, numbers
    assert found.trackback_count == found.approved_linkbacks, numbers
    recount = yamabiko("manage", "comments_recount", env=env)
    assert "All comment counts are correct." in recount
    assert "Traceback" not in first.output() + second.output()
    print(  # the numbers the issue asks for, shown with -s
        f"{numbers}; found {len(comments)} comments and {len(pings)} pings of those answered"
    )
