"""HTTP caching for readers, crawlers and a CDN in front: ETags for pages, Cache-Control.

Placed right after Django's ConditionalGetMiddleware, which compares the validators set here
with If-None-Match / If-Modified-Since and answers 304, and before the session, CSRF and
message middleware, so that any cookie they set is seen here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

__all__ = ["PUBLIC_MAX_AGE", "HttpCachingMiddleware", "is_public", "needs_etag", "page_etag"]

PUBLIC_MAX_AGE = 60
DIRECTIVE_SEPARATOR = re.compile(r"\s*,\s*")
# The comment form's signed token carries the second it was issued, so two renders of an
# unchanged permalink page differ in it alone. The ETag leaves it out; the day is put in
# instead, so a copy revalidated for days never holds a token past its week of validity.
FORM_TOKEN = re.compile(rb'(<input type="hidden" name="token" value=")[^"]*(")')
# Every render's scripts carry a new CSP nonce. A 304 sends no policy (the middleware that
# adds it sits outside the one that answers 304), so a revalidated copy keeps its own
# header and nonce together.
SCRIPT_NONCE = re.compile(rb'( nonce=")[^"]*(")')


def page_etag(content: bytes, *, today: str | None = None) -> str:
    """A weak ETag for an HTML page: equal for renders that differ only in the form token
    and the scripts' nonce."""
    day = today or datetime.now(UTC).date().isoformat()
    digest = hashlib.sha256(SCRIPT_NONCE.sub(rb"\1\2", FORM_TOKEN.sub(rb"\1\2", content)))
    digest.update(day.encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def is_public(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a shared cache may keep this response: the same for every reader.

    Anything but an anonymous GET or HEAD that sent no cookies and got none is private to
    whoever asked: a logged-in author sees admin links, a remembered commenter finds the
    form filled in, and a response that sets a cookie must reach only its own client.
    """
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in (200, 304)
        and not request.COOKIES
        and not response.cookies
        and not (user is not None and user.is_authenticated)
        and not response.has_header("Cache-Control")
    )


def needs_etag(request: HttpRequest, response: HttpResponse) -> bool:
    """An HTML page that may be revalidated: a whole 200 answer that may be stored at all."""
    directives = {
        d.strip().lower() for d in DIRECTIVE_SEPARATOR.split(response.get("Cache-Control", ""))
    }
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.streaming
        and not response.has_header("ETag")
        and "no-store" not in directives
        and response.get("Content-Type", "").startswith("text/html")
    )


class HttpCachingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if needs_etag(request, response):
            response["ETag"] = page_etag(response.content)
        if is_public(request, response):
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            # A shared cache must not hand this copy to a reader who sends cookies.
            patch_vary_headers(response, ["Cookie"])
        return response
