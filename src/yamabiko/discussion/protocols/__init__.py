"""Linkback protocols as pure functions: bytes, text and value objects in and out.

TrackBack, Pingback and Webmention (receiving and sending), the discovery of each, the
inspection of a fetched source page, and the outbound links of our own posts. Nothing here
touches a request, the database, the network or settings: services fetch with core/net.py,
then hand the bytes to these functions. XML-RPC itself is core/xmlrpc.py.
"""

from __future__ import annotations

from yamabiko.discussion.protocols.discovery import discover_trackback
from yamabiko.discussion.protocols.links import outbound_links
from yamabiko.discussion.protocols.pingback import (
    FAULT_ACCESS_DENIED,
    FAULT_ALREADY_REGISTERED,
    FAULT_GENERIC,
    FAULT_NO_LINK_TO_TARGET,
    FAULT_SOURCE_DOES_NOT_EXIST,
    FAULT_TARGET_DOES_NOT_EXIST,
    FAULT_TARGET_NOT_PINGABLE,
    FAULT_UPSTREAM_ERROR,
    discover_pingback,
    ping_args,
)
from yamabiko.discussion.protocols.source import MentionType, SourceReport, inspect_source
from yamabiko.discussion.protocols.trackback import (
    TrackbackError,
    TrackbackPing,
    TrackbackResult,
    parse_ping,
    parse_response,
    ping_body,
    rdf_block,
    response_xml,
)
from yamabiko.discussion.protocols.webmention import (
    WebmentionError,
    discover_webmention,
    link_header_endpoints,
    validate_request,
)

__all__ = [
    "FAULT_ACCESS_DENIED",
    "FAULT_ALREADY_REGISTERED",
    "FAULT_GENERIC",
    "FAULT_NO_LINK_TO_TARGET",
    "FAULT_SOURCE_DOES_NOT_EXIST",
    "FAULT_TARGET_DOES_NOT_EXIST",
    "FAULT_TARGET_NOT_PINGABLE",
    "FAULT_UPSTREAM_ERROR",
    "MentionType",
    "SourceReport",
    "TrackbackError",
    "TrackbackPing",
    "TrackbackResult",
    "WebmentionError",
    "discover_pingback",
    "discover_trackback",
    "discover_webmention",
    "inspect_source",
    "link_header_endpoints",
    "outbound_links",
    "parse_ping",
    "parse_response",
    "ping_args",
    "ping_body",
    "rdf_block",
    "response_xml",
    "validate_request",
]
