"""What an import did, kind by kind, and everything it noticed on the way."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, SKIPPED)

# The kinds in the order the summary table lists them.
KINDS = ("author", "category", "tag", "post", "page", "comment", "linkback", "redirect", "media")


@dataclass
class ImportReport:
    """Counts per kind and outcome, warnings with their line, unknown fields by name."""

    file: str
    dry_run: bool = False
    counts: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[str] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    media: list[str] = field(default_factory=list)
    site_url: str = ""  # the old site's address, against which relative media links resolve
    _media_seen: set[str] = field(default_factory=set, repr=False)

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        self.counts[kind][outcome] += number

    def warn(self, line: int | None, message: str) -> None:
        where = f"{self.file}:{line}" if line is not None else self.file
        self.warnings.append(f"{where}: {message}")

    def media_add(self, url: str) -> None:
        """List a media URL once, in the order first seen."""
        if url not in self._media_seen:
            self._media_seen.add(url)
            self.media.append(url)

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind, created, updated, unchanged, skipped) for every kind seen, in table order."""
        order = [kind for kind in KINDS if kind in self.counts]
        order += sorted(kind for kind in self.counts if kind not in KINDS)
        return [
            (kind, *(self.counts[kind][outcome] for outcome in OUTCOMES))  # type: ignore[misc]
            for kind in order
        ]
