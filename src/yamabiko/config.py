"""Typed reading of the environment: every YAMABIKO_* variable, DATABASE_URL and REDIS_URL.

The environment is read once per process (``get_config``); settings.py builds Django's
settings from the result. A value that cannot work raises ConfigurationError with one line
that says what to set, which the CLI prints without a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from yamabiko.core.exceptions import ConfigurationError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    data_dir: Path
    database_url: str
    database_replicas: tuple[str, ...]
    redis_url: str | None
    site_url: str
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    page_cache: bool
    page_mirror: bool
    outbound_allow: tuple[str, ...]
    trusted_proxies: tuple[str, ...]
    email_url: str
    email_from: str

    @property
    def site_host(self) -> str:
        return urlsplit(self.site_url).hostname or "127.0.0.1"

    @property
    def site_is_https(self) -> bool:
        return urlsplit(self.site_url).scheme == "https"


def read_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (true/false), not {raw!r}")


def read_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def ensure_data_dir(path: Path) -> Path:
    try:
        # Private: it holds the secret key and the database (yamabiko check warns otherwise).
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # One probe per process: servers starting together must not remove each other's.
        probe = path / f".write-probe-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise ConfigurationError(
            f"data dir {path} is not writable ({error.strerror}); "
            "set YAMABIKO_DATA_DIR to a directory you can write"
        ) from error
    return path


def read_or_create_secret_key(data_dir: Path) -> str:
    """Keep one generated key per data dir so sessions survive restarts."""
    key_file = data_dir / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text().strip()
    # Written whole under a private name, then linked into place: a process starting at
    # the same moment either wins the link or reads the winner's complete key.
    draft = data_dir / f".{SECRET_KEY_FILE}-{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return key_file.read_text().strip()


def read_site_url(env: Mapping[str, str]) -> str:
    raw = env.get("YAMABIKO_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            "YAMABIKO_SITE_URL must be an http(s) URL such as https://blog.example.org, "
            f"not {raw!r}"
        )
    return raw


def read_database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'yamabiko.sqlite3'}"
    scheme = raw.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigurationError(
            f"DATABASE_URL must start with sqlite:// or postgres://, not {scheme}://"
        )
    return raw


def read_networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Addresses or CIDR networks, each checked, in their normal spelling."""
    networks = []
    for item in read_list(env, name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigurationError(
                f"{name} must list IP addresses or networks (192.0.2.10, 10.0.0.0/8), not {item!r}"
            ) from None
    return tuple(networks)


def read_database_replicas(env: Mapping[str, str], database_url: str) -> tuple[str, ...]:
    """Read-only copies of the PostgreSQL primary, each a postgres:// URL."""
    replicas = read_list(env, "YAMABIKO_DATABASE_REPLICAS")
    if not replicas:
        return ()
    # SQLite has no replication, so a replica beside it could only be a different database.
    if database_url.split(":", 1)[0] not in POSTGRES_SCHEMES:
        raise ConfigurationError(
            "YAMABIKO_DATABASE_REPLICAS needs a PostgreSQL DATABASE_URL (postgres://…); "
            "unset it for SQLite"
        )
    for url in replicas:
        scheme = url.split(":", 1)[0]
        if scheme not in POSTGRES_SCHEMES:
            raise ConfigurationError(
                f"YAMABIKO_DATABASE_REPLICAS holds postgres:// URLs separated by commas, "
                f"not {scheme}://"
            )
    return replicas


def read_email_url(env: Mapping[str, str]) -> str:
    raw = env.get("YAMABIKO_EMAIL_URL", "").strip() or "console:"
    if urlsplit(raw).scheme not in {"console", "smtp", "smtps"}:
        raise ConfigurationError(
            f"YAMABIKO_EMAIL_URL must be console: or smtp(s)://user:password@host:port, not {raw!r}"
        )
    return raw


def load_config(env: Mapping[str, str]) -> Config:
    data_dir = ensure_data_dir(
        Path(env.get("YAMABIKO_DATA_DIR", "yamabiko-data")).expanduser().resolve()
    )
    site_url = read_site_url(env)
    secret_key = env.get("YAMABIKO_SECRET_KEY", "").strip() or read_or_create_secret_key(data_dir)
    site_host = urlsplit(site_url).hostname or "127.0.0.1"
    allowed_hosts = read_list(env, "YAMABIKO_ALLOWED_HOSTS") or (
        site_host,
        "127.0.0.1",
        "localhost",
        "[::1]",
    )
    database_url = read_database_url(env, data_dir)
    page_cache = read_bool(env, "YAMABIKO_PAGE_CACHE", default=True)
    page_mirror = read_bool(env, "YAMABIKO_PAGE_MIRROR", default=False)
    if page_mirror and not page_cache:
        raise ConfigurationError(
            "YAMABIKO_PAGE_MIRROR=1 needs the page cache, which writes the mirror: "
            "unset YAMABIKO_PAGE_CACHE=0"
        )
    return Config(
        data_dir=data_dir,
        database_url=database_url,
        database_replicas=read_database_replicas(env, database_url),
        redis_url=env.get("REDIS_URL", "").strip() or None,
        site_url=site_url,
        secret_key=secret_key,
        debug=read_bool(env, "YAMABIKO_DEBUG", default=False),
        allowed_hosts=allowed_hosts,
        page_cache=page_cache,
        page_mirror=page_mirror,
        outbound_allow=read_list(env, "YAMABIKO_OUTBOUND_ALLOW"),
        trusted_proxies=read_networks(env, "YAMABIKO_TRUSTED_PROXIES"),
        email_url=read_email_url(env),
        email_from=env.get("YAMABIKO_EMAIL_FROM", "").strip() or f"yamabiko@{site_host}",
    )


@cache
def get_config() -> Config:
    return load_config(os.environ)
