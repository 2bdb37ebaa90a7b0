"""Fixed-window rate limits shared by every server process (and every server, with Redis).

``rate_hit`` counts one hit of a key (an IP address, an author's email, a linking host) in a
scope such as ``"comment-ip"`` and says whether it is within the limit. The count lives where
every process sees it, chosen at call time:

- ``YAMABIKO_REDIS_URL`` set: the cache alias "default" (a RedisCache then), so all app
  servers share one count; ``add`` and ``incr`` are each atomic in Redis.
- otherwise the database (``RateCounter``): one ``UPDATE … SET count = count + 1`` per hit and
  a race-safe insert for a window's first hit, so every worker process on the machine (or
  every server on one PostgreSQL) agrees.

Windows are fixed and aligned to their length in Unix time (an hourly limit resets on the
hour), so a burst straddling a boundary can reach twice the limit; that is fine against
floods. Refused hits count too: ``count`` is the number of attempts in the window. A scope
must always be used with the same window length.

Keys are compared case-insensitively (an email's case must not buy more hits) and stored
only as HMAC-SHA256 keyed with SECRET_KEY: a leaked table or Redis dump gives away no email
or address, not even to someone hashing a list of guesses. Servers sharing a Redis therefore
need the same SECRET_KEY, as they do for sessions.

Call ``rate_hit`` outside your own transaction: inside one, the database counter is only a
savepoint, rolled back with the caller's work and locked until the caller commits.

Client addresses: ``client_ip`` reads REMOTE_ADDR. X-Forwarded-For is believed only when
REMOTE_ADDR is one of YAMABIKO_TRUSTED_PROXIES, and then only as far as it was written by
trusted proxies: any client can send the header, so the client is the rightmost address
in it that is not a trusted proxy. Without that setting, behind a reverse proxy every
visitor would share the proxy's address and its limit.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from yamabiko.core.exceptions import YamabikoError
from yamabiko.core.models import RateCounter

__all__ = [
    "RateDecision",
    "RateStoreError",
    "client_ip",
    "ip_rate_key",
    "rate_hit",
    "rate_limited_response",
]

SCOPE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,49}\Z")
KEY_HASH_SALT = "yamabiko.core.ratelimit"
CACHE_KEY_PREFIX = "yamabiko:rate"
# Redis can lose a key between a failed add and the incr only at the key's expiry.
REDIS_ATTEMPTS = 3
PRUNE_BATCH = 1000
IPV6_SUBSCRIBER_PREFIX = 64


class RateStoreError(YamabikoError):
    """The shared store could not count a hit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RateDecision:
    allowed: bool
    count: int  # hits in the current window including this one (0 when there is no limit)
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def rate_hit(
    *, scope: str, key: str, limit: int, window: int = 3600, now: float | None = None
) -> RateDecision:
    """Count one hit of ``key`` in ``scope``: allowed while the window holds ``limit`` or fewer.

    A limit of 0 means no limit: always allowed and nothing is stored.
    """
    if not SCOPE_PATTERN.match(scope):
        raise ValueError(f"rate limit scope must match {SCOPE_PATTERN.pattern}, not {scope!r}")
    if limit < 0 or window < 1:
        raise ValueError(f"rate limit needs limit >= 0 and window >= 1, not {limit}, {window}")
    if limit == 0:
        return RateDecision(allowed=True, count=0, limit=0, retry_after=0)
    moment = time.time() if now is None else now
    window_start = int(moment // window) * window
    key_hash = _key_hash(key)
    if getattr(settings, "YAMABIKO_REDIS_URL", None):
        count = _redis_hit(scope=scope, key_hash=key_hash, start=window_start, window=window)
    else:
        count = _database_hit(scope=scope, key_hash=key_hash, start=window_start, window=window)
    if count <= limit:
        return RateDecision(allowed=True, count=count, limit=limit, retry_after=0)
    retry_after = max(1, math.ceil(window_start + window - moment))
    return RateDecision(allowed=False, count=count, limit=limit, retry_after=retry_after)


class RateLimited(YamabikoError):
    """A sender went past one of its limits; nothing it sent was kept."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def rate_check(limits: Iterable[tuple[str, str | None, int]], *, window: int, message: str) -> None:
    """Count a hit against each (scope, key, limit); RateLimited at the first one exceeded.

    Entries without a key (no IP address known, no email given) are not counted.
    """
    for scope, key, limit in limits:
        if not key:
            continue
        decision = rate_hit(scope=scope, key=key, limit=limit, window=window)
        if not decision.allowed:
            raise RateLimited(message.format(limit=limit), retry_after=decision.retry_after)


def _key_hash(key: str) -> str:
    normalized = key.strip().casefold()
    return salted_hmac(KEY_HASH_SALT, normalized, algorithm="sha256").hexdigest()


def _redis_hit(*, scope: str, key_hash: str, start: int, window: int) -> int:
    cache = caches["default"]
    cache_key = f"{CACHE_KEY_PREFIX}:{scope}:{start}:{key_hash}"
    for _attempt in range(REDIS_ATTEMPTS):
        # The window's start is part of the key, so the entry only has to outlive its window,
        # which `window` seconds from the first hit always does.
        if cache.add(cache_key, 1, timeout=window):
            return 1
        try:
            return int(cache.incr(cache_key))
        except ValueError:
            continue  # expired between add and incr; the next add starts it again
    raise RateStoreError(f"rate counter {cache_key} kept expiring while being counted")


def _database_hit(*, scope: str, key_hash: str, start: int, window: int) -> int:
    window_start = datetime.fromtimestamp(start, tz=UTC)
    counter = RateCounter.objects.filter(scope=scope, key_hash=key_hash, window_start=window_start)
    with transaction.atomic():
        if counter.update(count=F("count") + 1):
            # Our UPDATE holds the row's lock until commit, so this reads our own count.
            return counter.values_list("count", flat=True).get()
        try:
            with transaction.atomic():
                RateCounter.objects.create(
                    scope=scope, key_hash=key_hash, window_start=window_start, count=1
                )
        except IntegrityError:
            # Another process inserted the window's first hit after our UPDATE found nothing.
            counter.update(count=F("count") + 1)
            return counter.values_list("count", flat=True).get()
        # A key's first hit in a window is rare enough to pay for pruning.
        _prune(scope=scope, before=window_start - timedelta(seconds=window))
        return 1


def _prune(*, scope: str, before: datetime) -> None:
    """Delete the scope's windows older than the previous one (a skewed clock may still count
    in that one). Rows another process is deleting are skipped, so two prunes never wait on
    each other or deadlock (SQLite ignores the lock clause; its writers take turns anyway)."""
    stale = list(
        RateCounter.objects.filter(scope=scope, window_start__lt=before)
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:PRUNE_BATCH]
    )
    if stale:
        RateCounter.objects.filter(pk__in=stale).delete()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, normalized; None when it is not an IP address.

    REMOTE_ADDR, unless that is a trusted proxy: then the rightmost X-Forwarded-For entry
    that is not one (each proxy appends the address it saw). An IPv4 address that reaches
    an IPv6 socket as ``::ffff:a.b.c.d`` comes back as IPv4.
    """
    raw = request.META.get("REMOTE_ADDR")
    address = ip_parsed(raw) if isinstance(raw, str) else None
    trusted = trusted_proxies()
    if address is None or not any(address in network for network in trusted):
        return None if address is None else str(address)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(str(forwarded).split(",")):
        sender = ip_parsed(hop)
        if sender is None:
            break  # garbage where a proxy should have written: believe no further
        if not any(sender in network for network in trusted):
            return str(sender)
        address = sender
    return str(address)


def ip_parsed(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@functools.cache
def trusted_networks(
    spelled: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network) for network in spelled)


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return trusted_networks(tuple(settings.YAMABIKO_TRUSTED_PROXIES))


def ip_rate_key(address: str) -> str:
    """The rate-limit key for a client address: the address itself for IPv4, its /64 for IPv6.

    One IPv6 subscriber is usually given a whole /64, so limiting single IPv6 addresses would
    let one machine rotate through billions of them.
    """
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_SUBSCRIBER_PREFIX), strict=False))
    return str(parsed)


def rate_limited_response(request: HttpRequest, decision: RateDecision) -> HttpResponse:
    """The 429 page for a refused hit, with Retry-After (RFC 9110 §10.2.3) in seconds."""
    minutes = max(1, math.ceil(decision.retry_after / 60))
    html = render_to_string(
        "429.html", {"retry_after": decision.retry_after, "minutes": minutes}, request=request
    )
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
