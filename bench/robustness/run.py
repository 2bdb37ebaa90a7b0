"""Robustness under load: minutes of mixed reads, comments and pings, with crash-restarts.

    ./dev run .venv/bin/python bench/robustness/run.py                  # 5 min, 16 clients, 2 kills
    ./dev run .venv/bin/python bench/robustness/run.py --minutes 0.3 --crashes 1   # to try it
    ./dev run .venv/bin/python bench/robustness/run.py --database-url postgres://…/postgres

(Standard library only, bar psycopg for a PostgreSQL run; bench/http/run.py's machinery for
child processes, the blog and the machine facts: every server is a child process on a free
127.0.0.1 port in its own session, and all are stopped at the end, on an error, on Ctrl+C
and on SIGTERM.)

The blog: generate.py's WXR of --posts posts imported into a fresh data dir (SQLite), or into
a fresh database on the server --database-url names (created, and dropped at the end), with
comment moderation off and every rate limit 0 (`yamabiko config set`), so every well-formed
comment and ping is taken. Four posts are added with `yamabiko post new` to receive the
writes: imported posts may be closed to comments by age. `yamabiko serve` (granian, a worker
per core) and `yamabiko worker` (which verifies the pings, and rejects them: their sources do
not exist) run beside each other.

Load (load.py): --clients threads, each with one keep-alive connection, loop without pause
for --minutes: 85% GETs of public pages (home, permalinks, categories, a search for a word of
generate.py's vocabulary, the feeds), 10% comments (the form's token, read once and aged past
the spam filter's minimum once), 5% TrackBack pings. Every comment and ping carries a marker
of its own. A comment is acknowledged by 201 (or a 303 redirect), a ping by ``<error>0</error>``.
Nothing is retried. The rate is whatever the machine sustains: clients and servers share
the cores, so it measures the box, not the server alone.

Crashes: --crashes times, evenly spaced, the server's whole process group (supervisor and
workers) gets SIGKILL mid-load, and the server is started again on the same data and port.
Clients wait while it is down; a request whose connection fails during an outage is an
"outage error", one that fails otherwise an "other error", as are 4xx answers and writes
answered without an acknowledgement. A restart is survived when the new server then
acknowledges requests.

At the end, with the servers stopped: every acknowledged comment marker and ping source must
be in the database (read-only), SQLite's integrity_check and foreign_key_check must find
nothing (on PostgreSQL: no orphan rows), every post's comment and trackback counters must
equal its approved rows, and `yamabiko manage comments_recount` must say all are correct.
Exit status 1 on any 5xx, lost write or failed check.

Results: a Markdown table on stdout, and bench/robustness/results/<label>.json (label:
--label, else the date and time).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Protocol
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

import stored  # noqa: E402 - siblings, found through the path above
from load import Client, Outages, Reads, Tally, Target  # noqa: E402
from report import Checks, failed, figures, table  # noqa: E402


def module_load(name: str, path: Path) -> ModuleType:
    """A module by path: bench/http/run.py cannot be imported as `run` from a file named run.py."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


http = module_load("bench_http_run", ROOT / "bench" / "http" / "run.py")
generate = module_load("bench_import_generate", http.GENERATE)

WRITE_TARGETS = 4
# The spam filter holds a form sent sooner than 2 s after it was shown (spam.Policy).
FORM_AGE_SECONDS = 2.1
RELAXED = {"comment_moderation": "none", "comment_rate_per_ip": "0",
           "comment_rate_per_email": "0", "linkback_rate_per_ip": "0",
           "linkback_rate_per_host": "0"}  # fmt: skip
