"""XML-RPC messages, read without trusting the sender and written so they always parse.

Spec: "XML-RPC Specification", D. Winer, 1999-06-15 (with the 2003 clarifications),
http://xmlrpc.com/spec.md ("XRS" below); the `<nil/>` extension,
http://ontosys.com/xml-rpc/extensions.php; fault codes from the "Specification for Fault Code
Interoperability" (xmlrpc-epi, 2001) as listed in PROTOCOLS.md §2.3. Hardening follows
PROTOCOLS.md §5.5.

Hardening, for calls we receive and for responses we receive as a sender alike:
- a body over `max_bytes` is refused before it is parsed;
- a body containing `<!DOCTYPE` or `<!ENTITY` is refused before it is parsed (billion laughs,
  quadratic blow-up, XXE); defusedxml with DTDs, entities and external references forbidden
  is the second wall, for declarations a byte search cannot see (a UTF-16 body);
- elements are counted and their nesting depth bounded while the parser runs, so a flat
  flood of elements or a deep nest of arrays stops early and the value decoder (recursive)
  never meets a nest deeper than `max_depth`;
- bytes are bytes: a gzip body is not well-formed XML. Content-Encoding is the caller's
  business, and PROTOCOLS.md §5.5 says to refuse compressed requests outright.

Deviations from XRS, each on purpose:
- `<i8>` and the Apache `ex:` namespaced types are not accepted (-32602); neither is an
  `<int>` outside 32 bits (XRS: "four-byte signed integer").
- `<double>` accepts an exponent (XRS 2003 allows decimal point notation only); infinities
  and NaN are refused (XRS: "no representation for infinity ... or not a number").
- `<dateTime.iso8601>` accepts `19980717T14:08:55` and the dashed form, an optional fraction
  and an optional `Z` or `±hh:mm` zone, which WordPress clients send. A zone gives an aware
  datetime, no zone a naive one (XRS leaves the zone to the server). We write aware datetimes
  in UTC without a zone suffix, since most readers choke on one.
- A struct with a repeated member name keeps the last one, like xmlrpc.client.
- Characters XML 1.0 cannot carry (most C0 controls, lone surrogates) are written as U+FFFD.
  xmlrpc.client.dumps writes them raw and produces a document no parser accepts.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from yamabiko.core.exceptions import InvalidInput

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "MalformedXmlRpc",
    "MethodCall",
    "XmlRpcFault",
    "XmlRpcValue",
    "XmlRpcValueError",
    "fault_response",
    "method_call",
    "parse_method_call",
    "parse_method_response",
    "success_response",
]

type XmlRpcValue = (
    str
    | bool
    | int
    | float
    | datetime
    | bytes
    | Sequence[XmlRpcValue]
    | Mapping[str, XmlRpcValue]
    | None
)

# Fault Code Interoperability codes.
PARSE_ERROR = -32700  # "parse error. not well formed"
INVALID_REQUEST = -32600  # "server error. invalid xml-rpc. not conforming to spec."
METHOD_NOT_FOUND = -32601  # "server error. requested method not found"
INVALID_PARAMS = -32602  # "server error. invalid method parameters"
INTERNAL_ERROR = -32603  # "server error. internal xml-rpc error"

MAX_BYTES = 256 * 1024  # PROTOCOLS.md §5.4: inbound XML-RPC body at most 256 KiB.
MAX_ELEMENTS = 10_000
MAX_DEPTH = 100

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# XRS: method names are "upper and lower-case A-Z, numeric characters, 0-9, underscore, dot,
# colon and slash".
_METHOD_NAME = re.compile(r"[A-Za-z0-9_.:/]+")
_INT = re.compile(r"[+-]?[0-9]+")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATETIME = re.compile(
    r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})T([0-9]{2}):?([0-9]{2}):?([0-9]{2})"
    r"(?:[.,]([0-9]{1,6})[0-9]*)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XmlRpcFault(InvalidInput):
    """A fault: one we answer with, or one a server answered us with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class MalformedXmlRpc(XmlRpcFault):
    """The message itself was refused (too big, not XML, not XML-RPC); nothing was called.

    As a sender, this is how a broken response shows; a real fault from the server is a
    plain XmlRpcFault.
    """


