"""Import a file of a given format, with progress by bytes read; the CLI's one entry point."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q

from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting.importer import (
    MT_OLD_URLS,
    ImportOptions,
    import_records,
    without_outward_pings,
)
from yamabiko.porting.media import MediaResult, fetch_media, rewrite_links
from yamabiko.porting.mt import parse_mt
from yamabiko.porting.report import CREATED, SKIPPED, UNCHANGED, ImportReport
from yamabiko.porting.wxr import parse_wxr
from yamabiko.posts.models import Page, Post, TextFormat

FORMATS = ("wxr", "mt")


class _CountingReader:
    """A binary file that reports how many bytes have been read, for a progress bar."""

    def __init__(self, file: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
        self.file = file
        self.name = file.name
        self.on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        if self.on_bytes is not None:
            self.on_bytes(len(chunk))
        return chunk


@contextmanager
def _opened(path: Path, on_bytes: Callable[[int], None] | None) -> Iterator[BinaryIO]:
    try:
        file = path.open("rb")
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from error
    with file:
        yield _CountingReader(file, on_bytes)  # type: ignore[misc]


def import_file(
    source_format: str,
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    dry_run: bool = False,
    author: str | None = None,
    old_url_patterns: Sequence[str] = MT_OLD_URLS,
    on_bytes: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a WXR or Movable Type file; ParseError or InvalidInput leave nothing behind."""
    if source_format not in FORMATS:
        raise InvalidInput(f"unknown import format {source_format!r}: choose wxr or mt")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError as error:
            raise InvalidInput(f"unknown encoding {encoding!r}") from error
    path = Path(path)
    owner = None
    if author is not None:
        owner = User.objects.filter(username=author).first()
        if owner is None:
            raise InvalidInput(f"no user is called {author!r}")
    options = ImportOptions(
        source_format=source_format,
        file_name=str(path),
        dry_run=dry_run,
        author=owner,
        old_url_patterns=old_url_patterns,
    )
    with _opened(path, on_bytes) as file:
        if source_format == "wxr":
            records = parse_wxr(file, name=str(path))
            return import_records(records, options)
        return import_records(parse_mt(file, encoding=encoding, name=str(path)), options)


def media_fetch_and_rewrite(report: ImportReport) -> MediaResult:
    """Download the media the import listed and point imported posts and pages at the copies.

    Runs after the import has committed: downloads take minutes and must not hold the
    database's write lock. A second run finds the files on disk and changes nothing.
    """
    site = settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else f"/{settings.MEDIA_URL}"
    result = fetch_media(report.media, media_root=Path(settings.MEDIA_ROOT), media_url=site)
    for url, reason in result.failed.items():
        report.warn(None, f"media {url}: {reason}")
    report.count("media", SKIPPED, len(result.failed))
    report.count("media", UNCHANGED, len(result.reused))
    report.count("media", CREATED, len(result.saved) - len(result.reused))
    if result.saved:
        _links_rewrite(result.saved, site_urls=[report.site_url] if report.site_url else [])
    return result


def _links_rewrite(mapping: dict[str, str], *, site_urls: list[str]) -> None:
    imported = ~Q(text_format=TextFormat.MARKDOWN)
    for post in Post.objects.filter(imported).iterator(chunk_size=500):
        body = rewrite_links(post.body, mapping, site_urls=site_urls)
        extended = rewrite_links(post.extended, mapping, site_urls=site_urls)
        if (body, extended) != (post.body, post.extended):
            post.body, post.extended = body, extended
            without_outward_pings(post)
            post.save(update_fields=["body", "extended", "body_html", "extended_html"])
    for page in Page.objects.filter(imported).iterator(chunk_size=500):
        body = rewrite_links(page.body, mapping, site_urls=site_urls)
        if body != page.body:
            page.body = body
            page.save(update_fields=["body", "body_html"])
