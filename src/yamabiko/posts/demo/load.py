"""Write the demo content into an empty blog through the services, all or nothing."""

from __future__ import annotations

import inspect
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from yamabiko.core.exceptions import InvalidInput
from yamabiko.posts import services
from yamabiko.posts.demo.records import DemoPost
from yamabiko.posts.demo.site import CATEGORIES, PAGES, POSTS, TAGLINE, TITLE
from yamabiko.posts.models import Blog, Category, Page, PageStatus, Post, PostStatus


def demo_load(*, author: AbstractBaseUser) -> bool:
    """Fill a blog that has no posts with the sample content, written by ``author``.

    Returns False, changing nothing, when the blog already has a post of any status.
    """
    # Callers hold whatever the auth backend returned; posts and pages belong to a User.
    if not isinstance(author, User):
        raise InvalidInput(f"the demo's author must be a User, not {type(author).__name__}")
    with transaction.atomic():
        Blog.load()
        # Holding the settings row makes a second, concurrent load wait and then see posts.
        blog = Blog.objects.select_for_update().get(pk=1)
        if Post.objects.exists():
            return False
        categories = categories_save()
        today = timezone.localdate(timezone.now(), blog.zone)
        for entry in POSTS:
            services.post_create(
                author=author,
                title=entry.title,
                body=markdown_source(entry.body),
                extended=markdown_source(entry.extended),
                excerpt=entry.excerpt,
                status=entry.status,
                published_at=publication_time(entry, today=today, zone=blog.zone),
                categories=[categories[name] for name in entry.categories],
                tags=services.tags_for_names(entry.tags),
                is_sticky=entry.is_sticky,
            )
        pages_save(author=author)
        services.blog_setting_set(key="title", value=TITLE)
        services.blog_setting_set(key="tagline", value=TAGLINE)
    return True


def markdown_source(text: str) -> str:
    # The data modules indent their Markdown with the code; four leading spaces would
    # otherwise turn every paragraph into a code block.
    return inspect.cleandoc(text)


def publication_time(entry: DemoPost, *, today: date, zone: ZoneInfo) -> datetime | None:
    if entry.status == PostStatus.DRAFT:
        return None
    return datetime.combine(today - timedelta(days=entry.days_ago), entry.at, tzinfo=zone)


def categories_save() -> dict[str, Category]:
    """The demo's category tree by name, reusing categories the blog already has."""
    saved: dict[str, Category] = {}
    for entry in CATEGORIES:
        parent = saved[entry.parent] if entry.parent else None
        found = Category.objects.filter(parent=parent, name__iexact=entry.name).first()
        saved[entry.name] = found or services.category_save(
            category=Category(name=entry.name, parent=parent, description=entry.description)
        )
    return saved


def pages_save(*, author: User) -> None:
    for entry in PAGES:
        if Page.objects.filter(slug=entry.slug).exists():
            continue  # The owner's own page at that address wins over the sample.
        page = Page(
            title=entry.title,
            slug=entry.slug,
            body=markdown_source(entry.body),
            author=author,
            status=PageStatus.PUBLISHED,
            menu_order=entry.menu_order,
            show_in_menu=entry.show_in_menu,
        )
        services.full_clean_or_raise(page, exclude=["author"])
        page.save()
