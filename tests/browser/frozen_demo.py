"""A second blog for the screenshots: the demo content as if loaded on one fixed day.

The session's ``site`` loads the demo relative to today and gains posts and comments as
the journeys run, so its pages change from run to run. This one is loaded with the clock
stopped at FROZEN_TODAY and no test writes to it, so its pages, and the screenshots of
them, come out the same every time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.conftest import cli_run, site_env
from tests.cli.conftest import free_port, serving
from tests.live_databases import live_databases

# 162 days after 17 February, so the demo's echo post reads "17/2 20:44", as in DESIGN.md.
FROZEN_TODAY = "2025-07-29"


@contextmanager
def frozen_demo_site(root: Path) -> Iterator[str]:
    """Serve the frozen demo from a data dir under ``root``; yield its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    with live_databases("frozen") as (database_url,):
        env = site_env(data_dir=root / "data", base_url=base_url, database_url=database_url)
        # One process for both: each `yamabiko` start costs seconds on a busy machine.
        cli_run(
            env,
            "manage",
            "shell",
            "--no-imports",
            "-c",
            "from tests.browser.frozen_demo import in_process_frozen_demo; "
            f"in_process_frozen_demo(today={FROZEN_TODAY!r}, password={os.urandom(8).hex()!r})",
        )
        with serving(
            "serve", "--port", str(port), "--workers", "1", env=env, port=port, tmp_path=root
        ):
            yield base_url


def in_process_frozen_demo(*, today: str, password: str) -> None:
    """Migrate, then load the demo with the clock stopped at noon (UTC) on ``today``."""
    from datetime import datetime
    from unittest import mock

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from yamabiko.posts import services
    from yamabiko.posts.demo import demo_load
    from yamabiko.posts.models import Blog, Post, PostStatus

    call_command("migrate", verbosity=0)
    noon = datetime.fromisoformat(f"{today}T12:00:00+00:00")
    with mock.patch.object(timezone, "now", return_value=noon):
        author = User.objects.create_superuser("writer", "writer@example.org", password)
        with timezone.override(Blog.load().zone):
            assert demo_load(author=author), "the fresh blog already had posts"
    # The demo's scheduled post went live days after that noon, long before the real now;
    # as a draft it stays off the pages, as it would have on the frozen day.
    for post in Post.objects.filter(status=PostStatus.SCHEDULED):
        post.status = PostStatus.DRAFT
        post.published_at = None
        services.post_save(post=post)
