"""Moderating linkbacks in the admin, the record of those we sent, and the home page queue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.discussion.factories import CommentFactory, LinkbackFactory, OutboundPingFactory
from tests.discussion.test_admin import (
    HOSTILE,
    corpus,
    one,
    queue_text,
    soup_of,
    token_counts,
    user_content_scripts,
)
from tests.factories import PostFactory, UserFactory
from tests.remote_site import RemoteSite, remote_site
from yamabiko.discussion.models import (
    CommentStatus,
    Linkback,
    LinkbackKind,
    LinkbackStatus,
    MentionType,
    OutboundPing,
    OutboundStatus,
)
from yamabiko.posts.models import Post, PostStatus

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:discussion_linkback_changelist"
OUTBOUND = "admin:discussion_outboundping_changelist"
SEND_TASK = "yamabiko.discussion.tasks.post_linkbacks_send_task"


# --- helpers ------------------------------------------------------------------------


def changelist(client: Client, query: str = "", *, name: str = CHANGELIST) -> BeautifulSoup:
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return soup_of(response.content)


def listed_sources(page: BeautifulSoup) -> list[str]:
    return [cell.get_text(strip=True) for cell in page.select("#result_list .field-source")]


def change_url(linkback: Linkback) -> str:
    return reverse("admin:discussion_linkback_change", args=[linkback.pk])


def run_action(
    client: Client, action: str, *rows: Linkback | OutboundPing, name: str = CHANGELIST
) -> list[str]:
    """Choose ``action`` for ``rows`` on the list; the messages shown afterwards."""
    response = client.post(
        reverse(name),
        {"action": action, "_selected_action": [str(row.pk) for row in rows]},
        follow=True,
    )
    assert response.status_code == 200
    return [
        item.get_text(strip=True) for item in soup_of(response.content).select(".messagelist li")
    ]


def stored_count(post: Post) -> int:
    return Post.objects.values_list("trackback_count", flat=True).get(pk=post.pk)


def approved_count(post: Post) -> int:
    return Linkback.objects.filter(post=post).approved().count()


def status_of(linkback: Linkback) -> str:
    return Linkback.objects.values_list("status", flat=True).get(pk=linkback.pk)


def client_with(*codenames: str) -> Client:
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def queued_posts() -> list[int]:
    """The post ids of the send tasks waiting in the database queue."""
    return sorted(
        result.args_kwargs["kwargs"]["post_id"]
        for result in DBTaskResult.objects.filter(task_path=SEND_TASK)
    )


# --- the list -----------------------------------------------------------------------


def test_changelist_shows_newest_first_with_every_column(admin_client: Client) -> None:
    post = PostFactory(title="Autumn walk")
    now = timezone.now()
    LinkbackFactory(post=post, title="Older", received_at=now - timedelta(days=2))
    reply = LinkbackFactory(
        post=post,
        kind=LinkbackKind.PINGBACK,
        mention_type=MentionType.REPLY,
        title="A reply " + "long " * 30,
        source_url="https://Notes.Example.com/2025/reply/",
        status=LinkbackStatus.PENDING,
        spam_score=0.734,
        received_at=now - timedelta(hours=1),
    )

    page = changelist(admin_client)

    assert [text[:7] for text in listed_sources(page)] == ["A reply", "Older"]
    row = one(page, "#result_list tbody tr")
    cell = {
        name: one(row, f".field-{name}").get_text(strip=True)
        for name in ("kind", "mention_type", "post_title", "status", "score", "source_host")
    }
    assert cell == {
        "kind": "Pingback",
        "mention_type": "Reply",
        "post_title": "Autumn walk",
        "status": "Pending",
        "score": "0.73",
        "source_host": "notes.example.com",
    }
    link = one(row, ".field-source a")
    assert link["href"] == "https://Notes.Example.com/2025/reply/"
    assert set(link["rel"]) >= {"noopener", "noreferrer"}
    assert link["target"] == "_blank"
    assert link.get_text(strip=True).endswith("…")
    assert one(row, ".field-verified_at").get_text(strip=True)
    assert one(row, ".field-received_at").get_text(strip=True)
    assert one(row, ".field-kind a")["href"] == change_url(reply)
    assert page.select_one("nav.toplinks") is not None, "the date hierarchy"


def test_a_linkback_without_a_title_is_listed_by_its_url(admin_client: Client) -> None:
    LinkbackFactory(title="", source_url="https://example.com/untitled/")

    assert listed_sources(changelist(admin_client)) == ["https://example.com/untitled/"]


def test_a_source_url_that_is_not_http_is_shown_as_text(admin_client: Client) -> None:
    LinkbackFactory(title="Click", source_url="javascript:alert(1)")

    page = changelist(admin_client)

    assert one(page, "#result_list .field-source").select("a") == []
    assert listed_sources(page) == ["Click"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status__exact=pending", {"held", "unverified"}),
        ("?status__exact=spam", {"spam"}),
        ("?status__exact=rejected", {"rejected"}),
        ("?kind__exact=trackback", {"trackback"}),
        ("?mention_type__exact=like", {"like"}),
        ("?status__exact=pending&verified=yes", {"held"}),
        ("?verified=no", {"unverified"}),
        ("", {"held", "unverified", "spam", "rejected", "trackback", "like"}),
    ],
)
def test_changelist_filters_by_status_kind_mention_type_and_verification(
    admin_client: Client, query: str, expected: set[str]
) -> None:
    LinkbackFactory(title="held", status=LinkbackStatus.PENDING)
    LinkbackFactory(title="unverified", status=LinkbackStatus.PENDING, verified_at=None)
    LinkbackFactory(title="spam", status=LinkbackStatus.SPAM)
    LinkbackFactory(title="rejected", status=LinkbackStatus.REJECTED)
    LinkbackFactory(title="trackback", kind=LinkbackKind.TRACKBACK)
    LinkbackFactory(title="like", mention_type=MentionType.LIKE)

    assert set(listed_sources(changelist(admin_client, query))) == expected


def test_post_column_narrows_the_list_to_that_post(admin_client: Client) -> None:
    walk, rain = PostFactory(title="Walk"), PostFactory(title="Rain")
    LinkbackFactory(post=walk, title="about the walk")
    LinkbackFactory(post=rain, title="about the rain")

    link = one(changelist(admin_client), "#result_list .field-post_title a:-soup-contains('Rain')")
    page = changelist(admin_client, str(link["href"]))

    assert listed_sources(page) == ["about the rain"]
    assert admin_client.get(reverse(CHANGELIST) + "?post=rain").status_code == 302


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("heron", "saw a heron"),
        ("marsh.example", "by URL"),
        ("Kodama", "by blog name"),
        ("Tengu", "by author"),
    ],
)
def test_changelist_search_reads_url_title_blog_name_and_author(
    admin_client: Client, query: str, found: str
) -> None:
    LinkbackFactory(title="saw a heron")
    LinkbackFactory(title="by URL", source_url="https://marsh.example.org/birds/")
    LinkbackFactory(title="by blog name", blog_name="Kodama's notes")
    LinkbackFactory(title="by author", author_name="Tengu")

    assert listed_sources(changelist(admin_client, f"?q={query}")) == [found]


def test_changelist_queries_do_not_grow_with_the_rows(admin_client: Client) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            changelist(admin_client)
        return len(captured)

    LinkbackFactory.create_batch(2)
    queries_for_list()  # the first request of a test creates the Blog record
    few = queries_for_list()
    LinkbackFactory.create_batch(6)

    assert queries_for_list() == few


def test_linkbacks_cannot_be_added_in_the_admin(admin_client: Client) -> None:
    add_url = reverse("admin:discussion_linkback_add")

    assert admin_client.get(add_url).status_code == 403
    assert admin_client.post(add_url, {"source_url": "https://x.example/"}).status_code == 403
    assert changelist(admin_client).select(f'a[href="{add_url}"]') == []


# --- bulk decisions -------------------------------------------------------------------


def test_approving_counts_the_linkbacks_and_teaches_the_classifier_ham(
    admin_client: Client,
) -> None:
    post = PostFactory()
    LinkbackFactory(post=post)
    held = LinkbackFactory.create_batch(2, post=post, status=LinkbackStatus.PENDING)
    assert stored_count(post) == 1

    assert run_action(admin_client, "approve", *held) == ["2 linkbacks approved."]

    assert stored_count(post) == approved_count(post) == 3
    assert corpus() == (0, 2)
    assert {Linkback.objects.get(pk=one.pk).trained_as for one in held} == {"ham"}


def test_marking_spam_uncounts_trains_and_changing_ones_mind_does_not_count_twice(
    admin_client: Client,
) -> None:
    post = PostFactory()
    first, second = (
        LinkbackFactory(post=post, title=f"Cheap casino bonus number {n}") for n in range(2)
    )
    LinkbackFactory(post=post, title="A kind word")
    assert stored_count(post) == 3

    assert run_action(admin_client, "mark_spam", first, second) == ["2 linkbacks marked as spam."]

    assert stored_count(post) == approved_count(post) == 1
    assert corpus() == (2, 0)
    assert token_counts("casino") == (2, 0)

    assert run_action(admin_client, "approve", first) == ["1 linkback approved."]

    assert stored_count(post) == approved_count(post) == 2
    assert corpus() == (1, 1)
    assert token_counts("casino") == (1, 1)

    assert run_action(admin_client, "mark_spam", first, second) == [
        "1 linkback marked as spam. 1 already was."
    ]
    assert corpus() == (2, 0)
    assert token_counts("casino") == (2, 0)


def test_rejecting_takes_linkbacks_out_of_the_count_without_training(
    admin_client: Client,
) -> None:
    post = PostFactory()
    keep, reject = LinkbackFactory.create_batch(2, post=post)

    assert run_action(admin_client, "reject", reject) == ["1 linkback rejected."]

    assert status_of(reject) == LinkbackStatus.REJECTED
    assert status_of(keep) == LinkbackStatus.APPROVED
    assert stored_count(post) == approved_count(post) == 1
    assert corpus() == (0, 0)


def test_deleting_selected_linkbacks_goes_through_the_service(admin_client: Client) -> None:
    post = PostFactory()
    doomed = LinkbackFactory.create_batch(2, post=post)
    LinkbackFactory(post=post)
    data = {"action": "delete_selected", "_selected_action": [str(lb.pk) for lb in doomed]}

    confirm = admin_client.post(reverse(CHANGELIST), data)
    assert confirm.status_code == 200, "Django's confirmation page first"
    assert Linkback.objects.count() == 3
    response = admin_client.post(reverse(CHANGELIST), {**data, "post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not Linkback.objects.filter(pk__in=[lb.pk for lb in doomed]).exists()
    assert stored_count(post) == approved_count(post) == 1
    assert "Successfully deleted 2 linkbacks." in response.content.decode()


def test_deleting_one_linkback_keeps_the_count(admin_client: Client) -> None:
    post = PostFactory()
    linkback, _ = LinkbackFactory.create_batch(2, post=post)

    url = reverse("admin:discussion_linkback_delete", args=[linkback.pk])
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert stored_count(post) == approved_count(post) == 1


def test_a_moderator_without_change_permission_gets_no_actions() -> None:
    LinkbackFactory()

    page = changelist(client_with("view_linkback"))

    assert page.select("select[name=action]") == []


# --- the change form ----------------------------------------------------------------


def test_change_page_shows_reasons_and_verify_error_read_only(admin_client: Client) -> None:
    linkback = LinkbackFactory(
        status=LinkbackStatus.PENDING,
        spam_score=0.8123,
        spam_reasons=["more than 2 links", "classifier: 0.81 from 'casino'"],
        verify_error="source answered 503",
        author_url="https://aiko.example.com/",
    )

    page = soup_of(admin_client.get(change_url(linkback)).content)

    reasons = [item.get_text(strip=True) for item in page.select(".field-reasons li")]
    assert reasons == ["more than 2 links", "classifier: 0.81 from 'casino'"]
    assert one(page, ".field-verify_error .readonly").get_text(strip=True) == "source answered 503"
    assert one(page, ".field-score .readonly").get_text(strip=True) == "0.81"
    inputs = {
        str(field["name"])
        for field in page.select("form#linkback_form [name]")
        if field.get("type") not in ("hidden", "submit")
    }
    assert inputs == {"status"}, "only the status can change"
    source = one(page, ".field-source_link a")
    assert source["href"] == linkback.source_url
    assert "noopener" in source["rel"]
    assert "noopener" in one(page, ".field-author_link a")["rel"]
    assert one(page, ".field-post_link a")["href"] == linkback.post.get_absolute_url()


def test_changing_the_status_in_the_form_counts_and_trains(admin_client: Client) -> None:
    post = PostFactory()
    linkback = LinkbackFactory(post=post, status=LinkbackStatus.PENDING, title="Free spins")
    url = change_url(linkback)

    response = admin_client.post(url, {"status": LinkbackStatus.APPROVED})

    assert response.status_code == 302
    assert stored_count(post) == 1
    assert corpus() == (0, 1)

    admin_client.post(url, {"status": LinkbackStatus.SPAM})

    assert stored_count(post) == 0
    assert corpus() == (1, 0)
    assert status_of(linkback) == LinkbackStatus.SPAM


# --- hostile input ------------------------------------------------------------------


def test_markup_in_every_linkback_field_shows_as_text(admin_client: Client) -> None:
    linkback = LinkbackFactory(
        title=HOSTILE,
        blog_name=HOSTILE,
        excerpt=f"{HOSTILE} and <img src=x onerror=alert(2)>",
        content=f"<p>{HOSTILE}</p>",
        author_name=HOSTILE,
        author_url='https://x.example/"onmouseover="alert(3)',
        verify_error=HOSTILE,
        spam_reasons=[HOSTILE],
        status=LinkbackStatus.PENDING,
    )

    listing = changelist(admin_client)
    change = soup_of(admin_client.get(change_url(linkback)).content)

    assert user_content_scripts(listing) == []
    assert user_content_scripts(change) == []
    assert listed_sources(listing) == [HOSTILE]
    assert one(change, ".field-title .readonly").get_text(strip=True) == HOSTILE
    assert one(change, ".field-blog_name .readonly").get_text(strip=True) == HOSTILE
    assert HOSTILE in one(change, ".field-excerpt .readonly").get_text()
    assert f"<p>{HOSTILE}</p>" in one(change, ".field-content .readonly").get_text()
    assert one(change, ".field-author_name .readonly").get_text(strip=True) == HOSTILE
    assert one(change, ".field-verify_error .readonly").get_text(strip=True) == HOSTILE
    assert one(change, ".field-reasons li").get_text() == HOSTILE
    assert change.select("img[onerror]") == []
    assert one(change, ".field-author_link a")["href"] == 'https://x.example/"onmouseover="alert(3)'


# --- the admin home -------------------------------------------------------------------


def test_admin_home_counts_verified_linkbacks_waiting_for_a_moderator(
    admin_client: Client,
) -> None:
    LinkbackFactory.create_batch(2, status=LinkbackStatus.PENDING)
    LinkbackFactory(status=LinkbackStatus.PENDING, verified_at=None)  # still being checked
    LinkbackFactory(status=LinkbackStatus.SPAM)
    LinkbackFactory()
    CommentFactory(status=CommentStatus.PENDING)

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:index"))

    page = soup_of(response.content)
    assert queue_text(page) == "1 comment and 2 linkbacks awaiting moderation"
    link = one(page, "#moderation-queue a#linkback-queue")
    assert link.get_text(strip=True) == "2 linkbacks"
    linkback_queries = [q for q in captured.captured_queries if "discussion_linkback" in q["sql"]]
    assert len(linkback_queries) == 1
    assert len(listed_sources(changelist(admin_client, "?" + str(link["href"]).split("?")[1]))) == 2


def test_admin_home_says_one_linkback(admin_client: Client) -> None:
    LinkbackFactory(status=LinkbackStatus.PENDING)

    page = soup_of(admin_client.get(reverse("admin:index")).content)

    assert queue_text(page) == "0 comments and 1 linkback awaiting moderation"


@pytest.mark.parametrize(
    ("codename", "expected"),
    [
        ("view_comment", "1 comment awaiting moderation"),
        ("view_linkback", "1 linkback awaiting moderation"),
    ],
)
def test_admin_home_counts_only_what_the_user_may_see(codename: str, expected: str) -> None:
    CommentFactory(status=CommentStatus.PENDING)
    LinkbackFactory(status=LinkbackStatus.PENDING)

    page = soup_of(client_with(codename).get(reverse("admin:index")).content)

    assert queue_text(page) == expected


# --- what we sent ---------------------------------------------------------------------


@pytest.fixture
def site(settings: Settings) -> Iterator[RemoteSite]:
    settings.YAMABIKO_SITE_URL = "https://blog.example.org"
    with remote_site() as served:
        settings.YAMABIKO_OUTBOUND_ALLOW = [served.allow]
        yield served


def test_outbound_list_shows_every_column_and_filters(admin_client: Client) -> None:
    post = PostFactory(title="Autumn walk")
    OutboundPingFactory(post=post, target_url="https://ok.example.net/a/")
    OutboundPingFactory(
        post=post,
        target_url="https://down.example.net/b/",
        protocol=LinkbackKind.PINGBACK,
        endpoint="https://down.example.net/xmlrpc",
        status=OutboundStatus.FAILED,
        attempts=2,
        last_error=HOSTILE,
    )

    page = changelist(admin_client, "?status__exact=failed", name=OUTBOUND)

    [row] = page.select("#result_list tbody tr")
    cell = {
        name: one(row, f".field-{name}").get_text(strip=True)
        for name in ("post_title", "target", "protocol", "endpoint_link", "status", "attempts")
    }
    assert cell == {
        "post_title": "Autumn walk",
        "target": "https://down.example.net/b/",
        "protocol": "Pingback",
        "endpoint_link": "https://down.example.net/xmlrpc",
        "status": "Failed",
        "attempts": "2",
    }
    assert "noopener" in one(row, ".field-endpoint_link a")["rel"]
    assert one(row, ".field-last_error").get_text(strip=True) == HOSTILE
    assert user_content_scripts(page) == []
    assert one(row, ".field-last_attempt_at").get_text(strip=True)
    webmentions = changelist(admin_client, "?protocol__exact=webmention", name=OUTBOUND)
    assert [c.get_text(strip=True) for c in webmentions.select(".field-target")] == [
        "https://ok.example.net/a/"
    ]


def test_outbound_records_are_read_only(admin_client: Client) -> None:
    ping = OutboundPingFactory()
    change = reverse("admin:discussion_outboundping_change", args=[ping.pk])

    page = soup_of(admin_client.get(change).content)

    assert page.select("form input[type=submit]") == []
    assert page.select("form [name=status]") == []
    assert admin_client.get(reverse("admin:discussion_outboundping_add")).status_code == 403
    delete = reverse("admin:discussion_outboundping_delete", args=[ping.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert OutboundPing.objects.filter(pk=ping.pk).exists()
    options = changelist(admin_client, name=OUTBOUND).select("select[name=action] option")
    assert [option["value"] for option in options] == ["", "send_again_now"]


def test_send_again_now_queues_one_task_per_live_post_and_makes_failures_due(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    later = timezone.now() + timedelta(hours=1)
    walk, rain = PostFactory(), PostFactory()
    draft = PostFactory(status=PostStatus.DRAFT, published_at=None)
    failed = OutboundPingFactory(post=walk, status=OutboundStatus.FAILED, next_attempt_at=later)
    sent = OutboundPingFactory(post=walk)
    other = OutboundPingFactory(post=rain, status=OutboundStatus.SKIPPED)
    gone = OutboundPingFactory(post=draft, status=OutboundStatus.FAILED, next_attempt_at=later)

    with django_capture_on_commit_callbacks(execute=True):
        messages = run_action(
            admin_client, "send_again_now", failed, sent, other, gone, name=OUTBOUND
        )

    assert messages == [
        f"Sending again for 2 posts in the background. Not live, so not sent: post {draft.pk}."
    ]
    assert queued_posts() == sorted([walk.pk, rain.pk])
    due = OutboundPing.objects.get(pk=failed.pk).next_attempt_at
    assert due is not None
    assert due <= timezone.now()
    assert OutboundPing.objects.get(pk=gone.pk).next_attempt_at == later


def test_send_again_now_sends_a_failed_target_at_once(
    admin_client: Client,
    site: RemoteSite,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    post = PostFactory(body=f"Read [this]({site.url('/page')}).")
    failed = OutboundPingFactory(
        post=post,
        target_url=site.url("/page"),
        protocol="",
        endpoint="",
        status=OutboundStatus.FAILED,
        attempts=1,
        last_error="the page answered 503",
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "send_again_now", failed, name=OUTBOUND)

    [sent] = site.posts_to("/webmention")
    assert sent.form["target"] == site.url("/page")
    record = OutboundPing.objects.get(pk=failed.pk)
    assert (record.status, record.protocol, record.last_error) == (
        OutboundStatus.SENT,
        LinkbackKind.WEBMENTION,
        "",
    )


def test_send_again_now_needs_the_change_permission() -> None:
    OutboundPingFactory()

    viewer = changelist(client_with("view_outboundping"), name=OUTBOUND)
    sender = changelist(client_with("view_outboundping", "change_outboundping"), name=OUTBOUND)

    assert viewer.select("select[name=action]") == []
    assert sender.select("select[name=action] option[value=send_again_now]")
