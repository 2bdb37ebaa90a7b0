"""What the spam filter judges, the blog's rules it judges by, and what it decides."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.spam.links import domain_key, host_of

if TYPE_CHECKING:
    from yamabiko.posts.models import Blog

# DESIGN.md: "A minimum time between showing and posting the form, if used, is at most 3 s."
MAX_MIN_FORM_SECONDS = 3.0

_SEPARATORS = re.compile(r"[\n,]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """One comment or linkback to judge, free of any protocol or request object."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    form_age_seconds: float | None = None
    is_duplicate: bool = False

    @property
    def classifier_text(self) -> str:
        """The text the classifier reads; train with the same text (`spam_train`)."""
        return "\n".join(part for part in (self.author_name, self.author_url, self.body) if part)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The blog's spam settings, parsed."""

    max_links: int = 2
    blocked_words: tuple[str, ...] = ()
    blocked_domains: tuple[str, ...] = ()
    blocked_ips: tuple[str, ...] = ()
    min_form_seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.max_links < 0:
            raise InvalidInput(f"max_links must be 0 or more, not {self.max_links}")
        if not 0 <= self.min_form_seconds <= MAX_MIN_FORM_SECONDS:
            raise InvalidInput(
                f"min_form_seconds must be between 0 and {MAX_MIN_FORM_SECONDS:g}, "
                f"not {self.min_form_seconds:g}"
            )

    @classmethod
    def from_blog(cls, blog: Blog) -> Policy:
        return cls(
            max_links=blog.comment_max_links,
            blocked_words=_unique(normalize_text(entry) for entry in _entries(blog.blocked_words)),
            blocked_domains=_unique(
                domain for entry in _entries(blog.blocked_domains) if (domain := _domain(entry))
            ),
            blocked_ips=_unique(
                network for entry in _entries(blog.blocked_ips) if (network := _network(entry))
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    spam: bool
    hold: bool
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What one rule found: a reason, and whether it makes the submission spam or held."""

    reason: str
    spam: bool


def normalize_text(text: str) -> str:
    """The form words are compared in: NFKC (full-width to ASCII, half-width kana) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def _entries(setting: str) -> Iterable[str]:
    """One entry per line, commas also separate; blank entries and '#' comments are skipped."""
    for line in setting.splitlines():
        for entry in _SEPARATORS.split(line.partition("#")[0]):
            if entry := entry.strip():
                yield entry


def _unique(entries: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(entries))


def _domain(entry: str) -> str | None:
    """A domain from "example.com", "*.example.com", ".example.com" or a pasted URL."""
    entry = entry.removeprefix("*.").lstrip(".")
    host = host_of(entry if "//" in entry else f"//{entry}")
    return domain_key(host) if host else None


def _network(entry: str) -> str | None:
    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        return None
