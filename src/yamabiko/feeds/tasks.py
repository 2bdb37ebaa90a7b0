"""Background work of the feeds app, run by `yamabiko worker`."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)


@task()
def websub_ping_task(*, attempt: int = 1) -> int:
    """Ping the WebSub hub for the site feeds; retried later (twice) if the hub failed."""
    from yamabiko.core.net import default_fetcher
    from yamabiko.feeds.locations import site_feed_urls
    from yamabiko.feeds.services import websub_hub, websub_publish

    hub = websub_hub()
    if not hub:
        return 0
    outcomes = websub_publish(hub=hub, topics=site_feed_urls(), fetcher=default_fetcher())
    if any(not outcome.ok for outcome in outcomes):
        if attempt < MAX_ATTEMPTS and websub_ping_task.get_backend().supports_defer:
            later = timezone.now() + RETRY_AFTER * attempt
            websub_ping_task.using(run_after=later).enqueue(attempt=attempt + 1)
        else:
            logger.error("WebSub hub %s: giving up after %s attempts", hub, attempt)
    return sum(outcome.ok for outcome in outcomes)
