"""The pure parsers under hostile input: a result, or the module's own error, and no other.

Each parser is fed arbitrary bytes or text and small valid documents with random edits. A
parser may refuse input only with the error it documents (ParseError, MalformedXmlRpc and
XmlRpcFault, TrackbackError, WebmentionError); any other exception (ValueError, KeyError,
UnicodeDecodeError, RecursionError ...) escapes ``given`` and fails the test. The sanitizers
must never let executable markup through, whatever they are given.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.discussion.test_comment_xss import PAYLOAD_VALUES, findings
from tests.porting.test_mt import RECORD
from tests.porting.test_wxr import ITEM, wxr
from tests.robustness.fuzz import FUZZ, any_text, mutated, sharp_text, xmlish_text
from yamabiko.core import text, xmlrpc
from yamabiko.discussion.protocols import (
    TrackbackError,
    TrackbackResult,
    WebmentionError,
    discover_pingback,
    discover_trackback,
    discover_webmention,
    inspect_source,
    link_header_endpoints,
    outbound_links,
    parse_ping,
    parse_response,
    ping_args,
    validate_request,
)
from yamabiko.discussion.protocols._urls import is_http_url
from yamabiko.porting import ParseError, parse_mt, parse_wxr
from yamabiko.search.backends.postgres import tsquery_expression
from yamabiko.search.backends.sqlite import match_expression
from yamabiko.search.query import parse as parse_query

PERMALINK = "http://testserver/2026/11/27/a-post/"
SOURCE = "http://elsewhere.example/a-post"


# --- import formats ----------------------------------------------------------------------

VALID_WXR = wxr(ITEM)
VALID_MT = (
    RECORD.format(title="山の話", date="11/27/2026 07:15:00 PM", body="Body <b>bold</b>")
    + "COMMENT:\nAUTHOR: Kodama\nDATE: 11/27/2026 08:00:00 PM\nA reply.\n-----\n--------\n"
).encode()


def drain(records: Iterator[object]) -> None:
    """Read every record; a ParseError is the parser's documented refusal."""
    try:
        for _ in records:
            pass
    except ParseError:
        pass


def test_valid_import_documents_parse_cleanly() -> None:
    # The mutations below start from these; a broken seed would test nothing.
    assert any(type(r).__name__ == "ImportedPost" for r in parse_wxr(io.BytesIO(VALID_WXR)))
    assert any(type(r).__name__ == "ImportedPost" for r in parse_mt(io.BytesIO(VALID_MT)))


@FUZZ
@given(data=st.binary(max_size=2000) | mutated(VALID_WXR) | xmlish_text.map(str.encode))
def test_wxr_parser_yields_records_or_a_parse_error(data: bytes) -> None:
    drain(parse_wxr(io.BytesIO(data), name="fuzz.xml"))


@FUZZ
@given(
    data=st.binary(max_size=2000) | mutated(VALID_MT) | any_text.map(str.encode),
    encoding=st.sampled_from([None, "utf-8", "cp932", "euc-jp", "windows-1252", "utf-16"]),
)
def test_mt_parser_yields_records_or_a_parse_error(data: bytes, encoding: str | None) -> None:
    drain(parse_mt(io.BytesIO(data), encoding=encoding, name="fuzz.txt"))


# --- XML-RPC -----------------------------------------------------------------------------

EVERY_TYPE: xmlrpc.XmlRpcValue = {
    "s": "山 & <b>",
    "i": -7,
    "t": True,
    "d": 1.5,
    "when": datetime(2026, 11, 27, 19, 0, tzinfo=UTC),
    "raw": b"\x00\xff",
    "list": [1, "two", None],
}
VALID_CALLS = [
    xmlrpc.method_call("pingback.ping", (SOURCE, PERMALINK)),
    xmlrpc.method_call("x.y", (EVERY_TYPE,)),
]
VALID_RESPONSES = [
    xmlrpc.success_response(EVERY_TYPE),
    xmlrpc.fault_response(17, "The source does not link to the target."),
]
xmlrpc_bodies = (
    st.binary(max_size=1500)
    | xmlish_text.map(str.encode)
    | st.sampled_from(VALID_CALLS + VALID_RESPONSES).flatmap(mutated)
)


