"""`yamabiko linkbacks discover|send`, run in this process against a real site on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from django.conf import LazySettings
from django.utils import timezone

from tests.cli.conftest import Invoke, assert_ok, assert_one_line_error
from tests.factories import PostFactory
from tests.remote_site import WEBMENTION_PAGE, Answer, RemoteSite, remote_site
from yamabiko.cli.linkbacks import PROTOCOLS
from yamabiko.discussion.models import LinkbackKind, OutboundPing, OutboundStatus
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.org"
PRIVATE = "http://10.0.0.1/"


@pytest.fixture
def site(settings: LazySettings) -> Iterator[RemoteSite]:
    settings.YAMABIKO_SITE_URL = SITE
    with remote_site() as served:
        settings.YAMABIKO_OUTBOUND_ALLOW = [served.allow]
        yield served


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The address of every connect() this process makes; none leaves loopback."""
    made: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: tuple[str, int]) -> None:
        made.append(address[0])
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test guard: no traffic to {address[0]}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


def post_linking_to(*urls: str, **fields: object) -> Post:
    links = " ".join(f"[link {n}]({url})" for n, url in enumerate(urls))
    return PostFactory(body=f"I read these: {links}.", **fields)


def permalink(post: Post) -> str:
    with timezone.override(Blog.load().zone):
        return f"{SITE}{post.get_absolute_url()}"


def printed_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_protocol_choices_are_the_linkback_kinds() -> None:
    assert set(PROTOCOLS) == set(LinkbackKind.values)


# --- discover -------------------------------------------------------------------------


def test_discover_prints_every_endpoint_a_page_advertises(
    run_cli: Invoke, site: RemoteSite
) -> None:
    result = run_cli("linkbacks", "discover", site.url("/both"))

    assert_ok(result)
    assert json.loads(result.stdout) == {
        "webmention": site.url("/webmention"),
        "pingback": site.url("/xmlrpc"),
        "trackback": None,
    }
    assert len(result.stdout.splitlines()) == 1
    assert [(r.method, r.path) for r in site.seen] == [("GET", "/both")], "one fetch, no ping"


def test_discover_finds_a_trackback_rdf_block_about_the_page(
    run_cli: Invoke, site: RemoteSite
) -> None:
    url = site.url("/entry")
    rdf = (
        '<!-- <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">'
        f'<rdf:Description rdf:about="{url}" dc:identifier="{url}" dc:title="Entry" '
        'trackback:ping="/trackback" /></rdf:RDF> -->'
    )
    site.routes["/entry"] = Answer(
        body=WEBMENTION_PAGE + rdf.encode(), headers=(("Content-Type", "text/html"),)
    )

    result = run_cli("linkbacks", "discover", url)

    assert_ok(result)
    assert json.loads(result.stdout) == {
        "webmention": None,
        "pingback": None,
        "trackback": site.url("/trackback"),
    }


def test_discover_prints_null_for_a_page_without_endpoints(
    run_cli: Invoke, site: RemoteSite
) -> None:
    result = run_cli("linkbacks", "discover", site.url("/plain"))

    assert_ok(result)
    assert result.stdout == '{"webmention": null, "pingback": null, "trackback": null}\n'


