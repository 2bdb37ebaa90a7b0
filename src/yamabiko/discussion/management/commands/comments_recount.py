"""`yamabiko manage comments_recount [--repair]`: check "Comment (N)" against the comments."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yamabiko.discussion.services import comment_counts_check


class Command(BaseCommand):
    help = (
        "List the posts whose comment count differs from their number of approved comments "
        "(exit 1 if any); with --repair, correct them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="Set each wrong count to the actual number."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        repair: bool = options["repair"]
        mismatches = comment_counts_check(repair=repair)
        if not mismatches:
            self.stdout.write("All comment counts are correct.")
            return
        verb = "was" if repair else "is"
        for mismatch in mismatches:
            self.stdout.write(
                f"post {mismatch.post_id}: count {verb} {mismatch.stored}, "
                f"approved comments {mismatch.actual}"
            )
        posts = f"{len(mismatches)} post{'' if len(mismatches) == 1 else 's'}"
        if repair:
            self.stdout.write(self.style.SUCCESS(f"Repaired the comment count of {posts}."))
            return
        raise CommandError(
            f"{posts} with a wrong comment count; run with --repair to correct them.",
            returncode=1,
        )
