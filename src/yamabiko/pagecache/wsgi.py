"""Answer cache hits before Django: no middleware, no URL resolving, no view.

For a GET or HEAD that carries none of the cookies that make a page personal, the wrapper
reads the content generation (one primary-key query), looks the page up and, when found,
answers from the stored copy, with a 304 when If-None-Match names its ETag. Anything else
goes to Django, with the key in the environ so PageCacheMiddleware can fill it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication

from django.core import signals
from django.utils.http import parse_etags

from yamabiko.pagecache.generation import generation_current
from yamabiko.pagecache.middleware import CACHE_HEADER
from yamabiko.pagecache.store import (
    ENVIRON_GENERATION,
    ENVIRON_KEY,
    NOT_MODIFIED_HEADERS,
    Entry,
    entry_get,
    page_key,
    request_eligible,
)

__all__ = ["PageCacheApplication"]

logger = logging.getLogger(__name__)


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 section 13.1.2)."""
    if not header or not etag:
        return False
    wanted = parse_etags(header)
    return "*" in wanted or etag.removeprefix("W/") in {e.removeprefix("W/") for e in wanted}


def reason(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


class PageCacheApplication:
    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not request_eligible(environ):
            return self.application(environ, start_response)
        try:
            generation = generation_current()
            key = page_key(environ, generation)
            entry = entry_get(key)
        except Exception:
            logger.exception("page cache unavailable; answering without it")
            return self.application(environ, start_response)
        if entry is None:
            environ[ENVIRON_KEY] = key
            environ[ENVIRON_GENERATION] = generation
            return self.application(environ, start_response)
        try:
            return self.answer(environ, start_response, entry)
        finally:
            # Django's end-of-request housekeeping (closing or health-checking database
            # connections) must run for hits too, though Django never saw the request.
            signals.request_finished.send(sender=self.__class__)

    def answer(
        self, environ: dict[str, Any], start_response: StartResponse, entry: Entry
    ) -> list[bytes]:
        headers = dict(entry.headers)
        if entry.status == 200 and etag_matches(
            environ.get("HTTP_IF_NONE_MATCH", ""), headers.get("ETag", "")
        ):
            kept = [(k, v) for k, v in entry.headers if k.lower() in NOT_MODIFIED_HEADERS]
            start_response(reason(304), [*kept, (CACHE_HEADER, "hit")])
            return []
        listed = [(k, v) for k, v in entry.headers if k.lower() != "content-length"]
        listed += [("Content-Length", str(len(entry.body))), (CACHE_HEADER, "hit")]
        start_response(reason(entry.status), listed)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]
