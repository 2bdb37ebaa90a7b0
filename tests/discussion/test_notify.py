"""The post author's email about each new comment (mail is Django's locmem outbox)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory, UserFactory
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.tasks import comment_notify_author
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db


def only_mail() -> mail.EmailMessage:
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    return mail.outbox[0]


def submit(post: Post, **overrides: object) -> Comment:
    fields: dict[str, object] = {
        "post_id": post.pk,
        "author_name": "Kodama",
        "author_email": "kodama@example.org",
        "body": "What a lovely walk.",
        "form_age_seconds": 30.0,
        "ip_address": "192.0.2.10",
    }
    fields.update(overrides)
    return services.comment_submit(data=services.CommentInput(**fields))  # type: ignore[arg-type]


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# --- the task -----------------------------------------------------------------------


def test_author_gets_a_plain_text_mail_with_the_comment_and_its_link() -> None:
    post = PostFactory(title="Autumn <walk>", author=UserFactory(email="writer@example.org"))
    comment = CommentFactory(
        post=post,
        author_name="Aiko",
        body="Lovely <b>photos</b> & <script>alert(1)</script>\n\nSecond paragraph.",
    )

    assert comment_notify_author.call(comment_id=comment.pk) is True

    message = only_mail()
    assert message.to == ["writer@example.org"]
    assert "Autumn <walk>" in message.subject
    assert "Aiko" in message.subject
    assert "\n" not in message.subject
    body = str(message.body)
    assert "Lovely <b>photos</b> & <script>alert(1)</script>\n\nSecond paragraph." in body
    assert "&lt;" not in body
    assert "&amp;" not in body
    assert f"{settings.YAMABIKO_SITE_URL}{comment.get_absolute_url()}" in body
    assert message.content_subtype == "plain"
    assert not isinstance(message, EmailMultiAlternatives) or not message.alternatives


def test_mail_about_a_held_comment_says_it_awaits_moderation() -> None:
    comment = CommentFactory(status=CommentStatus.PENDING, spam_reasons=["more than 2 links"])

    comment_notify_author.call(comment_id=comment.pk)

    message = only_mail()
    assert "awaiting moderation" in message.subject
    body = str(message.body)
    assert "more than 2 links" in body
    assert f"/admin/discussion/comment/{comment.pk}/change/" in body


def test_no_mail_for_an_author_without_an_email_address() -> None:
    comment = CommentFactory(post=PostFactory(author=UserFactory(email="")))

    assert comment_notify_author.call(comment_id=comment.pk) is False
    assert mail.outbox == []


def test_no_mail_for_a_comment_deleted_before_the_task_ran() -> None:
    comment = CommentFactory()
    comment_id = comment.pk
    services.comment_delete(comment=comment)

    assert comment_notify_author.call(comment_id=comment_id) is False
    assert mail.outbox == []


# --- submitting enqueues it ---------------------------------------------------------


@pytest.mark.usefixtures("immediate_tasks")
def test_submitting_a_comment_mails_the_author_once_committed(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    post = PostFactory(author=UserFactory(email="writer@example.org"))
    assert Blog.load().comment_notify

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = submit(post, body="First!")
        assert mail.outbox == [], "nothing is sent before the comment is committed"

    assert len(callbacks) == 1
    message = only_mail()
    assert message.to == ["writer@example.org"]
    assert "First!" in message.body
    assert comment.get_absolute_url() in message.body


@pytest.mark.usefixtures("immediate_tasks")
def test_comment_held_as_spam_sends_no_mail(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    post = PostFactory()

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(post, honeypot="http://spam.example")

    assert comment.status == CommentStatus.SPAM
    assert mail.outbox == []


@pytest.mark.usefixtures("immediate_tasks")
def test_no_mail_when_the_blog_turned_notifications_off(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    Blog.load()
    Blog.objects.filter(pk=1).update(comment_notify=False)
    post = PostFactory()

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(post)

    assert comment.status != CommentStatus.SPAM
    assert mail.outbox == []


def test_no_mail_to_an_author_about_their_own_comment() -> None:
    author = UserFactory(email="writer@example.org")
    post = PostFactory(author=author)
    comment = CommentFactory(post=post, user=author)

    assert comment_notify_author.call(comment_id=comment.pk) is False
    assert mail.outbox == []
