"""Where the fetcher may connect: URL checks, name resolution and the address policy.

Everything here runs before a socket is opened (PROTOCOLS.md §5.1). ``check_url`` turns a
URL into a ``Destination``: the host as it goes into the request and every address the host
resolved to, each one permitted. The wire layer (``pinning.py``) connects only to those.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import httpx

from yamabiko.core.exceptions import ConfigurationError
from yamabiko.core.net.errors import BlockedAddress, FetchFailed, FetchTimeout

__all__ = [
    "SAFE_PORTS",
    "AllowList",
    "Destination",
    "IPAddress",
    "address_is_public",
    "check_url",
    "parse_allow",
    "resolve",
]

type IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
type IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# PROTOCOLS.md §5.1, the table taken from WordPress's wp_http_validate_url.
BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
# §5.1 Rec, plus deprecated site-local (fec0::/10, which Python counts as global), NAT64's
# local-use prefix (RFC 8215) and the documentation prefix.
BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2001:db8::/32",
    )
)
# The scheme defaults plus the two common alternates. WordPress allows 80, 443 and 8080
# (http_allowed_safe_ports); 8443 is 8080's TLS twin. Any other port needs an address:port
# entry in YAMABIKO_OUTBOUND_ALLOW, which opens that one port on that one address.
SAFE_PORTS = frozenset({80, 443, 8080, 8443})
DEFAULT_PORTS = {"http": 80, "https": 443}

# What httpx leaves in raw_host: an IDNA-encoded name or an IP literal (IPv6 without the
# brackets). Percent signs (escapes, IPv6 zone ids) and anything else are refused.
HOST_SHAPE = re.compile(r"[A-Za-z0-9_.:-]+")
# The spellings inet_aton(3) reads as IPv4: 127.1, 0x7f000001, 2130706433, 0177.0.0.1.
INET_ATON_SHAPE = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}", re.I)


def address_is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is an Internet address the fetcher may reach without an allow entry."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is a.b.c.d to a dual-stack socket.
            return address_is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None and not address_is_public(ip.sixtofour):
            return False
        if ip.is_site_local or any(ip in network for network in BLOCKED_V6):
            return False
    elif any(ip in network for network in BLOCKED_V4):
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _plain(ip: IPAddress) -> IPAddress:
    """The address a policy rule talks about: IPv4-mapped IPv6 is the IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowList:
    """YAMABIKO_OUTBOUND_ALLOW, parsed: ranges that may be reached on the safe ports, and
    address:port pairs that open exactly one port on exactly one address."""

    networks: tuple[IPNetwork, ...] = ()
    pairs: frozenset[tuple[IPAddress, int]] = frozenset()

    def opens_port(self, port: int) -> bool:
        return any(pair_port == port for _, pair_port in self.pairs)

    def has_pair(self, ip: IPAddress, port: int) -> bool:
        return (_plain(ip), port) in self.pairs

    def covers(self, ip: IPAddress) -> bool:
        plain = _plain(ip)
        return any(plain in network for network in self.networks)


PAIR_V6 = re.compile(r"\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})")
PAIR_V4 = re.compile(r"([0-9.]+):([0-9]{1,5})")


