"""`yamabiko search reindex`: rebuild the search index from the posts and pages."""

from __future__ import annotations

import time

import click

from yamabiko.cli.base import with_blog


@click.group("search")
def search() -> None:
    """Look after the search index (it follows every change by itself)."""


@search.command("reindex")
@with_blog
def search_reindex() -> None:
    """Re-read every post and page into the search index, with a progress bar on stderr.

    Needed only after changing content outside Yamabiko (raw SQL) or upgrading to a
    version that indexes differently; entries that did not change are not rewritten.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from yamabiko.search.services import index_rebuild

    started = time.monotonic()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("Indexing", total=None)
        count = index_rebuild(
            progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    elapsed = time.monotonic() - started
    click.echo(f"Indexed {count} posts and pages in {elapsed:.1f} s.")
