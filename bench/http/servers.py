"""Which WSGI server to run Yamabiko under: the cached permalink page under several of them.

    python bench/http/servers.py --python /tmp/venv/bin/python     # gunicorn installed there
    python bench/http/servers.py --quick

(Standard library only; run.py's machinery. The servers run under --python, an interpreter
that has Yamabiko importable, and gunicorn for its rows; gunicorn is no longer a dependency
of the project, so give a throwaway venv that has it, e.g. the checkout's requirements.lock
plus gunicorn plus a .pth file naming <checkout>/src.)

One blog (run.py's: generate.py's WXR, imported into a fresh data dir) and one page, the
permalink of a commented post, fetched until it answers ``X-Yamabiko-Cache: hit`` on each
server: what is measured is the page-cache hit path under each server, with as many worker
processes as cores everywhere:

- `yamabiko serve`: granian, a Rust HTTP server, one request in Python at a time per
  worker process, HTTP keep-alive;
- gunicorn with its sync worker, one request at a time per process, and the connection
  closed after every answer (the sync worker does not keep connections);
- gunicorn gthread: the same workers with 4 threads each and HTTP keep-alive.

Load, repeats and the caveat (client and servers share the cores) are run.py's. Results: a
Markdown table on stdout and bench/http/results/servers-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402 - a sibling module, found through the path above

APPLICATION = "yamabiko.wsgi:application"
GTHREAD_THREADS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    name: str
    command: list[str]


def servers(python: Path, port: int, workers: int) -> list[Server]:
    bind = f"127.0.0.1:{port}"
    gunicorn = [str(python), "-m", "gunicorn", "--workers", str(workers), "--bind", bind]
    return [
        Server(name="yamabiko serve (granian)",
               command=[str(python), "-m", "yamabiko", "serve", "--port", str(port)]),
        Server(name="gunicorn sync", command=[*gunicorn, APPLICATION]),
        Server(name=f"gunicorn gthread ({GTHREAD_THREADS} threads)",
               command=[*gunicorn, "--worker-class", "gthread", "--threads",
                        str(GTHREAD_THREADS), APPLICATION]),
    ]  # fmt: skip


def gunicorn_missing(python: Path) -> bool:
    done = subprocess.run(  # noqa: S603 - the interpreter we were given, a fixed snippet
        [str(python), "-c", "import gunicorn"], capture_output=True, check=False
    )
    return done.returncode != 0


@contextmanager
def serving(children: run.Children, blog: run.Blog, server: Server, port: int) -> Iterator[str]:
    log = blog.logs / f"{server.name.split()[0]}-{port}.log"
    process = children.start(server.command, env=blog.env, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        run.wait_until_up(base + "/robots.txt", process, log)
        yield base
    finally:
        children.stop(process)


@dataclass(slots=True, kw_only=True)
class Row:
    server: str
    url: str = ""
    result: dict[str, object] | None = None
    note: str = ""


def measure(children: run.Children, blog: run.Blog, server: Server, port: int,
            path: str, plan: run.Plan) -> Row:  # fmt: skip
    print(f"  {server.name}", file=sys.stderr, flush=True)
    with serving(children, blog, server, port) as base:
        run.pages_check(base, {"permalink": path})  # fills this host:port's cache entry
        answer = run.pages_check(base, {"permalink": path})["permalink"]
        note = "" if answer.cache == "hit" else f"cache says {answer.cache!r}"
        return Row(server=server.name, url=base + path, result=run.load_measure(base + path, plan),
                   note=note)  # fmt: skip


def table(rows: list[Row]) -> str:
    lines = ["| server | rps | p50 ms | p99 ms | errors | note |", "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        r = row.result or {}
        lines.append(
            f"| {row.server} | {run.cell(r, 'rps', ',.0f')} | {run.cell(r, 'p50_ms', '.2f')} "
            f"| {run.cell(r, 'p99_ms', '.2f')} | {run.cell(r, 'errors', 'd')} | {row.note} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--python", type=Path, default=run.ROOT / ".venv" / "bin" / "python",
                        help="the servers' interpreter (with gunicorn)")  # fmt: skip
    parser.add_argument("--posts", type=int, default=200, help="posts in the blog (200)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds a run (10)")
    parser.add_argument("--repeats", type=int, default=3, help="runs a measurement (3)")
    parser.add_argument("--quick", action="store_true", help="3 s x 1 run, 1 s warm-up")
    parser.add_argument("--label", help="results file suffix (default: the date and time)")
    arguments = parser.parse_args(argv)
    python: Path = arguments.python
    yamabiko = run.ROOT / ".venv" / "bin" / "yamabiko"  # builds the blog; servers use --python
    plan = run.Plan(duration=arguments.duration, warmup=2.0, repeats=arguments.repeats)
    if arguments.quick:
        plan = run.Plan(duration=3.0, warmup=1.0, repeats=1)
    run.stop_on_sigterm()
    facts = run.machine(yamabiko)
    workers = os.cpu_count() or 1
    rows: list[Row] = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="yamabiko-servers-")))
        children = run.Children()
        stack.callback(children.stop_all)
        site_port = run.free_port()
        blog = run.blog_build(work=work, posts=arguments.posts, yamabiko=yamabiko,
                              site_port=site_port)  # fmt: skip
        with run.yamabiko_serving(children, blog, site_port, name="choose") as base:
            path = run.pages_choose(base)["permalink"]
        for server in servers(python, site_port, workers):
            if server.name.startswith("gunicorn") and gunicorn_missing(python):
                rows.append(Row(server=server.name, note=f"gunicorn not installed for {python}"))
                continue
            rows.append(measure(children, blog, server, site_port, path, plan))
    print(f"\n{facts}\n\npage: {path}; {workers} workers each\n")
    print(table(rows))
    run.RESULTS.mkdir(exist_ok=True)
    label = arguments.label or datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    result = {"machine": facts, "plan": asdict(plan), "posts": arguments.posts, "page": path,
              "workers": workers, "rows": [asdict(row) for row in rows]}  # fmt: skip
    out = run.RESULTS / f"servers-{label}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {out.relative_to(run.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run.main_run(main)
