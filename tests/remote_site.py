"""Another site on the web, for linkback tests: a real HTTP server on 127.0.0.1, in a thread.

Tests serve the pages a post links to, and the endpoints those pages advertise, and read
back what Yamabiko sent them. The fetcher may reach the server only because the test puts
its address:port into YAMABIKO_OUTBOUND_ALLOW (``site.allow``).
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

WEBMENTION_PAGE = b"<!doctype html><title>A page</title><p>Something worth linking to.</p>"
PINGBACK_OK = (
    b"<?xml version='1.0'?><methodResponse><params><param><value><string>"
    b"Thanks</string></value></param></params></methodResponse>"
)
TRACKBACK_OK = b"<?xml version='1.0' encoding='utf-8'?><response><error>0</error></response>"


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    method: str
    path: str
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class RemoteSite:
    """Answers ``routes[path]`` to any method, 404 otherwise; keeps every request seen."""

    host: str
    port: int
    routes: dict[str, Answer] = field(default_factory=dict)
    seen: list[Request] = field(default_factory=list)

    @property
    def allow(self) -> str:
        """The YAMABIKO_OUTBOUND_ALLOW entry for this server and nothing else."""
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def posts_to(self, path: str) -> list[Request]:
        return [seen for seen in self.seen if seen.method == "POST" and seen.path == path]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: Server

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = self.server.site
        site.seen.append(Request(method=self.command, path=self.path, body=body))
        answer = site.routes.get(self.path.partition("?")[0], Answer(status=404, body=b"no"))
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = RemoteSite(host="127.0.0.1", port=int(self.server_address[1]))

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks reverse DNS for a name (getfqdn); we need none.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


@contextmanager
def remote_site() -> Iterator[RemoteSite]:
    """A site with a page advertising a Webmention endpoint (Link header) that accepts posts.

    ``/page`` advertises ``/webmention`` (202 Accepted); ``/both`` advertises Webmention
    and Pingback (``/xmlrpc``); ``/plain`` advertises nothing. Tests add more routes.
    """
    server = Server()
    site = server.site
    site.routes.update(
        {
            "/page": Answer(
                body=WEBMENTION_PAGE,
                headers=(
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Link", '</webmention>; rel="webmention"'),
                ),
            ),
            "/both": Answer(
                body=WEBMENTION_PAGE,
                headers=(
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Link", '</webmention>; rel="webmention"'),
                    ("X-Pingback", site.url("/xmlrpc")),
                ),
            ),
            "/plain": Answer(
                body=WEBMENTION_PAGE, headers=(("Content-Type", "text/html; charset=utf-8"),)
            ),
            "/webmention": Answer(status=202, body=b"Accepted"),
            "/xmlrpc": Answer(body=PINGBACK_OK, headers=(("Content-Type", "text/xml"),)),
            "/trackback": Answer(body=TRACKBACK_OK, headers=(("Content-Type", "text/xml"),)),
        }
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
