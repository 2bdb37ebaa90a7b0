"""Webmention: request checks, RFC 8288 Link headers and the webmention.rocks discovery
tests 1-23 (PROTOCOLS.md §3.5), pure."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.protocols.webmention import (
    WebmentionError,
    discover_webmention,
    link_header_endpoints,
    parse_link_header,
    validate_request,
)

ROCKS = "https://webmention.rocks"
HTML = "text/html; charset=utf-8"

# Request validation (WM "Request Verification"; ROCKS receiver tokens)

SOURCE = "https://alice.example/2024/05/reply"
TARGET = "https://blog.example/2024/05/hello"


def refused(source: str | None, target: str | None) -> WebmentionError:
    with pytest.raises(WebmentionError) as caught:
        validate_request(source, target)
    return caught.value


def test_a_valid_request_returns_source_and_target() -> None:
    assert validate_request(SOURCE, TARGET) == (SOURCE, TARGET)


def test_the_target_keeps_its_fragment_and_loses_surrounding_spaces() -> None:
    assert validate_request(f" {SOURCE}\n", f"{TARGET}#c1 ") == (SOURCE, f"{TARGET}#c1")


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        (None, TARGET, "missing_source"),
        ("", TARGET, "missing_source"),
        ("   ", TARGET, "missing_source"),
        ("jwoijgoisdjlskjegisvjowuehjtkx", TARGET, "invalid_source"),
        ("mailto:alice@alice.example", TARGET, "invalid_source"),
        ("ftp://alice.example/post", TARGET, "invalid_source"),
        ("https://", TARGET, "invalid_source"),
        ("/relative/post", TARGET, "invalid_source"),
        ("https://a:b@alice.example/", TARGET, "invalid_source"),
        (SOURCE, None, "missing_target"),
        (SOURCE, "", "missing_target"),
        (SOURCE, "owiejduvyeiwljjjcjmvbpsouehgd", "invalid_target"),
        (SOURCE, "javascript:alert(1)", "invalid_target"),
        ("jwoijgoisdjlskjegisvjowuehjtkx", "owiejduvyeiwljjjcjmvbpsouehgd", "invalid_source"),
        (TARGET, TARGET, "source_equals_target"),
        (TARGET, f"{TARGET}#comments", "source_equals_target"),
        (f"{TARGET}#top", TARGET, "source_equals_target"),
    ],
)
def test_bad_requests_get_the_rocks_token(
    source: str | None, target: str | None, code: str
) -> None:
    error = refused(source, target)

    assert error.code == code
    assert str(error).startswith(f"{code}: ")
    assert isinstance(error, InvalidInput)


# Link headers (RFC 8288 §3)


@pytest.mark.parametrize(
    ("value", "links"),
    [
        ("<https://x.example/e>; rel=webmention", [("https://x.example/e", ("webmention",))]),
        ('<https://x.example/e>; rel="webmention"', [("https://x.example/e", ("webmention",))]),
        ('<https://x.example/e>;rel="a  b"', [("https://x.example/e", ("a", "b"))]),
        ("<https://x.example/e>; REL=WebMention", [("https://x.example/e", ("webmention",))]),
        ('<https://x.example/e> ; rel = "webmention"', [("https://x.example/e", ("webmention",))]),
        (
            "<https://x.example/a,b;c>; rel=webmention",
            [("https://x.example/a,b;c", ("webmention",))],
        ),
        (
            '<https://x.example/e>; title="a, b; rel=other"; rel="webmention"',
            [("https://x.example/e", ("webmention",))],
        ),
        (
            '<https://x.example/e>; title="say \\"hi\\", then go"; rel=webmention',
            [("https://x.example/e", ("webmention",))],
        ),
        ("<https://x.example/e>; rel=other; rel=webmention", [("https://x.example/e", ("other",))]),
        ("<https://x.example/e>; type=text/html", [("https://x.example/e", ())]),
        ("<https://x.example/e>", [("https://x.example/e", ())]),
        (
            '<https://x.example/1>; rel="other", <https://x.example/2>; rel="webmention"',
            [("https://x.example/1", ("other",)), ("https://x.example/2", ("webmention",))],
        ),
        (
            "junk, <https://x.example/2>; rel=webmention",
            [("https://x.example/2", ("webmention",))],
        ),
        (
            "<https://x.example/1>; rel=a junk, <https://x.example/2>; rel=b",
            [("https://x.example/1", ("a",)), ("https://x.example/2", ("b",))],
        ),
        (
            # An unclosed quoted string runs to the end: the comma inside starts no link.
            '<https://x.example/e>; rel="unclosed, <https://x.example/f>',
            [("https://x.example/e", ("unclosed,", "<https://x.example/f>"))],
        ),
        ("<https://x.example/unclosed; rel=webmention", []),
        ("", []),
        (" , ,", []),
    ],
)
def test_link_header_parsing(value: str, links: list[tuple[str, tuple[str, ...]]]) -> None:
    assert list(parse_link_header(value)) == links


def test_link_header_endpoints_reads_every_link_header_in_order() -> None:
    headers = [
        ("Link", "</a>; rel=one, </b>; rel=two"),
        ("Content-Type", "text/html"),
        ("LINK", "</c>; rel=three"),
    ]

    assert link_header_endpoints(headers) == [
        ("/a", ("one",)),
        ("/b", ("two",)),
        ("/c", ("three",)),
    ]


# webmention.rocks discovery tests 1-23


@dataclass(frozen=True)
class RocksCase:
    number: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    head: str = ""
    body: str = ""
    url: str = ""
    expected: str = ""

    @property
    def page_url(self) -> str:
        return self.url or f"{ROCKS}/test/{self.number}"

    @property
    def endpoint(self) -> str:
        return self.expected or f"{ROCKS}/test/{self.number}/webmention"

    def html(self) -> bytes:
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>Discovery Test #{self.number}</title>{self.head}</head>"
            f'<body><div class="post-container h-entry"><p class="e-content">{self.body}</p>'
            "</div></body></html>"
        ).encode()


def error(number: int) -> str:
    return f"{ROCKS}/test/{number}/webmention/error"


ROCKS_CASES = [
    RocksCase(1, headers=[("Link", "</test/1/webmention>; rel=webmention")]),
    RocksCase(2, headers=[("Link", f"<{ROCKS}/test/2/webmention>; rel=webmention")]),
    RocksCase(3, head='<link rel="webmention" href="/test/3/webmention">'),
    RocksCase(4, head=f'<link href="{ROCKS}/test/4/webmention" rel="webmention">'),
    RocksCase(5, body='This post has an <a rel="webmention" href="/test/5/webmention">a</a>.'),
    RocksCase(6, body=f'Absolute <a href="{ROCKS}/test/6/webmention" rel="webmention">a</a>.'),
    RocksCase(7, headers=[("LinK", f"<{ROCKS}/test/7/webmention>; rel=webmention")]),
    RocksCase(8, headers=[("Link", f'<{ROCKS}/test/8/webmention>; rel="webmention"')]),
    RocksCase(9, head='<link rel="webmention somethingelse" href="/test/9/webmention">'),
    RocksCase(
        10, headers=[("Link", f'<{ROCKS}/test/10/webmention>; rel="webmention somethingelse"')]
    ),
    RocksCase(
        11,
        headers=[("Link", f"<{ROCKS}/test/11/webmention>; rel=webmention")],
        head=f'<link rel="webmention" href="{error(11)}">',
        body=f'<a rel="webmention" href="{error(11)}">error</a>',
    ),
    RocksCase(
        12,
        head=f'<link rel="not-webmention" href="{error(12)}">',
        body='<a rel="webmention" href="/test/12/webmention">correct</a>',
    ),
    RocksCase(
        13,
        body=(
            f'<!-- <a href="{error(13)}" rel="webmention"></a> -->'
            '<a href="/test/13/webmention" rel="webmention">correct</a>'
        ),
    ),
    RocksCase(
        14,
        body=(
            f'<code>&lt;a href="{error(14)}" rel="webmention"&gt;&lt;/a&gt;</code>'
            '<a href="/test/14/webmention" rel="webmention">correct</a>'
        ),
    ),
    RocksCase(15, head='<link rel="webmention" href="">', expected=f"{ROCKS}/test/15"),
    RocksCase(
        16,
        body=(
            '<a href="/test/16/webmention" rel="webmention">first</a>'
            f'<link rel="webmention" href="{error(16)}">'
        ),
    ),
    RocksCase(
        17,
        body=(
            '<link rel="webmention" href="/test/17/webmention">'
            f'<a href="{error(17)}" rel="webmention">second</a>'
        ),
    ),
    RocksCase(
        18,
        headers=[
            ("Link", f'<{error(18)}>; rel="other"'),
            ("Link", f'<{ROCKS}/test/18/webmention>; rel="webmention"'),
        ],
    ),
    RocksCase(
        19,
        headers=[
            ("Link", f'<{error(19)}>; rel="other", <{ROCKS}/test/19/webmention>; rel="webmention"')
        ],
    ),
    RocksCase(
        20,
        body='<link rel="webmention"><a href="/test/20/webmention" rel="webmention">here</a>',
    ),
    RocksCase(
        21,
        head='<link rel="webmention" href="/test/21/webmention?query=yes">',
        expected=f"{ROCKS}/test/21/webmention?query=yes",
    ),
    RocksCase(22, head='<link rel="webmention" href="22/webmention">'),
    # 23: /test/23/page answered 302 to "page/<key>"; the fetcher followed it and passes the
    # final URL. The page advertises a relative endpoint in a header and in the body.
    RocksCase(
        23,
        url=f"{ROCKS}/test/23/page/Hv6NcbnN",
        headers=[("Link", '<webmention-endpoint/m5rq3HQ8>; rel="webmention"')],
        body='<a href="webmention-endpoint/m5rq3HQ8" rel="webmention">endpoint</a>',
        expected=f"{ROCKS}/test/23/page/webmention-endpoint/m5rq3HQ8",
    ),
]


def test_the_table_covers_every_rocks_discovery_test() -> None:
    assert [case.number for case in ROCKS_CASES] == list(range(1, 24))


@pytest.mark.parametrize("case", ROCKS_CASES, ids=lambda case: f"rocks-{case.number}")
def test_webmention_rocks_discovery(case: RocksCase) -> None:
    endpoint = discover_webmention(
        url=case.page_url, headers=case.headers, body=case.html(), content_type=HTML
    )

    assert endpoint == case.endpoint
    assert "/error" not in endpoint


def test_rocks_23_resolved_against_the_original_url_would_be_wrong() -> None:
    case = ROCKS_CASES[22]

    endpoint = discover_webmention(
        url=f"{ROCKS}/test/23/page", headers=case.headers, body=b"", content_type=HTML
    )

    assert endpoint != case.endpoint


@pytest.mark.parametrize(
    "case", [c for c in ROCKS_CASES if c.headers], ids=lambda c: f"rocks-{c.number}"
)
def test_header_cases_need_no_body_as_after_head(case: RocksCase) -> None:
    assert (
        discover_webmention(url=case.page_url, headers=case.headers, body=b"", content_type=None)
        == case.endpoint
    )


def test_the_head_query_string_is_kept() -> None:
    headers = [("Link", "</test/1/webmention?head=true>; rel=webmention")]

    assert discover_webmention(
        url=f"{ROCKS}/test/1", headers=headers, body=b"", content_type=None
    ) == (f"{ROCKS}/test/1/webmention?head=true")


# Discovery beyond the ROCKS table


def discover(body: str, *, url: str = TARGET, content_type: str | None = HTML) -> str | None:
    return discover_webmention(url=url, headers=[], body=body.encode(), content_type=content_type)


def test_an_empty_href_drops_the_pages_fragment() -> None:
    assert discover('<link rel="webmention" href="">', url=f"{TARGET}#x") == TARGET


def test_href_whitespace_is_trimmed_as_browsers_do() -> None:
    assert discover('<link rel="webmention" href="  /wm\n ">') == "https://blog.example/wm"


def test_rel_tokens_are_case_insensitive_in_html() -> None:
    assert discover('<a rel="WebMention" href="/wm">x</a>') == "https://blog.example/wm"


def test_unquoted_attributes_work() -> None:
    assert discover("<a rel=webmention href=/wm>x</a>") == "https://blog.example/wm"


def test_base_href_is_not_used_for_resolution() -> None:
    body = '<base href="https://other.example/"><link rel="webmention" href="/wm">'

    assert discover(body) == "https://blog.example/wm"


def test_a_non_http_endpoint_is_skipped_for_the_next_one() -> None:
    body = '<link rel="webmention" href="mailto:x@y"><a rel="webmention" href="/wm">x</a>'

    assert discover(body) == "https://blog.example/wm"


def test_a_non_http_header_endpoint_falls_through_to_the_html() -> None:
    endpoint = discover_webmention(
        url=TARGET,
        headers=[("Link", "<javascript:alert(1)>; rel=webmention")],
        body=b'<link rel="webmention" href="/wm">',
        content_type=HTML,
    )

    assert endpoint == "https://blog.example/wm"


@pytest.mark.parametrize("content_type", ["image/png", "application/json", "text/plain"])
def test_non_html_bodies_are_not_searched(content_type: str) -> None:
    assert discover('<link rel="webmention" href="/wm">', content_type=content_type) is None


@pytest.mark.parametrize("content_type", [None, "application/xhtml+xml", "TEXT/HTML"])
def test_html_like_or_missing_types_are_searched(content_type: str | None) -> None:
    assert discover('<link rel="webmention" href="/wm">', content_type=content_type) == (
        "https://blog.example/wm"
    )


def test_no_endpoint_anywhere_is_none() -> None:
    assert discover('<link rel="pingback" href="/xmlrpc"><a href="/wm">webmention</a>') is None


def test_a_shift_jis_page_is_decoded_before_parsing() -> None:
    body = '<meta charset="Shift_JIS"><p>日本語</p><link rel="webmention" href="/wm">'

    endpoint = discover_webmention(
        url=TARGET, headers=[], body=body.encode("cp932"), content_type="text/html"
    )

    assert endpoint == "https://blog.example/wm"


def test_an_xhtml_page_with_a_declaration_is_read_without_warnings() -> None:
    body = '<?xml version="1.0"?>\n<feed><link rel="webmention" href="/wm"/></feed>'

    assert discover(body, content_type="application/xhtml+xml") == "https://blog.example/wm"
