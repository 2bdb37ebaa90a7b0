"""The post admin: where authors write, schedule and file their posts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import F
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yamabiko.posts import services
from yamabiko.posts.admin.base import ServiceAdmin, WritingAdmin
from yamabiko.posts.forms import CategoryChoiceField, CategoryMultipleChoiceField, PostAdminForm
from yamabiko.posts.models import Post, PostStatus

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


def local_time(post: Post) -> str:
    if post.published_at is None:
        return ""
    when = formats.date_format(timezone.localtime(post.published_at), "DATETIME_FORMAT")
    return f"{when} ({timezone.get_current_timezone_name()})"


class StatusFilter(admin.SimpleListFilter):
    """Status as readers experience it: a scheduled post whose time has come is published."""

    title = _("status")
    parameter_name = "status"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in PostStatus.choices]

    def queryset(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> models.QuerySet[Any]:
        now = timezone.now()
        going_live = queryset.filter(status__in=[PostStatus.PUBLISHED, PostStatus.SCHEDULED])
        match self.value():
            case PostStatus.DRAFT:
                return queryset.filter(status=PostStatus.DRAFT)
            case PostStatus.SCHEDULED:
                return going_live.filter(published_at__gt=now)
            case PostStatus.PUBLISHED:
                return going_live.filter(published_at__lte=now)
        return queryset


@admin.register(Post)
class PostAdmin(ServiceAdmin[Post], WritingAdmin[Post]):
    form = PostAdminForm
    markdown_fields = ("body", "extended")
    list_display = [
        "title", "state", "published_at", "primary_category", "author", "comments", "trackbacks",
    ]  # fmt: skip
    list_select_related = ["author", "primary_category"]
    list_filter = [StatusFilter, "categories", ("author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    # Drafts have no date; they come first on every database, not only on PostgreSQL.
    ordering = [F("published_at").desc(nulls_first=True), "-id"]
    prepopulated_fields = {"slug": ("title",)}
    radio_fields = {"status": admin.HORIZONTAL}
    filter_horizontal = ["categories"]
    readonly_fields = ["visibility"]

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None) -> _FieldsetSpec:
        # What the saved post's status means for readers; nothing to say before it exists.
        visibility = ["visibility"] if obj is not None else []
        return [
            (None, {"fields": ["title", "slug", "body", "extended", "excerpt"]}),
            (
                _("Publishing"),
                {"fields": ("status", "published_at", *visibility, "author", "is_sticky")},
            ),
            (
                _("Categories and tags"),
                {"fields": ["categories", "primary_category", "tag_names"]},
            ),
            (_("Discussion"), {"fields": ["allow_comments", "allow_pings", "ping_urls"]}),
        ]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "primary_category":
            kwargs["form_class"] = CategoryChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "categories":
            kwargs["form_class"] = CategoryMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("status"), ordering="status")
    def state(self, post: Post) -> str:
        if post.status == PostStatus.DRAFT:
            return str(PostStatus.DRAFT.label)
        if post.is_live():
            return str(PostStatus.PUBLISHED.label)
        return str(PostStatus.SCHEDULED.label)

    @admin.display(description=_("comments"), ordering="comment_count")
    def comments(self, post: Post) -> int:
        return post.comment_count

    @admin.display(description=_("trackbacks"), ordering="trackback_count")
    def trackbacks(self, post: Post) -> int:
        return post.trackback_count

    @admin.display(description=_("visibility"))
    def visibility(self, post: Post) -> str:
        if post.status == PostStatus.DRAFT:
            return gettext("Draft: not public.")
        if post.is_live():
            return gettext("Live since %(when)s.") % {"when": local_time(post)}
        return gettext("Scheduled: goes live by itself on %(when)s.") % {"when": local_time(post)}

    def save_with_service(self, request: HttpRequest, obj: Post, form: ModelForm[Post]) -> None:
        if obj.author_id is None:
            obj.author_id = request.user.pk
        wanted_slug = obj.slug
        cleaned_data = form.cleaned_data
        # A field left out of the form (a narrower fieldset) leaves that relation alone.
        tags = (
            services.tags_for_names(cleaned_data["tag_names"])
            if "tag_names" in cleaned_data
            else None
        )
        services.post_save(post=obj, categories=cleaned_data.get("categories"), tags=tags)
        if wanted_slug and obj.slug != wanted_slug:
            self.message_user(
                request,
                gettext("The slug “%(wanted)s” was taken, so this post's is “%(slug)s”.")
                % {"wanted": wanted_slug, "slug": obj.slug},
                messages.WARNING,
            )
        if obj.status == PostStatus.SCHEDULED:
            message = gettext("“%(post)s” is scheduled: it goes live on %(when)s.") % {
                "post": obj,
                "when": local_time(obj),
            }
            self.message_user(request, message, messages.INFO)

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Post]) -> None:
        # One by one through the service, so every deleted permalink answers 410.
        for post in queryset:
            services.post_delete(post=post)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        # post_save has set the categories and tags already; form.save_m2m() would set the
        # categories a second time and knows nothing of tags typed as text.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
