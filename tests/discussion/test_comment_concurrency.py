"""Comments posted at once to a real `yamabiko serve`: every accepted one is stored and counted.

The server runs as its own process with several workers, on the same database
vendor as the rest of this run: a fresh SQLite file in its data dir (WAL, IMMEDIATE
transactions) or a fresh database on the suite's PostgreSQL server. Many client threads
then post at once, so the workers' transactions really do overlap.
"""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from bs4 import BeautifulSoup

from tests.cli.conftest import free_port, http_get, serving
from tests.live_databases import live_databases

COMMENTS = 200
THREADS = 16
WORKERS = 4
REQUEST_TIMEOUT_SECONDS = 30
# The spam filter holds a form sent sooner than 2 s after it was shown (spam.Policy).
FORM_AGE_SECONDS = 2.1

type Outcome = tuple[int, str]


# --- the child's database -----------------------------------------------------------


@pytest.fixture
def live_database() -> Iterator[str | None]:
    """The child's DATABASE_URL: None (SQLite in its data dir) or a new PostgreSQL database."""
    with live_databases("comments") as (url,):
        yield url


def stored_counts(data_dir: Path, url: str | None, post_id: int) -> tuple[int, int]:
    """Approved comments on the post, and the post's own counter, read straight from disk."""
    approved = "SELECT COUNT(*) FROM discussion_comment WHERE post_id = {0} AND status = {0}"
    counter = "SELECT comment_count FROM posts_post WHERE id = {0}"
    if url is None:
        with closing(sqlite3.connect(data_dir / "yamabiko.sqlite3")) as db:
            (count,) = db.execute(approved.format("?"), [post_id, "approved"]).fetchone()
            (stored,) = db.execute(counter.format("?"), [post_id]).fetchone()
            return count, stored
    with psycopg.connect(url) as db:
        found = db.execute(approved.format("%s"), [post_id, "approved"]).fetchone()
        kept = db.execute(counter.format("%s"), [post_id]).fetchone()
        assert found is not None
        assert kept is not None
        return found[0], kept[0]


# --- talking to the child -----------------------------------------------------------


def child_env(data_dir: Path, port: int, url: str | None) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("YAMABIKO_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["YAMABIKO_DATA_DIR"] = str(data_dir)
    env["YAMABIKO_SITE_URL"] = f"http://127.0.0.1:{port}"
    if url is not None:
        env["DATABASE_URL"] = url
    return env


def yamabiko(*args: str, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "yamabiko", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"yamabiko {' '.join(args)}: {done.stderr}"
    return done.stdout


def form_post(port: int, path: str, fields: dict[str, str]) -> Outcome:
    """POST as the page's JavaScript does; the status (0 if the connection failed) and body."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        client.request("POST", path, body=urlencode(fields), headers=headers)
        response = client.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, repr(error)
    finally:
        client.close()


def page(url: str) -> BeautifulSoup:
    status, text = http_get(url)
    assert status == 200
    return BeautifulSoup(text, "html.parser")


# --- the test -----------------------------------------------------------------------


def test_comments_posted_at_once_are_all_stored_and_counted(
    tmp_path: Path, live_database: str | None
) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    env = child_env(data_dir, port, live_database)
    args = ("serve", "--port", str(port), "--workers", str(WORKERS), "--access-log")

    with serving(*args, env=env, port=port, tmp_path=tmp_path) as server:
        created = yamabiko(
            "post", "new", "--title", "T", "--status", "published", "-", env=env, stdin="Talk."
        )
        info = json.loads(created)
        post_id = int(info["id"])
        permalink = info["url"]
        assert urlsplit(permalink).netloc == f"127.0.0.1:{port}"
        for key, value in [
            ("comment_moderation", "none"),
            ("comment_rate_per_ip", "0"),
            ("comment_rate_per_email", "0"),
        ]:
            yamabiko("config", "set", key, value, env=env)
        token = page(permalink).select_one("form#comment-form input[name=token]")
        assert token is not None
        time.sleep(FORM_AGE_SECONDS)  # the token is reusable; it only has to be old enough

        endpoint = f"/comments/{post_id}/"
        forms = [
            {
                "name": f"Reader {n}",
                "email": f"reader{n}@example.org",
                "url": "",
                "body": f"Comment {n} of {COMMENTS}, all sent at once.",
                "parent": "",
                "token": str(token["value"]),
                "homepage": "",
            }
            for n in range(COMMENTS)
        ]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(lambda fields: form_post(port, endpoint, fields), forms))
        elapsed = time.monotonic() - started

        statuses = Counter(status for status, _ in outcomes)
        failures = [(status, body[:300]) for status, body in outcomes if status != 201]
        assert statuses == {201: COMMENTS}, (statuses, failures[:5], f"{elapsed:.1f} s")
        accepted = [json.loads(body) for _, body in outcomes]
        assert {reply["status"] for reply in accepted} == {"approved"}
        ids = {reply["id"] for reply in accepted}
        assert len(ids) == COMMENTS

        shown = page(permalink)
        count = shown.select_one("#comments-heading .comment-count")
        assert count is not None
        assert int(count.get_text()) == statuses[201] == COMMENTS
        items = shown.select("li.comment")
        assert len(items) == COMMENTS
        assert {int(str(item["id"]).removeprefix("comment-")) for item in items} == ids

    assert stored_counts(data_dir, live_database, post_id) == (COMMENTS, COMMENTS)
    log = server.output()
    assert "Traceback" not in log
    assert log.count(f'"POST /comments/{post_id}/ HTTP/1.1" 201') == COMMENTS
