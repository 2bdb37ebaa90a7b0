"""`yamabiko manage …`: Django's management commands, for what has no command of ours."""

from __future__ import annotations

import os

import click


@click.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        # Django's, not click's, so `yamabiko manage migrate --help` describes migrate.
        "help_option_names": [],
    }
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(*, args: tuple[str, ...]) -> None:
    """Run one of Django's management commands (`yamabiko manage help`)."""
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
    execute_from_command_line(["yamabiko manage", *args])
