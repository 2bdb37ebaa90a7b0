"""Moderation: the comment list, bulk decisions, and edits that keep "Comment (N)" exact.

Every status change goes through services.comment_set_status, so the post's counter and
the spam classifier follow each decision; every deletion goes through
services.comment_delete. Django's own "delete selected" action stays, with its
confirmation page, because it deletes through delete_queryset, which is overridden here.
Comments come from readers only, so the admin cannot add one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from yamabiko.discussion import services
from yamabiko.discussion.admin.common import (
    PostFilter,
    cropped,
    decided,
    learned_as,
    post_filter_link,
    reasons_list,
)
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.posts.admin.base import ServiceAdmin

EXCERPT_CHARS = 60


@admin.register(Comment)
class CommentAdmin(ServiceAdmin[Comment]):
    list_display = [
        "excerpt", "author_name", "author_email", "post_title", "status", "score", "created_at",
        "ip_address",
    ]  # fmt: skip
    list_filter = ["status", PostFilter]
    list_select_related = ["post"]
    search_fields = ["body", "author_name", "author_email", "ip_address"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["approve", "mark_pending", "mark_spam", "trash"]
    radio_fields = {"status": admin.HORIZONTAL}
    readonly_fields = [
        "post_link", "parent", "created_at", "user", "ip_address", "user_agent", "score",
        "reasons", "learned",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["status", "post_link", "parent", "created_at"]}),
        (_("Comment"), {"fields": ["author_name", "author_email", "author_url", "body"]}),
        (_("Sent from"), {"fields": ["user", "ip_address", "user_agent"]}),
        (_("Spam filter"), {"fields": ["score", "reasons", "learned"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # --- columns and read-only fields --------------------------------------------------

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return cropped(comment.body, EXCERPT_CHARS)

    @admin.display(description=_("post"), ordering="post__title")
    def post_title(self, comment: Comment) -> str:
        return post_filter_link(comment.post, hint=gettext("Only the comments on this post"))

    @admin.display(description=_("post"))
    def post_link(self, comment: Comment) -> str:
        return format_html(
            '<a href="{}">{}</a>', comment.post.get_absolute_url(), comment.post.title
        )

    @admin.display(description=_("spam score"), ordering="spam_score")
    def score(self, comment: Comment) -> str:
        return f"{comment.spam_score:.2f}"

    @admin.display(description=_("why"))
    def reasons(self, comment: Comment) -> str:
        return reasons_list(comment.spam_reasons)

    @admin.display(description=_("the classifier learned it as"))
    def learned(self, comment: Comment) -> str:
        return learned_as(comment.trained_as)

    # --- saving and deleting through the services ---------------------------------------

    def save_with_service(
        self, request: HttpRequest, obj: Comment, form: ModelForm[Comment]
    ) -> None:
        changed = set(form.changed_data)
        edited = [name for name in services.EDITABLE_FIELDS if name in changed]
        if edited:
            services.comment_edit(comment=obj, fields=edited)
        if "status" in changed:
            services.comment_set_status(comment=obj, status=obj.status)

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.comment_delete(comment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            services.comment_delete(comment=comment)

    # --- bulk decisions -----------------------------------------------------------------

    def status_apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        status: str,
        done: Callable[[int], str],
    ) -> None:
        selected = list(queryset)
        changed = services.comments_set_status(comments=selected, status=status)
        self.message_user(request, decided(done, changed, len(selected) - changed))

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.status_apply(
            request,
            queryset,
            CommentStatus.APPROVED,
            lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
        )

    @admin.action(description=_("Mark selected comments as pending"), permissions=["change"])
    def mark_pending(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.status_apply(
            request,
            queryset,
            CommentStatus.PENDING,
            lambda n: ngettext(
                "%(count)d comment marked as pending.", "%(count)d comments marked as pending.", n
            ),
        )

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.status_apply(
            request,
            queryset,
            CommentStatus.SPAM,
            lambda n: ngettext(
                "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n
            ),
        )

    @admin.action(description=_("Move selected comments to the trash"), permissions=["change"])
    def trash(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.status_apply(
            request,
            queryset,
            CommentStatus.TRASH,
            lambda n: ngettext(
                "%(count)d comment moved to the trash.", "%(count)d comments moved to the trash.", n
            ),
        )
