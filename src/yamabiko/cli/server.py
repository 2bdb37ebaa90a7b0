"""`yamabiko serve` and `yamabiko worker`: the production web server and the task worker."""

from __future__ import annotations

import os
import socket

import click
from gunicorn.app.base import BaseApplication

from yamabiko.cli.base import blog_time, database_check, django_setup, with_blog
from yamabiko.core.exceptions import YamabikoError


def default_workers() -> int:
    # Gunicorn's rule of thumb for its sync workers: two per core plus one, so a core never
    # idles while a worker waits on the database or a slow client. Capped at 8 because each
    # worker is a whole Django process with its own memory and database connection, and a
    # blog on SQLite gains nothing from more processes queueing for the one write lock.
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class WsgiServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn run in-process, configured from our options rather than its command line."""

    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        from yamabiko.wsgi import application

        return application


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def site_url_default(host: str, port: int) -> None:
    """Without YAMABIKO_SITE_URL, absolute links name the address actually served.

    Called before Django reads the configuration, so every process started from here
    (gunicorn workers, the demo's task worker) inherits it.
    """
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - comparing
    os.environ.setdefault("YAMABIKO_SITE_URL", f"http://{bind_address(shown, port)}")


def port_check(host: str, port: int) -> None:
    """Fail in one line now rather than after gunicorn's five noisy retries."""
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


def site_serve(*, host: str, port: int, workers: int) -> None:
    """Serve in the foreground until stopped (Ctrl+C or SIGTERM)."""
    from django.db import connections

    # Forked workers must not share the sockets the checks above opened.
    connections.close_all()
    WsgiServer(
        {
            "bind": [bind_address(host, port)],
            "workers": workers,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "yamabiko",
            # The default control socket is one path per user ($HOME/.gunicorn), so a second
            # server on the same machine would fight over it; nothing of ours uses it.
            "control_socket_disable": True,
        }
    ).run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Web worker processes (default: 2 × CPUs + 1, at most 8).",
)
def serve(*, host: str, port: int, workers: int | None) -> None:
    """Serve the blog with gunicorn (migrates the database first if needed).

    Run `yamabiko worker` beside it to send and verify pings.
    """
    port_check(host, port)
    site_url_default(host, port)
    site_prepare()
    with blog_time():
        site_serve(host=host, port=port, workers=workers or default_workers())


@click.command()
@click.option("--batch", is_flag=True, help="Run the tasks waiting now, then exit.")
@with_blog
def worker(*, batch: bool) -> None:
    """Run background tasks (sending and verifying pings) until stopped."""
    from django.core.management import call_command

    call_command("db_worker", batch=batch)
