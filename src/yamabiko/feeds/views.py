"""Feed and robots.txt views: parse the route and ?page=, pick a selection, write a format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from yamabiko.core.exceptions import NotFound
from yamabiko.feeds.documents import Entry, Feed, Person
from yamabiko.feeds.entries import discussion_entry, post_entry
from yamabiko.feeds.jsonfeed import JSON_FEED_TYPE, json_feed
from yamabiko.feeds.locations import absolute, feed_path
from yamabiko.feeds.selections import (
    comment_scope,
    comments_changed_at,
    discussion_page,
    post_scope,
    posts_changed_at,
)
from yamabiko.feeds.websub import link_header
from yamabiko.feeds.writers import ATOM_TYPE, RSS_TYPE, atom, rss
from yamabiko.posts.models import Blog

WRITERS: dict[str, tuple[Callable[[Feed], bytes], str]] = {
    "rss": (rss, RSS_TYPE),
    "atom": (atom, ATOM_TYPE),
    "json": (json_feed, JSON_FEED_TYPE),
}


def page_number(request: HttpRequest) -> int:
    """``?page=N`` as on the HTML lists: anything but a positive number is a 404."""
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page")
    return int(raw)


def hub_of(route: Route, blog: Blog, number: int) -> str:
    # Only the whole blog's feeds are pinged on publish, so only they name the hub, and only
    # on their first page: the later pages are archives, not topics to subscribe to.
    return blog.websub_hub if route.scope == "site" and number == 1 else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One feed's address: its scope (site, category, …), format and URL arguments."""

    scope: str
    fmt: str
    arguments: Mapping[str, Any]

    def url(self, number: int = 1) -> str:
        path = absolute(feed_path(self.scope, self.fmt, **self.arguments))
        return path if number == 1 else f"{path}?page={number}"


def paged_feed(
    route: Route,
    *,
    blog: Blog,
    title: str,
    home_path: str,
    number: int,
    pages: int,
    updated: datetime,
    entries: tuple[Entry, ...],
) -> Feed:
    return Feed(
        id=route.url(),
        title=title,
        description=blog.tagline,
        home_url=absolute(home_path),
        self_url=route.url(number),
        language=blog.language,
        updated=updated,
        author=Person(name=blog.title, url=absolute("/")),
        hub=hub_of(route, blog, number),
        first_url=route.url(1) if pages > 1 else "",
        previous_url=route.url(number - 1) if number > 1 else "",
        next_url=route.url(number + 1) if number < pages else "",
        last_url=route.url(pages) if pages > 1 else "",
        entries=entries,
    )


def with_headers(response: HttpResponse, *, changed: datetime, link: str) -> HttpResponse:
    response["Last-Modified"] = http_date(changed.timestamp())
    response["Link"] = link
    return response


def unchanged(
    request: HttpRequest, route: Route, *, blog: Blog, number: int, changed: datetime
) -> HttpResponse | None:
    """A 304 for a reader whose copy is current, before any item is read."""
    response = get_conditional_response(request, last_modified=int(changed.timestamp()))
    if response is None:
        return None
    link = link_header(self_url=route.url(number), hub=hub_of(route, blog, number))
    return with_headers(response, changed=changed, link=link)


def written(feed: Feed, fmt: str, changed: datetime) -> HttpResponse:
    write, content_type = WRITERS[fmt]
    response = HttpResponse(write(feed), content_type=content_type)
    link = link_header(self_url=feed.self_url, hub=feed.hub)
    return with_headers(response, changed=changed, link=link)


@require_safe
def posts_feed(request: HttpRequest, scope: str, fmt: str, **kwargs: Any) -> HttpResponse:
    blog: Blog = request.blog  # type: ignore[attr-defined]
    number = page_number(request)
    try:
        selection = post_scope(scope, kwargs, blog)
    except NotFound as error:
        raise Http404(str(error)) from error
    route, changed = Route(scope=scope, fmt=fmt, arguments=kwargs), posts_changed_at(blog)
    early = unchanged(request, route, blog=blog, number=number, changed=changed)
    if early is not None:
        return early
    posts = selection.posts.for_listing().prefetch_related("categories")
    paginator = Paginator(posts, blog.posts_per_page)
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        raise Http404("No such page") from error
    feed = paged_feed(
        route,
        blog=blog,
        title=selection.title,
        home_path=selection.home_path,
        number=number,
        pages=paginator.num_pages,
        updated=changed,
        entries=tuple(post_entry(post) for post in page.object_list),
    )
    return written(feed, fmt, changed)


@require_safe
def comments_feed(request: HttpRequest, scope: str, fmt: str, **kwargs: Any) -> HttpResponse:
    blog: Blog = request.blog  # type: ignore[attr-defined]
    number = page_number(request)
    try:
        selection = comment_scope(scope, kwargs, blog)
    except NotFound as error:
        raise Http404(str(error)) from error
    route, changed = Route(scope=scope, fmt=fmt, arguments=kwargs), comments_changed_at(blog)
    early = unchanged(request, route, blog=blog, number=number, changed=changed)
    if early is not None:
        return early
    size = blog.posts_per_page
    try:
        items, total = discussion_page(selection, number=number, size=size)
    except NotFound as error:
        raise Http404(str(error)) from error
    titled = selection.post is None
    feed = paged_feed(
        route,
        blog=blog,
        title=selection.title,
        home_path=selection.home_path,
        number=number,
        pages=max(1, -(-total // size)),
        updated=changed,
        entries=tuple(discussion_entry(item, titled=titled) for item in items),
    )
    return written(feed, fmt, changed)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = absolute(reverse("feeds:sitemap"))
    text = render_to_string("feeds/robots.txt", {"sitemap": sitemap})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
