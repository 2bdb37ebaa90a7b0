"""Which of our posts a Pingback or Webmention target URL names, judged without fetching."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.encoding import escape_uri_path

from yamabiko.core.exceptions import InvalidInput
from yamabiko.posts.models import Post


class TargetNotAccepted(InvalidInput):
    """Not a page that takes linkbacks: another site, the home page, a list page."""


class TargetMissing(InvalidInput):
    """A permalink-shaped URL on this site, but no such post."""


def our_hosts(request_host: str | None) -> set[str]:
    hosts = {urlsplit(settings.YAMABIKO_SITE_URL).netloc.lower()}
    if request_host:
        hosts.add(request_host.lower())
    return hosts


def post_for_target(target_url: str, *, request_host: str | None = None) -> Post:
    parts = urlsplit(target_url)
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() not in our_hosts(request_host):
        raise TargetNotAccepted("the target is not on this site")
    path = unquote(parts.path or "/")
    try:
        match = resolve(path)
    except Resolver404 as error:
        raise TargetMissing("the target does not exist") from error
    if match.view_name != "posts:detail":
        raise TargetNotAccepted("the target is not a post")
    post = Post.objects.live().filter(slug=match.kwargs["slug"]).first()
    if post is None or post.get_absolute_url() != escape_uri_path(path):
        raise TargetMissing("the target post does not exist")
    return post
