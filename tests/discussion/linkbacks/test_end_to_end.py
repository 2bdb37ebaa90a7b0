"""Two running Yamabiko sites on loopback send each other every kind of linkback.

Site A and site B are each `yamabiko serve --workers 2` in a process of their own, with
their own data dir and database (a fresh SQLite file, or a fresh PostgreSQL database when
the suite runs on PostgreSQL), each allowed to reach only the other's port. Everything is
done as a person would: `yamabiko post new`, `config set`, `linkbacks send`, and a
`yamabiko worker` per site for the background work. The receiver's "Trackback (N)" is read
from its permalink page.

Webmention is what a site sends by itself. Pingback and TrackBack are sent first with
`linkbacks send --protocol …`, before A's worker runs: the automatic send then finds those
targets already told about this version of the post, so each B post hears one protocol.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from bs4 import BeautifulSoup

from tests.cli.conftest import free_port, http_get, serving, stop
from tests.live_databases import live_databases

POLL_SECONDS = 45


# --- databases ------------------------------------------------------------------------


@pytest.fixture
def databases() -> Iterator[tuple[str | None, str | None]]:
    """DATABASE_URL for site A and site B: None (SQLite in the data dir) or new databases."""
    with live_databases("linkbacks_a", "linkbacks_b") as (a, b):
        yield a, b


# --- sites ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    name: str
    port: int
    root: Path
    env: dict[str, str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def site_make(name: str, port: int, other_port: int, tmp_path: Path, url: str | None) -> Site:
    root = tmp_path / name
    root.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("YAMABIKO_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["YAMABIKO_DATA_DIR"] = str(root / "data")
    env["YAMABIKO_SITE_URL"] = f"http://127.0.0.1:{port}"
    env["YAMABIKO_OUTBOUND_ALLOW"] = f"127.0.0.1:{other_port}"
    if url is not None:
        env["DATABASE_URL"] = url
    return Site(name=name, port=port, root=root, env=env)


def yamabiko(site: Site, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "yamabiko", *args],
        input=stdin,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{site.name}: yamabiko {' '.join(args)}: {done.stderr}"
    return done.stdout


def all_at_once(*commands: tuple[Site, Sequence[str], str]) -> list[str]:
    """Run `yamabiko` commands side by side (site, args, stdin); their outputs in order."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(
            pool.map(lambda command: yamabiko(command[0], *command[1], stdin=command[2]), commands)
        )


def post_new(site: Site, slug: str, body: str, *extra: str) -> tuple[Site, Sequence[str], str]:
    return (
        site,
        ("post", "new", "--title", slug.replace("-", " ").title(), "--slug", slug, *extra, "-"),
        body,
    )


@contextmanager
def working(site: Site) -> Iterator[None]:
    """`yamabiko worker` for the site, stopped (its whole process group) afterwards."""
    with (site.root / "worker.out").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "yamabiko", "worker"],
            env=site.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        left = stop(process)
        assert not left, f"{site.name}'s worker left processes running: {left}"


def linkbacks_shown(url: str) -> tuple[int, list[str]]:
    """The N of "Trackback (N)" on a permalink page, and the kind of each linkback listed."""
    status, text = http_get(url)
    assert status == 200
    page = BeautifulSoup(text, "html.parser")
    footer = page.select_one("a.entry-trackbacks")
    assert footer is not None
    count = int(footer.get_text().removeprefix("Trackback (").removesuffix(")"))
    kinds = [label.get_text().split("·")[0].strip() for label in page.select(".linkback-kind")]
    return count, kinds


def stored(site: Site) -> list[tuple[object, ...]]:
    """The site's linkback and outbound-ping rows, read straight from its database."""
    queries = (
        "SELECT kind, source_url, status, verify_error FROM discussion_linkback",
        "SELECT target_url, protocol, status, last_error FROM discussion_outboundping",
    )
    url = site.env.get("DATABASE_URL")
    if url is None:
        with closing(
            sqlite3.connect(Path(site.env["YAMABIKO_DATA_DIR"]) / "yamabiko.sqlite3")
        ) as db:
            return [row for query in queries for row in db.execute(query).fetchall()]
    with psycopg.connect(url) as db:
        return [row for query in queries for row in db.execute(query).fetchall()]


