"""Fixtures for the linkback tests: the other sites are real HTTP servers on 127.0.0.1.

``remote`` serves the pages a test puts in ``remote.pages`` (path -> Page, or a function
that answers the request itself) and records every request it gets, so a test can say
exactly what was fetched and when. Settings make the test client's host our site
(``http://testserver``) and open the outbound allow list to the remote's one port.
"""

from __future__ import annotations

import re
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from pytest_django import Settings

from yamabiko.discussion.models import Linkback
from yamabiko.posts.models import Post

SITE = "http://testserver"
HTML = (("Content-Type", "text/html; charset=utf-8"),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    status: int = 200
    body: bytes | str = b""
    headers: tuple[tuple[str, str], ...] = HTML
    delay: float = 0.0  # seconds to wait before answering (cut short at teardown)


type Answer = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: Remote

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.seen.append(
            Seen(method=self.command, path=self.path, headers=headers, body=body)
        )
        page = self.server.pages.get(self.path.partition("?")[0])
        if page is None:
            self.reply(
                Page(status=404, body=b"not here", headers=(("Content-Type", "text/plain"),))
            )
        elif isinstance(page, Page):
            self.reply(page)
        else:
            page(self)

    do_HEAD = do_POST = do_GET

    def reply(self, page: Page) -> None:
        if page.delay and self.server.stopping.wait(page.delay):
            return
        body = page.body.encode() if isinstance(page.body, str) else page.body
        self.send_response(page.status)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Remote(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for every handler thread

    def __init__(self) -> None:
        self.pages: dict[str, Page | Answer] = {}
        self.seen: list[Seen] = []
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks reverse DNS for a name (getfqdn); we need none.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        # The fetcher hangs up on purpose (byte cap, timeouts).
        if error is not None and not isinstance(error, OSError):
            self.errors.append(error)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str | None = None) -> list[Seen]:
        return [seen for seen in self.seen if path is None or seen.path == path]


@pytest.fixture
def remote() -> Iterator[Remote]:
    server = Remote()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
    assert server.errors == []


@pytest.fixture(autouse=True)
def linkback_settings(settings: Settings, remote: Remote) -> None:
    settings.YAMABIKO_SITE_URL = SITE
    settings.YAMABIKO_OUTBOUND_ALLOW = [remote.allow]


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# --- helpers ---------------------------------------------------------------------------


def permalink(post: Post) -> str:
    return f"{SITE}{post.get_absolute_url()}"


def html(body: str, *, title: str = "A page elsewhere", head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head>\n<body>{body}</body></html>\n"
    )


def linking_page(post: Post, *, text: str = "a post I liked", title: str = "A page") -> Page:
    return Page(
        body=html(f'<p>I read <a href="{permalink(post)}">{text}</a> today.</p>', title=title)
    )


_COUNT = re.compile(r"Trackbacks? \((\d+)\)")


def count_of(text: str) -> int:
    match = _COUNT.fullmatch(" ".join(text.split()))
    assert match is not None, text
    return int(match.group(1))


def shown_counts(client: Client, post: Post) -> tuple[int, int, int]:
    """The count under the post on the home page ("Trackback (N)"), under it on its
    permalink, and in the #trackbacks heading there."""
    home = BeautifulSoup(client.get("/").content, "html.parser")
    entry = home.select_one(f"#entry-{post.pk} a.entry-trackbacks")
    assert entry is not None
    page = BeautifulSoup(client.get(post.get_absolute_url()).content, "html.parser")
    footer = page.select_one(f"#entry-{post.pk} a.entry-trackbacks")
    heading = page.select_one("#trackbacks-heading")
    assert footer is not None
    assert heading is not None
    return count_of(entry.get_text()), count_of(footer.get_text()), count_of(heading.get_text())


def assert_count(client: Client, post: Post, expected: int) -> None:
    approved = Linkback.objects.filter(post=post).approved().count()
    post.refresh_from_db()
    assert approved == post.trackback_count == expected
    assert shown_counts(client, post) == (expected, expected, expected)
