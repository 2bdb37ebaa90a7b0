"""Fill the page cache on a miss: the outermost middleware, so it sees the final answer.

It acts only on requests the WSGI wrapper looked up and did not find (the wrapper leaves
the key in the environ); requests that did not come through the wrapper, such as the test
client's or ASGI's, pass untouched and cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from yamabiko.pagecache.store import ENVIRON_KEY, entry_put, response_storable

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
            # Set after storing: the stored copy must not say "miss" when it is a hit.
            response[CACHE_HEADER] = "miss"
        return response