def wait_for(expected: dict[str, tuple[int, list[str]]], sites: Sequence[Site]) -> None:
    deadline = time.monotonic() + POLL_SECONDS
    seen: dict[str, tuple[int, list[str]]] = {}
    while time.monotonic() < deadline:
        seen = {url: linkbacks_shown(url) for url in expected}
        if seen == expected:
            return
        time.sleep(0.5)
    logs = "\n".join(
        f"--- {site.name}: {stored(site)}\n{(site.root / 'worker.out').read_text()[-3000:]}"
        for site in sites
    )
    pytest.fail(f"expected {expected}\nseen {seen}\n{logs}")


# --- the test -------------------------------------------------------------------------


def test_two_sites_trackback_pingback_and_webmention_each_other(
    tmp_path: Path, databases: tuple[str | None, str | None]
) -> None:
    a_port, b_port = free_port(), free_port()
    a = site_make("a", a_port, b_port, tmp_path, databases[0])
    b = site_make("b", b_port, a_port, tmp_path, databases[1])

    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                serving(
                    "serve", "--workers", "2", "--port", str(site.port), "--access-log",
                    env=site.env, port=site.port, tmp_path=site.root,
                )
            )
            for site in (a, b)
        ]  # fmt: skip
        # Show verified linkbacks at once; the default rate limits are far above our few pings.
        all_at_once(
            *((site, ("config", "set", "linkback_moderation", "none"), "") for site in (a, b))
        )

        # The posts that will be linked to: three on B, one on A.
        created = all_at_once(
            post_new(b, "webmention-target", "Linked by Webmention."),
            post_new(b, "pingback-target", "Linked by Pingback."),
            post_new(b, "trackback-target", "Linked by TrackBack."),
            post_new(a, "reply-target", "B links to this one."),
        )
        wm_target, pb_target, tb_target, a_target = (json.loads(out) for out in created)

        # The posts that link to them; saving each queues its send in that site's database.
        created = all_at_once(
            post_new(a, "about-webmention", f"I read [this]({wm_target['url']})."),
            post_new(a, "about-pingback", f"I read [this]({pb_target['url']})."),
            post_new(
                a,
                "about-trackback",
                f"I read [this]({tb_target['url']}).",
                "--ping",
                tb_target["trackback_url"],
            ),
            post_new(b, "reply-to-a", f"A wrote [this]({a_target['url']})."),
        )
        _, pb_source, tb_source, _ = (json.loads(out) for out in created)

        # Pingback and TrackBack, forced, before A's worker sends anything by itself.
        pingback_out, trackback_out = all_at_once(
            (a, ("linkbacks", "send", str(pb_source["id"]), "--protocol", "pingback"), ""),
            (a, ("linkbacks", "send", str(tb_source["id"]), "--protocol", "trackback"), ""),
        )
        (pingback,) = [json.loads(line) for line in pingback_out.splitlines()]
        assert (pingback["protocol"], pingback["status"], pingback["endpoint"]) == (
            "pingback",
            "sent",
            f"{b.base}/xmlrpc/",
        )
        trackbacks = [json.loads(line) for line in trackback_out.splitlines()]
        assert [(t["target"], t["protocol"], t["status"]) for t in trackbacks] == [
            (tb_target["url"], "trackback", "sent"),  # found by its RDF block
            (tb_target["trackback_url"], "trackback", "sent"),  # listed with --ping
        ]
        assert linkbacks_shown(pb_target["url"]) == (0, [])  # pending until verified

        stack.enter_context(working(a))
        stack.enter_context(working(b))
        wait_for(
            {
                wm_target["url"]: (1, ["Webmention"]),
                pb_target["url"]: (1, ["Pingback"]),
                tb_target["url"]: (1, ["TrackBack"]),
                a_target["url"]: (1, ["Webmention"]),
            },
            (a, b),
        )

    for server in servers:
        log = server.output()
        assert "Traceback" not in log
    b_log, a_log = servers[1].output(), servers[0].output()
    assert '"POST /webmention/ HTTP/1.1" 202' in b_log
    assert '"POST /xmlrpc/ HTTP/1.1" 200' in b_log
    assert b_log.count(f'"POST /trackback/{tb_target["id"]}/ HTTP/1.1" 200') == 2
    assert '"POST /webmention/ HTTP/1.1" 202' in a_log
