"""Import benchmark: `yamabiko import wxr` on synthetic WordPress exports of several sizes.

    ./dev run .venv/bin/python bench/import/run.py          # 1,000 and 10,000 posts, SQLite
    ./dev run .venv/bin/python bench/import/run.py --posts 1000 --posts 10000 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres

(The script needs only the standard library, and psycopg for --database-url; the blog runs in
child processes, through the checkout's .venv/bin/yamabiko unless --yamabiko names another.)

For each size the script writes a WXR file with generate.py (seed 1, ten comments a post, so
10,000 posts carry 100,000 comments) into a temporary folder, makes a fresh blog (a new data
dir, and a new database on the PostgreSQL server when --database-url names one, dropped
afterwards), migrates it with `yamabiko manage migrate` (not timed), then runs
`yamabiko import wxr FILE` as a child process and measures:

- wall time, from starting the child to its exit, and posts and comments per second;
- peak RSS of that child alone: the rusage `os.wait4` returns for it (ru_maxrss), so neither
  this script nor the migrate before it counts;
- what the blog holds afterwards (`yamabiko manage shell`), to show everything came in.

The baseline, run first the same way, imports a file with no posts (the header, authors,
terms and two pages): the memory of the interpreter, Django, the apps and the import code
before any content. "Over baseline" is what the content cost. The claim to check is that it
does not grow with the file: the 10,000-post peak should be close to the 1,000-post peak.

Results: a Markdown table on stdout, and bench/import/results/<vendor>-<posts>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - a sibling module, found through the path above

RESULTS = HERE / "results"
# What the blog holds after an import, printed by a child Django shell as one JSON line.
COUNTS = (
    "import json\n"
    "from yamabiko.posts.models import Page, Post\n"
    "from yamabiko.discussion.models import Comment, Linkback\n"
    "print(json.dumps({'posts': Post.objects.count(), 'pages': Page.objects.count(),"
    " 'comments': Comment.objects.count(), 'linkbacks': Linkback.objects.count()}))\n"
)


@dataclass(slots=True, kw_only=True)
class Run:
    posts: int
    comments: int
    file_bytes: int
    generate_seconds: float
    seconds: float = 0.0
    peak_rss_kib: int = 0
    exit_code: int = 0
    error: str = ""
    imported: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Child:
    seconds: float
    peak_rss_kib: int
    exit_code: int
    stdout: str
    stderr: str


# The interpreter that runs yamabiko may not be the one running this script.
VERSIONS = (
    "import json, platform, sqlite3; "
    "print(json.dumps([platform.python_version(), sqlite3.sqlite_version]))"
)


def machine(database_url: str | None, yamabiko: Path) -> dict[str, object]:
    cpu = "unknown"
    memory = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    if Path("/proc/meminfo").exists():
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    python, sqlite = json.loads(
        subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [str(yamabiko.parent / "python"), "-c", VERSIONS],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    facts: dict[str, object] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": python,
        "sqlite": sqlite,
        "database": "postgresql" if database_url else "sqlite",
    }
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            facts["postgresql"] = row[0] if row else "unknown"
    return facts


def run_child(command: Sequence[str], env: dict[str, str], folder: Path) -> Child:
    """Run ``command`` and wait for it with wait4, which reports that child's own rusage."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    # Popen did not reap the child itself; tell it, so it never waits for it again.
    process.returncode = os.waitstatus_to_exitcode(status)
    return Child(
        seconds=seconds,
        peak_rss_kib=usage.ru_maxrss,  # kilobytes on Linux
        exit_code=process.returncode,
        stdout=out.read_text(errors="replace"),
        stderr=err.read_text(errors="replace"),
    )


