"""Writes to posts, pages, categories, tags, redirects and the blog's settings.

Every interface (admin, CLI, importers) goes through these functions, so the rules that
keep URLs stable and statuses consistent live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from yamabiko.core.exceptions import InvalidInput
from yamabiko.posts.models import Blog, Category, Page, PageStatus, Post, PostStatus, Redirect, Tag

SLUG_MAX_WORDS_LENGTH = 80
RESERVED_CATEGORY_SLUGS = frozenset({"feed"})


def slug_from_text(text: str, *, fallback: str) -> str:
    """A readable URL slug; CJK titles keep their characters (browsers show them as typed)."""
    slug = slugify(text, allow_unicode=True)[:SLUG_MAX_WORDS_LENGTH].strip("-_")
    return slug or fallback


def slug_unique(
    model: type[models.Model], base: str, *, exclude_pk: int | None = None, field: str = "slug"
) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is still free."""
    manager = model._default_manager
    exact = manager.filter(**{field: base})
    if exclude_pk is not None:
        exact = exact.exclude(pk=exclude_pk)
    if not exact.exists():
        # An equality lookup uses the unique index; the prefix scan below (a LIKE, which
        # SQLite cannot answer from an index) is only needed when the slug is taken.
        return base
    existing = manager.filter(**{f"{field}__startswith": base})
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list(field, flat=True))
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def full_clean_or_raise(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        messages = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
        )
        raise InvalidInput(messages) from error


# --- categories and tags ------------------------------------------------------------


def category_path(category: Category) -> str:
    return f"{category.parent.path}/{category.slug}" if category.parent else category.slug


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Save a category and keep the stored URL paths of it and its descendants current."""
    ancestor = category.parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise InvalidInput(gettext("a category cannot be its own ancestor"))
        ancestor = ancestor.parent
    if not category.slug:
        base = slug_from_text(category.name, fallback="category")
        base = f"{base}-category" if base in RESERVED_CATEGORY_SLUGS else base
        category.slug = slug_unique(Category, base, exclude_pk=category.pk)
    elif category.slug in RESERVED_CATEGORY_SLUGS:
        # /category/<slug>/feed/ is the parent's feed, so a child called "feed" could never
        # be reached.
        raise InvalidInput(
            gettext("%(slug)r is reserved: choose another category slug") % {"slug": category.slug}
        )
    category.path = category_path(category)
    category.save()
    for child in category.children.all():
        category_save(category=child)
    return category


def category_for_name(name: str) -> Category:
    """The category called ``name`` (or with that slug), created at the top level if new."""
    name = name.strip()
    if not name:
        raise InvalidInput(gettext("a category name cannot be empty"))
    found = Category.objects.filter(models.Q(name__iexact=name) | models.Q(slug=name)).first()
    return found or category_save(category=Category(name=name))


def tags_for_names(names: Iterable[str]) -> list[Tag]:
    tags: list[Tag] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            slug = slug_unique(Tag, slug_from_text(name, fallback="tag"))
            tag = Tag.objects.create(name=name, slug=slug)
        if tag not in tags:
            tags.append(tag)
    return tags


# --- posts ----------------------------------------------------------------------------


def normalise_schedule(post: Post, now: datetime) -> None:
    """Make status and published_at agree, the way an author means them."""
    if post.status == PostStatus.SCHEDULED and post.published_at is None:
        raise InvalidInput(gettext("a scheduled post needs a publication date in the future"))
    if post.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED):
        if post.published_at is None:
            post.published_at = now
        post.status = PostStatus.SCHEDULED if post.published_at > now else PostStatus.PUBLISHED


def redirect_record(*, old_path: str, new_path: str) -> None:
    """Point ``old_path`` (and every older path that led to it) at ``new_path``.

    An empty ``new_path`` means the content is gone for good: readers get 410.
    """
    if old_path == new_path:
        return
    Redirect.objects.filter(old_path=new_path).delete()
    Redirect.objects.filter(new_path=old_path).update(new_path=new_path)
    Redirect.objects.update_or_create(old_path=old_path, defaults={"new_path": new_path})


@transaction.atomic
def post_save(
    *,
    post: Post,
    categories: Sequence[Category] | None = None,
    tags: Sequence[Tag] | None = None,
) -> Post:
    """Create or update a post from an instance its caller has filled in.

    ``categories`` and ``tags`` replace the post's when given; None leaves them alone.
    When an edit moves a live post's permalink, the old one keeps working as a redirect.
    """
    now = timezone.now()
    previous = Post.objects.filter(pk=post.pk).first() if post.pk else None
    normalise_schedule(post, now)
    post.title = post.title.strip()
    if not post.title:
        raise InvalidInput(gettext("a post needs a title"))
    post.slug = slug_unique(
        Post, post.slug or slug_from_text(post.title, fallback="post"), exclude_pk=post.pk
    )
    full_clean_or_raise(post, exclude=["author", "categories", "tags", "primary_category"])
    post.save()
    if categories is not None:
        post.categories.set(categories)
        if post.primary_category not in categories:
            post.primary_category = categories[0] if categories else None
            post.save(update_fields=["primary_category"])
    if tags is not None:
        post.tags.set(tags)
    if previous is not None and previous.is_live(now):
        # Taken back to a draft (or rescheduled), the old permalink answers 410 Gone, which
        # is what tells Webmention receivers that a mention went away.
        new_path = post.get_absolute_url() if post.is_live(now) else ""
        redirect_record(old_path=previous.get_absolute_url(), new_path=new_path)
    return post


def post_create(
    *,
    author: User,
    title: str,
    body: str,
    extended: str = "",
    excerpt: str = "",
    status: str = PostStatus.PUBLISHED,
    published_at: datetime | None = None,
    slug: str = "",
    categories: Sequence[Category] = (),
    tags: Sequence[Tag] = (),
    allow_comments: bool = True,
    allow_pings: bool = True,
    is_sticky: bool = False,
) -> Post:
    post = Post(
        author=author,
        title=title,
        body=body,
        extended=extended,
        excerpt=excerpt,
        status=status,
        published_at=published_at,
        slug=slug,
        allow_comments=allow_comments,
        allow_pings=allow_pings,
        is_sticky=is_sticky,
    )
    return post_save(post=post, categories=categories, tags=tags)


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Delete a post; its permalink answers 410 Gone from then on if readers knew it."""
    if post.is_live():
        redirect_record(old_path=post.get_absolute_url(), new_path="")
    post.delete()


