"""Side effects of post changes on linkbacks; handlers only enqueue work (STYLE rule 8)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from yamabiko.discussion.models import LinkbackKind, OutboundPing, OutboundStatus
from yamabiko.posts.models import Post, PostStatus


def sent_webmention_targets(post: Post) -> list[str]:
    return list(
        OutboundPing.objects.filter(
            post=post, protocol=LinkbackKind.WEBMENTION, status=OutboundStatus.SENT
        ).values_list("target_url", flat=True)
    )


@receiver(pre_save, sender=Post, dispatch_uid="yamabiko.linkbacks.post_saving")
def post_saving(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    # Whether readers could see the post until now: only a post that was live and is not
    # any more tells its Webmention targets it went away (not every later save of a draft).
    if kwargs.get("raw") or instance.pk is None or hasattr(instance, "_was_live"):
        return
    stored = Post.objects.filter(pk=instance.pk).only("status", "published_at").first()
    instance._was_live = stored is not None and stored.is_live()  # type: ignore[attr-defined]


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
        was_live = getattr(instance, "_was_live", False)
        instance.__dict__.pop("_was_live", None)  # the next change reads the stored row again
        if instance.is_live():
            post_linkbacks_send_task.enqueue(post_id=instance.pk)
            return
        if was_live and (targets := sent_webmention_targets(instance)):
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
