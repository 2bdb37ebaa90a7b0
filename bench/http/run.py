"""HTTP benchmark: five public pages of one blog under Yamabiko, nginx and (optionally) WordPress.

    ./dev run .venv/bin/python bench/http/run.py                 # 200 posts, 10 s x 3
    ./dev run .venv/bin/python bench/http/run.py --quick         # 3 s x 1, to try things
    ./dev run .venv/bin/python bench/http/run.py --with-wordpress

(Standard library only. Every server is a child process on a free 127.0.0.1 port, started
in its own session so that stopping it stops its workers; all of them are stopped at the
end, on an error, on Ctrl+C and on SIGTERM. Needs /usr/sbin/nginx; wrk when on the PATH.)

Content: generate.py (bench/import) writes a WXR file of --posts posts, about ten comments
each, English and Japanese, with categories and tags; a fresh data dir in a temporary folder
is migrated and the file imported with `yamabiko import wxr`. The five pages are chosen by
asking the running blog: the permalink of a post with comments (the first "Comment (N)" link
on the home page), the home page, the category linked most often from the home page, a
search for whichever of a few common words finds the most posts, and the site's RSS feed.
Each must answer 200 before anything is measured.

Configurations, one after the other, each alone on the machine while it is measured:

- cached: `yamabiko serve` (granian, one worker per core) with the page cache warm; every
  page is fetched twice, and the row is noted unless the second says ``X-Yamabiko-Cache: hit``.
- cold: the same with YAMABIKO_PAGE_CACHE=0, so every request renders.
- nginx static: a private nginx (worker_processes = cores, sendfile, keep-alive, no access
  log) serving the bytes the cached server sent, as files at the same paths (the query
  string ignored, so the search page is its file). The ceiling for any Python server.
- nginx + mirror: nginx in front of `yamabiko serve` with YAMABIKO_PAGE_MIRROR=1, configured
  by `yamabiko nginx-config`: it serves the page files Yamabiko writes under <data dir>/mirror
  and passes the rest (the search, with its query string) to the blog.
  A page counts as served from the mirror when the answer has no X-Yamabiko-Cache header
  (nginx answered without asking the blog); the notes say which pages were not. Reported
  "not available" when the command fails or the blog writes no mirror.
- WordPress (--with-wordpress): wordpress_site.py (php-fpm, MariaDB, nginx) with the same
  WXR file.

Load: wrk (-t2 -c32 --latency --timeout 30s) when on the PATH, else loadgen.py (asyncio, 32
keep-alive connections; far slower, so compare numbers only within one tool). For every
page and configuration: a warm-up run (not kept), then --repeats runs of --duration
seconds; the run with the median requests/second is reported, the others kept in the JSON.
Errors are non-2xx/3xx answers plus socket errors (connect, read, write, timeout).

Caveat: the load generator runs on the same cores as the servers it measures (2 on the
reference machine), so every number is "server plus client on the same box". The ratios
between configurations are the result; the absolute numbers only describe this machine.

Results: a Markdown table on stdout, and bench/http/results/<label>.json (label: --label,
else the date).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import quote, unquote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = HERE / "results"
GENERATE = ROOT / "bench" / "import" / "generate.py"
LOADGEN = HERE / "loadgen.py"
WORDPRESS_SITE = HERE / "wordpress_site.py"
NGINX = "/usr/sbin/nginx"

PAGES = ("permalink", "home", "category", "search", "rss")
CACHED, COLD, STATIC, MIRROR, WORDPRESS = (
    "yamabiko cached",
    "yamabiko cold",
    "nginx static",
    "nginx + mirror",
    "wordpress",
)
CACHE_HEADER = "X-Yamabiko-Cache"
# Words generate.py puts in English text often; the search page uses whichever finds most.
SEARCH_CANDIDATES = ("mountain", "river", "morning", "tea", "garden", "server")
CONNECTIONS = 32
THREADS = 2
WRK_TIMEOUT = 30
# The extension a page's file gets in nginx's root, which decides its Content-Type there.
EXTENSIONS = {
    "text/html": "html",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
}
COMMENTED_POST = re.compile(r'href="(/\d{4}/\d{2}/[^"#]+/)#comments"[^>]*>[^<]*\((\d+)\)')
CATEGORY_LINK = re.compile(r'href="(/category/[^"]+/)"')
RESULT_COUNT = re.compile(r"([\d,]+) results?")


class Unavailable(Exception):
    """A configuration that cannot run here; its rows say why instead of holding numbers."""


# --- Child processes ------------------------------------------------------------------------


@dataclass(slots=True)
class Children:
    """Every server this script started, so that all of them stop however it ends."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, command: Sequence[str], *, env: dict[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            # A session of its own: killing the group reaches the server's or nginx's workers,
            # and Ctrl+C in the terminal reaches only this script, which then stops them.
            process = subprocess.Popen(  # noqa: S603 - fixed commands built by this script
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()
        # Workers that outlived their parent would keep the session's group alive.
        signal_group(process, signal.SIGKILL)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.processes)):
            self.stop(process)


def signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl+C, so the `finally` that stops the servers runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_quietly(command: Sequence[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(  # noqa: S603 - fixed commands built by this script
            command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} … failed (exit {done.returncode}); see {log}")


# --- HTTP --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def cache(self) -> str:
        return self.headers.get(CACHE_HEADER.lower(), "")


# No proxy from the environment may stand between this script and 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 30.0) -> Answer:
    try:
        with OPENER.open(url, timeout=timeout) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Answer(status=response.status, headers=headers, body=response.read())
    except urllib.error.HTTPError as error:
        headers = {k.lower(): v for k, v in error.headers.items()}
        return Answer(status=error.code, headers=headers, body=error.read())


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}) before answering; see {log}")
        try:
            http_get(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {timeout:.0f} s; see {log}")


# --- The blog ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Blog:
    wxr: Path
    data_dir: Path
    env: dict[str, str]
    yamabiko: Path
    logs: Path


def blog_build(*, work: Path, posts: int, yamabiko: Path, site_port: int) -> Blog:
    """A WXR file of ``posts`` posts, imported into a fresh data dir."""
    logs = work / "logs"
    logs.mkdir()
    wxr = work / "blog.wordpress.xml"
    data_dir = work / "data"
    env = dict(os.environ, YAMABIKO_DATA_DIR=str(data_dir),
               YAMABIKO_SITE_URL=f"http://127.0.0.1:{site_port}/")  # fmt: skip
    for name in ("YAMABIKO_DEBUG", "YAMABIKO_PAGE_CACHE", "YAMABIKO_PAGE_MIRROR", "DATABASE_URL",
                 "REDIS_URL", "YAMABIKO_ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"):  # fmt: skip
        env.pop(name, None)
    print(f"generating {posts} posts, migrating, importing …", file=sys.stderr, flush=True)
    python = str(yamabiko.parent / "python")
    run_quietly(
        [python, str(GENERATE), "--posts", str(posts), "-o", str(wxr)], env, logs / "setup.log"
    )
    run_quietly([str(yamabiko), "manage", "migrate", "--no-input"], env, logs / "setup.log")
    run_quietly([str(yamabiko), "import", "wxr", str(wxr)], env, logs / "setup.log")
    return Blog(wxr=wxr, data_dir=data_dir, env=env, yamabiko=yamabiko, logs=logs)


@contextmanager
def yamabiko_serving(
    children: Children, blog: Blog, port: int, *, name: str, **extra_env: str
) -> Iterator[str]:
    """`yamabiko serve` on ``port`` with ``extra_env``; yields its base URL."""
    log = blog.logs / f"{name}.log"
    env = dict(blog.env, **extra_env)
    process = children.start([str(blog.yamabiko), "serve", "--port", str(port)], env=env, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/robots.txt", process, log)
        yield base
    finally:
        children.stop(process)


def pages_choose(base: str) -> dict[str, str]:
    """The five measured paths, found by reading the blog's own pages."""
    home = http_get(base + "/").body.decode()
    commented = [m.group(1) for m in COMMENTED_POST.finditer(home) if int(m.group(2)) > 0]
    categories = Counter(CATEGORY_LINK.findall(home))
    if not commented or not categories:
        raise SystemExit("the home page links no commented post or no category; is it empty?")
    return {
        "permalink": commented[0],
        "home": "/",
        "category": categories.most_common(1)[0][0],
        "search": "/search/?q=" + quote(search_word(base)),
        "rss": "/feed/",
    }


def search_word(base: str) -> str:
    def hits(word: str) -> int:
        found = RESULT_COUNT.search(http_get(f"{base}/search/?q={quote(word)}").body.decode())
        return int(found.group(1).replace(",", "")) if found else 0

    return max(SEARCH_CANDIDATES, key=hits)


def pages_check(base: str, pages: dict[str, str]) -> dict[str, Answer]:
    answers = {page: http_get(base + path) for page, path in pages.items()}
    failing = {page: a.status for page, a in answers.items() if a.status != 200}
    if failing:
        raise SystemExit(f"pages that do not answer 200 at {base}: {failing}")
    return answers


# --- nginx -------------------------------------------------------------------------------


def nginx_config(prefix: Path, site_config: str) -> str:
    """A whole nginx.conf that keeps every file it writes below ``prefix``."""
    workers = os.cpu_count() or 1
    # Run as root, nginx's workers would become nobody, who cannot read a 0700 temp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    types {{ text/html html; application/rss+xml rss; application/atom+xml atom; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html application/rss+xml application/atom+xml;
{temp}
{site_config}
}}
"""


def static_site_config(*, root: Path, port: int) -> str:
    # try_files looks at $uri, the path without its query string: /search/?q=… is one file.
    return f"""    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri/index.html $uri/index.rss $uri/index.atom =404; }}
    }}"""


def mirror_site_config(blog: Blog, *, port: int, app_port: int) -> str:
    """What `yamabiko nginx-config` prints for nginx on ``port`` in front of ``app_port``.

    The blog's own generator, so the benchmark measures the configuration users deploy:
    its maps send only what the page cache would answer (GET or HEAD, no query string, no
    personal cookie) to the mirror's files, and everything else to the blog.
    """
    command = [str(blog.yamabiko), "nginx-config", "--listen", f"127.0.0.1:{port}",
               "--upstream", f"127.0.0.1:{app_port}"]  # fmt: skip
    env = dict(blog.env, YAMABIKO_PAGE_MIRROR="1")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise Unavailable(f"`yamabiko nginx-config` failed: {done.stderr.strip()[-200:]}")
    return done.stdout


@contextmanager
def nginx_serving(children: Children, prefix: Path, site_config: str, port: int) -> Iterator[str]:
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(prefix, site_config))
    log = prefix / "stdout.log"
    command = [NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"]
    process = children.start(command, env=dict(os.environ), log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", process, prefix / "error.log")
        yield base
    finally:
        children.stop(process)


def static_root_write(root: Path, pages: dict[str, str], answers: dict[str, Answer]) -> None:
    """Each page's body as <root><decoded path>/index.<ext>, where nginx's $uri finds it."""
    for page, path in pages.items():
        answer = answers[page]
        extension = EXTENSIONS.get(answer.content_type)
        if extension is None:
            raise SystemExit(f"{page} is {answer.content_type}; no file extension for it")
        folder = root / unquote(urlsplit(path).path).strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"index.{extension}").write_bytes(answer.body)


# --- Load --------------------------------------------------------------------------------

WRK_DURATION = re.compile(r"([\d.]+)(us|ms|s|m|h)\b")
WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def wrk_milliseconds(text: str) -> float:
    found = WRK_DURATION.fullmatch(text.strip())
    if not found:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * WRK_UNITS[found.group(2)]


def wrk_parse(output: str) -> dict[str, object]:
    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    def latency(percent: int) -> float:
        found = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.MULTILINE)
        return wrk_milliseconds(found.group(1)) if found else 0.0

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    counts = [int(n) for n in socket_errors.groups()] if socket_errors else []
    socket = dict(zip(("connect", "read", "write", "timeout")[: len(counts)], counts, strict=True))
    non_success = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    return {
        "tool": "wrk",
        "seconds": number(r"requests in ([\d.]+)s"),
        "requests": int(number(r"(\d+) requests in")),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "errors": non_success + sum(socket.values()),
        "error_detail": {"non_2xx_3xx": non_success, "socket": socket},
    }


def load_once(url: str, seconds: float, *, python_only: bool = False) -> dict[str, object]:
    wrk = None if python_only else shutil.which("wrk")
    if wrk:
        # wrk's own 2 s timeout would count WordPress's slow answers as errors, not latency.
        command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout",
                   f"{WRK_TIMEOUT}s", "--latency", url]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        return wrk_parse(done.stdout)
    command = [sys.executable, str(LOADGEN), url, "--connections", str(CONNECTIONS),
               "--duration", str(seconds)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    result: dict[str, object] = json.loads(done.stdout)
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    duration: float
    warmup: float
    repeats: int
    python_only: bool = False  # loadgen.py even where wrk is installed


def rps_of(result: dict[str, object]) -> float:
    value = result["rps"]
    return float(value) if isinstance(value, int | float) else 0.0


def load_measure(url: str, plan: Plan) -> dict[str, object]:
    """The median run by requests/second, with every run kept under "runs"."""
    if plan.warmup > 0:
        load_once(url, plan.warmup, python_only=plan.python_only)
    runs = sorted(
        (load_once(url, plan.duration, python_only=plan.python_only) for _ in range(plan.repeats)),
        key=rps_of,
    )
    median = runs[(len(runs) - 1) // 2]
    return {**median, "runs": [rps_of(run) for run in runs]}


# --- Configurations ----------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class Row:
    page: str
    configuration: str
    url: str = ""
    result: dict[str, object] = field(default_factory=dict)
    note: str = ""


@dataclass(slots=True, kw_only=True)
class Bench:
    children: Children
    blog: Blog
    plan: Plan
    work: Path
    pages: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def measure(self, configuration: str, urls: dict[str, str], notes: dict[str, str]) -> None:
        for page, url in urls.items():
            print(f"  {configuration}: {page} {url}", file=sys.stderr, flush=True)
            result = load_measure(url, self.plan)
            row = Row(page=page, configuration=configuration, url=url, result=result,
                      note=notes.get(page, ""))  # fmt: skip
            self.rows.append(row)

    def unavailable(self, configuration: str, why: str) -> None:
        print(f"  {configuration}: not available: {why}", file=sys.stderr, flush=True)
        self.rows += [Row(page=p, configuration=configuration, note=why) for p in PAGES]


def run_cached(bench: Bench, port: int) -> None:
    """Chooses the pages too, and keeps the bodies the static row serves."""
    with yamabiko_serving(bench.children, bench.blog, port, name="cached") as base:
        bench.pages = pages_choose(base)
        pages_check(base, bench.pages)  # the first fetch fills the cache
        bench.answers = pages_check(base, bench.pages)
        cold = {page: "cache not warm" for page, a in bench.answers.items() if a.cache != "hit"}
        bench.measure(CACHED, urls_of(base, bench.pages), cold)


def run_cold(bench: Bench) -> None:
    with yamabiko_serving(bench.children, bench.blog, free_port(), name="cold",
                          YAMABIKO_PAGE_CACHE="0") as base:  # fmt: skip
        answers = pages_check(base, bench.pages)
        cached = {page: f"cache says {a.cache}" for page, a in answers.items() if a.cache}
        bench.measure(COLD, urls_of(base, bench.pages), cached)


def run_static(bench: Bench) -> None:
    prefix = bench.work / "nginx-static"
    root = prefix / "root"
    static_root_write(root, bench.pages, bench.answers)
    port = free_port()
    with nginx_serving(
        bench.children, prefix, static_site_config(root=root, port=port), port
    ) as base:
        answers = pages_check(base, bench.pages)
        differ = {
            page: "body differs from Yamabiko's"
            for page, a in answers.items()
            if a.body != bench.answers[page].body
        }
        bench.measure(STATIC, urls_of(base, bench.pages), differ)


def run_mirror(bench: Bench) -> None:
    app_port, port = free_port(), free_port()
    prefix = bench.work / "nginx-mirror"
    try:
        block = mirror_site_config(bench.blog, port=port, app_port=app_port)
    except Unavailable as why:
        bench.unavailable(MIRROR, str(why))
        return
    with (
        yamabiko_serving(bench.children, bench.blog, app_port, name="mirror-app",
                         YAMABIKO_PAGE_MIRROR="1"),
        nginx_serving(bench.children, prefix, block, port) as base,
    ):  # fmt: skip
        pages_check(base, bench.pages)  # the blog renders, caches and mirrors each page
        answers = pages_check(base, bench.pages)
        if not (bench.blog.data_dir / "mirror").is_dir():
            bench.unavailable(MIRROR, "the blog wrote no mirror (YAMABIKO_PAGE_MIRROR ignored)")
            return
        # An answer that passed through the blog carries its cache header; nginx's own do not.
        proxied = {
            page: "passed to the blog: " + (a.cache or "?")
            for page, a in answers.items()
            if a.cache
        }
        bench.measure(MIRROR, urls_of(base, bench.pages), proxied)


def run_wordpress(bench: Bench) -> None:
    sys.path.insert(0, str(HERE))
    from wordpress_site import WordPressSite

    # Not below bench.work: php-fpm's and nginx's workers run as www-data and must traverse
    # every directory above their socket, and the temporary folder above is private (0700).
    with tempfile.TemporaryDirectory(prefix="yamabiko-bench-wp-") as folder:
        workdir = Path(folder)
        workdir.chmod(0o755)
        print("setting up WordPress …", file=sys.stderr, flush=True)
        try:
            site = WordPressSite.start(bench.blog.wxr, free_port(), workdir)
        except Exception as error:  # another module's failure becomes a row, not a crash
            bench.unavailable(WORDPRESS, f"set-up failed: {str(error)[:200]}")
            return
        try:
            urls: dict[str, str] = dict(site.urls)
            statuses = {page: http_get(url).status for page, url in urls.items()}
            notes = {page: f"answered {code}" for page, code in statuses.items() if code != 200}
            bench.measure(WORDPRESS, {page: urls[page] for page in PAGES if page in urls}, notes)
        finally:
            site.stop()


def urls_of(base: str, pages: dict[str, str]) -> dict[str, str]:
    return {page: base + path for page, path in pages.items()}


# --- Report ------------------------------------------------------------------------------


def machine(yamabiko: Path, *, python_only: bool = False) -> dict[str, object]:
    cpu, memory = "unknown", "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": command_output([str(yamabiko.parent / "python"), "--version"]),
        "nginx": command_output([NGINX, "-v"]),
        "load_generator": "loadgen.py (asyncio)"
        if python_only or not shutil.which("wrk")
        else command_output(["wrk", "-v"]).split(" [")[0],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def command_output(command: Sequence[str]) -> str:
    # nginx -v writes to stderr and wrk -v exits 1: take the first line of either stream.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout or done.stderr else ""


def cell(result: dict[str, object], key: str, fmt: str) -> str:
    value = result.get(key)
    return format(value, fmt) if isinstance(value, int | float) else ""


def table(rows: list[Row]) -> str:
    lines = ["| page | configuration | rps | p50 ms | p99 ms | errors | note |",
             "|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for row in sorted(rows, key=lambda r: PAGES.index(r.page)):
        r = row.result
        lines.append(
            f"| {row.page} | {row.configuration} | {cell(r, 'rps', ',.0f')} "
            f"| {cell(r, 'p50_ms', '.2f')} | {cell(r, 'p99_ms', '.2f')} "
            f"| {cell(r, 'errors', 'd')} | {row.note} |"
        )
    return "\n".join(lines)


RATIOS: tuple[tuple[str, str, str], ...] = (
    ("cached / nginx static", CACHED, STATIC),
    ("mirror / nginx static", MIRROR, STATIC),
    ("cold / WordPress", COLD, WORDPRESS),
)


def ratios(rows: list[Row]) -> dict[str, dict[str, float | None]]:
    rps = {(row.page, row.configuration): rps_of(row.result) for row in rows if row.result}

    def ratio(page: str, over: str, under: str) -> float | None:
        top, bottom = rps.get((page, over)), rps.get((page, under))
        return top / bottom if top and bottom else None

    return {
        page: {name: ratio(page, over, under) for name, over, under in RATIOS} for page in PAGES
    }


def ratio_table(found: dict[str, dict[str, float | None]]) -> str:
    names = [name for name, _, _ in RATIOS]
    lines = ["| page | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for page, values in found.items():
        shown = [f"{v:.2f}" if v is not None else "n/a" for v in values.values()]
        lines.append(f"| {page} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


# --- Main --------------------------------------------------------------------------------


def arguments_parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=200, help="posts in the blog (200)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds a run (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up (2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs a measurement (3)")
    parser.add_argument("--quick", action="store_true", help="3 s x 1 run, 1 s warm-up")
    parser.add_argument("--with-wordpress", action="store_true",
                        help="also measure WordPress (needs wordpress_site.py)")  # fmt: skip
    parser.add_argument("--only", action="append", choices=[CACHED, COLD, STATIC, MIRROR],
                        help="only this one (may repeat); cached runs always")  # fmt: skip
    parser.add_argument("--loadgen", action="store_true", help="use loadgen.py, not wrk")
    parser.add_argument("--label", help="results file name (default: the date and time)")
    parser.add_argument("--yamabiko", type=Path, default=ROOT / ".venv" / "bin" / "yamabiko",
                        help="the yamabiko command to run (the checkout's .venv)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    return parser.parse_args(argv)


def plan_of(arguments: argparse.Namespace) -> Plan:
    if arguments.quick:
        return Plan(duration=3.0, warmup=1.0, repeats=1, python_only=arguments.loadgen)
    return Plan(duration=arguments.duration, warmup=arguments.warmup, repeats=arguments.repeats,
                python_only=arguments.loadgen)  # fmt: skip


def bench_run(arguments: argparse.Namespace, work: Path, children: Children) -> Bench:
    site_port = free_port()
    blog = blog_build(work=work, posts=arguments.posts, yamabiko=arguments.yamabiko,
                      site_port=site_port)  # fmt: skip
    bench = Bench(children=children, blog=blog, plan=plan_of(arguments), work=work)
    run_cached(bench, site_port)
    wanted = set(arguments.only or [COLD, STATIC, MIRROR])
    steps: list[tuple[str, Callable[[Bench], None]]] = [
        (COLD, run_cold), (STATIC, run_static), (MIRROR, run_mirror)
    ]  # fmt: skip
    for name, step in steps:
        if name in wanted:
            step(bench)
    if arguments.with_wordpress:
        run_wordpress(bench)
    return bench


def main(argv: Sequence[str] | None = None) -> int:
    arguments = arguments_parse(argv)
    if arguments.with_wordpress and not WORDPRESS_SITE.exists():
        print(f"--with-wordpress needs {WORDPRESS_SITE}, which is missing", file=sys.stderr)
        return 2
    if not arguments.yamabiko.exists():
        print(
            f"{arguments.yamabiko} is missing; pass --yamabiko or run ./dev first", file=sys.stderr
        )
        return 2
    stop_on_sigterm()
    facts = machine(arguments.yamabiko, python_only=arguments.loadgen)
    with ExitStack() as stack:
        if arguments.keep:
            work = arguments.keep
            work.mkdir(parents=True, exist_ok=False)
        else:
            work = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="yamabiko-bench-http-"))
            )
        children = Children()
        stack.callback(children.stop_all)
        bench = bench_run(arguments, work, children)
    found = ratios(bench.rows)
    print(f"\n{facts}\n")
    print(f"pages: {bench.pages}\n")
    print(table(bench.rows))
    print()
    print(ratio_table(found))
    RESULTS.mkdir(exist_ok=True)
    label = arguments.label or datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    result = {
        "machine": facts,
        "plan": asdict(bench.plan),
        "posts": arguments.posts,
        "connections": CONNECTIONS,
        "pages": bench.pages,
        "rows": [asdict(row) for row in bench.rows],
        "ratios": found,
    }
    path = RESULTS / f"{label}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


def main_run(main: Callable[[], int]) -> None:
    """Exit with ``main``'s status; on Ctrl+C, say that every server is stopped anyway.

    The servers were stopped on the way out (main's ExitStack), so there is nothing to show.
    """
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; every server this run started is stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main_run(main)