@FUZZ
@given(body=xmlrpc_bodies)
def test_method_call_parser_returns_a_call_or_a_fault(body: bytes) -> None:
    try:
        call = xmlrpc.parse_method_call(body)
    except xmlrpc.MalformedXmlRpc:
        return
    assert isinstance(call, xmlrpc.MethodCall)
    # The arguments then go to ping_args, which refuses with a fault and nothing else.
    try:
        source, target = ping_args(call)
    except xmlrpc.XmlRpcFault:
        return
    assert is_http_url(source)
    assert is_http_url(target)


@FUZZ
@given(body=xmlrpc_bodies)
def test_method_response_parser_returns_a_value_or_a_fault(body: bytes) -> None:
    # A server's own fault is an XmlRpcFault as well: the documented way it reaches callers.
    with contextlib.suppress(xmlrpc.XmlRpcFault):
        xmlrpc.parse_method_response(body)


# --- linkback protocols ------------------------------------------------------------------

CONTENT_TYPES = [
    None,
    "",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=shift_jis",
    "application/x-www-form-urlencoded; charset=utf-7",
    "application/x-www-form-urlencoded; charset=nonsense",
    'application/x-www-form-urlencoded; charset="',
    "text/html",
    "text/html; charset=euc-jp",
    "application/json",
    "application/mf2+json",
    "text/plain; charset=utf-16",
    ";;;=",
]
VALID_PING = b"url=http%3A%2F%2Felsewhere.example%2Fa&title=T&excerpt=E&blog_name=B"
SOURCE_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><link rel="webmention" href="/wm">'
    '<link rel="pingback" href="http://elsewhere.example/xmlrpc"></head><body>'
    '<div class="h-entry"><a class="u-in-reply-to" href="' + PERMALINK + '">re</a>'
    '<p class="e-content">Nice <a href="' + PERMALINK + '">post</a></p>'
    '<rdf:RDF><rdf:Description dc:identifier="' + SOURCE + '" '
    'trackback:ping="http://elsewhere.example/tb/1"/></rdf:RDF></div></body></html>'
).encode()
pages = st.binary(max_size=1500) | mutated(SOURCE_PAGE) | sharp_text.map(str.encode)
headers = st.lists(
    st.tuples(st.sampled_from(["Link", "X-Pingback", "link", "Content-Type"]), sharp_text),
    max_size=4,
)


@FUZZ
@given(
    body=st.binary(max_size=1500) | mutated(VALID_PING) | any_text.map(str.encode),
    content_type=st.sampled_from(CONTENT_TYPES) | sharp_text,
)
def test_trackback_ping_parser_returns_a_ping_or_a_trackback_error(
    body: bytes, content_type: str | None
) -> None:
    try:
        ping = parse_ping(body, content_type)
    except TrackbackError:
        return
    assert is_http_url(ping.url)


@FUZZ
@given(body=st.binary(max_size=1500) | xmlish_text.map(str.encode))
def test_trackback_response_parser_always_gives_a_result(body: bytes) -> None:
    assert isinstance(parse_response(body), TrackbackResult)


@FUZZ
@given(source=st.none() | any_text, target=st.none() | any_text)
def test_webmention_request_is_validated_or_refused_with_its_error(
    source: str | None, target: str | None
) -> None:
    try:
        checked = validate_request(source, target)
    except WebmentionError:
        return
    assert all(is_http_url(url) for url in checked)


@FUZZ
@given(
    headers=headers,
    body=pages,
    content_type=st.sampled_from(CONTENT_TYPES) | sharp_text,
    url=st.sampled_from([SOURCE, PERMALINK]) | sharp_text,
)
def test_discovery_finds_an_http_endpoint_or_none(
    headers: list[tuple[str, str]], body: bytes, content_type: str | None, url: str
) -> None:
    # The page, its headers and (after redirects) its URL all come from the remote site.
    list(link_header_endpoints(headers))
    found = [
        discover_webmention(url=url, headers=headers, body=body, content_type=content_type),
        discover_pingback(headers, body),
        discover_trackback(url=url, body=body),
    ]
    assert all(endpoint is None or is_http_url(endpoint) for endpoint in found)


