"""Export, import into an empty site, and compare: what each format promises to carry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from yamabiko.discussion.models import Comment, Linkback
from yamabiko.porting.exporting import export_to
from yamabiko.porting.models import ImportedItem
from yamabiko.porting.native import import_native
from yamabiko.porting.services import import_file
from yamabiko.posts.models import Blog, Category, Page, Post, Redirect, Tag

pytestmark = pytest.mark.django_db

THEME_DATA = "wxr/themeunittestdata.wordpress.xml"
MT_SAMPLE = "mt/aereal-mt-ok.txt"


def exported(format: str) -> bytes:
    out = io.BytesIO()
    export_to(format, out)
    return out.getvalue()


def site_empty() -> None:
    """Everything an import or restore writes, gone: an empty site with the same settings."""
    for model in (Comment, Linkback, Redirect, ImportedItem, Post, Page):
        model.objects.all().delete()
    while Category.objects.exists():  # leaves first: a parent is PROTECTed by its children
        Category.objects.filter(children__isnull=True).delete()
    Tag.objects.all().delete()
    User.objects.all().delete()


def discussion_of(post: Post) -> list[tuple[object, ...]]:
    comments = [
        (c.author_name, c.author_email, c.author_url, c.status, c.body_html, c.ip_address,
         c.created_at, c.depth, c.parent.author_name if c.parent else None)
        for c in post.comments.select_related("parent").order_by("created_at", "author_name")
    ]  # fmt: skip
    linkbacks = [
        (lb.kind, lb.source_url, lb.status, lb.title, lb.excerpt, lb.received_at)
        for lb in post.linkbacks.order_by("received_at", "source_url")
    ]
    return comments + linkbacks


def blog_as_shown() -> dict[str, object]:
    """What readers and authors see: rendered text, dates, taxonomies, discussion, counters."""
    posts = {
        post.slug: (
            post.title, post.status, post.published_at, post.body_html, post.extended_html,
            post.excerpt, post.is_sticky, post.allow_comments, post.allow_pings,
            post.author.username,
            sorted(category.path for category in post.categories.all()),
            sorted(tag.slug for tag in post.tags.all()),
            post.comment_count, post.trackback_count, discussion_of(post),
        )
        for post in Post.objects.select_related("author")
    }  # fmt: skip
    pages = {
        page.slug: (page.title, page.status, page.body_html, page.menu_order, page.created_at)
        for page in Page.objects.all()
    }
    categories = sorted(Category.objects.values_list("path", "name", "description"))
    tags = sorted(Tag.objects.values_list("slug", "name"))
    return {"posts": posts, "pages": pages, "categories": categories, "tags": tags}


def test_wxr_round_trip_of_the_theme_data_shows_the_same_blog(
    fixtures: Path, blog: Blog, tmp_path: Path
) -> None:
    import_file("wxr", fixtures / THEME_DATA)
    before = blog_as_shown()
    path = tmp_path / "out.xml"
    path.write_bytes(exported("wxr"))
    site_empty()
    import_file("wxr", path)
    assert blog_as_shown() == before


def test_wxr_round_trip_keeps_markdown_as_markdown(blog: Blog, tmp_path: Path) -> None:
    author = User.objects.create_user("writer")
    Post.objects.create(title="Notes", slug="notes", author=author, status="published",
                        body="*Markdown* with `code`", extended="More **here**")  # fmt: skip
    path = tmp_path / "out.xml"
    path.write_bytes(exported("wxr"))
    assert b"<em>Markdown</em>" in path.read_bytes()  # WordPress shows HTML
    site_empty()
    import_file("wxr", path)
    post = Post.objects.get()
    assert post.text_format == "markdown"
    assert post.body == "*Markdown* with `code`"
    assert post.extended == "More **here**"


def test_mt_round_trip_of_the_sample_keeps_every_entry(
    fixtures: Path, blog: Blog, tmp_path: Path
) -> None:
    blog.timezone = "Asia/Tokyo"
    blog.save()
    import_file("mt", fixtures / MT_SAMPLE)
    before = blog_as_shown()
    path = tmp_path / "out.txt"
    path.write_bytes(exported("mt"))
    text = path.read_text(encoding="utf-8")
    assert "CF50_BASENAME: textdata" in text  # the unknown key goes back out
    site_empty()
    import_file("mt", path)
    assert blog_as_shown() == before


def test_json_round_trip_of_imported_data_is_identical(fixtures: Path, blog: Blog) -> None:
    import_file("wxr", fixtures / THEME_DATA)
    import_file("mt", fixtures / MT_SAMPLE)
    first = exported("json")
    site_empty()
    import_native(io.BytesIO(first), name="site.jsonl")
    assert exported("json") == first
