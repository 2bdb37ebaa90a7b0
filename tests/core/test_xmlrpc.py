"""Hardened XML-RPC reading and writing (pure, no database)."""

from __future__ import annotations

import gzip
import time
import xmlrpc.client
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from yamabiko.core.exceptions import InvalidInput
from yamabiko.core.xmlrpc import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    MalformedXmlRpc,
    MethodCall,
    XmlRpcFault,
    XmlRpcValue,
    XmlRpcValueError,
    fault_response,
    method_call,
    parse_method_call,
    parse_method_response,
    success_response,
)


def call_with(*values: str, name: str = "demo.echo") -> bytes:
    params = "".join(f"<param>{value}</param>" for value in values)
    return (
        f'<?xml version="1.0"?>\n<methodCall>\n  <methodName>{name}</methodName>\n'
        f"  <params>{params}</params>\n</methodCall>\n"
    ).encode()


def fault_code(body: bytes, **limits: int) -> int:
    with pytest.raises(MalformedXmlRpc) as caught:
        parse_method_call(body, **limits)
    return caught.value.code


# Reading calls: every type


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("<value>untyped is a string</value>", "untyped is a string"),
        ("<value></value>", ""),
        ("<value/>", ""),
        ("<value><string>  kept spaces  </string></value>", "  kept spaces  "),
        ("<value><string/></value>", ""),
        ("<value><string>&lt;b&gt; &amp; &#x3042;</string></value>", "<b> & あ"),
        ("<value><string><![CDATA[<raw> & ]]></string></value>", "<raw> & "),
        ("<value><string>日本語</string></value>", "日本語"),
        ("<value><int>-42</int></value>", -42),
        ("<value><i4>+7</i4></value>", 7),
        ("<value><int> 12 </int></value>", 12),
        ("<value><int>2147483647</int></value>", 2147483647),
        ("<value><int>-2147483648</int></value>", -2147483648),
        ("<value><boolean>1</boolean></value>", True),
        ("<value><boolean>0</boolean></value>", False),
        ("<value><double>-3.25</double></value>", -3.25),
        ("<value><double>.5</double></value>", 0.5),
        ("<value><double>1.5e3</double></value>", 1500.0),
        (
            "<value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value>",
            datetime(1998, 7, 17, 14, 8, 55),
        ),
        (
            "<value><dateTime.iso8601>2024-01-02T03:04:05Z</dateTime.iso8601></value>",
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
        (
            "<value><dateTime.iso8601>20240102T03:04:05+09:00</dateTime.iso8601></value>",
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=9))),
        ),
        ("<value><base64>aGVsbG8=</base64></value>", b"hello"),
        ("<value><base64>\n  aGVs\n  bG8=\n</base64></value>", b"hello"),
        ("<value><base64></base64></value>", b""),
        ("<value><nil/></value>", None),
        ("<value><array><data/></array></value>", ()),
        (
            "<value><array><data><value><int>1</int></value><value>two</value>"
            "<value><array><data><value><nil/></value></data></array></value>"
            "</data></array></value>",
            (1, "two", (None,)),
        ),
        ("<value><struct/></value>", {}),
        (
            "<value><struct>"
            "<member><name>title</name><value><string>Hi</string></value></member>"
            "<member><name>tags</name><value><array><data><value>a</value></data></array>"
            "</value></member>"
            "<member><name>meta</name><value><struct><member><name>n</name>"
            "<value><i4>3</i4></value></member></struct></value></member>"
            "</struct></value>",
            {"title": "Hi", "tags": ("a",), "meta": {"n": 3}},
        ),
        (
            "<value><struct><member><name>k</name><value>first</value></member>"
            "<member><name>k</name><value>last</value></member></struct></value>",
            {"k": "last"},
        ),
    ],
)
def test_each_value_type_is_read(xml: str, expected: XmlRpcValue) -> None:
    call = parse_method_call(call_with(xml))

    assert call.params == (expected,)
    assert type(call.params[0]) is type(expected)


def test_a_pingback_call_is_read_with_its_name_and_params() -> None:
    body = call_with(
        "<value><string>https://alice.example/p</string></value>",
        "<value><string>https://blog.example/posts/1</string></value>",
        name="pingback.ping",
    )

    assert parse_method_call(body) == MethodCall(
        name="pingback.ping", params=("https://alice.example/p", "https://blog.example/posts/1")
    )


def test_a_pretty_printed_call_from_another_client_is_read() -> None:
    # Our own test input, so building it with the stdlib is safe; it indents with newlines.
    body = xmlrpc.client.dumps(
        ("https://a.example/", 3, {"k": [1, 2.5, True]}, None),
        "pingback.ping",
        allow_none=True,
    ).encode()

    assert b"\n" in body
    assert parse_method_call(body) == MethodCall(
        name="pingback.ping", params=("https://a.example/", 3, {"k": (1, 2.5, True)}, None)
    )


