"""The guarded fetcher against real HTTP servers on loopback, without a database.

No test sends a packet anywhere but 127.0.0.1, 127.0.0.2 and ::1. Refusals are asserted to
happen before any socket connects: the ``connects`` fixture records every connect() the
process makes and refuses, without touching the network, any that is not to loopback. Where
a test needs a host name, the resolver (outside our process) is faked by replacing
socket.getaddrinfo.
"""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from django.conf import LazySettings, settings

import yamabiko
from yamabiko.core.exceptions import ConfigurationError, InvalidInput, YamabikoError
from yamabiko.core.net import (
    BlockedAddress,
    Fetcher,
    FetchError,
    FetchFailed,
    FetchTimeout,
    Response,
    TooManyRedirects,
    address_is_public,
    default_fetcher,
)
from yamabiko.core.net.pinning import PinnedBackend
from yamabiko.core.net.policy import Destination, check_url, parse_allow

LOOPBACK = {"127.0.0.1", "127.0.0.2", "::1"}
MiB = 1 << 20


# --- local servers -------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


type Route = Callable[[Handler], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: LocalServer

    def setup(self) -> None:
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(Seen(self.command, self.path, list(self.headers.items()), body))
        self.server.routes.get(self.path.partition("?")[0], not_found)(self)

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass

    def reply(
        self, status: int = 200, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers or []:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def not_found(handler: Handler) -> None:
    handler.reply(404, b"not here")


def answer(body: bytes, *headers: tuple[str, str]) -> Route:
    return lambda handler: handler.reply(200, body, list(headers))


def redirect(location: str, status: int = 302) -> Route:
    return lambda handler: handler.reply(status, b"", [("Location", location)])


class LocalServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread

    def __init__(self, host: str, port: int, routes: dict[str, Route]) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.routes = routes
        self.seen: list[Seen] = []
        self.connections = 0
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        super().__init__((host, port), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks reverse DNS for a name (getfqdn); we need none.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        # The fetcher hangs up on purpose (byte cap, timeouts, refused certificates).
        if error is not None and not isinstance(error, OSError):
            self.errors.append(error)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def authority(self) -> str:
        host = str(self.server_address[0])
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    def url(self, path: str = "/", *, scheme: str = "http") -> str:
        return f"{scheme}://{self.authority}{path}"


type Serve = Callable[..., LocalServer]


@pytest.fixture
def serve() -> Iterator[Serve]:
    started: list[tuple[LocalServer, threading.Thread]] = []

    def start(
        routes: dict[str, Route],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> LocalServer:
        server = LocalServer(host, port, routes)
        if tls is not None:
            # Handshake in the handler thread, so a refused certificate cannot stall accept().
            server.socket = tls.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
    assert [error for server, _ in started for error in server.errors] == []


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connect() made during the test; any not to loopback is refused unsent."""
    made: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: tuple[str, int]) -> None:
        made.append((address[0], address[1]))
        if address[0] not in LOOPBACK:
            raise ConnectionRefusedError(f"test guard: no traffic to {address[0]}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


type AddressInfo = tuple[
    socket.AddressFamily,
    socket.SocketKind,
    int,
    str,
    tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
]


@dataclass
class FakeResolver:
    """socket.getaddrinfo for made-up names; IP literals go to the real one (no DNS)."""

    names: dict[str, list[list[str]]]
    asked: list[str] = field(default_factory=list)
    hold: threading.Event | None = None

    def __call__(self, host: str, port: int, *args: int, **kwargs: int) -> list[AddressInfo]:
        if host not in self.names:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                self.asked.append(host)
                raise socket.gaierror(socket.EAI_NONAME, "not known to the test resolver") from None
            return [*REAL_GETADDRINFO(host, port, *args, **kwargs)]
        self.asked.append(host)
        if self.hold is not None:
            self.hold.wait(10)
        answers = self.names[host]
        addresses = answers[min(self.asked.count(host), len(answers)) - 1]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in addresses
        ]


REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResolver]:
    fake = FakeResolver(names={})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    if fake.hold is not None:
        fake.hold.set()


def fetcher_for(
    *servers: LocalServer, total_timeout: float = 3.0, max_redirects: int = 5
) -> Fetcher:
    """A fetcher allowed to reach exactly these servers, with test-sized timeouts."""
    return Fetcher(
        allow=[server.authority for server in servers],
        connect_timeout=1.0,
        total_timeout=total_timeout,
        max_redirects=max_redirects,
    )


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- address_is_public ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("1.1.1.1", True),
        ("151.101.1.69", True),
        ("100.63.255.255", True),
        ("100.128.0.0", True),
        ("172.15.255.255", True),
        ("172.32.0.0", True),
        ("192.0.1.1", True),
        ("198.20.0.1", True),
        ("223.255.255.254", True),
        ("2606:4700::1", True),
        ("2a00:1450:4001:80b::200e", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:93.184.216.34", True),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not a bind
        ("0.1.2.3", False),
        ("10.0.0.1", False),
        ("10.255.255.255", False),
        ("100.64.0.1", False),
        ("100.127.255.254", False),
        ("127.0.0.1", False),
        ("127.255.255.254", False),
        ("169.254.169.254", False),
        ("172.16.0.1", False),
        ("172.31.255.255", False),
        ("192.0.0.9", False),
        ("192.0.2.1", False),
        ("192.88.99.1", False),
        ("192.168.1.1", False),
        ("198.18.0.1", False),
        ("198.19.255.255", False),
        ("198.51.100.7", False),
        ("203.0.113.9", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::", False),
        ("::1", False),
        ("fc00::1", False),
        ("fd12:3456:789a::1", False),
        ("fe80::1", False),
        ("febf::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("ff0e::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::5db8:d822", False),
        ("64:ff9b:1::1", False),
        ("2001:db8::1", False),
        ("2002:7f00:1::1", False),
        ("2002:a00:1::1", False),
        ("2001::1", False),
        ("100::1", False),
    ],
)
def test_address_is_public_table(address: str, public: bool) -> None:
    assert address_is_public(ipaddress.ip_address(address)) is public


# --- refusals before any connection --------------------------------------------------------

BLOCKED_HOSTS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0x7f.1",
    "127.0.0.1.",
    "localhost",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::127.0.0.1]",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - an address under test, not a bind
    "0",
    "224.0.0.1",
    "255.255.255.255",
    "[::]",
    "[fe80::1]",
    "[fc00::1]",
    "[ff02::1]",
    "[64:ff9b::7f00:1]",
    "[::ffff:10.0.0.1]",
    "[2002:7f00:1::1]",
]


@pytest.mark.parametrize("host", BLOCKED_HOSTS)
def test_get_refuses_non_public_address_before_connecting(
    host: str, serve: Serve, connects: list[tuple[str, int]]
) -> None:
    server = serve({"/": answer(b"must not be reached")})
    # An entry for another address opens the server's port, so only the address can refuse.
    fetcher = Fetcher(allow=[f"127.0.0.2:{server.port}"])

    with pytest.raises(BlockedAddress) as on_server_port:
        fetcher.get(f"http://{host}:{server.port}/")
    with pytest.raises(BlockedAddress) as on_default_port:
        Fetcher(allow=[]).get(f"http://{host}/latest/meta-data/")

    assert on_server_port.value.reason == on_default_port.value.reason == "address"
    assert connects == []
    assert server.connections == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:70/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("/relative/path", "scheme"),
        ("http://user:secret@example.org/", "userinfo"),
        ("http://user@example.org/", "userinfo"),
        ("http://example.org:22/", "port"),
        ("https://example.org:6379/", "port"),
        ("http://127.0.0.1:11211/", "port"),
        ("http://ex%61mple.org/", "invalid-url"),
        ("http://[fe80::1%25eth0]/", "invalid-url"),
        ("http:///no-host", "invalid-url"),
        ("http://[::1/", "invalid-url"),
        ("http://0177.0.0.1/", "invalid-url"),  # httpx refuses leading zeros in dotted quads
    ],
)
def test_refuses_bad_urls_before_resolving(
    url: str, reason: str, resolver: FakeResolver, connects: list[tuple[str, int]]
) -> None:
    with pytest.raises(BlockedAddress) as refused:
        Fetcher(allow=[]).get(url)

    assert refused.value.reason == reason
    assert resolver.asked == []
    assert connects == []


def test_a_name_with_one_private_record_is_refused_whole(
    resolver: FakeResolver, connects: list[tuple[str, int]]
) -> None:
    resolver.names["mixed.test"] = [["93.184.216.34", "2606:4700::1", "10.1.2.3"]]

    with pytest.raises(BlockedAddress) as refused:
        Fetcher(allow=[]).get("http://mixed.test/")

    assert refused.value.reason == "address"
    assert "10.1.2.3" in str(refused.value)
    assert connects == []


def test_refused_errors_are_yamabiko_errors() -> None:
    with pytest.raises(YamabikoError):
        Fetcher(allow=[]).get("http://127.0.0.1/")
    assert issubclass(BlockedAddress, FetchError)


# --- the allow list ------------------------------------------------------------------------


def test_address_port_entry_reaches_the_local_server(
    serve: Serve, connects: list[tuple[str, int]]
) -> None:
    server = serve({"/hello": answer(b"hi", ("Content-Type", "text/plain; charset=utf-8"))})

    response = fetcher_for(server).get(server.url("/hello"))

    assert (response.status, response.body, response.truncated) == (200, b"hi", False)
    assert response.url == server.url("/hello")
    assert (response.content_type, response.charset, response.text()) == (
        "text/plain",
        "utf-8",
        "hi",
    )
    assert connects == [("127.0.0.1", server.port)]


def test_ipv6_address_port_entry_reaches_the_local_server(serve: Serve) -> None:
    try:
        server = serve({"/": answer(b"v6")}, host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")

    response = fetcher_for(server).get(server.url("/"))

    assert response.body == b"v6"
    assert server.seen[0].header("Host") == server.authority


def test_address_port_entry_opens_only_its_own_port(serve: Serve) -> None:
    allowed = serve({"/": answer(b"ok")})
    other = serve({"/": answer(b"other")})

    with pytest.raises(BlockedAddress) as refused:
        fetcher_for(allowed).get(other.url("/"))

    assert refused.value.reason == "port"
    assert other.connections == 0


def test_range_entry_allows_addresses_but_opens_no_port(serve: Serve) -> None:
    server = serve({"/": answer(b"ok")})
    deadline = time.monotonic() + 1

    with pytest.raises(BlockedAddress) as refused:
        Fetcher(allow=["127.0.0.0/8"]).get(server.url("/"))
    destination = check_url(
        httpx.URL("http://127.0.0.5:8080/"), parse_allow(("127.0.0.0/8",)), deadline=deadline
    )

    assert refused.value.reason == "port"
    assert server.connections == 0
    assert destination.addresses == (ipaddress.ip_address("127.0.0.5"),)
    with pytest.raises(BlockedAddress):
        check_url(httpx.URL("http://127.0.0.5:8080/"), parse_allow(()), deadline=deadline)


def test_allow_list_is_read_from_settings_at_call_time(
    serve: Serve, settings: LazySettings
) -> None:
    server = serve({"/": answer(b"ok")})
    fetcher = Fetcher()

    settings.YAMABIKO_OUTBOUND_ALLOW = (server.authority,)
    assert fetcher.get(server.url("/")).body == b"ok"

    settings.YAMABIKO_OUTBOUND_ALLOW = ()
    with pytest.raises(BlockedAddress):
        fetcher.get(server.url("/"))


@pytest.mark.parametrize("entry", ["127.0.0.1:99999", "localhost:8080", "10.0.0.0/33", "[::1]"])
def test_unreadable_allow_entry_is_a_configuration_error(entry: str) -> None:
    with pytest.raises(ConfigurationError, match="YAMABIKO_OUTBOUND_ALLOW"):
        Fetcher(allow=[entry]).get("http://example.org/")


# --- pinning -------------------------------------------------------------------------------


def test_connection_goes_to_the_address_that_was_checked(
    serve: Serve, resolver: FakeResolver, connects: list[tuple[str, int]]
) -> None:
    checked = serve({"/": answer(b"checked")}, host="127.0.0.1")
    rebound = serve({"/": answer(b"rebound")}, host="127.0.0.2", port=checked.port)
    # The first answer passes the check; every later one points somewhere else.
    resolver.names["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]

    response = fetcher_for(checked).get(f"http://rebind.test:{checked.port}/")

    assert response.body == b"checked"
    assert resolver.asked == ["rebind.test"]
    assert connects == [("127.0.0.1", checked.port)]
    assert rebound.connections == 0
    assert checked.seen[0].header("Host") == f"rebind.test:{checked.port}"


def test_public_answer_is_pinned_when_the_name_rebinds_to_loopback(
    serve: Serve, resolver: FakeResolver, connects: list[tuple[str, int]]
) -> None:
    # The check sees a public address; a second lookup would say 127.0.0.1. The connects
    # guard refuses the public address without sending anything, so the fetch fails, but
    # only after trying the checked address and never the rebound one.
    resolver.names["rebind.test"] = [["93.184.216.34"], ["127.0.0.1"]]

    with pytest.raises(FetchFailed) as failed:
        Fetcher(allow=[]).get("http://rebind.test/")

    assert failed.value.reason == "connect"
    assert resolver.asked == ["rebind.test"]
    assert connects == [("93.184.216.34", 80)]


def test_each_redirect_hop_resolves_and_checks_again(
    serve: Serve, resolver: FakeResolver, connects: list[tuple[str, int]]
) -> None:
    checked = serve({"/": answer(b"first")}, host="127.0.0.1")
    rebound = serve({"/": answer(b"rebound")}, host="127.0.0.2", port=checked.port)
    checked.routes["/"] = redirect(f"http://rebind.test:{checked.port}/again")
    resolver.names["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]

    with pytest.raises(BlockedAddress) as refused:
        fetcher_for(checked).get(f"http://rebind.test:{checked.port}/")

    assert refused.value.reason == "address"  # 127.0.0.2 has no entry
    assert resolver.asked == ["rebind.test", "rebind.test"]
    assert connects == [("127.0.0.1", checked.port)]
    assert rebound.connections == 0


def test_pinned_backend_refuses_a_host_it_was_not_given() -> None:
    destination = Destination(
        host="blog.test", port=80, addresses=(ipaddress.ip_address("93.184.216.34"),)
    )
    backend = PinnedBackend(destination, deadline=time.monotonic() + 1)

    with pytest.raises(BlockedAddress):
        backend.connect_tcp("elsewhere.test", 80)
    with pytest.raises(BlockedAddress):
        backend.connect_tcp("blog.test", 8080)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"),
            *("-subj", "/CN=blog.test", "-addext", "subjectAltName=DNS:blog.test"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_server(serve: Serve, certificate: tuple[Path, Path], names: list[str]) -> LocalServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda _sock, name, _context: names.append(name or "")
    return serve({"/": answer(b"over tls")}, tls=context)


def test_tls_uses_the_url_host_for_sni_and_certificate_while_pinned(
    serve: Serve, certificate: tuple[Path, Path], resolver: FakeResolver
) -> None:
    names: list[str] = []
    server = tls_server(serve, certificate, names)
    resolver.names["blog.test"] = [["127.0.0.1"]]
    trusted = ssl.create_default_context(cafile=str(certificate[0]))

    response = Fetcher(allow=[server.authority], ssl_context=trusted).get(
        f"https://blog.test:{server.port}/"
    )

    assert response.body == b"over tls"
    assert names == ["blog.test"]


def test_tls_certificate_for_another_name_fails(
    serve: Serve, certificate: tuple[Path, Path], resolver: FakeResolver
) -> None:
    server = tls_server(serve, certificate, [])
    resolver.names["other.test"] = [["127.0.0.1"]]
    trusted = ssl.create_default_context(cafile=str(certificate[0]))

    with pytest.raises(FetchFailed) as failed:
        Fetcher(allow=[server.authority], ssl_context=trusted).get(
            f"https://other.test:{server.port}/"
        )

    assert failed.value.reason == "tls"


# --- redirects -----------------------------------------------------------------------------


def chain(length: int) -> dict[str, Route]:
    routes = {f"/r/{n}": redirect(f"/r/{n - 1}") for n in range(1, length + 1)}
    routes["/r/0"] = answer(b"arrived")
    return routes


def test_five_redirects_are_followed(serve: Serve) -> None:
    server = serve(chain(6))

    response = fetcher_for(server).get(server.url("/r/5"))

    assert (response.status, response.body) == (200, b"arrived")
    assert response.url == server.url("/r/0")
    assert [seen.path for seen in server.seen] == [f"/r/{n}" for n in range(5, -1, -1)]


def test_sixth_redirect_is_refused(serve: Serve) -> None:
    server = serve(chain(6))

    with pytest.raises(TooManyRedirects) as refused:
        fetcher_for(server).get(server.url("/r/6"))

    assert refused.value.reason == "redirects"
    assert "/r/0" not in [seen.path for seen in server.seen]
    assert len(server.seen) == 6


def test_redirect_loop_is_refused(serve: Serve) -> None:
    server = serve({"/a": redirect("/b"), "/b": redirect("/a#again"), "/self": redirect("/self")})

    with pytest.raises(TooManyRedirects) as looped:
        fetcher_for(server).get(server.url("/a"))
    with pytest.raises(TooManyRedirects) as to_itself:
        fetcher_for(server).get(server.url("/self"))

    assert looped.value.reason == to_itself.value.reason == "redirect-loop"
    assert [seen.path for seen in server.seen] == ["/a", "/b", "/self"]


@pytest.mark.parametrize(
    ("location", "arrived"),
    [
        ("../other?x=1", "/other?x=1"),
        ("next", "/dir/next"),
        ("/absolute", "/absolute"),
        ("?page=2", "/dir/page?page=2"),
    ],
)
def test_relative_location_is_resolved_against_the_current_url(
    serve: Serve, location: str, arrived: str
) -> None:
    routes = {arrived.partition("?")[0]: answer(b"here")}
    routes["/dir/page"] = lambda h: (
        answer(b"here") if h.path == arrived else redirect(location, 301)
    )(h)
    server = serve(routes)

    response = fetcher_for(server).get(server.url("/dir/page"))

    assert response.body == b"here"
    assert response.url == server.url(arrived)
    assert server.seen[-1].path == arrived


def test_redirect_to_a_port_without_entry_is_refused(serve: Serve) -> None:
    other = serve({"/": answer(b"other")})
    server = serve({"/go": redirect(other.url("/"))})

    with pytest.raises(BlockedAddress) as refused:
        fetcher_for(server).get(server.url("/go"))

    assert refused.value.reason == "port"
    assert refused.value.url == other.url("/")
    assert other.connections == 0


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://2130706433/",
        "file:///etc/passwd",
        "http://user:pw@example.org/",
    ],
)
def test_redirect_to_a_blocked_target_is_refused_at_the_hop(
    serve: Serve, connects: list[tuple[str, int]], location: str
) -> None:
    server = serve({"/go": redirect(location)})

    with pytest.raises(BlockedAddress):
        fetcher_for(server).get(server.url("/go"))

    assert connects == [("127.0.0.1", server.port)]


def test_redirect_to_another_origin_drops_credentials(serve: Serve) -> None:
    other = serve({"/": answer(b"other")})
    server = serve({"/go": redirect(other.url("/"))})
    headers = {"Authorization": "Bearer secret", "Accept": "text/html"}

    fetcher_for(server, other).get(server.url("/go"), headers=headers)

    assert server.seen[0].header("Authorization") == "Bearer secret"
    assert other.seen[0].header("Authorization") is None
    assert other.seen[0].header("Accept") == "text/html"


def test_max_redirects_zero_refuses_any_redirect(serve: Serve) -> None:
    server = serve(chain(1))

    with pytest.raises(TooManyRedirects):
        fetcher_for(server, max_redirects=0).get(server.url("/r/1"))


def test_redirect_without_location_is_returned(serve: Serve) -> None:
    server = serve({"/": lambda h: h.reply(302, b"nowhere")})

    response = fetcher_for(server).get(server.url("/"))

    assert (response.status, response.body) == (302, b"nowhere")


# --- POST ----------------------------------------------------------------------------------


def test_post_form_sends_urlencoded_utf8(serve: Serve) -> None:
    server = serve({"/ping": answer(b"<response><error>0</error></response>")})

    response = fetcher_for(server).post_form(
        server.url("/ping"), [("title", "山彦"), ("url", "https://blog.example/1"), ("tag", "a&b")]
    )

    assert response.status == 200
    seen = server.seen[0]
    assert seen.method == "POST"
    assert seen.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8"
    assert seen.body == b"title=%E5%B1%B1%E5%BD%A6&url=https%3A%2F%2Fblog.example%2F1&tag=a%26b"
    assert seen.header("Content-Length") == str(len(seen.body))


def test_post_form_in_another_charset(serve: Serve) -> None:
    server = serve({"/ping": answer(b"ok")})

    fetcher_for(server).post_form(server.url("/ping"), {"title": "山彦"}, charset="euc-jp")

    assert server.seen[0].header("Content-Type") == (
        "application/x-www-form-urlencoded; charset=euc-jp"
    )
    assert server.seen[0].body == b"title=%BB%B3%C9%A7"


def test_post_form_that_cannot_be_encoded_is_invalid_input(serve: Serve) -> None:
    server = serve({"/ping": answer(b"ok")})

    with pytest.raises(InvalidInput):
        fetcher_for(server).post_form(server.url("/ping"), {"title": "山彦"}, charset="ascii")
    assert server.connections == 0


def test_post_xml_sends_text_xml(serve: Serve) -> None:
    server = serve({"/xmlrpc": answer(b"<methodResponse/>", ("Content-Type", "text/xml"))})
    body = b"<?xml version='1.0'?><methodCall><methodName>pingback.ping</methodName></methodCall>"

    response = fetcher_for(server).post_xml(server.url("/xmlrpc"), body)

    assert response.body == b"<methodResponse/>"
    assert server.seen[0].header("Content-Type") == "text/xml"
    assert server.seen[0].body == body


@pytest.mark.parametrize("status", [301, 302, 303])
def test_post_does_not_follow_method_changing_redirects(serve: Serve, status: int) -> None:
    server = serve({"/ping": redirect("/elsewhere", status), "/elsewhere": answer(b"no")})

    response = fetcher_for(server).post_form(server.url("/ping"), {"a": "1"})

    assert response.status == status
    assert [seen.path for seen in server.seen] == ["/ping"]


@pytest.mark.parametrize("status", [307, 308])
def test_post_follows_307_and_308_with_the_body(serve: Serve, status: int) -> None:
    server = serve({"/old": redirect("/new", status), "/new": answer(b"moved")})

    response = fetcher_for(server).post_xml(server.url("/old"), b"<methodCall/>")

    assert response.body == b"moved"
    assert [(s.method, s.path, s.body) for s in server.seen] == [
        ("POST", "/old", b"<methodCall/>"),
        ("POST", "/new", b"<methodCall/>"),
    ]
    assert server.seen[1].header("Content-Type") == "text/xml"


def test_head_follows_redirects_and_has_no_body(serve: Serve) -> None:
    server = serve({"/a": redirect("/b"), "/b": answer(b"body", ("X-Pingback", "/xmlrpc"))})

    response = fetcher_for(server).head(server.url("/a"))

    assert (response.status, response.body, response.header("x-pingback")) == (200, b"", "/xmlrpc")
    assert [(s.method, s.path) for s in server.seen] == [("HEAD", "/a"), ("HEAD", "/b")]


# --- headers -------------------------------------------------------------------------------


def test_request_headers_name_yamabiko_and_ask_for_identity(serve: Serve) -> None:
    server = serve({"/": answer(b"ok")})

    fetcher_for(server).get(server.url("/"))
    fetcher_for(server).get(server.url("/"), purpose="verifying webmention")

    plain, with_purpose = (seen.header("User-Agent") for seen in server.seen)
    assert plain == f"Yamabiko/{yamabiko.__version__} (+{settings.YAMABIKO_SITE_URL})"
    assert with_purpose == f"{plain} (verifying webmention)"
    assert server.seen[0].header("Accept-Encoding") == "identity"
    assert server.seen[0].header("Host") == server.authority


def test_user_agent_can_be_replaced(serve: Serve) -> None:
    server = serve({"/": answer(b"ok")})

    Fetcher(allow=[server.authority], user_agent="Yamabiko-bench/1").get(server.url("/"))

    assert server.seen[0].header("User-Agent") == "Yamabiko-bench/1"


def test_every_response_header_is_kept_in_order(serve: Serve) -> None:
    links = [
        ("Link", '<https://blog.example/webmention>; rel="webmention"'),
        ("Link", '<https://blog.example/xmlrpc>; rel="pingback"'),
        ("X-Custom", "yes"),
    ]
    server = serve({"/": answer(b"ok", *links)})

    response = fetcher_for(server).get(server.url("/"))

    assert [h for h in response.headers if h[0] in {"Link", "X-Custom"}] == links
    assert response.header_values("link") == [value for _, value in links[:2]]
    assert response.header("LINK") == links[0][1]
    assert response.header("x-missing") is None


def test_no_cookie_is_kept_between_requests_or_hops(serve: Serve) -> None:
    server = serve(
        {
            "/set": lambda h: h.reply(302, b"", [("Set-Cookie", "s=1; Path=/"), ("Location", "/")]),
            "/": answer(b"ok", ("Set-Cookie", "t=2; Path=/")),
        }
    )
    fetcher = fetcher_for(server)

    fetcher.get(server.url("/set"))
    fetcher.get(server.url("/"))

    assert [seen.header("Cookie") for seen in server.seen] == [None, None, None]


@pytest.mark.parametrize("name", ["Host", "accept-encoding", "Content-Length", "Connection"])
def test_caller_cannot_set_framing_headers(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Fetcher(allow=[]).get("http://example.org/", headers={name: "x"})


# --- body cap and encodings ----------------------------------------------------------------


def big_body(size: int) -> Route:
    def send(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        piece = b"x" * 65536
        for _ in range(size // len(piece)):
            if handler.server.stopping.is_set():
                return
            handler.wfile.write(piece)

    return send


def test_body_is_cut_at_one_mebibyte(serve: Serve) -> None:
    server = serve({"/big": big_body(3 * MiB)})

    started = time.monotonic()
    response = fetcher_for(server).get(server.url("/big"))

    assert len(response.body) == MiB
    assert response.truncated is True
    assert time.monotonic() - started < 3


def test_per_call_byte_cap(serve: Serve) -> None:
    server = serve({"/": answer(b"0123456789abcdef")})
    fetcher = fetcher_for(server)

    cut = fetcher.get(server.url("/"), max_bytes=10)
    exact = fetcher.get(server.url("/"), max_bytes=16)

    assert (cut.body, cut.truncated) == (b"0123456789", True)
    assert (exact.body, exact.truncated) == (b"0123456789abcdef", False)


def test_compressed_body_sent_anyway_is_decoded(serve: Serve) -> None:
    server = serve({"/": answer(gzip.compress(b"<p>hello</p>"), ("Content-Encoding", "gzip"))})

    response = fetcher_for(server).get(server.url("/"))

    assert (response.body, response.truncated) == (b"<p>hello</p>", False)


def test_compression_bomb_is_cut_at_the_cap_after_decoding(serve: Serve) -> None:
    bomb = gzip.compress(b"\0" * (64 * MiB), compresslevel=9)
    server = serve({"/": answer(bomb, ("Content-Encoding", "gzip"))})

    response = fetcher_for(server).get(server.url("/"), max_bytes=MiB)

    assert len(bomb) < 100_000
    assert (len(response.body), response.truncated) == (MiB, True)


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip"])
def test_other_content_encodings_are_refused(serve: Serve, coding: str) -> None:
    server = serve({"/": answer(b"\x8b\x00", ("Content-Encoding", coding))})

    with pytest.raises(FetchFailed) as failed:
        fetcher_for(server).get(server.url("/"))

    assert failed.value.reason == "encoding"


# --- time limits and network failures ------------------------------------------------------


def trickle(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    for _ in range(100):
        if handler.server.stopping.wait(0.5):
            return
        handler.wfile.write(b".")


def test_slow_body_is_cut_at_the_total_timeout(serve: Serve) -> None:
    server = serve({"/slow": trickle})

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetcher_for(server, total_timeout=1.0).get(server.url("/slow"))

    assert 0.9 < time.monotonic() - started < 2.5


def test_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the handshake; nobody ever reads or writes
        port = silent.getsockname()[1]

        started = time.monotonic()
        with pytest.raises(FetchTimeout) as timed_out:
            Fetcher(allow=[f"127.0.0.1:{port}"], total_timeout=1.0).get(f"http://127.0.0.1:{port}/")

    assert timed_out.value.reason == "timeout"
    assert 0.9 < time.monotonic() - started < 2.5


def test_connection_refused_is_a_fetch_failure() -> None:
    port = unused_port()

    with pytest.raises(FetchFailed) as failed:
        Fetcher(allow=[f"127.0.0.1:{port}"]).get(f"http://127.0.0.1:{port}/")

    assert failed.value.reason == "connect"


def test_name_that_does_not_resolve_is_a_fetch_failure(resolver: FakeResolver) -> None:
    with pytest.raises(FetchFailed) as failed:
        Fetcher(allow=[]).get("http://nowhere.test/")

    assert failed.value.reason == "dns"
    assert resolver.asked == ["nowhere.test"]


def test_slow_resolver_counts_against_the_total_timeout(resolver: FakeResolver) -> None:
    resolver.names["slow.test"] = [["93.184.216.34"]]
    resolver.hold = threading.Event()

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        Fetcher(allow=[], total_timeout=0.5).get("http://slow.test/")

    assert time.monotonic() - started < 1.2


# --- the response value --------------------------------------------------------------------


def response(body: bytes, content_type: str | None) -> Response:
    headers = (("Content-Type", content_type),) if content_type else ()
    return Response(url="http://x.test/", status=200, headers=headers, body=body, truncated=False)


def test_response_text_uses_the_declared_charset() -> None:
    page = response("山彦".encode("shift_jis"), 'text/html; charset="Shift_JIS"')

    assert (page.content_type, page.charset, page.text()) == ("text/html", "shift_jis", "山彦")


def test_response_text_falls_back_to_utf8_with_replacement() -> None:
    assert response("山".encode() + b"\xff", None).text() == "山\ufffd"
    assert response(b"ok", "text/plain; charset=no-such-codec").text() == "ok"
    assert response(b"ok", "text/plain; charset=rot13").text() == "ok"
    assert response(b"", None).content_type is None
    assert response(b"", "text/plain").charset is None


def test_default_fetcher_is_shared() -> None:
    assert default_fetcher() is default_fetcher()
    assert isinstance(default_fetcher(), Fetcher)
