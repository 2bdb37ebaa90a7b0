"""Public pages of the classic theme. Each view picks a queryset and renders it."""

from __future__ import annotations

from datetime import date

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils.encoding import escape_uri_path
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.views.decorators.csrf import requires_csrf_token

from yamabiko.posts.models import Blog, Category, Post, Tag
from yamabiko.posts.models import Page as StaticPage
from yamabiko.posts.querysets import PostQuerySet


def paginate(request: HttpRequest, posts: PostQuerySet) -> Page[Post]:
    """The requested page of ``posts``; a page that does not exist is a 404, never a 500."""
    blog: Blog = request.blog  # type: ignore[attr-defined]
    paginator = Paginator(posts, blog.posts_per_page)
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit():
        raise Http404("No such page")
    try:
        return paginator.page(int(raw))
    except InvalidPage as error:
        raise Http404("No such page") from error


def listing(request: HttpRequest, posts: PostQuerySet, *, heading: str = "") -> HttpResponse:
    page = paginate(request, posts.for_listing())
    context = {"page": page, "posts": page.object_list, "heading": heading}
    return render(request, "posts/list.html", context)


def home(request: HttpRequest) -> HttpResponse:
    return listing(request, Post.objects.live().order_by("-is_sticky", "-published_at", "-id"))


def category(request: HttpRequest, path: str) -> HttpResponse:
    found = get_object_or_404(Category, path=path)
    subtree = Category.objects.filter(Q(pk=found.pk) | Q(path__startswith=f"{found.path}/"))
    posts = Post.objects.live().filter(categories__in=subtree).distinct()
    return listing(request, posts, heading=gettext("Category: %(name)s") % {"name": found.name})


def tag(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Tag, slug=slug)
    heading = gettext("Tag: %(name)s") % {"name": found.name}
    return listing(request, Post.objects.live().filter(tags=found), heading=heading)


def author(request: HttpRequest, username: str) -> HttpResponse:
    posts = Post.objects.live().filter(author__username=username)
    if not posts.exists():
        raise Http404("No such author")
    return listing(request, posts, heading=gettext("Posts by %(name)s") % {"name": username})


def year_archive(request: HttpRequest, year: int) -> HttpResponse:
    if not 1 <= year <= 9999:
        raise Http404("No such year")
    posts = Post.objects.live().filter(published_at__year=year)
    heading = pgettext("year archive heading", "%(year)s") % {"year": year}
    return listing(request, posts, heading=heading)


def month_archive(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        raise Http404("No such month")
    posts = Post.objects.live().filter(published_at__year=year, published_at__month=month)
    # The locale's own order and month names: "February 2026", "2026年2月".
    heading = date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    return listing(request, posts, heading=heading)


def detail(request: HttpRequest, year: int, month: int, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.live().for_listing(), slug=slug)
    canonical = post.get_absolute_url()
    if escape_uri_path(request.path) != canonical:
        # Right post, wrong date in the URL (a timezone change, a hand-typed link).
        return HttpResponsePermanentRedirect(canonical)
    categories = list(post.categories.all())
    return render(request, "posts/detail.html", {"post": post, "categories": categories})


def page(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(StaticPage.objects.live().select_related("author"), slug=slug)
    return render(request, "posts/page.html", {"static_page": found})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
