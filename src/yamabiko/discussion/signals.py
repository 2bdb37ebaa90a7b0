"""Side effects of post changes on linkbacks; handlers only enqueue work (STYLE rule 8)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from yamabiko.discussion.models import LinkbackKind, OutboundPing, OutboundStatus
from yamabiko.posts.models import Post, PostStatus


def sent_webmention_targets(post: Post) -> list[str]:
    return list(
        OutboundPing.objects.filter(
            post=post, protocol=LinkbackKind.WEBMENTION, status=OutboundStatus.SENT
        ).values_list("target_url", flat=True)
    )


@receiver(post_save, sender=Post, dispatch_uid="yamabiko.linkbacks.post_saved")
def post_saved(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    # Raw saves load fixtures and restore exports: the posts are not being published now,
    # and what was sent for them is in their OutboundPing rows already.
    if kwargs.get("raw"):
        return
    # A service saves a post more than once per change; queue one send per transaction.
    if getattr(instance, "_linkbacks_queued", False):
        return
    instance._linkbacks_queued = True  # type: ignore[attr-defined]

    def enqueue() -> None:
        from yamabiko.discussion.sending import permalink
        from yamabiko.discussion.tasks import post_linkbacks_send_task, webmentions_resend_task

        instance._linkbacks_queued = False  # type: ignore[attr-defined]
        if instance.is_live():
            post_linkbacks_send_task.enqueue(post_id=instance.pk)
            return
        if targets := sent_webmention_targets(instance):
            webmentions_resend_task.enqueue(source=permalink(instance), targets=targets)
        # A scheduled post goes live by the clock alone, with no save to send it then.
        if (
            instance.status == PostStatus.SCHEDULED
            and instance.published_at is not None
            and post_linkbacks_send_task.get_backend().supports_defer
        ):
            send = post_linkbacks_send_task.using(run_after=instance.published_at)
            send.enqueue(post_id=instance.pk)

    transaction.on_commit(enqueue)


@receiver(pre_delete, sender=Post, dispatch_uid="yamabiko.linkbacks.post_deleted")
def post_deleted(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    targets = sent_webmention_targets(instance)
    if not targets or not instance.is_live():
        return
    from yamabiko.discussion.sending import permalink

    source = permalink(instance)

    def enqueue() -> None:
        from yamabiko.discussion.tasks import webmentions_resend_task

        webmentions_resend_task.enqueue(source=source, targets=targets)

    transaction.on_commit(enqueue)
