"""Fixtures of the robustness suite: a loopback listener that records every connection.

The ``connects`` guard and the ``resolver`` come from the fetcher's own tests. The guard
records every connect() the process makes and refuses, unsent, any that is not to loopback,
so a regression cannot send a packet to 10.0.0.1 or 169.254.169.254 from a developer's
machine or CI; the resolver answers made-up names with the addresses a test gives it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.core.test_net import connects, resolver

__all__ = ["Listener", "connects", "listener", "resolver"]


class Listener:
    """Sockets on 127.0.0.1 and ::1 (one port number for both) that accept and record every
    connection and answer none: if the fetcher ever connected, ``accepted`` says so."""

    def __init__(self) -> None:
        self.sockets = [socket.create_server(("127.0.0.1", 0))]
        self.port = int(self.sockets[0].getsockname()[1])
        # Without IPv6 loopback, [::1] forms meet only the policy (and the connects guard).
        with contextlib.suppress(OSError):
            self.sockets.append(socket.create_server(("::1", self.port), family=socket.AF_INET6))
        self.accepted: list[tuple[str, int]] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.serve, args=(listening,)) for listening in self.sockets
        ]
        for thread in self.threads:
            thread.start()

    def serve(self, listening: socket.socket) -> None:
        listening.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                connection, peer = listening.accept()
            except TimeoutError:
                continue
            self.accepted.append((str(peer[0]), int(peer[1])))
            connection.close()

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        for listening in self.sockets:
            listening.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    try:
        yield opened
    finally:
        opened.close()
