"""What every command shares: one-line errors, lazy Django set-up, the database check.

Django is only set up inside a command's body, so ``--help`` of every command works
without reading the environment, creating a data dir or opening a database.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click

from yamabiko.core.exceptions import ConfigurationError, YamabikoError


def one_line(text: str) -> str:
    """Database drivers and Django put newlines and tabs in messages; a CLI error is one line.

    Each line but the last becomes a sentence, so "refused\\n\\tIs the server running?"
    reads "refused. Is the server running?".
    """
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    ended = [
        line if line.endswith((".", ":", ";", "!", "?")) else f"{line}." for line in lines[:-1]
    ]
    return " ".join([*ended, *lines[-1:]])


class Failure(click.ClickException):
    """An error the user can act on, shown as one red line on stderr."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))

    def show(self, file: IO[Any] | None = None) -> None:
        click.secho(f"Error: {self.message}", file=file, err=True, fg="red")


class UsageFailure(Failure):
    """Bad options or arguments: click's own message, on one line, with exit code 2."""

    exit_code = 2


class YamabikoGroup(click.Group):
    """The root group: turns every expected failure below it into a ``Failure``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            raise usage_failure(error) from error

    def invoke(self, ctx: click.Context) -> Any:
        # Imported here so `yamabiko --help` stays fast; importing them reads no settings.
        from django.core.management import CommandError
        from django.db import InterfaceError, OperationalError

        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except Failure:
            raise
        except click.UsageError as error:
            raise usage_failure(error) from error
        except YamabikoError as error:
            raise Failure(str(error)) from error
        except CommandError as error:
            raise Failure(str(error)) from error
        except (OperationalError, InterfaceError) as error:
            raise Failure(f"database error at {database_label()}: {error}") from error


def usage_failure(error: click.UsageError) -> UsageFailure:
    hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    return UsageFailure(f"{error.format_message()}{hint}")


def django_setup() -> None:
    """Set Django up once per process; reading the settings validates the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit to print in an error message."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    netloc = parts.netloc
    if at and ":" in userinfo:
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    query = urlencode(
        [
            (key, "***" if key.lower() == "password" else value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def database_label() -> str:
    from yamabiko.config import get_config

    return masked_url(get_config().database_url)


def database_check(*, migrate: bool) -> None:
    """Stop with one line when the database cannot be reached or is not migrated.

    ``migrate`` applies missing migrations instead of refusing (servers do; commands that
    only read or write content ask the user to, so a wrong DATABASE_URL is not filled
    with tables by accident).
    """
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except (OperationalError, InterfaceError) as error:
        raise ConfigurationError(
            f"cannot reach the database at {database_label()}: {one_line(str(error))}; "
            "check DATABASE_URL"
        ) from error
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    if not migrate:
        raise YamabikoError(
            f"the database at {database_label()} has {len(pending)} unapplied migrations; "
            "run `yamabiko manage migrate` first (serve and demo migrate by themselves)"
        )
    call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def blog_time() -> Iterator[None]:
    """Work in the blog's timezone: permalinks and naive dates are computed in it.

    ``override`` rather than ``activate`` so the zone does not outlive the command (tests
    run many commands in one process).
    """
    from django.utils import timezone

    from yamabiko.posts.models import Blog

    with timezone.override(Blog.load().zone):
        yield


def with_blog[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run a command body with Django set up, the database checked and the blog's zone on."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        django_setup()
        database_check(migrate=False)
        with blog_time():
            return func(*args, **kwargs)

    return wrapper
