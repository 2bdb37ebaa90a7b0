"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from a ``documents.Feed``.

Deviations and choices (STYLE rule 13):

- Every string passes through ``content.xml_safe`` (``documents.cleaned``) as in the XML
  formats: JSON could carry control characters escaped, but a lone surrogate is not valid
  UTF-8, and one item should read the same in all three formats.
- ``authors`` (1.1) is written; the deprecated 1.0 ``author`` is not.
- The first image of a post is both the item's ``image`` and its one ``attachment`` (the
  counterpart of the RSS enclosure); its size is unknown, so ``size_in_bytes`` is left out.
- ``hubs`` lists the WebSub hub (type ``WebSub``); ``next_url`` pages through older items.
"""

from __future__ import annotations

import json

from yamabiko.feeds.documents import Entry, Feed, Person, cleaned, rfc3339

__all__ = ["JSON_FEED_TYPE", "JSON_FEED_VERSION", "json_feed"]

JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

type JSONValue = str | int | bool | list[JSONValue] | dict[str, JSONValue] | None


def _person(person: Person) -> dict[str, JSONValue]:
    return {"name": person.name, **({"url": person.url} if person.url else {})}


def _item(entry: Entry) -> dict[str, JSONValue]:
    item: dict[str, JSONValue] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.content_html,
        "summary": entry.summary,
        "date_published": rfc3339(entry.published),
        "date_modified": rfc3339(entry.updated),
    }
    if entry.external_url:
        item["external_url"] = entry.external_url
    if entry.author:
        item["authors"] = [_person(entry.author)]
    if entry.categories:
        item["tags"] = list(entry.categories)
    if entry.image:
        item["image"] = entry.image.url
        item["attachments"] = [{"url": entry.image.url, "mime_type": entry.image.mime_type}]
    return item


def json_feed(feed: Feed) -> bytes:
    """``feed`` as a JSON Feed 1.1 document in UTF-8."""
    feed = cleaned(feed)
    document: dict[str, JSONValue] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
    }
    if feed.description:
        document["description"] = feed.description
    if feed.next_url:
        document["next_url"] = feed.next_url
    if feed.language:
        document["language"] = feed.language
    if feed.author:
        document["authors"] = [_person(feed.author)]
    if feed.hub:
        document["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    document["items"] = [_item(entry) for entry in feed.entries]
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
