"""Moderation of the discussion; importing this package registers every ModelAdmin."""

from yamabiko.discussion.admin.comments import CommentAdmin
from yamabiko.discussion.admin.linkbacks import LinkbackAdmin, OutboundPingAdmin

__all__ = ["CommentAdmin", "LinkbackAdmin", "OutboundPingAdmin"]
