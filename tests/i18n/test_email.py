"""The comment notification speaks the blog's language, though no request chose one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory, UserFactory
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.tasks import comment_notify_author
from yamabiko.posts.models import Blog

pytestmark = pytest.mark.django_db


def held_comment() -> Comment:
    post = PostFactory(title="春の散歩", author=UserFactory(email="writer@example.org"))
    return CommentFactory(
        post=post,
        author_name="木霊",
        author_url="https://kodama.example/",
        body="素敵な写真ですね。",
        status=CommentStatus.PENDING,
        spam_reasons=["more than 2 links"],
    )


def notified(comment: Comment) -> mail.EmailMessage:
    assert comment_notify_author.call(comment_id=comment.pk) is True
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def with_language(blog: Blog, language: str) -> None:
    blog.language = language
    blog.save()


def test_japanese_blog_mails_its_author_in_japanese(blog: Blog) -> None:
    with_language(blog, "ja")
    comment = held_comment()

    message = notified(comment)

    assert message.subject == "[春の散歩] 木霊 さんから新しいコメント（承認待ち）"
    body = str(message.body)
    assert body.startswith(
        "木霊 さん（https://kodama.example/）が「春の散歩」にコメントしました：\n\n素敵な写真ですね。"
    )
    assert "状態: 保留中" in body
    assert "理由: more than 2 links" in body
    assert f"表示: {settings.YAMABIKO_SITE_URL}{comment.get_absolute_url()}" in body
    assert f"/admin/discussion/comment/{comment.pk}/change/" in body.split("管理: ")[1]


def test_english_blog_mails_in_english(blog: Blog) -> None:
    with_language(blog, "en")
    comment = held_comment()

    message = notified(comment)

    assert message.subject == "[春の散歩] New comment by 木霊 (awaiting moderation)"
    body = str(message.body)
    assert body.startswith('木霊 (https://kodama.example/) commented on "春の散歩":')
    assert "Status: Pending" in body
    assert "Why: more than 2 links" in body
    assert "Moderate: " in body


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_blog_in_a_language_the_interface_lacks_mails_in_english(blog: Blog, language: str) -> None:
    with_language(blog, language)
    comment = CommentFactory(
        post=PostFactory(author=UserFactory(email="writer@example.org")),
        author_name="Kodama",
    )

    message = notified(comment)

    assert message.subject.endswith("New comment by Kodama")
    assert "Status: Approved" in str(message.body)
