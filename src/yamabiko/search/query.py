"""The search box's query language, parsed into a value both backends translate. Pure.

    words            every word must match (in the title, the body, or a category or tag name)
    "exact phrase"   the words next to each other; “…” and 「…」 work as quotes too
    -word -"phrase"  leave out entries that match
    a OR b           either (OR in capitals, or |); binds tighter than the implicit AND
    category:slug    in that category or one of its subcategories (slug or name)
    tag:slug         tagged so (slug or name)
    before:2025-03-01, after:2025-03   published before that day / on or after it
                     (YYYY, YYYY-MM or YYYY-MM-DD, in the blog's time zone)

Nothing the user types reaches a database as syntax: words become tokens (letters and
digits only, see ``text``), which the backends quote. Anything the parser does not
understand is read as words or dropped, never an error; queries are capped at
``MAX_QUERY_LENGTH`` characters and ``MAX_TERMS`` terms, with a notice saying so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from yamabiko.search.text import MAX_TOKEN_LENGTH, fold, run_tokens, units

__all__ = ["MAX_QUERY_LENGTH", "MAX_TERMS", "Filter", "Highlight", "Query", "Term", "parse"]

MAX_QUERY_LENGTH = 256
MAX_TERMS = 12
# Word prefixes shorter than this would merge the postings of too many words.
MIN_PREFIX_LENGTH = 3

FilterKey = Literal["category", "tag"]
FILTER_KEYS = ("category", "tag", "before", "after")
OR_WORDS = frozenset({"OR", "|"})
_QUOTES = str.maketrans(dict.fromkeys("“”„«»「」『』", '"'))
_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Highlight:
    """What to mark in a snippet: a whole word (or its start), or a run found anywhere."""

    text: str
    unspaced: bool
    prefix: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """A word or phrase: its tokens must appear next to each other, in order."""

    tokens: tuple[str, ...]
    # The last token also matches any longer token that starts with it.
    prefix: bool = False
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    key: FilterKey
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    # Every group must match; a group matches when any of its terms does.
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: tuple[Filter, ...] = ()
    before: date | None = None
    after: date | None = None
    notices: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)

    @property
    def has_criteria(self) -> bool:
        """True when there is anything to search for or filter by."""
        return bool(self.groups or self.filters or self.before or self.after)


@dataclass(slots=True)
class _Builder:
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    before: date | None = None
    after: date | None = None
    notices: list[str] = field(default_factory=list)
    count: int = 0
    join_next: bool = False
    dropped: bool = False

    def room(self) -> bool:
        if self.count >= MAX_TERMS:
            self.dropped = True
            return False
        self.count += 1
        return True

    def add_term(self, term: Term, *, negated: bool) -> None:
        if not self.room():
            return
        if negated:
            self.excluded.append(term)
        elif self.join_next and self.groups:
            self.groups[-1].append(term)
        else:
            self.groups.append([term])
        self.join_next = False

    def add_filter(self, key: str, value: str, *, negated: bool) -> None:
        self.join_next = False
        if key in ("before", "after"):
            day = date_parse(value)
            if day is None:
                self.notices.append(
                    f"{key}:{value} is not a date such as 2025-03-01, so it was left out."
                )
                return
            if not self.room():
                return
            # -before:X is after:X and the other way round.
            if (key == "before") != negated:
                self.before = day if self.before is None else min(self.before, day)
            else:
                self.after = day if self.after is None else max(self.after, day)
            return
        if self.room():
            category_or_tag: FilterKey = "category" if key == "category" else "tag"
            self.filters.append(Filter(key=category_or_tag, value=value, negated=negated))

    def build(self) -> Query:
        if self.dropped:
            self.notices.append(f"Only the first {MAX_TERMS} terms were used.")
        if self.excluded and not self.groups and not self.filters:
            self.notices.append("Add a word to search for: a search cannot only leave words out.")
        return Query(
            groups=tuple(tuple(group) for group in self.groups),
            excluded=tuple(self.excluded),
            filters=tuple(self.filters),
            before=self.before,
            after=self.after,
            notices=tuple(self.notices),
        )


def date_parse(value: str) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (also with / or .) as the first day it names."""
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def term_from_text(text: str, *, prefix: bool = False) -> Term | None:
    """The term for a word or a phrase as typed; None when nothing searchable is left.

    A run of an unspaced script inside a phrase keeps its closing single character so the
    phrase stays contiguous (see ``text.run_tokens``); the last run stays open. A final
    run of one character is matched as a prefix, since the index holds it only where a
    run ends.
    """
    found = units(fold(text))
    if not found:
        return None
    tokens: list[str] = []
    highlights: list[Highlight] = []
    for position, unit in enumerate(found):
        last = position == len(found) - 1
        if unit.unspaced:
            tokens.extend(run_tokens(unit.text, closed=not last))
        else:
            tokens.append(unit.text[:MAX_TOKEN_LENGTH])
        highlights.append(Highlight(unit.text, unit.unspaced))
    final = found[-1]
    is_prefix = (final.unspaced and len(final.text) == 1) or (
        prefix and not final.unspaced and len(final.text) >= MIN_PREFIX_LENGTH
    )
    if is_prefix:
        highlights[-1] = Highlight(final.text, final.unspaced, prefix=True)
    return Term(tokens=tuple(tokens), prefix=is_prefix, highlights=tuple(highlights))


