"""`yamabiko post new|edit|delete`: posts from Markdown files, for people and for scripts.

Each command prints JSON on stdout (like `wp post create --porcelain`, but with the URLs a
script needs next), so its output can be piped straight into another tool.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from yamabiko.cli.base import with_blog
from yamabiko.core.exceptions import InvalidInput, NotFound

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from yamabiko.posts.models import Post

F = TypeVar("F", bound=Callable[..., Any])

# PostStatus's values: the models cannot be imported before Django is set up, and --help
# must work without that (a test keeps the two lists equal).
STATUSES = ("published", "draft", "scheduled")


def date_parse(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date, such as 2025-02-17T20:44 "
            "or 2025-02-17T20:44:00+09:00",
            ctx,
            param,
        ) from None


def ping_urls_check(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx, param)
    return values


def post_options(*, title_required: bool) -> Callable[[F], F]:
    """The options `post new` and `post edit` share; for edit, what is not given stays."""
    decorators = [
        click.option("--title", required=title_required, help="The post's title."),
        click.option(
            "--category",
            "category_names",
            multiple=True,
            metavar="NAME",
            help="A category, created if new; repeat for more, the first is the primary one.",
        ),
        click.option(
            "--tag", "tag_names", multiple=True, metavar="NAME", help="A tag; repeat for more."
        ),
        click.option(
            "--date",
            "published_at",
            metavar="ISO-8601",
            callback=date_parse,
            help="Publication time; without an offset it is in the blog's timezone.",
        ),
        click.option(
            "--status",
            type=click.Choice(STATUSES),
            help="published (default for new posts), draft, or scheduled (needs a future --date).",
        ),
        click.option(
            "--extended",
            type=click.File(encoding="utf-8"),
            metavar="FILE",
            help="Markdown file shown after “continue reading”.",
        ),
        click.option("--excerpt", metavar="TEXT", help="Plain-text summary for feeds."),
        click.option("--slug", metavar="S", help="The last part of the permalink."),
        click.option(
            "--author", metavar="USERNAME", help="Author's username (default: the first superuser)."
        ),
        click.option(
            "--comments/--no-comments", default=None, help="Accept comments (default: yes)."
        ),
        click.option(
            "--pings/--no-pings",
            default=None,
            help="Accept TrackBacks, Pingbacks and Webmentions (default: yes).",
        ),
        click.option(
            "--ping",
            "ping_urls",
            multiple=True,
            metavar="URL",
            callback=ping_urls_check,
            help="A TrackBack URL to ping when the post goes live; repeat for more.",
        ),
        click.argument("body_file", required=False, type=click.File(encoding="utf-8")),
    ]

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def text_read(stream: IO[str] | None) -> str | None:
    if stream is None:
        return None
    try:
        return stream.read()
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{stream.name} is not UTF-8 text") from error


def aware(value: datetime | None) -> datetime | None:
    from django.utils import timezone

    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_current_timezone())


def author_find(username: str | None) -> User:
    """--author, else the first superuser, else the first user, else a new `admin`.

    The created `admin` has no usable password: it only owns posts until someone sets
    one with `yamabiko manage changepassword admin`.
    """
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    users = get_user_model()._default_manager
    if username:
        found = users.filter(username=username).first()
        if found is None:
            raise NotFound(f"no user named {username!r}")
        return found
    first = users.filter(is_superuser=True).order_by("pk").first()
    first = first or users.order_by("pk").first()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            return users.create_user(username="admin")
    except IntegrityError:  # another command created it at the same moment
        return users.get(username="admin")


def post_find(post_id: int) -> Post:
    from yamabiko.posts.models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(f"no post with id {post_id}")
    return post


def post_json(post: Post, **extra: object) -> str:
    from django.conf import settings

    site = settings.YAMABIKO_SITE_URL
    return json.dumps(
        {
            "id": post.pk,
            "url": f"{site}{post.get_absolute_url()}",
            "trackback_url": f"{site}/trackback/{post.pk}/",
            **extra,
        },
        ensure_ascii=False,
    )


@click.group()
def post() -> None:
    """Create, change and delete posts (each prints JSON).

    The JSON holds the post's id, its absolute URL and its TrackBack URL.
    """


@post.command("new")
@post_options(title_required=True)
@with_blog
def post_new(
    *,
    title: str,
    category_names: Sequence[str],
    tag_names: Sequence[str],
    published_at: datetime | None,
    status: str | None,
    extended: IO[str] | None,
    excerpt: str | None,
    slug: str | None,
    author: str | None,
    comments: bool | None,
    pings: bool | None,
    ping_urls: Sequence[str],
    body_file: IO[str] | None,
) -> None:
    """Create a post from the Markdown in BODY_FILE ('-' reads stdin).

    Prints {"id": …, "url": …, "trackback_url": …}, also for drafts.
    """
    from django.db import transaction

    from yamabiko.posts import services
    from yamabiko.posts.models import Post, PostStatus

    # One transaction: a refused post leaves no new categories or tags behind.
    with transaction.atomic():
        post = Post(
            author=author_find(author),
            title=title,
            body=text_read(body_file) or "",
            extended=text_read(extended) or "",
            excerpt=excerpt or "",
            status=status or PostStatus.PUBLISHED,
            published_at=aware(published_at),
            slug=slug or "",
            allow_comments=comments is not False,
            allow_pings=pings is not False,
            ping_urls="\n".join(ping_urls),
        )
        post = services.post_save(
            post=post,
            categories=[services.category_for_name(name) for name in category_names],
            tags=services.tags_for_names(tag_names),
        )
    click.echo(post_json(post))


@post.command("edit")
@click.argument("post_id", metavar="ID", type=int)
@post_options(title_required=False)
@with_blog
def post_edit(
    *,
    post_id: int,
    title: str | None,
    category_names: Sequence[str],
    tag_names: Sequence[str],
    published_at: datetime | None,
    status: str | None,
    extended: IO[str] | None,
    excerpt: str | None,
    slug: str | None,
    author: str | None,
    comments: bool | None,
    pings: bool | None,
    ping_urls: Sequence[str],
    body_file: IO[str] | None,
) -> None:
    """Change post ID; only what is given changes (BODY_FILE: the body).

    --category and --tag replace the post's lists, --ping its TrackBack URLs. As in the
    admin, a new title keeps the permalink; a new --slug (or --date in another month)
    moves it, and the old permalink then redirects to the new one.
    """
    from django.db import transaction

    from yamabiko.posts import services

    with transaction.atomic():
        post = post_find(post_id)
        changes: dict[str, object] = {
            "title": title,
            "body": text_read(body_file),
            "extended": text_read(extended),
            "excerpt": excerpt,
            "status": status,
            "published_at": aware(published_at),
            "allow_comments": comments,
            "allow_pings": pings,
            "ping_urls": "\n".join(ping_urls) if ping_urls else None,
        }
        if slug is not None:
            changes["slug"] = slug
        if author is not None:
            changes["author"] = author_find(author)
        for field, value in changes.items():
            if value is not None:
                setattr(post, field, value)
        post = services.post_save(
            post=post,
            categories=(
                [services.category_for_name(name) for name in category_names]
                if category_names
                else None
            ),
            tags=services.tags_for_names(tag_names) if tag_names else None,
        )
    click.echo(post_json(post))


@post.command("delete")
@click.argument("post_id", metavar="ID", type=int)
@with_blog
def post_delete(*, post_id: int) -> None:
    """Delete post ID (a live post's permalink answers 410 Gone from then on)."""
    from yamabiko.posts import services

    services.post_delete(post=post_find(post_id))
    click.echo(json.dumps({"id": post_id, "deleted": True}))
