"""The fetcher itself: headers, the request loop across redirects, one exchange per hop."""

from __future__ import annotations

import dataclasses
import re
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlencode

import httpcore
import httpx
from django.conf import settings

import yamabiko
from yamabiko.core.exceptions import ConfigurationError, InvalidInput
from yamabiko.core.net.errors import BlockedAddress, FetchFailed, FetchTimeout, TooManyRedirects
from yamabiko.core.net.pinning import PinnedBackend
from yamabiko.core.net.policy import DEFAULT_PORTS, AllowList, Destination, check_url, parse_allow
from yamabiko.core.net.response import Response, header_text, read_capped

__all__ = ["Fetcher", "default_fetcher"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# RFC 9110 §15.4.8 and §15.4.9: the only redirects that keep the method and the body.
BODY_KEEPING_REDIRECTS = frozenset({307, 308})
# Framing and encoding are the fetcher's business: a caller's value could undo the byte cap
# (Accept-Encoding) or desynchronise the exchange (Host, Content-Length, …).
CONTROLLED_HEADERS = frozenset(
    {
        "host",
        "accept-encoding",
        "connection",
        "content-length",
        "transfer-encoding",
        "te",
        "upgrade",
    }
)
# Not carried to another origin by a redirect (httpx and browsers do the same).
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
PURPOSE_JUNK = re.compile(r"[()\\\x00-\x1f\x7f]+")


class Fetcher:
    """Guarded outbound HTTP; see the package docstring for every rule it enforces.

    ``user_agent`` None means ``Yamabiko/<version> (+<YAMABIKO_SITE_URL>)``; ``allow`` None
    means YAMABIKO_OUTBOUND_ALLOW, read at call time; ``ssl_context`` None means httpx's
    default (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR).
    """

    __slots__ = (
        "_allow",
        "_ssl_context",
        "connect_timeout",
        "max_bytes",
        "max_redirects",
        "total_timeout",
        "user_agent",
    )

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        connect_timeout: float = 3.0,
        total_timeout: float = 5.0,
        max_bytes: int = 1 << 20,
        max_redirects: int = 5,
        allow: Sequence[str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if connect_timeout <= 0 or total_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if max_bytes < 0 or max_redirects < 0:
            raise ValueError("max_bytes and max_redirects cannot be negative")
        if isinstance(allow, str):
            raise ValueError("allow takes a sequence of entries, not one string")
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._allow = None if allow is None else tuple(allow)
        self._ssl_context = ssl_context

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        purpose: str | None = None,
    ) -> Response:
        """GET ``url``, following up to ``max_redirects`` redirects, each one re-checked."""
        return self._fetch("GET", url, headers=headers, max_bytes=max_bytes, purpose=purpose)

    def head(
        self, url: str, *, headers: Mapping[str, str] | None = None, purpose: str | None = None
    ) -> Response:
        """HEAD ``url``, following redirects as GET does; the body is always empty."""
        return self._fetch("HEAD", url, headers=headers, max_bytes=0, purpose=purpose)

    def post_form(
        self,
        url: str,
        data: Mapping[str, str] | Sequence[tuple[str, str]],
        *,
        headers: Mapping[str, str] | None = None,
        charset: str = "utf-8",
        max_bytes: int | None = None,
        purpose: str | None = None,
    ) -> Response:
        """POST ``data`` as application/x-www-form-urlencoded, encoded in ``charset``.

        Follows only 307 and 308 (re-sending the body to the re-checked URL); any other
        redirect is returned as the response.
        """
        fields = list(data.items()) if isinstance(data, Mapping) else list(data)
        try:
            body = urlencode(fields, encoding=charset).encode("ascii")
        except (LookupError, UnicodeEncodeError) as error:
            raise InvalidInput(f"the form cannot be encoded in {charset}") from error
        return self._fetch(
            "POST",
            url,
            headers=headers,
            content=body,
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
            max_bytes=max_bytes,
            purpose=purpose,
        )

    def post_xml(
        self,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        purpose: str | None = None,
    ) -> Response:
        """POST an XML document (``Content-Type: text/xml``, as XML-RPC requires); redirects
        as for ``post_form``."""
        return self._fetch(
            "POST",
            url,
            headers=headers,
            content=body,
            content_type="text/xml",
            max_bytes=max_bytes,
            purpose=purpose,
        )

    def _fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        content: bytes | None = None,
        content_type: str | None = None,
        max_bytes: int | None,
        purpose: str | None,
    ) -> Response:
        deadline = time.monotonic() + self.total_timeout
        cap = self.max_bytes if max_bytes is None else max_bytes
        if cap < 0:
            raise ValueError("max_bytes cannot be negative")
        allow = self.allow_list()
        sent_headers = self._headers(headers, content_type=content_type, purpose=purpose)
        follow = REDIRECTS if content is None else BODY_KEEPING_REDIRECTS
        first = current = _parse(url)
        visited = {_without_fragment(current)}
        followed = 0
        while True:
            destination = check_url(current, allow, deadline=deadline)
            outcome = self._exchange(
                method,
                current,
                destination,
                headers=sent_headers,
                content=content,
                follow=follow,
                cap=cap,
                deadline=deadline,
            )
            if isinstance(outcome, Response):
                return outcome
            shown = str(current)
            if followed == self.max_redirects:
                raise TooManyRedirects(
                    f"{shown}: more than {self.max_redirects} redirects", url=shown
                )
            following = _parse(outcome, base=current)
            if _without_fragment(following) in visited:
                raise TooManyRedirects(
                    f"{shown}: redirect loop back to {following}", reason="redirect-loop", url=shown
                )
            visited.add(_without_fragment(following))
            followed += 1
            if _origin(following) != _origin(first):
                sent_headers = httpx.Headers(
                    [
                        (name, value)
                        for name, value in sent_headers.multi_items()
                        if name not in CREDENTIAL_HEADERS
                    ]
                )
            current = following

    def _exchange(
        self,
        method: str,
        url: httpx.URL,
        destination: Destination,
        *,
        headers: httpx.Headers,
        content: bytes | None,
        follow: frozenset[int],
        cap: int,
        deadline: float,
    ) -> Response | str:
        """One request to a checked destination: a Response, or the Location to follow."""
        shown = str(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(f"{shown}: out of time before connecting", url=shown)
        # httpx builds the request head (Host with brackets and port, Content-Length).
        request = httpx.Request(method, url, headers=headers, content=content)
        pool = httpcore.ConnectionPool(
            ssl_context=self._tls(),
            network_backend=PinnedBackend(destination, deadline=deadline),
            max_connections=1,
            max_keepalive_connections=0,
            http1=True,
            http2=False,
            retries=0,
        )
        target = httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        )
        timeouts = {
            "connect": min(self.connect_timeout, remaining),
            "read": remaining,
            "write": remaining,
            "pool": remaining,
        }
        with (
            _translated(shown),
            pool,
            pool.stream(
                method,
                target,
                headers=request.headers.raw,
                content=content,
                extensions={"timeout": timeouts},
            ) as answer,
        ):
            received = tuple(
                (header_text(name), header_text(value)) for name, value in answer.headers
            )
            response = Response(
                url=shown, status=answer.status, headers=received, body=b"", truncated=False
            )
            location = response.header("location")
            if answer.status in follow and location:
                return location
            body, truncated = read_capped(
                answer.iter_stream(),
                cap=cap,
                codings=response.header_values("content-encoding"),
                url=shown,
            )
            return dataclasses.replace(response, body=body, truncated=truncated)

    def allow_list(self) -> AllowList:
        """The allow list in force now: ``allow`` or else YAMABIKO_OUTBOUND_ALLOW."""
        entries: object = (
            self._allow
            if self._allow is not None
            else getattr(settings, "YAMABIKO_OUTBOUND_ALLOW", ())
        )
        if isinstance(entries, str):
            entries = entries.split(",")
        if not isinstance(entries, Iterable):
            raise ConfigurationError("YAMABIKO_OUTBOUND_ALLOW must be a list of strings")
        checked: list[str] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise ConfigurationError("YAMABIKO_OUTBOUND_ALLOW must be a list of strings")
            checked.append(entry)
        return parse_allow(tuple(checked))

    def _headers(
        self,
        extra: Mapping[str, str] | None,
        *,
        content_type: str | None,
        purpose: str | None,
    ) -> httpx.Headers:
        agent = (
            self.user_agent or f"Yamabiko/{yamabiko.__version__} (+{settings.YAMABIKO_SITE_URL})"
        )
        if purpose and (said := PURPOSE_JUNK.sub(" ", purpose).strip()):
            agent = f"{agent} ({said})"
        headers = httpx.Headers(
            {
                "User-Agent": agent,
                "Accept": "*/*",
                # Ask for the bytes as stored; see response.read_capped for servers that ignore it.
                "Accept-Encoding": "identity",
                # One connection per hop: nothing is pooled between hops or fetches.
                "Connection": "close",
            }
        )
        if content_type:
            headers["Content-Type"] = content_type
        for name, value in (extra or {}).items():
            if name.lower() in CONTROLLED_HEADERS:
                raise ValueError(f"the fetcher sets {name} itself")
            headers[name] = value
        return headers

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context


