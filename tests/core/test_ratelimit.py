"""Rate limits on the database store and on a real Redis, alone and under concurrent load.

Redis tests use the local server's database 15 (redis://127.0.0.1:6379/15), flushed before
and after each test. The clock is passed as ``now``; windows start at multiples of their length.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import LazySettings, settings
from django.db import connection, connections
from django.test import RequestFactory, override_settings

from yamabiko.core.models import RateCounter
from yamabiko.core.ratelimit import (
    RateDecision,
    client_ip,
    ip_rate_key,
    rate_hit,
    rate_limited_response,
)

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
HOUR = 3600
# Ten minutes into an hour window, far from today so nothing else counts in it.
NOW = 480_000 * HOUR + 600.0
EMAIL = "Reader@Example.org"

THREADS = 8
HITS_PER_THREAD = 25
FLOOD_LIMIT = 100


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    caches_setting = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    with override_settings(YAMABIKO_REDIS_URL=REDIS_TEST_URL, CACHES=caches_setting):
        yield client
    client.flushdb()
    client.close()


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    """Run a test on each backend; the database is available to both (Redis must not use it)."""
    request.getfixturevalue("db")
    if request.param == "redis":
        request.getfixturevalue("redis_client")
    return str(request.param)


def stored_rows_or_keys(store: str) -> list[str]:
    if store == "database":
        return [
            f"{scope}|{key_hash}"
            for scope, key_hash in RateCounter.objects.values_list("scope", "key_hash")
        ]
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        return [key.decode() for key in client.scan_iter()]
    finally:
        client.close()


def test_limit_allows_exactly_limit_hits_then_refuses_until_window_end(store: str) -> None:
    decisions = [rate_hit(scope="comment-ip", key="192.0.2.1", limit=3, now=NOW) for _ in range(5)]

    assert decisions[:3] == [
        RateDecision(allowed=True, count=count, limit=3, retry_after=0) for count in (1, 2, 3)
    ]
    # Ten minutes into the hour: fifty minutes to wait. Refused hits count too.
    assert decisions[3:] == [
        RateDecision(allowed=False, count=count, limit=3, retry_after=3000) for count in (4, 5)
    ]


def test_retry_after_rounds_up_to_whole_seconds_and_never_reaches_zero(store: str) -> None:
    for _ in range(2):
        rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, now=NOW)

    late = rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, now=NOW - 600 + HOUR - 0.25)

    assert late.allowed is False
    assert late.retry_after == 1


def test_next_window_starts_counting_again(store: str) -> None:
    for _ in range(3):
        rate_hit(scope="comment-ip", key="192.0.2.1", limit=2, now=NOW)

    next_hour = rate_hit(scope="comment-ip", key="192.0.2.1", limit=2, now=NOW - 600 + HOUR)
    short_window = [
        rate_hit(scope="login", key="192.0.2.1", limit=1, window=60, now=NOW + offset)
        for offset in (0, 1, 60)
    ]

    assert next_hour == RateDecision(allowed=True, count=1, limit=2, retry_after=0)
    assert [decision.allowed for decision in short_window] == [True, False, True]
    assert short_window[1].retry_after == 59


def test_zero_limit_never_refuses_and_stores_nothing(store: str) -> None:
    decisions = [rate_hit(scope="comment-ip", key="192.0.2.1", limit=0, now=NOW) for _ in range(50)]

    assert set(decisions) == {RateDecision(allowed=True, count=0, limit=0, retry_after=0)}
    assert stored_rows_or_keys(store) == []


def test_keys_and_scopes_count_separately(store: str) -> None:
    rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, now=NOW)

    other_key = rate_hit(scope="comment-ip", key="192.0.2.2", limit=1, now=NOW)
    other_scope = rate_hit(scope="linkback-ip", key="192.0.2.1", limit=1, now=NOW)
    same_again = rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, now=NOW)

    assert (other_key.allowed, other_key.count) == (True, 1)
    assert (other_scope.allowed, other_scope.count) == (True, 1)
    assert (same_again.allowed, same_again.count) == (False, 2)


def test_email_case_and_surrounding_space_do_not_buy_more_hits(store: str) -> None:
    counts = [
        rate_hit(scope="comment-email", key=key, limit=5, now=NOW).count
        for key in (EMAIL, EMAIL.lower(), f"  {EMAIL.upper()} ")
    ]

    assert counts == [1, 2, 3]


def test_email_is_stored_only_as_a_keyed_hash(store: str) -> None:
    rate_hit(scope="comment-email", key=EMAIL, limit=5, now=NOW)

    (stored,) = stored_rows_or_keys(store)
    key_hash = stored.rsplit(":" if store == "redis" else "|", 1)[-1]
    assert EMAIL.casefold() not in stored.casefold()
    assert "example" not in stored.casefold()
    assert len(key_hash) == 64
    assert int(key_hash, 16) >= 0
    # Keyed with SECRET_KEY: hashing a list of guessed emails does not find it.
    for guess in (EMAIL, EMAIL.lower()):
        assert hashlib.sha256(guess.encode()).hexdigest() != key_hash


@pytest.mark.django_db
def test_redis_is_not_used_unless_configured_and_database_is_not_used_when_it_is(
    redis_client: redis.Redis,
) -> None:
    rate_hit(scope="comment-ip", key="192.0.2.1", limit=5, now=NOW)

    with override_settings(YAMABIKO_REDIS_URL=None):
        rate_hit(scope="comment-ip", key="192.0.2.1", limit=5, now=NOW)

    assert redis_client.dbsize() == 1
    assert RateCounter.objects.count() == 1


@pytest.mark.django_db
def test_redis_entries_expire_after_their_window(redis_client: redis.Redis) -> None:
    rate_hit(scope="comment-ip", key="192.0.2.1", limit=5, window=90)

    (key,) = redis_client.scan_iter()
    assert 0 < redis_client.ttl(key) <= 90


@pytest.mark.django_db
def test_first_hit_of_a_window_prunes_the_scopes_windows_before_the_previous_one() -> None:
    hour_start = NOW - 600
    for hours_ago in (3, 2, 1):
        rate_hit(scope="comment-ip", key="192.0.2.1", limit=5, now=hour_start - hours_ago * HOUR)
    rate_hit(scope="linkback-ip", key="192.0.2.1", limit=5, now=hour_start - 3 * HOUR)

    rate_hit(scope="comment-ip", key="192.0.2.9", limit=5, now=NOW)

    remaining = sorted(
        (scope, int(window_start.timestamp()))
        for scope, window_start in RateCounter.objects.values_list("scope", "window_start")
    )
    assert remaining == [
        ("comment-ip", int(hour_start - HOUR)),
        ("comment-ip", int(hour_start)),
        ("linkback-ip", int(hour_start - 3 * HOUR)),
    ]


@pytest.mark.parametrize(
    ("scope", "limit", "window"),
    [("", 5, 60), ("Comment IP", 5, 60), ("x" * 51, 5, 60), ("ip", -1, 60), ("ip", 5, 0)],
)
def test_bad_scope_limit_or_window_is_a_programming_error(
    scope: str, limit: int, window: int
) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        rate_hit(scope=scope, key="192.0.2.1", limit=limit, window=window)


@pytest.mark.django_db
def test_without_now_the_current_clock_is_used() -> None:
    first = rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, window=HOUR)
    second = rate_hit(scope="comment-ip", key="192.0.2.1", limit=1, window=HOUR)

    assert first.allowed is True
    assert second.allowed is False
    assert 1 <= second.retry_after <= HOUR


# Concurrency: every hit must be counted once, and exactly `limit` of them allowed.


def flood_in_threads(hit: Callable[[], RateDecision]) -> list[RateDecision]:
    start = threading.Barrier(THREADS)

    def worker() -> list[RateDecision]:
        try:
            start.wait()
            return [hit() for _ in range(HITS_PER_THREAD)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(worker) for _ in range(THREADS)]
        return [decision for future in futures for decision in future.result()]


def assert_flood_counted_exactly(counts: list[int], allowed: int) -> None:
    total = THREADS * HITS_PER_THREAD
    assert sorted(counts) == list(range(1, total + 1))
    assert allowed == FLOOD_LIMIT


def flood_hit() -> RateDecision:
    return rate_hit(scope="comment-ip", key="203.0.113.5", limit=FLOOD_LIMIT, now=NOW)


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_share_one_database_count() -> None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        pytest.skip(
            "the in-memory SQLite test database is one shared-cache connection set, whose "
            "table locks fail at once instead of waiting; the process test below covers SQLite"
        )

    decisions = flood_in_threads(flood_hit)

    assert_flood_counted_exactly([d.count for d in decisions], sum(d.allowed for d in decisions))
    assert RateCounter.objects.get().count == THREADS * HITS_PER_THREAD


@pytest.mark.django_db
def test_concurrent_threads_share_one_redis_count(redis_client: redis.Redis) -> None:
    decisions = flood_in_threads(flood_hit)

    assert_flood_counted_exactly([d.count for d in decisions], sum(d.allowed for d in decisions))
    (key,) = redis_client.scan_iter()
    assert int(redis_client.get(key) or 0) == THREADS * HITS_PER_THREAD


PROCESS_WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    import django

    django.setup()
    from yamabiko.core.ratelimit import rate_hit

    go = sys.argv[1]
    while not os.path.exists(go):
        time.sleep(0.002)
    decisions = [
        rate_hit(scope="comment-ip", key="203.0.113.5", limit={limit}, now={now})
        for _ in range({hits})
    ]
    print(json.dumps([[d.allowed, d.count] for d in decisions]))
    """
).format(limit=FLOOD_LIMIT, now=NOW, hits=HITS_PER_THREAD)


