"""Test-wide set-up: the database from DATABASE_URL, plain static storage.

The suite runs on whatever DATABASE_URL names (SQLite by default, PostgreSQL in CI). When
it names a server that cannot be reached, pytest-django fails to create the test database
and the run fails: it never falls back to SQLite.
"""

from __future__ import annotations

import os

import pytest
from django.conf import LazySettings, settings

from yamabiko.pagecache.store import recent
from yamabiko.posts.templatetags.classic import sidebar_forget

pytest_plugins = ["tests.factories"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: LazySettings) -> None:
    # The manifest storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _kept_renders_forgotten() -> None:
    # Kept per content generation, whose numbers start again in every test's database.
    sidebar_forget()
    recent.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Give each run its own PostgreSQL test database, so parallel runs cannot collide."""
    for database in settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.postgresql":
            continue
        test = database.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{os.getpid()}"
