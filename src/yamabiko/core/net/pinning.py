"""The wire: an httpcore network backend that connects only to checked addresses.

httpcore asks its network backend for ``connect_tcp(host, port)`` with the URL's host and
then, for https, calls ``start_tls(server_hostname=host)`` on the stream it got back. This
backend keeps the second half (SNI and certificate checks use the URL's host) and replaces
the first: it never resolves ``host``, it opens a socket to one of the addresses that
``check_url`` resolved and permitted, so a DNS answer that changes between check and connect
(rebinding) is never consulted. Every stream it hands out also clamps each read, write and
TLS handshake to the fetch's total deadline.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable

import httpcore

from yamabiko.core.net.errors import BlockedAddress
from yamabiko.core.net.policy import Destination

__all__ = ["DeadlineStream", "PinnedBackend"]


def _within(
    deadline: float, timeout: float | None, error: type[httpcore.TimeoutException]
) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the time allowed for this fetch has run out")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A stream whose every operation ends by the deadline, however slowly bytes trickle in."""

    def __init__(self, inner: httpcore.NetworkStream, *, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(
            ssl_context,
            server_hostname,
            _within(self._deadline, timeout, httpcore.ConnectTimeout),
        )
        return DeadlineStream(tls, deadline=self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects ``destination.host`` to ``destination.addresses`` and to nothing else."""

    def __init__(self, destination: Destination, *, deadline: float) -> None:
        self._destination = destination
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if host.lower() != self._destination.host.lower() or port != self._destination.port:
            # Unreachable while the pool only serves checked URLs; kept so that a change in
            # httpcore cannot turn into an unchecked connection.
            raise BlockedAddress(f"{host}:{port} was not checked before connecting")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for ip in self._destination.addresses:
            try:
                # An IP literal: create_connection does no DNS lookup for it.
                stream = self._sockets.connect_tcp(
                    str(ip),
                    port,
                    timeout=_within(self._deadline, timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            return DeadlineStream(stream, deadline=self._deadline)
        assert failure is not None  # a Destination always has at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddress("the fetcher does not connect to Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
