"""What the admin's home page says about the discussion: the moderation queue."""

from __future__ import annotations

from django import template

from yamabiko.discussion.models import Comment

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_awaiting_moderation(context: template.Context) -> int | None:
    """How many comments wait for a moderator (one query); None for who may not see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (
        user.has_perm("discussion.view_comment") or user.has_perm("discussion.change_comment")
    ):
        return None
    return Comment.objects.awaiting_moderation().count()
