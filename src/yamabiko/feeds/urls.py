"""Feeds of every scope in every format, the sitemap and robots.txt.

Included before the posts app's URLs: ``category/<catpath:path>/`` would otherwise take
``travel/feed`` for a subcategory's path.
"""

from __future__ import annotations

from django.urls import URLPattern, path

import yamabiko.posts.urls  # noqa: F401 - registers the catpath, uslug and mm converters
from yamabiko.feeds import sitemaps, views

# The feed's address below the page it belongs to, per format (DESIGN: Public URLs).
SUFFIXES = {"rss": "feed/", "atom": "feed/atom/", "json": "feed.json"}
POST_SCOPES = {
    "site": "",
    "category": "category/<catpath:path>/",
    "tag": "tag/<uslug:slug>/",
    "author": "author/<str:username>/",
}
COMMENT_SCOPES = {
    "comments": "comments/",
    "post": "<int:year>/<mm:month>/<uslug:slug>/",
}


def feed_patterns() -> list[URLPattern]:
    patterns = []
    for scopes, view in ((POST_SCOPES, views.posts_feed), (COMMENT_SCOPES, views.comments_feed)):
        for scope, prefix in scopes.items():
            for fmt, suffix in SUFFIXES.items():
                kwargs = {"scope": scope, "fmt": fmt}
                patterns.append(path(prefix + suffix, view, kwargs, name=f"{scope}-{fmt}"))
    return patterns


app_name = "feeds"
urlpatterns = [
    *feed_patterns(),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
