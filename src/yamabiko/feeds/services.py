"""Telling a WebSub hub that the blog's feeds changed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.tasks import Task
from django.utils import timezone

from yamabiko.core.net import Fetcher, FetchError
from yamabiko.feeds.websub import publish_accepted, publish_form
from yamabiko.posts.models import Blog, Post

__all__ = ["PingOutcome", "websub_hub", "websub_publish", "websub_schedule"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class PingOutcome:
    topic: str
    ok: bool
    status: int | None = None
    error: str = ""


def websub_hub() -> str:
    """The hub from the blog settings, "" when none is set."""
    return Blog.objects.filter(pk=1).values_list("websub_hub", flat=True).first() or ""


def websub_publish(*, hub: str, topics: Sequence[str], fetcher: Fetcher) -> list[PingOutcome]:
    """POST a publish notification for each topic to ``hub``; one outcome per topic."""
    outcomes = []
    for topic in topics:
        try:
            response = fetcher.post_form(hub, publish_form(topic), purpose="WebSub publish")
        except FetchError as error:
            logger.warning("WebSub hub %s refused %s: %s", hub, topic, error)
            outcomes.append(PingOutcome(topic=topic, ok=False, error=str(error)))
            continue
        ok = publish_accepted(response.status)
        if not ok:
            logger.warning("WebSub hub %s answered %s for %s", hub, response.status, topic)
        outcomes.append(PingOutcome(topic=topic, ok=ok, status=response.status))
    return outcomes


def websub_schedule(*, post: Post, task: Task[..., int], now: datetime | None = None) -> bool:
    """Queue a ping for a post that is live now, or for when a scheduled one goes live.

    A scheduled post goes live by the clock alone (no save happens then), so its ping is
    queued to run at its publication time, where the task backend can defer work.
    """
    now = now or timezone.now()
    if not websub_hub() or post.published_at is None:
        return False
    if post.is_live(now):
        task.enqueue()
        return True
    if post.status == "scheduled" and task.get_backend().supports_defer:
        task.using(run_after=post.published_at + timedelta(seconds=1)).enqueue()
        return True
    return False
