"""Search benchmark: the search index against a plain LIKE scan, over the same posts, in one run.

    ./dev run python bench/search/run.py --posts 10000
    ./dev run python bench/search/run.py --posts 10000 --database-url postgres://postgres@127.0.0.1:5432/postgres

Each run makes a fresh blog (a temporary data dir for SQLite; a new database on the given
PostgreSQL server, dropped afterwards), writes a deterministic synthetic corpus (see
corpus.py) through the post services with indexing deferred, then times building the index
(the same batched code `yamabiko search reindex` runs), and runs a fixed set of queries,
each class timed as the results page does it: the count plus the first 10 results with
their snippets. The LIKE baseline is what a plain engine does: every word with
icontains over title and body, live posts, newest first, count plus 10.

``--bulk`` writes the posts with the ORM's bulk_create instead of post_create (one
render_markdown per post, categories and tags through bulk_create too), for corpora too big
to write one service call at a time; the index is then built with index_rebuild.

Results go to bench/search/results/<vendor>-<posts>.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402 - a sibling module, found through the path above

PAGE = 10
BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchQuery:
    kind: str
    text: str
    like: tuple[str, ...]
    category: str = ""
    after: date | None = None


QUERIES = (
    BenchQuery(kind="common word", text="the", like=("the",)),
    BenchQuery(kind="common word", text="mountain", like=("mountain",)),
    BenchQuery(kind="rare word", text="zephyrine", like=("zephyrine",)),
    BenchQuery(kind="rare word", text="rubio", like=("rubio",)),
    BenchQuery(kind="phrase", text='"mountain hut"', like=("mountain hut",)),
    BenchQuery(kind="CJK term", text="北朝鮮", like=("北朝鮮",)),
    BenchQuery(kind="CJK term", text="山びこ", like=("山びこ",)),
    BenchQuery(kind="CJK term", text="비핵화", like=("비핵화",)),
    BenchQuery(kind="mixed", text="Rubio 北朝鮮", like=("rubio", "北朝鮮")),
    BenchQuery(kind="filter", text="river category:travel", like=("river",), category="travel"),
    BenchQuery(kind="filter", text="walk after:2024-01-01", like=("walk",), after=date(2024, 1, 1)),
)


@dataclass(slots=True, kw_only=True)
class Timing:
    kind: str
    text: str
    search_matches: int = 0
    like_matches: int = 0
    search_ms: list[float] = field(default_factory=list)
    like_ms: list[float] = field(default_factory=list)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    memory = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


@contextmanager
def fresh_database(url: str | None) -> Iterator[None]:
    """A temporary data dir, and a new PostgreSQL database when ``url`` names a server."""
    with tempfile.TemporaryDirectory(prefix="yamabiko-bench-") as data_dir:
        os.environ["YAMABIKO_DATA_DIR"] = data_dir
        os.environ["YAMABIKO_PAGE_CACHE"] = "0"
        if not url:
            os.environ.pop("DATABASE_URL", None)
            yield
            return
        import psycopg

        name = f"yamabiko_bench_search_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        try:
            yield
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    print(f"\r{label}: {done}/{total} ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)


def write_with_services(count: int, seed: int) -> tuple[float, float]:
    """Posts through post_create, indexing deferred; returns (write, index build) seconds."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from yamabiko.posts import services
    from yamabiko.search.backends import backend_for
    from yamabiko.search.services import index_deferred

    author = User.objects.create(username="bench")
    categories, tags = taxonomy()
    started = time.perf_counter()
    deferred = ExitStack()
    deferred.enter_context(index_deferred())
    batch: list[corpus.SyntheticPost] = []
    for number, spec in enumerate(corpus.posts(count, seed=seed), 1):
        batch.append(spec)
        if len(batch) == BATCH or number == count:
            with transaction.atomic():
                for item in batch:
                    services.post_create(
                        author=author,
                        title=item.title,
                        body=item.body,
                        published_at=item.published_at,
                        categories=[categories[name] for name in item.categories],
                        tags=[tags[name] for name in item.tags],
                    )
            batch = []
            progress("writing posts", number, count, started)
    written = time.perf_counter() - started
    print(file=sys.stderr)
    started = time.perf_counter()
    deferred.close()
    backend_for().optimize()
    return written, time.perf_counter() - started


