"""SSRF: the guarded fetcher never connects to a non-public address, however it is named.

A listener on 127.0.0.1 and ::1 (one port number for both) records every connection it
accepts. Each test opens that port with an allow entry for another address (127.0.0.2), so
the port rule cannot be what refuses: only the address rule stands between the fetcher and
the listener. 0.0.0.0, ::, 127.x and IPv4-mapped forms would really land on it; the other
addresses are kept off the network by the ``connects`` guard.

tests/core/test_net.py covers the policy table and the common spellings; this adds every
spelling the issue lists (and more) directly, behind a redirect and behind a DNS name, and
the same refusals reached from outside input: a received linkback's source, a sent one's
target.

What is right for each form (refused, and with which reason):
- Every IPv4 spelling inet_aton(3) reads (127.1, 127.0.1, 0x7f.1, 2130706433, 0x7f000001,
  0177.1, 017700000001, 0, 0x0) is the address it names: refused as ``address``.
- A dotted quad with a leading zero (0177.0.0.1, 012.0.0.1) is refused by httpx before we
  see it (``invalid-url``): browsers read it as octal, curl as decimal, so it names two
  different hosts and no sane link uses it.
- IPv6 forms are judged by what they embed: ::ffff:a.b.c.d (mapped), ::a.b.c.d
  (compatible), 64:ff9b::/96 (NAT64, any embedded address), 2002::/16 (6to4) and
  ::ffff:0:a.b.c.d (SIIT) are all refused; so are fe80::/10, fec0::/10, fc00::/7, ff00::/8.
- 100.64/10 (CGNAT), 240/4, 255.255.255.255 and multicast are not reachable Internet hosts
  either: refused.
- ``localhost`` resolves to loopback on any machine; a trailing dot may or may not resolve
  (gVisor's resolver says no): either way no connection is made.
"""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.core.test_net import FakeResolver
from tests.factories import PostFactory
from tests.remote_site import Answer, remote_site
from tests.robustness.conftest import Listener
from yamabiko.core import xmlrpc
from yamabiko.core.net import BlockedAddress, Fetcher, FetchError
from yamabiko.discussion.models import Linkback, LinkbackStatus, OutboundPing, OutboundStatus
from yamabiko.discussion.sending import linkbacks_send
from yamabiko.posts.models import Blog

SITE = "http://testserver"

# (host as written in the URL, the refusal's reason). Every one is refused.
NON_PUBLIC = [
    # IPv4 loopback in every spelling
    ("127.0.0.1", "address"),
    ("127.1", "address"),
    ("127.0.1", "address"),
    ("127.255.255.254", "address"),
    ("127.0.0.1.", "address"),
    ("0x7f.1", "address"),
    ("0x7f.1.", "address"),
    ("0x7F.0.0.1", "address"),
    ("0x7f.0x0.0x0.0x1", "address"),
    ("0x7f000001", "address"),
    ("2130706433", "address"),
    ("0177.1", "address"),
    ("017700000001", "address"),
    ("0177.0.0.1", "invalid-url"),
    # unspecified: connecting to it reaches this machine
    ("0", "address"),
    ("00", "address"),
    ("0x0", "address"),
    ("0.0.0.0", "address"),  # noqa: S104 - an address under test, not a bind
    # private, shared (CGNAT), link-local (cloud metadata), multicast, reserved, broadcast
    ("10.0.0.1", "address"),
    ("167772161", "address"),
    ("012.0.0.1", "invalid-url"),
    ("172.16.0.1", "address"),
    ("172.31.255.255", "address"),
    ("192.168.1.1", "address"),
    ("0xc0a80101", "address"),
    ("100.64.0.1", "address"),
    ("169.254.169.254", "address"),
    ("2852039166", "address"),
    ("0xa9fea9fe", "address"),
    ("224.0.0.1", "address"),
    ("239.255.255.250", "address"),
    ("240.0.0.1", "address"),
    ("255.255.255.255", "address"),
    ("4294967295", "address"),
    # IPv6
    ("[::1]", "address"),
    ("[0:0:0:0:0:0:0:1]", "address"),
    ("[::]", "address"),
    ("[::ffff:127.0.0.1]", "address"),
    ("[::ffff:7f00:1]", "address"),
    ("[::FFFF:7F00:1]", "address"),
    ("[0:0:0:0:0:ffff:7f00:1]", "address"),
    ("[::ffff:169.254.169.254]", "address"),
    ("[::ffff:0:7f00:1]", "address"),
    ("[::127.0.0.1]", "address"),
    ("[fe80::1]", "address"),
    ("[fec0::1]", "address"),
    ("[fc00::1]", "address"),
    ("[fd00::1]", "address"),
    ("[ff02::1]", "address"),
    ("[64:ff9b::7f00:1]", "address"),
    ("[64:ff9b::a9fe:a9fe]", "address"),
    ("[2002:7f00:1::1]", "address"),
    # names
    ("localhost", "address"),
    ("LOCALHOST", "address"),
    ("127。0。0。1", "address"),  # ideographic full stops, which IDNA maps to dots
]
# Location headers are ASCII; the ideographic spelling cannot be sent in one.
REDIRECTABLE = [(host, reason) for host, reason in NON_PUBLIC if host.isascii()]
# What each name above resolves to, for the DNS tests: one per kind of address.
RESOLVED = [
    "127.0.0.1",
    "127.0.0.53",  # a local stub resolver
    "0.0.0.0",  # noqa: S104 - an address under test, not a bind
    "10.1.2.3",
    "100.64.0.1",
    "169.254.169.254",
    "192.168.0.10",
    "224.0.0.251",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "fe80::1",
    "fd00::1",
    "64:ff9b::7f00:1",
]


