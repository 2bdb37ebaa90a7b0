"""Read replicas: the configuration, the router's rules, and the router on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings, settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from tests.factories import CategoryFactory
from yamabiko.config import load_config
from yamabiko.core.exceptions import ConfigurationError
from yamabiko.core.replicas import (
    PRIMARY,
    ReplicaRouter,
    is_read_statement,
    mark_writes,
    read_alias,
    wrote,
)
from yamabiko.pagecache.models import Generation
from yamabiko.posts.models import Blog, Category

PG = "postgres://blog:secret@db1.internal:5432/blog"


@pytest.fixture(autouse=True)
def _fresh_write_mark() -> Iterator[None]:
    # The mark lives in this thread's context, which every test here shares.
    token = wrote.set(False)
    yield
    wrote.reset(token)
    wrappers = connections[DEFAULT_DB_ALIAS].execute_wrappers
    if mark_writes in wrappers:
        wrappers.remove(mark_writes)


# The configuration


def test_replicas_are_read_comma_separated(tmp_path: Path) -> None:
    config = load_config(
        {
            "YAMABIKO_DATA_DIR": str(tmp_path),
            "DATABASE_URL": PG,
            "YAMABIKO_DATABASE_REPLICAS": " postgres://db2/blog, postgresql://db3/blog ,",
        }
    )

    assert config.database_replicas == ("postgres://db2/blog", "postgresql://db3/blog")


def test_no_replicas_by_default(tmp_path: Path) -> None:
    config = load_config({"YAMABIKO_DATA_DIR": str(tmp_path), "DATABASE_URL": PG})

    assert config.database_replicas == ()


def test_replicas_beside_sqlite_are_refused(tmp_path: Path) -> None:
    env = {"YAMABIKO_DATA_DIR": str(tmp_path), "YAMABIKO_DATABASE_REPLICAS": "postgres://db2/b"}

    with pytest.raises(ConfigurationError, match="needs a PostgreSQL DATABASE_URL"):
        load_config(env)


def test_a_replica_that_is_not_postgres_is_refused(tmp_path: Path) -> None:
    env = {
        "YAMABIKO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": PG,
        "YAMABIKO_DATABASE_REPLICAS": "postgres://db2/b,mysql://db3/b",
    }

    with pytest.raises(ConfigurationError, match="not mysql://"):
        load_config(env)


# The rules, as pure logic over aliases


def test_a_read_goes_to_a_replica_chosen_by_the_picker() -> None:
    chosen = read_alias(
        replicas=["replica1", "replica2"],
        in_transaction=False,
        has_written=False,
        choose=lambda aliases: aliases[-1],
    )

    assert chosen == "replica2"


def test_reads_spread_over_every_replica() -> None:
    seen = {
        read_alias(replicas=["replica1", "replica2"], in_transaction=False, has_written=False)
        for _ in range(200)
    }

    assert seen == {"replica1", "replica2"}


def test_without_replicas_reads_go_to_the_primary() -> None:
    assert read_alias(replicas=[], in_transaction=False, has_written=False) == PRIMARY


def test_a_read_inside_a_transaction_goes_to_the_primary() -> None:
    assert read_alias(replicas=["replica1"], in_transaction=True, has_written=False) == PRIMARY


def test_a_read_after_a_write_goes_to_the_primary() -> None:
    assert read_alias(replicas=["replica1"], in_transaction=False, has_written=True) == PRIMARY


@pytest.mark.parametrize(
    ("sql", "is_read"),
    [
        ('SELECT "posts_blog"."id" FROM "posts_blog"', True),
        ("  (SELECT 1) UNION (SELECT 2)", True),
        ('SAVEPOINT "s1_x1"', True),
        ('RELEASE SAVEPOINT "s1_x1"', True),
        ('INSERT INTO "posts_category" ("name") VALUES (%s)', False),
        ('UPDATE "posts_post" SET "title" = %s', False),
        ('DELETE FROM "posts_tag"', False),
        ('WITH moved AS (DELETE FROM "t" RETURNING *) SELECT * FROM moved', False),
        ("CREATE TABLE x (id int)", False),
        ("", False),
    ],
)
def test_only_statements_known_to_read_leave_reads_on_replicas(sql: str, is_read: bool) -> None:
    assert is_read_statement(sql) is is_read


def test_router_sends_writes_and_migrations_to_the_primary_and_allows_relations() -> None:
    router = ReplicaRouter(replicas=["replica1"])

    assert router.db_for_write(Category) == PRIMARY
    assert router.allow_migrate(PRIMARY, "posts") is True
    assert router.allow_migrate("replica1", "posts") is False
    assert router.allow_relation(Category(), Blog()) is True


@pytest.mark.parametrize("model", [DBTaskResult, Session, Generation])
def test_task_queue_sessions_and_page_generation_are_always_read_on_the_primary(
    model: type[Model],
) -> None:
    assert ReplicaRouter(replicas=["replica1"]).db_for_read(model) == PRIMARY


def test_asking_where_to_write_does_not_pin_reads() -> None:
    # get_or_create asks db_for_write for its SELECT; Blog.load() does it every request.
    router = ReplicaRouter(replicas=["replica1"])

    router.db_for_write(Blog)

    assert router.db_for_read(Blog) == "replica1"


# Committing tests: inside pytest-django's test transaction every read is in an atomic block.
@pytest.mark.django_db(transaction=True)
def test_a_new_request_clears_the_write_mark() -> None:
    router = ReplicaRouter(replicas=["replica1"])
    wrote.set(True)
    assert router.db_for_read(Category) == PRIMARY

    request_started.send(sender=None)

    assert router.db_for_read(Category) == "replica1"


@pytest.mark.django_db(transaction=True)
def test_router_reads_from_the_primary_inside_atomic_and_after_a_write() -> None:
    router = ReplicaRouter(replicas=["replica1"])
    with transaction.atomic():
        assert router.db_for_read(Category) == PRIMARY
    assert router.db_for_read(Category) == "replica1"

    CategoryFactory()  # an INSERT on the primary

    assert router.db_for_read(Category) == PRIMARY


# The router on PostgreSQL, with a second alias onto the same database

ON_POSTGRES = settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"] == "django.db.backends.postgresql"
REPLICA = "replica1"
if ON_POSTGRES and REPLICA not in settings.DATABASES:
    # Added while the suite is collected, before pytest-django creates the test databases,
    # so Django treats it as any configured replica: TEST MIRROR makes "replica1" a second
    # connection to the primary's test database (the same dict connections reads). Without
    # the router, which only the fixture below installs, nothing else uses it.
    settings.DATABASES[REPLICA] = {
        **settings.DATABASES[DEFAULT_DB_ALIAS],
        "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
    }
on_postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="replicas are PostgreSQL's; the configuration refuses them on SQLite"
)


@pytest.fixture
def replica1(settings: LazySettings) -> str:
    """The replica alias, with the router installed as settings.py installs it.

    Tests using it commit (transaction=True): the replica has its own connection and would
    not see rows left uncommitted in the primary's test transaction.
    """
    settings.DATABASE_ROUTERS = ["yamabiko.core.replicas.ReplicaRouter"]
    return REPLICA


@on_postgres_only
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_a_read_goes_through_the_replica_and_a_read_after_a_write_through_the_primary(
    replica1: str,
) -> None:
    request_started.send(sender=None)
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[replica1]

    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        assert not Category.objects.filter(slug="news").exists()
    assert [q["sql"] for q in on_primary] == []
    assert len(on_replica) == 1
    assert "posts_category" in on_replica[0]["sql"]

    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        CategoryFactory(name="News", slug="news")
        assert Category.objects.filter(slug="news").exists()
    assert len(on_replica) == 0
    assert on_primary[-1]["sql"].startswith("SELECT")
    assert "posts_category" in on_primary[-1]["sql"]

    request_started.send(sender=None)  # the next request reads from the replica again
    with CaptureQueriesContext(replica) as on_replica:
        assert Category.objects.filter(slug="news").exists()
    assert len(on_replica) == 1


@on_postgres_only
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_a_page_request_reads_through_the_replica(replica1: str, client: Client) -> None:
    Blog.load()  # created before the request, as any installed blog's settings are

    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        CaptureQueriesContext(connections[replica1]) as on_replica,
    ):
        response = client.get("/")

    assert response.status_code == 200
    assert len(on_replica) > 0
    # Blog.load()'s get_or_create looks on the primary; it reads and does not pin.
    assert all(is_read_statement(query["sql"]) for query in on_primary), on_primary.captured_queries


@on_postgres_only
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_task_worker_runs_with_replicas_configured(replica1: str) -> None:
    # db_worker opens its transaction on the queue queryset's read alias, then locks rows
    # on the write alias: both must be the primary, or select_for_update fails.
    call_command("db_worker", batch=True, verbosity=0)

    assert DBTaskResult.objects.ready().db == DEFAULT_DB_ALIAS
