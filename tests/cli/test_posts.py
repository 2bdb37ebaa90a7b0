"""`yamabiko post new|edit|delete`, run in this process against the test database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.cli.conftest import Invoke, assert_ok, assert_one_line_error
from tests.factories import CategoryFactory, PostFactory, TagFactory, UserFactory
from yamabiko.cli.posts import STATUSES
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Category, Post, PostStatus, Tag

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings: LazySettings) -> None:
    settings.YAMABIKO_SITE_URL = SITE


def printed_post(stdout: str) -> Post:
    data = json.loads(stdout)
    post = Post.objects.get(pk=data["id"])
    with timezone.override(Blog.load().zone):
        url = f"{SITE}{post.get_absolute_url()}"
    assert data == {"id": post.pk, "url": url, "trackback_url": f"{SITE}/trackback/{post.pk}/"}
    return post


def path_of(url: str) -> str:
    assert url.startswith(SITE)
    return url.removeprefix(SITE)


def test_status_choices_are_the_post_statuses() -> None:
    assert set(STATUSES) == set(PostStatus.values)


def test_post_new_prints_id_and_absolute_urls_as_json(run_cli: Invoke, client: Client) -> None:
    result = run_cli("post", "new", "--title", "Hello world", "--author", UserFactory().username)

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.title == "Hello world"
    assert post.status == PostStatus.PUBLISHED
    assert client.get(path_of(json.loads(result.stdout)["url"])).status_code == 200


def test_post_new_reads_markdown_body_from_a_file(run_cli: Invoke, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("Some *emphasis* and 山彦.\n", encoding="utf-8")
    extended = tmp_path / "more.md"
    extended.write_text("The **rest**.\n", encoding="utf-8")

    result = run_cli(
        "post", "new", "--title", "From a file", "--extended", str(extended), str(body)
    )

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.body == "Some *emphasis* and 山彦.\n"
    assert "<em>emphasis</em>" in post.body_html
    assert "<strong>rest</strong>" in post.extended_html


def test_post_new_reads_body_from_stdin_given_dash(run_cli: Invoke) -> None:
    result = run_cli("post", "new", "--title", "Piped", "-", input="# Heading\n\nPiped in.\n")

    assert_ok(result)
    assert printed_post(result.stdout).body == "# Heading\n\nPiped in.\n"


def test_post_new_sets_excerpt_and_slug(run_cli: Invoke) -> None:
    result = run_cli(
        "post", "new", "--title", "Title", "--excerpt", "In short.", "--slug", "my-slug"
    )

    assert_ok(result)
    post = printed_post(result.stdout)
    assert (post.excerpt, post.slug) == ("In short.", "my-slug")
    assert json.loads(result.stdout)["url"].endswith("/my-slug/")


def test_post_new_draft_prints_urls_but_is_not_public(run_cli: Invoke, client: Client) -> None:
    result = run_cli("post", "new", "--title", "Not yet", "--status", "draft")

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.status == PostStatus.DRAFT
    assert post.published_at is None
    assert client.get(path_of(json.loads(result.stdout)["url"])).status_code == 404


def test_post_new_scheduled_with_future_date_waits_for_it(run_cli: Invoke) -> None:
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    result = run_cli(
        "post", "new", "--title", "Later", "--status", "scheduled", "--date", when.isoformat()
    )

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.status == PostStatus.SCHEDULED
    assert post.published_at == when
    assert not Post.objects.live().filter(pk=post.pk).exists()
    assert Post.objects.live(now=when).filter(pk=post.pk).exists()


def test_post_new_naive_date_is_in_the_blog_timezone(run_cli: Invoke) -> None:
    services.blog_setting_set(key="timezone", value="Asia/Tokyo")

    # 08:00 on 1 March in Tokyo is still 28 February in UTC: the permalink follows Tokyo.
    result = run_cli("post", "new", "--title", "Spring", "--date", "2025-03-01T08:00")

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.published_at == datetime(2025, 2, 28, 23, 0, tzinfo=UTC)
    assert json.loads(result.stdout)["url"] == f"{SITE}/2025/03/spring/"


def test_post_new_date_with_offset_keeps_its_instant(run_cli: Invoke) -> None:
    services.blog_setting_set(key="timezone", value="America/New_York")

    result = run_cli("post", "new", "--title", "Echo", "--date", "2025-02-17T20:44:00+09:00")

    assert_ok(result)
    assert printed_post(result.stdout).published_at == datetime(2025, 2, 17, 11, 44, tzinfo=UTC)


def test_post_new_creates_categories_and_tags_first_category_primary(run_cli: Invoke) -> None:
    result = run_cli(
        "post", "new", "--title", "Sorted",
        "--category", "Travel notes", "--category", "Other",
        "--tag", "mountains", "--tag", "echo",
    )  # fmt: skip

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.primary_category is not None
    assert post.primary_category.name == "Travel notes"
    assert {c.name for c in post.categories.all()} == {"Travel notes", "Other"}
    assert {t.name for t in post.tags.all()} == {"mountains", "echo"}


def test_post_new_reuses_existing_category_and_tag_by_name(run_cli: Invoke) -> None:
    category = CategoryFactory(name="News")
    tag = TagFactory(name="django")

    result = run_cli("post", "new", "--title", "Again", "--category", "news", "--tag", "Django")

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.primary_category == category
    assert list(post.tags.all()) == [tag]
    assert (Category.objects.count(), Tag.objects.count()) == (1, 1)


def test_post_new_no_comments_and_no_pings_close_discussion(run_cli: Invoke) -> None:
    result = run_cli("post", "new", "--title", "Quiet", "--no-comments", "--no-pings")

    assert_ok(result)
    post = printed_post(result.stdout)
    assert (post.allow_comments, post.allow_pings) == (False, False)


def test_post_new_without_flags_accepts_comments_and_pings(run_cli: Invoke) -> None:
    result = run_cli("post", "new", "--title", "Open")

    assert_ok(result)
    post = printed_post(result.stdout)
    assert (post.allow_comments, post.allow_pings) == (True, True)


def test_post_new_stores_ping_urls_one_per_line(run_cli: Invoke) -> None:
    result = run_cli(
        "post", "new", "--title", "Pinging",
        "--ping", "https://a.example/trackback/1", "--ping", "http://b.example/tb.cgi/2",
    )  # fmt: skip

    assert_ok(result)
    post = printed_post(result.stdout)
    assert post.ping_urls.splitlines() == [
        "https://a.example/trackback/1",
        "http://b.example/tb.cgi/2",
    ]


def test_post_new_author_option_names_the_author(run_cli: Invoke) -> None:
    UserFactory(username="boss", is_superuser=True)
    hanako = UserFactory(username="hanako")

    result = run_cli("post", "new", "--title", "Mine", "--author", "hanako")

    assert_ok(result)
    assert printed_post(result.stdout).author == hanako


def test_post_new_default_author_is_the_first_superuser(run_cli: Invoke) -> None:
    UserFactory(username="writer")
    boss = UserFactory(username="boss", is_superuser=True)

    result = run_cli("post", "new", "--title", "Whose")

    assert_ok(result)
    assert printed_post(result.stdout).author == boss


def test_post_new_default_author_is_the_first_user_without_superusers(run_cli: Invoke) -> None:
    first = UserFactory(username="first")
    UserFactory(username="second")

    result = run_cli("post", "new", "--title", "Whose")

    assert_ok(result)
    assert printed_post(result.stdout).author == first


def test_post_new_without_users_creates_admin_without_password(run_cli: Invoke) -> None:
    result = run_cli("post", "new", "--title", "First post")

    assert_ok(result)
    author = printed_post(result.stdout).author
    assert author.username == "admin"
    assert not author.has_usable_password()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--title", "T", "--status", "bogus"], id="unknown-status"),
        pytest.param(["--title", "T", "--date", "next tuesday"], id="bad-date"),
        pytest.param(["--title", "T", "--date", "2025-02-30T10:00"], id="impossible-date"),
        pytest.param(["--title", "T", "--ping", "ftp://example.org/tb"], id="ftp-ping"),
        pytest.param(["--title", "T", "--ping", "example.org/tb"], id="relative-ping"),
        pytest.param(["--title", "T", "--status", "scheduled"], id="scheduled-without-date"),
        pytest.param(["--title", "   "], id="blank-title"),
        pytest.param(["--title", "T", "--author", "nobody"], id="unknown-author"),
        pytest.param(["--title", "T", "--slug", "no spaces allowed"], id="bad-slug"),
        pytest.param(["--title", "T", "/nonexistent/body.md"], id="missing-body-file"),
        pytest.param(["--category", "News"], id="no-title"),
    ],
)
def test_post_new_refuses_bad_input_with_one_line_and_creates_nothing(
    run_cli: Invoke, args: list[str]
) -> None:
    UserFactory(username="writer")

    result = run_cli("post", "new", "--category", "Fresh", "--tag", "fresh", *args)

    assert_one_line_error(result)
    assert result.stdout == ""
    assert (Post.objects.count(), Category.objects.count(), Tag.objects.count()) == (0, 0, 0)


def test_post_new_refuses_a_body_that_is_not_utf8(run_cli: Invoke, tmp_path: Path) -> None:
    body = tmp_path / "latin1.md"
    body.write_bytes("Café crème".encode("latin-1"))

    result = run_cli("post", "new", "--title", "Encoding", str(body))

    assert_one_line_error(result)
    assert "UTF-8" in result.stderr
    assert not Post.objects.exists()


def test_post_edit_title_change_keeps_the_permalink(run_cli: Invoke) -> None:
    post = PostFactory(title="First thoughts")

    result = run_cli("post", "edit", str(post.pk), "--title", "Second thoughts")

    assert_ok(result)
    edited = printed_post(result.stdout)
    assert edited.title == "Second thoughts"
    assert path_of(json.loads(result.stdout)["url"]) == post.get_absolute_url()


def test_post_edit_new_slug_keeps_old_permalink_redirecting(
    run_cli: Invoke, client: Client
) -> None:
    post = PostFactory(title="First thoughts")
    old_path = post.get_absolute_url()

    result = run_cli("post", "edit", str(post.pk), "--slug", "second-thoughts")

    assert_ok(result)
    new_path = path_of(json.loads(result.stdout)["url"])
    assert new_path.endswith("/second-thoughts/")
    response = client.get(old_path)
    assert response.status_code == 301
    assert response["Location"] == new_path
    assert client.get(new_path).status_code == 200


def test_post_edit_keeps_a_slug_chosen_by_hand(run_cli: Invoke) -> None:
    post = PostFactory(title="Original", slug="chosen-by-hand")

    result = run_cli("post", "edit", str(post.pk), "--title", "Renamed")

    assert_ok(result)
    assert printed_post(result.stdout).slug == "chosen-by-hand"


def test_post_edit_changes_only_the_options_given(run_cli: Invoke) -> None:
    category, tag = CategoryFactory(), TagFactory()
    post = PostFactory(
        title="Stays", body="Body stays.", categories=[category], tags=[tag], allow_pings=False
    )
    before = Post.objects.get(pk=post.pk)

    result = run_cli("post", "edit", str(post.pk), "--excerpt", "New summary.")

    assert_ok(result)
    after = printed_post(result.stdout)
    assert after.excerpt == "New summary."
    for field in ("title", "slug", "body", "status", "published_at", "author", "allow_pings"):
        assert getattr(after, field) == getattr(before, field), field
    assert list(after.categories.all()) == [category]
    assert list(after.tags.all()) == [tag]


def test_post_edit_flag_pairs_can_reopen_discussion(run_cli: Invoke) -> None:
    post = PostFactory(allow_comments=False, allow_pings=False)

    result = run_cli("post", "edit", str(post.pk), "--comments", "--pings")

    assert_ok(result)
    edited = printed_post(result.stdout)
    assert (edited.allow_comments, edited.allow_pings) == (True, True)


def test_post_edit_categories_and_tags_replace_the_lists(run_cli: Invoke) -> None:
    post = PostFactory(categories=[CategoryFactory(name="Old")], tags=[TagFactory(name="old")])

    result = run_cli("post", "edit", str(post.pk), "--category", "New", "--tag", "new")

    assert_ok(result)
    edited = printed_post(result.stdout)
    assert [c.name for c in edited.categories.all()] == ["New"]
    assert edited.primary_category is not None
    assert edited.primary_category.name == "New"
    assert [t.name for t in edited.tags.all()] == ["new"]


def test_post_edit_body_file_replaces_the_body(run_cli: Invoke) -> None:
    post = PostFactory(body="Old body.")

    result = run_cli("post", "edit", str(post.pk), "-", input="New *body*.")

    assert_ok(result)
    edited = printed_post(result.stdout)
    assert edited.body == "New *body*."
    assert "<em>body</em>" in edited.body_html


def test_post_edit_future_date_reschedules_a_live_post(run_cli: Invoke) -> None:
    post = PostFactory()
    later = (timezone.now() + timedelta(days=1)).replace(microsecond=0)

    result = run_cli("post", "edit", str(post.pk), "--date", later.isoformat())

    assert_ok(result)
    edited = printed_post(result.stdout)
    assert (edited.status, edited.published_at) == (PostStatus.SCHEDULED, later)


def test_post_edit_unknown_id_fails_with_one_line(run_cli: Invoke) -> None:
    result = run_cli("post", "edit", "4040", "--title", "Nothing")

    assert_one_line_error(result)
    assert "4040" in result.stderr


def test_post_edit_refused_change_leaves_the_post_alone(run_cli: Invoke) -> None:
    post = PostFactory(title="Safe")

    result = run_cli(
        "post", "edit", str(post.pk),
        "--title", "Changed", "--category", "Fresh", "--slug", "no spaces allowed",
    )  # fmt: skip

    assert_one_line_error(result)
    assert Post.objects.get(pk=post.pk).title == "Safe"
    assert not Category.objects.exists()


def test_post_delete_makes_the_permalink_gone(run_cli: Invoke, client: Client) -> None:
    post = PostFactory()
    path = post.get_absolute_url()

    result = run_cli("post", "delete", str(post.pk))

    assert_ok(result)
    assert json.loads(result.stdout) == {"id": post.pk, "deleted": True}
    assert not Post.objects.filter(pk=post.pk).exists()
    assert client.get(path).status_code == 410


def test_post_delete_unknown_id_fails_with_one_line(run_cli: Invoke) -> None:
    result = run_cli("post", "delete", "4040")

    assert_one_line_error(result)


def test_post_commands_leave_no_timezone_active(run_cli: Invoke) -> None:
    services.blog_setting_set(key="timezone", value="Asia/Tokyo")

    assert_ok(run_cli("post", "new", "--title", "Zone"))

    assert timezone.get_current_timezone_name() == "UTC"
    assert get_user_model().objects.count() == 1
