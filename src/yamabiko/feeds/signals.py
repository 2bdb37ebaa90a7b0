"""A live post changed or went away: queue a WebSub ping. Handlers only enqueue (STYLE rule 8)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yamabiko.posts.models import Post


@receiver(post_save, sender=Post, dispatch_uid="yamabiko.feeds.post_saved")
def post_saved(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    # Raw saves load fixtures and restore exports: nothing changed for the feed's readers.
    if kwargs.get("raw"):
        return
    # A service saves a post more than once per change; queue one ping per transaction.
    if getattr(instance, "_websub_queued", False):
        return
    instance._websub_queued = True  # type: ignore[attr-defined]

    def enqueue() -> None:
        from yamabiko.feeds.services import websub_schedule
        from yamabiko.feeds.tasks import websub_ping_task

        instance._websub_queued = False  # type: ignore[attr-defined]
        websub_schedule(post=instance, task=websub_ping_task)

    transaction.on_commit(enqueue)


@receiver(post_delete, sender=Post, dispatch_uid="yamabiko.feeds.post_deleted")
def post_deleted(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    if not instance.is_live():
        return

    def enqueue() -> None:
        from yamabiko.feeds.services import websub_hub
        from yamabiko.feeds.tasks import websub_ping_task

        if websub_hub():
            websub_ping_task.enqueue()

    transaction.on_commit(enqueue)