def ids(cases: list[tuple[str, str]]) -> list[str]:
    return [host for host, _ in cases]


@pytest.fixture
def opened(settings: Settings, listener: Listener) -> Listener:
    """The listener's port opened for another address only: the address rule must refuse."""
    settings.YAMABIKO_OUTBOUND_ALLOW = [f"127.0.0.2:{listener.port}"]
    return listener


def fetcher() -> Fetcher:
    # No allow= argument: the allow list is read from settings at call time, as in production.
    return Fetcher(connect_timeout=1.0, total_timeout=2.0)


@pytest.mark.parametrize(("host", "reason"), NON_PUBLIC, ids=ids(NON_PUBLIC))
def test_non_public_host_is_refused_without_connecting(
    host: str, reason: str, opened: Listener, connects: list[tuple[str, int]]
) -> None:
    with pytest.raises(BlockedAddress) as refused:
        fetcher().get(f"http://{host}:{opened.port}/latest/meta-data/")

    assert refused.value.reason == reason
    assert connects == []
    assert opened.accepted == []


def test_localhost_with_a_trailing_dot_is_refused_or_unresolved(
    opened: Listener, connects: list[tuple[str, int]]
) -> None:
    # glibc resolves "localhost." to loopback (refused as such); some resolvers know no such
    # name. Neither may connect.
    with pytest.raises(FetchError) as refused:
        fetcher().get(f"http://localhost.:{opened.port}/")

    assert refused.value.reason in {"address", "dns"}
    assert connects == []
    assert opened.accepted == []


@pytest.mark.parametrize(("host", "reason"), REDIRECTABLE, ids=ids(REDIRECTABLE))
def test_redirect_from_an_allowed_site_to_a_non_public_host_is_refused(
    host: str, reason: str, settings: Settings, listener: Listener
) -> None:
    with remote_site() as site:
        site.routes["/go"] = Answer(
            status=302, headers=(("Location", f"http://{host}:{listener.port}/admin"),)
        )
        settings.YAMABIKO_OUTBOUND_ALLOW = [site.allow, f"127.0.0.2:{listener.port}"]

        with pytest.raises(BlockedAddress) as refused:
            fetcher().get(site.url("/go"))

    assert refused.value.reason == reason
    assert [seen.path for seen in site.seen] == ["/go"]
    assert listener.accepted == []


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("host", ["0x7f.1", "[::ffff:7f00:1]", "0.0.0.0", "[::]"])  # noqa: S104
def test_post_redirected_to_a_non_public_host_is_refused_with_its_body_unsent(
    host: str, status: int, settings: Settings, listener: Listener
) -> None:
    # 307 and 308 re-send the body: a ping must not be replayed into the local network.
    with remote_site() as site:
        site.routes["/ping"] = Answer(
            status=status, headers=(("Location", f"//{host}:{listener.port}/ping"),)
        )
        settings.YAMABIKO_OUTBOUND_ALLOW = [site.allow, f"127.0.0.2:{listener.port}"]

        with pytest.raises(BlockedAddress):
            fetcher().post_form(site.url("/ping"), {"url": "http://elsewhere.example/"})

    assert [seen.path for seen in site.seen] == ["/ping"]
    assert listener.accepted == []


