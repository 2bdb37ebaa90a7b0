"""Where the copy of an imported media URL lives, and downloading it there.

Sources: RFC 3986 §5.2.4 (removing dot segments) and §6.2.2.2 (a percent-encoded character
and the character itself are the same URL).

Choices:

- File names come from the URL alone, so a second run finds the first run's files without a
  manifest: ``<host>[_<port>]/<path segments, percent-decoded>`` below ``<media root>/imported``.
  Each segment is cleaned: no ``/``, ``\\``, NUL or other control or format characters, none of
  the characters Windows refuses, nothing starting with a dot (``..`` cannot climb,
  ``.htaccess`` cannot land in a served folder), at most ``SEGMENT_BYTES`` bytes of UTF-8.
  Literal dot segments are removed first, as the fetcher's URL parser does before it asks; a
  percent-encoded ``%2e%2e`` is sent as written, so it is cleaned like any other name.
- Whenever cleaning changed something, or the URL has a query string, the name gets a
  12-hex-digit hash of host, path and query before its extension, so two different URLs never
  share a file (``photo.jpg?w=300`` -> ``photo-<hash>.jpg``). http and https of the same host
  and path share a file on purpose: old posts mix both for one file.
- A file already at its path is that URL's copy and is reused, never replaced. A new one is
  written to a temporary file in the same folder, synced, then hard-linked into place, which
  fails instead of overwriting if another import got there first; on a file system without
  hard links it is renamed after checking the name is free.
- Only a 200 answer is saved. An HTML page answering for a URL that does not end in .html or
  .htm is refused: hosts answer missing files with a "not found" page and status 200.
- The default fetcher is a guarded ``Fetcher`` with a 60-second total timeout instead of the
  shared one's 5 seconds, which suits pings but not a 20 MiB video; every other guard is the
  same. Callers and tests may pass their own.
- One URL failing (refused, unreachable, too big, not saveable) is recorded in
  ``MediaResult.failed`` with a short reason, and the others go on.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from yamabiko.core.exceptions import InvalidInput
from yamabiko.core.net import Fetcher, FetchError, Response
from yamabiko.porting.media.links import WHITESPACE

__all__ = ["SEGMENT_BYTES", "MediaResult", "fetch_media", "media_path"]

# File systems allow 255 bytes a name; this leaves room for the hash and a temporary prefix.
SEGMENT_BYTES = 120
DOWNLOAD_TIMEOUT = 60.0
IMPORTED = "imported"

# Not safe in a file name here or on the systems a data dir may be copied to.
_UNSAFE_IN_NAMES = frozenset('/\\<>:"|?*')
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# Deeper or longer paths keep only their last segment (the hash keeps them apart): PATH_MAX
# is 4096 bytes, and the data dir's own path comes first.
_MAX_PATH_BYTES = 800
_MAX_DEPTH = 24
# 48 bits: a collision among one blog's files is not a practical worry.
_HASH_DIGITS = 12
_LONGEST_EXTENSION = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaResult:
    """What ``fetch_media`` did: the copies made or found (original URL -> new URL), the URLs
    that failed with a short reason each, and which saved URLs were already on disk."""

    saved: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    reused: tuple[str, ...] = ()


def _remove_dot_segments(segments: list[str]) -> list[str]:
    """RFC 3986 §5.2.4 on a path already split at "/" (without the leading empty segment)."""
    kept: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                kept.append("")
        elif segment == "..":
            if kept:
                kept.pop()
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return kept


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= _LONGEST_EXTENSION and extension.isalnum():
        return stem, dot + extension
    return name, ""


def _truncate(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _clean(segment: str) -> tuple[str, bool]:
    """A path segment or host as a safe file name, and whether anything had to change."""
    try:
        decoded = unquote(segment, errors="strict")
        changed = False
    except UnicodeDecodeError:
        decoded = unquote(segment, errors="replace")
        changed = True
    characters = []
    for character in decoded:
        if character in _UNSAFE_IN_NAMES or unicodedata.category(character) in _UNSAFE_CATEGORIES:
            characters.append("_")
            changed = True
        else:
            characters.append(character)
    name = "".join(characters)
    if name.startswith("."):
        name = "_" + name.lstrip(".")
        changed = True
    if len(name.encode("utf-8")) > SEGMENT_BYTES:
        stem, extension = _split_extension(name)
        room = SEGMENT_BYTES - len(extension.encode("utf-8")) - _HASH_DIGITS - 1
        name = _truncate(stem, room) + extension
        changed = True
    if not name:
        name = "_"
        changed = True
    return name, changed


def media_path(url: str) -> PurePosixPath:
    """Where the copy of ``url`` lives, relative to ``<media root>/imported``.

    ``<host>[_<port>]/<cleaned path segments>``; see this module's docstring for the cleaning and
    for when a hash of the URL is added to the name. Raises InvalidInput for anything but an
    http(s) URL with a host.
    """
    try:
        parts = urlsplit(url.strip(WHITESPACE))
        port = parts.port
    except ValueError as error:
        raise InvalidInput(f"{url!r} is not a usable URL") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http(s) URL with a host")
    default_port = 443 if scheme == "https" else 80
    host = parts.hostname + (f"_{port}" if port is not None and port != default_port else "")
    host_folder, lossy = _clean(host)
    # urlsplit leaves the path of "http://h" empty; every other path here starts with "/".
    written = _remove_dot_segments(parts.path.split("/")[1:])
    segments: list[str] = []
    for index, raw in enumerate(written):
        if not raw:
            # "a//b" and a trailing "/" (a folder's index) have no name of their own.
            if index == len(written) - 1:
                segments.append("index")
            lossy = True
            continue
        name, changed = _clean(raw)
        segments.append(name)
        lossy = lossy or changed
    if not segments:
        segments, lossy = ["index"], True
    if len(segments) > _MAX_DEPTH or sum(len(s.encode()) + 1 for s in segments) > _MAX_PATH_BYTES:
        segments, lossy = segments[-1:], True
    if lossy or parts.query:
        # The scheme is left out as for the folder; host and port as the folder names them.
        identity = f"{host.lower()}{parts.path}?{parts.query}"
        digest = hashlib.sha256(identity.encode("utf-8", errors="surrogatepass")).hexdigest()
        stem, extension = _split_extension(segments[-1])
        segments[-1] = f"{stem}-{digest[:_HASH_DIGITS]}{extension}"
    return PurePosixPath(host_folder, *segments)


def _served_url(media_url: str, relative: PurePosixPath) -> str:
    path = "/".join(quote(part, safe="") for part in (IMPORTED, *relative.parts))
    return f"{media_url.rstrip('/')}/{path}"


# --- downloading --------------------------------------------------------------------------


def _refusal(url: str, response: Response, max_bytes: int) -> str | None:
    if response.status != 200:
        return f"HTTP {response.status}"
    if response.truncated:
        return f"larger than {max_bytes} bytes"
    name = unquote(urlsplit(url).path).rpartition("/")[2].lower()
    if response.content_type == "text/html" and not name.endswith((".html", ".htm")):
        return "an HTML page came back, not the file"
    return None


def _taken(target: Path) -> None:
    """Accept a file found at ``target`` (another run saved the same URL first: the same
    name means the same URL); anything else there is a conflict."""
    if not target.is_file():
        raise OSError(errno.EEXIST, "the name is taken by a folder", str(target))


def _store(root: Path, relative: PurePosixPath, body: bytes) -> None:
    """Put ``body`` at ``root/relative`` unless something is already there."""
    target = root.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(root.resolve()):
        # Only a symlink planted inside the media folder could do this.
        raise OSError(errno.EXDEV, "the folder leads outside the media folder")
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; a web server in front may run as another user.
        os.chmod(temporary, 0o644)
        try:
            os.link(temporary, target)
        except FileExistsError:
            _taken(target)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if target.exists():
                _taken(target)
            else:
                os.rename(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def fetch_media(
    urls: Iterable[str],
    *,
    media_root: Path,
    media_url: str,
    fetcher: Fetcher | None = None,
    max_bytes: int = 20 << 20,
) -> MediaResult:
    """Download each URL (once) to ``media_root/imported/<media_path(url)>``.

    ``media_url`` is where ``media_root`` is served (``settings.MEDIA_URL``); the new URLs in
    ``saved`` start with it. A file already there is reused without a request. Failures are
    collected in ``failed``; none stops the rest.
    """
    fetcher = fetcher or Fetcher(total_timeout=DOWNLOAD_TIMEOUT)
    root = Path(media_root) / IMPORTED
    saved: dict[str, str] = {}
    failed: dict[str, str] = {}
    reused: list[str] = []
    for url in dict.fromkeys(urls):
        try:
            relative = media_path(url)
        except InvalidInput as error:
            failed[url] = str(error)
            continue
        new_url = _served_url(media_url, relative)
        if root.joinpath(*relative.parts).is_file():
            saved[url] = new_url
            reused.append(url)
            continue
        try:
            response = fetcher.get(url, max_bytes=max_bytes, purpose="importing media")
        except FetchError as error:
            failed[url] = f"{error.reason}: {error}"
            continue
        refusal = _refusal(url, response, max_bytes)
        if refusal is not None:
            failed[url] = refusal
            continue
        try:
            _store(root, relative, response.body)
        except OSError as error:
            failed[url] = f"cannot save as {relative}: {error.strerror or error}"
            continue
        saved[url] = new_url
    return MediaResult(saved=saved, failed=failed, reused=tuple(reused))
