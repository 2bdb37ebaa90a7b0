"""Submitting and moderating comments through the services; the counter stays exact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PostFactory, UserFactory
from yamabiko.core.exceptions import InvalidInput, NotFound
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db


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


def set_policy(**values: object) -> None:
    Blog.load()
    Blog.objects.filter(pk=1).update(**values)


def count_of(post: Post) -> int:
    return Post.objects.get(pk=post.pk).comment_count


def test_first_comment_from_a_new_author_is_held_then_known_authors_pass() -> None:
    post = PostFactory()

    first = submit(post)
    assert first.status == CommentStatus.PENDING
    assert count_of(post) == 0

    services.comment_set_status(comment=first, status=CommentStatus.APPROVED)
    assert count_of(post) == 1

    second = submit(post, body="And the soup afterwards.")
    assert second.status == CommentStatus.APPROVED
    assert count_of(post) == 2


def test_moderation_all_holds_everything_and_none_publishes() -> None:
    post = PostFactory()
    set_policy(comment_moderation="all")
    assert submit(post).status == CommentStatus.PENDING

    set_policy(comment_moderation="none")
    assert submit(post, body="Second thought.").status == CommentStatus.APPROVED
    assert count_of(post) == 1


def test_staff_comments_are_approved() -> None:
    post = PostFactory()
    staff = UserFactory(is_staff=True)

    assert submit(post, user=staff).status == CommentStatus.APPROVED


def test_too_many_links_hold_even_without_moderation() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none")
    body = "See https://a.example/ and https://b.example/ and https://c.example/"

    comment = submit(post, body=body)

    assert comment.status == CommentStatus.PENDING
    assert any("links" in reason for reason in comment.spam_reasons)


def test_honeypot_sends_to_spam_with_reasons_recorded() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none")

    comment = submit(post, honeypot="http://spam.example")

    assert comment.status == CommentStatus.SPAM
    assert comment.spam_score == 1.0
    assert comment.spam_reasons
    assert count_of(post) == 0


def test_duplicate_body_on_the_same_post_is_spam() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none")
    submit(post)

    assert submit(post, ip_address="198.51.100.7", author_email="").status == CommentStatus.SPAM


def test_every_status_change_keeps_the_counter_exact() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none")
    comments = [submit(post, body=f"Comment {n}") for n in range(3)]
    assert count_of(post) == 3

    for status, expected in [
        (CommentStatus.SPAM, 2),
        (CommentStatus.TRASH, 2),
        (CommentStatus.PENDING, 2),
        (CommentStatus.APPROVED, 3),
        (CommentStatus.APPROVED, 3),
    ]:
        services.comment_set_status(comment=comments[0], status=status)
        assert count_of(post) == expected, status

    services.comment_delete(comment=comments[1])
    assert count_of(post) == 2


def test_unknown_status_is_refused() -> None:
    comment = submit(PostFactory())
    with pytest.raises(InvalidInput, match="unknown comment status"):
        services.comment_set_status(comment=comment, status="lost")


def test_replies_nest_up_to_the_depth_limit() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none", comment_max_depth=3)
    top = submit(post, body="top")
    reply = submit(post, body="reply", parent_id=top.pk)
    deeper = submit(post, body="deeper", parent_id=reply.pk)

    assert (top.depth, reply.depth, deeper.depth) == (0, 1, 2)
    with pytest.raises(InvalidInput, match="at most 3 deep"):
        submit(post, body="too deep", parent_id=deeper.pk)


def test_reply_to_another_posts_comment_or_a_missing_one_is_refused() -> None:
    post, other = PostFactory(), PostFactory()
    set_policy(comment_moderation="none")
    elsewhere = submit(other, body="elsewhere")

    with pytest.raises(InvalidInput, match="another post"):
        submit(post, parent_id=elsewhere.pk)
    with pytest.raises(InvalidInput, match="does not exist"):
        submit(post, parent_id=999_999)
    assert Comment.objects.filter(post=post).count() == 0


def test_reply_to_a_held_comment_is_refused() -> None:
    post = PostFactory()
    held = submit(post)
    assert held.status == CommentStatus.PENDING

    with pytest.raises(InvalidInput, match="does not exist"):
        submit(post, body="reply", parent_id=held.pk)


def test_closed_posts_refuse_comments() -> None:
    closed = PostFactory(allow_comments=False)
    with pytest.raises(services.CommentsClosed):
        submit(closed)

    old = PostFactory(published_at=timezone.now() - timedelta(days=40))
    set_policy(comments_close_after_days=30)
    with pytest.raises(services.CommentsClosed):
        submit(old)

    set_policy(comments_close_after_days=0, comments_open=False)
    with pytest.raises(services.CommentsClosed):
        submit(PostFactory())
    assert not Comment.objects.exists()


def test_drafts_and_future_posts_take_no_comments() -> None:
    draft = PostFactory(status=PostStatus.DRAFT)
    future = PostFactory(published_at=timezone.now() + timedelta(days=1))
    for post in (draft, future):
        with pytest.raises(NotFound):
            submit(post)


def test_rate_limit_per_ip_refuses_past_the_hourly_limit() -> None:
    post = PostFactory()
    set_policy(comment_rate_per_ip=2, comment_moderation="none")
    submit(post, body="one", author_email="")
    submit(post, body="two", author_email="")

    with pytest.raises(services.CommentRateLimited) as raised:
        submit(post, body="three", author_email="")
    assert raised.value.retry_after > 0
    assert Comment.objects.count() == 2


def test_rate_limit_per_email_applies_across_addresses() -> None:
    post = PostFactory()
    set_policy(comment_rate_per_email=1, comment_moderation="none")
    submit(post, body="one")

    with pytest.raises(services.CommentRateLimited):
        submit(post, body="two", ip_address="198.51.100.9")


def test_counts_check_finds_and_repairs_drift() -> None:
    post = PostFactory()
    set_policy(comment_moderation="none")
    submit(post)
    Post.objects.filter(pk=post.pk).update(comment_count=7)

    found = services.comment_counts_check(repair=False)
    assert [(m.post_id, m.stored, m.actual) for m in found] == [(post.pk, 7, 1)]
    assert count_of(post) == 7

    services.comment_counts_check(repair=True)
    assert count_of(post) == 1
    assert services.comment_counts_check(repair=False) == []


def test_comment_body_is_rendered_as_the_small_markdown_subset() -> None:
    post = PostFactory()
    comment = submit(post, body="*nice* <script>alert(1)</script>")

    assert "<em>nice</em>" in comment.body_html
    assert "<script>" not in comment.body_html


def test_bulk_decision_skips_comments_deleted_meanwhile() -> None:
    post = PostFactory()
    first, second = submit(post, body="one"), submit(post, body="two", author_email="")
    Comment.objects.filter(pk=first.pk).delete()

    changed = services.comments_set_status(comments=[first, second], status=CommentStatus.APPROVED)

    assert changed == 1
    assert count_of(post) == 1


def test_editing_a_learned_comment_moves_what_the_classifier_learned() -> None:
    from yamabiko.discussion.models import SpamToken

    comment = submit(PostFactory(), body="cheap pills here")
    services.comment_set_status(comment=comment, status=CommentStatus.SPAM)
    assert SpamToken.objects.filter(token="pills", spam_count=1).exists()

    comment.body = "cheap watches here"
    services.comment_edit(comment=comment, fields=["body"])

    assert not SpamToken.objects.filter(token="pills").exists()
    assert SpamToken.objects.filter(token="watches", spam_count=1).exists()
    assert "watches" in Comment.objects.get(pk=comment.pk).body_html
