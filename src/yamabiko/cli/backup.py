"""`yamabiko backup FILE` and `yamabiko restore FILE`: the whole site in one archive."""

from __future__ import annotations

from pathlib import Path

import click

from yamabiko.cli.base import database_check, django_setup

__all__ = ["backup", "restore"]


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def backup(file: Path) -> None:
    """Write the database, media and secret key to FILE (a .tar.gz), while the site runs.

    The archive holds the secret key and every password hash: keep it private.
    """
    _refuse_dash(file)
    django_setup()
    database_check(migrate=False)
    from yamabiko.porting.backup import backup_write

    summary = backup_write(file)
    key = ", secret key" if summary.secret_key else ""
    click.echo(
        f"Wrote {file}: {summary.vendor} database ({summary.database_bytes} bytes), "
        f"{summary.media_files} media files{key}."
    )


@click.command("restore")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
def restore(file: Path) -> None:
    """Restore a `yamabiko backup` archive into an empty site; stop its servers first."""
    _refuse_dash(file)
    django_setup()
    from django.db import connection

    # Reachable, but not migrated: an empty database is what a restore expects.
    connection.ensure_connection()
    from yamabiko.porting.backup import backup_restore

    summary = backup_restore(file)
    key = ", secret key" if summary.secret_key else ""
    click.echo(
        f"Restored {file}: {summary.vendor} database ({summary.database_bytes} bytes), "
        f"{summary.media_files} media files{key}."
    )


def _refuse_dash(file: Path) -> None:
    # An archive appears under its name only once complete and is checked whole before a
    # restore writes anything; a pipe can promise neither.
    if str(file) == "-":
        raise click.BadParameter("'-' is refused: name a file", param_hint="'FILE'")
