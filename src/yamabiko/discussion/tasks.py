"""Background work of the discussion app, run by `yamabiko worker`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from yamabiko.discussion.models import Comment

logger = logging.getLogger(__name__)


@task()
def comment_notify_author(*, comment_id: int) -> bool:
    """Tell the post's author about a new comment; False when there is no one to tell."""
    comment = Comment.objects.select_related("post__author").filter(pk=comment_id).first()
    if comment is None:
        return False  # deleted before the worker got to it
    author = comment.post.author
    if not author.email or comment.user_id == author.pk:
        return False  # no address, or the author's own comment
    from yamabiko.posts.models import Blog

    blog = Blog.load()
    context = {"comment": comment, "post": comment.post, "site_url": settings.YAMABIKO_SITE_URL}
    # No request chose a language or timezone: the mail speaks the blog's, and its
    # permalink carries the date in the blog's timezone as the page's own URL does.
    with translation.override(blog.interface_language), timezone.override(blog.zone):
        # One line whatever the comment holds: a break in a subject is a header injection.
        subject = " ".join(
            render_to_string("discussion/email/new_comment_subject.txt", context).split()
        )
        message = render_to_string("discussion/email/new_comment.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[author.email])
    logger.info("notified %s of comment %s", author.email, comment.pk)
    return True


@contextmanager
def blog_time() -> Iterator[None]:
    """Permalinks hold dates in the blog's timezone; a worker has no request to set it."""
    from yamabiko.posts.models import Blog

    with timezone.override(Blog.load().zone):
        yield


@task()
def linkback_verify_task(*, linkback_id: int) -> str:
    """Fetch a linkback's source and decide whether readers see it."""
    from yamabiko.core.net import default_fetcher
    from yamabiko.discussion.linkbacks import linkback_verify

    with blog_time():
        linkback = linkback_verify(linkback_id=linkback_id, fetcher=default_fetcher())
    return linkback.status if linkback is not None else "gone"


@task()
def post_linkbacks_send_task(*, post_id: int) -> int:
    """Send linkbacks for a live post; schedules itself again while retries are due."""
    from yamabiko.core.net import default_fetcher
    from yamabiko.discussion.models import OutboundPing
    from yamabiko.discussion.sending import linkbacks_send
    from yamabiko.posts.models import Post

    post = Post.objects.live().filter(pk=post_id).first()
    if post is None:
        return 0
    with blog_time():
        outcomes = linkbacks_send(post=post, fetcher=default_fetcher())
    retry = (
        OutboundPing.objects.filter(post=post, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    # A backend that cannot defer (the immediate one) leaves retries to the next send.
    if retry is not None and post_linkbacks_send_task.get_backend().supports_defer:
        post_linkbacks_send_task.using(run_after=retry).enqueue(post_id=post_id)
    return sum(outcome.status == "sent" for outcome in outcomes)


@task()
def webmentions_resend_task(*, source: str, targets: list[str]) -> int:
    """Tell earlier Webmention targets that a post changed or went away."""
    from yamabiko.core.net import default_fetcher
    from yamabiko.discussion.sending import webmentions_resend

    outcomes = webmentions_resend(source=source, targets=targets, fetcher=default_fetcher())
    return sum(outcome.status == "sent" for outcome in outcomes)
