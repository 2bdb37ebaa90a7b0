"""Folding and tokenizing: the one place that decides what counts as "the same word".

The index and the query language both go through these functions, so a document and a
query are cut into exactly the same tokens on every database. Pure: str in, str out.

- Folding: NFKC (full-width ＡＢＣ and half-width ｶﾀｶﾅ become ABC and カタカナ), case
  folding, and Latin diacritics removed (café = cafe, Ångström = angstrom). Marks on other
  scripts are kept: が is not か and й is not и.
- Words: runs of letters, digits and combining marks, like most engines' default tokenizer.
- Unspaced scripts (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar): a run becomes its
  overlapping character bigrams followed by its last character, so 北朝鮮 is indexed as
  北朝 朝鮮 鮮. A query for 北朝鮮 is the phrase "北朝 朝鮮", and 2-character words such as
  日米 are one token. Korean is spaced, but particles attach to words (된장찌개를), so Hangul
  is cut the same way and 된장 finds 된장찌개를.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MARK_CLASS",
    "MAX_TOKEN_LENGTH",
    "UNSPACED_CLASS",
    "Unit",
    "fold",
    "index_text",
    "index_tokens",
    "run_tokens",
    "units",
]

# Longer runs (base64 blobs, hashes) are cut: PostgreSQL refuses lexemes over 2 KB, and
# nobody searches for the 65th character of a word.
MAX_TOKEN_LENGTH = 64

# The scripts written without spaces, as the body of a character class.
UNSPACED_CLASS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul jamo
    "\u1780-\u17ff"  # Khmer
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana without ゠ and the middle dot ・
    "\u3130-\u318f"  # Hangul compatibility jamo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul jamo extended A
    "\uac00-\ud7af"  # Hangul syllables
    "\ud7b0-\ud7ff"  # Hangul jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B to G
)


def _mark_ranges() -> str:
    """A character class body of every combining mark in the BMP (re has no \\p{M})."""
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x10000):
        if not unicodedata.category(chr(code)).startswith("M"):
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
        previous = code
    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return "".join(ranges)


# Every combining mark, as the body of a regular expression character class.
MARK_CLASS = _mark_ranges()
# A word is letters and digits (\w without "_" and without the unspaced scripts) with
# any marks that follow them; Devanagari vowel signs, for one, are marks. The loop is
# unrolled (letters, then marks-and-letters) because an alternation per character is
# several times slower in re.
_TOKEN = re.compile(
    rf"(?P<unspaced>[{UNSPACED_CLASS}][{UNSPACED_CLASS}{MARK_CLASS}]*)"
    rf"|(?P<word>[^\W_{UNSPACED_CLASS}]+(?:[{MARK_CLASS}]+[^\W_{UNSPACED_CLASS}]*)*)"
)
# Text without these has no Latin accent to remove (most CJK text): skip the NFD round trip.
_MAY_BE_ACCENTED = re.compile(
    "[\u00c0-\u024f\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u1e00-\u1eff"
    "\u20d0-\u20ff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\ufe20-\ufe2f]"
)
_LATIN_BASE = "A-Za-z\u00c0-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f"
_LATIN_MARKS = re.compile(
    rf"(?<=[{_LATIN_BASE}])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# Letters that do not decompose but that readers type without their stroke. (A regex,
# not str.translate: translate looks every character of the text up in a dict.)
_LATIN_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
_LATIN_LETTER = re.compile("[" + "".join(_LATIN_LETTERS) + "]")


@lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii() or not _MAY_BE_ACCENTED.search(folded):
        return folded
    decomposed = unicodedata.normalize("NFD", folded)
    stripped = _LATIN_MARKS.sub("", decomposed)
    stripped = _LATIN_LETTER.sub(lambda match: _LATIN_LETTERS[match[0]], stripped)
    return unicodedata.normalize("NFC", stripped)


def fold(text: str) -> str:
    """``text`` in the form both sides of a search compare: width, case and accents folded."""
    return _fold_short(text) if len(text) <= 32 else _fold(text)


@dataclass(frozen=True, slots=True)
class Unit:
    """A word, or a run of an unspaced script, as it appears in folded text."""

    text: str
    unspaced: bool
    start: int
    end: int


def units(folded: str) -> list[Unit]:
    """The words and unspaced runs of already folded text, with their offsets."""
    return [
        Unit(match[0], match.lastgroup == "unspaced", match.start(), match.end())
        for match in _TOKEN.finditer(folded)
    ]


def run_tokens(run: str, *, closed: bool) -> list[str]:
    """Bigrams of an unspaced run, then its last character when the run is ``closed``.

    The index closes every run; a query leaves its last run open so 北朝鮮 also finds
    北朝鮮の (whose run goes on past 鮮).
    """
    if len(run) == 1:
        return [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*bigrams, run[-1]] if closed else bigrams


def index_tokens(text: str) -> list[str]:
    """The tokens of ``text`` as stored in the index, in order (positions matter)."""
    tokens: list[str] = []
    # findall's tuples, not units(): indexing a long post makes thousands of them.
    for unspaced, word in _TOKEN.findall(fold(text)):
        if unspaced:
            tokens.extend(run_tokens(unspaced, closed=True))
        else:
            tokens.append(word[:MAX_TOKEN_LENGTH])
    return tokens


def index_text(text: str) -> str:
    """``text`` as the index stores it: its tokens separated by single spaces."""
    return " ".join(index_tokens(text))
