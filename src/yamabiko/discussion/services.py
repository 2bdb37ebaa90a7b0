"""Writes to comments: submitting, moderating, and keeping "Comment (N)" exact.

The count behind "Comment (N)" is recomputed from the approved comments in the same
transaction as every change that can move it, with the post's row locked first: two
comments arriving at once then count one after the other instead of overwriting each
other's total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext

from yamabiko.core.exceptions import InvalidInput, NotFound
from yamabiko.core.ratelimit import RateLimited, ip_rate_key
from yamabiko.core.ratelimit import rate_check as check_rates
from yamabiko.core.text import render_comment, render_comment_body
from yamabiko.discussion import spam
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.pagecache import content_changed
from yamabiko.posts.models import Blog, CommentModeration, Post

DUPLICATE_WINDOW = timedelta(days=1)
RATE_WINDOW_SECONDS = 3600


class CommentsClosed(InvalidInput):
    """The post (or the whole blog) takes no comments now."""


# Kept under its old name for callers that think in comments.
CommentRateLimited = RateLimited


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentInput:
    """A reader's submission, already checked for shape by the form."""

    post_id: int
    parent_id: int | None = None
    author_name: str
    author_email: str = ""
    author_url: str = ""
    body: str
    honeypot: str = ""
    form_age_seconds: float | None = None
    ip_address: str | None = None
    user_agent: str = ""
    user: AbstractBaseUser | AnonymousUser | None = field(default=None, compare=False)


def comments_are_open(post: Post, blog: Blog) -> bool:
    if not (blog.comments_open and post.allow_comments):
        return False
    if blog.comments_close_after_days and post.published_at is not None:
        closes = post.published_at + timedelta(days=blog.comments_close_after_days)
        return timezone.now() < closes
    return True


def comment_count_refresh(*, post_id: int) -> int:
    """Set the post's counter to its number of approved comments (call with the row locked)."""
    count = Comment.objects.filter(post_id=post_id).approved().count()
    Post.objects.filter(pk=post_id).update(comment_count=count)
    content_changed()  # the update bypasses the signals that keep cached pages current
    return count


def rate_check(data: CommentInput, blog: Blog) -> None:
    ip_key = ip_rate_key(data.ip_address) if data.ip_address else None
    email_key = data.author_email.lower() or None
    check_rates(
        [
            ("comment-ip", ip_key, blog.comment_rate_per_ip),
            ("comment-email", email_key, blog.comment_rate_per_email),
        ],
        window=RATE_WINDOW_SECONDS,
        message=gettext(
            "Too many comments from you in the last hour (at most {limit}); "
            "please wait a while and try again."
        ),
    )


def parent_find(data: CommentInput, post: Post, blog: Blog) -> Comment | None:
    if data.parent_id is None:
        return None
    parent = Comment.objects.filter(pk=data.parent_id).first()
    if parent is None or parent.status != CommentStatus.APPROVED:
        raise InvalidInput(gettext("the comment you are replying to does not exist"))
    if parent.post_id != post.pk:
        raise InvalidInput(gettext("the comment you are replying to belongs to another post"))
    if parent.depth + 1 >= blog.comment_max_depth:
        raise InvalidInput(
            gettext("replies nest at most %(depth)d deep") % {"depth": blog.comment_max_depth}
        )
    return parent


def is_duplicate(data: CommentInput, post: Post) -> bool:
    """The same words on this post already, or from the same sender very recently."""
    same_body = Comment.objects.filter(body=data.body).exclude(status=CommentStatus.TRASH)
    if same_body.filter(post=post).exists():
        return True
    recent = same_body.filter(created_at__gte=timezone.now() - DUPLICATE_WINDOW)
    if data.ip_address and recent.filter(ip_address=data.ip_address).exists():
        return True
    return bool(data.author_email) and recent.filter(author_email=data.author_email).exists()


def status_by_policy(data: CommentInput, blog: Blog, verdict: spam.Verdict) -> str:
    if verdict.spam:
        return CommentStatus.SPAM
    user = data.user
    if user is not None and user.is_authenticated and getattr(user, "is_staff", False):
        return CommentStatus.APPROVED
    if verdict.hold or blog.comment_moderation == CommentModeration.ALL:
        return CommentStatus.PENDING
    if blog.comment_moderation == CommentModeration.NONE:
        return CommentStatus.APPROVED
    known = bool(data.author_email) and (
        Comment.objects.approved()
        .filter(author_email__iexact=data.author_email, author_name=data.author_name)
        .exists()
    )
    return CommentStatus.APPROVED if known else CommentStatus.PENDING


