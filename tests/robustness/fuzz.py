"""Hypothesis settings and input strategies shared by the robustness suite.

Every run draws the same examples (``derandomize``) so CI time stays bounded and a failure
reproduces; nothing is saved between runs (``database=None``), so the suite leaves no
``.hypothesis`` folder behind.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    # The db and client fixtures are shared by all examples of a test on purpose: each
    # example compares the rows before and after its own request.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that make markup, form and URL parsers branch: brackets, quotes, entities,
# escapes, separators, controls (NUL, CR, LF), bidi overrides, a BOM, surrogates' neighbours
# and CJK. Mixed with arbitrary text so ordinary code points are drawn too; no lone
# surrogates, which no request, import or feed can deliver (they are not UTF-8).
SHARP = list("<>/&;#\"'=:?%+@[]{}()\\`!-|*_~\t\r\n\x00\x0b\x7f \u202e\ufeff\ufffd山川「」“”")
XML_TOKENS = [
    "<",
    ">",
    "</",
    "/>",
    "<?xml version='1.0'?>",
    "<!DOCTYPE x [<!ENTITY e 'x'>]>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&e;",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "methodCall",
    "methodName",
    "params",
    "param",
    "value",
    "string",
    "int",
    "i4",
    "boolean",
    "double",
    "base64",
    "dateTime.iso8601",
    "struct",
    "member",
    "name",
    "array",
    "data",
    "nil",
    "pingback.ping",
    "system.multicall",
    "http://testserver/",
]

sharp_text = st.text(alphabet=st.sampled_from(SHARP) | st.characters(codec="utf-8"), max_size=200)
xmlish_text = st.lists(st.sampled_from(XML_TOKENS) | sharp_text, max_size=40).map("".join)
# Longer than most fields allow, without asking Hypothesis to build megabytes character by
# character.
huge_text = st.tuples(
    st.sampled_from(["x", "山", "<a>", "%00", "\x00"]), st.integers(1, 20_000)
).map(lambda part: part[0] * part[1])
any_text = sharp_text | st.text(max_size=300) | huge_text


@st.composite
def mutated(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` after a few random edits: cut, insert, overwrite, duplicate or truncate."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        end = draw(st.integers(at, min(len(data), at + 40)))
        edit = draw(st.sampled_from(["cut", "insert", "overwrite", "duplicate", "truncate"]))
        if edit == "cut":
            del data[at:end]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20) | xmlish_text.map(str.encode))
        elif edit == "overwrite":
            data[at:end] = draw(st.binary(max_size=20))
        elif edit == "duplicate":
            data[at:at] = data[at:end]
        else:
            del data[at:]
    return bytes(data)
