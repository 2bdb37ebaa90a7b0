"""Pingback 1.0: the ping's arguments and server discovery, to the letter (pure)."""

from __future__ import annotations

import pytest

from yamabiko.core.xmlrpc import INVALID_PARAMS, MethodCall, XmlRpcFault, XmlRpcValue
from yamabiko.discussion.protocols import pingback
from yamabiko.discussion.protocols.pingback import discover_pingback, ping_args

SOURCE = "https://alice.example/2024/05/reply"
TARGET = "https://blog.example/2024/05/hello"
SERVER = "https://blog.example/xmlrpc/"


def call(*params: XmlRpcValue) -> MethodCall:
    return MethodCall(name="pingback.ping", params=params)


def fault(*params: XmlRpcValue) -> XmlRpcFault:
    with pytest.raises(XmlRpcFault) as caught:
        ping_args(call(*params))
    return caught.value


# Fault codes (PB §3)


def test_fault_codes_are_the_specs() -> None:
    assert (
        pingback.FAULT_GENERIC,
        pingback.FAULT_SOURCE_DOES_NOT_EXIST,
        pingback.FAULT_NO_LINK_TO_TARGET,
        pingback.FAULT_TARGET_DOES_NOT_EXIST,
        pingback.FAULT_TARGET_NOT_PINGABLE,
        pingback.FAULT_ALREADY_REGISTERED,
        pingback.FAULT_ACCESS_DENIED,
        pingback.FAULT_UPSTREAM_ERROR,
    ) == (0, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31, 0x32)


# The call's arguments


def test_two_absolute_urls_are_the_source_and_target() -> None:
    assert ping_args(call(SOURCE, TARGET)) == (SOURCE, TARGET)


def test_surrounding_whitespace_is_dropped() -> None:
    assert ping_args(call(f"  {SOURCE}\n", f"\t{TARGET} ")) == (SOURCE, TARGET)


def test_html_escaped_ampersands_are_decoded_as_wordpress_does() -> None:
    source = "https://alice.example/?p=1&amp;lang=en"
    target = "https://blog.example/?p=5&amp;x=y"

    assert ping_args(call(source, target)) == (
        "https://alice.example/?p=1&lang=en",
        "https://blog.example/?p=5&x=y",
    )


@pytest.mark.parametrize(
    "params",
    [(), (SOURCE,), (SOURCE, TARGET, "extra"), (SOURCE, 5), (None, TARGET), ((SOURCE,), TARGET)],
)
def test_anything_but_two_strings_is_fault_32602(params: tuple[XmlRpcValue, ...]) -> None:
    assert fault(*params).code == INVALID_PARAMS


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("", TARGET),
        ("not a url", TARGET),
        ("/relative", TARGET),
        ("mailto:alice@alice.example", TARGET),
        ("javascript:alert(1)", TARGET),
        ("http://user:pass@alice.example/", TARGET),
        (SOURCE, ""),
        (SOURCE, "ftp://blog.example/x"),
        (SOURCE, "blog.example/2024/05/hello"),
    ],
)
def test_urls_that_are_not_absolute_http_are_fault_0(source: str, target: str) -> None:
    assert fault(source, target).code == pingback.FAULT_GENERIC


@pytest.mark.parametrize(
    ("source", "target"),
    [(TARGET, TARGET), (TARGET, f"{TARGET}#comments"), (f"{TARGET}#a", f"{TARGET}#b")],
)
def test_source_and_target_the_same_resource_is_fault_0(source: str, target: str) -> None:
    caught = fault(source, target)

    assert caught.code == pingback.FAULT_GENERIC
    assert "same" in caught.message


# Discovery (PB §2.3)


