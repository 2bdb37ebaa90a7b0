"""Telling the pages a post links to: discover each one's endpoint and send, then remember.

Per target the order is Webmention, then Pingback, then TrackBack (PROTOCOLS.md 3.1, 2.2,
1.7); TrackBack URLs the author listed are pinged directly. Every request goes through the
guarded fetcher. The outcome per (post, target) is kept in OutboundPing so an unchanged post
is not sent again, failures are retried with backoff, and a post that disappears re-sends
its Webmentions so receivers see it gone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yamabiko.core import xmlrpc
from yamabiko.core.net import Fetcher, FetchError, Response
from yamabiko.discussion.models import LinkbackKind, OutboundPing, OutboundStatus
from yamabiko.discussion.protocols import discovery, pingback, trackback, webmention
from yamabiko.discussion.protocols.links import outbound_links
from yamabiko.posts.models import Blog, Post

DISCOVERY_MAX_BYTES = 256 * 1024
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=5)
# HTTP client errors that mean "later", not "never": timeout, too early, too many requests.
RETRY_LATER_STATUSES = frozenset({408, 425, 429})
# Pingback faults worth trying again: the source may not be visible to them yet (PB §3).
PINGBACK_RETRY_FAULTS = frozenset({16, 17, 50})


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoints:
    webmention: str | None = None
    pingback: str | None = None
    trackback: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOutcome:
    target: str
    protocol: str | None
    endpoint: str | None
    status: str
    error: str = ""


def permalink(post: Post) -> str:
    return f"{settings.YAMABIKO_SITE_URL}{post.get_absolute_url()}"


def fingerprint(post: Post) -> str:
    """Changes whenever what a receiver would show of the post changes."""
    parts = (post.title, post.body_html, post.extended_html, post.status, permalink(post))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def site_of(url: str) -> tuple[str, int | None]:
    """Host and port, with 80 and 443 counted as no port, for telling our links apart."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower().rstrip("."), None if port in {80, 443} else port


def targets_of(post: Post) -> list[tuple[str, bool]]:
    """Linked pages in the post, then the TrackBack URLs its author listed (explicit).

    A link is ours when it names our host and port: another site on the same host but
    another port (two blogs on one machine) is someone else's, as it is to a browser.
    """
    own = site_of(settings.YAMABIKO_SITE_URL)
    html = post.body_html + post.extended_html
    # own_host="": outbound_links would drop every port of our host; ours is judged here.
    linked = [
        (url, False)
        for url in outbound_links(html, base_url=permalink(post), own_host="")
        if site_of(url) != own
    ]
    listed = [(line.strip(), True) for line in post.ping_urls.splitlines() if line.strip()]
    seen: dict[str, bool] = {}
    for url, explicit in [*linked, *listed]:
        seen[url] = seen.get(url, False) or explicit
    return list(seen.items())


def discover(url: str, *, fetcher: Fetcher) -> Endpoints:
    """Fetch ``url`` once and find every endpoint it advertises."""
    response: Response = fetcher.get(
        url,
        headers={"Accept": "text/html, */*;q=0.5"},
        max_bytes=DISCOVERY_MAX_BYTES,
        purpose="looking for linkback endpoints",
    )
    if not 200 <= response.status < 300:
        raise SendFailed(
            f"the page answered {response.status}", permanent=response.status in {404, 410}
        )
    return Endpoints(
        webmention=webmention.discover_webmention(
            url=response.url,
            headers=response.headers,
            body=response.body,
            content_type=response.content_type,
        ),
        pingback=pingback.discover_pingback(response.headers, response.body),
        trackback=discovery.discover_trackback(url=url, body=response.body),
    )


def send_webmention(*, source: str, target: str, endpoint: str, fetcher: Fetcher) -> None:
    response = fetcher.post_form(
        endpoint, {"source": source, "target": target}, purpose="sending a Webmention"
    )
    if not 200 <= response.status < 300:
        # A 4xx says the request itself is wrong and will stay so, except 429 ("too many
        # requests"), which says to come back later.
        permanent = 400 <= response.status < 500 and response.status not in RETRY_LATER_STATUSES
        raise SendFailed(f"the endpoint answered {response.status}", permanent=permanent)


