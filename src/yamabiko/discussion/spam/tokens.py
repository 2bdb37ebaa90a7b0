"""Text to classifier tokens, for English and for languages written without spaces.

Text is NFKC-normalised and casefolded first, so "ＣＡＳＩＮＯ" and "Casino" are one token and
half-width katakana joins its full-width form. Then:

- a written-out URL becomes "host:<host>" plus the words of its host; its path is dropped,
  because spammers vary paths and keep hosts;
- a run of letters and digits outside CJK becomes one word, kept at 2..30 characters and
  dropped when it is only digits;
- a run of CJK ideographs, kana or hangul becomes its character bigrams (the character
  itself when the run is one long): Japanese and Chinese have no spaces to split on, and
  bigrams are the usual dictionary-free stand-in for words.

At most MAX_TOKENS tokens are read from one document, so a huge linkback excerpt costs no
more than a long comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from yamabiko.discussion.spam.links import iter_url_hosts
from yamabiko.discussion.spam.values import normalize_text

MAX_TOKENS = 1000
MIN_WORD_LENGTH = 2
MAX_WORD_LENGTH = 30
# SpamToken.token's max_length.
MAX_TOKEN_LENGTH = 64
HOST_PREFIX = "host:"

# Hangul jamo, CJK radicals, 々〆〇 and the numeral-like ideographs, hiragana, katakana
# (without the ・ separator), bopomofo, hangul compatibility jamo, katakana extensions, CJK
# extension A, unified ideographs, hangul jamo extensions, hangul syllables, compatibility
# ideographs, and the supplementary ideograph planes.
CJK_RANGES = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3041-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
CJK = re.compile(f"[{CJK_RANGES}]")
_PIECE = re.compile(
    rf"(?P<cjk>[{CJK_RANGES}]+)|(?P<word>[^\W_{CJK_RANGES}]+(?:'[^\W_{CJK_RANGES}]+)*)"
)


def tokenize(text: str) -> list[str]:
    """The classifier's tokens of `text`, in order, repeats kept, at most MAX_TOKENS."""
    return list(islice(_tokens(normalize_text(text).replace("\u2019", "'")), MAX_TOKENS))


def _tokens(text: str) -> Iterator[str]:
    position = 0
    for start, end, host in iter_url_hosts(text):
        yield from _words(text[position:start])
        if host:
            yield f"{HOST_PREFIX}{host}"[:MAX_TOKEN_LENGTH]
            yield from _words(host.replace(".", " "))
        position = end
    yield from _words(text[position:])


def _words(text: str) -> Iterator[str]:
    for match in _PIECE.finditer(text):
        if run := match.group("cjk"):
            if len(run) == 1:
                yield run
            else:
                yield from (run[index : index + 2] for index in range(len(run) - 1))
        else:
            word = match.group("word")
            if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit():
                yield word
