"""Template tags that put the discussion on the permalink page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from yamabiko.discussion.advertise import (
    absolute,
    pingback_endpoint,
    trackback_url,
    webmention_endpoint,
)
from yamabiko.discussion.models import Linkback, MentionType
from yamabiko.discussion.protocols import trackback
from yamabiko.discussion.threads import comment_context
from yamabiko.posts.models import Blog, Post

register = template.Library()


@register.inclusion_tag("discussion/_comments.html", takes_context=True)
def comments_section(context: template.Context, post: Post) -> dict[str, Any]:
    """The #comments section; a form with errors in the context is shown as it is."""
    return comment_context(context["request"], post, form=context.get("comment_form"))


@register.inclusion_tag("discussion/_linkback_head.html", takes_context=True)
def linkback_head(context: template.Context) -> dict[str, Any]:
    """<link> elements for Pingback (exact byte form of its spec §2.2) and Webmention.

    No Pingback link while XML-RPC is switched off: it would name an endpoint that 404s.
    """
    blog = context.get("blog")
    enabled = (blog if isinstance(blog, Blog) else Blog.load()).xmlrpc_enabled
    return {
        "pingback": pingback_endpoint() if enabled else None,
        "webmention": webmention_endpoint(),
    }


@register.inclusion_tag("discussion/_linkbacks.html", takes_context=True)
def linkbacks_section(context: template.Context, post: Post) -> dict[str, Any]:
    """The #trackbacks section: approved linkbacks, the TrackBack URL and its RDF block."""
    shown = list(Linkback.objects.filter(post=post).approved())
    compact = {MentionType.LIKE, MentionType.REPOST, MentionType.BOOKMARK}
    ping_url = trackback_url(post)
    permalink = absolute(post.get_absolute_url())
    return {
        "post": post,
        "blog": context.get("blog"),
        "linkbacks": [lb for lb in shown if lb.mention_type not in compact],
        "reactions": [lb for lb in shown if lb.mention_type in compact],
        "trackback_url": ping_url,
        "rdf": mark_safe(  # noqa: S308 - rdf_block escapes every value it writes
            trackback.rdf_block(
                permalink=permalink,
                title=post.title,
                ping_url=ping_url,
                description=post.excerpt,
            )
        ),
    }
