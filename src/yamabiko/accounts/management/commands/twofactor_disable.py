"""`yamabiko manage twofactor_disable USERNAME`: for an author who lost their phone and codes."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yamabiko.accounts.services import twofactor_disable, twofactor_enabled


class Command(BaseCommand):
    help = (
        "Turn off two-factor login for one user: remove their authenticator app and recovery "
        "codes, so that their password alone logs in. They can set it up again in the admin."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="The user's login name.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        model = get_user_model()
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist as e:
            raise CommandError(f"no user named {username!r}") from e
        was_on = twofactor_enabled(user=user)
        twofactor_disable(user=user)  # an unfinished set-up goes too
        if not was_on:
            self.stdout.write(f"Two-factor login was not on for {username}; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Two-factor login is off for {username}."))
