"""The outbound links of one of our posts: the targets we send linkbacks to.

Pingback 1.0 §2 and W3C Webmention "Sending Webmentions" leave the choice of links to the
sender; PROTOCOLS.md §2.6 Rec: "Pass the target exactly as written in our HTML, made
absolute if it was relative".

Choices:
- Only `<a href>`: images and scripts are not citations. The post's rendered HTML is parsed
  for real, so escaped or commented-out markup is no link.
- Each href is resolved against `base_url` (the post's permalink) and otherwise kept as
  written, #fragment included: the receiver compares it to the href on our page.
- Only absolute http(s) URLs with a host, so mailto:, tel:, javascript: and the like drop
  out. In-page links ("#notes") drop out too.
- Links to `own_host` (compared by host name, any port, case-insensitively) are ours and
  drop out; subdomains are other sites and stay.
- Duplicates (exactly the same string) are sent once, in order of first appearance.
- Bare site roots ("https://example.com/") stay. WordPress never pingbacks them (§2.6);
  a root rarely takes pings, but Webmention has no such rule, so the choice is left to
  the sending service, per protocol.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from yamabiko.discussion.protocols._text import attribute, parse_html
from yamabiko.discussion.protocols._urls import host_of, is_http_url

__all__ = ["outbound_links"]


def outbound_links(html: str, *, base_url: str, own_host: str) -> list[str]:
    """Absolute http(s) links to other sites in a post's HTML, de-duplicated, in order."""
    own = (urlsplit(f"//{own_host.strip()}").hostname or "").lower()
    links: list[str] = []
    seen: set[str] = set()
    for anchor in parse_html(html).find_all("a"):
        href = attribute(anchor, "href")
        if href is None:
            continue
        href = href.strip(" \t\n\r\f")
        if not href or href.startswith("#"):
            continue
        try:
            url = urljoin(base_url, href)
        except ValueError:  # an unclosed IPv6 bracket ("http://[x/"): no URL at all
            continue
        if not is_http_url(url) or host_of(url) == own or url in seen:
            continue
        seen.add(url)
        links.append(url)
    return links
