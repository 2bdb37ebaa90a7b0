"""Yamabiko's deployment checks, run by `yamabiko check` beside Django's `check --deploy`.

Each check reads the settings at call time and names the environment variable (or the
command) that fixes what it finds; Django's own messages name Django settings, which a
Yamabiko operator cannot set. ``REPLACED_DJANGO_CHECKS`` lists the Django checks that
`yamabiko check` leaves out, each with the reason.
"""

from __future__ import annotations

import ipaddress
import math
import stat
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage
from django.http.request import validate_host

from yamabiko.config import SECRET_KEY_FILE

__all__ = ["REPLACED_DJANGO_CHECKS", "TAG"]

TAG = "yamabiko"
SECRET_KEY_MIN_LENGTH = 50  # Django's own bar (security.W009)
# Below this, by the key's own character frequencies, a key is guessable however long it
# is; a generated key (token_urlsafe(50)) scores above 350 bits.
SECRET_KEY_MIN_BITS = 128
ZLIB_FRAMING_BYTES = 6  # header and checksum, not content
GENERATE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"

REPLACED_DJANGO_CHECKS = {
    "security.W004": "HSTS follows YAMABIKO_SITE_URL's scheme; yamabiko.W002 says what to set",
    "security.W012": "Secure cookies follow YAMABIKO_SITE_URL's scheme; see yamabiko.W002",
    "security.W016": "Secure cookies follow YAMABIKO_SITE_URL's scheme; see yamabiko.W002",
    "security.W008": (
        "yamabiko serve speaks no TLS: the TLS proxy in front of it redirects http to https"
    ),
    "security.W005": (
        "HSTS includeSubDomains binds every subdomain, which the blog cannot know about; "
        "add it at the TLS proxy if they all serve https"
    ),
    "security.W021": (
        "HSTS preload is a commitment for the whole domain that takes months to undo; "
        "add it at the TLS proxy if you mean it"
    ),
    "security.W009": "replaced by yamabiko.W003, which names YAMABIKO_SECRET_KEY",
    "security.W018": "replaced by yamabiko.W001, which names YAMABIKO_DEBUG",
    "mail.E001": "replaced by yamabiko.W009, which names YAMABIKO_EMAIL_URL",
}


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_host() -> str:
    return urlsplit(settings.YAMABIKO_SITE_URL).hostname or ""


def site_host_header() -> str:
    """The site's host as a Host header (and ALLOWED_HOSTS) spells it: IPv6 in brackets."""
    host = site_host()
    return f"[{host}]" if ":" in host else host


def site_is_https() -> bool:
    return urlsplit(settings.YAMABIKO_SITE_URL).scheme == "https"


def check_debug(**kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        checks.Warning(
            "YAMABIKO_DEBUG is on: errors show tracebacks and settings to readers, "
            "and static files are served uncompressed.",
            hint="Unset YAMABIKO_DEBUG (or set it to 0).",
            id="yamabiko.W001",
        )
    ]


def check_site_https(**kwargs: Any) -> list[CheckMessage]:
    # A blog on loopback is someone trying it out: no one else can reach its cookies.
    if site_is_https() or is_loopback(site_host()):
        return []
    return [
        checks.Warning(
            f"YAMABIKO_SITE_URL {settings.YAMABIKO_SITE_URL} is not https: login and "
            "session cookies travel in the clear (not Secure) and no HSTS is sent.",
            hint="Serve the blog through a TLS proxy and set YAMABIKO_SITE_URL=https://….",
            id="yamabiko.W002",
        )
    ]


def estimated_bits(text: str) -> float:
    """An upper bound of a key's entropy: by its character frequencies, and compressed.

    Frequencies miss repetition ("abcdefgh" * 10) and compression misses a small alphabet
    spread evenly; a made-up key fails at least one of them.
    """
    counts = Counter(text).values()
    by_frequency = -sum(count * math.log2(count / len(text)) for count in counts)
    compressed = zlib.compress(text.encode(), 9)
    return min(by_frequency, 8.0 * (len(compressed) - ZLIB_FRAMING_BYTES))


def secret_key_from_file() -> bool:
    key_file = Path(settings.YAMABIKO_DATA_DIR) / SECRET_KEY_FILE
    try:
        return key_file.read_text().strip() == settings.SECRET_KEY
    except OSError:
        return False


