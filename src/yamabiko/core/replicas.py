"""Sending reads to PostgreSQL read replicas, and everything else to the primary.

YAMABIKO_DATABASE_REPLICAS adds the aliases ``replica1``, ``replica2``, … beside
``default`` (the primary), and settings.py installs ``ReplicaRouter`` when it is set.

A replica lags behind its primary, so a read there may not yet show a write just made.
The router sends a read to the primary whenever that would be visible:

- inside a transaction (``atomic``) on the primary, where the read must see the
  transaction's own uncommitted rows and any lock it holds;
- after the current request (or, outside requests, the current context: a CLI command,
  the task worker) has written anything: read-your-writes, so a comment posted or a
  setting saved shows up on the page that follows in the same request;
- for the models of a few apps whose rows coordinate processes across requests, always
  (``PRIMARY_APPS``): the task queue, whose rows workers claim under row locks and must
  never see as still waiting on a lagging copy; sessions, written by a login in one request
  and read by the next, where the per-request mark no longer holds; and the page cache's
  generation, which promises that a change shows at once.

Everything else goes to a replica picked at random, which spreads the load without any
shared state between processes. Writes and migrations always go to the primary.

The "has written" mark is a context variable, set when the primary runs a statement that
is not a read (INSERT, UPDATE, DELETE, DDL, or anything unrecognized: when unsure, pin).
It is deliberately not set in ``db_for_write``: Django asks that for reads too, such as the
SELECT of ``get_or_create``, and ``Blog.load()`` (run by BlogMiddleware on every request)
is one, so every request would be pinned to the primary and the replicas would idle.

The mark is cleared by a ``request_started`` receiver rather than by a middleware: Django
sends the signal before any middleware runs, so no query of a request made by Django runs
with the previous request's mark, whatever the order of MIDDLEWARE. (The page cache's WSGI
layer, which runs before Django, reads only its generation, on the primary anyway.) Each
thread and each asyncio task has its own
context, so one request's writes never pin another's reads. Outside requests (a CLI
command, the task worker) nothing clears it: after its first write, a process reads from
the primary.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

__all__ = [
    "PRIMARY",
    "PRIMARY_APPS",
    "ReplicaRouter",
    "is_read_statement",
    "read_alias",
    "replica_aliases",
    "wrote_reset",
]

PRIMARY = DEFAULT_DB_ALIAS
REPLICA_ALIAS = re.compile(r"replica\d+")
PRIMARY_APPS = frozenset({"django_tasks_database", "sessions", "pagecache"})
# Statements that change no data. SAVEPOINT and its kin only occur inside transactions,
# whose reads go to the primary anyway.
READ_KEYWORDS = frozenset({"SELECT", "SHOW", "EXPLAIN", "SET", "SAVEPOINT", "RELEASE", "ROLLBACK"})

# Whether this request (or context) has written through the router; see the docstring.
wrote: ContextVar[bool] = ContextVar("yamabiko_database_wrote", default=False)


def replica_aliases() -> list[str]:
    """The replica aliases configured now (read at call time, as settings may change)."""
    return [alias for alias in settings.DATABASES if REPLICA_ALIAS.fullmatch(alias)]


def read_alias(
    *,
    replicas: Sequence[str],
    in_transaction: bool,
    has_written: bool,
    choose: Callable[[Sequence[str]], str] = random.choice,
) -> str:
    """Where a read goes: the pure rule, over aliases and two facts about the moment."""
    if not replicas or in_transaction or has_written:
        return PRIMARY
    return choose(replicas)


def is_read_statement(sql: str) -> bool:
    """Whether a statement surely changes nothing (a SELECT, not an INSERT … SELECT)."""
    words = sql.lstrip(" \t\n(").split(None, 1)
    return bool(words) and words[0].upper() in READ_KEYWORDS


def mark_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Execute wrapper on the primary: a statement that may write pins later reads."""
    if not is_read_statement(sql):
        wrote.set(True)
    return execute(sql, params, many, context)


def primary_marking_ensure(connection: BaseDatabaseWrapper) -> None:
    # Inserted first, not appended: Django's own ``execute_wrapper()`` context manager pops
    # the last wrapper on exit, which must stay the one it pushed.
    if mark_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, mark_writes)


def wrote_reset(**_: object) -> None:
    """A new request starts with no writes of its own (``request_started`` receiver)."""
    wrote.set(False)


class ReplicaRouter:
    """Django database router: reads to a replica when safe, all else to the primary.

    ``replicas`` fixes the replica aliases (for tests); by default they are read from
    settings.DATABASES on each call.
    """

    def __init__(self, replicas: Sequence[str] | None = None) -> None:
        self.replicas = replicas
        # Connected here, once per router: settings.py lists this router only when
        # replicas are configured, so installs without them pay nothing per request.
        request_started.connect(wrote_reset, dispatch_uid="yamabiko.core.replicas.wrote_reset")

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        primary = connections[PRIMARY]
        primary_marking_ensure(primary)
        if model._meta.app_label in PRIMARY_APPS:
            return PRIMARY
        return read_alias(
            replicas=self.replicas if self.replicas is not None else replica_aliases(),
            in_transaction=primary.in_atomic_block,
            has_written=wrote.get(),
        )

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        # Connections are per thread, so the wrapper is checked for on each one used.
        primary_marking_ensure(connections[PRIMARY])
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        # Every alias is the same database, reached through another server.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: object
    ) -> bool:
        # A replica receives the schema by replication; migrating it directly would fail.
        return db == PRIMARY
