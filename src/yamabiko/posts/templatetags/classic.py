"""Template tags of the classic theme."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import SafeString

from yamabiko.pagecache.generation import generation_current
from yamabiko.pagecache.store import ENVIRON_GENERATION
from yamabiko.posts.models import Category, Page, Post

register = template.Library()

# The sidebar is the same on every page, and a blog with years of monthly archives spends
# more on it than on the rest of a page (profiled: 173 months took longer to render than a
# whole permalink page without them). So each process keeps the last one it rendered,
# under the content generation, which every change it shows moves on (pagecache): exact,
# like the page cache, and the months that a scheduled post adds follow the same clock.
_rendered: dict[tuple[int, str], SafeString] = {}


def sidebar_context() -> dict[str, object]:
    """Categories, static pages and monthly archives: three queries."""
    return {
        "categories": list(Category.objects.all()),
        "pages": list(Page.objects.live().filter(show_in_menu=True).only("title", "slug")),
        "months": list(Post.objects.live().datetimes("published_at", "month", order="DESC")),
    }


def sidebar_forget() -> None:
    """Drop the kept sidebar (tests: generation numbers start again with each database)."""
    _rendered.clear()


@register.simple_tag(takes_context=True)
def sidebar(context: template.Context) -> SafeString:
    request = context.get("request")
    # The page cache's wrapper read the generation already when it sent the request here.
    known = request.META.get(ENVIRON_GENERATION) if isinstance(request, HttpRequest) else None
    generation = known if isinstance(known, int) else generation_current()
    key = (generation, translation.get_language() or "")
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("posts/_sidebar.html", sidebar_context())
        _rendered.clear()  # only the newest is ever asked for again
        _rendered[key] = html
    return html


@register.filter
def category_depth(category: Category) -> int:
    return category.path.count("/")


@register.filter
def grouped(value: int) -> str:
    """A count as the active language writes it, thousands grouped: 1,234."""
    return formats.number_format(value, force_grouping=True)