@FUZZ
@given(
    body=pages | st.sampled_from([b'{"items": [', b'{"items": [{"type": 1}]}', b"[]"]),
    content_type=st.sampled_from(CONTENT_TYPES) | sharp_text,
    charset=st.none() | st.sampled_from(["utf-8", "shift_jis", "utf-7", "x-nonsense", ""]),
)
def test_source_inspection_reports_on_any_page(
    body: bytes, content_type: str | None, charset: str | None
) -> None:
    inspect_source(
        source_url=SOURCE,
        target_url=PERMALINK,
        body=body,
        content_type=content_type,
        charset=charset,
    )


@FUZZ
@given(html=pages.map(lambda page: page.decode("utf-8", "replace")))
def test_outbound_links_are_absolute_http_links_elsewhere(html: str) -> None:
    links = outbound_links(html, base_url=PERMALINK, own_host="testserver")
    assert all(is_http_url(link) for link in links)


@pytest.mark.parametrize("href", ["a://[", "http://[x/", "//]", "https://[::1/"])
def test_outbound_links_skip_an_href_with_an_unclosed_ipv6_bracket(href: str) -> None:
    # Found by the test above: urljoin raised ValueError and took the send task down with it.
    html = f'<a href="{href}">broken</a> <a href="http://elsewhere.example/">fine</a>'

    links = outbound_links(html, base_url=PERMALINK, own_host="testserver")

    assert links == ["http://elsewhere.example/"]


# --- search ------------------------------------------------------------------------------


@FUZZ
@given(
    raw=st.lists(
        st.sampled_from(['"', "-", "OR", "|", "category:", "tag:", "before:", "after:", "“"])
        | sharp_text,
        max_size=30,
    ).map(" ".join),
    prefix_last=st.booleans(),
)
def test_search_query_with_operators_and_controls_parses_for_both_backends(
    raw: str, prefix_last: bool
) -> None:
    # tests/search/test_query.py draws plain text; this draws operators glued to controls.
    query = parse_query(raw, prefix_last=prefix_last)
    if query.groups:
        assert match_expression(query) is not None
        assert tsquery_expression(query)


# --- Markdown and the sanitizers ---------------------------------------------------------

MARKDOWN_TOKENS = ["[x](", ")", "![", "](", "<", ">", "`", "```\n", "*", "_", "\n\n", "|", "---"]
hostile_markup = st.lists(
    st.sampled_from(PAYLOAD_VALUES) | st.sampled_from(MARKDOWN_TOKENS) | sharp_text,
    min_size=1,
    max_size=12,
).map("".join)


class AllTags(HTMLParser):
    """Every start tag the tokenizer meets, as a browser's tokenizer would meet it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1


def assert_not_executable(html: str, allowed: frozenset[str]) -> None:
    """No element outside ``allowed``, no on* handler, no script-bearing URL or style."""
    scanner = AllTags()
    scanner.feed(html)
    scanner.close()
    assert set(scanner.tags) <= allowed, html
    # findings() flags <img>, <details> and other elements a comment may not add; a post
    # body may hold those, so only the rest counts here.
    risky = [found for found in findings(html) if found.strip("<>") not in allowed]
    assert risky == [], html


RENDERERS: list[tuple[str, Callable[[str], str], frozenset[str]]] = [
    ("body-markdown", lambda s: text.render_body(s, text.MARKDOWN), text.ALLOWED_TAGS),
    ("body-html", lambda s: text.render_body(s, text.HTML), text.ALLOWED_TAGS),
    (
        "body-paragraphs",
        lambda s: text.render_body(s, text.HTML_PARAGRAPHS),
        text.ALLOWED_TAGS,
    ),
    ("comment", text.render_comment, text.COMMENT_TAGS),
    (
        "imported-comment",
        lambda s: text.render_comment_body(s, text.HTML_PARAGRAPHS),
        text.COMMENT_TAGS,
    ),
]


@pytest.mark.parametrize(
    ("render", "allowed"),
    [(render, allowed) for _, render, allowed in RENDERERS],
    ids=[name for name, _, _ in RENDERERS],
)
@FUZZ
@given(source=hostile_markup | any_text)
def test_rendered_text_holds_no_executable_markup(
    render: Callable[[str], str], allowed: frozenset[str], source: str
) -> None:
    assert_not_executable(render(source), allowed)
    assert isinstance(text.strip_tags(render(source)), str)
