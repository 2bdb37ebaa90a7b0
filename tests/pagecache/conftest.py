"""A page cache of its own for every test, and a way to call the WSGI application directly.

The test client skips the WSGI layer where hits are answered, so these tests call the
wrapped application the way a server does, with an environ made by RequestFactory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory

from yamabiko.pagecache.wsgi import PageCacheApplication


@pytest.fixture(autouse=True)
def pages_dir(settings: LazySettings, tmp_path: Path) -> Path:
    where = tmp_path / "pages"
    settings.YAMABIKO_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(where),
        },
    }
    return where


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Yamabiko-Cache")


@dataclass
class Server:
    """The production application stack: PageCacheApplication around Django's handler."""

    django_calls: int = 0
    application: PageCacheApplication = field(init=False)

    def __post_init__(self) -> None:
        handler = WSGIHandler()

        def counted(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            self.django_calls += 1
            return handler(environ, start_response)

        self.application = PageCacheApplication(counted)

    def request(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Answer:
        factory = RequestFactory()
        if cookies:
            factory.cookies.load(cookies)
        if method == "POST":
            environ = factory.post(path, data or {}, headers=headers).environ
        else:
            environ = factory.generic(method, path, headers=headers).environ
        # A WSGI server hands over the path's bytes decoded as Latin-1 (PEP 3333);
        # RequestFactory decodes them as UTF-8, which Django's handler cannot take.
        environ["PATH_INFO"] = environ["PATH_INFO"].encode("utf-8").decode("latin-1")
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            started.append((status, response_headers))

        # As Django's own test client does: closing connections at the end of a request
        # would close the test's transaction.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = self.application(environ, start_response)
            body = b"".join(result)
            close = getattr(result, "close", None)
            if close is not None:
                close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        status, response_headers = started[0]
        return Answer(status=int(status.split()[0]), headers=dict(response_headers), body=body)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)


@pytest.fixture
def server(db: None) -> Iterator[Server]:
    return Server()
