"""Highlighted snippets, built from the original text by the same folding as the index.

One builder serves both backends (FTS5's snippet() and PostgreSQL's ts_headline would see
only the index's folded tokens). Matches are found in the folded text, mapped back to the
original characters, and wrapped in <mark>; everything else is escaped. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from yamabiko.search.query import Highlight, Term
from yamabiko.search.text import MARK_CLASS, UNSPACED_CLASS, fold

__all__ = ["highlight", "snippet"]

SNIPPET_LENGTH = 160
# How much text before the first match a snippet shows, so the match has context.
LEAD = 40
# Matches beyond this many characters are not looked for (cost stays bounded).
SCAN_LENGTH = 20_000
# How far the estimated first match may be off before its window misses it.
SLACK = 80

# An ASCII run folds to its lower case character by character, and runs of kanji, kana
# and Hangul syllables fold to themselves; anything else is folded one base character
# with its marks at a time, since folding may change its length. (A run followed by a
# mark gives up its last character, which the mark may combine with.)
_SAME = "\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
_PIECE = re.compile(
    rf"(?P<ascii>[\x00-\x7f]+)(?![{MARK_CLASS}])"
    rf"|(?P<same>[{_SAME}]+)(?![{MARK_CLASS}])"
    rf"|[\s\S][{MARK_CLASS}]*"
)

type Span = tuple[int, int]


def folded_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``fold(text)`` piece by piece, with each folded character's source start and end."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _PIECE.finditer(text):
        piece = match[0]
        if match.lastgroup:
            pieces.append(piece.lower() if match.lastgroup == "ascii" else piece)
            starts.extend(range(match.start(), match.end()))
            ends.extend(range(match.start() + 1, match.end() + 1))
            continue
        folded = fold(piece)
        pieces.append(folded)
        starts.extend([match.start()] * len(folded))
        ends.extend([match.end()] * len(folded))
    return "".join(pieces), starts, ends


@lru_cache(maxsize=256)
def _compiled(
    words: frozenset[str], prefixes: frozenset[str], runs: frozenset[str]
) -> re.Pattern[str]:
    # Words match whole words of folded text, as the tokenizer cuts them: not next to
    # another letter or digit of a spaced script, nor to a combining mark.
    letter = rf"[^\W_{UNSPACED_CLASS}]"
    before = rf"(?<!{letter})(?<![{MARK_CLASS}])"
    after = rf"(?!{letter})(?![{MARK_CLASS}])"
    longest_first = sorted(words, key=len, reverse=True)
    choices = (
        [before + "(?:" + "|".join(map(re.escape, longest_first)) + ")" + after] if words else []
    )
    if prefixes:
        starts = "|".join(map(re.escape, sorted(prefixes, key=len, reverse=True)))
        choices.append(rf"{before}(?:{starts})(?:{letter}|[{MARK_CLASS}])*")
    if runs:
        choices.append("|".join(map(re.escape, sorted(runs, key=len, reverse=True))))
    return re.compile("|".join(choices))


def _pattern(terms: Iterable[Term]) -> re.Pattern[str] | None:
    highlights: list[Highlight] = [mark for term in terms for mark in term.highlights]
    if not highlights:
        return None
    return _compiled(
        frozenset(mark.text for mark in highlights if not mark.unspaced and not mark.prefix),
        frozenset(mark.text for mark in highlights if not mark.unspaced and mark.prefix),
        frozenset(mark.text for mark in highlights if mark.unspaced),
    )


def _merged(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def match_spans(text: str, terms: Sequence[Term]) -> list[Span]:
    """Where ``terms`` match in ``text``, as sorted, merged spans of the original text."""
    pattern = _pattern(terms)
    if pattern is None:
        return []
    folded, starts, ends = folded_with_offsets(text)
    return _merged(
        (starts[match.start()], ends[match.end() - 1])
        for match in pattern.finditer(folded)
        if match.end() > match.start()
    )


def _marked(text: str, spans: Sequence[Span], start: int, end: int) -> str:
    out: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_end <= span_start:
            continue
        out.append(escape(text[position:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(escape(text[position:end]))
    return "".join(out)


def highlight(text: str, terms: Sequence[Term]) -> SafeString:
    """All of ``text``, escaped, with every match marked (for titles)."""
    return mark_safe(_marked(text, match_spans(text, terms), 0, len(text)))  # noqa: S308 - escaped above


def _word_start(text: str, position: int) -> int:
    """Back to the start of a word cut at ``position``, in spaced text; CJK is cut anywhere."""
    space = text.rfind(" ", max(0, position - 15), position)
    return space + 1 if space >= 0 else position


def _first_match(text: str, terms: Sequence[Term]) -> int | None:
    """Roughly where the first match is, found in one pass over the folded text.

    Folding keeps almost every character one character long, so the folded offset is a
    close estimate; ``snippet`` then maps exactly within a window around it.
    """
    pattern = _pattern(terms)
    if pattern is None:
        return None
    folded = fold(text)
    match = pattern.search(folded)
    if match is None:
        return None
    return match.start() * len(text) // max(len(folded), 1)


def snippet(text: str, terms: Sequence[Term], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around its first match, matches marked.

    Without a match (the title matched, or a category) it is the start of the text.
    """
    text = " ".join(text[:SCAN_LENGTH].split())
    estimate = _first_match(text, terms)
    low = 0 if estimate is None else max(0, estimate - LEAD - SLACK)
    high = min(len(text), low + length + 2 * (LEAD + SLACK))
    spans = [(start + low, end + low) for start, end in match_spans(text[low:high], terms)]
    start = max(low, spans[0][0] - LEAD) if spans else 0
    if start:
        start = _word_start(text, start)
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start + length * 3 // 4, end)
        end = space if space > 0 else end
    html = _marked(text, spans, start, end)
    if start > 0:
        html = "…" + html
    if end < len(text):
        html += "…"
    return mark_safe(html)  # noqa: S308 - every piece of text went through escape()
