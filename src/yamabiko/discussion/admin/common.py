"""What the discussion admins share: the post filter, counted messages, outside content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from yamabiko.posts.models import Post

# Longer than any bigint; such a value is a mistyped URL, not a post.
MAX_ID_DIGITS = 18


def post_id_of(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
        raise IncorrectLookupParameters(f"not a post id: {value!r}")
    return int(value)


class PostFilter(admin.SimpleListFilter):
    """Rows of one post, reached from the post column.

    The sidebar names only the chosen post: a list of every post with comments would not
    fit on a blog of a few years.
    """

    title = _("post")
    parameter_name = "post"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        post_id = post_id_of(self.value())
        if post_id is None:
            return []
        title = Post.objects.filter(pk=post_id).values_list("title", flat=True).first()
        return [] if title is None else [(str(post_id), title)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        post_id = post_id_of(self.value())
        return queryset if post_id is None else queryset.filter(post_id=post_id)


def post_filter_link(post: Post, *, hint: str) -> str:
    """The post's title, linking to the same list narrowed to that post."""
    return format_html(
        '<a href="?{}={}" title="{}">{}</a>', PostFilter.parameter_name, post.pk, hint, post.title
    )


def decided(done: Callable[[int], str], changed: int, unchanged: int) -> str:
    """What a bulk action did: ``done`` words the changed rows; the rest already were so."""
    message = done(changed) % {"count": changed}
    if unchanged:
        already = ngettext("%(count)d already was.", "%(count)d already were.", unchanged)
        message += " " + already % {"count": unchanged}
    return message


def learned_as(trained_as: str) -> str:
    return {"spam": gettext("spam"), "ham": gettext("not spam")}.get(
        trained_as, gettext("nothing yet")
    )


def cropped(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else f"{text[: length - 1]}…"


def reasons_list(reasons: object) -> str:
    """Why the spam filter judged as it did, one item per reason, each escaped."""
    found = reasons if isinstance(reasons, list) else []
    if not found:
        return gettext("Nothing recorded.")
    items = format_html_join("", "<li>{}</li>", ((str(reason),) for reason in found))
    return format_html("<ul>{}</ul>", items)


def outside_link(url: str, text: str = "") -> str | None:
    """A link to another site, opened so the page cannot reach back into the admin.

    ``noopener`` keeps ``window.opener`` from the other page, ``noreferrer`` keeps the
    admin's URLs out of its logs. Only http(s) URLs become links: anything else (a
    ``javascript:`` URL stored by an older version, say) is shown as text. None, which
    the admin shows as its empty value, when there is no URL.
    """
    if not url:
        return None
    label = text or url
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        return label
    return format_html(
        '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>', url, label
    )
