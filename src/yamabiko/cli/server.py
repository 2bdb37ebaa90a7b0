"""`yamabiko serve` and `yamabiko worker`: the production web server and the task worker.

`serve` runs granian, a Rust HTTP server, in this process as its supervisor, with our
WSGI application in each worker. Chosen by measurement (bench/http, servers.py): on a
page-cache hit, where the Python side is a few tens of microseconds, granian answered 2.4
times the requests of gunicorn's sync workers and 2.0 times its threaded ones, since it
keeps connections alive and parses and writes in Rust. The supervisor never loads Django:
migrating and collecting static files happen in a short-lived child process, and each
worker imports the application itself. That is what makes SIGHUP a real reload: the new
workers import the code and read the environment as they are on disk now.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import click
from granian.constants import Interfaces
from granian.server import Server as Granian

from yamabiko.cli.base import database_check, django_setup, with_blog
from yamabiko.core.exceptions import YamabikoError

# Combined Log Format as nginx and Apache write it (granian does not count the bytes sent,
# so that field is "-", and the time is ISO-like), then the milliseconds the request took.
ACCESS_LOG_FORMAT = (
    '%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d - '
    '"%(header{referer})s" "%(header{user-agent})s" %(dt_ms).0f'
)
# The server's own messages go to stderr, the access log (when asked for) to stdout.
LOG_CONFIG: dict[str, object] = {
    "handlers": {
        "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
        "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
    },
}  # fmt: skip
# Requests still running when a stop or reload begins get this long to finish.
GRACEFUL_SECONDS = 30
# Run by `serve` before the first worker and again on every SIGHUP, in a fresh interpreter.
PREPARE_CODE = "from yamabiko.cli.server import prepare_main; prepare_main()"


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity, not the machine's total.

    A container or `taskset` limits the affinity; starting a worker per core of the whole
    machine there would only make workers queue for the same few cores.
    """
    if sys.version_info >= (3, 13):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers() -> int:
    # One worker per usable core: rendering a page is CPU work, and most public pages
    # are answered from the page cache, so more processes than cores would mostly add
    # memory and database connections, not throughput. Measured otherwise, say --workers.
    return usable_cores()


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def site_url_default(host: str, port: int) -> None:
    """Without YAMABIKO_SITE_URL, absolute links name the address actually served.

    Called before Django reads the configuration, so every process started from here
    (server workers, the demo's task worker) inherits it.
    """
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - comparing
    os.environ.setdefault("YAMABIKO_SITE_URL", f"http://{bind_address(shown, port)}")


def port_check(host: str, port: int) -> None:
    """Fail in one line now rather than with the server's own noisy error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise YamabikoError(
                f"cannot listen on {bind_address(host, port)}: {error.strerror or error}; "
                "choose another --port or --host"
            ) from error


def site_prepare() -> None:
    """What a server needs before its first request: a migrated database and static files."""
    from django.core.management import call_command

    django_setup()
    database_check(migrate=True)
    # The manifest storage serves only what collectstatic wrote, under hashed names.
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare_main() -> None:
    """Entry point of the preparing child: site_prepare, errors as one line on stderr."""
    try:
        site_prepare()
    except YamabikoError as error:
        print(error, file=sys.stderr)
        sys.exit(1)


def site_prepare_in_child() -> None:
    """site_prepare in a fresh interpreter, so this process never imports Django.

    Raises YamabikoError with the child's own one-line message if it fails.
    """
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", PREPARE_CODE],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return
    lines = done.stderr.strip().splitlines()
    if len(lines) == 1:
        raise YamabikoError(lines[0])
    # Anything longer is a crash, a bug: show it whole rather than hide the traceback.
    sys.stderr.write(done.stderr)
    raise YamabikoError(f"preparing the site failed (exit {done.returncode}); see above")


def prepare_on_reload() -> None:
    """granian's reload hook: migrate and collect static files for the new code.

    It runs while the old workers still serve. A failure is logged and the reload goes on,
    with the error naming what to fix.
    """
    try:
        site_prepare_in_child()
    except YamabikoError as error:
        print(f"preparing the site for the reload failed: {error}", file=sys.stderr)


def site_serve(*, host: str, port: int, workers: int, access_log: bool = True) -> None:
    """Serve in the foreground until stopped (Ctrl+C or SIGTERM; SIGHUP reloads)."""
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        # Forked workers must not share the sockets the demo's set-up opened.
        connections.close_all()
    server = Granian(
        "yamabiko.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        log_dictconfig=LOG_CONFIG,
        log_access=access_log,
        log_access_format=ACCESS_LOG_FORMAT,
        # One request in Python at a time per worker, as rendering is CPU work under the
        # GIL; granian's own threads keep reading and writing the other connections.
        blocking_threads=1,
        workers_kill_timeout=GRACEFUL_SECONDS,
    )
    server.on_reload(prepare_on_reload)
    server.serve()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Web worker processes (default: the number of usable CPU cores).",
)
@click.option(
    "--access-log",
    is_flag=True,
    help="Write one line per request to stdout (Combined Log Format plus milliseconds).",
)
def serve(*, host: str, port: int, workers: int | None, access_log: bool) -> None:
    """Serve the blog with granian (migrates the database first if needed).

    SIGHUP reloads: new workers start with the code and environment on disk, the old ones
    finish their requests. SIGTERM stops gracefully. Run `yamabiko worker` beside it to
    send and verify pings.
    """
    port_check(host, port)
    site_url_default(host, port)
    site_prepare_in_child()
    site_serve(host=host, port=port, workers=workers or default_workers(), access_log=access_log)


@click.command()
@click.option("--batch", is_flag=True, help="Run the tasks waiting now, then exit.")
@with_blog
def worker(*, batch: bool) -> None:
    """Run background tasks (sending and verifying pings) until stopped.

    With YAMABIKO_PAGE_MIRROR=1 it also keeps the page mirror in step with the clock
    (scheduled posts going live); --batch does that once.
    """
    from django.conf import settings
    from django.core.management import call_command

    from yamabiko.pagecache.mirror import clock_start, keep_time

    if settings.YAMABIKO_PAGE_MIRROR:
        if batch:
            keep_time()
        else:
            clock_start()
    call_command("db_worker", batch=batch)
