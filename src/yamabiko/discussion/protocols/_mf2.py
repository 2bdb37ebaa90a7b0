"""Reading microformats2 as mf2py returns it, for source.py.

mf2py returns untyped JSON-like data (https://microformats.org/wiki/microformats2-parsing);
every access here checks the shape it finds, so a hostile page cannot make us fail with a
KeyError or treat a dict as a string.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from html import escape

from yamabiko.discussion.protocols._urls import is_http_url, matches_target

__all__ = [
    "MentionType",
    "author_of",
    "content_of",
    "first_text",
    "primary_entry",
    "published_of",
    "response_type",
    "values_of",
]

# webmention.rocks order (lib/Rocks/Response.php getMentionType).
_RESPONSE_PROPERTIES = (
    ("like-of", "like"),
    ("repost-of", "repost"),
    ("bookmark-of", "bookmark"),
    ("in-reply-to", "reply"),
)


class MentionType(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    LIKE = "like"
    REPOST = "repost"
    BOOKMARK = "bookmark"


def _types(item: object) -> list[str]:
    types = item.get("type") if isinstance(item, dict) else None
    return [kind for kind in types if isinstance(kind, str)] if isinstance(types, list) else []


def values_of(item: object, name: str) -> list[object]:
    properties = item.get("properties") if isinstance(item, dict) else None
    values = properties.get(name) if isinstance(properties, dict) else None
    return list(values) if isinstance(values, list) else []


def first_text(values: list[object]) -> str:
    for value in values:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return str(value["value"])
    return ""


def _first_url(values: list[object]) -> str:
    for value in values:
        url = value.get("value") if isinstance(value, dict) else value
        if isinstance(url, str) and is_http_url(url.strip()):
            return url.strip()
    return ""


def _urls_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    urls = [url for url in values_of(value, "url") if isinstance(url, str)]
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        urls.append(str(value["value"]))
    return urls


def response_type(entry: object, target: str) -> MentionType | None:
    for name, kind in _RESPONSE_PROPERTIES:
        for value in values_of(entry, name):
            if any(matches_target(url.strip(), target) for url in _urls_of(value)):
                return MentionType(kind)
    return None


def content_of(entry: object) -> tuple[str, str]:
    """(HTML, text) of the entry's content; a plain-text content is escaped into HTML."""
    for value in values_of(entry, "content"):
        if isinstance(value, str):
            return escape(value), value
        if isinstance(value, dict):
            text = value.get("value")
            html = value.get("html")
            text = text if isinstance(text, str) else ""
            return (html if isinstance(html, str) else escape(text)), text
    return "", ""


def _entries(items: object) -> list[tuple[object, object]]:
    """(entry, its h-feed or None) for top-level h-entries and those of top-level h-feeds."""
    found: list[tuple[object, object]] = []
    for item in items if isinstance(items, list) else []:
        if "h-entry" in _types(item):
            found.append((item, None))
        elif "h-feed" in _types(item):
            children = item.get("children") if isinstance(item, dict) else None
            for child in children if isinstance(children, list) else []:
                if "h-entry" in _types(child):
                    found.append((child, item))
    return found


def _links_in_content(entry: object, target: str) -> bool:
    html = content_of(entry)[0]
    return f'"{escape(target, quote=True)}"' in html or f'"{target}"' in html


def primary_entry(items: object, target: str) -> tuple[object, object] | None:
    entries = _entries(items)
    for entry, feed in entries:
        if response_type(entry, target) is not None:
            return entry, feed
    for entry, feed in entries:
        if _links_in_content(entry, target):
            return entry, feed
    return entries[0] if entries else None


def author_of(entry: object, feed: object) -> tuple[str, str, str]:
    for holder in (entry, feed):
        for value in values_of(holder, "author"):
            if isinstance(value, str):
                value = value.strip()
                return ("", value, "") if is_http_url(value) else (value, "", "")
            name = first_text(values_of(value, "name"))
            if not name and isinstance(value, dict) and isinstance(value.get("value"), str):
                name = str(value["value"])
            url = _first_url(values_of(value, "url"))
            if name.strip() == url:  # mf2 implies a name from a bare link's text
                name = ""
            return name, url, _first_url(values_of(value, "photo"))
    return "", "", ""


def published_of(entry: object) -> datetime | None:
    text = first_text(values_of(entry, "published")).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
