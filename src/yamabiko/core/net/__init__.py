"""The guarded fetcher: the one way Yamabiko makes outbound HTTP requests (STYLE rule 11).

Sources: PROTOCOLS.md §5.1 (SSRF: what to block, and the gaps in WordPress not to copy),
§5.2 item 8 (a User-Agent that says who and why), §5.4 (limits); RFC 9110 §15.4
(redirects), §8.4 (Content-Encoding); RFC 3986 §5 (resolving a relative Location).

Every fetch, and every redirect hop of it, is held to these rules:

- Scheme http or https; no userinfo (``user:pass@``); a host that is an IDNA name or an IP
  literal (no percent escapes, no IPv6 zone ids).
- Port 80, 443, 8080 or 8443, unless an address:port entry opens another one (below).
  Checked before any DNS lookup, and again for each resolved address.
- The host is resolved once per hop: every A and AAAA record (``getaddrinfo``). If **any**
  address is not public (``address_is_public``: the §5.1 table, the IPv6 ranges of §5.1 Rec,
  IPv4-mapped and 6to4 addresses judged by their embedded IPv4 address, and whatever Python's
  ``ipaddress`` calls private, reserved, loopback, link-local, multicast, unspecified or not
  global) and no allow entry covers it, the hop is refused before a socket is opened.
- IP literals are read without DNS, in every spelling inet_aton(3) accepts (``127.1``,
  ``0x7f000001``, ``2130706433``, ``0177.0.0.1``), and then judged like any address.
- The connection goes to a checked address (pinning, below); Host, SNI and certificate
  verification use the URL's host.
- Redirects are followed by hand, at most ``max_redirects`` (5), each Location resolved
  against the current URL and checked from scratch; a redirect to a URL already visited in
  the same fetch is a loop. Authorization and Cookie headers given by the caller are dropped
  once a redirect leaves the first origin.
- The body is read in chunks and reading stops at ``max_bytes`` (1 MiB): the response then
  holds the first ``max_bytes`` bytes and ``truncated=True``; nothing past the cap is read
  off the wire. The cap counts decoded bytes (see Content-Encoding below).
- ``connect_timeout`` (3 s) bounds each connection attempt; ``total_timeout`` (5 s) bounds
  the whole fetch: resolution, every connect, TLS handshake, write and read of every hop.
- User-Agent ``Yamabiko/<version> (+<YAMABIKO_SITE_URL>)``, with ``purpose`` appended in
  parentheses when the caller says what the fetch is for (§5.2 item 8).
- No cookie jar, no proxy and no environment settings (HTTP_PROXY, .netrc): nothing carries
  over from one request to the next, and nothing can route around the pinning.

YAMABIKO_OUTBOUND_ALLOW (read at call time unless ``Fetcher(allow=…)`` is given) lists:

- CIDRs (``127.0.0.2/32``; a bare address means /32 or /128): those addresses may be
  reached although not public, on the safe ports only. A range entry never opens a port.
- address:port pairs (``127.0.0.1:8081``, ``[::1]:8081``): that one port on that one address,
  and nothing else on it. This is how tests and local setups reach fixture servers.

How pinning works. httpx's own transport hands the URL's host to httpcore, whose network
backend resolves it again when it connects: the check-then-connect gap behind CVE-2022-3590
(§5.1, "Known gaps" 1). So the fetcher uses httpx for what it is good at (parsing and joining
URLs, building the request head) and drives httpcore, the layer under httpx's transport,
with its own network backend (``pinning.PinnedBackend``). For each hop it builds a one-use
``httpcore.ConnectionPool`` around a backend that knows the checked ``Destination``; when
httpcore asks it to ``connect_tcp(host, port)`` it refuses any other host or port and opens
the socket to the checked IP literals in the resolver's order, so no second DNS answer is
ever consulted. httpcore then runs TLS over that socket with ``server_hostname`` set to the
URL's host, so SNI and certificate verification are the usual ones. Every stream the backend
returns clamps each socket operation to the fetch's deadline, which is what makes the total
timeout hold against a server trickling one byte at a time. We do not use ``httpx.Client``:
it would add a cookie jar, environment proxies (a proxy mount would bypass the backend) and
redirect handling, all of which would have to be switched off, and nothing we need.

Deviations and choices (STYLE rule 13):

- POST follows only 307 and 308, which keep the method and body (RFC 9110 §15.4.8-9), and
  re-sends the body to the re-checked URL. 301, 302 and 303 to a POST come back as the
  response: following them would turn the ping into a GET of a URL the endpoint chose, a
  fetch the caller never asked for; the caller sees the status and decides.
- A GET or HEAD that meets more than ``max_redirects`` redirects raises TooManyRedirects
  rather than returning the last 3xx; a 3xx without Location is returned as is.
- One blocked record refuses the whole host, even if another record is public (§5.1 Rec):
  a name mixing public and private records is misconfigured or hostile, and an all-or-none
  rule is easier to state, test and audit than connecting to the public subset.
- Content-Encoding: we send ``Accept-Encoding: identity``. A server that compresses anyway
  gets gzip or deflate (zlib-wrapped) decoded under the cap; stacked or other codings (br,
  zstd, raw deflate) fail with reason ``encoding``. At most ``max_bytes`` are read off the
  wire as well, so a body whose compressed form exceeds the cap comes back truncated.
- getaddrinfo takes no timeout, so it runs in a daemon thread and the fetch stops waiting
  at the deadline; the abandoned lookup ends on its own.
- HTTP/1.1 only, one connection per hop, ``Connection: close``: no HTTP/2 and no reuse of
  connections between hops or fetches; a fetcher serves few, slow, untrusted hosts.
- Error messages name the URL and, for refusals, the address. They are for logs: callers
  answering a remote party must not echo them (§5.3, port scanning through error text).
"""

from yamabiko.core.net.errors import (
    BlockedAddress,
    FetchError,
    FetchFailed,
    FetchTimeout,
    TooManyRedirects,
)
from yamabiko.core.net.fetcher import Fetcher, default_fetcher
from yamabiko.core.net.policy import SAFE_PORTS, address_is_public
from yamabiko.core.net.response import Response

__all__ = [
    "SAFE_PORTS",
    "BlockedAddress",
    "FetchError",
    "FetchFailed",
    "FetchTimeout",
    "Fetcher",
    "Response",
    "TooManyRedirects",
    "address_is_public",
    "default_fetcher",
]