def test_discover_of_a_missing_page_is_a_one_line_error(run_cli: Invoke, site: RemoteSite) -> None:
    result = run_cli("linkbacks", "discover", site.url("/nothing-here"))

    assert_one_line_error(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "answered 404" in result.stderr


def test_discover_refuses_a_private_address_without_connecting(
    run_cli: Invoke, site: RemoteSite, connects: list[str]
) -> None:
    result = run_cli("linkbacks", "discover", PRIVATE)

    assert_one_line_error(result)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot fetch {PRIVATE}: 10.0.0.1 ")
    assert "not a public address" in result.stderr
    assert connects == []


def test_discover_of_something_that_is_not_a_url_is_a_one_line_error(run_cli: Invoke) -> None:
    result = run_cli("linkbacks", "discover", "ftp://example.org/file")

    assert_one_line_error(result)
    assert result.exit_code == 1


# --- send -----------------------------------------------------------------------------


def test_send_posts_a_webmention_and_prints_one_json_line_per_target(
    run_cli: Invoke, site: RemoteSite
) -> None:
    post = post_linking_to(site.url("/page"))

    result = run_cli("linkbacks", "send", str(post.pk))

    assert_ok(result)
    assert printed_lines(result.stdout) == [
        {
            "target": site.url("/page"),
            "protocol": "webmention",
            "endpoint": site.url("/webmention"),
            "status": "sent",
            "error": "",
        }
    ]
    [sent] = site.posts_to("/webmention")
    assert sent.form == {"source": permalink(post), "target": site.url("/page")}
    record = OutboundPing.objects.get(post=post)
    assert (record.status, record.protocol) == (OutboundStatus.SENT, LinkbackKind.WEBMENTION)


def test_send_skips_targets_already_told_unless_forced(run_cli: Invoke, site: RemoteSite) -> None:
    post = post_linking_to(site.url("/page"))
    assert_ok(run_cli("linkbacks", "send", str(post.pk)))

    again = run_cli("linkbacks", "send", str(post.pk))

    assert_ok(again)
    [line] = printed_lines(again.stdout)
    assert (line["status"], line["error"]) == ("skipped", "already sent")
    assert len(site.posts_to("/webmention")) == 1

    forced = run_cli("linkbacks", "send", str(post.pk), "--force")

    assert_ok(forced)
    [line] = printed_lines(forced.stdout)
    assert (line["status"], line["protocol"]) == ("sent", "webmention")
    assert len(site.posts_to("/webmention")) == 2


def test_send_with_protocol_uses_only_that_kind_of_endpoint(
    run_cli: Invoke, site: RemoteSite
) -> None:
    post = post_linking_to(site.url("/both"))

    result = run_cli("linkbacks", "send", str(post.pk), "--protocol", "pingback")

    assert_ok(result)
    assert printed_lines(result.stdout) == [
        {
            "target": site.url("/both"),
            "protocol": "pingback",
            "endpoint": site.url("/xmlrpc"),
            "status": "sent",
            "error": "",
        }
    ]
    assert site.posts_to("/webmention") == []
    [ping] = site.posts_to("/xmlrpc")
    assert b"pingback.ping" in ping.body
    assert permalink(post).encode() in ping.body


def test_send_with_a_protocol_the_page_lacks_skips_it_and_succeeds(
    run_cli: Invoke, site: RemoteSite
) -> None:
    post = post_linking_to(site.url("/page"))

    result = run_cli("linkbacks", "send", str(post.pk), "--protocol", "trackback")

    assert_ok(result)
    assert printed_lines(result.stdout) == [
        {
            "target": site.url("/page"),
            "protocol": None,
            "endpoint": None,
            "status": "skipped",
            "error": "no linkback endpoint found",
        }
    ]
    assert site.posts_to("/webmention") == []


def test_send_to_a_private_target_fails_without_traffic_and_exits_1(
    run_cli: Invoke, site: RemoteSite, connects: list[str]
) -> None:
    post = post_linking_to(PRIVATE, site.url("/page"))

    result = run_cli("linkbacks", "send", str(post.pk))

    assert result.exit_code == 1
    refused, sent = printed_lines(result.stdout)
    assert refused["target"] == PRIVATE
    assert (refused["status"], refused["protocol"], refused["endpoint"]) == ("failed", None, None)
    assert "10.0.0.1" in str(refused["error"])
    assert sent["status"] == "sent", "one failure does not stop the others"
    assert result.stderr == "Error: 1 of 2 targets failed\n"
    assert "10.0.0.1" not in connects
    assert set(connects) == {"127.0.0.1"}
    record = OutboundPing.objects.get(post=post, target_url=PRIVATE)
    assert (record.status, record.attempts) == (OutboundStatus.FAILED, 1)


def test_send_for_a_post_without_links_prints_nothing(run_cli: Invoke, site: RemoteSite) -> None:
    post = PostFactory(body="No links at all.")

    result = run_cli("linkbacks", "send", str(post.pk))

    assert_ok(result)
    assert result.stdout == ""


def test_send_for_an_unknown_post_is_a_one_line_error(run_cli: Invoke, site: RemoteSite) -> None:
    result = run_cli("linkbacks", "send", "999999")

    assert_one_line_error(result)
    assert result.stderr == "Error: no post with id 999999\n"
    assert site.seen == []


def test_send_for_a_draft_says_it_is_not_published(run_cli: Invoke, site: RemoteSite) -> None:
    post = post_linking_to(site.url("/page"), status=PostStatus.DRAFT, published_at=None)

    result = run_cli("linkbacks", "send", str(post.pk))

    assert_one_line_error(result)
    assert result.stderr == f"Error: post {post.pk} is not published\n"
    assert site.seen == []
    assert not OutboundPing.objects.filter(post=post).exists()


def test_send_with_an_unknown_protocol_is_a_usage_error(run_cli: Invoke) -> None:
    result = run_cli("linkbacks", "send", "1", "--protocol", "carrier-pigeon")

    assert_one_line_error(result)
    assert result.exit_code == 2
