"""Every change a page shows reaches it at once: the page cached before is never served after."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.discussion.factories import CommentFactory, LinkbackFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, UserFactory
from tests.pagecache.conftest import Server
from yamabiko.discussion.linkbacks import linkback_set_status
from yamabiko.discussion.models import CommentStatus, LinkbackStatus
from yamabiko.discussion.services import comment_set_status
from yamabiko.pagecache.generation import content_changed, generation_current, generation_read
from yamabiko.pagecache.models import Generation
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Post, Tag

pytestmark = pytest.mark.django_db


def shows_change(
    server: Server, url: str, change: Callable[[], object], old: str, new: str
) -> None:
    """The page is cached (a hit) before the change and shows the change right after it."""
    before = server.get(url)
    assert before.cache == "miss"
    assert old.encode() in before.body
    assert new.encode() not in before.body
    assert server.get(url).cache == "hit"

    change()

    after = server.get(url)
    assert after.cache == "miss"
    assert new.encode() in after.body
    assert server.get(url).cache == "hit"


@pytest.fixture
def post(blog: Blog) -> Post:
    return PostFactory(title="Echo valley", body="The first shout.")


@pytest.mark.parametrize("url", ["/", "/feed/", "PERMALINK"])
def test_post_edit_shows_at_once(server: Server, post: Post, url: str):
    def edit() -> None:
        post.title = "Echo valley at dawn"
        services.post_save(post=post)

    path = post.get_absolute_url() if url == "PERMALINK" else url
    shows_change(server, path, edit, "Echo valley", "Echo valley at dawn")


def test_new_approved_comment_shows_at_once(server: Server, post: Post):
    def comment() -> None:
        CommentFactory(post=post, body="Heard it too.")

    shows_change(server, post.get_absolute_url(), comment, "Echo valley", "Heard it too.")


def test_comment_count_on_home_follows_a_new_comment(server: Server, post: Post):
    shows_change(server, "/", lambda: CommentFactory(post=post), "Comment (0)", "Comment (1)")


def test_comment_approved_by_a_moderator_shows_at_once(server: Server, post: Post):
    held = CommentFactory(post=post, body="Waiting for a nod.", status=CommentStatus.PENDING)

    def approve() -> None:
        comment_set_status(comment=held, status=CommentStatus.APPROVED)

    shows_change(server, post.get_absolute_url(), approve, "Echo valley", "Waiting for a nod.")


def test_new_approved_linkback_shows_at_once(server: Server, post: Post):
    def link() -> None:
        LinkbackFactory(post=post, title="A walk they wrote up")

    shows_change(server, post.get_absolute_url(), link, "Echo valley", "A walk they wrote up")


def test_linkback_approved_by_a_moderator_shows_at_once(server: Server, post: Post):
    held = LinkbackFactory(post=post, title="Pending mention", status=LinkbackStatus.PENDING)

    def approve() -> None:
        linkback_set_status(linkback=held, status=LinkbackStatus.APPROVED)

    shows_change(server, "/", approve, "Trackback (0)", "Trackback (1)")


def test_category_rename_shows_at_once(server: Server, blog: Blog):
    category = CategoryFactory(name="Walks", slug="walks")
    PostFactory(title="Ridge", categories=[category])

    def rename() -> None:
        category.name = "Hikes"
        services.category_save(category=category)

    shows_change(server, "/", rename, "Category: <a", "Hikes")


def test_tag_rename_shows_at_once(server: Server, blog: Blog):
    [tag] = services.tags_for_names(["moss"])
    post = PostFactory(title="Ridge", tags=[tag])

    def rename() -> None:
        fresh = Tag.objects.get(pk=tag.pk)
        fresh.name = "lichen"
        fresh.save()

    shows_change(server, post.get_absolute_url(), rename, "moss", "lichen")


def test_blog_title_change_shows_at_once(server: Server, post: Post):
    def retitle() -> None:
        services.blog_setting_set(key="title", value="Mountain Echoes")

    shows_change(server, "/feed/", retitle, "Echo valley", "Mountain Echoes")


def test_page_edit_shows_at_once(server: Server, blog: Blog):
    page = PageFactory(title="About", slug="about", body="Who writes here.")

    def edit() -> None:
        page.body = "Two of us write here."
        services.page_save(page=page)

    shows_change(server, "/about/", edit, "Who writes here.", "Two of us write here.")


def test_author_rename_shows_at_once(server: Server, blog: Blog):
    author = UserFactory(first_name="Kodama", last_name="Yama")
    PostFactory(title="Ridge", author=author)

    def rename() -> None:
        author.first_name = "Sansei"
        author.save()

    shows_change(server, "/feed/", rename, "Kodama", "Sansei")


def test_deleted_post_is_gone_at_once(server: Server, post: Post):
    url = post.get_absolute_url()
    assert server.get(url).status == 200
    assert server.get(url).cache == "hit"
    assert server.get("/").cache == "miss"

    services.post_delete(post=post)

    gone = server.get(url)
    assert gone.status == 410
    assert b"Echo valley" not in server.get("/").body


def test_scheduled_post_goes_live_on_the_clock_alone(server: Server, post: Post):
    soon = timezone.now() + timedelta(seconds=1)
    PostFactory(title="Arrives by itself", published_at=soon, status="scheduled")
    assert server.get("/").cache == "miss"
    assert server.get("/").cache == "hit"
    assert b"Arrives by itself" not in server.get("/").body

    time.sleep(max((soon - timezone.now()).total_seconds(), 0) + 0.05)

    after = server.get("/")
    assert after.cache == "miss"
    assert b"Arrives by itself" in after.body
    assert server.get("/").cache == "hit"


def test_the_next_scheduled_post_is_remembered_after_each_bump(post: Post):
    first = timezone.now() + timedelta(hours=1)
    second = first + timedelta(hours=1)
    PostFactory(title="One", published_at=first, status="scheduled")
    PostFactory(title="Two", published_at=second, status="scheduled")
    number = generation_current()

    assert Generation.objects.get().next_change_at == first
    assert generation_current(now=first - timedelta(seconds=1)) == number
    assert generation_current(now=first) == number + 1
    assert Generation.objects.get().next_change_at == second
    assert generation_current(now=first) == number + 1  # the same moment bumps only once


def test_a_bump_keeps_an_earlier_pending_moment_it_cannot_see(post: Post):
    # What a concurrent transaction's bump leaves behind on PostgreSQL, whose posts this
    # transaction's snapshot may not show yet.
    unseen = timezone.now() + timedelta(minutes=5)
    later = unseen + timedelta(hours=1)
    PostFactory(title="Later", published_at=later, status="scheduled")
    Generation.objects.update(next_change_at=unseen)

    content_changed()

    assert Generation.objects.get().next_change_at == unseen
    generation_current(now=unseen)
    assert Generation.objects.get().next_change_at == later


def test_a_hit_reads_only_the_generation_when_nothing_is_due(server: Server, post: Post):
    server.get("/")
    with CaptureQueriesContext(connection) as queries:
        server.get("/")
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"]


def test_a_missing_generation_row_is_made_by_the_first_change(db: None):
    Generation.objects.all().delete()
    assert generation_current() == 0

    content_changed()

    assert generation_current() == 1


def test_logging_in_does_not_empty_the_cache(post: Post):
    user = UserFactory()
    number = generation_current()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert generation_current() == number


def test_the_hits_plain_query_reads_what_the_orm_reads(post: Post):
    content_changed()
    number = Generation.objects.get().number
    moment = timezone.now().replace(microsecond=0)
    Generation.objects.update(next_change_at=moment)

    assert generation_read(moment - timedelta(microseconds=1)) == (number, False)
    assert generation_read(moment) == (number, True)
    assert generation_read(moment + timedelta(microseconds=500)) == (number, True)
    Generation.objects.update(next_change_at=None)
    assert generation_read(moment + timedelta(days=1)) == (number, False)
