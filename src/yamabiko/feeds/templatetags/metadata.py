"""{% page_metadata %} for the <head> of every page, and the ``text_direction`` filter."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext

from yamabiko.feeds import pagemeta
from yamabiko.feeds.content import first_image_url, summary_text
from yamabiko.feeds.locations import absolute
from yamabiko.posts.models import Blog, Post
from yamabiko.posts.models import Page as StaticPage

register = template.Library()

# List pages whose own feeds exist, and the URL argument that names them.
SCOPED_LISTS = {"posts:category": "path", "posts:tag": "slug", "posts:author": "username"}


@register.filter
def text_direction(language: str) -> str:
    return pagemeta.text_direction(language)


def page_meta(context: template.Context, request: HttpRequest, blog: Blog) -> pagemeta.PageMeta:
    post, static_page = context.get("post"), context.get("static_page")
    if isinstance(post, Post):
        meta = pagemeta.post_meta(post, blog)
        meta.feeds += pagemeta.feed_links(
            "post",
            gettext("Comments on “%(title)s”") % {"title": post.title},
            year=post.permalink_date.year,
            month=post.permalink_date.month,
            slug=post.slug,
        )
        return meta
    if isinstance(static_page, StaticPage):
        url = absolute(static_page.get_absolute_url())
        image = first_image_url(static_page.body_html, url)
        return pagemeta.PageMeta(
            canonical=url,
            title=static_page.title,
            description=summary_text("", static_page.body_html, limit=200),
            site_name=blog.title,
            image=image,
        )
    heading = str(context.get("heading") or "")
    number = getattr(context.get("page"), "number", 1)
    meta = pagemeta.PageMeta(
        canonical=pagemeta.canonical_url(
            escape_uri_path(request.path), page=number, query=str(context.get("query") or "")
        ),
        title=heading or blog.title,
        description=blog.tagline,
        site_name=blog.title,
    )
    match = request.resolver_match
    if heading and match is not None and match.view_name in SCOPED_LISTS:
        argument = SCOPED_LISTS[match.view_name]
        scope = match.view_name.removeprefix("posts:")
        meta.feeds += pagemeta.feed_links(scope, heading, **{argument: match.kwargs[argument]})
    return meta


@register.inclusion_tag("feeds/_head.html", takes_context=True)
def page_metadata(context: template.Context) -> dict[str, Any]:
    """Canonical link, feed autodiscovery, Open Graph, Twitter card and JSON-LD; no queries."""
    request: HttpRequest | None = context.get("request")
    blog = context.get("blog")
    if request is None or not isinstance(blog, Blog):
        return {}
    meta = page_meta(context, request, blog)
    site_feeds = pagemeta.feed_links("site", blog.title)
    comments_title = gettext("%(blog)s — Comments") % {"blog": blog.title}
    comments = pagemeta.feed_links("comments", comments_title)[:1]
    meta.feeds = [*site_feeds, *comments, *meta.feeds]
    return {"meta": meta}