def write_in_bulk(count: int, seed: int) -> tuple[float, float]:
    """Posts through the ORM's bulk_create; returns (write, index build) seconds."""
    from django.contrib.auth.models import User

    from yamabiko.core.text import render_markdown
    from yamabiko.posts.models import Post
    from yamabiko.search.services import index_rebuild

    author = User.objects.create(username="bench")
    categories, tags = taxonomy()
    in_category = Post.categories.through
    tagged = Post.tags.through
    started = time.perf_counter()
    specs = corpus.posts(count, seed=seed)
    for offset in range(0, count, BATCH):
        chunk = [next(specs) for _ in range(min(BATCH, count - offset))]
        posts = Post.objects.bulk_create(
            Post(
                author=author,
                title=spec.title,
                slug=f"bench-{offset + index}",
                status="published",
                published_at=spec.published_at,
                body=spec.body,
                body_html=render_markdown(spec.body),
                primary_category=categories[spec.categories[0]],
            )
            for index, spec in enumerate(chunk)
        )
        in_category.objects.bulk_create(
            in_category(post_id=post.pk, category_id=categories[name].pk)
            for post, spec in zip(posts, chunk, strict=True)
            for name in spec.categories
        )
        tagged.objects.bulk_create(
            tagged(post_id=post.pk, tag_id=tags[name].pk)
            for post, spec in zip(posts, chunk, strict=True)
            for name in spec.tags
        )
        progress("writing posts", offset + len(chunk), count, started)
    written = time.perf_counter() - started
    print(file=sys.stderr)
    started = time.perf_counter()
    index_rebuild(progress=lambda done, total: progress("indexing", done, total, started))
    print(file=sys.stderr)
    return written, time.perf_counter() - started


def taxonomy() -> tuple[dict[str, Any], dict[str, Any]]:
    from yamabiko.posts import services
    from yamabiko.posts.models import Category

    categories: dict[str, Any] = {}
    for name, parent in corpus.CATEGORIES:
        categories[name] = services.category_save(
            category=Category(name=name, parent=categories.get(parent) if parent else None)
        )
    tags = {tag.name: tag for tag in services.tags_for_names(corpus.TAGS)}
    return categories, tags


def like_search(query: BenchQuery) -> int:
    """The baseline: icontains on title or body for every word, newest first."""
    from django.db.models import Q

    from yamabiko.posts.models import Category, Post

    posts = Post.objects.live()
    for word in query.like:
        posts = posts.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if query.category:
        found = Category.objects.get(slug=query.category)
        subtree = Category.objects.filter(Q(pk=found.pk) | Q(path__startswith=f"{found.path}/"))
        posts = posts.filter(categories__in=subtree).distinct()
    if query.after:
        posts = posts.filter(
            published_at__gte=datetime.combine(query.after, datetime.min.time(), UTC)
        )
    total = posts.count()
    list(posts.order_by("-published_at")[:PAGE])
    return total


def index_search(query: BenchQuery) -> int:
    """What the results page does: count, then the first page with snippets."""
    from yamabiko.search.results import search_prepare

    results = search_prepare(text=query.text).results
    total = results.count()
    page = results[0:PAGE]
    assert len(page) == min(PAGE, total)
    return total


def timed(
    function: Callable[[BenchQuery], int], query: BenchQuery, repeat: int
) -> tuple[int, list[float]]:
    matches = function(query)  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(query)
        samples.append((time.perf_counter() - started) * 1000)
    return matches, samples