class XmlRpcValueError(InvalidInput):
    """A Python value that XML-RPC cannot carry (an int over 32 bits, NaN, a set ...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodCall:
    name: str
    params: tuple[XmlRpcValue, ...] = ()


# --- reading -------------------------------------------------------------------------------


class _LimitExceeded(Exception):
    pass


class _BoundedTreeBuilder(ET.TreeBuilder):
    def __init__(self, *, max_elements: int, max_depth: int) -> None:
        super().__init__()
        self._elements_left = max_elements
        self._depth_left = max_depth

    def start(self, tag: str, attrs: dict[str, str], /) -> ET.Element:
        self._elements_left -= 1
        self._depth_left -= 1
        if self._elements_left < 0:
            raise _LimitExceeded("the message has too many elements")
        if self._depth_left < 0:
            raise _LimitExceeded("the message is nested too deeply")
        return super().start(tag, attrs)

    def end(self, tag: str, /) -> ET.Element:
        self._depth_left += 1
        return super().end(tag)


def _parse_xml(body: bytes, *, max_bytes: int, max_elements: int, max_depth: int) -> ET.Element:
    if len(body) > max_bytes:
        raise MalformedXmlRpc(PARSE_ERROR, f"the message is larger than {max_bytes} bytes")
    if _DECLARATION.search(body):
        raise MalformedXmlRpc(PARSE_ERROR, "document type declarations are not accepted")
    builder = _BoundedTreeBuilder(max_elements=max_elements, max_depth=max_depth)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(body)
        root: ET.Element = parser.close()
    except _LimitExceeded as error:
        raise MalformedXmlRpc(PARSE_ERROR, str(error)) from error
    except DefusedXmlException as error:
        message = "document type declarations are not accepted"
        raise MalformedXmlRpc(PARSE_ERROR, message) from error
    except (ET.ParseError, ValueError, LookupError) as error:
        # Expat's message names a line and column, never content, so it is safe to echo.
        message = f"the message is not well-formed XML: {error}"
        raise MalformedXmlRpc(PARSE_ERROR, message) from error
    return root


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _children(element: ET.Element, code: int) -> list[ET.Element]:
    """The child elements of a container, which may hold whitespace but no text (XRS)."""
    children = list(element)
    if not _blank(element.text) or not all(_blank(child.tail) for child in children):
        raise MalformedXmlRpc(code, f"<{element.tag}> holds text where only elements belong")
    return children


def _leaf_text(element: ET.Element) -> str:
    if len(element):
        raise MalformedXmlRpc(INVALID_PARAMS, f"<{element.tag}> must not hold elements")
    return element.text or ""


def _decode_value(value: ET.Element) -> XmlRpcValue:
    if value.tag != "value":
        raise MalformedXmlRpc(INVALID_PARAMS, f"expected <value>, found <{value.tag}>")
    if len(value) == 0:
        # XRS: "If no type is indicated, the type is string."
        return value.text or ""
    children = _children(value, INVALID_PARAMS)
    if len(children) != 1:
        raise MalformedXmlRpc(INVALID_PARAMS, "a <value> holds exactly one typed element")
    typed = children[0]
    decoder = _DECODERS.get(typed.tag)
    if decoder is None:
        raise MalformedXmlRpc(INVALID_PARAMS, f"unsupported value type <{typed.tag}>")
    return decoder(typed)


def _decode_string(element: ET.Element) -> XmlRpcValue:
    return _leaf_text(element)


def _decode_int(element: ET.Element) -> XmlRpcValue:
    text = _leaf_text(element).strip()
    # int() alone would accept "1_000" and non-ASCII digits.
    if not _INT.fullmatch(text) or not _INT_MIN <= (number := int(text)) <= _INT_MAX:
        raise MalformedXmlRpc(INVALID_PARAMS, "an <int> must be a 32-bit signed integer")
    return number


def _decode_boolean(element: ET.Element) -> XmlRpcValue:
    text = _leaf_text(element).strip()
    if text not in {"0", "1"}:
        raise MalformedXmlRpc(INVALID_PARAMS, "a <boolean> must be 0 or 1")
    return text == "1"


def _decode_double(element: ET.Element) -> XmlRpcValue:
    text = _leaf_text(element).strip()
    if not _DOUBLE.fullmatch(text) or not math.isfinite(number := float(text)):
        raise MalformedXmlRpc(INVALID_PARAMS, "a <double> must be a finite decimal number")
    return number


def _decode_datetime(element: ET.Element) -> XmlRpcValue:
    match = _DATETIME.fullmatch(_leaf_text(element).strip())
    try:
        if match is None:
            raise ValueError
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        fraction = f".{fraction}" if fraction else ""
        return datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour}:{minute}:{second}{fraction}{zone or ''}"
        )
    except ValueError as error:
        message = "a <dateTime.iso8601> must be a real date like 19980717T14:08:55"
        raise MalformedXmlRpc(INVALID_PARAMS, message) from error


def _decode_base64(element: ET.Element) -> XmlRpcValue:
    text = "".join(_leaf_text(element).split())
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedXmlRpc(INVALID_PARAMS, "a <base64> value is not valid base64") from error


def _decode_array(element: ET.Element) -> XmlRpcValue:
    children = _children(element, INVALID_PARAMS)
    if len(children) != 1 or children[0].tag != "data":
        raise MalformedXmlRpc(INVALID_PARAMS, "an <array> holds exactly one <data>")
    return tuple(_decode_value(value) for value in _children(children[0], INVALID_PARAMS))


def _decode_struct(element: ET.Element) -> XmlRpcValue:
    members: dict[str, XmlRpcValue] = {}
    for member in _children(element, INVALID_PARAMS):
        parts = _children(member, INVALID_PARAMS) if member.tag == "member" else []
        names = [part for part in parts if part.tag == "name"]
        values = [part for part in parts if part.tag == "value"]
        if len(parts) != 2 or len(names) != 1 or len(values) != 1:
            raise MalformedXmlRpc(
                INVALID_PARAMS, "a <struct> holds <member>s of one <name> and one <value>"
            )
        members[_leaf_text(names[0])] = _decode_value(values[0])
    return members


def _decode_nil(element: ET.Element) -> XmlRpcValue:
    if _leaf_text(element).strip():
        raise MalformedXmlRpc(INVALID_PARAMS, "<nil/> must be empty")
    return None


_DECODERS = {
    "string": _decode_string,
    "int": _decode_int,
    "i4": _decode_int,
    "boolean": _decode_boolean,
    "double": _decode_double,
    "dateTime.iso8601": _decode_datetime,
    "base64": _decode_base64,
    "array": _decode_array,
    "struct": _decode_struct,
    "nil": _decode_nil,
}


def _decode_params(params: ET.Element) -> tuple[XmlRpcValue, ...]:
    decoded = []
    for param in _children(params, INVALID_PARAMS):
        inner = _children(param, INVALID_PARAMS) if param.tag == "param" else []
        if len(inner) != 1:
            raise MalformedXmlRpc(INVALID_PARAMS, "<params> holds <param>s of one <value> each")
        decoded.append(_decode_value(inner[0]))
    return tuple(decoded)


def parse_method_call(
    body: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
    max_depth: int = MAX_DEPTH,
) -> MethodCall:
    """Read a `<methodCall>`; MalformedXmlRpc carries the fault code to answer with."""
    root = _parse_xml(body, max_bytes=max_bytes, max_elements=max_elements, max_depth=max_depth)
    if root.tag != "methodCall":
        raise MalformedXmlRpc(INVALID_REQUEST, "the message is not a <methodCall>")
    parts = _children(root, INVALID_REQUEST)
    tags = [part.tag for part in parts]
    if tags not in (["methodName"], ["methodName", "params"]):
        raise MalformedXmlRpc(
            INVALID_REQUEST, "a <methodCall> holds one <methodName>, then at most one <params>"
        )
    name = (parts[0].text or "").strip() if len(parts[0]) == 0 else ""
    if not _METHOD_NAME.fullmatch(name):
        raise MalformedXmlRpc(INVALID_REQUEST, "the <methodName> is missing or not allowed")
    params = _decode_params(parts[1]) if len(parts) == 2 else ()
    return MethodCall(name=name, params=params)


def _fault_of(fault: ET.Element) -> XmlRpcFault:
    inner = _children(fault, INVALID_REQUEST)
    if len(inner) != 1:
        raise MalformedXmlRpc(INVALID_REQUEST, "a <fault> holds one <value>")
    struct = _decode_value(inner[0])
    if not isinstance(struct, Mapping):
        raise MalformedXmlRpc(INVALID_REQUEST, "a <fault> holds a <struct>")
    code, message = struct.get("faultCode"), struct.get("faultString", "")
    # Some servers send the code as a string; bool is an int but never a code.
    if isinstance(code, str) and _INT.fullmatch(code.strip()):
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool) or not isinstance(message, str):
        raise MalformedXmlRpc(INVALID_REQUEST, "a <fault> needs an int faultCode")
    return XmlRpcFault(code, message)


def parse_method_response(
    body: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
    max_depth: int = MAX_DEPTH,
) -> XmlRpcValue:
    """The value a server returned; XmlRpcFault for its fault, MalformedXmlRpc for junk."""
    root = _parse_xml(body, max_bytes=max_bytes, max_elements=max_elements, max_depth=max_depth)
    if root.tag != "methodResponse":
        raise MalformedXmlRpc(INVALID_REQUEST, "the response is not a <methodResponse>")
    parts = _children(root, INVALID_REQUEST)
    if len(parts) == 1 and parts[0].tag == "fault":
        raise _fault_of(parts[0])
    if len(parts) != 1 or parts[0].tag != "params":
        raise MalformedXmlRpc(INVALID_REQUEST, "a <methodResponse> holds <params> or <fault>")
    values = _decode_params(parts[0])
    # XRS: "The body of the response ... can contain only one parameter."
    if len(values) != 1:
        raise MalformedXmlRpc(INVALID_REQUEST, "a <methodResponse> returns exactly one value")
    return values[0]


# --- writing -------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = _NOT_XML_CHAR.sub("\ufffd", text)
    # "\r" is escaped so that XML's line-end normalisation does not eat it on the way back.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _encode(value: XmlRpcValue, out: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise XmlRpcValueError("the value is nested too deeply (or contains itself)")
    out.append("<value>")
    if value is None:
        out.append("<nil/>")
    elif isinstance(value, bool):
        out.append(f"<boolean>{int(value)}</boolean>")
    elif isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise XmlRpcValueError(f"{value} does not fit XML-RPC's 32-bit <int>")
        out.append(f"<int>{value}</int>")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise XmlRpcValueError("XML-RPC has no infinities or NaN")
        out.append(f"<double>{value!r}</double>")
    elif isinstance(value, str):
        out.append(f"<string>{_escape(value)}</string>")
    elif isinstance(value, bytes | bytearray | memoryview):
        out.append(f"<base64>{base64.b64encode(value).decode('ascii')}</base64>")
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        out.append(f"<dateTime.iso8601>{value:%Y%m%dT%H:%M:%S}</dateTime.iso8601>")
    elif isinstance(value, Mapping):
        out.append("<struct>")
        for key, member in value.items():
            if not isinstance(key, str):
                raise XmlRpcValueError("struct member names must be strings")
            out.append(f"<member><name>{_escape(key)}</name>")
            _encode(member, out, depth + 1)
            out.append("</member>")
        out.append("</struct>")
    elif isinstance(value, Sequence):
        out.append("<array><data>")
        for item in value:
            _encode(item, out, depth + 1)
        out.append("</data></array>")
    else:
        raise XmlRpcValueError(f"XML-RPC cannot carry a {type(value).__name__}")
    out.append("</value>")


def _document(parts: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + "".join(parts) + "\n").encode("utf-8")


def success_response(value: XmlRpcValue) -> bytes:
    """A `<methodResponse>` returning one value."""
    out = ["<methodResponse><params><param>"]
    _encode(value, out)
    out.append("</param></params></methodResponse>")
    return _document(out)


def fault_response(code: int, message: str) -> bytes:
    """A `<methodResponse>` holding a fault (XRS: a struct of faultCode and faultString)."""
    out = ["<methodResponse><fault>"]
    _encode({"faultCode": code, "faultString": message}, out)
    out.append("</fault></methodResponse>")
    return _document(out)


def method_call(name: str, params: Sequence[XmlRpcValue] = ()) -> bytes:
    """A `<methodCall>` for our sender side (pingback.ping)."""
    if not _METHOD_NAME.fullmatch(name):
        raise XmlRpcValueError(f"{name!r} is not an XML-RPC method name")
    out = [f"<methodCall><methodName>{name}</methodName><params>"]
    for param in params:
        out.append("<param>")
        _encode(param, out)
        out.append("</param>")
    out.append("</params></methodCall>")
    return _document(out)
