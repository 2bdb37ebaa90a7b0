"""A small HTTP/1.1 load generator, for machines without wrk (bench/http/run.py's fallback).

    python bench/http/loadgen.py http://127.0.0.1:8000/ --connections 32 --duration 10

Standard library only. One asyncio loop opens ``--connections`` keep-alive connections, and
each sends a GET, reads the whole answer (Content-Length or chunked) and sends the next, for
``--duration`` seconds, timing every request from the first byte written to the last byte
read. A server that answers ``Connection: close`` (gunicorn's sync worker does) gets a new
connection for the next request, and the connect time counts in that request's latency, as
it does in wrk.

Prints one JSON object, the same shape as run.py's wrk results: rps, p50_ms, p99_ms,
requests, errors (non-2xx/3xx answers plus socket errors) and error_detail.

One Python process is far slower than wrk: past a few thousand requests a second the
generator, not the server, is what is measured. Compare numbers only within one tool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TOOL = "loadgen.py"


@dataclass(slots=True)
class Tally:
    """What every connection adds to while the test runs."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    socket_errors: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    host: str
    port: int
    request: bytes


def target_of(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"loadgen.py speaks plain http:// only, not {url!r}")
    port = parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {TOOL}\r\n"
        "Accept: */*\r\nConnection: keep-alive\r\n\r\n"
    ).encode("ascii")
    return Target(host=parts.hostname, port=port, request=request)


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";", 1)[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                return
    length = int(headers.get("content-length", "0"))
    await reader.readexactly(length)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status, and whether the server keeps the connection open."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("closed before the status line")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    await read_body(reader, headers)
    return status, headers.get("connection", "").lower() != "close"


async def connection_loop(target: Target, deadline: float, tally: Tally) -> None:
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection(target.host, target.port)
            reader, writer = streams
            writer.write(target.request)
            status, keep = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            tally.socket_errors[type(error).__name__] += 1
            close(streams)
            streams = None
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[status] += 1
        if not keep:
            close(streams)
            streams = None
    close(streams)


def close(streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if streams is not None:
        streams[1].close()


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def summary(tally: Tally, seconds: float) -> dict[str, object]:
    ordered = sorted(tally.latencies)
    non_success = sum(n for status, n in tally.statuses.items() if not 200 <= status < 400)
    socket_errors = sum(tally.socket_errors.values())
    return {
        "tool": TOOL,
        "seconds": round(seconds, 3),
        "requests": len(ordered),
        "rps": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "errors": non_success + socket_errors,
        "error_detail": {
            "non_2xx_3xx": non_success,
            "socket": dict(tally.socket_errors),
            "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        },
    }


async def load(url: str, *, connections: int, duration: float) -> dict[str, object]:
    target = target_of(url)
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(connection_loop(target, deadline, tally) for _ in range(connections)))
    return summary(tally, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("url", help="an http:// URL to GET over and over")
    parser.add_argument("--connections", type=int, default=32, help="open at once (32)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (10)")
    arguments = parser.parse_args(argv)
    result = asyncio.run(
        load(arguments.url, connections=arguments.connections, duration=arguments.duration)
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
