"""`yamabiko manage comments_recount`: "Comment (N)" checked against the approved comments."""

from __future__ import annotations

from io import StringIO

import pytest
from click.testing import CliRunner
from django.core.management import CommandError, call_command

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory
from yamabiko.cli import cli
from yamabiko.discussion.models import CommentStatus
from yamabiko.posts.models import Post

pytestmark = pytest.mark.django_db


def recount(*args: str) -> str:
    out = StringIO()
    call_command("comments_recount", *args, stdout=out)
    return out.getvalue()


def stored_count(post: Post) -> int:
    return Post.objects.values_list("comment_count", flat=True).get(pk=post.pk)


def posts_with_wrong_counts() -> tuple[Post, Post, Post]:
    """Two posts whose counter drifted (too high, too low) and one that is right."""
    high, low, right = PostFactory.create_batch(3)
    CommentFactory.create_batch(2, post=high)
    CommentFactory(post=high, status=CommentStatus.SPAM)
    CommentFactory(post=low)
    CommentFactory(post=right, status=CommentStatus.PENDING)
    Post.objects.filter(pk=high.pk).update(comment_count=5)
    Post.objects.filter(pk=low.pk).update(comment_count=0)
    return high, low, right


def test_correct_counts_are_reported_as_correct() -> None:
    post = PostFactory()
    CommentFactory.create_batch(2, post=post)
    CommentFactory(post=post, status=CommentStatus.PENDING)

    assert recount() == "All comment counts are correct.\n"
    assert stored_count(post) == 2


def test_wrong_counts_are_listed_and_fail_without_changing_anything() -> None:
    high, low, right = posts_with_wrong_counts()
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("comments_recount", stdout=out)

    assert raised.value.returncode == 1
    assert "2 posts with a wrong comment count" in str(raised.value)
    assert "--repair" in str(raised.value)
    assert sorted(out.getvalue().splitlines()) == sorted(
        [
            f"post {high.pk}: count is 5, approved comments 2",
            f"post {low.pk}: count is 0, approved comments 1",
        ]
    )
    assert (stored_count(high), stored_count(low), stored_count(right)) == (5, 0, 0)


def test_repair_sets_each_count_to_the_approved_comments() -> None:
    high, low, right = posts_with_wrong_counts()

    out = recount("--repair")

    assert f"post {high.pk}: count was 5, approved comments 2" in out
    assert f"post {low.pk}: count was 0, approved comments 1" in out
    assert "Repaired the comment count of 2 posts." in out
    assert (stored_count(high), stored_count(low), stored_count(right)) == (2, 1, 0)
    assert recount() == "All comment counts are correct.\n"


def run_cli(*args: str) -> tuple[int, str, str]:
    """`yamabiko manage comments_recount ARGS…` in this process: (exit code, stdout, stderr).

    Django's command runner closes the database connections when it ends, which on
    PostgreSQL ends the test's transaction: call this last in a test.
    """
    result = CliRunner().invoke(cli, ["manage", "comments_recount", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_command_exits_1_with_one_error_line_when_counts_are_wrong() -> None:
    posts_with_wrong_counts()

    code, stdout, stderr = run_cli()

    assert code == 1
    assert len(stdout.splitlines()) == 2
    assert stderr.splitlines() == [
        "CommandError: 2 posts with a wrong comment count; run with --repair to correct them."
    ]


def test_the_command_exits_0_after_a_repair() -> None:
    posts_with_wrong_counts()
    recount("--repair")

    assert run_cli() == (0, "All comment counts are correct.\n", "")


def test_the_repairing_command_exits_0() -> None:
    posts_with_wrong_counts()

    code, stdout, _ = run_cli("--repair")

    assert code == 0
    assert "Repaired the comment count of 2 posts." in stdout
