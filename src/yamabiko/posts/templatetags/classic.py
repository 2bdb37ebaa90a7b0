"""Template tags of the classic theme."""

from __future__ import annotations

from django import template

from yamabiko.posts.models import Category, Page, Post

register = template.Library()


@register.inclusion_tag("posts/_sidebar.html")
def sidebar() -> dict[str, object]:
    """Categories, static pages and monthly archives: three queries on every page."""
    return {
        "categories": list(Category.objects.all()),
        "pages": list(Page.objects.live().filter(show_in_menu=True).only("title", "slug")),
        "months": list(Post.objects.live().datetimes("published_at", "month", order="DESC")),
    }


@register.filter
def category_depth(category: Category) -> int:
    return category.path.count("/")