def clean(raw: str) -> tuple[str, bool]:
    """Control characters (NUL included) become spaces; the text is cut to the cap."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in raw[: MAX_QUERY_LENGTH * 2])
    cut = len(raw) > MAX_QUERY_LENGTH
    cleaned = cleaned[:MAX_QUERY_LENGTH]
    return unicodedata.normalize("NFKC", cleaned).translate(_QUOTES), cut


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The text after the quote at ``start`` up to the closing one (or the end)."""
    end = text.find('"', start + 1)
    if end < 0:
        return text[start + 1 :], len(text)
    return text[start + 1 : end], end + 1


def _read_word(text: str, start: int) -> tuple[str, int]:
    position = start
    while position < len(text) and not text[position].isspace() and text[position] != '"':
        position += 1
    return text[start:position], position


def parse(raw: str, *, prefix_last: bool = False) -> Query:
    """Parse what a reader typed. Never raises; what cannot be used becomes a notice.

    ``prefix_last`` (search as you type) lets the last word match longer words, so the
    results follow the letters typed so far.
    """
    text, cut = clean(raw)
    builder = _Builder()
    if cut:
        builder.notices.append(f"The search was cut to its first {MAX_QUERY_LENGTH} characters.")
    items: list[tuple[str, str, bool]] = []  # (kind, text, negated)
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        negated = False
        while position < len(text) and text[position] == "-":
            negated = True
            position += 1
        if position >= len(text) or text[position].isspace():
            continue  # a lone "-"
        if text[position] == '"':
            phrase, position = _read_quoted(text, position)
            items.append(("phrase", phrase, negated))
            continue
        word, position = _read_word(text, position)
        key, colon, value = word.partition(":")
        if colon and key.lower() in FILTER_KEYS:
            if not value and position < len(text) and text[position] == '"':
                value, position = _read_quoted(text, position)
            if value.strip():
                items.append((key.lower(), value.strip(), negated))
                continue
        items.append(("or" if word in OR_WORDS and not negated else "word", word, negated))
    last_word = max(
        (index for index, item in enumerate(items) if item[0] == "word" and not item[2]),
        default=-1,
    )
    open_end = bool(raw) and not raw[-1].isspace() and not raw.endswith('"')
    for index, (kind, value, negated) in enumerate(items):
        if kind == "or":
            builder.join_next = bool(builder.groups)
        elif kind in FILTER_KEYS:
            builder.add_filter(kind, value, negated=negated)
        else:
            prefix = prefix_last and open_end and index == last_word == len(items) - 1
            term = term_from_text(value, prefix=prefix)
            if term is not None:
                builder.add_term(term, negated=negated)
    return builder.build()
