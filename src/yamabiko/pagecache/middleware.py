"""Fill the page cache on a miss: the outermost middleware, so it sees the final answer.

It acts only on requests the WSGI wrapper looked up and did not find (the wrapper leaves
the key in the environ); requests that did not come through the wrapper, such as the test
client's or ASGI's, pass untouched and cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce

from yamabiko.pagecache.mirror import page_store
from yamabiko.pagecache.store import (
    ENVIRON_GENERATION,
    ENVIRON_KEY,
    entry_put,
    response_storable,
)

__all__ = ["PageCacheMiddleware"]

CACHE_HEADER = "X-Yamabiko-Cache"

logger = logging.getLogger(__name__)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = request.META.get(ENVIRON_KEY)
        if isinstance(key, str):
            if response_storable(request, response):
                try:
                    entry_put(key, response)
                except Exception:  # a page not kept is only a slower next read
                    logger.exception("page cache unavailable; the page was not stored")
                if settings.YAMABIKO_PAGE_MIRROR:
                    mirror_store(request, response)
            # Set after storing: the stored copy must not say "miss" when it is a hit.
            response[CACHE_HEADER] = "miss"
        return response


def mirror_store(request: HttpRequest, response: HttpResponse) -> None:
    """Copy a stored page into the on-disk mirror, when a front server could serve it."""
    generation = request.META.get(ENVIRON_GENERATION)
    if response.status_code != 200 or request.META.get("QUERY_STRING") or generation is None:
        return
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    # Django's nonce is made on first use: a page with no script of ours has none.
    nonce = get_nonce(request)
    try:
        page_store(
            path=request.path,
            content_type=content_type,
            body=response.content,
            generation=generation,
            nonce=str(nonce) if nonce else None,
        )
    except Exception:  # the mirror is a copy; Django still answers what it lacks
        logger.exception("page mirror unavailable; the page was not written")