def check_secret_key(**kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if len(key) >= SECRET_KEY_MIN_LENGTH and estimated_bits(key) >= SECRET_KEY_MIN_BITS:
        return []
    if secret_key_from_file():
        where = f"The secret key in {Path(settings.YAMABIKO_DATA_DIR) / SECRET_KEY_FILE}"
        hint = "Remove that file: the next start generates a strong key into it."
    else:
        where = "YAMABIKO_SECRET_KEY"
        hint = f"Unset YAMABIKO_SECRET_KEY to use a generated key, or set it to {GENERATE_KEY}."
    return [
        checks.Warning(
            f"{where} is too short or too regular to keep sessions and signed "
            f"links unforgeable (at least {SECRET_KEY_MIN_LENGTH} random characters).",
            hint=f"{hint} Changing it logs everyone out.",
            id="yamabiko.W003",
        )
    ]


def mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def check_data_dir_mode(**kwargs: Any) -> list[CheckMessage]:
    data_dir = Path(settings.YAMABIKO_DATA_DIR)
    mode = mode_of(data_dir)
    # nginx, another user, reads the page mirror from inside the data dir (deployment.md).
    allowed = stat.S_IXOTH if settings.YAMABIKO_PAGE_MIRROR else 0
    if mode is None or not mode & stat.S_IRWXO & ~allowed:
        return []
    return [
        checks.Warning(
            f"The data dir {data_dir} is open to other users (mode {mode:04o}); "
            "it holds the secret key and the database.",
            hint=f"chmod o-rwx {data_dir} (o+x only if nginx serves the page mirror).",
            id="yamabiko.W004",
        )
    ]


def sqlite_files() -> Iterator[Path]:
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            name = Path(database["NAME"])
            # The write-ahead log holds the latest rows until they are checkpointed.
            yield from (
                name,
                name.with_name(f"{name.name}-wal"),
                name.with_name(f"{name.name}-shm"),
            )


def readable_by_others(path: Path) -> bool:
    """Others can read the file itself, and enter the directory that holds it."""
    file_mode, dir_mode = mode_of(path), mode_of(path.parent)
    if file_mode is None or dir_mode is None:
        return False
    return bool(file_mode & stat.S_IROTH and dir_mode & stat.S_IXOTH)


def check_secret_files(**kwargs: Any) -> list[CheckMessage]:
    candidates = [Path(settings.YAMABIKO_DATA_DIR) / SECRET_KEY_FILE, *sqlite_files()]
    readable = " ".join(str(path) for path in candidates if readable_by_others(path))
    if not readable:
        return []
    return [
        checks.Warning(
            f"Other users can read {readable}, which hold the secret key or the database.",
            hint=f"chmod o-r {readable}",
            id="yamabiko.W005",
        )
    ]


def check_mirror_with_redis(**kwargs: Any) -> list[CheckMessage]:
    if not (settings.YAMABIKO_PAGE_MIRROR and settings.YAMABIKO_REDIS_URL):
        return []
    return [
        checks.Warning(
            "YAMABIKO_PAGE_MIRROR is on with REDIS_URL: the mirror is files on one machine, "
            "so nginx on each app server would serve pages changed on another one.",
            hint="Unset YAMABIKO_PAGE_MIRROR when several app servers share Redis.",
            id="yamabiko.W006",
        )
    ]


def check_outbound_allow(**kwargs: Any) -> list[CheckMessage]:
    if not settings.YAMABIKO_OUTBOUND_ALLOW:
        return []
    return [
        checks.Warning(
            "YAMABIKO_OUTBOUND_ALLOW lets linkbacks reach private addresses "
            f"({', '.join(settings.YAMABIKO_OUTBOUND_ALLOW)}); it exists for tests.",
            hint="Unset YAMABIKO_OUTBOUND_ALLOW.",
            id="yamabiko.W007",
        )
    ]


def check_sqlite_with_redis(**kwargs: Any) -> list[CheckMessage]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if not (settings.YAMABIKO_REDIS_URL and engine == "django.db.backends.sqlite3"):
        return []
    return [
        checks.Warning(
            "REDIS_URL is set, which is for several app servers, but the database is "
            "SQLite, a file only one machine can use.",
            hint="Set DATABASE_URL=postgres://… for several app servers, or unset REDIS_URL.",
            id="yamabiko.W008",
        )
    ]


def check_email(**kwargs: Any) -> list[CheckMessage]:
    backend = settings.MAILERS["default"]["BACKEND"]
    if backend != "django.core.mail.backends.console.EmailBackend":
        return []
    return [
        checks.Warning(
            "YAMABIKO_EMAIL_URL is console:, so new-comment notices go to the log "
            "instead of to the authors.",
            hint="Set YAMABIKO_EMAIL_URL=smtp://user:password@host:587 (or smtps://…:465).",
            id="yamabiko.W009",
        )
    ]


def check_trusted_proxies(**kwargs: Any) -> list[CheckMessage]:
    # yamabiko serve has no TLS, so an https site always has a proxy in front of it.
    if not site_is_https() or settings.YAMABIKO_TRUSTED_PROXIES:
        return []
    return [
        checks.Warning(
            "The https site is served through a proxy, but YAMABIKO_TRUSTED_PROXIES is "
            "empty: every reader shares the proxy's address, its rate limits and its "
            "place on the block list.",
            hint="Set YAMABIKO_TRUSTED_PROXIES to the proxy's address, such as 127.0.0.1.",
            id="yamabiko.W010",
        )
    ]


def check_allowed_hosts(**kwargs: Any) -> list[CheckMessage]:
    hosts: Sequence[str] = settings.ALLOWED_HOSTS
    messages: list[CheckMessage] = []
    if "*" in hosts:
        messages.append(
            checks.Warning(
                "YAMABIKO_ALLOWED_HOSTS holds *: any Host header is accepted, so the "
                "absolute links and redirects Django builds from it can point elsewhere.",
                hint="List the site's host names in YAMABIKO_ALLOWED_HOSTS, or unset it.",
                id="yamabiko.W011",
            )
        )
    host = site_host_header()
    if not validate_host(host, list(hosts)):
        messages.append(
            checks.Error(
                f"YAMABIKO_ALLOWED_HOSTS does not include {host}, the host of "
                "YAMABIKO_SITE_URL: every request for the site would be refused (400).",
                hint=f"Add {host} to YAMABIKO_ALLOWED_HOSTS, or unset it.",
                id="yamabiko.E001",
            )
        )
    return messages


CHECKS = (
    check_debug,
    check_site_https,
    check_secret_key,
    check_data_dir_mode,
    check_secret_files,
    check_mirror_with_redis,
    check_outbound_allow,
    check_sqlite_with_redis,
    check_email,
    check_trusted_proxies,
    check_allowed_hosts,
)


def register_checks() -> None:
    """Deploy-only: a development blog (debug on, http, console mail) is no mistake."""
    for check in CHECKS:
        checks.register(check, TAG, deploy=True)
