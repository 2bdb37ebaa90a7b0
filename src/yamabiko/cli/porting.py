"""`yamabiko import wxr|mt|json FILE` and `yamabiko export wxr|mt|json`: moving in and out."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from yamabiko.cli.base import blog_time, database_check, django_setup

if TYPE_CHECKING:
    from yamabiko.porting.report import ImportReport

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("import")
def import_() -> None:
    """Bring a blog in from WordPress (WXR), Movable Type-format hosts, or a Yamabiko export.

    Importing the same file again changes nothing; an updated export updates what changed.
    A malformed file stops the import with its line number and leaves the blog as it was.
    """


def _import_options[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    func = click.option(
        "--author", metavar="USERNAME", help="Give every post to this user instead of "
        "creating the file's authors.")(func)  # fmt: skip
    func = click.option(
        "--fetch-media", is_flag=True, help="Download the images and files the posts "
        "reference into the data dir and point the posts at the copies.")(func)  # fmt: skip
    return click.option(
        "--dry-run", is_flag=True, help="Show what would be created, updated and skipped, "
        "and change nothing.")(func)  # fmt: skip


@import_.command("wxr")
@click.argument("file", type=FILE)
@_import_options
def import_wxr(file: Path, dry_run: bool, fetch_media: bool, author: str | None) -> None:
    """Import a WordPress export (WXR): authors, categories, tags, posts, pages, comments,
    pingbacks and trackbacks; each post's old link redirects to its new permalink."""
    _run_import("wxr", file, dry_run=dry_run, fetch_media=fetch_media, author=author)


@import_.command("mt")
@click.argument("file", type=FILE)
@click.option("--encoding", help="The file's encoding (utf-8, shift_jis, euc-jp, cp1252…); "
              "detected when not given.")  # fmt: skip
@click.option("--old-url", "old_urls", multiple=True, metavar="PATTERN",
              help="Where the old host kept an entry, to redirect from; may repeat. Fields: "
              "{basename} {yyyy} {mm} {dd}. Default: archives/{basename}.html and "
              "{yyyy}/{mm}/{basename}.html.")  # fmt: skip
@_import_options
def import_mt(
    file: Path,
    encoding: str | None,
    old_urls: tuple[str, ...],
    dry_run: bool,
    fetch_media: bool,
    author: str | None,
) -> None:
    """Import a Movable Type export (also written by FC2, Seesaa, livedoor, Hatena and others):
    posts with their comments and trackbacks."""
    _run_import("mt", file, dry_run=dry_run, fetch_media=fetch_media, author=author,
                encoding=encoding, old_urls=old_urls)  # fmt: skip


@import_.command("json")
@click.argument("file", type=FILE)
def import_json(file: Path) -> None:
    """Restore a `yamabiko export json` file into an empty site, exactly as it was."""
    _prepare()
    from yamabiko.porting.native import import_native

    with blog_time():
        counts = import_native(file)
    rows = sum(counts.values())
    click.echo(f"Restored {rows} rows from {file} ({_listing(counts)}).")


@click.command("export")
@click.argument("format", type=click.Choice(["wxr", "mt", "json"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file instead of standard output.")  # fmt: skip
def export(format: str, output: Path | None) -> None:
    """Write the blog out: wxr (WordPress), mt (Movable Type) or json (everything, for
    `yamabiko import json`)."""
    _prepare()
    from yamabiko.porting.exporting import export_to

    with blog_time(), _output(output) as out:
        export_to(format, out)
    if output is not None:
        click.echo(f"Wrote {output}.", err=True)


@contextmanager
def _output(path: Path | None) -> Iterator[BinaryIO]:
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as file:
            yield file
        partial.replace(path)  # a failed export never leaves half a file under the name
    finally:
        partial.unlink(missing_ok=True)


def _prepare() -> None:
    # An import may be what creates a blog, so a fresh database is set up first.
    django_setup()
    database_check(migrate=True)


def _run_import(
    source_format: str,
    file: Path,
    *,
    dry_run: bool,
    fetch_media: bool,
    author: str | None,
    encoding: str | None = None,
    old_urls: tuple[str, ...] = (),
) -> None:
    _prepare()
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from yamabiko.porting.importer import MT_OLD_URLS
    from yamabiko.porting.services import import_file

    console = Console(stderr=True)
    with blog_time(), Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=console, transient=True,
        disable=not console.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"Importing {file.name}", total=file.stat().st_size)
        report = import_file(
            source_format,
            file,
            encoding=encoding,
            dry_run=dry_run,
            author=author,
            old_url_patterns=old_urls or MT_OLD_URLS,
            on_bytes=lambda size: bar.advance(task, size),
        )
    if fetch_media and not dry_run and report.media:
        from yamabiko.porting.services import media_fetch_and_rewrite

        media_fetch_and_rewrite(report)
    _summary(report)


def _summary(report: ImportReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"{report.file}{' (dry run: nothing was changed)' if report.dry_run else ''}"
    table = Table(title=title)
    for heading in ("kind", "created", "updated", "unchanged", "skipped"):
        table.add_column(heading, justify="left" if heading == "kind" else "right")
    for kind, *numbers in report.rows():
        table.add_row(kind, *(str(number) for number in numbers))
    console.print(table)
    for name, count in sorted(report.unknown_fields.items()):
        records = f"{count} record{'s' if count != 1 else ''}"
        line = f"Unknown field {name}: in {records} (kept with the imported item)"
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if report.media:
        heading = f"Media the posts reference ({len(report.media)}; --fetch-media copies them):"
        console.print(heading, highlight=False)
        for url in report.media:
            console.print(f"  {url}", highlight=False, markup=False, soft_wrap=True)
    for warning in report.warnings:
        console.print(f"Warning: {warning}", highlight=False, markup=False, soft_wrap=True)


def _listing(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {count}" for label, count in counts.items() if count)