def page(head: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>T</title>{head}</head><body>x</body></html>".encode()


def test_header_only_as_after_a_head_request() -> None:
    assert discover_pingback([("X-Pingback", SERVER)], b"") == SERVER


def test_header_names_are_case_insensitive() -> None:
    assert discover_pingback([("x-PINGBACK", SERVER)], b"") == SERVER


def test_the_first_header_wins() -> None:
    headers = [("Content-Type", "text/html"), ("X-Pingback", SERVER), ("X-Pingback", "https://o/")]

    assert discover_pingback(headers, b"") == SERVER


def test_the_header_wins_over_the_link_element() -> None:
    body = page('<link rel="pingback" href="https://other.example/xmlrpc">')

    assert discover_pingback([("X-Pingback", SERVER)], body) == SERVER


@pytest.mark.parametrize("value", ["/xmlrpc.php", "xmlrpc.php", "ftp://blog.example/x", ""])
def test_a_header_that_is_not_absolute_http_is_ignored(value: str) -> None:
    body = page(f'<link rel="pingback" href="{SERVER}">')

    assert discover_pingback([("X-Pingback", value)], body) == SERVER
    assert discover_pingback([("X-Pingback", value)], b"") is None


@pytest.mark.parametrize(
    "element",
    [
        f'<link rel="pingback" href="{SERVER}">',
        f'<link rel="pingback" href="{SERVER}" />',
        f'<link rel="pingback" href="{SERVER}"/>',
        f'<link rel="pingback" href="{SERVER}" >',
    ],
)
def test_the_two_exact_forms_of_the_element_are_found(element: str) -> None:
    assert discover_pingback([], page(element)) == SERVER


@pytest.mark.parametrize(
    "element",
    [
        f"<link rel='pingback' href='{SERVER}'>",
        f'<link href="{SERVER}" rel="pingback">',
        f'<LINK REL="pingback" HREF="{SERVER}">',
        f'<link rel="Pingback" href="{SERVER}">',
        f'<link  rel="pingback" href="{SERVER}">',
        f'<link rel="pingback"  href="{SERVER}">',
        f'<link rel="pingback" href="{SERVER}"  />',
        f'<link rel="pingback" href="{SERVER}" type="x">',
        f'<link rel="pingback nofollow" href="{SERVER}">',
        f"<link rel=pingback href={SERVER}>",
        '<link rel="pingback" href="">',
    ],
)
def test_anything_looser_is_not_accepted(element: str) -> None:
    assert discover_pingback([], page(element)) is None


@pytest.mark.parametrize(
    ("written", "server"),
    [
        ("https://blog.example/xmlrpc.php?a=1&amp;b=2", "https://blog.example/xmlrpc.php?a=1&b=2"),
        ("https://blog.example/x?q=&quot;&lt;&gt;", 'https://blog.example/x?q="<>'),
        ("https://blog.example/x?a=&amp;amp;", "https://blog.example/x?a=&amp;"),
        ("https://blog.example/x?a=&copy;", "https://blog.example/x?a=&copy;"),
    ],
)
def test_only_the_four_entities_are_expanded(written: str, server: str) -> None:
    body = page(f'<link rel="pingback" href="{written}">')

    assert discover_pingback([], body) == server


def test_the_first_match_wins() -> None:
    body = page(
        f'<link rel="pingback" href="{SERVER}"><link rel="pingback" href="https://o.example/x">'
    )

    assert discover_pingback([], body) == SERVER


def test_the_pattern_is_matched_in_bytes_even_inside_a_comment() -> None:
    # PB §2.3 is a byte pattern and recommends against parsing; the page "must not contain
    # other text that matches" (§2.2), so a match in a comment is the page's own mistake.
    body = page(f'<!-- <link rel="pingback" href="{SERVER}"> -->')

    assert discover_pingback([], body) == SERVER


@pytest.mark.parametrize("href", ["/xmlrpc.php", "xmlrpc.php", "javascript:alert(1)"])
def test_a_relative_or_odd_href_is_not_resolved_but_ignored(href: str) -> None:
    assert discover_pingback([], page(f'<link rel="pingback" href="{href}">')) is None


def test_only_the_first_64_kib_are_read() -> None:
    element = f'<link rel="pingback" href="{SERVER}">'.encode()
    padding = b"<!-- " + b"x" * (64 * 1024) + b" -->"

    assert discover_pingback([], padding + element) is None
    assert discover_pingback([], padding[: 60 * 1024] + element) == SERVER
    assert discover_pingback([], padding + element, max_bytes=128 * 1024) == SERVER


def test_no_header_and_no_element_means_no_server() -> None:
    assert discover_pingback([("Content-Type", "text/html")], page("")) is None


def test_a_non_utf8_href_is_ignored() -> None:
    body = b'<link rel="pingback" href="https://blog.example/\xff">'

    assert discover_pingback([], body) is None