FEEDS = ("/feed/", "/feed/atom/", "/feed.json", "/comments/feed/")
PERMALINK = re.compile(r'href="(/\d{4}/\d{2}/[^"#/?]+/)"')
TOKEN_INPUT = re.compile(r'<input[^>]*name="token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
GROUP_GONE_SECONDS = 10.0
JOIN_SECONDS = 60.0


class Children(Protocol):
    """bench/http/run.py's Children, as this script uses it."""

    def start(self, command: Sequence[str], *, env: dict[str, str],
              log: Path) -> subprocess.Popen[bytes]: ...  # fmt: skip

    def stop(self, process: subprocess.Popen[bytes]) -> None: ...

    def stop_all(self) -> None: ...


class Blog(Protocol):
    """What this script uses of bench/http/run.py's Blog (loaded by path, so untyped here)."""

    data_dir: Path
    env: dict[str, str]
    yamabiko: Path
    logs: Path


# --- The blog ------------------------------------------------------------------------------


def blog_build(*, work: Path, posts: int, yamabiko: Path, port: int,
               database_url: str | None) -> Blog:  # fmt: skip
    """bench/http's blog_build, which always uses SQLite, here on ``database_url`` if given."""
    logs = work / "logs"
    logs.mkdir()
    wxr, data_dir = work / "blog.wordpress.xml", work / "data"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("YAMABIKO_")
           and name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}  # fmt: skip
    env |= {"YAMABIKO_DATA_DIR": str(data_dir), "YAMABIKO_SITE_URL": f"http://127.0.0.1:{port}/"}
    if database_url:
        env["DATABASE_URL"] = database_url
    print(f"generating {posts} posts, migrating, importing …", file=sys.stderr, flush=True)
    setup = logs / "setup.log"
    python = str(yamabiko.parent / "python")
    http.run_quietly(
        [python, str(http.GENERATE), "--posts", str(posts), "-o", str(wxr)], env, setup
    )
    http.run_quietly([str(yamabiko), "manage", "migrate", "--no-input"], env, setup)
    http.run_quietly([str(yamabiko), "import", "wxr", str(wxr)], env, setup)
    for key, value in RELAXED.items():
        http.run_quietly([str(yamabiko), "config", "set", key, value], env, setup)
    blog: Blog = http.Blog(wxr=wxr, data_dir=data_dir, env=env, yamabiko=yamabiko, logs=logs)
    return blog


def yamabiko(blog: Blog, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed commands built by this script
        [str(blog.yamabiko), *args], input=stdin, env=blog.env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def targets_make(blog: Blog, base: str) -> tuple[tuple[Target, ...], list[str]]:
    """WRITE_TARGETS new posts open to comments and pings, and their permalinks."""
    targets, paths = [], []
    for n in range(WRITE_TARGETS):
        done = yamabiko(blog, "post", "new", "--title", f"Robustness target {n}", "--status",
                        "published", "-", stdin=f"Post {n} for comments and pings.")  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"`yamabiko post new` failed: {done.stderr.strip()[-300:]}")
        info = json.loads(done.stdout)
        path = urlsplit(info["url"]).path
        field_html = TOKEN_INPUT.search(http.http_get(base + path).body.decode())
        value = VALUE.search(field_html.group(0)) if field_html else None
        if value is None:
            raise SystemExit(f"no comment form token on {path}")
        targets.append(Target(post_id=int(info["id"]), token=value.group(1)))
        paths.append(path)
    return tuple(targets), paths


def reads_find(base: str, extra_permalinks: list[str]) -> Reads:
    """The pages to read, found on the home page and checked to answer 200."""
    home = http.http_get(base + "/").body.decode()
    permalinks = sorted(set(PERMALINK.findall(home))) + extra_permalinks
    categories = sorted(set(http.CATEGORY_LINK.findall(home)))
    if not permalinks or not categories:
        raise SystemExit("the home page links no post or no category; is the blog empty?")
    feeds = (*FEEDS, *(category + "feed/" for category in categories[:3]))
    words = (*generate.ENGLISH, *generate.JAPANESE_NOUNS)
    pages = [*permalinks, *categories, *feeds, "/search/?q=" + quote(words[-1])]
    http.pages_check(base, {path: path for path in pages})
    return Reads(permalinks=tuple(permalinks), categories=tuple(categories),
                 feeds=feeds, words=words)  # fmt: skip


