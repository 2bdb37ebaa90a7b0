"""RSS 2.0 and Atom 1.0 documents from a ``documents.Feed``: Django's feedgenerator, extended.

Specs: RSS 2.0 (https://www.rssboard.org/rss-specification), its content module
(``content:encoded``, https://web.resource.org/rss/1.0/modules/content/), RFC 4287 (Atom),
RFC 5005 §3 (paged feeds: ``first``/``previous``/``next``/``last`` links) and WebSub §4
(discovery: ``rel="hub"`` and ``rel="self"`` links in the feed).

Deviations and choices (STYLE rule 13):

- Every string of the feed goes through ``content.xml_safe`` first (``documents.cleaned``),
  and the XML writer applies it again to whatever it is handed (``CleanXMLGenerator``):
  characters XML 1.0 forbids are dropped rather than raising, as Django's own generator
  does, because the text is our readers', not ours. Dates are written in UTC.
- RSS ``<description>`` carries the summary (plain text, escaped as HTML so readers show it
  as written) and ``content:encoded`` the full HTML; Atom has ``summary type="text"`` and
  ``content type="html"``. Readers that know only one of the two still get something whole.
- An RSS ``<author>`` must be an email address, which we never publish: the author's name
  goes in ``dc:creator`` instead, as Django and most blog engines do.
- Item guids are tag URIs (``isPermaLink="false"``), so editing a title or slug never makes a
  reader show a post twice.
- An enclosure's length is 0: the image lives elsewhere and is not fetched to measure it
  (the RSS Advisory Board's profile allows 0 when the size is unknown).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from io import BytesIO
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.utils import feedgenerator
from django.utils.xmlutils import SimplerXMLGenerator

from yamabiko.feeds.content import xml_safe
from yamabiko.feeds.documents import Feed, cleaned, rfc3339

__all__ = ["ATOM_TYPE", "RSS_TYPE", "CleanXMLGenerator", "atom", "rss"]

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
PAGING_RELATIONS = (
    ("first", "first_url"),
    ("previous", "previous_url"),
    ("next", "next_url"),
    ("last", "last_url"),
)


class CleanXMLGenerator(SimplerXMLGenerator):
    """Django's XML writer, but characters XML forbids are dropped instead of raising."""

    def characters(self, content: str) -> None:
        super().characters(xml_safe(content))

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        cleaned = {
            key: xml_safe(value) if isinstance(value, str) else value
            for key, value in attrs.items()
        }
        super().startElement(name, AttributesImpl(cleaned))


def _links(feed: dict[str, Any], handler: SimplerXMLGenerator, element: str) -> None:
    """WebSub's hub and RFC 5005's paging links, as ``<link>`` or ``<atom:link>``."""
    if feed["hub"]:
        handler.addQuickElement(element, None, {"rel": "hub", "href": feed["hub"]})
    for rel, key in PAGING_RELATIONS:
        if feed[key]:
            handler.addQuickElement(element, None, {"rel": rel, "href": feed[key]})


class _Rss(feedgenerator.Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}

    def write(self, outfile: Any, encoding: str) -> None:
        handler = CleanXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("rss", AttributesImpl(self.rss_attributes()))
        handler.startElement("channel", AttributesImpl(self.root_attributes()))
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        super().add_root_elements(handler)
        _links(self.feed, handler, "atom:link")

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])

    def latest_post_date(self) -> datetime:
        updated: datetime = self.feed["updated"]
        return updated


class _Atom(feedgenerator.Atom1Feed):
    def write(self, outfile: Any, encoding: str) -> None:
        handler = CleanXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", AttributesImpl(self.root_attributes()))
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        super().add_root_elements(handler)
        _links(self.feed, handler, "link")

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", None, {"rel": "alternate", "href": item["link"]})
        if item["external_url"]:
            handler.addQuickElement("link", None, {"rel": "related", "href": item["external_url"]})
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("published", rfc3339(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339(item["updateddate"]))
        if item["author_name"]:
            handler.startElement("author", AttributesImpl({}))
            handler.addQuickElement("name", item["author_name"])
            if item["author_link"]:
                handler.addQuickElement("uri", item["author_link"])
            handler.endElement("author")
        handler.addQuickElement("summary", item["summary"], {"type": "text"})
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        for enclosure in item["enclosures"]:
            attrs = {"rel": "enclosure", "href": enclosure.url, "length": str(enclosure.length)}
            handler.addQuickElement("link", None, {**attrs, "type": enclosure.mime_type})
        for category in item["categories"]:
            handler.addQuickElement("category", None, {"term": category})

    def latest_post_date(self) -> datetime:
        updated: datetime = self.feed["updated"]
        return updated


def _filled[Generator: feedgenerator.SyndicationFeed](
    generator: type[Generator], feed: Feed
) -> Generator:
    document = generator(
        title=feed.title,
        link=feed.home_url,
        description=feed.description,
        subtitle=feed.description or None,
        language=feed.language,
        author_name=feed.author.name if feed.author else None,
        author_link=(feed.author.url or None) if feed.author else None,
        feed_url=feed.self_url,
        feed_guid=feed.id,
        updated=feed.updated,
        hub=feed.hub,
        first_url=feed.first_url,
        previous_url=feed.previous_url,
        next_url=feed.next_url,
        last_url=feed.last_url,
    )
    for entry in feed.entries:
        enclosures = (
            [feedgenerator.Enclosure(entry.image.url, "0", entry.image.mime_type)]
            if entry.image
            else []
        )
        document.add_item(
            title=entry.title,
            link=entry.url,
            description=escape(entry.summary, quote=False),
            author_name=entry.author.name if entry.author else None,
            author_link=(entry.author.url or None) if entry.author else None,
            pubdate=entry.published,
            updateddate=entry.updated,
            unique_id=entry.id,
            unique_id_is_permalink=False,
            categories=entry.categories,
            enclosures=enclosures,
            content_html=entry.content_html,
            summary=entry.summary,
            external_url=entry.external_url,
        )
    return document


def _written(document: feedgenerator.SyndicationFeed) -> bytes:
    out = BytesIO()
    document.write(out, "utf-8")
    return out.getvalue()


def rss(feed: Feed) -> bytes:
    """``feed`` as an RSS 2.0 document in UTF-8."""
    return _written(_filled(_Rss, cleaned(feed)))


def atom(feed: Feed) -> bytes:
    """``feed`` as an Atom 1.0 document in UTF-8."""
    return _written(_filled(_Atom, cleaned(feed)))
