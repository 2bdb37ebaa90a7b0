"""Template tags that put the discussion on the permalink page."""

from __future__ import annotations

from typing import Any

from django import template

from yamabiko.discussion.threads import comment_context
from yamabiko.posts.models import Post

register = template.Library()


@register.inclusion_tag("discussion/_comments.html", takes_context=True)
def comments_section(context: template.Context, post: Post) -> dict[str, Any]:
    """The #comments section; a form with errors in the context is shown as it is."""
    return comment_context(context["request"], post, form=context.get("comment_form"))
