"""Per-request blog context, and the fallback that answers old URLs with 301 or 410."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.translation.trans_real import parse_accept_lang_header

from yamabiko.posts.models import Blog, Redirect


class BlogMiddleware:
    """Load the settings record once per request and activate its timezone and language.

    The admin instead speaks the reader's language (admin_language): its pages are never
    cached, while a public page is one cached copy for every reader.

    Reading it per request (one indexed query) is what lets `yamabiko config set` reach
    every running process at its next request without any signalling.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blog = Blog.load()
        request.blog = blog  # type: ignore[attr-defined]
        timezone.activate(blog.zone)
        admin = request.path.startswith(reverse("admin:index"))
        language = admin_language(request, blog) if admin else blog.language
        translation.activate(language)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()
        if admin:
            # Public pages speak the blog's language to everyone, so one cached copy per URL
            # serves all readers; only the admin (never cached) follows the reader's browser.
            response.headers.setdefault("Content-Language", language)
            patch_vary_headers(response, ["Accept-Language"])
        return response


def admin_language(request: HttpRequest, blog: Blog) -> str:
    """The admin's language: the reader's first Accept-Language the interface speaks.

    Without a match, the blog's own language if the interface speaks it, else English.
    """
    spoken = settings.YAMABIKO_INTERFACE_LANGUAGES
    # Django's own parser: tags by quality, best first (a malformed header gives none).
    header = request.headers.get("Accept-Language", "")
    for tag, quality in parse_accept_lang_header(header):
        if quality <= 0:
            continue
        try:
            code = translation.get_supported_language_variant(tag)
        except LookupError:
            continue
        if code in spoken:
            return code
    return blog.interface_language


class RedirectFallbackMiddleware:
    """Where the URLconf found nothing, a Redirect may know where the content went."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        # Stored paths may be percent-encoded (imports) or not (typed by hand): try both.
        candidates = {request.path, escape_uri_path(request.path)}
        redirect = Redirect.objects.filter(old_path__in=candidates).first()
        if redirect is None:
            return response
        if not redirect.new_path:
            return render(request, "410.html", status=410)
        return HttpResponsePermanentRedirect(redirect.new_path)