def send_pingback(*, source: str, target: str, endpoint: str, fetcher: Fetcher) -> None:
    response = fetcher.post_xml(
        endpoint,
        xmlrpc.method_call("pingback.ping", (source, target)),
        purpose="sending a Pingback",
    )
    if not 200 <= response.status < 300:
        raise SendFailed(f"the server answered {response.status}")
    try:
        xmlrpc.parse_method_response(response.body)
    except xmlrpc.XmlRpcFault as fault:
        if fault.code == pingback.FAULT_ALREADY_REGISTERED:
            return
        raise SendFailed(
            f"fault {fault.code}: {fault.message}"[:300],
            permanent=fault.code not in PINGBACK_RETRY_FAULTS,
        ) from fault


def send_trackback(*, post: Post, ping_url: str, fetcher: Fetcher) -> None:
    blog = Blog.load()
    fields = {
        "url": permalink(post),
        "title": post.title,
        "excerpt": post.excerpt or strip_for_excerpt(post.body_html),
        "blog_name": blog.title,
    }
    response = fetcher.post_form(ping_url, fields, charset="utf-8", purpose="sending a TrackBack")
    if not 200 <= response.status < 300:
        raise SendFailed(f"the ping URL answered {response.status}")
    result = trackback.parse_response(response.body)
    if not result.ok:
        raise SendFailed(result.message[:300] or "the ping was refused", permanent=True)


def strip_for_excerpt(html: str) -> str:
    from yamabiko.core.text import strip_tags

    text = " ".join(strip_tags(html).split())
    return text if len(text) <= 252 else text[:252] + "…"


def send_one(
    post: Post, target: str, *, explicit: bool, fetcher: Fetcher, only: str | None
) -> tuple[str | None, str | None]:
    """Send to one target; the protocol and endpoint used. Raises SendFailed."""
    source = permalink(post)
    if explicit:
        send_trackback(post=post, ping_url=target, fetcher=fetcher)
        return LinkbackKind.TRACKBACK, target
    found = discover(target, fetcher=fetcher)
    if found.webmention and only in (None, LinkbackKind.WEBMENTION):
        send_webmention(source=source, target=target, endpoint=found.webmention, fetcher=fetcher)
        return LinkbackKind.WEBMENTION, found.webmention
    if found.pingback and only in (None, LinkbackKind.PINGBACK):
        send_pingback(source=source, target=target, endpoint=found.pingback, fetcher=fetcher)
        return LinkbackKind.PINGBACK, found.pingback
    if found.trackback and only in (None, LinkbackKind.TRACKBACK):
        send_trackback(post=post, ping_url=found.trackback, fetcher=fetcher)
        return LinkbackKind.TRACKBACK, found.trackback
    return None, None


def record_attempt(record: OutboundPing, outcome: SendOutcome, *, mark: str) -> None:
    now = timezone.now()
    record.protocol = outcome.protocol or ""
    record.endpoint = outcome.endpoint or ""
    record.status = outcome.status
    record.last_error = outcome.error[:500]
    record.last_attempt_at = now
    # Failures in a row, for the backoff; finding no endpoint is no failure.
    record.attempts = record.attempts + 1 if outcome.status == OutboundStatus.FAILED else 0
    if outcome.status == OutboundStatus.SENT:
        record.sent_fingerprint = mark
        record.next_attempt_at = None
    elif outcome.status == OutboundStatus.FAILED and record.attempts < MAX_ATTEMPTS:
        record.next_attempt_at = now + FIRST_RETRY * 2 ** (record.attempts - 1)
    else:
        record.next_attempt_at = None
    record.save()


