"""What the admin's home page says about the discussion: the moderation queue."""

from __future__ import annotations

from django import template

from yamabiko.discussion.models import Comment, Linkback

register = template.Library()


def may_see(context: template.Context, model: str) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and (
        user.has_perm(f"discussion.view_{model}") or user.has_perm(f"discussion.change_{model}")
    )


@register.simple_tag(takes_context=True)
def comments_awaiting_moderation(context: template.Context) -> int | None:
    """How many comments wait for a moderator (one query); None for who may not see them."""
    if not may_see(context, "comment"):
        return None
    return Comment.objects.awaiting_moderation().count()


@register.simple_tag(takes_context=True)
def linkbacks_awaiting_moderation(context: template.Context) -> int | None:
    """How many verified linkbacks wait for a moderator (one query); None as above."""
    if not may_see(context, "linkback"):
        return None
    return Linkback.objects.held().count()