def test_a_call_without_params_has_none() -> None:
    body = b"<methodCall><methodName>system.listMethods</methodName></methodCall>"

    assert parse_method_call(body) == MethodCall(name="system.listMethods", params=())


def test_a_utf16_call_with_a_declaration_is_read() -> None:
    text = call_with("<value>ü</value>").decode()
    text = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')

    assert parse_method_call(text.encode("utf-16")).params == ("ü",)


# Reading calls: what is refused


@pytest.mark.parametrize(
    "xml",
    [
        "<value><int>1.5</int></value>",
        "<value><int>2147483648</int></value>",
        "<value><int>-2147483649</int></value>",
        "<value><int>1_000</int></value>",
        "<value><int>\u0663</int></value>",
        "<value><int></int></value>",
        "<value><i8>1</i8></value>",
        "<value><boolean>true</boolean></value>",
        "<value><boolean>2</boolean></value>",
        "<value><double>nan</double></value>",
        "<value><double>inf</double></value>",
        "<value><double>1e999</double></value>",
        "<value><double>1,5</double></value>",
        "<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>",
        "<value><dateTime.iso8601>20241332T00:00:00</dateTime.iso8601></value>",
        "<value><dateTime.iso8601>20240102T03:04:05+25:00</dateTime.iso8601></value>",
        "<value><base64>!!!</base64></value>",
        "<value><base64>aGVsbG8</base64></value>",
        "<value><nil>x</nil></value>",
        "<value><foo>1</foo></value>",
        "<value><int>1</int><int>2</int></value>",
        "<value>text<int>1</int></value>",
        "<value><string><b>bold</b></string></value>",
        "<value><array><value>1</value></array></value>",
        "<value><array><data>stray<value>1</value></data></array></value>",
        "<value><struct><member><value>no name</value></member></struct></value>",
        "<value><struct><member><name>a</name></member></struct></value>",
        "<value><struct><member><name>a</name><value>1</value><value>2</value></member>"
        "</struct></value>",
        "<value><struct><item/></struct></value>",
        "<notvalue>1</notvalue>",
        "<value>1</value><value>2</value>",
    ],
)
def test_bad_params_are_fault_32602(xml: str) -> None:
    assert fault_code(call_with(xml)) == INVALID_PARAMS


def test_stray_elements_in_params_are_fault_32602() -> None:
    body = b"<methodCall><methodName>a</methodName><params><foo/></params></methodCall>"

    assert fault_code(body) == INVALID_PARAMS


@pytest.mark.parametrize(
    "body",
    [
        b"<methodResponse><params/></methodResponse>",
        b"<html><body>hello</body></html>",
        b"<methodCall><params/></methodCall>",
        b"<methodCall><methodName></methodName></methodCall>",
        b"<methodCall><methodName>rm -rf</methodName></methodCall>",
        b"<methodCall><methodName>a<b/></methodName></methodCall>",
        b"<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>",
        b"<methodCall><params/><methodName>a</methodName></methodCall>",
        b"<methodCall><methodName>a</methodName><params/><extra/></methodCall>",
        b"<methodCall>junk<methodName>a</methodName></methodCall>",
    ],
)
def test_anything_but_a_method_call_is_fault_32600(body: bytes) -> None:
    assert fault_code(body) == INVALID_REQUEST


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"not xml at all",
        b"<methodCall><methodName>a</methodName>",
        b"<methodCall><methodName>a</methodName></methodcall>",
        b"<methodCall>&undefined;</methodCall>",
        b"\xff\xfe\x00garbage",
        b'<?xml version="1.0" encoding="x-klingon"?><methodCall/>',
    ],
)
def test_bodies_that_are_not_well_formed_are_fault_32700(body: bytes) -> None:
    assert fault_code(body) == PARSE_ERROR


def test_gzip_is_not_decompressed_bytes_are_bytes() -> None:
    compressed = gzip.compress(call_with("<value>hidden</value>"))

    assert fault_code(compressed) == PARSE_ERROR


