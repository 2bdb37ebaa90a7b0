"""Fixtures and helpers for the feed tests.

Absolute URLs must come from YAMABIKO_SITE_URL, so the site here is not the test client's
host (``testserver``): a URL built from the request would show up at once.
"""

from __future__ import annotations

import socketserver
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import feedparser
import pytest
from defusedxml import ElementTree
from django.http import HttpResponse
from pytest_django import Settings

from yamabiko.discussion.models import Linkback, LinkbackStatus
from yamabiko.posts.models import Post

SITE = "https://blog.example.org"
# Characters XML 1.0 forbids that a database can still store (PostgreSQL refuses NUL, and
# no UTF-8 database takes a lone surrogate: those two are tested without a database).
HOSTILE = "\x01\x02\x08\x0b\x0c\x0e\x1f\ufffe\uffff"


@pytest.fixture(autouse=True)
def site_url(settings: Settings) -> None:
    settings.YAMABIKO_SITE_URL = SITE


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in March 2025, UTC: distinct seconds, so HTTP dates tell them apart."""
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def well_formed(content: bytes) -> Any:
    """The parsed feed, after checking it is well-formed XML and that feedparser agrees."""
    ElementTree.fromstring(content)
    parsed = feedparser.parse(content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def feed_of(response: HttpResponse) -> Any:
    assert response.status_code == 200, response.status_code
    return well_formed(response.content)


def linkback_for(post: Post, **fields: Any) -> Linkback:
    values: dict[str, Any] = {
        "kind": "trackback",
        "source_url": f"https://other.example/{Linkback.objects.count() + 1}",
        "title": "A reply elsewhere",
        "excerpt": "I wrote about this too.",
        "blog_name": "Other Blog",
        "status": LinkbackStatus.APPROVED,
        "received_at": at(20),
        "verified_at": at(20, 13),
    }
    values.update(fields)
    return Linkback.objects.create(post=post, **values)


# --- a WebSub hub on 127.0.0.1 ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    path: str
    content_type: str
    form: list[tuple[str, str]]


class HubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: Hub

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("ascii")
        notice = Notice(
            path=self.path,
            content_type=self.headers.get("Content-Type", ""),
            form=parse_qsl(body, keep_blank_values=True),
        )
        self.server.notices.append(notice)
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Hub(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.status = 204
        self.errors: list[BaseException] = []
        super().__init__(("127.0.0.1", 0), HubHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.errors.append(error)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hub"

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def topics(self) -> list[str]:
        return [value for notice in self.notices for key, value in notice.form if key == "hub.url"]


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    server = Hub()
    settings.YAMABIKO_OUTBOUND_ALLOW = [server.allow]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert server.errors == []


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
