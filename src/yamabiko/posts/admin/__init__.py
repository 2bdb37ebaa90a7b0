"""The admin customised for authors; importing this package registers every ModelAdmin."""

from yamabiko.posts.admin.blog import BlogAdmin
from yamabiko.posts.admin.pages import PageAdmin, RedirectAdmin
from yamabiko.posts.admin.post import PostAdmin
from yamabiko.posts.admin.taxonomy import CategoryAdmin, TagAdmin

__all__ = ["BlogAdmin", "CategoryAdmin", "PageAdmin", "PostAdmin", "RedirectAdmin", "TagAdmin"]