@lru_cache(maxsize=32)
def parse_allow(entries: tuple[str, ...]) -> AllowList:
    """Parse allow entries: CIDRs (``127.0.0.2/32``), single addresses (taken as /32 or
    /128) and address:port pairs (``127.0.0.1:8081``, ``[::1]:8081``)."""
    networks: list[IPNetwork] = []
    pairs: set[tuple[IPAddress, int]] = set()
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        pair = PAIR_V6.fullmatch(entry) or PAIR_V4.fullmatch(entry)
        try:
            if pair:
                port = int(pair.group(2))
                if not 0 < port < 65536:
                    raise ValueError(port)
                pairs.add((_plain(ipaddress.ip_address(pair.group(1))), port))
            else:
                networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ConfigurationError(
                f"YAMABIKO_OUTBOUND_ALLOW entry {raw!r} is neither a CIDR such as 127.0.0.2/32 "
                "nor an address:port pair such as 127.0.0.1:8081 or [::1]:8081"
            ) from error
    return AllowList(networks=tuple(networks), pairs=frozenset(pairs))


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    """A checked place to connect to: ``host`` exactly as the request carries it (and as
    httpcore will ask the network backend for it), ``port``, and every address ``host``
    resolved to, all permitted, in the resolver's order of preference."""

    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def check_url(url: httpx.URL, allow: AllowList, *, deadline: float) -> Destination:
    """Check scheme, userinfo, host and port, resolve the host, and check every address.

    Raises BlockedAddress when anything is refused, FetchFailed when the name does not
    resolve and FetchTimeout when resolution outlives the deadline.
    """
    shown = str(url)
    if url.scheme not in DEFAULT_PORTS:
        raise BlockedAddress(
            f"{shown}: only http and https may be fetched", reason="scheme", url=shown
        )
    if url.userinfo:
        raise BlockedAddress(
            f"{shown}: URLs with a user name or password are refused", reason="userinfo", url=shown
        )
    host = url.raw_host.decode("ascii")
    if not HOST_SHAPE.fullmatch(host):
        raise BlockedAddress(f"{shown}: no usable host", reason="invalid-url", url=shown)
    port = url.port or DEFAULT_PORTS[url.scheme]
    if port not in SAFE_PORTS and not allow.opens_port(port):
        raise BlockedAddress(f"{shown}: port {port} is not allowed", reason="port", url=shown)
    addresses = resolve(host, port, deadline=deadline, url=shown)
    for ip in addresses:
        if allow.has_pair(ip, port):
            continue
        if not (address_is_public(ip) or allow.covers(ip)):
            raise BlockedAddress(
                f"{shown}: {host} resolves to {ip}, which is not a public address",
                reason="address",
                url=shown,
            )
        if port not in SAFE_PORTS:
            raise BlockedAddress(
                f"{shown}: port {port} is not allowed on {ip}", reason="port", url=shown
            )
    return Destination(host=host, port=port, addresses=addresses)


def numeric_host(host: str) -> IPAddress | None:
    """The address an IP literal names, in any spelling inet_aton(3) accepts, else None.

    A trailing dot is ignored, so ``127.0.0.1.`` is not sent to DNS as a name.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    bare = host.removesuffix(".")
    if INET_ATON_SHAPE.fullmatch(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def resolve(host: str, port: int, *, deadline: float, url: str = "") -> tuple[IPAddress, ...]:
    """Every A and AAAA address of ``host``; IP literals are read without asking DNS."""
    literal = numeric_host(host)
    if literal is not None:
        return (literal,)
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in _getaddrinfo_by(host, port, deadline=deadline, url=url):
        if family in (socket.AF_INET, socket.AF_INET6):
            ip = ipaddress.ip_address(str(sockaddr[0]))
            if ip not in addresses:
                addresses.append(ip)
    if not addresses:
        raise FetchFailed(f"{url}: {host} has no address", reason="dns", url=url)
    return tuple(addresses)


type SocketAddress = tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
type AddressInfo = tuple[int, int, int, str, SocketAddress]


def _getaddrinfo_by(host: str, port: int, *, deadline: float, url: str) -> Iterable[AddressInfo]:
    """getaddrinfo(3) bounded by the deadline.

    The C resolver takes no timeout (glibc may wait 5 s per server and attempt), so it runs
    in a daemon thread and we stop waiting at the deadline; a lookup left behind finishes
    on its own and its answer is dropped.
    """
    answers: list[AddressInfo] = []
    failures: list[OSError | UnicodeError] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            answers.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as error:
            failures.append(error)
        finally:
            done.set()

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(f"{url}: out of time before resolving {host}", url=url)
    threading.Thread(target=lookup, name=f"yamabiko-resolve {host}", daemon=True).start()
    if not done.wait(remaining):
        raise FetchTimeout(f"{url}: resolving {host} took too long", url=url)
    if failures:
        raise FetchFailed(
            f"{url}: {host} does not resolve ({failures[0]})", reason="dns", url=url
        ) from failures[0]
    return answers
