"""Per-request blog context, and the fallback that answers old URLs with 301 or 410."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path

from yamabiko.posts.models import Blog, Redirect


class BlogMiddleware:
    """Load the settings record once per request and activate its timezone and language.

    Reading it per request (one indexed query) is what lets `yamabiko config set` reach
    every running process at its next request without any signalling.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blog = Blog.load()
        request.blog = blog  # type: ignore[attr-defined]
        timezone.activate(blog.zone)
        translation.activate(blog.language)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()


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
