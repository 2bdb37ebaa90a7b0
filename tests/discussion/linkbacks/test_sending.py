"""Sending: the linked pages are real local servers that advertise endpoints and answer pings.

sending.linkbacks_send is called directly with a Fetcher; the signal and task tests run the
immediate task backend so the send really happens when the transaction commits.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.discussion.linkbacks.conftest import SITE, Page, Remote, Seen, html, permalink
from tests.factories import PostFactory
from yamabiko.core import xmlrpc
from yamabiko.core.net import Fetcher
from yamabiko.discussion import sending
from yamabiko.discussion.models import LinkbackKind, OutboundPing, OutboundStatus
from yamabiko.discussion.protocols import rdf_block, response_xml
from yamabiko.discussion.tasks import post_linkbacks_send_task
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db

XML = (("Content-Type", "text/xml; charset=utf-8"),)
ACCEPTED = Page(status=202, body=b"Accepted", headers=(("Content-Type", "text/plain"),))


def webmention_header(remote: Remote) -> tuple[str, str]:
    return ("Link", f'<{remote.url("/wm")}>; rel="webmention"')


def rdf(remote: Remote, url: str) -> str:
    return rdf_block(permalink=url, title="Their post", ping_url=remote.url("/tb"))


def target_page(
    remote: Remote, *, webmention: bool = False, pingback: bool = False, trackback: bool = False
) -> Page:
    """A page at /target offering the endpoints asked for, in headers and markup alike."""
    headers = [("Content-Type", "text/html; charset=utf-8")]
    head = ""
    if webmention:
        headers.append(webmention_header(remote))
    if pingback:
        head += f'<link rel="pingback" href="{remote.url("/xmlrpc")}">'
    body = "<p>Their post.</p>" + (rdf(remote, remote.url("/target")) if trackback else "")
    return Page(body=html(body, head=head), headers=tuple(headers))


def serve_endpoints(remote: Remote) -> None:
    remote.pages["/wm"] = ACCEPTED
    remote.pages["/xmlrpc"] = Page(body=xmlrpc.success_response("Thanks"), headers=XML)
    remote.pages["/tb"] = Page(body=response_xml(None), headers=XML)


def linking_post(remote: Remote, *paths: str, **fields: object) -> Post:
    links = " ".join(f"[link {n}]({remote.url(path)})" for n, path in enumerate(paths))
    return PostFactory(body=f"I read {links} today.", **fields)


def send(post: Post, **options: object) -> list[sending.SendOutcome]:
    return sending.linkbacks_send(post=post, fetcher=Fetcher(), **options)  # type: ignore[arg-type]


def posts_to(remote: Remote, path: str) -> list[Seen]:
    return [seen for seen in remote.hits(path) if seen.method == "POST"]


def form_of(seen: Seen) -> dict[str, list[str]]:
    return parse_qs(seen.body.decode("ascii"), strict_parsing=True)


# --- discovery and each protocol ----------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "used"),
    [
        ({"webmention": True, "pingback": True, "trackback": True}, LinkbackKind.WEBMENTION),
        ({"pingback": True, "trackback": True}, LinkbackKind.PINGBACK),
        ({"trackback": True}, LinkbackKind.TRACKBACK),
    ],
)
def test_discovery_prefers_webmention_then_pingback_then_trackback(
    remote: Remote, offered: dict[str, bool], used: str
) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, **offered)
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    endpoint = {"webmention": "/wm", "pingback": "/xmlrpc", "trackback": "/tb"}[used]
    assert (outcome.status, outcome.protocol, outcome.endpoint) == (
        OutboundStatus.SENT,
        used,
        remote.url(endpoint),
    )
    assert [seen.path for seen in remote.seen] == ["/target", endpoint]
    record = OutboundPing.objects.get()
    assert (record.target_url, record.protocol, record.endpoint, record.status) == (
        remote.url("/target"),
        used,
        remote.url(endpoint),
        OutboundStatus.SENT,
    )
    assert record.attempts == 0
    assert record.last_attempt_at is not None


def test_webmention_is_a_form_post_of_our_permalink_and_the_target(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    send(post)

    (seen,) = posts_to(remote, "/wm")
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert form_of(seen) == {"source": [permalink(post)], "target": [remote.url("/target")]}
    assert seen.headers["user-agent"].startswith("Yamabiko/")
    assert seen.headers["user-agent"].endswith("(sending a Webmention)")


def test_webmention_endpoint_found_in_the_html_is_resolved_against_the_page(
    remote: Remote,
) -> None:
    remote.pages["/dir/wm"] = ACCEPTED
    remote.pages["/dir/target"] = Page(
        body=html('<p>Hi</p><a rel="webmention" href="wm?key=1">endpoint</a>')
    )
    post = linking_post(remote, "/dir/target")

    (outcome,) = send(post)

    assert outcome.endpoint == remote.url("/dir/wm?key=1")
    (seen,) = posts_to(remote, "/dir/wm?key=1")
    assert "key" not in form_of(seen)


def test_pingback_is_an_xmlrpc_call_with_our_permalink_and_the_target(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, pingback=True)
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    assert outcome.status == OutboundStatus.SENT
    (seen,) = posts_to(remote, "/xmlrpc")
    assert seen.headers["content-type"].startswith("text/xml")
    call = xmlrpc.parse_method_call(seen.body)
    assert (call.name, call.params) == ("pingback.ping", (permalink(post), remote.url("/target")))


def test_pingback_server_named_in_the_x_pingback_header_is_used(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = Page(
        body=html("<p>No link element</p>"),
        headers=(("Content-Type", "text/html"), ("X-Pingback", remote.url("/xmlrpc"))),
    )
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    assert (outcome.protocol, outcome.status) == (LinkbackKind.PINGBACK, OutboundStatus.SENT)


@pytest.mark.parametrize(
    ("code", "status", "retried"),
    [
        (48, OutboundStatus.SENT, False),
        (17, OutboundStatus.FAILED, True),
        (16, OutboundStatus.FAILED, True),
        (33, OutboundStatus.FAILED, False),
        (32, OutboundStatus.FAILED, False),
        (49, OutboundStatus.FAILED, False),
    ],
)
def test_pingback_faults_count_as_sent_retry_or_give_up(
    remote: Remote, code: int, status: str, retried: bool
) -> None:
    remote.pages["/xmlrpc"] = Page(body=xmlrpc.fault_response(code, "No."), headers=XML)
    remote.pages["/target"] = target_page(remote, pingback=True)
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    assert outcome.status == status
    record = OutboundPing.objects.get()
    assert record.status == status
    assert (record.next_attempt_at is not None) == retried
    if status == OutboundStatus.FAILED:
        assert record.attempts == 1
        assert record.last_error.startswith(f"fault {code}")


def test_pingback_server_answering_junk_is_a_failure_not_a_crash(remote: Remote) -> None:
    remote.pages["/xmlrpc"] = Page(body=b"<html>Oops</html>", headers=XML)
    remote.pages["/target"] = target_page(remote, pingback=True)
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    assert outcome.status == OutboundStatus.FAILED


def test_trackback_found_by_rdf_gets_a_form_post_with_the_post_details(
    remote: Remote, blog: Blog
) -> None:
    blog.title = "Echo blog"
    blog.save()
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, trackback=True)
    post = linking_post(remote, "/target", title="My walk", excerpt="Up the hill")

    (outcome,) = send(post)

    assert (outcome.protocol, outcome.status) == (LinkbackKind.TRACKBACK, OutboundStatus.SENT)
    (seen,) = posts_to(remote, "/tb")
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert form_of(seen) == {
        "url": [permalink(post)],
        "title": ["My walk"],
        "excerpt": ["Up the hill"],
        "blog_name": ["Echo blog"],
    }


def test_rdf_block_for_another_page_is_not_used(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = Page(body=html(rdf(remote, remote.url("/some-other-post"))))
    post = linking_post(remote, "/target")

    (outcome,) = send(post)

    assert outcome.status == OutboundStatus.SKIPPED
    assert posts_to(remote, "/tb") == []


def test_explicit_trackback_url_is_pinged_directly(remote: Remote) -> None:
    serve_endpoints(remote)
    post = PostFactory(body="No links.", ping_urls=f"{remote.url('/tb')}\n")

    (outcome,) = send(post)

    assert (outcome.target, outcome.protocol, outcome.status) == (
        remote.url("/tb"),
        LinkbackKind.TRACKBACK,
        OutboundStatus.SENT,
    )
    assert [(seen.method, seen.path) for seen in remote.seen] == [("POST", "/tb")]
    assert OutboundPing.objects.get().explicit is True


def test_explicit_trackback_refused_by_the_server_fails(remote: Remote) -> None:
    remote.pages["/tb"] = Page(body=response_xml("Pings are closed."), headers=XML)
    post = PostFactory(body="No links.", ping_urls=remote.url("/tb"))

    (outcome,) = send(post)

    assert outcome.status == OutboundStatus.FAILED
    assert "closed" in outcome.error


def test_page_without_an_endpoint_is_skipped(remote: Remote) -> None:
    remote.pages["/plain"] = Page(body=html("<p>Nothing to see</p>"))
    post = linking_post(remote, "/plain")

    (outcome,) = send(post)

    assert (outcome.status, outcome.error) == (OutboundStatus.SKIPPED, "no linkback endpoint found")
    record = OutboundPing.objects.get()
    assert (record.status, record.attempts, record.next_attempt_at) == (
        OutboundStatus.SKIPPED,
        0,
        None,
    )


def test_links_to_our_own_site_are_not_targets(remote: Remote) -> None:
    own = PostFactory()
    post = PostFactory(body=f"See [mine]({permalink(own)}) and [this](/about/).")

    assert send(post) == []
    assert remote.seen == []


def test_another_site_on_our_host_but_another_port_is_a_target(
    remote: Remote, settings: Settings
) -> None:
    settings.YAMABIKO_SITE_URL = "http://127.0.0.1:1"
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = PostFactory(
        body=f"[theirs]({remote.url('/target')}), [ours](http://127.0.0.1:1/2020/01/x/)"
    )

    outcomes = send(post)

    assert [(o.target, o.status) for o in outcomes] == [
        (remote.url("/target"), OutboundStatus.SENT)
    ]


def test_target_at_a_private_address_is_never_requested(remote: Remote) -> None:
    post = PostFactory(body="[router](http://192.168.1.1/admin)")

    (outcome,) = send(post)

    assert outcome.status == OutboundStatus.FAILED
    assert remote.seen == []


# --- what is sent again, and when ---------------------------------------------------------


def test_unchanged_post_is_not_sent_again_and_a_changed_one_is(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")
    send(post)

    (second,) = send(post)
    assert (second.status, second.error) == (OutboundStatus.SKIPPED, "already sent")
    assert len(posts_to(remote, "/wm")) == 1

    post = Post.objects.get(pk=post.pk)
    post.title = "A better title"
    services.post_save(post=post)
    (third,) = send(post)

    assert third.status == OutboundStatus.SENT
    assert len(posts_to(remote, "/wm")) == 2


def test_force_sends_again(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")
    send(post)

    (again,) = send(post, force=True)

    assert again.status == OutboundStatus.SENT
    assert len(posts_to(remote, "/wm")) == 2


def test_only_limits_the_protocol_used(remote: Remote) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True, pingback=True, trackback=True)
    post = linking_post(remote, "/target")

    (outcome,) = send(post, only=LinkbackKind.TRACKBACK)

    assert (outcome.protocol, outcome.status) == (LinkbackKind.TRACKBACK, OutboundStatus.SENT)
    assert posts_to(remote, "/wm") == posts_to(remote, "/xmlrpc") == []


def test_failures_are_recorded_and_retried_with_backoff(remote: Remote) -> None:
    remote.pages["/wm"] = Page(status=503, body=b"busy")
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    before = timezone.now()
    (first,) = send(post)

    record = OutboundPing.objects.get()
    assert first.status == record.status == OutboundStatus.FAILED
    assert record.attempts == 1
    assert "503" in record.last_error
    assert record.next_attempt_at is not None
    first_wait = record.next_attempt_at - before
    assert timedelta(minutes=4) < first_wait <= timedelta(minutes=5, seconds=5)

    (waiting,) = send(post)
    assert (waiting.status, waiting.error) == (OutboundStatus.SKIPPED, "waiting to retry")
    assert len(posts_to(remote, "/wm")) == 1

    OutboundPing.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    before = timezone.now()
    (second,) = send(post)
    record.refresh_from_db()
    assert second.status == OutboundStatus.FAILED
    assert record.attempts == 2
    assert record.next_attempt_at is not None
    assert (
        timedelta(minutes=9) < record.next_attempt_at - before <= timedelta(minutes=10, seconds=5)
    )

    remote.pages["/wm"] = ACCEPTED
    OutboundPing.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    (third,) = send(post)
    record.refresh_from_db()
    assert third.status == record.status == OutboundStatus.SENT
    assert (record.attempts, record.next_attempt_at, record.last_error) == (0, None, "")


def test_a_client_error_from_the_webmention_endpoint_is_not_retried(remote: Remote) -> None:
    remote.pages["/wm"] = Page(status=400, body=b"invalid_target")
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    send(post)

    record = OutboundPing.objects.get()
    assert (record.status, record.next_attempt_at) == (OutboundStatus.FAILED, None)
    (again,) = send(post)
    assert again.status == OutboundStatus.SKIPPED


@pytest.mark.parametrize("status", [408, 429])
def test_a_webmention_endpoint_asking_to_come_back_later_is_retried(
    remote: Remote, status: int
) -> None:
    remote.pages["/wm"] = Page(status=status, body=b"slow down")
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    send(post)

    record = OutboundPing.objects.get()
    assert record.status == OutboundStatus.FAILED
    assert record.next_attempt_at is not None
    assert str(status) in record.last_error


# --- signals and tasks --------------------------------------------------------------------


def send_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith=".post_linkbacks_send_task"))


def test_publishing_a_post_sends_its_linkbacks_when_the_transaction_commits(
    remote: Remote,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)

    with django_capture_on_commit_callbacks(execute=True):
        post = linking_post(remote, "/target")
        assert remote.seen == []  # nothing before the commit

    (seen,) = posts_to(remote, "/wm")
    assert form_of(seen)["source"] == [permalink(post)]
    assert OutboundPing.objects.get().status == OutboundStatus.SENT


def test_saving_a_post_enqueues_the_send_task(
    remote: Remote, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post = linking_post(remote, "/target")

    (queued,) = send_tasks()
    assert queued.args_kwargs["kwargs"] == {"post_id": post.pk}
    assert remote.seen == []


def test_scheduled_post_sends_when_it_goes_live(
    remote: Remote, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    later = timezone.now() + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        post = linking_post(remote, "/target", status=PostStatus.SCHEDULED, published_at=later)

    (queued,) = send_tasks()
    assert queued.args_kwargs["kwargs"] == {"post_id": post.pk}
    assert queued.run_after == later


def test_failed_send_schedules_a_retry_task(remote: Remote) -> None:
    remote.pages["/wm"] = Page(status=503)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    assert post_linkbacks_send_task.call(post_id=post.pk) == 0

    (retry,) = send_tasks()
    assert retry.run_after == OutboundPing.objects.get().next_attempt_at


def test_send_task_with_a_backend_that_cannot_defer_still_succeeds(
    remote: Remote, immediate_tasks: None
) -> None:
    remote.pages["/wm"] = Page(status=503)
    remote.pages["/target"] = target_page(remote, webmention=True)
    post = linking_post(remote, "/target")

    result = post_linkbacks_send_task.enqueue(post_id=post.pk)

    assert result.status == "SUCCESSFUL", result.errors
    assert OutboundPing.objects.get().status == OutboundStatus.FAILED


def test_tasks_compute_permalinks_in_the_blogs_timezone(remote: Remote, blog: Blog) -> None:
    blog.timezone = "Asia/Tokyo"
    blog.save()
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    # 20:00 on 31 January in UTC is already February in Tokyo.
    post = linking_post(
        remote, "/target", slug="late", published_at=datetime(2025, 1, 31, 20, tzinfo=UTC)
    )
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        shown = permalink(post)
    assert shown == f"{SITE}/2025/02/late/"

    post_linkbacks_send_task.call(post_id=post.pk)

    (seen,) = posts_to(remote, "/wm")
    assert form_of(seen)["source"] == [shown]


@pytest.mark.parametrize("how", ["delete", "draft"])
def test_a_post_that_goes_away_resends_its_webmentions_and_answers_410(
    client: Client,
    remote: Remote,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    how: str,
) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    remote.pages["/pb-target"] = target_page(remote, pingback=True)
    with django_capture_on_commit_callbacks(execute=True):
        post = linking_post(remote, "/target", "/pb-target")
    source = permalink(post)
    path = post.get_absolute_url()
    assert client.get(path).status_code == 200
    assert len(posts_to(remote, "/wm")) == 1
    remote.seen.clear()

    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete":
            services.post_delete(post=Post.objects.get(pk=post.pk))
        else:
            draft = Post.objects.get(pk=post.pk)
            draft.status = PostStatus.DRAFT
            services.post_save(post=draft)

    # WM "Deletes": the endpoint is discovered again, and only Webmention targets are told.
    assert [(seen.method, seen.path) for seen in remote.seen] == [
        ("GET", "/target"),
        ("POST", "/wm"),
    ]
    assert form_of(remote.seen[1]) == {"source": [source], "target": [remote.url("/target")]}
    assert client.get(path).status_code == 410


def test_saving_a_draft_again_tells_no_one(
    remote: Remote,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    serve_endpoints(remote)
    remote.pages["/target"] = target_page(remote, webmention=True)
    with django_capture_on_commit_callbacks(execute=True):
        post = linking_post(remote, "/target")
    with django_capture_on_commit_callbacks(execute=True):
        draft = Post.objects.get(pk=post.pk)
        draft.status = PostStatus.DRAFT
        services.post_save(post=draft)
    assert len(posts_to(remote, "/wm")) == 2  # sent, then told it went away
    remote.seen.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = Post.objects.get(pk=post.pk)
        again.title = "Still a draft, retitled"
        services.post_save(post=again)
    assert remote.seen == []
