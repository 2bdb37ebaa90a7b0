"""What a feed says, independent of its format: the value objects every writer reads.

Built from the database by ``entries`` and ``views``; written out as RSS 2.0, Atom 1.0 or
JSON Feed 1.1 by ``writers`` and ``jsonfeed``, which never touch anything but these.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime
from typing import Any

from yamabiko.feeds.content import xml_safe

__all__ = ["Entry", "Feed", "Image", "Person", "cleaned", "rfc3339", "tag_uri"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    name: str
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    url: str
    mime_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    id: str
    url: str
    title: str
    content_html: str
    summary: str
    published: datetime
    updated: datetime
    author: Person | None = None
    categories: tuple[str, ...] = ()
    image: Image | None = None
    # Where the item really lives when that is another site (a linkback's source page).
    external_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    id: str
    title: str
    description: str
    home_url: str
    self_url: str
    language: str
    updated: datetime
    author: Person | None = None
    hub: str = ""
    # RFC 5005 §3 paged feeds: "" where there is no such page.
    first_url: str = ""
    previous_url: str = ""
    next_url: str = ""
    last_url: str = ""
    entries: tuple[Entry, ...] = ()


def tag_uri(host: str, minted: datetime, specific: str) -> str:
    """An RFC 4151 tag URI, ``tag:<host>,<yyyy-mm-dd>:<specific>``.

    Minted from when a thing was created, it never changes when the thing is edited, moved
    to another slug or republished, which is what Atom's id (RFC 4287 §4.2.6) asks for.
    """
    return f"tag:{host},{minted.astimezone(UTC):%Y-%m-%d}:{specific}"


def rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as Atom §3.3 and JSON Feed's dates want it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _cleaned_value(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, tuple):
        return tuple(_cleaned_value(element) for element in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _cleaned_value(getattr(value, field.name)) for field in fields(value)
        }
        return replace(value, **changes)
    return value


def cleaned(feed: Feed) -> Feed:
    """``feed`` with every string XML-legal (``content.xml_safe``) and every date in UTC.

    Every writer starts from this, so no format can forget a field: a title, an author's
    URL or a category name with a control character in it is cleaned like the body is.
    """
    result: Feed = _cleaned_value(feed)
    return result
