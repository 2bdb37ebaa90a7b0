"""Background work of the discussion app, run by `yamabiko worker`."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

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
    context = {"comment": comment, "post": comment.post, "site_url": settings.YAMABIKO_SITE_URL}
    send_mail(
        subject=render_to_string("discussion/email/new_comment_subject.txt", context).strip(),
        message=render_to_string("discussion/email/new_comment.txt", context),
        from_email=None,
        recipient_list=[author.email],
    )
    logger.info("notified %s of comment %s", author.email, comment.pk)
    return True