@pytest.mark.parametrize("address", RESOLVED)
def test_name_resolving_to_a_non_public_address_is_refused(
    address: str,
    opened: Listener,
    resolver: FakeResolver,
    connects: list[tuple[str, int]],
) -> None:
    # The resolver is outside our process, so it is the one thing faked: a name an attacker
    # controls can answer with any address.
    resolver.names["attacker.test"] = [[address]]

    with pytest.raises(BlockedAddress) as refused:
        fetcher().get(f"http://attacker.test:{opened.port}/")

    assert refused.value.reason == "address"
    assert resolver.asked == ["attacker.test"]
    assert connects == []
    assert opened.accepted == []


# --- reached from outside input --------------------------------------------------------

HOSTILE_SOURCES = ["127.1", "0x7f000001", "0.0.0.0", "[::]", "[::ffff:7f00:1]", "localhost"]  # noqa: S104


@pytest.fixture
def immediate(settings: Settings, opened: Listener) -> None:
    settings.YAMABIKO_SITE_URL = SITE
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def received(kind: str, client: Client, source: str, target: str, post_id: int) -> Any:
    if kind == "webmention":
        body = urlencode({"source": source, "target": target})
        return client.post("/webmention/", body, content_type="application/x-www-form-urlencoded")
    if kind == "trackback":
        body = urlencode({"url": source, "title": "t"})
        return client.post(
            f"/trackback/{post_id}/", body, content_type="application/x-www-form-urlencoded"
        )
    body_xml = xmlrpc.method_call("pingback.ping", (source, target))
    return client.post("/xmlrpc/", body_xml, content_type="text/xml")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["webmention", "trackback", "pingback"])
@pytest.mark.parametrize("host", HOSTILE_SOURCES)
def test_received_linkback_with_a_non_public_source_is_rejected_unfetched(
    kind: str,
    host: str,
    client: Client,
    immediate: None,
    opened: Listener,
    connects: list[tuple[str, int]],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    post = PostFactory()
    source = f"http://{host}:{opened.port}/private"
    target = f"{SITE}{post.get_absolute_url()}"

    # The receiver answers without fetching; verification runs on commit, in the task.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = received(kind, client, source, target, post.pk)

    assert response.status_code in (200, 202)
    assert len(callbacks) == 1
    linkback = Linkback.objects.get()
    assert linkback.status == LinkbackStatus.REJECTED
    assert connects == []
    assert opened.accepted == []


@pytest.mark.django_db
@pytest.mark.parametrize("host", HOSTILE_SOURCES)
def test_sending_to_a_link_on_a_non_public_host_connects_to_nothing(
    host: str, immediate: None, opened: Listener, connects: list[tuple[str, int]]
) -> None:
    Blog.load()
    link = f"http://{host}:{opened.port}/admin"
    post = PostFactory(body=f"Read [this]({link}).")

    outcomes = linkbacks_send(post=post, fetcher=fetcher())

    (outcome,) = outcomes
    assert outcome.target == link
    assert outcome.status == OutboundStatus.FAILED
    assert "not a public address" in outcome.error
    assert OutboundPing.objects.get(post=post).status == OutboundStatus.FAILED
    assert connects == []
    assert opened.accepted == []


def test_listener_sees_a_connection_when_one_is_made(listener: Listener) -> None:
    # The other tests prove a negative; this proves the listener would have noticed.
    with socket.create_connection(("127.0.0.1", listener.port)):
        pass
    deadline = time.monotonic() + 2
    while not listener.accepted and time.monotonic() < deadline:
        time.sleep(0.01)

    assert len(listener.accepted) == 1
