"""What the permalink page's #comments section shows: the thread, the form, the notices."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest

from yamabiko.discussion.forms import CommentForm
from yamabiko.discussion.models import Comment
from yamabiko.discussion.services import comments_are_open
from yamabiko.discussion.tokens import form_token_issue
from yamabiko.posts.models import Blog, Post

REMEMBER_COOKIE = "yamabiko_commenter"
REMEMBER_SALT = "yamabiko.discussion.remember"


def remember_value(comment: Comment) -> str:
    details = {"name": comment.author_name, "email": comment.author_email}
    return signing.dumps({**details, "url": comment.author_url}, salt=REMEMBER_SALT)


def remembered(request: HttpRequest) -> dict[str, str]:
    """The name, email and website a reader asked us to remember, if any."""
    raw = request.COOKIES.get(REMEMBER_COOKIE)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=REMEMBER_SALT)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data.get(key, ""))[:500] for key in ("name", "email", "url")}


def thread(post: Post) -> list[Comment]:
    """Approved comments as a tree in one query; each gets ``thread_replies``.

    A reply whose parent is not shown (held, spam, trashed) is shown at the top level
    rather than hidden with it.
    """
    comments = list(Comment.objects.filter(post=post).approved())
    by_id = {comment.pk: comment for comment in comments}
    roots: list[Comment] = []
    for comment in comments:
        comment.thread_replies = []  # type: ignore[attr-defined]
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            roots.append(comment)
        else:
            parent.thread_replies.append(comment)  # type: ignore[attr-defined]
    return roots


def reply_target(request: HttpRequest) -> int | None:
    raw = request.GET.get("replyto", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def comment_context(
    request: HttpRequest, post: Post, *, form: CommentForm | None = None
) -> dict[str, Any]:
    blog: Blog = getattr(request, "blog", None) or Blog.load()
    if form is None:
        initial: dict[str, Any] = {
            **remembered(request),
            "parent": reply_target(request),
            "token": form_token_issue(post_id=post.pk),
        }
        initial["remember"] = bool(initial.get("name"))
        form = CommentForm(initial=initial)
    return {
        "post": post,
        "comments": thread(post),
        "comment_form": form,
        "comments_open": comments_are_open(post, blog),
        "max_depth": blog.comment_max_depth,
        "held": request.GET.get("held") == "1",
        "blog": blog,
    }
