"""An on-disk copy of the cached pages that a front server such as nginx answers by itself.

With ``YAMABIKO_PAGE_MIRROR=1`` every cached 200 page without a query string is also
written as a plain file, at its URL path, under ``<data dir>/mirror``::

    mirror/
      current -> g42-1796400000-9f3c…    the symlink the front server reads through
      g42-1796400000-9f3c…/index.html    "/" as rendered at content generation 42
      g42-1796400000-9f3c…/2026/02/hello/index.html
      g42-1796400000-9f3c…/feed/index.rss   feeds: index.rss or index.atom, by media type

Why it stays exact, with no one asking Django: a page is written only into the directory
``current`` pointed at when its generation was the current one, and a directory is never
given to another generation. After every commit that bumps the generation, the process
that bumped moves ``current`` to a new, empty directory named after the database's
number (``follow``), before it answers the request that made the change. A page rendered
before the change lands, at worst, in a directory no one reads any more. Moves happen under
a file lock and always to the number read inside it, so two processes bumping at once
cannot leave ``current`` behind. Directories no longer current are deleted.

The clock changes pages too (a scheduled post going live; the comment form's token ageing),
and nginx never asks Django about time: ``yamabiko worker`` calls ``keep_time`` every few
seconds, which bumps the generation when a scheduled post is due and starts a fresh
directory once a day. Every process that can change content must share this data dir: the
mirror is for one machine (several app servers share pages through Redis instead).

Every directory has its own Content-Security-Policy nonce, the last part of its name: a
page is written with its scripts' nonce changed to the directory's, and the nginx
configuration reads it back from the directory ``current`` resolves to (``$realpath_root``)
to name it in the header. Like the directory, it changes with every change of content.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django import db
from django.conf import settings

from yamabiko.core.csp import nonce_replace
from yamabiko.pagecache.models import GENERATION_PK, Generation

__all__ = [
    "CURRENT",
    "FILE_NAMES",
    "RENEW_SECONDS",
    "clock_start",
    "directory_nonce",
    "follow",
    "keep_time",
    "mirror_dir",
    "page_store",
]

logger = logging.getLogger(__name__)

CURRENT = "current"
LOCK = ".lock"
# The media types a front server can give back from the file name alone (nginx's
# mime.types maps .html, .rss and .atom to exactly these).
FILE_NAMES = {
    "text/html": "index.html",
    "application/rss+xml": "index.rss",
    "application/atom+xml": "index.atom",
}
# Cached copies carry the comment form's token, valid for a week: a fresh directory each
# day keeps every mirrored form usable, as the page cache's own one-day timeout does.
RENEW_SECONDS = 24 * 3600
# How late a scheduled post may reach the mirror (Django's own pages are exact).
CLOCK_SECONDS = 10.0
# Longer names or deeper paths are no page of ours; not worth a file.
MAX_PATH_BYTES = 1024
MAX_SEGMENT_BYTES = 255


def mirror_dir() -> Path:
    return Path(settings.YAMABIKO_DATA_DIR) / "mirror"


def directory_name(generation: int, created: int) -> str:
    # The random part is the pages' CSP nonce, 128 bits as the CSP spec asks; it also makes
    # a renewed directory new even within the same second.
    return f"g{generation}-{created}-{secrets.token_hex(16)}"


def directory_nonce(name: str) -> str:
    """The CSP nonce of the pages in directory ``name`` (as named by directory_name)."""
    return name.rpartition("-")[2]


def directory_parts(name: str) -> tuple[int, int] | None:
    """(generation, creation time) from a directory name, None for anything else."""
    fields = name.removeprefix("g").split("-")
    if not name.startswith("g") or len(fields) != 3 or not all(f.isalnum() for f in fields):
        return None
    number, created, _ = fields
    if not number.isdigit() or not created.isdigit():
        return None
    return int(number), int(created)


def current_target(root: Path) -> str | None:
    try:
        return os.readlink(root / CURRENT)
    except OSError:
        return None


def relative_path(path: str) -> PurePosixPath | None:
    """Where under a generation's directory the page at URL ``path`` goes, or None.

    Only paths a front server maps back the same way: absolute, ending in "/" (anything
    else Django redirects), every segment a plain name. Nothing here can climb out.
    """
    if not path.startswith("/") or not path.endswith("/") or "\x00" in path:
        return None
    if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        return None
    segments = path.strip("/").split("/") if path != "/" else []
    for segment in segments:
        if not segment or segment.startswith(".") or "\\" in segment:
            return None
        if len(segment.encode("utf-8", "surrogateescape")) > MAX_SEGMENT_BYTES:
            return None
    return PurePosixPath(*segments)


def page_store(
    *, path: str, content_type: str, body: bytes, generation: int, nonce: str | None = None
) -> None:
    """Write one page rendered at ``generation``, if that is still the mirrored one;
    ``nonce`` is the CSP nonce it was rendered with, if its scripts carry one."""
    name = FILE_NAMES.get(content_type)
    relative = relative_path(path)
    if name is None or relative is None:
        return
    root = mirror_dir()
    target = current_target(root)
    parts = directory_parts(target) if target else None
    if parts is None or parts[0] < generation:
        # No mirror yet, or this process saw a bump whose mover has not run yet.
        follow()
        target = current_target(root)
        parts = directory_parts(target) if target else None
    if target is None or parts is None or parts[0] != generation:
        return  # rendered before a change: the page is stale already
    folder = root / target / relative
    try:
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{name}.{os.getpid()}"
        if nonce:
            body = nonce_replace(body, nonce, directory_nonce(target))
        draft.write_bytes(body)
        draft.replace(folder / name)
    except OSError as error:
        # The directory was deleted under us (a change moved the mirror on): nothing lost.
        logger.debug("page not mirrored at %s: %s", folder, error)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    with (root / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def mirrored_generation(root: Path) -> int | None:
    target = current_target(root)
    parts = directory_parts(target) if target else None
    return parts[0] if parts else None


def database_generation() -> int:
    found = Generation.objects.filter(pk=GENERATION_PK).values_list("number", flat=True).first()
    return found or 0


def follow(*, renew: bool = False) -> None:
    """Point ``current`` at the database's generation; ``renew`` starts a fresh directory
    even if it already does. Called after the commit of every bump; never raises."""
    root = mirror_dir()
    try:
        if not renew and mirrored_generation(root) == database_generation():
            # Safe without the lock: every move reads the number inside it, so no move
            # that read an older number can come after the one that set this.
            return
        root.mkdir(parents=True, exist_ok=True)
        with locked(root):
            # Read inside the lock: whoever moves last has read the newest number.
            generation = database_generation()
            target = current_target(root)
            parts = directory_parts(target) if target else None
            if parts is not None and parts[0] == generation and not renew:
                return
            name = directory_name(generation, int(time.time()))
            (root / name).mkdir()
            link = root / f".{CURRENT}.{os.getpid()}"
            link.unlink(missing_ok=True)
            link.symlink_to(name)
            link.replace(root / CURRENT)
        prune(root, keep=name)
    except Exception:
        logger.exception("page mirror could not follow a change; taking it offline")
        withdraw(root)


def withdraw(root: Path) -> None:
    """Remove ``current``, so the front server passes every request to Django."""
    try:
        (root / CURRENT).unlink(missing_ok=True)
    except OSError:
        logger.exception("page mirror could not be taken offline: %s", root / CURRENT)


def prune(root: Path, *, keep: str) -> None:
    """Delete every generation directory but ``keep``; a front server still sending a file
    from one keeps its open handle."""
    for entry in root.iterdir():
        if entry.name != keep and directory_parts(entry.name) is not None:
            shutil.rmtree(entry, ignore_errors=True)


def wanted() -> bool:
    """Whether a change must be followed: the mirror is on, or a link of it is left over."""
    return bool(settings.YAMABIKO_PAGE_MIRROR) or (mirror_dir() / CURRENT).is_symlink()


def after_change() -> None:
    """Run after a bump commits: move the mirror on, or take a disabled one offline."""
    if settings.YAMABIKO_PAGE_MIRROR:
        follow()
    elif (mirror_dir() / CURRENT).is_symlink():
        # Mirroring was switched off: what is there would go stale without it.
        withdraw(mirror_dir())


def keep_time(*, now: float | None = None) -> None:
    """What the clock changes: scheduled posts going live, and a daily fresh directory."""
    from yamabiko.pagecache.generation import generation_current

    generation_current()  # bumps, and so follows, when a scheduled post is due
    root = mirror_dir()
    target = current_target(root)
    parts = directory_parts(target) if target else None
    moment = time.time() if now is None else now
    if parts is None or moment - parts[1] >= RENEW_SECONDS:
        follow(renew=True)


def clock_start(
    *, interval: float = CLOCK_SECONDS, stop: threading.Event | None = None
) -> threading.Thread:
    """Run ``keep_time`` now and every ``interval`` seconds in a daemon thread (in the task
    worker), until ``stop`` is set or the process ends."""
    stopped = stop or threading.Event()

    def tick_forever() -> None:
        while True:
            try:
                keep_time()
            except Exception:  # a database hiccup; the next tick tries again
                logger.exception("page mirror clock failed")
            finally:
                # This thread's own connection; one every few seconds costs nothing.
                db.connections.close_all()
            if stopped.wait(interval):
                return

    thread = threading.Thread(target=tick_forever, name="page-mirror-clock", daemon=True)
    thread.start()
    return thread
