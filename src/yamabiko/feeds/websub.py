"""WebSub, publisher side (W3C Recommendation, 23 January 2018, https://www.w3.org/TR/websub/).

§4 Discovery: a topic advertises its hub with ``rel="hub"`` and its own canonical URL with
``rel="self"``, in HTTP Link headers (preferred) and in the document (Atom/RSS ``link``,
JSON Feed ``hubs``).

Deviations and choices (STYLE rule 13):

- The spec leaves how a publisher tells its hub about new content to the two of them (§6).
  We send what every public hub understands, PubSubHubbub 0.4's ``hub.mode=publish`` with
  ``hub.url=<topic>``, one POST per topic (some hubs take only one ``hub.url`` per request).
- Any 2xx answer counts as accepted (hubs answer 204, some 200 or 202).
"""

from __future__ import annotations

__all__ = ["link_header", "publish_accepted", "publish_form"]


def publish_form(topic: str) -> list[tuple[str, str]]:
    """The form fields of a publish notification for ``topic``."""
    return [("hub.mode", "publish"), ("hub.url", topic)]


def publish_accepted(status: int) -> bool:
    return 200 <= status < 300


def link_header(*, self_url: str, hub: str = "") -> str:
    """The Link header value naming the topic itself and, when there is one, its hub (§4)."""
    links = [f'<{self_url}>; rel="self"']
    if hub:
        links.insert(0, f'<{hub}>; rel="hub"')
    return ", ".join(links)
