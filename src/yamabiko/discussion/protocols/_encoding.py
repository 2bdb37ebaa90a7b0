"""Charset labels and the decoding of fetched or posted bytes.

Labels follow the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/, "Names and
labels"), which is what browsers, and so the pages we read, actually mean: "iso-8859-1" and
"us-ascii" decode as windows-1252, "Shift_JIS" as Microsoft's superset (cp932), "EUC-KR" as
windows-949. Only the labels below are known; anything else is refused rather than guessed,
and Python codec names that are not text encodings ("rot13", "zlib", "hex") can never be
reached. UTF-7 is refused wherever it is named (PROTOCOLS.md §1.4: WordPress dies on it; it
lets "+ADw-script+AD4-" through byte filters).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["Encoding", "content_type_parts", "decode_document", "is_utf7", "lookup"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Encoding:
    name: str
    codec: str

    def decode(self, data: bytes, errors: str = "strict") -> str:
        if self.codec == "windows-1252":
            return _decode_windows_1252(data, errors)
        return data.decode(self.codec, errors)


_LABELS: dict[str, Encoding] = {}


def _add(name: str, codec: str, *labels: str) -> None:
    encoding = Encoding(name=name, codec=codec)
    for label in (name.lower(), *labels):
        _LABELS[label] = encoding


_add("UTF-8", "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8")
_add(
    "windows-1252",
    "windows-1252",
    "cp1252",
    "x-cp1252",
    "ansi_x3.4-1968",
    "ascii",
    "us-ascii",
    "cp819",
    "csisolatin1",
    "ibm819",
    "iso-8859-1",
    "iso-ir-100",
    "iso8859-1",
    "iso88591",
    "iso_8859-1",
    "iso_8859-1:1987",
    "l1",
    "latin1",
)
_add(
    "Shift_JIS",
    "cp932",
    "csshiftjis",
    "ms932",
    "ms_kanji",
    "shift-jis",
    "sjis",
    "windows-31j",
    "x-sjis",
)
_add("EUC-JP", "euc_jp", "cseucpkdfmtjapanese", "x-euc-jp")
_add("ISO-2022-JP", "iso2022_jp", "csiso2022jp")
_add(
    "EUC-KR",
    "cp949",
    "cseuckr",
    "csksc56011987",
    "iso-ir-149",
    "korean",
    "ks_c_5601-1987",
    "ks_c_5601-1989",
    "ksc5601",
    "ksc_5601",
    "windows-949",
)
_add("Big5", "big5hkscs", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5")
_add(
    "GBK",
    "gbk",
    "chinese",
    "csgb2312",
    "csiso58gb231280",
    "gb2312",
    "gb_2312",
    "gb_2312-80",
    "iso-ir-58",
    "x-gbk",
)
_add("gb18030", "gb18030")
_add("KOI8-R", "koi8_r", "cskoi8r", "koi", "koi8", "koi8_r")
_add("KOI8-U", "koi8_u", "koi8-ru")
_add("IBM866", "cp866", "866", "cp866", "csibm866")
_add("macintosh", "mac_roman", "csmacintosh", "mac", "x-mac-roman")
_add("windows-874", "cp874", "dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620")
_add("UTF-16LE", "utf-16-le", "utf-16", "unicode", "unicodefeff", "ucs-2", "csunicode")
_add("UTF-16BE", "utf-16-be", "unicodefffe")
_LATIN_LABELS = {
    2: ("latin2", "l2", "csisolatin2"),
    3: ("latin3", "l3", "csisolatin3"),
    4: ("latin4", "l4", "csisolatin4"),
    5: ("cyrillic", "csisolatincyrillic"),
    6: ("arabic", "csisolatinarabic"),
    7: ("greek", "greek8", "csisolatingreek"),
    8: ("hebrew", "visual", "csisolatinhebrew"),
    10: ("latin6", "l6", "csisolatin6"),
    13: (),
    14: (),
    15: ("latin9", "l9", "csisolatin9"),
    16: (),
}
for _number, _extra in _LATIN_LABELS.items():
    _add(
        f"ISO-8859-{_number}",
        f"iso8859_{_number}",
        f"iso8859-{_number}",
        f"iso_8859-{_number}",
        f"iso8859{_number}",
        *_extra,
    )
_add("ISO-8859-8-I", "iso8859_8", "csiso88598i", "logical")
for _number in (1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258):
    _add(f"windows-{_number}", f"cp{_number}", f"cp{_number}", f"x-cp{_number}")
# WHATWG: ISO-8859-9 labels mean windows-1254.
_add("windows-1254", "cp1254", "iso-8859-9", "iso8859-9", "iso_8859-9", "latin5", "l5")

# WHATWG windows-1252 maps the five bytes cp1252 leaves undefined to the C1 controls of the
# same value instead of failing.
_WINDOWS_1252 = {
    byte: chr(byte) if byte in {0x81, 0x8D, 0x8F, 0x90, 0x9D} else bytes([byte]).decode("cp1252")
    for byte in range(256)
}


def _decode_windows_1252(data: bytes, errors: str) -> str:
    del errors  # every byte has a meaning
    return data.decode("latin-1").translate(_WINDOWS_1252)


def _normalise(label: str) -> str:
    return label.strip().strip("\"'").strip().lower()


def is_utf7(label: str) -> bool:
    return "utf7" in re.sub(r"[\s_-]", "", _normalise(label))


def lookup(label: str) -> Encoding | None:
    """The encoding a label names, or None for an unknown label or UTF-7."""
    if is_utf7(label):
        return None
    return _LABELS.get(_normalise(label))


_TOKEN_PARAM = re.compile(
    r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)', re.DOTALL
)


def content_type_parts(value: str | None) -> tuple[str, dict[str, str]]:
    """The lower-cased media type and the parameters of a Content-Type value (RFC 9110 §8.3)."""
    if not value:
        return "", {}
    media_type, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for name, raw in _TOKEN_PARAM.findall(";" + rest):
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.setdefault(name.lower(), raw)
    return media_type.strip().lower(), params


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]+)", re.IGNORECASE
)
_UTF8 = Encoding(name="UTF-8", codec="utf-8")
_FALLBACK = Encoding(name="windows-1252", codec="windows-1252")


def _declared(body: bytes, charset: str | None, *, html: bool) -> Encoding | None:
    for bom, label in _BOMS:
        if body.startswith(bom):
            return lookup(label)
    if charset and (encoding := lookup(charset)) is not None:
        return encoding
    if html:
        # A simplified form of the HTML "prescan a byte stream" for <meta charset> and
        # <meta http-equiv content="...; charset=">, over the first 1024 bytes as HTML says.
        match = _META_CHARSET.search(body[:1024])
        if match and (encoding := lookup(match.group(1).decode("ascii"))) is not None:
            # HTML: a meta that names UTF-16 means UTF-8, since the bytes just read were ASCII.
            return _UTF8 if encoding.name.startswith("UTF-16") else encoding
    return None


def decode_document(body: bytes, *, charset: str | None, html: bool) -> str:
    """Best-effort text of a fetched document: BOM, then the HTTP charset, then (for HTML) a
    <meta> charset, then strict UTF-8, then windows-1252. Bad bytes become U+FFFD."""
    encoding = _declared(body, charset, html=html)
    if encoding is not None:
        text = encoding.decode(body, "replace")
        return text.removeprefix("\ufeff")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return _FALLBACK.decode(body)
