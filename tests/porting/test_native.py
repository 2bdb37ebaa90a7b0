"""The native JSON lines export, and the restore that must bring back exactly what it wrote."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.discussion.factories import CommentFactory, LinkbackFactory, OutboundPingFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.models import (
    Comment,
    CommentStatus,
    Linkback,
    LinkbackKind,
    LinkbackStatus,
    MentionType,
    OutboundPing,
    OutboundStatus,
    SpamCorpus,
    SpamToken,
)
from yamabiko.discussion.spam import spam_train
from yamabiko.porting.models import ImportedItem, ImportedKind
from yamabiko.porting.native import EXPORTED, NOT_EXPORTED, export_native, import_native
from yamabiko.porting.records import ParseError
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Redirect, Tag, TextFormat
from yamabiko.search.models import Entry
from yamabiko.search.results import search_prepare

pytestmark = pytest.mark.django_db

LINKBACKS_TASK = "yamabiko.discussion.tasks.post_linkbacks_send_task"
WEBSUB_TASK = "yamabiko.feeds.tasks.websub_ping_task"


def export() -> str:
    out = io.StringIO()
    export_native(out)
    return out.getvalue()


def restore(text: str, *, name: str = "site.jsonl") -> dict[str, int]:
    return import_native(io.BytesIO(text.encode()), name=name)


def exported_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in EXPORTED]


def site_wipe() -> None:
    """Leave the database as a newly set-up site: no rows, id sequences back at 1."""
    for model in (ImportedItem, SpamCorpus, SpamToken, OutboundPing, Linkback, Comment):
        model._base_manager.all().delete()
    Redirect.objects.all().delete()
    Page.objects.all().delete()
    Post.objects.all().delete()
    Tag.objects.all().delete()
    # Category.parent protects a parent from deletion, even alongside its children.
    Category.objects.update(parent=None)
    Category.objects.all().delete()
    Blog.objects.all().delete()
    User.objects.all().delete()
    Group.objects.all().delete()
    Entry.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), exported_models()):
            cursor.execute(statement)


def rows_of_every_model() -> dict[str, list[dict[str, object]]]:
    """Every exported row as the ORM reads it, many-to-many links included."""
    rows: dict[str, list[dict[str, object]]] = {}
    for model in exported_models():
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            columns = [f.attname for f in through._meta.concrete_fields if not f.primary_key]
            rows[through._meta.label] = sorted(through.objects.values_list(*columns))
    return rows


def rich_site() -> None:
    """One of everything, in every state, with Japanese and emoji wherever text goes."""
    for key, value in {
        "title": "山彦の日記 🏔",
        "tagline": "こだまする ブログ",
        "timezone": "Asia/Tokyo",
        "language": "ja",
        "posts_per_page": "7",
        "comments_open": "false",
        "comment_moderation": "all",
        "linkback_moderation": "none",
        "blocked_words": "スパム\n💊",
        "blocked_ips": "198.51.100.0/24",
        "websub_hub": "https://hub.example/",
    }.items():
        services.blog_setting_set(key=key, value=value)

    editors = Group.objects.create(name="編集者")
    editors.permissions.add(Permission.objects.get(codename="change_post"))
    author = UserFactory(username="yamada", first_name="太郎", last_name="山田")
    author.set_password("山を登る 🧗")
    author.save()
    author.groups.add(editors)
    author.user_permissions.add(Permission.objects.get(codename="delete_comment"))
    admin = UserFactory(username="admin", is_superuser=True)

    travel = CategoryFactory(name="旅", slug="旅")
    mountains = CategoryFactory(name="山 ⛰", slug="yama", parent=travel, description="登山の記録")
    other = CategoryFactory(name="Other", slug="other")
    photos = TagFactory(name="写真", slug="写真")
    sushi = TagFactory(name="🍣", slug="sushi")

    hour = timedelta(hours=1)
    published = PostFactory(
        title="Ptarmigan on 立山 🐦",
        slug="立山",
        author=author,
        body="雷鳥を見た。 Ptarmigan!\n\n[a link](https://elsewhere.example/雷鳥)",
        extended="続きは **こちら**",
        excerpt="雷鳥の話",
        categories=[mountains, other],
        tags=[photos, sushi],
        is_sticky=True,
        ping_urls="https://tb.example/ping/1",
        published_at=timezone.now() - 3 * hour,
    )
    closed = PostFactory(
        title="HTML post",
        author=admin,
        body="<p>Kept <em>as written</em> — 日本語</p>",
        text_format=TextFormat.HTML,
        allow_comments=False,
        allow_pings=False,
        categories=[travel],
    )
    PostFactory(title="下書き draft", author=author, status=PostStatus.DRAFT, published_at=None)
    PostFactory(
        title="Scheduled 予約",
        author=author,
        status=PostStatus.SCHEDULED,
        published_at=timezone.now() + 24 * hour,
        tags=[sushi],
    )
    PageFactory(title="About 私について", slug="about", author=author, menu_order=2)
    PageFactory(
        title="下書きページ", slug="下書き", author=admin, status="draft", show_in_menu=False
    )
    Redirect.objects.create(old_path="/old/立山.html", new_path=published.get_absolute_url())
    Redirect.objects.create(old_path="/2019/01/gone/", new_path="")

    root = CommentFactory(
        post=published,
        author_name="読者 🙂",
        body="いい写真!",
        ip_address="2001:db8::1",
        user_agent="Mozilla/5.0 (日本語)",
        created_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
    )
    CommentFactory(post=published, parent=root, depth=1, author_name="山田", user=author)
    CommentFactory(post=published, status=CommentStatus.PENDING, author_url="https://例え.jp/")
    CommentFactory(
        post=published,
        status=CommentStatus.SPAM,
        body="💊 安い",
        spam_score=0.9731,
        spam_reasons=["blocked word: 💊", {"rule": "links", "count": 3}],
        trained_as="spam",
    )
    CommentFactory(post=closed, status=CommentStatus.TRASH, text_format=TextFormat.HTML)

    LinkbackFactory(post=published, kind=LinkbackKind.TRACKBACK, blog_name="ブログ名")
    LinkbackFactory(post=published, kind=LinkbackKind.PINGBACK, status=LinkbackStatus.PENDING)
    LinkbackFactory(
        post=published,
        kind=LinkbackKind.WEBMENTION,
        mention_type=MentionType.REPLY,
        author_name="🐦 bird",
        author_photo="https://bird.example/me.png",
        content="<p>返信です</p>",
    )
    for status in (LinkbackStatus.SPAM, LinkbackStatus.REJECTED, LinkbackStatus.DELETED):
        LinkbackFactory(post=closed, status=status, verify_error="リンクがない")

    OutboundPingFactory(post=published, target_url="https://elsewhere.example/雷鳥")
    OutboundPingFactory(
        post=published,
        protocol=LinkbackKind.TRACKBACK,
        status=OutboundStatus.FAILED,
        attempts=3,
        last_error="タイムアウト",
        next_attempt_at=timezone.now() + hour,
        explicit=True,
    )
    OutboundPingFactory(post=closed, protocol="", endpoint="", status=OutboundStatus.SKIPPED)

    spam_train(text="安い 💊 薬 cheap pills", as_spam=True)
    spam_train(text="雷鳥 いい写真 ptarmigan", as_spam=False)

    ImportedItem.objects.create(
        source="wxr:https://例え.jp",
        kind=ImportedKind.POST,
        key="42",
        object_id=published.pk,
        fingerprint="f" * 64,
        extra={"link": "https://例え.jp/?p=42", "meta": [["_thumbnail", "写真.jpg 📷"]]},
    )


def test_export_import_export_gives_identical_output():
    rich_site()
    before = rows_of_every_model()
    first = export()
    site_wipe()
    Blog.load()  # as on a new site that served a request: the settings row is replaced

    counts = restore(first)

    assert export() == first
    assert rows_of_every_model() == before
    assert counts == {label: len(before[label]) for label in EXPORTED}
    assert counts["discussion.Comment"] == 5
    assert counts["discussion.Linkback"] == 6


def test_restored_site_reads_as_the_original():
    rich_site()
    first = export()
    site_wipe()

    restore(first)

    post = Post.objects.get(slug="立山")
    assert (post.comment_count, post.trackback_count) == (2, 2)
    assert {category.path for category in post.categories.all()} == {"旅/yama", "other"}
    assert post.primary_category is not None
    reply = Comment.objects.get(parent__isnull=False)
    assert reply.parent is not None
    assert reply.parent.author_name == "読者 🙂"
    assert reply.user is not None
    assert reply.user.username == "yamada"
    assert reply.parent.created_at == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    author = User.objects.get(username="yamada")
    assert author.check_password("山を登る 🧗")
    assert author.has_perm("posts.change_post")
    assert author.has_perm("discussion.delete_comment")
    assert Blog.load().title == "山彦の日記 🏔"
    assert search_prepare(text="ptarmigan").results.count() == 1
    assert search_prepare(text="下書き").results.count() == 0


def test_export_is_deterministic_and_starts_with_the_header():
    rich_site()

    first = export()

    assert first == export()
    lines = first.splitlines()
    assert lines[0] == '{"format":"yamabiko","version":1}'
    assert json.loads(lines[-1]) == {"end": True, "rows": len(lines) - 2}
    labels = [json.loads(line)["model"] for line in lines[1:-1]]
    order = [label.lower() for label in EXPORTED]
    assert labels == sorted(labels, key=order.index)


def test_every_model_is_exported_or_excluded_with_a_reason():
    installed = {model._meta.label for model in apps.get_models()}

    assert installed == set(EXPORTED) | set(NOT_EXPORTED)
    assert not set(EXPORTED) & set(NOT_EXPORTED)


def test_new_rows_after_a_restore_get_new_ids():
    rich_site()
    first = export()
    site_wipe()

    restore(first)

    highest = max(Post.objects.values_list("pk", flat=True))
    post = PostFactory(author=User.objects.get(username="yamada"))
    assert post.pk > highest
    highest_comment = max(Comment.objects.values_list("pk", flat=True))
    assert CommentFactory(post=post).pk > highest_comment
    highest_category = max(Category.objects.values_list("pk", flat=True))
    assert CategoryFactory(name="新しい", slug="atarashii").pk > highest_category


@pytest.mark.django_db(transaction=True)
def test_restore_commits_outside_any_transaction():
    """Outside a test's transaction: the export's own snapshot, and the restore's commit
    (where the database checks its deferred foreign keys)."""
    small_site()
    first = export()
    site_wipe()

    restore(first)

    assert export() == first
    assert Comment.objects.filter(parent__isnull=False).count() == 1


# --- refusing a site that is not empty ---------------------------------------------------


def test_restore_into_a_site_with_content_is_refused_and_changes_nothing():
    rich_site()
    first = export()

    with pytest.raises(InvalidInput, match=r"not empty.*2 users.*4 posts"):
        restore(first)

    assert export() == first


def test_restore_into_a_site_with_only_a_user_is_refused():
    PostFactory()
    first = export()
    site_wipe()
    UserFactory(username="early-bird")

    with pytest.raises(InvalidInput, match="1 user"):
        restore(first)

    assert not Post.objects.exists()


# --- malformed files ----------------------------------------------------------------------


def small_site() -> list[str]:
    """A site whose export has a row on each of lines 2-10; returns the export's lines.

    1 header, 2 user, 3 blog, 4 category, 5 tag, 6 post, 7 comment, 8 reply, 9 linkback,
    10 end.
    """
    Blog.load()
    post = PostFactory(categories=[CategoryFactory()], tags=[TagFactory()])
    root = CommentFactory(post=post)
    CommentFactory(post=post, parent=root, depth=1)
    LinkbackFactory(post=post)
    lines = export().splitlines()
    assert [json.loads(line).get("model") for line in lines] == [
        None,
        "auth.user",
        "posts.blog",
        "posts.category",
        "posts.tag",
        "posts.post",
        "discussion.comment",
        "discussion.comment",
        "discussion.linkback",
        None,
    ]
    return lines


def with_row(lines: list[str], number: int, change: Callable[[dict[str, object]], None]) -> str:
    row = json.loads(lines[number - 1])
    change(row)
    changed = [*lines]
    changed[number - 1] = json.dumps(row, ensure_ascii=False)
    return "\n".join(changed) + "\n"


def with_field(number: int, name: str, value: object) -> Callable[[list[str]], str]:
    def change(row: dict[str, object]) -> None:
        fields = row["fields"]
        assert isinstance(fields, dict)
        fields[name] = value

    return lambda lines: with_row(lines, number, change)


def with_model(number: int, label: str) -> Callable[[list[str]], str]:
    return lambda lines: with_row(lines, number, lambda row: row.update(model=label))


MALFORMED: dict[str, tuple[Callable[[list[str]], str], int, str]] = {
    "truncated mid-line": (
        lambda lines: "\n".join([*lines[:6], lines[6][: len(lines[6]) // 2]]),
        7,
        "one JSON object",
    ),
    "cut at a line end": (lambda lines: "\n".join(lines[:-1]) + "\n", 10, "end line"),
    "miscounted end": (lambda lines: "\n".join([*lines[:8], lines[9]]) + "\n", 9, '"rows":7'),
    "missing header": (lambda lines: "\n".join(lines[1:]) + "\n", 1, "header"),
    "other version": (
        lambda lines: "\n".join(['{"format":"yamabiko","version":2}', *lines[1:]]),
        1,
        "version 1",
    ),
    "unknown model": (with_model(3, "posts.gadget"), 3, "a model of"),
    "model not exported": (with_model(3, "sessions.session"), 3, "a model of"),
    "out of order": (
        lambda lines: "\n".join([*lines[:6], lines[8], *lines[6:8], lines[9]]) + "\n",
        8,
        "dependency order",
    ),
    "repeated row": (
        lambda lines: "\n".join([*lines[:7], lines[6], *lines[7:]]) + "\n",
        8,
        "pk greater than",
    ),
    "unknown field": (with_field(6, "mood", "😊"), 6, "a field of posts.post"),
    "bad date": (with_field(6, "published_at", "yesterday"), 6, "valid values"),
    "bad number": (with_field(3, "posts_per_page", "many"), 3, "valid values"),
    "value outside the choices": (with_field(6, "status", "publish"), 6, "one of draft"),
    "too long": (with_field(5, "name", "長" * 101), 5, "at most 100"),
    "null where required": (with_field(7, "author_name", None), 7, "a value for"),
    "dangling foreign key": (with_field(7, "post", 99999), 7, "post naming a posts.post row"),
    "dangling parent": (with_field(8, "parent", 99999), 8, "parent naming"),
    "dangling many-to-many": (with_field(6, "tags", [99999]), 6, "tags naming"),
    "unique clash": (
        lambda lines: "\n".join([*lines[:5], lines[4].replace('"pk":', '"pk":1', 1), *lines[5:]]),
        6,
        "a row the database accepts",
    ),
    "not an object": (
        lambda lines: "\n".join([*lines[:3], "[1, 2]", *lines[4:]]) + "\n",
        4,
        "one JSON object",
    ),
    "invalid UTF-8": (lambda lines: "\n".join([*lines[:4], "\udcff", *lines[5:]]), 5, "UTF-8"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_names_the_line_and_changes_nothing(case: str):
    spoil, line, expected = MALFORMED[case]
    lines = small_site()
    site_wipe()
    services.blog_setting_set(key="title", value="まだ空")
    snapshot = rows_of_every_model()
    text = spoil(lines)

    with pytest.raises(ParseError) as raised:
        import_native(io.BytesIO(text.encode(errors="surrogateescape")), name="spoilt.jsonl")

    assert (raised.value.file, raised.value.line) == ("spoilt.jsonl", line)
    assert expected in str(raised.value)
    assert rows_of_every_model() == snapshot
    assert Blog.load().title == "まだ空"


def test_empty_file_lacks_the_header():
    with pytest.raises(ParseError, match="header") as raised:
        restore("")
    assert raised.value.line == 1


def test_restore_reads_a_file_by_path(tmp_path):
    small_site()
    first = export()
    site_wipe()
    path = tmp_path / "サイト.jsonl"
    path.write_text(first, encoding="utf-8")

    counts = import_native(path)

    assert counts["discussion.Comment"] == 2
    assert export() == first


# --- a restore sends nothing and indexes nothing half-loaded -----------------------------


def test_restore_queues_no_linkback_sends(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(body="[雷鳥](https://elsewhere.example/)")
    assert DBTaskResult.objects.filter(task_path=LINKBACKS_TASK).exists()  # as published
    first = export()
    site_wipe()
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        restore(first)

    assert not callbacks
    assert not DBTaskResult.objects.filter(task_path=LINKBACKS_TASK).exists()


def test_restore_queues_no_websub_ping(django_capture_on_commit_callbacks):
    services.blog_setting_set(key="websub_hub", value="https://hub.example/")
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory()
    assert DBTaskResult.objects.filter(task_path=WEBSUB_TASK).exists()  # as published
    first = export()
    site_wipe()
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        restore(first)

    assert not callbacks
    assert not DBTaskResult.objects.filter(task_path=WEBSUB_TASK).exists()


def test_raw_saves_leave_the_search_index_alone():
    post = PostFactory(title="Ptarmigan", categories=[CategoryFactory()], tags=[TagFactory()])
    assert Entry.objects.filter(object_id=post.pk).exists()  # as saved by a service
    rows, pk = serializers.serialize("python", [post]), post.pk
    post.delete()
    assert not Entry.objects.exists()

    for loaded in serializers.deserialize("python", rows):
        loaded.save()

    assert Post.objects.get(pk=pk).tags.exists()
    assert not Entry.objects.exists()