def database_url_for_processes(tmp_path: Path) -> str:
    """The test database itself on PostgreSQL; on SQLite a file (the test one is in memory)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'ratelimit.sqlite3'}"
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_concurrent_worker_processes_share_one_database_count(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yamabiko.settings",
        "DATABASE_URL": database_url_for_processes(tmp_path),
        "YAMABIKO_DATA_DIR": str(tmp_path / "data"),
        "YAMABIKO_SECRET_KEY": settings.SECRET_KEY,
    }
    env.pop("REDIS_URL", None)
    python = [sys.executable, "-W", "error"]
    if connection.vendor == "sqlite":
        # The production SQLite settings (WAL, IMMEDIATE transactions, busy timeout) apply.
        migrate = [*python, "-m", "django", "migrate", "-v", "0"]
        subprocess.run(migrate, env=env, check=True)
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [*python, "-c", PROCESS_WORKER, str(go)],
            # One data dir each: processes starting together in one data dir race on its
            # write probe. The count is shared through the database alone.
            env={**env, "YAMABIKO_DATA_DIR": str(tmp_path / f"data{number}")},
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(THREADS)
    ]
    go.touch()
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0] * THREADS
    decisions = [pair for output in outputs for pair in json.loads(output)]
    assert_flood_counted_exactly(
        [count for _, count in decisions], sum(allowed for allowed, _ in decisions)
    )


# Client addresses and the 429 page.


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", None),
        ("unknown", None),
        ("192.0.2.1, 198.51.100.1", None),
    ],
)
def test_client_ip_is_the_validated_remote_addr(remote_addr: str, expected: str | None) -> None:
    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr)

    assert client_ip(request) == expected


def test_client_ip_ignores_x_forwarded_for() -> None:
    request = RequestFactory().post(
        "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.66"
    )

    assert client_ip(request) == "192.0.2.1"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        # nginx on the same machine, one hop: the address nginx saw.
        ("127.0.0.1", "198.51.100.66", "198.51.100.66"),
        # A client's own forged entries come first; proxies append what they saw.
        ("127.0.0.1", "203.0.113.9, 198.51.100.66", "198.51.100.66"),
        # A CDN (trusted) in front of nginx: skip both, take the first untrusted hop.
        ("127.0.0.1", "198.51.100.66, 10.1.2.3", "198.51.100.66"),
        ("127.0.0.1", "2001:DB8::1", "2001:db8::1"),
        # No header, or garbage where the proxy wrote: the proxy itself.
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "unknown", "127.0.0.1"),
        ("127.0.0.1", "198.51.100.66, garbage, 10.1.2.3", "10.1.2.3"),
        # Not from a trusted proxy: the header is anyone's and is ignored.
        ("192.0.2.1", "198.51.100.66", "192.0.2.1"),
    ],
)
def test_client_ip_believes_x_forwarded_for_only_from_trusted_proxies(
    settings: LazySettings, remote_addr: str, forwarded: str, expected: str
) -> None:
    settings.YAMABIKO_TRUSTED_PROXIES = ("127.0.0.1/32", "10.0.0.0/8")
    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
    ],
)
def test_ip_rate_key_groups_an_ipv6_subscribers_64(address: str, expected: str) -> None:
    assert ip_rate_key(address) == expected


@pytest.mark.django_db
def test_rate_limited_response_is_a_429_page_with_retry_after() -> None:
    request = RequestFactory().post("/comments/", REMOTE_ADDR="192.0.2.1")
    decision = RateDecision(allowed=False, count=6, limit=5, retry_after=3000)

    response = rate_limited_response(request, decision)

    assert response.status_code == 429
    assert response["Retry-After"] == "3000"
    text = response.content.decode()
    assert "Too many requests" in text
    assert "try again in 50 minutes" in text
