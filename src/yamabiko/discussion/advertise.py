"""Telling senders where our linkback endpoints are: headers, <link> elements, TrackBack RDF."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from yamabiko.posts.models import Blog, Post


def request_blog(request: HttpRequest) -> Blog:
    """The settings BlogMiddleware read for this request (read now if it did not run)."""
    blog = getattr(request, "blog", None)
    return blog if isinstance(blog, Blog) else Blog.load()


def absolute(path: str) -> str:
    return f"{settings.YAMABIKO_SITE_URL}{path}"


def pingback_endpoint() -> str:
    return absolute(reverse("discussion:xmlrpc"))


def webmention_endpoint() -> str:
    return absolute(reverse("discussion:webmention"))


def trackback_url(post: Post) -> str:
    return absolute(reverse("discussion:trackback", kwargs={"post_id": post.pk}))


class LinkbackAdvertisingMiddleware:
    """Every post page (GET and HEAD alike) names its Pingback and Webmention endpoints.

    Pingback only while the blog's `xmlrpc_enabled` is on.

    Headers rather than only <link> elements because some senders look at HEAD alone; the
    Pingback spec wants one absolute X-Pingback (§2.1), Webmention a Link header (§3.1.2).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.view_name == "posts:detail" and response.status_code == 200:
            # With XML-RPC switched off there is no Pingback server to name.
            if request_blog(request).xmlrpc_enabled:
                response["X-Pingback"] = pingback_endpoint()
            response["Link"] = f'<{webmention_endpoint()}>; rel="webmention"'
        return response
