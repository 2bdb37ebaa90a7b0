"""Pingback 1.0: the arguments of a ping we receive, and finding a page's pingback server.

Spec: "Pingback 1.0", S. Langridge and I. Hickson, http://www.hixie.ch/specs/pingback/pingback-1.0,
briefed in PROTOCOLS.md §2 ("PB" below). XML-RPC itself is core/xmlrpc.py; checking the
source page is source.py.

Deviations and choices, each on purpose:
- ping_args: a wrong number or type of parameters is the interop fault -32602 (PB names no
  code). A URL that is not absolute http(s) with a host (no user:pass@, at most 2,000
  characters), and a source that is the target, are fault 0 (PB §3: 0 when no better code
  fits; WordPress answers 0 for both, PROTOCOLS.md §2.4).
- ping_args decodes `&amp;` in both URLs, as WordPress does (§2.4.1): clients copy hrefs out
  of HTML source without decoding them, and the target must then match our decoded hrefs.
- "source is the target" compares both without their #fragment: it is one document.
- discover_pingback is PB §2.3 to the letter (§2.2 Rec): the first X-Pingback header, else
  the first match of PB's regular expression, with rel before href, double quotes only, and
  no HTML parser. It reads at most the first 64 KiB (PB allows a threshold). Only the four
  entities PB allows are expanded, and nothing is resolved. A value that is not an absolute
  http(s) URL is ignored: an ignored header lets the body be searched; an ignored body match
  means the page has no server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from yamabiko.core.xmlrpc import INVALID_PARAMS, MethodCall, XmlRpcFault
from yamabiko.discussion.protocols._urls import is_http_url, without_fragment

__all__ = [
    "FAULT_ACCESS_DENIED",
    "FAULT_ALREADY_REGISTERED",
    "FAULT_GENERIC",
    "FAULT_NO_LINK_TO_TARGET",
    "FAULT_SOURCE_DOES_NOT_EXIST",
    "FAULT_TARGET_DOES_NOT_EXIST",
    "FAULT_TARGET_NOT_PINGABLE",
    "FAULT_UPSTREAM_ERROR",
    "MAX_DISCOVERY_BYTES",
    "discover_pingback",
    "ping_args",
]

# PB §3 fault codes.
FAULT_GENERIC = 0
FAULT_SOURCE_DOES_NOT_EXIST = 16  # 0x0010
FAULT_NO_LINK_TO_TARGET = 17  # 0x0011
FAULT_TARGET_DOES_NOT_EXIST = 32  # 0x0020
FAULT_TARGET_NOT_PINGABLE = 33  # 0x0021
FAULT_ALREADY_REGISTERED = 48  # 0x0030
FAULT_ACCESS_DENIED = 49  # 0x0031
FAULT_UPSTREAM_ERROR = 50  # 0x0032

MAX_DISCOVERY_BYTES = 64 * 1024  # PROTOCOLS.md §5.4 Rec: "Pingback scan 64 KiB".

# PB §2.3, byte for byte.
_LINK_ELEMENT = re.compile(rb'<link rel="pingback" href="([^"]+)" ?/?>')
_ENTITY = re.compile(r"&(amp|lt|gt|quot);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}


def ping_args(call: MethodCall) -> tuple[str, str]:
    """(source, target) of `pingback.ping` (PB §3), or the XmlRpcFault to answer with."""
    if len(call.params) != 2 or not all(isinstance(param, str) for param in call.params):
        raise XmlRpcFault(INVALID_PARAMS, "pingback.ping takes two strings: source and target")
    source, target = (str(param).strip().replace("&amp;", "&") for param in call.params)
    if not is_http_url(source):
        raise XmlRpcFault(FAULT_GENERIC, "The source is not an absolute http(s) URL.")
    if not is_http_url(target):
        raise XmlRpcFault(FAULT_GENERIC, "The target is not an absolute http(s) URL.")
    if without_fragment(source) == without_fragment(target):
        raise XmlRpcFault(FAULT_GENERIC, "The source and target cannot be the same resource.")
    return source, target


def discover_pingback(
    headers: Sequence[tuple[str, str]], body: bytes, *, max_bytes: int = MAX_DISCOVERY_BYTES
) -> str | None:
    """The pingback server a fetched page advertises (PB §2.3), or None.

    `headers` are the response's (name, value) pairs in order; `body` may be empty, as after
    a HEAD request (PB §2.3 allows HEAD first, hoping the header is there).
    """
    # PB §2.3 step 1: "If any X-Pingback header exists, use the value of the first one."
    server = next((value for name, value in headers if name.lower() == "x-pingback"), None)
    if server is not None and is_http_url(server := server.strip()):
        return server
    # PB §2.3 step 2: the first match of the pattern, then the four entities (PB §2.2).
    match = _LINK_ELEMENT.search(body, 0, max_bytes)
    if match is None:
        return None
    try:
        captured = match.group(1).decode("utf-8")
    except UnicodeDecodeError:
        return None
    server = _ENTITY.sub(lambda entity: _ENTITIES[entity.group(1)], captured)
    return server if is_http_url(server) else None
