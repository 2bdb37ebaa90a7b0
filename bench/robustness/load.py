"""The clients of the robustness run: threads that read, comment and ping until told to stop.

Each thread keeps one keep-alive connection and loops: it picks a request by the mix's
weights, sends it, and notes its status and latency in a Tally of its own (merged at the end,
so the threads share nothing but the Outages flag). A comment carries a marker and a ping a
source URL unique to this thread and request, so each acknowledged write can be looked for
in the database afterwards.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

READ, COMMENT, PING = "read", "comment", "ping"
KINDS = (READ, COMMENT, PING)
WEIGHTS = (85, 10, 5)
REQUEST_TIMEOUT_SECONDS = 30.0
OUTAGE_TIMEOUT_SECONDS = 120.0
PING_SOURCE = "http://pinger.example/robustness/{0}"
COMMENT_MARKER = "robustness-comment-{0}"
MARKER = re.compile(r"robustness-comment-\d+-\d+")
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A post that takes comments and pings: its id and its comment form's token."""

    post_id: int
    token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reads:
    """The public pages a read picks from."""

    permalinks: tuple[str, ...]
    categories: tuple[str, ...]
    feeds: tuple[str, ...]
    words: tuple[str, ...]

    def pick(self, rng: random.Random) -> str:
        page = rng.choice(("home", "permalink", "permalink", "category", "search", "feed"))
        if page == "permalink":
            return rng.choice(self.permalinks)
        if page == "category":
            return rng.choice(self.categories)
        if page == "search":
            return "/search/?q=" + quote(rng.choice(self.words))
        if page == "feed":
            return rng.choice(self.feeds)
        return "/"


@dataclass(slots=True)
class Outages:
    """Whether the server is down, and how many times it has been killed (its "epoch")."""

    up: threading.Event = field(default_factory=threading.Event)
    epoch: int = 0

    def begin(self) -> None:
        self.up.clear()
        self.epoch += 1

    def end(self) -> None:
        self.up.set()


@dataclass(slots=True)
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    outage_errors: Counter[str] = field(default_factory=Counter)  # connection lost in an outage
    other_errors: Counter[str] = field(default_factory=Counter)  # …outside one, or refused
    comments: list[str] = field(default_factory=list)  # acknowledged markers
    pings: list[str] = field(default_factory=list)  # acknowledged source URLs
    acknowledged: Counter[str] = field(default_factory=Counter)  # reads: answered 2xx or 3xx
    succeeded_by_epoch: Counter[int] = field(default_factory=Counter)

    def merge(self, other: Tally) -> None:
        for kind in KINDS:
            self.latencies[kind] += other.latencies[kind]
            self.statuses[kind] += other.statuses[kind]
        self.outage_errors += other.outage_errors
        self.other_errors += other.other_errors
        self.comments += other.comments
        self.pings += other.pings
        self.acknowledged += other.acknowledged
        self.succeeded_by_epoch += other.succeeded_by_epoch


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    kind: str
    method: str
    path: str
    body: str = ""
    marker: str = ""  # the comment's marker or the ping's source URL


def request_build(kind: str, tag: str, rng: random.Random, reads: Reads,
                  targets: tuple[Target, ...]) -> Request:  # fmt: skip
    if kind == READ:
        return Request(kind=kind, method="GET", path=reads.pick(rng))
    target = rng.choice(targets)
    if kind == COMMENT:
        marker = COMMENT_MARKER.format(tag)
        fields = {"name": f"Reader {tag}", "email": f"reader-{tag}@example.org", "url": "",
                  "body": f"Comment {marker}, sent under load.", "parent": "",
                  "token": target.token, "homepage": ""}  # fmt: skip
        path = f"/comments/{target.post_id}/"
        return Request(kind=kind, method="POST", path=path, body=urlencode(fields), marker=marker)
    source = PING_SOURCE.format(tag)
    fields = {"url": source, "title": f"Ping {tag}", "blog_name": "Pinger",
              "excerpt": f"A ping sent under load, number {tag}."}  # fmt: skip
    path = f"/trackback/{target.post_id}/"
    return Request(kind=kind, method="POST", path=path, body=urlencode(fields), marker=source)


def exchange(connection: http.client.HTTPConnection, request: Request) -> tuple[int, str]:
    headers = {"Accept": "application/json"} if request.kind == COMMENT else {}
    if request.method == "POST":
        headers["Content-Type"] = FORM
    connection.request(request.method, request.path, body=request.body or None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    # Only a ping's answer is read; the rest is drained so the connection can be reused.
    return response.status, body.decode(errors="replace") if request.kind == PING else ""


def acknowledged(request: Request, status: int, body: str) -> bool:
    if request.kind == COMMENT:
        return status in {201, 303}
    if request.kind == PING:
        return status == 200 and "<error>0</error>" in body
    return 200 <= status < 400


@dataclass(slots=True, kw_only=True)
class Client:
    number: int
    port: int
    reads: Reads
    targets: tuple[Target, ...]
    outages: Outages
    stop: threading.Event
    tally: Tally = field(default_factory=Tally)

    def run(self) -> None:
        rng = random.Random(self.number)  # noqa: S311 - a repeatable mix, not a secret
        connection: http.client.HTTPConnection | None = None
        epoch, sent = -1, 0
        while not self.stop.is_set():
            self.outages.up.wait(OUTAGE_TIMEOUT_SECONDS)
            if connection is None or epoch != self.outages.epoch:
                # A connection from before a kill is dead; a new one goes to the new server.
                if connection is not None:
                    connection.close()
                connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_SECONDS
                )
                epoch = self.outages.epoch
            sent += 1
            kind = rng.choices(KINDS, WEIGHTS)[0]
            request = request_build(kind, f"{self.number}-{sent}", rng, self.reads, self.targets)
            if not self.send(connection, request, epoch):
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    def send(self, connection: http.client.HTTPConnection, request: Request, epoch: int) -> bool:
        """Sends and notes one request; False when the connection failed."""
        started = time.perf_counter()
        try:
            status, body = exchange(connection, request)
        except (OSError, http.client.HTTPException):
            during = not self.outages.up.is_set() or self.outages.epoch != epoch
            errors = self.tally.outage_errors if during else self.tally.other_errors
            errors[request.kind] += 1
            return False
        self.tally.latencies[request.kind].append((time.perf_counter() - started) * 1000)
        self.tally.statuses[request.kind][status] += 1
        if acknowledged(request, status, body):
            self.tally.acknowledged[request.kind] += 1
            self.tally.succeeded_by_epoch[epoch] += 1
            if request.kind == COMMENT:
                self.tally.comments.append(request.marker)
            elif request.kind == PING:
                self.tally.pings.append(request.marker)
        return True