def linkbacks_send(
    *, post: Post, fetcher: Fetcher, force: bool = False, only: str | None = None
) -> list[SendOutcome]:
    """Notify every target not yet told about this version of the post (all with ``force``)."""
    mark = fingerprint(post)
    outcomes: list[SendOutcome] = []
    for target, explicit in targets_of(post):
        record, _ = OutboundPing.objects.get_or_create(
            post=post, target_url=target, defaults={"explicit": explicit}
        )
        done = record.status == OutboundStatus.SENT and record.sent_fingerprint == mark
        failed = record.status == OutboundStatus.FAILED and record.sent_fingerprint != mark
        gave_up = failed and record.next_attempt_at is None and record.attempts > 0
        waiting = (
            failed
            and record.next_attempt_at is not None
            and record.next_attempt_at > timezone.now()
        )
        if not force and (done or gave_up or waiting):
            outcomes.append(
                SendOutcome(
                    target=target,
                    protocol=record.protocol or None,
                    endpoint=record.endpoint or None,
                    status=OutboundStatus.SKIPPED,
                    error="already sent"
                    if done
                    else "waiting to retry"
                    if waiting
                    else "gave up after repeated failures",
                )
            )
            continue
        try:
            protocol, endpoint = send_one(
                post, target, explicit=explicit, fetcher=fetcher, only=only
            )
        except (SendFailed, FetchError) as error:
            permanent = isinstance(error, SendFailed) and error.permanent
            outcome = SendOutcome(
                target=target,
                protocol=None,
                endpoint=None,
                status=OutboundStatus.FAILED,
                error=str(error) or type(error).__name__,
            )
            record_attempt(record, outcome, mark=mark)
            if permanent:
                OutboundPing.objects.filter(pk=record.pk).update(next_attempt_at=None)
            outcomes.append(outcome)
            continue
        status = OutboundStatus.SENT if protocol else OutboundStatus.SKIPPED
        outcome = SendOutcome(
            target=target,
            protocol=protocol,
            endpoint=endpoint,
            status=status,
            error="" if protocol else "no linkback endpoint found",
        )
        record_attempt(record, outcome, mark=mark)
        outcomes.append(outcome)
    return outcomes


def webmentions_resend(*, source: str, targets: list[str], fetcher: Fetcher) -> list[SendOutcome]:
    """Tell earlier Webmention targets that ``source`` changed or is gone (WM "Deletes").

    Endpoints are discovered again for every send, as the spec requires.
    """
    outcomes = []
    for target in targets:
        try:
            found = discover(target, fetcher=fetcher)
            if not found.webmention:
                raise SendFailed("no Webmention endpoint any more")
            send_webmention(
                source=source, target=target, endpoint=found.webmention, fetcher=fetcher
            )
        except (SendFailed, FetchError) as error:
            outcomes.append(
                SendOutcome(
                    target=target,
                    protocol=LinkbackKind.WEBMENTION,
                    endpoint=None,
                    status=OutboundStatus.FAILED,
                    error=str(error),
                )
            )
            continue
        outcomes.append(
            SendOutcome(
                target=target,
                protocol=LinkbackKind.WEBMENTION,
                endpoint=found.webmention,
                status=OutboundStatus.SENT,
            )
        )
    return outcomes


def linkbacks_discover(*, url: str, fetcher: Fetcher) -> Endpoints:
    return discover(url, fetcher=fetcher)


@dataclass(frozen=True, slots=True, kw_only=True)
class SendQueued:
    queued: list[int]
    not_live: list[int]


def outbound_send_now(*, pings: Iterable[OutboundPing]) -> SendQueued:
    """Queue sending again, now, for the posts of these outbound pings.

    Those of them that failed become due at once, so the task does not wait out their
    backoff (one that gave up gets one more try); targets already told about this version
    of the post are still skipped. Posts that are not live are left out (their
    Webmentions are re-sent when they go away).
    """
    chosen = list(pings)
    post_ids = sorted({ping.post_id for ping in chosen})
    with transaction.atomic():
        live = set(Post.objects.live().filter(pk__in=post_ids).values_list("pk", flat=True))
        OutboundPing.objects.filter(
            pk__in=[ping.pk for ping in chosen if ping.post_id in live],
            status=OutboundStatus.FAILED,
        ).update(next_attempt_at=timezone.now())
        for post_id in sorted(live):
            transaction.on_commit(partial(send_enqueue, post_id))
    return SendQueued(
        queued=sorted(live), not_live=[post_id for post_id in post_ids if post_id not in live]
    )


def send_enqueue(post_id: int) -> None:
    from yamabiko.discussion.tasks import post_linkbacks_send_task

    post_linkbacks_send_task.enqueue(post_id=post_id)