def report(result: dict[str, Any]) -> str:
    lines = [
        f"### {result['vendor']}, {result['posts']:,} posts",
        "",
        f"Writing the posts ({result['write_mode']}): {result['write_s']:.0f} s. "
        f"Index build: {result['index_build_s']:.1f} s. "
        f"Index size: {result['index_mb']:.0f} MB (database {result['database_mb']:.0f} MB).",
        "",
        "| query class | query | matches (index / LIKE) | index p50 | index p95 "
        "| LIKE p50 | LIKE p95 | p50 speed-up |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["queries"]:
        search_p50 = percentile(row["search_ms"], 0.5)
        like_p50 = percentile(row["like_ms"], 0.5)
        lines.append(
            f"| {row['kind']} | `{row['text']}`"
            f" | {row['search_matches']:,} / {row['like_matches']:,}"
            f" | {search_p50:.1f} ms | {percentile(row['search_ms'], 0.95):.1f} ms"
            f" | {like_p50:.0f} ms | {percentile(row['like_ms'], 0.95):.0f} ms"
            f" | {like_p50 / search_p50:.0f}x |"
        )
    lines += [
        "",
        "| query class | index p50 | index p95 | LIKE p50 | LIKE p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    kinds = dict.fromkeys(row["kind"] for row in result["queries"])
    for kind in kinds:
        search = [ms for row in result["queries"] if row["kind"] == kind for ms in row["search_ms"]]
        like = [ms for row in result["queries"] if row["kind"] == kind for ms in row["like_ms"]]
        lines.append(
            f"| {kind} | {percentile(search, 0.5):.1f} ms | {percentile(search, 0.95):.1f} ms"
            f" | {percentile(like, 0.5):.0f} ms | {percentile(like, 0.95):.0f} ms |"
        )
    return "\n".join(lines)


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    import django
    from django.core.management import call_command
    from django.db import connection

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    write = write_in_bulk if arguments.bulk else write_with_services
    written, built = write(arguments.posts, arguments.seed)

    from yamabiko.search.backends import backend_for

    backend = backend_for()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
            database_bytes = cursor.fetchone()[0]
            server = f"SQLite {sqlite3.sqlite_version}"
        else:
            cursor.execute("SELECT pg_database_size(current_database()), version()")
            database_bytes, server = cursor.fetchone()
    timings = []
    for query in QUERIES:
        timing = Timing(kind=query.kind, text=query.text)
        timing.search_matches, timing.search_ms = timed(index_search, query, arguments.repeat)
        timing.like_matches, timing.like_ms = timed(like_search, query, arguments.like_repeat)
        print(
            f"{query.kind:12} {query.text:24} index p50 {percentile(timing.search_ms, 0.5):7.1f} ms"
            f"   LIKE p50 {percentile(timing.like_ms, 0.5):8.1f} ms",
            file=sys.stderr,
        )
        timings.append(asdict(timing))
    return {
        "vendor": connection.vendor,
        "server": server,
        "posts": arguments.posts,
        "seed": arguments.seed,
        "write_mode": "bulk_create" if arguments.bulk else "post_create",
        "write_s": written,
        "index_build_s": built,
        "index_mb": backend.size() / 1024 / 1024,
        "database_mb": database_bytes / 1024 / 1024,
        "repeat": arguments.repeat,
        "like_repeat": arguments.like_repeat,
        "machine": machine(),
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "queries": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (index)")
    parser.add_argument("--like-repeat", type=int, default=5, help="timed runs per query (LIKE)")
    parser.add_argument("--bulk", action="store_true", help="write posts with bulk_create")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL to make a throwaway database on; SQLite when empty",
    )
    parser.add_argument("--output", type=Path, default=HERE / "results")
    arguments = parser.parse_args()
    with fresh_database(arguments.database_url or None):
        result = run(arguments)
    arguments.output.mkdir(parents=True, exist_ok=True)
    path = arguments.output / f"{result['vendor']}-{result['posts']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(report(result))
    print(f"\n(written to {path})", file=sys.stderr)


if __name__ == "__main__":
    main()
