"""/sitemap.xml (an index) and its sections, from the sitemap classes the apps own.

Django's own sitemap views take the host from the request; ours come from
YAMABIKO_SITE_URL, like every other absolute URL the blog gives out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from yamabiko.feeds.locations import absolute
from yamabiko.posts.sitemaps import CategorySitemap, PageSitemap, PostSitemap, TagSitemap

__all__ = ["SECTIONS", "index", "section"]

# The one registry of sitemap sections (STYLE rule 9); an app adds its own class here.
SECTIONS: dict[str, type[Sitemap]] = {  # type: ignore[type-arg]
    "posts": PostSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
}
XML_TYPE = "application/xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One <sitemap> of the index, as Django's sitemap_index.xml template reads it."""

    location: str
    last_mod: datetime | None


@dataclass(frozen=True, slots=True)
class PublicSite:
    """What Sitemap.get_urls reads of a Site: its domain (and path prefix, if any)."""

    domain: str


def public_site() -> tuple[str, RequestSite]:
    parts = urlsplit(settings.YAMABIKO_SITE_URL)
    # Sitemap.get_urls reads only ``domain`` of the site it is given.
    return parts.scheme, cast(RequestSite, PublicSite(domain=f"{parts.netloc}{parts.path}"))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    entries: list[IndexEntry] = []
    for name, sitemap_class in SECTIONS.items():
        sitemap = sitemap_class()
        location = absolute(reverse("feeds:sitemap-section", kwargs={"section": name}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(IndexEntry(location, lastmod))
        for number in range(2, sitemap.paginator.num_pages + 1):
            entries.append(IndexEntry(f"{location}?p={number}", lastmod))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type=XML_TYPE
    )


@require_safe
def section(request: HttpRequest, section: str) -> HttpResponse:
    sitemap_class = SECTIONS.get(section)
    if sitemap_class is None:
        raise Http404(f"No sitemap section {section!r}")
    protocol, site = public_site()
    try:
        urls = sitemap_class().get_urls(page=request.GET.get("p", 1), site=site, protocol=protocol)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such sitemap page") from error
    return TemplateResponse(request, "sitemap.xml", {"urlset": urls}, content_type=XML_TYPE)
