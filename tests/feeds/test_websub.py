"""WebSub: feeds advertise the hub, and publishing pings it through the guarded fetcher."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import CategoryFactory, PostFactory, UserFactory
from tests.feeds.conftest import SITE, Hub, at, feed_of
from yamabiko.core.net import Fetcher
from yamabiko.feeds.services import websub_publish
from yamabiko.feeds.tasks import websub_ping_task
from yamabiko.feeds.websub import link_header, publish_accepted, publish_form
from yamabiko.posts import services
from yamabiko.posts.models import Post, PostStatus

TASK_PATH = "yamabiko.feeds.tasks.websub_ping_task"
SITE_FEEDS = [f"{SITE}/feed/", f"{SITE}/feed/atom/", f"{SITE}/feed.json"]


def test_publish_form_names_mode_and_topic() -> None:
    assert publish_form("https://b.example/feed/") == [
        ("hub.mode", "publish"),
        ("hub.url", "https://b.example/feed/"),
    ]


def test_link_header_names_hub_and_self() -> None:
    assert link_header(self_url="https://b.example/feed/", hub="https://hub.example/") == (
        '<https://hub.example/>; rel="hub", <https://b.example/feed/>; rel="self"'
    )
    assert (
        link_header(self_url="https://b.example/feed/") == '<https://b.example/feed/>; rel="self"'
    )


@pytest.mark.parametrize(("status", "accepted"), [(204, True), (202, True), (200, True)])
def test_any_2xx_is_accepted(status: int, accepted: bool) -> None:
    assert publish_accepted(status) is accepted
    assert not publish_accepted(400)
    assert not publish_accepted(500)


def test_publish_posts_one_form_per_topic_to_the_hub(hub: Hub) -> None:
    outcomes = websub_publish(
        hub=hub.url, topics=["https://b.example/a", "https://b.example/b"], fetcher=Fetcher()
    )

    assert [outcome.ok for outcome in outcomes] == [True, True]
    assert [notice.form for notice in hub.notices] == [
        [("hub.mode", "publish"), ("hub.url", "https://b.example/a")],
        [("hub.mode", "publish"), ("hub.url", "https://b.example/b")],
    ]
    assert hub.notices[0].path == "/hub"
    assert hub.notices[0].content_type.startswith("application/x-www-form-urlencoded")


def test_a_failing_hub_gives_failed_outcomes(hub: Hub) -> None:
    hub.status = 500

    outcomes = websub_publish(hub=hub.url, topics=["https://b.example/a"], fetcher=Fetcher())

    assert [(outcome.ok, outcome.status) for outcome in outcomes] == [(False, 500)]


def test_a_hub_the_fetcher_may_not_reach_is_a_failed_outcome(settings) -> None:
    settings.YAMABIKO_OUTBOUND_ALLOW = []

    outcomes = websub_publish(
        hub="http://127.0.0.1:9/hub", topics=["https://b.example/a"], fetcher=Fetcher()
    )

    assert outcomes[0].ok is False
    assert outcomes[0].error


# --- through the database and the task queue --------------------------------------------


@pytest.fixture
def hub_set(hub: Hub, blog) -> Hub:
    services.blog_setting_set(key="websub_hub", value=hub.url)
    return hub


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_publishing_a_post_pings_the_hub_for_the_site_feeds(
    hub_set: Hub, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=UserFactory(), title="New", body="Hello.")

    assert hub_set.topics() == SITE_FEEDS
    assert all(("hub.mode", "publish") in notice.form for notice in hub_set.notices)


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_editing_or_deleting_a_live_post_pings_and_a_draft_does_not(
    hub_set: Hub, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.post_create(
            author=UserFactory(), title="Draft", body="x", status=PostStatus.DRAFT
        )
    assert hub_set.notices == []

    with django_capture_on_commit_callbacks(execute=True):
        draft.status = PostStatus.PUBLISHED
        services.post_save(post=draft, categories=[CategoryFactory()])
    assert hub_set.topics() == SITE_FEEDS  # once, although the service saved twice

    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=Post.objects.get(pk=draft.pk))
    assert hub_set.topics() == SITE_FEEDS * 2


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_no_hub_no_ping(hub: Hub, blog, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=UserFactory(), title="New", body="Hello.")

    assert hub.notices == []


@pytest.mark.django_db
def test_a_scheduled_post_is_pinged_when_it_goes_live(
    hub_set: Hub, django_capture_on_commit_callbacks
) -> None:
    when = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            author=UserFactory(),
            title="Later",
            body="x",
            status=PostStatus.SCHEDULED,
            published_at=when,
        )

    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert queued.run_after > when
    assert hub_set.notices == []


@pytest.mark.django_db
def test_a_failed_ping_is_retried_later(hub_set: Hub) -> None:
    hub_set.status = 503

    assert websub_ping_task.call() == 0

    retry = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after > timezone.now() + timedelta(minutes=4)
    assert len(hub_set.notices) == 3


@pytest.mark.django_db
def test_the_last_attempt_gives_up(hub_set: Hub) -> None:
    hub_set.status = 503

    assert websub_ping_task.call(attempt=3) == 0

    assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()


@pytest.mark.django_db
def test_site_feeds_advertise_the_hub_in_body_and_headers(client, hub_set: Hub) -> None:
    PostFactory(published_at=at(1))

    for url in ("/feed/", "/feed/atom/"):
        response = client.get(url)
        links = {link.rel: link.href for link in feed_of(response).feed.links}
        assert links["hub"] == hub_set.url
        assert links["self"] == f"{SITE}{url}"
        assert response["Link"] == f'<{hub_set.url}>; rel="hub", <{SITE}{url}>; rel="self"'
    data = client.get("/feed.json").json()
    assert data["hubs"] == [{"type": "WebSub", "url": hub_set.url}]


@pytest.mark.django_db
def test_only_the_first_page_of_the_site_feeds_names_the_hub(client, hub_set: Hub, blog) -> None:
    blog.refresh_from_db()
    blog.posts_per_page = 1
    blog.save()
    category = CategoryFactory(slug="travel")
    PostFactory.create_batch(2, categories=[category])

    second = client.get("/feed/atom/?page=2")
    scoped = client.get("/category/travel/feed/atom/")

    for response, self_url in (
        (second, f"{SITE}/feed/atom/?page=2"),
        (scoped, f"{SITE}/category/travel/feed/atom/"),
    ):
        assert "hub" not in {link.rel for link in feed_of(response).feed.links}
        assert response["Link"] == f'<{self_url}>; rel="self"'
