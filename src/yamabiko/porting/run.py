"""One import run's books: where its records come from, what each became, and its report.

Shared by the importers of each kind (`importer.py`, `import_discussion.py`), so that the
rules for "seen before", "unchanged" and "deleted here since" are written once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from django.db import models
from django.utils import timezone

from yamabiko.porting.models import ImportedItem
from yamabiko.porting.records import ImportedPost, ParseError
from yamabiko.porting.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport

# ImportedItem.key's length. A longer key (an MT entry without a basename is keyed by its
# title; WXR ids and slugs are whatever the file says) keeps its start and a digest of the
# whole, which is as stable from run to run as the key itself.
KEY_MAX_LENGTH = 400


def stored_key(key: str) -> str:
    if len(key) <= KEY_MAX_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX_LENGTH - len(digest) - 1]}#{digest}"


def fingerprint(record: object) -> str:
    """A digest of what a record says, its line number aside (files grow above it)."""
    if isinstance(record, ImportedPost):
        record = replace(record, line=0)
    return hashlib.sha256(repr(record).encode()).hexdigest()


class ImportRun:
    def __init__(self, *, source_format: str, report: ImportReport, zone: tzinfo) -> None:
        self.source_format = source_format
        self.report = report
        self.zone = zone
        self.site_fields: dict[str, str] = {}
        self._source = ""

    @property
    def source(self) -> str:
        """What keys are unique within: the WordPress site the file came from, or "mt"."""
        if not self._source:
            if self.source_format == "wxr":
                fields = self.site_fields
                site = fields.get("wp:base_blog_url") or fields.get("wp:base_site_url")
                self._source = f"wxr:{(site or fields.get('link', '')).rstrip('/')}"
            else:
                self._source = self.source_format
        return self._source

    def known(self, kind: str, key: str) -> ImportedItem | None:
        return ImportedItem.objects.filter(
            source=self.source, kind=kind, key=stored_key(key)
        ).first()

    def lookup[M: models.Model](
        self, model: type[M], kind: str, key: str, digest: str
    ) -> tuple[ImportedItem | None, M | None, str | None]:
        """(the import record, the object it made, an outcome already decided or None).

        The outcome is SKIPPED when the object was deleted here since it was imported (it
        stays deleted) and UNCHANGED when the record is the same as last time.
        """
        return self.resolve(model, self.known(kind, key), digest)

    def resolve[M: models.Model](
        self, model: type[M], item: ImportedItem | None, digest: str
    ) -> tuple[ImportedItem | None, M | None, str | None]:
        """``lookup`` for an import record already fetched (or None)."""
        if item is None:
            return None, None, None
        existing = model._default_manager.filter(pk=item.object_id).first()
        if existing is None:
            return item, None, SKIPPED
        if item.fingerprint == digest:
            return item, existing, UNCHANGED
        return item, existing, None

    def remember(
        self,
        item: ImportedItem | None,
        *,
        kind: str,
        key: str,
        obj: models.Model,
        digest: str,
        extra: dict[str, object] | None = None,
    ) -> str:
        """Record what ``key`` became; returns the outcome, CREATED or UPDATED."""
        outcome = UPDATED if item is not None else CREATED
        if item is None:
            item = ImportedItem(source=self.source, kind=kind, key=stored_key(key))
        item.object_id = obj.pk
        item.fingerprint = digest
        item.extra = extra or {}
        item.save()
        return outcome

    def remember_all(self, kind: str, made: Sequence[tuple[str, str, models.Model]]) -> None:
        """Record many new objects at once: (key, digest, object) each."""
        ImportedItem.objects.bulk_create(
            ImportedItem(source=self.source, kind=kind, key=stored_key(key), object_id=obj.pk,
                         fingerprint=digest)
            for key, digest, obj in made
        )  # fmt: skip
        self.report.count(kind, CREATED, len(made))

    def aware(self, value: datetime | None, is_utc: bool) -> datetime | None:
        """A record's date as an aware datetime; local times are in the blog's zone."""
        if value is None:
            return None
        if is_utc or value.tzinfo is not None:
            return value.astimezone(UTC)
        return timezone.make_aware(value, self.zone)

    def fail(self, line: int | None, expected: str, found: str) -> ParseError:
        return ParseError(file=self.report.file, line=line, expected=expected, found=found)
