"""The JSON Feed 1.1 schema (https://www.jsonfeed.org/version/1.1/) and a small validator.

``jsonschema`` is not a dependency, so this checks the subset of JSON Schema the spec needs:
types, required members, no unknown members (but ``_extensions``), URL and date formats,
and "at least one of" rules (an item needs content_html or content_text; an author needs a
name, url or avatar).
"""

from __future__ import annotations

import re
from typing import Any

URL = {"type": "string", "format": "url"}
DATE = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}
AUTHOR = {
    "type": "object",
    "properties": {"name": TEXT, "url": URL, "avatar": URL},
    "any_required": [["name"], ["url"], ["avatar"]],
}
ATTACHMENT = {
    "type": "object",
    "properties": {
        "url": URL,
        "mime_type": TEXT,
        "title": TEXT,
        "size_in_bytes": {"type": "number"},
        "duration_in_seconds": {"type": "number"},
    },
    "required": ["url", "mime_type"],
}
ITEM = {
    "type": "object",
    "properties": {
        "id": TEXT,
        "url": URL,
        "external_url": URL,
        "title": TEXT,
        "content_html": TEXT,
        "content_text": TEXT,
        "summary": TEXT,
        "image": URL,
        "banner_image": URL,
        "date_published": DATE,
        "date_modified": DATE,
        "authors": {"type": "array", "items": AUTHOR},
        "tags": {"type": "array", "items": TEXT},
        "language": TEXT,
        "attachments": {"type": "array", "items": ATTACHMENT},
    },
    "required": ["id"],
    "any_required": [["content_html"], ["content_text"]],
}
FEED = {
    "type": "object",
    "properties": {
        "version": {"type": "string", "const": "https://jsonfeed.org/version/1.1"},
        "title": TEXT,
        "home_page_url": URL,
        "feed_url": URL,
        "description": TEXT,
        "user_comment": TEXT,
        "next_url": URL,
        "icon": URL,
        "favicon": URL,
        "authors": {"type": "array", "items": AUTHOR},
        "language": TEXT,
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"type": TEXT, "url": URL},
                "required": ["type", "url"],
            },
        },
        "items": {"type": "array", "items": ITEM},
    },
    "required": ["version", "title", "items"],
}

TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "number": (int, float),
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ABSOLUTE_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: problem`` lines."""
    found: list[str] = []
    expected = TYPES[schema["type"]]
    if not isinstance(value, expected) or (schema["type"] == "number" and isinstance(value, bool)):
        return [f"{where}: not a {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: must be {schema['const']!r}")
    if schema.get("format") == "url" and not ABSOLUTE_URL.match(value):
        found.append(f"{where}: not an absolute URL: {value!r}")
    if schema.get("format") == "date-time" and not RFC3339.match(value):
        found.append(f"{where}: not an RFC 3339 date: {value!r}")
    if schema["type"] == "array":
        for index, element in enumerate(value):
            found += errors(element, schema["items"], f"{where}[{index}]")
    if schema["type"] == "object":
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{where}: {key} is required")
        alternatives = schema.get("any_required")
        if alternatives and not any(all(k in value for k in keys) for keys in alternatives):
            found.append(f"{where}: needs one of {alternatives}")
        for key, element in value.items():
            if key in properties:
                found += errors(element, properties[key], f"{where}.{key}")
            elif not key.startswith("_"):
                found.append(f"{where}: unknown member {key!r}")
    return found


def assert_valid_json_feed(document: Any) -> None:
    assert errors(document, FEED) == []
