"""Charset labels and document decoding shared by the protocol modules (pure)."""

from __future__ import annotations

import codecs

import pytest

from yamabiko.discussion.protocols import _encoding
from yamabiko.discussion.protocols._encoding import content_type_parts, decode_document, lookup


def test_every_label_names_a_real_text_codec() -> None:
    for label, encoding in _encoding._LABELS.items():
        assert label == label.lower()
        if encoding.codec != "windows-1252":
            assert codecs.lookup(encoding.codec)._is_text_encoding


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("UTF-8", "UTF-8"),
        (" utf8 ", "UTF-8"),
        ('"Shift_JIS"', "Shift_JIS"),
        ("sjis", "Shift_JIS"),
        ("windows-31j", "Shift_JIS"),
        ("EUC-JP", "EUC-JP"),
        ("ISO-2022-JP", "ISO-2022-JP"),
        ("iso-8859-1", "windows-1252"),
        ("US-ASCII", "windows-1252"),
        ("latin1", "windows-1252"),
        ("iso-8859-9", "windows-1254"),
        ("gb2312", "GBK"),
        ("ks_c_5601-1987", "EUC-KR"),
        ("koi8-r", "KOI8-R"),
        ("ISO-8859-15", "ISO-8859-15"),
    ],
)
def test_whatwg_labels_are_known(label: str, name: str) -> None:
    encoding = lookup(label)

    assert encoding is not None
    assert encoding.name == name


@pytest.mark.parametrize("label", ["utf-7", "UTF7", "unicode-1-1-utf-7", "rot13", "zlib", "", "x"])
def test_utf7_and_unknown_labels_are_not(label: str) -> None:
    assert lookup(label) is None


def test_windows_1252_decodes_every_byte_like_a_browser() -> None:
    windows_1252 = lookup("windows-1252")
    assert windows_1252 is not None

    text = windows_1252.decode(bytes(range(256)))

    assert len(text) == 256
    assert text[0x80] == "€"
    assert text[0x81] == "\x81"
    assert text[0x93] == "“"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", {})),
        ("", ("", {})),
        ("Text/HTML", ("text/html", {})),
        ("text/html; charset=UTF-8", ("text/html", {"charset": "UTF-8"})),
        ('text/html;CHARSET="Shift_JIS" ; q=1', ("text/html", {"charset": "Shift_JIS", "q": "1"})),
        ('a/b; x="semi;colon \\"q\\""', ("a/b", {"x": 'semi;colon "q"'})),
    ],
)
def test_content_type_parts(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert content_type_parts(value) == expected


@pytest.mark.parametrize(
    ("body", "charset", "html", "expected"),
    [
        ("日本".encode("utf-8-sig"), "shift_jis", True, "日本"),
        ("日本".encode("utf-16"), None, False, "日本"),
        ("日本".encode("euc_jp"), "EUC-JP", False, "日本"),
        ('<meta charset="euc-jp">日本'.encode("euc_jp"), None, True, '<meta charset="euc-jp">日本'),
        ('<meta charset="euc-jp">日本'.encode("euc_jp"), None, False, None),
        ('<meta charset="utf-16">é'.encode(), None, True, '<meta charset="utf-16">é'),
        ("café".encode(), None, False, "café"),
        ("café".encode("latin-1"), None, False, "café"),
        ("café".encode("latin-1"), "utf-7", False, "café"),
        (b"bad \xff utf-8", "utf-8", False, "bad \ufffd utf-8"),
    ],
)
def test_decode_document(
    body: bytes, charset: str | None, html: bool, expected: str | None
) -> None:
    text = decode_document(body, charset=charset, html=html)

    if expected is None:
        assert "日本" not in text
    else:
        assert text == expected
