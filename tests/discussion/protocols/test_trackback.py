"""TrackBack 1.2: reading pings, answering, the RDF block, and the sender's side (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlencode

import pytest
from bs4 import BeautifulSoup, Comment
from defusedxml.ElementTree import fromstring

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.protocols import discover_trackback
from yamabiko.discussion.protocols.trackback import (
    PING_CONTENT_TYPE,
    TrackbackError,
    TrackbackPing,
    TrackbackResult,
    parse_ping,
    parse_response,
    ping_body,
    rdf_block,
    response_xml,
)

FORM = "application/x-www-form-urlencoded"
SENDER = "https://alice.example/2024/05/reply"


def form(fields: dict[str, str], encoding: str = "utf-8") -> bytes:
    return urlencode(fields, encoding=encoding).encode("ascii")


def refused(body: bytes, content_type: str | None = FORM) -> str:
    with pytest.raises(TrackbackError) as caught:
        parse_ping(body, content_type)
    return str(caught.value)


# Reading a ping


def test_a_utf8_ping_is_read() -> None:
    body = form({"url": SENDER, "title": "Hello", "excerpt": "A reply", "blog_name": "Alice"})

    assert parse_ping(body, f"{FORM}; charset=utf-8") == TrackbackPing(
        url=SENDER, title="Hello", excerpt="A reply", blog_name="Alice", charset="UTF-8"
    )


def test_only_url_is_required() -> None:
    ping = parse_ping(form({"url": SENDER}), FORM)

    assert (ping.url, ping.title, ping.excerpt, ping.blog_name) == (SENDER, "", "", "")


def test_a_ping_without_content_type_is_read_as_a_form() -> None:
    assert parse_ping(form({"url": SENDER}), None).url == SENDER


def test_plus_is_a_space_and_percent_2b_a_plus() -> None:
    ping = parse_ping(b"url=" + quote(SENDER, safe="").encode() + b"&title=one+two%2Bthree", FORM)

    assert ping.title == "one two+three"


def test_unknown_parameters_are_ignored() -> None:
    assert parse_ping(form({"url": SENDER, "tb_id": "5", "foo": "bar"}), FORM).url == SENDER


# Charsets (PROTOCOLS.md §1.4 Rec)


def test_shift_jis_named_in_the_content_type() -> None:
    fields = {
        "url": SENDER,
        "title": "日本語のタイトル",
        "excerpt": "①②と髙",
        "blog_name": "ブログ",
    }
    body = form(fields, encoding="cp932")

    ping = parse_ping(body, f"{FORM}; charset=Shift_JIS")

    assert (ping.title, ping.excerpt, ping.blog_name) == ("日本語のタイトル", "①②と髙", "ブログ")
    assert ping.charset == "Shift_JIS"


def test_a_quoted_charset_parameter_is_read() -> None:
    body = form({"url": SENDER, "title": "日本"}, encoding="shift_jis")

    assert parse_ping(body, f'{FORM}; charset="shift_jis"').title == "日本"


def test_euc_jp_named_in_a_charset_field() -> None:
    body = form({"url": SENDER, "title": "こんにちは", "charset": "EUC-JP"}, encoding="euc_jp")

    ping = parse_ping(body, FORM)

    assert (ping.title, ping.charset) == ("こんにちは", "EUC-JP")


def test_the_content_type_charset_wins_over_the_field() -> None:
    body = form({"url": SENDER, "title": "日本", "charset": "EUC-JP"}, encoding="cp932")

    assert parse_ping(body, f"{FORM}; charset=Shift_JIS").title == "日本"


def test_undeclared_utf8_is_read_as_utf8() -> None:
    ping = parse_ping(form({"url": SENDER, "title": "café 日本"}), FORM)

    assert (ping.title, ping.charset) == ("café 日本", "UTF-8")


def test_undeclared_bytes_that_are_not_utf8_fall_back_to_windows_1252() -> None:
    body = b"url=" + quote(SENDER, safe="").encode() + b"&title=caf%E9+%93quoted%94+%80"

    ping = parse_ping(body, FORM)

    assert (ping.title, ping.charset) == ("café “quoted” €", "windows-1252")


def test_iso_8859_1_means_windows_1252_as_in_browsers() -> None:
    body = b"url=" + quote(SENDER, safe="").encode() + b"&title=%93hi%94"

    ping = parse_ping(body, f"{FORM}; charset=ISO-8859-1")

    assert (ping.title, ping.charset) == ("“hi”", "windows-1252")


@pytest.mark.parametrize(
    ("content_type", "field"),
    [
        (f"{FORM}; charset=UTF-7", None),
        (f"{FORM}; charset=utf7", None),
        (f"{FORM}; charset=x-UNICODE-1-1-UTF-7", None),
        (FORM, "UTF-7"),
    ],
)
def test_utf7_is_refused(content_type: str, field: str | None) -> None:
    fields = {"url": SENDER, "title": "+ADw-script+AD4-"}
    if field:
        fields["charset"] = field

    assert "UTF-7" in refused(form(fields), content_type)


@pytest.mark.parametrize("label", ["klingon", "rot13", "hex", "zlib", "base64", "utf-32x", "SJIS2"])
def test_unknown_charset_labels_are_refused(label: str) -> None:
    assert "Unknown charset" in refused(form({"url": SENDER}), f"{FORM}; charset={label}")
    assert "Unknown charset" in refused(form({"url": SENDER, "charset": label}), FORM)


def test_bytes_that_do_not_fit_the_declared_charset_are_refused() -> None:
    body = b"url=" + quote(SENDER, safe="").encode() + b"&title=%FF%FE"

    assert "not valid UTF-8" in refused(body, f"{FORM}; charset=utf-8")


def test_a_non_ascii_charset_field_is_refused() -> None:
    body = form({"url": SENDER}) + b"&charset=%E6%97%A5"

    assert "Unknown charset" in refused(body)


# Refusals


@pytest.mark.parametrize(
    "body", [b"", b"title=Hello&excerpt=x", b"url=&title=Hello", b"url=+++&title=x"]
)
def test_a_ping_without_url_is_refused(body: bytes) -> None:
    assert refused(body) == "The url parameter is required."


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example/x",
        "/relative/path",
        "alice.example/post",
        "http://",
        "http:///path",
        "http://user:pass@alice.example/",
        "http://alice.example:99999/",
        "http://alice example/",
        "https://alice.example/" + "a" * 2000,
    ],
)
def test_a_url_that_is_not_absolute_http_is_refused(url: str) -> None:
    assert "absolute http" in refused(form({"url": url}))


def test_a_non_ascii_parameter_name_is_refused() -> None:
    body = form({"url": SENDER}) + b"&t%C3%ADtulo=x"

    assert "not ASCII" in refused(body)


def test_a_raw_non_ascii_parameter_name_is_refused() -> None:
    assert "not ASCII" in refused(form({"url": SENDER}) + "&名前=x".encode())


@pytest.mark.parametrize("field", ["url", "title", "excerpt", "blog_name", "charset"])
def test_a_repeated_field_is_refused(field: str) -> None:
    body = form({"url": SENDER}) + f"&{field}=a&{field}=b".encode()

    assert "given twice" in refused(body)


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/json", "text/xml"]
)
def test_other_content_types_are_refused(content_type: str) -> None:
    assert FORM in refused(form({"url": SENDER}), content_type)


def test_a_ping_over_the_size_limit_is_refused() -> None:
    body = form({"url": SENDER, "excerpt": "x" * 70_000})

    assert refused(body) == "The ping is too large."


def test_trackback_errors_are_invalid_input() -> None:
    assert issubclass(TrackbackError, InvalidInput)


# Cleaning the text fields


def test_nul_and_control_characters_are_stripped() -> None:
    body = form({"url": SENDER + "\x00", "title": "a\x00b\x1bc\x7fd\x85e", "blog_name": "x\x08y"})

    ping = parse_ping(body, FORM)

    assert (ping.url, ping.title, ping.blog_name) == (SENDER, "abcde", "xy")


def test_whitespace_is_collapsed_to_single_spaces() -> None:
    ping = parse_ping(form({"url": SENDER, "excerpt": "  one\r\n\r\n two\t three  "}), FORM)

    assert ping.excerpt == "one two three"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("<b>Bold</b> &amp; <i>italic</i>", "Bold & italic"),
        ("&lt;b&gt; is the bold tag", "<b> is the bold tag"),
        ("&amp;lt;double&amp;gt;", "&lt;double&gt;"),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("<style>p{}</style>Styled", "Styled"),
        ("<!-- hidden -->Shown", "Shown"),
        ("caf&eacute; &#x65E5;&#26412;", "café 日本"),
        ("Fish &amp; chips <a href='x'>here</a>", "Fish & chips here"),
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_html_in_text_fields_becomes_plain_text(sent: str, stored: str) -> None:
    ping = parse_ping(
        form({"url": SENDER, "title": sent, "excerpt": sent, "blog_name": sent}), FORM
    )

    assert ping.title == ping.excerpt == ping.blog_name == stored


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 250), ("excerpt", 1000), ("blog_name", 250)]
)
def test_long_fields_are_cropped_with_an_ellipsis(field: str, limit: int) -> None:
    ping = parse_ping(form({"url": SENDER, field: "word " * 600}), FORM)
    value = getattr(ping, field)

    assert len(value) <= limit
    assert value.endswith("…")


def test_fields_at_the_limit_are_kept_whole() -> None:
    ping = parse_ping(form({"url": SENDER, "title": "t" * 250}), FORM)

    assert ping.title == "t" * 250


# Our response (TB "Response")


def test_success_response_is_exactly_error_zero() -> None:
    body = response_xml(None)
    root = fromstring(body)

    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert (root.tag, root.findtext("error"), root.find("message")) == ("response", "0", None)


@pytest.mark.parametrize(
    "message",
    [
        "Plain failure.",
        "</message></response><response><error>0</error>",
        "]]><![CDATA[",
        "&amp; & &lt; < >",
        "<!DOCTYPE x [<!ENTITY e 'boom'>]>&e;",
        "日本語のエラー",
        "",
    ],
)
def test_error_response_is_well_formed_with_hostile_messages(message: str) -> None:
    root = fromstring(response_xml(message), forbid_dtd=True)

    assert root.tag == "response"
    assert root.findtext("error") == "1"
    assert root.findtext("message") == message


def test_control_characters_do_not_break_the_response() -> None:
    root = fromstring(response_xml("nul\x00 esc\x1b \ud800"))

    assert root.findtext("message") == "nul esc "


# The RDF discovery block (§1.6)


def block_document(block: str) -> str:
    return block.removeprefix("<!--").removesuffix("-->")


RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
TB = "{http://madskills.com/public/xml/rss/module/trackback/}"


def test_rdf_block_parses_as_rdf_with_every_attribute() -> None:
    block = rdf_block(
        permalink="https://blog.example/2024/05/hello",
        title="Hello",
        ping_url="https://blog.example/trackback/5",
        description="An excerpt",
        creator="Aiko",
        date=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    )

    assert block.startswith("<!--\n")
    assert block.endswith("\n-->")
    description = fromstring(block_document(block)).find(f"{RDF}Description")
    assert description is not None
    assert description.attrib == {
        f"{RDF}about": "https://blog.example/2024/05/hello",
        f"{DC}identifier": "https://blog.example/2024/05/hello",
        f"{DC}title": "Hello",
        f"{DC}description": "An excerpt",
        f"{DC}creator": "Aiko",
        f"{DC}date": "2024-05-01T12:00:00+00:00",
        f"{TB}ping": "https://blog.example/trackback/5",
    }


def test_optional_attributes_are_left_out_when_empty() -> None:
    block = rdf_block(permalink="https://b.example/p", title="", ping_url="https://b.example/tb")

    assert "dc:description" not in block
    assert "dc:creator" not in block
    assert "dc:date" not in block
    assert 'dc:title=""' in block


HOSTILE_TITLE = 'Ends -- here --> <!-- again ---- "quoted" & <b>bold</b> -'


def test_a_hostile_title_keeps_the_comment_valid_and_round_trips() -> None:
    block = rdf_block(
        permalink="https://blog.example/a--b?x=1&y=2",
        title=HOSTILE_TITLE,
        ping_url="https://blog.example/trackback/a--b",
        description="-- desc --",
    )

    inside = block_document(block)
    assert "--" not in inside
    assert not inside.endswith("-")
    description = fromstring(inside).find(f"{RDF}Description")
    assert description is not None
    assert description.get(f"{DC}title") == HOSTILE_TITLE
    assert description.get(f"{DC}identifier") == "https://blog.example/a--b?x=1&y=2"
    assert description.get(f"{TB}ping") == "https://blog.example/trackback/a--b"


def test_a_hostile_title_cannot_escape_the_html_comment() -> None:
    block = rdf_block(
        permalink="https://b.example/p", title=HOSTILE_TITLE, ping_url="https://b.example/t"
    )
    page = BeautifulSoup(f"<p>before</p>{block}<p>after</p>", "html.parser")

    assert [p.get_text() for p in page.find_all("p")] == ["before", "after"]
    assert len(page.find_all(string=lambda text: isinstance(text, Comment))) == 1
    assert page.find("b") is None


def test_newlines_in_values_become_spaces() -> None:
    block = rdf_block(
        permalink="https://b.example/p", title="one\ntwo", ping_url="https://b.example/t"
    )

    assert 'dc:title="one two"' in block


def test_our_block_is_found_by_trackback_discovery() -> None:
    permalink = "https://blog.example/a--b?x=1&y=2"
    block = rdf_block(
        permalink=permalink, title=HOSTILE_TITLE, ping_url="https://blog.example/tb/9"
    )
    page = f"<html><head><title>x</title></head><body>{block}</body></html>".encode()

    assert discover_trackback(url=permalink, body=page) == "https://blog.example/tb/9"


# Sending


def test_ping_body_is_utf8_urlencoded() -> None:
    body = ping_body(url=SENDER, title="日本 & more", excerpt="a=b&c", blog_name="Aiko's")

    assert body.isascii()
    assert parse_qs(body.decode("ascii"), encoding="utf-8") == {
        "url": [SENDER],
        "title": ["日本 & more"],
        "excerpt": ["a=b&c"],
        "blog_name": ["Aiko's"],
    }
    assert PING_CONTENT_TYPE == "application/x-www-form-urlencoded; charset=utf-8"


def test_ping_body_round_trips_through_our_receiver() -> None:
    body = ping_body(url=SENDER, title="日本", excerpt="Text", blog_name="Blog")

    assert parse_ping(body, PING_CONTENT_TYPE) == TrackbackPing(
        url=SENDER, title="日本", excerpt="Text", blog_name="Blog", charset="UTF-8"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (response_xml(None), TrackbackResult(ok=True, message="")),
        (response_xml("Closed."), TrackbackResult(ok=False, message="Closed.")),
        (
            b'<?xml version="1.0" encoding="iso-8859-1"?>\n<response><error>1</error>'
            b"<message>Ferm\xe9</message></response>",
            TrackbackResult(ok=False, message="Fermé"),
        ),
        (
            b"\xef\xbb\xbf\n  <?xml version='1.0'?><response> <error> 0 </error> </response>",
            TrackbackResult(ok=True, message=""),
        ),
        (
            b"<br />\n<b>Warning</b>: Cannot modify header information in wp-trackback.php\n"
            b'<?xml version="1.0" encoding="UTF-8"?>\n<response><error>0</error></response>',
            TrackbackResult(ok=True, message=""),
        ),
        (
            b"<response><error>0</error><message>Thanks</message><extra>later</extra></response>",
            TrackbackResult(ok=True, message="Thanks"),
        ),
    ],
)
def test_sender_reads_the_response(body: bytes, expected: TrackbackResult) -> None:
    assert parse_response(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"OK",
        b"<html><body>Thanks for the ping!</body></html>",
        b"<response><message>no error element</message></response>",
        b"<response><error>1</error></response>",
        b"<response><error>yes</error></response>",
        b"<response><error>0</error>",
        b"<other><error>0</error></other>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "0">]>'
        b"<response><error>&a;</error></response>",
        b"\x1f\x8b\x08\x00compressed",
    ],
)
def test_sender_treats_junk_as_failure(body: bytes) -> None:
    assert parse_response(body).ok is False


def test_sender_refuses_huge_responses() -> None:
    body = b"<response><error>0</error><message>" + b"x" * 70_000 + b"</message></response>"

    assert parse_response(body) == TrackbackResult(ok=False, message="the response is too large")


def test_sender_crops_long_messages_to_one_line() -> None:
    body = response_xml("line\n" * 200)

    result = parse_response(body)
    assert len(result.message) <= 500
    assert "\n" not in result.message
    assert re.fullmatch(r"(line )+line…", result.message)
