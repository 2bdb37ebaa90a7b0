"""Fresh databases for subprocess servers that must use the vendor the suite runs on.

A live `yamabiko serve` in a test gets SQLite in its own data dir when the suite runs on
SQLite, and a brand-new PostgreSQL database on the suite's server when it runs on
PostgreSQL, dropped afterwards whatever happened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql


def server_params() -> dict[str, str]:
    """How to reach the suite's PostgreSQL server, as psycopg keywords (no database)."""
    database = settings.DATABASES["default"]
    params = {key: str(database.get(key.upper()) or "") for key in ("host", "port", "user")}
    params["password"] = str(database.get("PASSWORD") or "")
    return {key: value for key, value in params.items() if value}


def database_drop(name: str) -> None:
    with psycopg.connect(**server_params(), dbname="postgres", autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def database_url(name: str) -> str:
    params = server_params()
    userinfo = quote(params.get("user", ""), safe="")
    if "password" in params:
        userinfo += ":" + quote(params["password"], safe="")
    port = f":{params['port']}" if "port" in params else ""
    return f"postgres://{userinfo}@{params.get('host', '')}{port}/{name}"


@contextmanager
def live_databases(*labels: str) -> Iterator[list[str | None]]:
    """A DATABASE_URL per label: None on SQLite, else a new database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield [None for _ in labels]
        return
    assert connection.vendor == "postgresql", f"no live-server set-up for {connection.vendor}"
    names = [f"yamabiko_live_{label}_{os.getpid()}" for label in labels]
    try:
        for name in names:
            database_drop(name)  # a leftover of a killed run with the same pid
            with psycopg.connect(**server_params(), dbname="postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield [database_url(name) for name in names]
    finally:
        for name in names:
            database_drop(name)
