"""The results page, its RSS feed, and the JSON behind search as you type.

Each view reads its parameters, calls ``search_prepare`` and formats what comes back.
Bad input never fails: the parser turns anything into a query (or a notice).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, feedgenerator, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from yamabiko.posts.models import Blog, Category, Post
from yamabiko.search.query import MAX_QUERY_LENGTH
from yamabiko.search.results import Prepared, Result, search_prepare

SUGGEST_LIMIT = 8
FEED_ITEMS = 20
# Characters XML 1.0 forbids; a feed carrying one is not well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def shown_text(raw: str) -> str:
    """The query as the page shows it back: control characters gone, capped."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())[
        :MAX_QUERY_LENGTH
    ]


def prepared_from(request: HttpRequest, *, prefix_last: bool = False) -> tuple[str, Prepared]:
    query = shown_text(request.GET.get("q", ""))
    prepared = search_prepare(
        text=query,
        category=shown_text(request.GET.get("category", "")),
        year=shown_text(request.GET.get("year", "")),
        prefix_last=prefix_last,
    )
    return query, prepared


def page_of(request: HttpRequest, prepared: Prepared) -> Page[Result]:
    """The requested page of results; one past the end is a 404, as on every list page."""
    blog: Blog = request.blog  # type: ignore[attr-defined]
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit():
        raise Http404("No such page")
    try:
        return Paginator(prepared.results, blog.posts_per_page).page(int(raw))
    except InvalidPage as error:
        raise Http404("No such page") from error


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    query, prepared = prepared_from(request)
    page = page_of(request, prepared)
    context = {
        "query": query,
        "page": page,
        "results": page.object_list,
        "notices": prepared.notices,
        "searched": prepared.searched,
        "category": request.GET.get("category", ""),
        "year": request.GET.get("year", ""),
        "categories": Category.objects.all(),
        "years": Post.objects.live().dates("published_at", "year", order="DESC"),
        "feed_query": urlencode(
            {key: request.GET.get(key, "") for key in ("q", "category", "year")} | {"q": query}
        ),
        "plain_query": urlencode({"q": query}),
    }
    return render(request, "search/results.html", context)


def result_dict(result: Result, blog: Blog) -> dict[str, str]:
    when = timezone.localtime(result.published_at) if result.published_at else None
    return {
        "title": result.title,
        "url": result.url,
        "snippet": str(result.snippet),
        "date": when.isoformat() if when else "",
        "date_text": dateformat.format(when, blog.date_format) if when else "",
        "category": result.category_name,
    }


@require_safe
def suggest(request: HttpRequest) -> JsonResponse:
    query, prepared = prepared_from(request, prefix_last=True)
    blog: Blog = request.blog  # type: ignore[attr-defined]
    found = prepared.results[:SUGGEST_LIMIT]
    return JsonResponse(
        {
            "query": query,
            "count": prepared.results.count() if found else 0,
            "results": [result_dict(result, blog) for result in found],
            "url": f"{reverse('search:results')}?{urlencode({'q': query})}",
        },
        headers={"Cache-Control": "no-cache"},
    )


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    query, prepared = prepared_from(request)
    blog: Blog = request.blog  # type: ignore[attr-defined]
    site = settings.YAMABIKO_SITE_URL
    page_url = f"{site}{reverse('search:results')}?{urlencode({'q': query})}"
    words = {"blog": blog.title, "query": query}
    title = gettext("%(blog)s: search for “%(query)s”") % words if query else blog.title
    rss = feedgenerator.Rss201rev2Feed(
        title=xml_text(title),
        link=page_url,
        description=xml_text(gettext("The newest posts on %(blog)s matching “%(query)s”.") % words),
        language=blog.language,
        feed_url=f"{site}{request.get_full_path()}",
    )
    for result in prepared.results.newest_first()[:FEED_ITEMS]:
        rss.add_item(
            title=xml_text(result.title),
            link=f"{site}{result.url}",
            description=xml_text(str(result.snippet)),
            pubdate=result.published_at,
            unique_id=f"{site}{result.url}",
            categories=[xml_text(result.category_name)] if result.category_name else (),
        )
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    rss.write(response, "utf-8")
    return response
