"""Moderation of received linkbacks, and a read-only record of the ones we sent.

Every status change goes through linkbacks.linkback_set_status and every deletion through
linkbacks.linkback_delete, so "Trackback (N)" and the spam classifier follow each decision.
Django's "delete selected" stays, with its confirmation page, because it deletes through
delete_queryset, overridden here. Linkbacks come from other sites only, so the admin
cannot add one, and what they sent cannot be edited: only the status can change.

Everything shown here was written by someone else's page: it goes out escaped (plain
values, or format_html), links to it open with rel="noopener", and photos are shown as
links rather than loaded into the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from yamabiko.core.exceptions import NotFound
from yamabiko.discussion import linkbacks, sending
from yamabiko.discussion.admin.common import (
    PostFilter,
    cropped,
    decided,
    learned_as,
    outside_link,
    post_filter_link,
    reasons_list,
)
from yamabiko.discussion.models import Linkback, LinkbackStatus, OutboundPing
from yamabiko.posts.admin.base import GenericModelAdmin, ServiceAdmin
from yamabiko.posts.models import Post

TITLE_CHARS = 80
OUTBOUND_FIELDS = (
    "post_link", "target_link", "explicit", "protocol", "endpoint_link", "status", "attempts",
    "last_error", "last_attempt_at", "next_attempt_at",
)  # fmt: skip


def own_post_link(post: Post) -> str:
    return format_html('<a href="{}">{}</a>', post.get_absolute_url(), post.title)


class VerifiedFilter(admin.SimpleListFilter):
    """Whether the source was seen linking to the post; "pending and verified" is the queue."""

    title = _("verified")
    parameter_name = "verified"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("yes", gettext("Verified")), ("no", gettext("Not verified"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in {"yes", "no"}:
            return queryset
        return queryset.filter(verified_at__isnull=value == "no")


@admin.register(Linkback)
class LinkbackAdmin(ServiceAdmin[Linkback]):
    list_display = [
        "kind", "mention_type", "source", "post_title", "status", "verified_at", "score",
        "received_at", "source_host",
    ]  # fmt: skip
    list_display_links = ["kind"]
    list_filter = ["status", "kind", "mention_type", VerifiedFilter, PostFilter]
    list_select_related = ["post"]
    search_fields = ["source_url", "title", "blog_name", "author_name"]
    date_hierarchy = "received_at"
    ordering = ["-received_at", "-id"]
    actions = ["approve", "mark_spam", "reject"]
    radio_fields = {"status": admin.HORIZONTAL}
    readonly_fields = [
        "post_link", "kind", "mention_type", "received_at", "verified_at", "source_link",
        "target_link", "title", "blog_name", "excerpt", "content", "author_name", "author_link",
        "photo_link", "ip_address", "verify_error", "score", "reasons", "learned",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["status", "post_link", "kind", "mention_type", "received_at"]}),
        (
            _("From the source"),
            {"fields": ["source_link", "target_link", "title", "blog_name", "excerpt", "content"]},
        ),
        (_("Author"), {"fields": ["author_name", "author_link", "photo_link"]}),
        (_("Sent from"), {"fields": ["ip_address"]}),
        (
            _("Verification and spam filter"),
            {"fields": ["verified_at", "verify_error", "score", "reasons", "learned"]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # --- columns and read-only fields --------------------------------------------------

    @admin.display(description=_("source"), ordering="title")
    def source(self, linkback: Linkback) -> str | None:
        return outside_link(linkback.source_url, cropped(linkback.display_title, TITLE_CHARS))

    @admin.display(description=_("post"), ordering="post__title")
    def post_title(self, linkback: Linkback) -> str:
        return post_filter_link(linkback.post, hint=gettext("Only the linkbacks to this post"))

    @admin.display(description=_("site"))
    def source_host(self, linkback: Linkback) -> str:
        return urlsplit(linkback.source_url).hostname or ""

    @admin.display(description=_("spam score"), ordering="spam_score")
    def score(self, linkback: Linkback) -> str:
        return f"{linkback.spam_score:.2f}"

    @admin.display(description=_("post"))
    def post_link(self, linkback: Linkback) -> str:
        return own_post_link(linkback.post)

    @admin.display(description=_("source URL"))
    def source_link(self, linkback: Linkback) -> str | None:
        return outside_link(linkback.source_url)

    @admin.display(description=_("target URL"))
    def target_link(self, linkback: Linkback) -> str | None:
        return outside_link(linkback.target_url)

    @admin.display(description=_("author URL"))
    def author_link(self, linkback: Linkback) -> str | None:
        return outside_link(linkback.author_url)

    @admin.display(description=_("author photo"))
    def photo_link(self, linkback: Linkback) -> str | None:
        return outside_link(linkback.author_photo)

    @admin.display(description=_("why"))
    def reasons(self, linkback: Linkback) -> str:
        return reasons_list(linkback.spam_reasons)

    @admin.display(description=_("the classifier learned it as"))
    def learned(self, linkback: Linkback) -> str:
        return learned_as(linkback.trained_as)

    # --- saving and deleting through the services ---------------------------------------

    def save_with_service(
        self, request: HttpRequest, obj: Linkback, form: ModelForm[Linkback]
    ) -> None:
        if "status" in form.changed_data:
            linkbacks.linkback_set_status(linkback=obj, status=obj.status)

    def delete_model(self, request: HttpRequest, obj: Linkback) -> None:
        linkbacks.linkback_delete(linkback=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Linkback]) -> None:
        for linkback in queryset:
            linkbacks.linkback_delete(linkback=linkback)

    # --- bulk decisions -----------------------------------------------------------------

    def status_apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Linkback],
        status: str,
        done: Callable[[int], str],
    ) -> None:
        selected = list(queryset)
        changed = 0
        for linkback in selected:
            before = linkback.status
            try:
                after = linkbacks.linkback_set_status(linkback=linkback, status=status)
            except NotFound:
                continue  # deleted meanwhile
            changed += after.status != before
        self.message_user(request, decided(done, changed, len(selected) - changed))

    @admin.action(description=_("Approve selected linkbacks"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Linkback]) -> None:
        self.status_apply(
            request,
            queryset,
            LinkbackStatus.APPROVED,
            lambda n: ngettext("%(count)d linkback approved.", "%(count)d linkbacks approved.", n),
        )

    @admin.action(description=_("Mark selected linkbacks as spam"), permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Linkback]) -> None:
        self.status_apply(
            request,
            queryset,
            LinkbackStatus.SPAM,
            lambda n: ngettext(
                "%(count)d linkback marked as spam.", "%(count)d linkbacks marked as spam.", n
            ),
        )

    @admin.action(description=_("Reject selected linkbacks"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Linkback]) -> None:
        self.status_apply(
            request,
            queryset,
            LinkbackStatus.REJECTED,
            lambda n: ngettext("%(count)d linkback rejected.", "%(count)d linkbacks rejected.", n),
        )


@admin.register(OutboundPing)
class OutboundPingAdmin(GenericModelAdmin[OutboundPing]):
    """What happened to each linkback we sent; the worker writes it, nobody edits it."""

    list_display = [
        "post_title", "target", "protocol", "endpoint_link", "status", "attempts",
        "last_error", "last_attempt_at",
    ]  # fmt: skip
    list_display_links = ["target"]
    list_filter = ["status", "protocol", PostFilter]
    list_select_related = ["post"]
    search_fields = ["target_url", "endpoint"]
    ordering = ["-last_attempt_at", "-id"]
    actions = ["send_again_now"]
    fields = OUTBOUND_FIELDS
    readonly_fields = OUTBOUND_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundPing | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboundPing | None = None) -> bool:
        return False

    def has_send_permission(self, request: HttpRequest) -> bool:
        # The records themselves are read-only; who may change them may ask for a resend.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description=_("post"), ordering="post__title")
    def post_title(self, ping: OutboundPing) -> str:
        return post_filter_link(ping.post, hint=gettext("Only the linkbacks sent for this post"))

    @admin.display(description=_("target"), ordering="target_url")
    def target(self, ping: OutboundPing) -> str:
        return cropped(ping.target_url, TITLE_CHARS)

    @admin.display(description=_("post"))
    def post_link(self, ping: OutboundPing) -> str:
        return own_post_link(ping.post)

    @admin.display(description=_("target"))
    def target_link(self, ping: OutboundPing) -> str | None:
        return outside_link(ping.target_url)

    @admin.display(description=_("endpoint"))
    def endpoint_link(self, ping: OutboundPing) -> str | None:
        return outside_link(ping.endpoint)

    @admin.action(
        description=_("Send linkbacks again now for the posts of the selected"),
        permissions=["send"],
    )
    def send_again_now(self, request: HttpRequest, queryset: QuerySet[OutboundPing]) -> None:
        result = sending.outbound_send_now(pings=queryset)
        queued = len(result.queued)
        message = (
            ngettext(
                "Sending again for %(count)d post in the background.",
                "Sending again for %(count)d posts in the background.",
                queued,
            )
            % {"count": queued}
            if queued
            else gettext("Nothing to send.")
        )
        if result.not_live:
            ids = ", ".join(str(post_id) for post_id in result.not_live)
            message += " " + gettext("Not live, so not sent: post %(ids)s.") % {"ids": ids}
        self.message_user(request, message)