# --- Servers and crashes ---------------------------------------------------------------------


def server_start(
    children: Children, blog: Blog, port: int, restarts: int
) -> subprocess.Popen[bytes]:
    log = blog.logs / f"serve-{restarts}.log"
    command = [str(blog.yamabiko), "serve", "--port", str(port)]
    process = children.start(command, env=blog.env, log=log)
    http.wait_until_up(f"http://127.0.0.1:{port}/robots.txt", process, log)
    return process


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


def group_kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the supervisor and every worker at once, as a power cut or OOM kill would."""
    http.signal_group(process, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + GROUP_GONE_SECONDS
    while processes_in_group(process.pid):
        if time.monotonic() > deadline:
            raise SystemExit(f"processes of group {process.pid} survived SIGKILL")
        time.sleep(0.05)


@dataclass(slots=True, kw_only=True)
class Soak:
    children: Children
    blog: Blog
    port: int
    server: subprocess.Popen[bytes] | None = None
    outages: Outages = field(default_factory=Outages)
    outage_seconds: list[float] = field(default_factory=list)

    def crash_restart(self) -> None:
        assert self.server is not None
        self.outages.begin()
        killed = time.monotonic()
        print(f"  SIGKILL to group {self.server.pid}, restarting …", file=sys.stderr, flush=True)
        group_kill(self.server)
        self.children.stop(self.server)  # only forgets it: the group is gone
        self.server = server_start(
            self.children, self.blog, self.port, len(self.outage_seconds) + 1
        )
        self.outage_seconds.append(time.monotonic() - killed)
        self.outages.end()


def load_run(soak: Soak, clients: list[Client], *, seconds: float, crashes: int) -> float:
    """Runs the clients for ``seconds`` with ``crashes`` evenly spaced kills; the time taken."""
    stop = clients[0].stop
    threads = [threading.Thread(target=c.run, name=f"client-{c.number}", daemon=True)
               for c in clients]  # fmt: skip
    soak.outages.end()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        for n in range(1, crashes + 1):
            time.sleep(max(0.0, started + seconds * n / (crashes + 1) - time.monotonic()))
            soak.crash_restart()
        time.sleep(max(0.0, started + seconds - time.monotonic()))
    finally:
        stop.set()
        soak.outages.end()  # no client waits out its timeout if a restart failed
        for thread in threads:
            thread.join(JOIN_SECONDS)
    return time.monotonic() - started


# --- Checks --------------------------------------------------------------------------------


def checks_run(blog: Blog, tally: Tally, database_url: str | None) -> Checks:
    """With the servers stopped: the acknowledged writes are stored, and the data is sound."""
    found = (
        stored.read_postgresql(database_url)
        if database_url
        else stored.read_sqlite(blog.data_dir / "yamabiko.sqlite3")
    )
    recount = yamabiko(blog, "manage", "comments_recount")
    lines = (recount.stdout + recount.stderr).strip().splitlines()
    return Checks(
        lost_comments=sorted(set(tally.comments) - found.comments),
        lost_pings=sorted(set(tally.pings) - found.pings),
        problems=found.problems,
        wrong_counters=found.wrong_counters,
        recount=lines[-1] if lines else f"no output (exit {recount.returncode})",
        stored_comments=len(found.comments),
        stored_pings=len(found.pings),
    )


# --- Main ----------------------------------------------------------------------------------


def arguments_parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the load (5)")
    parser.add_argument("--clients", type=int, default=16, help="client threads (16)")
    parser.add_argument("--crashes", type=int, default=2, help="SIGKILL-restarts (2)")
    parser.add_argument("--posts", type=int, default=300, help="posts in the blog (300)")
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it) "
                        "to make the run's fresh database on; default SQLite")  # fmt: skip
    parser.add_argument("--label", help="results file name (default: the date and time)")
    parser.add_argument("--yamabiko", type=Path, default=ROOT / ".venv" / "bin" / "yamabiko",
                        help="the yamabiko command to run (the checkout's .venv)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    return parser.parse_args(argv)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    tally: Tally
    checks: Checks
    soak: Soak
    elapsed: float


def soak_run(arguments: argparse.Namespace, work: Path, stack: ExitStack) -> Outcome:
    database_url: str | None = None
    if arguments.database_url:
        name = f"yamabiko_robustness_{os.getpid()}"
        database_url = stored.database_create(arguments.database_url, name)
        stack.callback(stored.database_drop, arguments.database_url, name)
    children: Children = http.Children()
    stack.callback(children.stop_all)  # before the drop: LIFO
    port = http.free_port()
    blog = blog_build(work=work, posts=arguments.posts, yamabiko=arguments.yamabiko, port=port,
                      database_url=database_url)  # fmt: skip
    soak = Soak(children=children, blog=blog, port=port)
    soak.server = server_start(children, blog, port, 0)
    worker = children.start([str(blog.yamabiko), "worker"], env=blog.env,
                            log=blog.logs / "worker.log")  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    targets, target_paths = targets_make(blog, base)
    reads = reads_find(base, target_paths)
    time.sleep(FORM_AGE_SECONDS)  # the tokens are reusable; they only have to be old enough
    stop = threading.Event()
    clients = [Client(number=n, port=port, reads=reads, targets=targets, outages=soak.outages,
                      stop=stop) for n in range(arguments.clients)]  # fmt: skip
    print(f"load: {arguments.clients} clients, {arguments.minutes:g} min, "
          f"{arguments.crashes} crashes …", file=sys.stderr, flush=True)  # fmt: skip
    elapsed = load_run(soak, clients, seconds=arguments.minutes * 60, crashes=arguments.crashes)
    children.stop(worker)
    children.stop(soak.server)
    tally = Tally()
    for client in clients:
        tally.merge(client.tally)
    return Outcome(tally=tally, checks=checks_run(blog, tally, database_url), soak=soak,
                   elapsed=elapsed)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    arguments = arguments_parse(argv)
    if not arguments.yamabiko.exists():
        print(f"{arguments.yamabiko} is missing; pass --yamabiko", file=sys.stderr)
        return 2
    http.stop_on_sigterm()
    facts = http.machine(arguments.yamabiko)
    for irrelevant in ("nginx", "load_generator"):
        facts.pop(irrelevant, None)
    facts["load_generator"] = f"load.py, {arguments.clients} threads"
    with ExitStack() as stack:
        if arguments.keep:
            work = arguments.keep
            work.mkdir(parents=True, exist_ok=False)
        else:
            folder = tempfile.TemporaryDirectory(prefix="yamabiko-bench-robustness-")
            work = Path(stack.enter_context(folder))
        outcome = soak_run(arguments, work, stack)
    found = figures(outcome.tally, outcome.checks, outcome.soak.outage_seconds, outcome.elapsed)
    print(f"\n{facts}\n")
    print(table(found, outcome.checks))
    RESULTS.mkdir(exist_ok=True)
    label = arguments.label or datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    plan = {"minutes": arguments.minutes, "clients": arguments.clients,
            "crashes": arguments.crashes, "posts": arguments.posts,
            "database": "postgresql" if arguments.database_url else "sqlite"}  # fmt: skip
    checks = {"lost_comments": outcome.checks.lost_comments[:100],
              "lost_pings": outcome.checks.lost_pings[:100], "problems": outcome.checks.problems,
              "wrong_counters": outcome.checks.wrong_counters,
              "comments_recount": outcome.checks.recount,
              "stored_comments": outcome.checks.stored_comments,
              "stored_pings": outcome.checks.stored_pings}  # fmt: skip
    result = {"machine": facts, "plan": plan, **found, "checks": checks}
    path = RESULTS / f"{label}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if failed(found, outcome.checks) else 0


if __name__ == "__main__":
    http.main_run(main)
