"""Media referenced by imported posts: list it, download it, point the posts at the copies.

Imported bodies (WXR ``content:encoded``, Movable Type ``BODY``) are HTML that still points at
files on the old site. The importer, when asked to (``--fetch-media``), uses three steps:

- ``media_urls(html, site_urls=…)`` lists the media a body references (``links``);
- ``fetch_media(urls, media_root=…, media_url=…)`` downloads them through the guarded fetcher
  into ``<media root>/imported/<host>/<path>`` and says which copies it made or found and which
  URLs failed, and why (``files``);
- ``rewrite_links(html, result.saved, site_urls=…)`` points the body at the copies, leaving
  every other byte as written (``links``).

Listing and rewriting are pure (str in, str out); only ``fetch_media`` touches the network,
through the fetcher it is given, and the disk, below the media root it is given. The site
serves the media root at MEDIA_URL (``yamabiko.urls``).
"""

from yamabiko.porting.media.files import SEGMENT_BYTES, MediaResult, fetch_media, media_path
from yamabiko.porting.media.links import MEDIA_EXTENSIONS, media_urls, rewrite_links

__all__ = [
    "MEDIA_EXTENSIONS",
    "SEGMENT_BYTES",
    "MediaResult",
    "fetch_media",
    "media_path",
    "media_urls",
    "rewrite_links",
]
