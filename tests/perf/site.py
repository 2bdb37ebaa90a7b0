"""A realistic blog built with the factories, and a way to grow it.

The query-count tests render every public page once on this site and once after
``site_grow`` has doubled what each page shows, so a count that depends on the data (an
N+1) fails as a difference, not just as a number that once looked right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.discussion.factories import CommentFactory, LinkbackFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from yamabiko.posts import services
from yamabiko.posts.models import Category, Page, Post, Redirect, Tag

# Midday, so every post's day is the same in UTC and in the blog's timezone.
START = datetime(2025, 3, 20, 12, tzinfo=UTC)


@dataclass(slots=True, kw_only=True)
class Site:
    featured: Post
    parent: Category
    child: Category
    tag: Tag
    static_page: Page
    posts: list[Post] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)


def discussion_add(post: Post, *, comments: int, linkbacks: int) -> None:
    """Approved comments, each with a reply and a reply to that, and approved linkbacks."""
    for _ in range(comments):
        top = CommentFactory(post=post)
        reply = CommentFactory(post=post, parent=top)
        CommentFactory(post=post, parent=reply)
    for _ in range(linkbacks):
        LinkbackFactory(post=post)


def posts_add(site: Site, *, count: int, categories: int, tags: int) -> None:
    """``count`` more posts, each filed under ``categories`` categories and ``tags`` tags,
    one a day going back in time; every one with a discussion.
    """
    site.categories += [CategoryFactory(parent=site.child) for _ in range(categories)]
    site.tags += [TagFactory() for _ in range(tags)]
    for _ in range(count):
        post = PostFactory(
            author=site.featured.author,
            published_at=START - timedelta(days=len(site.posts) + 1),
            body="A walk along the river, *heron* in sight.",
            extended="More about the walk.",
            categories=[site.parent, site.child, *site.categories[-categories:]],
            tags=[site.tag, *site.tags[-tags:]],
        )
        discussion_add(post, comments=2, linkbacks=1)
        site.posts.append(post)


def site_build() -> Site:
    author = UserFactory(username="kodama")
    parent = CategoryFactory(name="Travel", slug="travel")
    child = CategoryFactory(name="Mountains", slug="mountains", parent=parent)
    tag = TagFactory(name="walking", slug="walking")
    featured = PostFactory(
        title="Spring walk",
        slug="spring-walk",
        author=author,
        published_at=START,
        body="The *heron* again.",
        extended="More.",
        categories=[parent, child],
        tags=[tag],
    )
    site = Site(
        featured=featured,
        parent=parent,
        child=child,
        tag=tag,
        static_page=PageFactory(slug="about", author=author),
    )
    discussion_add(featured, comments=5, linkbacks=2)
    posts_add(site, count=24, categories=3, tags=3)
    Redirect.objects.create(old_path="/gone/", new_path="")
    Redirect.objects.create(old_path="/old-walk/", new_path=featured.get_absolute_url())
    services.blog_setting_set(key="posts_per_page", value="10")
    return site


def site_grow(site: Site) -> None:
    """Twice the data on every page: posts per page, categories and tags per post,
    comments and linkbacks on the featured post, posts in every archive and feed.
    """
    posts_add(site, count=25, categories=6, tags=6)
    discussion_add(site.featured, comments=5, linkbacks=2)
    services.post_save(
        post=site.featured,
        categories=[site.parent, site.child, *site.categories[:2]],
        tags=[site.tag, *site.tags[:1]],
    )
    PageFactory(author=site.featured.author)
    services.blog_setting_set(key="posts_per_page", value="20")
