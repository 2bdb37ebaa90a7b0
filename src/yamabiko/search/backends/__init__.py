"""Search backends, one per database vendor; ``backend_for`` picks the connection's."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from yamabiko.core.exceptions import ConfigurationError
from yamabiko.search.backends.base import Criteria, Hit, Order, SearchBackend
from yamabiko.search.backends.postgres import PostgresBackend
from yamabiko.search.backends.sqlite import SqliteBackend

__all__ = ["BACKENDS", "Criteria", "Hit", "Order", "SearchBackend", "backend_for"]

BACKENDS: dict[str, type[SearchBackend]] = {
    backend.vendor: backend for backend in (SqliteBackend, PostgresBackend)
}


def backend_for(connection: BaseDatabaseWrapper | None = None) -> SearchBackend:
    """The backend for ``connection`` (the default database when None)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    backend = BACKENDS.get(connection.vendor)
    if backend is None:
        raise ConfigurationError(
            f"search supports SQLite and PostgreSQL, not {connection.vendor}; "
            "set DATABASE_URL to one of them"
        )
    return backend(connection)
