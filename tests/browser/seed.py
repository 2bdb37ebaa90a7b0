"""The browser tests' blog: the demo content, an admin, and one post the journeys know.

`seed_site` fills a fresh data dir before the server starts; `in_process_*` run inside
`yamabiko manage shell -c` (Django set up on the site's own database), never in the pytest
process, whose thread Playwright's loop occupies.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

# The post the reader journeys open: the newest, so it heads the home page after the
# demo's sticky welcome post. Body and extended text are Markdown.
JOURNEY_TITLE = "Listening for the echo at Kodama Pass"
JOURNEY_CATEGORY = "Journeys"
JOURNEY_TAGS = ("harness", "kodama")
JOURNEY_BODY = "A short walk up to the pass, to hear whether the valley answers.\n"
JOURNEY_EXTENDED = "Behind the fold: the valley answered twice, the second time softer.\n"
# A reader whose comment is approved already: "first comment" moderation, the default,
# publishes this reader's next comment at once and holds a stranger's.
KNOWN_READER_NAME = "Kodama Reader"
KNOWN_READER_EMAIL = "kodama-reader@example.org"
KNOWN_READER_COMMENT = "The valley answered me too, from the other ridge."
# The site's hourly comment limits, raised so a session's journeys never meet them.
COMMENT_RATE = "1000"

type Cli = Callable[..., subprocess.CompletedProcess[str]]


def seed_site(cli: Cli, *, admin_username: str, admin_password: str, scratch: Path) -> None:
    """Migrate, load the demo with a superuser as author, add the journey post and a comment.

    One `yamabiko manage shell` process does it all, running our commands in it: each
    `yamabiko` process spends seconds importing Django on a busy CI machine.
    """
    body, extended = scratch / "journey.md", scratch / "journey-extended.md"
    body.write_text(JOURNEY_BODY)
    extended.write_text(JOURNEY_EXTENDED)
    cli(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from tests.browser.seed import in_process_seed; in_process_seed("
        f"username={admin_username!r}, password={admin_password!r}, "
        f"body={str(body)!r}, extended={str(extended)!r})",
    )


def comment_status(cli: Cli, body: str) -> str:
    """The stored status of the comment with ``body`` (approved, pending, spam, …)."""
    done = cli(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        f"from tests.browser.seed import in_process_status; in_process_status({body!r})",
    )
    return done.stdout.strip().splitlines()[-1]


def in_process_seed(*, username: str, password: str, body: str, extended: str) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from yamabiko.cli import cli
    from yamabiko.discussion.models import CommentStatus
    from yamabiko.discussion.services import CommentInput, comment_set_status, comment_submit
    from yamabiko.posts.demo import demo_load
    from yamabiko.posts.models import Blog, Post

    def command(*args: str) -> None:
        cli.main(list(args), prog_name="yamabiko", standalone_mode=False)

    call_command("migrate", interactive=False, verbosity=0)
    admin = User.objects.create_superuser(username, "admin@example.org", password)
    with timezone.override(Blog.load().zone):
        assert demo_load(author=admin), "the fresh blog already had posts"
    tags = [arg for tag in JOURNEY_TAGS for arg in ("--tag", tag)]
    command(
        "post", "new", "--title", JOURNEY_TITLE, "--category", JOURNEY_CATEGORY, *tags,
        "--author", username, "--extended", extended, body,
    )  # fmt: skip
    for key in ("comment_rate_per_ip", "comment_rate_per_email"):
        command("config", "set", key, COMMENT_RATE)
    comment = comment_submit(
        data=CommentInput(
            post_id=Post.objects.get(title=JOURNEY_TITLE).pk,
            author_name=KNOWN_READER_NAME,
            author_email=KNOWN_READER_EMAIL,
            body=KNOWN_READER_COMMENT,
            form_age_seconds=60.0,
            ip_address="127.0.0.1",
        )
    )
    comment_set_status(comment=comment, status=CommentStatus.APPROVED)


def in_process_status(body: str) -> None:
    from yamabiko.discussion.models import Comment

    print(Comment.objects.get(body=body).status)
