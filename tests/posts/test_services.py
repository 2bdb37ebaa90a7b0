"""Writes through the services: slugs, schedules, categories, redirects, settings."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch
from urllib.parse import unquote

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, PostFactory, UserFactory
from yamabiko.core.exceptions import InvalidInput
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Redirect, Tag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("北朝鮮のミサイル、発射。", "北朝鮮のミサイル発射"),
        ("비핵화 협상", "비핵화-협상"),
        ("Ｆｕｌｌ ｗｉｄｔｈ", "full-width"),
        ("!!!", "post"),
    ],
)
def test_slug_from_title(title: str, slug: str) -> None:
    assert services.slug_from_text(title, fallback="post") == slug


def test_duplicate_slugs_are_made_unique() -> None:
    first = PostFactory(title="Same")
    second = PostFactory(title="Same")
    third = PostFactory(title="Same")

    assert [first.slug, second.slug, third.slug] == ["same", "same-2", "same-3"]


def test_saving_a_post_keeps_its_own_slug() -> None:
    post = PostFactory(title="Keep")
    post.body = "changed"
    services.post_save(post=post)

    assert Post.objects.get(pk=post.pk).slug == "keep"


def test_long_titles_make_bounded_slugs() -> None:
    post = PostFactory(title="word " * 39)
    assert len(post.slug) <= services.SLUG_MAX_WORDS_LENGTH


def test_publish_now_sets_the_date() -> None:
    before = timezone.now()
    post = PostFactory(published_at=None)

    assert post.status == PostStatus.PUBLISHED
    assert post.published_at is not None
    assert post.published_at >= before


def test_future_date_schedules_and_past_schedule_publishes() -> None:
    future = PostFactory(published_at=timezone.now() + timedelta(days=2))
    past = PostFactory(
        status=PostStatus.SCHEDULED, published_at=timezone.now() - timedelta(minutes=1)
    )

    assert future.status == PostStatus.SCHEDULED
    assert past.status == PostStatus.PUBLISHED


def test_scheduling_without_a_date_is_refused_and_writes_nothing() -> None:
    with pytest.raises(InvalidInput, match="scheduled post needs a publication date"):
        services.post_create(author=UserFactory(), title="x", body="y", status=PostStatus.SCHEDULED)
    assert not Post.objects.exists()


def test_empty_title_is_refused() -> None:
    with pytest.raises(InvalidInput, match="title"):
        services.post_create(author=UserFactory(), title="   ", body="y")
    assert not Post.objects.exists()


def test_rendered_html_follows_every_edit() -> None:
    post = PostFactory(body="*one*")
    post.body = "**two**"
    post.extended = "_three_"
    services.post_save(post=post)
    stored = Post.objects.get(pk=post.pk)

    assert stored.body_html == "<p><strong>two</strong></p>\n"
    assert stored.extended_html == "<p><em>three</em></p>\n"


def test_first_category_becomes_primary_and_follows_changes() -> None:
    a, b = CategoryFactory(), CategoryFactory()
    post = PostFactory(categories=[a, b])
    assert post.primary_category == a

    services.post_save(post=post, categories=[b])
    assert Post.objects.get(pk=post.pk).primary_category == b

    services.post_save(post=post, categories=[])
    assert Post.objects.get(pk=post.pk).primary_category is None


def test_category_paths_follow_renames_and_moves() -> None:
    travel = CategoryFactory(name="Travel", slug="travel")
    japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
    kyoto = CategoryFactory(name="Kyoto", slug="kyoto", parent=japan)
    assert kyoto.path == "travel/japan/kyoto"

    travel.slug = "trips"
    services.category_save(category=travel)
    assert Category.objects.get(pk=kyoto.pk).path == "trips/japan/kyoto"

    japan.parent = None
    services.category_save(category=japan)
    assert Category.objects.get(pk=kyoto.pk).path == "japan/kyoto"


def test_a_category_cannot_become_its_own_ancestor() -> None:
    top = CategoryFactory()
    child = CategoryFactory(parent=top)
    top.parent = child

    with pytest.raises(InvalidInput, match="own ancestor"):
        services.category_save(category=top)
    assert Category.objects.get(pk=top.pk).parent is None


def test_category_for_name_reuses_by_name_or_slug() -> None:
    other = services.category_for_name("Other")

    assert services.category_for_name("other") == other
    assert services.category_for_name("OTHER") == other
    assert services.category_for_name("旅行").slug == "旅行"
    assert Category.objects.count() == 2


def test_tags_for_names_dedupes_and_creates() -> None:
    tags = services.tags_for_names(["Walk", "walk", " ", "山"])

    assert [tag.name for tag in tags] == ["Walk", "山"]
    assert services.tags_for_names(["WALK"]) == [tags[0]]
    assert Tag.objects.count() == 2


def test_redirect_chains_collapse_to_the_newest_url() -> None:
    post = PostFactory(slug="a")
    url_a = post.get_absolute_url()
    post.slug = "b"
    services.post_save(post=post)
    url_b = post.get_absolute_url()
    post.slug = "c"
    services.post_save(post=post)

    targets = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert targets == {url_a: post.get_absolute_url(), url_b: post.get_absolute_url()}


def test_moving_back_to_an_old_url_removes_its_redirect() -> None:
    post = PostFactory(slug="a")
    post.slug = "b"
    services.post_save(post=post)
    post.slug = "a"
    services.post_save(post=post)

    assert list(Redirect.objects.values_list("old_path", flat=True)) == [
        post.get_absolute_url().replace("/a/", "/b/")
    ]


def test_drafts_leave_no_redirects_or_tombstones() -> None:
    draft = PostFactory(status=PostStatus.DRAFT, slug="draft")
    draft.slug = "renamed"
    services.post_save(post=draft)
    services.post_delete(post=draft)

    assert not Redirect.objects.exists()


def test_blog_setting_set_validates_and_saves() -> None:
    services.blog_setting_set(key="timezone", value="Asia/Tokyo")
    services.blog_setting_set(key="posts_per_page", value="25")

    blog = Blog.load()
    assert (blog.timezone, blog.posts_per_page) == ("Asia/Tokyo", 25)
    assert services.blog_settings_dict(blog)["date_format"] == "j/n H:i"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "not a known time zone"),
        ("posts_per_page", "many", "posts_per_page"),
        ("posts_per_page", "0", "posts_per_page"),
        ("language", "xx", "language"),
        ("nonsense", "1", "unknown setting"),
        ("comments_open", "maybe", "must be true or false"),
    ],
)
def test_blog_setting_set_refuses_bad_values_and_changes_nothing(
    key: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.blog_setting_set(key=key, value=value)

    blog = Blog.load()
    assert (blog.timezone, blog.posts_per_page, blog.language) == ("UTC", 10, "en")


def test_page_slug_from_title_avoids_digits_and_duplicates() -> None:
    author = UserFactory()
    first = services.page_save(page=Page(title="2024", body="x", author=author))
    second = services.page_save(page=Page(title="About", body="x", author=author))
    third = services.page_save(page=Page(title="About", body="x", author=author))

    assert [first.slug, second.slug, third.slug] == ["page-2024", "about", "about-2"]


def test_page_reserved_slug_is_refused() -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        services.page_save(page=Page(title="x", slug="admin", body="x", author=UserFactory()))
    assert not Page.objects.exists()


def test_unpublishing_or_deleting_a_page_leaves_a_tombstone() -> None:
    author = UserFactory()
    kept = services.page_save(page=Page(title="Kept", body="x", author=author, status="published"))
    hidden = services.page_save(
        page=Page(title="Hidden", body="x", author=author, status="published")
    )
    hidden.status = "draft"
    services.page_save(page=hidden)
    services.page_delete(page=kept)

    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/kept/": "",
        "/hidden/": "",
    }


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("OFF", False), ("1", True), ("no", False)]
)
def test_boolean_settings_accept_the_usual_words(text: str, value: bool) -> None:
    assert services.blog_setting_set(key="comments_open", value=text).comments_open is value


def test_feed_is_not_a_category_slug() -> None:
    assert services.category_for_name("Feed").slug == "feed-category"
    with pytest.raises(InvalidInput, match="reserved"):
        services.category_save(category=Category(name="Feeds", slug="feed"))


def test_setting_one_value_keeps_what_another_process_just_set(blog: Blog) -> None:
    # Two `config set` at once: the second read the row before the first wrote it.
    read_before = Blog.load()
    services.blog_setting_set(key="comment_rate_per_ip", value="3")
    with patch.object(Blog, "load", return_value=read_before):
        services.blog_setting_set(key="comment_rate_per_email", value="4")
    stored = Blog.load()
    assert stored.comment_rate_per_ip == 3
    assert stored.comment_rate_per_email == 4


def test_moving_a_post_with_a_long_japanese_slug_keeps_its_old_address(blog: Blog) -> None:
    # Percent-encoded, 200 kanji make a permalink of about 1,800 characters: it must fit in
    # a redirect on every database (PostgreSQL refused such paths at 500 characters).
    post = PostFactory(title="山", slug="山" * 200)
    old_url = post.get_absolute_url()
    assert len(old_url) > 1800

    post.slug = "川" * 200
    services.post_save(post=post)

    redirect = Redirect.objects.get(new_path=post.get_absolute_url())
    assert redirect.old_path in (old_url, unquote(old_url))