@contextmanager
def fresh_blog(database_url: str | None, label: str) -> Iterator[dict[str, str]]:
    """The environment of a new, empty blog: its own data dir, and database when asked."""
    with tempfile.TemporaryDirectory(prefix="yamabiko-bench-import-") as data_dir:
        env = dict(os.environ, YAMABIKO_DATA_DIR=data_dir, YAMABIKO_PAGE_CACHE="0")
        env.pop("DATABASE_URL", None)
        if not database_url:
            yield env
            return
        import psycopg

        name = f"yamabiko_bench_import_{os.getpid()}_{label}"
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
        try:
            yield env
        finally:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def measure(posts: int, *, seed: int, yamabiko: Path, database_url: str | None, work: Path) -> Run:
    folder = work / f"posts-{posts}"
    folder.mkdir()
    file = folder / "blog.wordpress.xml"
    print(f"generating {posts} posts …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with file.open("w", encoding="utf-8", newline="\n") as out:
        stats = generate.write_wxr(out, posts=posts, seed=seed)
    run = Run(
        posts=stats.posts,
        comments=stats.comments,
        file_bytes=file.stat().st_size,
        generate_seconds=time.perf_counter() - started,
    )
    with fresh_blog(database_url, str(posts)) as env:
        migrate = run_child([str(yamabiko), "manage", "migrate", "--no-input"], env, folder)
        if migrate.exit_code != 0:
            run.exit_code, run.error = migrate.exit_code, "migrate: " + last_line(migrate.stderr)
            return run
        print(f"importing {file.name} ({run.file_bytes / 1e6:.1f} MB) …", file=sys.stderr)
        child = run_child([str(yamabiko), "import", "wxr", str(file)], env, folder)
        run.seconds, run.peak_rss_kib, run.exit_code = (
            child.seconds,
            child.peak_rss_kib,
            child.exit_code,
        )
        if child.exit_code != 0:
            run.error = last_line(child.stderr) or last_line(child.stdout)
            return run
        counted = run_child([str(yamabiko), "manage", "shell", "-c", COUNTS], env, folder)
        if counted.exit_code == 0:
            run.imported = json.loads(last_line(counted.stdout))
        else:
            run.error = "counting: " + last_line(counted.stderr)
    return run


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def table(runs: list[Run], baseline: Run) -> str:
    lines = [
        "| posts | comments | file | import | posts/s | comments/s | peak RSS | over baseline "
        "| imported (posts / comments / linkbacks) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in [baseline, *runs]:
        if run.exit_code != 0:
            lines.append(f"| {run.posts} | {run.comments} | | failed: {run.error} | | | | | |")
            continue
        rate = max(run.seconds, 1e-9)
        imported = run.imported
        lines.append(
            f"| {run.posts:,} | {run.comments:,} | {run.file_bytes / 1e6:.1f} MB "
            f"| {run.seconds:.1f} s | {run.posts / rate:,.0f} | {run.comments / rate:,.0f} "
            f"| {mib(run.peak_rss_kib)} | {mib(run.peak_rss_kib - baseline.peak_rss_kib)} "
            f"| {imported.get('posts', '?')} / {imported.get('comments', '?')} / "
            f"{imported.get('linkbacks', '?')} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--posts", type=int, action="append",
                        help="a size to import; may repeat (default: 1000 and 10000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed (1)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make databases on "
                        "(postgres://…/postgres); SQLite when not given")  # fmt: skip
    parser.add_argument("--yamabiko", type=Path, default=ROOT / ".venv" / "bin" / "yamabiko",
                        help="the yamabiko command to run (the checkout's .venv)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="generate the files here and keep them")
    arguments = parser.parse_args(argv)
    sizes = arguments.posts or [1000, 10000]
    database_url: str | None = arguments.database_url
    facts = machine(database_url, arguments.yamabiko)
    vendor = str(facts["database"])
    with tempfile.TemporaryDirectory(prefix="yamabiko-bench-import-files-") as scratch:
        work = arguments.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)

        def one(posts: int) -> Run:
            return measure(posts, seed=arguments.seed, yamabiko=arguments.yamabiko,
                           database_url=database_url, work=work)  # fmt: skip

        baseline = one(0)
        runs = [one(size) for size in sizes]
    print(f"\n{vendor}; {facts}\n")
    print(table(runs, baseline))
    usable = [run for run in runs if run.exit_code == 0]
    if len(usable) >= 2:
        small, large = usable[0], usable[-1]
        growth = (large.peak_rss_kib - baseline.peak_rss_kib) / max(
            small.peak_rss_kib - baseline.peak_rss_kib, 1
        )
        print(
            f"\nPeak RSS over baseline, {large.posts:,} posts against {small.posts:,}: "
            f"{growth:.2f}x for a {large.file_bytes / small.file_bytes:.1f}x larger file."
        )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for run in runs:
        result = {"ran_at": stamp, "machine": facts, "baseline": asdict(baseline), **asdict(run)}
        path = RESULTS / f"{vendor}-{run.posts}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(run.exit_code == 0 for run in [baseline, *runs]) else 1


if __name__ == "__main__":
    sys.exit(main())
