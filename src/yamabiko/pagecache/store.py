"""What the page cache keeps, under which key, and which requests and responses qualify.

One entry per URL as an anonymous reader sees it: the key is the content generation, the
scheme, the host and the full path with its query string. HEAD is answered from GET's
entry. An entry holds the status, the headers and the body; never a Set-Cookie.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie

from yamabiko.discussion.threads import REMEMBER_COOKIE

__all__ = [
    "CACHE_ALIAS",
    "ENVIRON_GENERATION",
    "ENVIRON_KEY",
    "Entry",
    "entry_get",
    "entry_put",
    "page_key",
    "request_eligible",
    "response_storable",
]

CACHE_ALIAS = "pages"
# Where the WSGI wrapper hands the key it looked up to the middleware that fills it on a
# miss: the generation must be the one read before rendering (see generation.py).
ENVIRON_KEY = "yamabiko.pagecache.key"
ENVIRON_GENERATION = "yamabiko.pagecache.generation"
UNCACHED_PREFIXES = ("/admin/", "/media/", "/static/")
STORED_STATUSES = frozenset({200, 301, 410})
STORED_TYPES = frozenset(
    {
        "text/html",
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
        "text/plain",  # robots.txt
    }
)
# Django adds Vary: Cookie; a cookie that matters already keeps a request away. Any other
# Vary would mean one URL with several faces, which one entry per URL cannot hold.
HARMLESS_VARY = frozenset({"cookie", "accept-encoding"})
HEADER_LIST_SEPARATOR = re.compile(r"\s*,\s*")
# Headers a 304 repeats from the full answer (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = frozenset({"cache-control", "content-location", "etag", "expires", "vary"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def private_cookies() -> frozenset[str]:
    """Cookies that make a page personal: a session (an author), CSRF, messages, the form."""
    return frozenset(
        {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
            REMEMBER_COOKIE,
        }
    )


def request_eligible(environ: dict[str, Any]) -> bool:
    """A request the cache may answer, and whose answer it may keep (on GET)."""
    if not settings.YAMABIKO_PAGE_CACHE or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if environ.get("HTTP_AUTHORIZATION"):
        return False
    path = environ.get("PATH_INFO", "")
    if path.startswith(UNCACHED_PREFIXES):
        return False
    cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
    return not private_cookies().intersection(cookies)


def request_scheme(environ: dict[str, Any]) -> str:
    # The same rule as HttpRequest.scheme, which needs a request Django has not made yet.
    proxy: tuple[str, str] | None = settings.SECURE_PROXY_SSL_HEADER
    if proxy is not None:
        header, secure_value = proxy
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",")[0].strip() == secure_value else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def page_key(environ: dict[str, Any], generation: int) -> str:
    """The entry's key; hashed, so any URL makes a key every cache backend accepts."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    url = "{scheme}://{host}{script}{path}?{query}".format(
        scheme=request_scheme(environ),
        host=str(host).lower(),
        script=environ.get("SCRIPT_NAME", ""),
        path=environ.get("PATH_INFO", ""),
        query=environ.get("QUERY_STRING", ""),
    )
    return f"page:{generation}:{hashlib.sha256(url.encode('utf-8', 'surrogateescape')).hexdigest()}"


def response_storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this answer is the same for every anonymous reader, and worth keeping."""
    if request.method != "GET":  # a HEAD answer may have no body; POSTs are never kept
        return False
    if response.status_code not in STORED_STATUSES or response.streaming or response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    directives = {
        d.lower() for d in HEADER_LIST_SEPARATOR.split(response.get("Cache-Control", "")) if d
    }
    if directives & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.lower() for v in HEADER_LIST_SEPARATOR.split(response.get("Vary", "")) if v}
    if not vary <= HARMLESS_VARY:
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return response.status_code != 200 or content_type in STORED_TYPES


class RecentEntries:
    """The entries this process served last, in memory, up to a total body size.

    Exact because a key names its content generation: what is stored under a key never
    changes, so a copy cannot go stale. It spares a hit the shared cache's read (for the
    file cache: open, read, decompress and unpickle, 15% of a hit in a profile).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()  # gthread workers and the task worker's threads

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes:
            return
        with self.lock:
            previous = self.entries.pop(key, None)
            self.size -= len(previous.body) if previous else 0
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


# 16 MiB a process: some hundreds of pages, the ones readers are reading now.
recent = RecentEntries(max_bytes=16 * 1024 * 1024)


def entry_put(key: str, response: HttpResponse) -> None:
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() != "set-cookie"
    )
    entry = Entry(status=response.status_code, headers=headers, body=response.content)
    caches[CACHE_ALIAS].set(key, entry)
    recent.put(key, entry)


def entry_get(key: str) -> Entry | None:
    if (kept := recent.get(key)) is not None:
        return kept
    found = caches[CACHE_ALIAS].get(key)
    if not isinstance(found, Entry):
        return None
    recent.put(key, found)
    return found