# --- static pages -------------------------------------------------------------------


@transaction.atomic
def page_save(*, page: Page) -> Page:
    """Create or update a static page; a published page's old URL redirects to its new one."""
    previous = Page.objects.filter(pk=page.pk).first() if page.pk else None
    page.title = page.title.strip()
    if not page.title:
        raise InvalidInput(gettext("a page needs a title"))
    if not page.slug:
        page.slug = slug_from_text(page.title, fallback="page")
        if page.slug.isdigit():
            page.slug = f"page-{page.slug}"
    page.slug = slug_unique(Page, page.slug, exclude_pk=page.pk)
    full_clean_or_raise(page, exclude=["author"])
    page.save()
    if previous is not None and previous.status == PageStatus.PUBLISHED:
        new_path = page.get_absolute_url() if page.status == PageStatus.PUBLISHED else ""
        redirect_record(old_path=previous.get_absolute_url(), new_path=new_path)
    return page


@transaction.atomic
def page_delete(*, page: Page) -> None:
    if page.status == PageStatus.PUBLISHED:
        redirect_record(old_path=page.get_absolute_url(), new_path="")
    page.delete()


# --- blog settings -------------------------------------------------------------------

BLOG_SETTING_KEYS = (
    "title",
    "tagline",
    "timezone",
    "language",
    "date_format",
    "posts_per_page",
    "comments_open",
    "comments_close_after_days",
    "comment_moderation",
    "comment_max_links",
    "comment_max_depth",
    "comment_rate_per_ip",
    "comment_rate_per_email",
    "comment_notify",
    "linkback_moderation",
    "linkback_rate_per_ip",
    "linkback_rate_per_host",
    "xmlrpc_enabled",
    "blocked_words",
    "blocked_domains",
    "blocked_ips",
    "websub_hub",
)


TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def boolean_from_text(key: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise InvalidInput(f"{key} must be true or false, not {value!r}")


def blog_setting_set(*, key: str, value: str) -> Blog:
    """Change one setting from its text form; every process sees it on its next request."""
    if key not in BLOG_SETTING_KEYS:
        raise InvalidInput(f"unknown setting {key!r}; known: {', '.join(BLOG_SETTING_KEYS)}")
    blog = Blog.load()
    field = Blog._meta.get_field(key)
    assert isinstance(field, models.Field)
    parsed: object
    if isinstance(field, models.BooleanField):
        parsed = boolean_from_text(key, value)
    else:
        try:
            parsed = field.to_python(value)
        except ValidationError as error:
            raise InvalidInput(f"{key}: {' '.join(error.messages)}") from error
    setattr(blog, key, parsed)
    full_clean_or_raise(blog)
    # Only this setting is written: another process changing another one at the same
    # moment must not have its change overwritten with the value this one read.
    blog.save(update_fields=[key, "updated_at"])
    return blog


def blog_settings_dict(blog: Blog) -> dict[str, object]:
    return {key: getattr(blog, key) for key in BLOG_SETTING_KEYS}