# Hardening


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>a</methodName><params><param><value>&lol9;</value></param></params>
</methodCall>"""


def test_billion_laughs_is_refused_quickly_with_32700() -> None:
    started = time.perf_counter()

    with pytest.raises(MalformedXmlRpc) as caught:
        parse_method_call(BILLION_LAUGHS)

    assert caught.value.code == PARSE_ERROR
    assert time.perf_counter() - started < 0.5


def xxe_body(path: Path) -> str:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE m [<!ENTITY secret SYSTEM "file://{path}">]>\n'
        "<methodCall><methodName>a</methodName><params><param><value>&secret;</value>"
        "</param></params></methodCall>"
    )


def test_an_external_entity_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")

    with pytest.raises(MalformedXmlRpc) as caught:
        parse_method_call(xxe_body(secret).encode())

    assert caught.value.code == PARSE_ERROR
    assert "TOP-SECRET-VALUE" not in caught.value.message


def test_a_doctype_hidden_from_the_byte_search_is_refused_by_the_parser(tmp_path: Path) -> None:
    # In UTF-16 the bytes "<!DOCTYPE" never appear; defusedxml is the second wall.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = xxe_body(secret).replace('<?xml version="1.0"?>', "").encode("utf-16")

    assert b"<!DOCTYPE" not in body
    with pytest.raises(MalformedXmlRpc) as caught:
        parse_method_call(body)

    assert caught.value.code == PARSE_ERROR
    assert "document type" in caught.value.message


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:9/evil.dtd">',
        "<!doctype methodCall>",
        '<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        "<!-- a comment first --><!DOCTYPE m>",
    ],
)
def test_every_document_type_declaration_is_refused(declaration: str) -> None:
    body = declaration.encode() + call_with("<value>x</value>").replace(
        b'<?xml version="1.0"?>', b""
    )

    assert fault_code(body) == PARSE_ERROR


def test_a_body_over_the_byte_limit_is_refused_before_parsing() -> None:
    body = call_with("<value>" + "a" * 2000 + "</value>")

    assert fault_code(body, max_bytes=1000) == PARSE_ERROR
    assert parse_method_call(body, max_bytes=len(body)).params == ("a" * 2000,)


def test_the_default_byte_limit_is_256_kib() -> None:
    body = call_with("<value>" + "a" * (256 * 1024) + "</value>")

    with pytest.raises(MalformedXmlRpc, match="larger than 262144 bytes"):
        parse_method_call(body)


def test_a_flood_of_elements_is_refused() -> None:
    values = "<value/>" * 12_000
    body = call_with(f"<value><array><data>{values}</data></array></value>")

    assert len(body) < 256 * 1024
    with pytest.raises(MalformedXmlRpc, match="too many elements") as caught:
        parse_method_call(body)

    assert caught.value.code == PARSE_ERROR


def test_the_element_limit_can_be_lowered() -> None:
    body = call_with("<value><array><data>" + "<value>1</value>" * 50 + "</data></array></value>")

    assert fault_code(body, max_elements=40) == PARSE_ERROR
    assert len(parse_method_call(body, max_elements=100).params[0]) == 50  # type: ignore[arg-type]


def nested_arrays(depth: int) -> bytes:
    return call_with(
        "<value><array><data>" * depth + "<value>x</value>" + "</data></array></value>" * depth
    )


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    with pytest.raises(MalformedXmlRpc, match="nested too deeply") as caught:
        parse_method_call(nested_arrays(3000))

    assert caught.value.code == PARSE_ERROR


def test_reasonable_nesting_is_read() -> None:
    value = parse_method_call(nested_arrays(25)).params[0]

    for _ in range(25):
        assert isinstance(value, tuple)
        value = value[0]
    assert value == "x"


# Writing


ROUND_TRIP: dict[str, XmlRpcValue] = {
    "string": "plain",
    "markup": "<b>&amp;</b> ]]> \"quotes\" 'single'",
    "lines": "one\r\ntwo\rthree\n",
    "unicode": "日本語 ✓ 😀",
    "int": -2147483648,
    "true": True,
    "false": False,
    "double": 0.1,
    "bytes": b"\x00\xffbinary",
    "when": datetime(2024, 2, 29, 23, 59, 58),
    "nothing": None,
    "list": [1, "two", [3.5]],
    "empty list": [],
    "nested": {"a": {"b": ()}},
}


def expected_after_round_trip(value: XmlRpcValue) -> XmlRpcValue:
    if isinstance(value, list | tuple):
        return tuple(expected_after_round_trip(item) for item in value)
    if isinstance(value, dict):
        return {key: expected_after_round_trip(item) for key, item in value.items()}
    return value


def test_success_response_round_trips_every_type() -> None:
    body = success_response(ROUND_TRIP)

    assert parse_method_response(body) == expected_after_round_trip(ROUND_TRIP)


def test_success_response_is_utf8_xml_with_a_declaration() -> None:
    body = success_response("日本")

    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert "日本".encode() in body
    assert fromstring(body).tag == "methodResponse"


def test_stdlib_client_reads_our_response() -> None:
    # Our own output, so the stdlib parser is safe to use as an interoperability check.
    (value,), _ = xmlrpc.client.loads(success_response({"n": 1, "s": "a<b"}))

    assert value == {"n": 1, "s": "a<b"}


HOSTILE_MESSAGES = [
    "</string></value></member></struct></value></fault>",
    "]]><![CDATA[x]]>",
    "&amp; &lt; & < >",
    "nul\x00 escape\x1b bell\x07 vertical\x0b",
    "<!DOCTYPE x [<!ENTITY e 'x'>]>",
    "lone surrogate \ud800",
]


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
def test_fault_response_is_well_formed_whatever_the_message(message: str) -> None:
    body = fault_response(17, message)

    root = fromstring(body, forbid_dtd=True)
    assert root.tag == "methodResponse"
    with pytest.raises(XmlRpcFault) as caught:
        parse_method_response(body)
    assert caught.value.code == 17
    assert not isinstance(caught.value, MalformedXmlRpc)
    for character in "\x00\x1b\x07\x0b\ud800":
        message = message.replace(character, "\ufffd")
    assert caught.value.message == message


def test_stdlib_client_reads_our_fault() -> None:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(fault_response(48, "already registered"))

    assert (caught.value.faultCode, caught.value.faultString) == (48, "already registered")


def test_aware_datetimes_are_written_in_utc_without_a_zone() -> None:
    tokyo = datetime(2024, 1, 2, 9, 0, 0, tzinfo=timezone(timedelta(hours=9)))

    assert b"<dateTime.iso8601>20240102T00:00:00</dateTime.iso8601>" in success_response(tokyo)


@pytest.mark.parametrize(
    "value",
    [2**31, -(2**31) - 1, float("nan"), float("inf"), {1: "x"}, {"a"}, object()],
)
def test_values_xml_rpc_cannot_carry_are_refused(value: object) -> None:
    with pytest.raises(XmlRpcValueError):
        success_response(value)  # type: ignore[arg-type]


def test_value_errors_are_invalid_input() -> None:
    assert issubclass(XmlRpcValueError, InvalidInput)
    assert issubclass(XmlRpcFault, InvalidInput)


def test_a_value_that_contains_itself_is_refused() -> None:
    loop: list[XmlRpcValue] = []
    loop.append(loop)

    with pytest.raises(XmlRpcValueError, match="nested too deeply"):
        success_response(loop)


def test_method_call_round_trips() -> None:
    body = method_call("pingback.ping", ("https://a.example/p?x=1&y=2", "https://b.example/"))

    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert parse_method_call(body) == MethodCall(
        name="pingback.ping", params=("https://a.example/p?x=1&y=2", "https://b.example/")
    )


@pytest.mark.parametrize("name", ["", "has space", "a<b", "名前"])
def test_method_call_refuses_names_the_spec_does_not_allow(name: str) -> None:
    with pytest.raises(XmlRpcValueError):
        method_call(name)


# Reading responses (our sender side)


def test_a_string_result_is_returned() -> None:
    body = (
        b"<?xml version='1.0'?><methodResponse><params><param><value><string>"
        b"Pingback registered</string></value></param></params></methodResponse>"
    )

    assert parse_method_response(body) == "Pingback registered"


def test_a_fault_with_a_string_code_is_still_a_fault() -> None:
    body = (
        b"<methodResponse><fault><value><struct>"
        b"<member><name>faultCode</name><value><string>48</string></value></member>"
        b"<member><name>faultString</name><value>dup</value></member>"
        b"</struct></value></fault></methodResponse>"
    )

    with pytest.raises(XmlRpcFault) as caught:
        parse_method_response(body)

    assert (caught.value.code, caught.value.message) == (48, "dup")


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Not Found</body></html>",
        b"<methodResponse/>",
        b"<methodResponse><params></params></methodResponse>",
        b"<methodResponse><params><param><value>a</value></param><param><value>b</value>"
        b"</param></params></methodResponse>",
        b"<methodResponse><fault><value><string>no struct</string></value></fault>"
        b"</methodResponse>",
        b"<methodResponse><fault><value><struct><member><name>faultString</name>"
        b"<value>no code</value></member></struct></value></fault></methodResponse>",
        b"<methodResponse><fault><value><struct><member><name>faultCode</name>"
        b"<value><boolean>1</boolean></value></member></struct></value></fault>"
        b"</methodResponse>",
        b"<methodCall><methodName>a</methodName></methodCall>",
    ],
)
def test_responses_that_are_not_xml_rpc_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedXmlRpc):
        parse_method_response(body)


def test_responses_get_the_same_hardening() -> None:
    with pytest.raises(MalformedXmlRpc) as caught:
        parse_method_response(BILLION_LAUGHS.replace(b"methodCall", b"methodResponse"))
    assert caught.value.code == PARSE_ERROR

    with pytest.raises(MalformedXmlRpc, match="larger than"):
        parse_method_response(success_response("x" * 100), max_bytes=50)
