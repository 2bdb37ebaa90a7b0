"""Absolute URLs of feeds and pages, always from YAMABIKO_SITE_URL, never the request's host."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

__all__ = ["FORMATS", "absolute", "feed_path", "site_feed_urls", "site_host"]

FORMATS = ("rss", "atom", "json")


def absolute(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) on the public site."""
    return f"{settings.YAMABIKO_SITE_URL}{path}"


def site_host() -> str:
    return urlsplit(settings.YAMABIKO_SITE_URL).hostname or "localhost"


def feed_path(scope: str, fmt: str, **kwargs: object) -> str:
    """The path of the ``fmt`` feed of ``scope`` (site, category, tag, author, comments, post)."""
    return reverse(f"feeds:{scope}-{fmt}", kwargs=kwargs or None)


def site_feed_urls() -> list[str]:
    """The whole blog's feeds: the topics a WebSub hub hears about."""
    return [absolute(feed_path("site", fmt)) for fmt in FORMATS]
