"""Feeds and machine-readable pages: RSS 2.0, Atom 1.0, JSON Feed 1.1, sitemaps, robots.txt,
page metadata (canonical, Open Graph, JSON-LD), HTTP caching and WebSub pings.

The format code (``documents``, ``writers``, ``jsonfeed``, ``websub``, ``content``) is pure;
``selections`` and ``entries`` read the database; views, tasks and the middleware are the
interfaces.
"""

from yamabiko.feeds.content import xml_safe
from yamabiko.feeds.documents import Entry, Feed, Image, Person
from yamabiko.feeds.jsonfeed import json_feed
from yamabiko.feeds.writers import atom, rss

__all__ = ["Entry", "Feed", "Image", "Person", "atom", "json_feed", "rss", "xml_safe"]