def comment_submit(*, data: CommentInput) -> Comment:
    """Store a reader's comment as approved, pending or spam, as policy and filter decide.

    Raises NotFound for a post readers cannot see, CommentsClosed, InvalidInput for a bad
    reply, CommentRateLimited past the hourly limits; nothing is stored in those cases.
    """
    blog = Blog.load()
    rate_check(data, blog)
    with transaction.atomic():
        post = Post.objects.live().select_for_update().filter(pk=data.post_id).first()
        if post is None:
            raise NotFound("no such post")
        if not comments_are_open(post, blog):
            raise CommentsClosed("comments are closed on this post")
        parent = parent_find(data, post, blog)
        verdict = spam.spam_assess(
            spam.Submission(
                body=data.body,
                author_name=data.author_name,
                author_email=data.author_email,
                author_url=data.author_url,
                ip_address=data.ip_address,
                user_agent=data.user_agent,
                honeypot=data.honeypot,
                form_age_seconds=data.form_age_seconds,
                is_duplicate=is_duplicate(data, post),
            ),
            policy=spam.Policy.from_blog(blog),
        )
        user = data.user if data.user is not None and data.user.is_authenticated else None
        comment = Comment.objects.create(
            post=post,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name=data.author_name,
            author_email=data.author_email,
            author_url=data.author_url,
            user=user,  # type: ignore[misc]
            body=data.body,
            body_html=render_comment(data.body),
            status=status_by_policy(data, blog, verdict),
            ip_address=data.ip_address,
            user_agent=data.user_agent[:500],
            spam_score=verdict.score,
            spam_reasons=list(verdict.reasons),
        )
        if comment.status == CommentStatus.APPROVED:
            comment_count_refresh(post_id=post.pk)
        if blog.comment_notify and comment.status != CommentStatus.SPAM:
            transaction.on_commit(lambda: notify_enqueue(comment.pk))
    return comment


def notify_enqueue(comment_id: int) -> None:
    from yamabiko.discussion.tasks import comment_notify_author

    comment_notify_author.enqueue(comment_id=comment_id)


def classifier_text(comment: Comment) -> str:
    """The text spam_assess classified: training on anything else teaches other tokens."""
    return spam.Submission(
        body=comment.body, author_name=comment.author_name, author_url=comment.author_url
    ).classifier_text


def training_apply(comment: Comment, status: str) -> None:
    """A moderator's spam or approve decision teaches the classifier, exactly once."""
    verdict = {CommentStatus.SPAM: "spam", CommentStatus.APPROVED: "ham"}.get(
        CommentStatus(status), comment.trained_as
    )
    comment.trained_as = spam.spam_relearn(
        text=classifier_text(comment), learned=comment.trained_as, verdict=verdict
    )


def comment_set_status(*, comment: Comment, status: str) -> Comment:
    """A moderator's decision: approve, hold, spam or trash; the counter follows at once."""
    if status not in CommentStatus.values:
        raise InvalidInput(f"unknown comment status {status!r}")
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=comment.post_id).first()
        found = Comment.objects.filter(pk=comment.pk).first()
        if found is None:
            raise NotFound(f"comment {comment.pk} no longer exists")
        comment = found
        if comment.status == status:
            return comment
        training_apply(comment, status)
        comment.status = status
        comment.save(update_fields=["status", "trained_as"])
        comment_count_refresh(post_id=comment.post_id)
    return comment


def comments_set_status(*, comments: Iterable[Comment], status: str) -> int:
    """Apply one decision to many; comments deleted meanwhile are skipped."""
    changed = 0
    for comment in comments:
        before = comment.status
        try:
            changed += comment_set_status(comment=comment, status=status).status != before
        except NotFound:
            continue
    return changed


EDITABLE_FIELDS = ("author_name", "author_email", "author_url", "body")


def comment_edit(*, comment: Comment, fields: Iterable[str]) -> Comment:
    """Save a moderator's correction; the HTML and what the classifier learned follow.

    Text the classifier learned from is unlearned as it read and learned again as it now
    reads, so a later change of mind takes back exactly what was counted.
    """
    edited = [name for name in fields if name in EDITABLE_FIELDS]
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=comment.post_id).first()
        stored = Comment.objects.filter(pk=comment.pk).first()
        if stored is None:
            raise NotFound(f"comment {comment.pk} no longer exists")
        if "body" in edited:
            comment.body_html = render_comment_body(comment.body, comment.text_format)
            edited.append("body_html")
        before, after = classifier_text(stored), classifier_text(comment)
        if stored.trained_as and before != after:
            as_spam = stored.trained_as == "spam"
            spam.spam_untrain(text=before, as_spam=as_spam)
            spam.spam_train(text=after, as_spam=as_spam)
        comment.save(update_fields=edited)
    return comment


def comment_delete(*, comment: Comment) -> None:
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=comment.post_id).first()
        post_id = comment.post_id
        comment.delete()
        comment_count_refresh(post_id=post_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class CountMismatch:
    post_id: int
    stored: int
    actual: int


def comment_counts_check(*, repair: bool) -> list[CountMismatch]:
    """Posts whose "Comment (N)" differs from their approved comments; fixed if ``repair``."""
    approved = Count("comments", filter=Q(comments__status=CommentStatus.APPROVED))
    wrong = (
        Post.objects.annotate(actual=approved)
        .exclude(comment_count=F("actual"))
        .values_list("pk", "comment_count", "actual")
    )
    mismatches = [
        CountMismatch(post_id=post_id, stored=stored, actual=actual)
        for post_id, stored, actual in wrong
    ]
    if repair:
        for mismatch in mismatches:
            with transaction.atomic():
                Post.objects.select_for_update().filter(pk=mismatch.post_id).first()
                comment_count_refresh(post_id=mismatch.post_id)
    return mismatches
