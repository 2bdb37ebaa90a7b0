"""Test-wide set-up: the database from DATABASE_URL, plain static storage.

The suite runs on whatever DATABASE_URL names (SQLite by default, PostgreSQL in CI). When
it names a server that cannot be reached, pytest-django fails to create the test database
and the run fails: it never falls back to SQLite.
"""

from __future__ import annotations

import pytest
from django.conf import LazySettings

pytest_plugins = ["tests.factories"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: LazySettings) -> None:
    # The manifest storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