@cache
def default_fetcher() -> Fetcher:
    """The shared Fetcher with the default limits; it reads settings at call time."""
    return Fetcher()


def _parse(url: str, *, base: httpx.URL | None = None) -> httpx.URL:
    try:
        return base.join(url) if base is not None else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise BlockedAddress(
            f"{url!r} is not a usable URL", reason="invalid-url", url=url
        ) from error


def _without_fragment(url: httpx.URL) -> str:
    return str(url.copy_with(fragment=None))


def _origin(url: httpx.URL) -> tuple[str, bytes, int]:
    return (url.scheme, url.raw_host, url.port or DEFAULT_PORTS.get(url.scheme, 0))


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """httpcore's errors as ours: a timeout, or a failure with a one-word reason."""
    try:
        yield
    except httpcore.TimeoutException as error:
        raise FetchTimeout(f"{url}: timed out", url=url) from error
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
        raise FetchFailed(f"{url}: {error}", reason=_failure_reason(error), url=url) from error


def _failure_reason(error: BaseException) -> str:
    # httpcore wraps the ssl error, sometimes as the cause and sometimes only as context.
    cause = error.__cause__ or error.__context__
    for _ in range(8):
        if cause is None:
            break
        if isinstance(cause, ssl.SSLError):
            return "tls"
        cause = cause.__cause__ or cause.__context__
    return "connect" if isinstance(error, httpcore.ConnectError) else "protocol"
