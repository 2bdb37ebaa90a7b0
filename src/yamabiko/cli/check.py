"""`yamabiko check`: Django's deployment checks and Yamabiko's, one line per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from yamabiko.cli.base import Failure, django_setup

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

# Highest first: a finding is named after the highest level it reaches.
LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def finding_line(message: CheckMessage) -> str:
    # Django's own format puts the hint on a second, tab-indented line; one line per
    # finding keeps the output greppable and every finding's fix beside it.
    from django.core import checks

    level = next(name for name in LEVELS if message.level >= getattr(checks, name))
    where = "" if message.obj is None else f" {message.obj}:"
    hint = f" HINT: {message.hint}" if message.hint else ""
    return f"{level}{where} ({message.id}) {message.msg}{hint}"


@click.command("check")
@click.option(
    "--fail-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    default="WARNING",
    show_default=True,
    help="Exit with 1 when a finding is at this level or above.",
)
def check(*, fail_level: str) -> None:
    """Run Django's deployment checks and Yamabiko's on this blog's settings.

    Prints one line per finding and exits with 1 when any is at --fail-level or above.
    Django checks that do not apply to Yamabiko, or that a Yamabiko check replaces with
    one naming the variable to set, are left out (listed in docs/cli.md).
    """
    django_setup()
    from django.core import checks

    from yamabiko.core.checks import REPLACED_DJANGO_CHECKS

    found = checks.run_checks(include_deployment_checks=True)
    shown = [message for message in found if message.id not in REPLACED_DJANGO_CHECKS]
    for message in sorted(shown, key=lambda message: (-message.level, message.id or "")):
        click.echo(finding_line(message))
    threshold = getattr(checks, fail_level.upper())
    failing = [message for message in shown if message.level >= threshold]
    left_out = f"{len(found) - len(shown)} left out as not applying"
    if failing:
        raise Failure(
            f"{len(failing)} of {len(shown)} findings at {fail_level.upper()} or above ({left_out})"
        )
    click.echo(
        f"No findings at {fail_level.upper()} or above ({left_out} left out as not applying)."
    )
