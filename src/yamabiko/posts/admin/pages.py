"""Static pages, and the redirects that keep old URLs working (or gone, with 410)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yamabiko.posts import services
from yamabiko.posts.admin.base import GenericModelAdmin, ServiceAdmin, WritingAdmin
from yamabiko.posts.forms import RedirectAdminForm
from yamabiko.posts.models import Page, Redirect


@admin.register(Page)
class PageAdmin(ServiceAdmin[Page], WritingAdmin[Page]):
    markdown_fields = ("body",)
    fields = ["title", "slug", "body", "status", "menu_order", "show_in_menu", "author"]
    list_display = ["title", "url", "status", "menu_order", "show_in_menu", "author"]
    list_editable = ["menu_order", "show_in_menu"]
    list_filter = ["status", "show_in_menu"]
    list_select_related = ["author"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ("title",)}
    radio_fields = {"status": admin.HORIZONTAL}

    @admin.display(description=_("URL"), ordering="slug")
    def url(self, page: Page) -> str:
        return page.get_absolute_url()

    def save_with_service(self, request: HttpRequest, obj: Page, form: ModelForm[Page]) -> None:
        if obj.author_id is None:
            obj.author_id = request.user.pk
        services.page_save(page=obj)

    def delete_model(self, request: HttpRequest, obj: Page) -> None:
        services.page_delete(page=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Page]) -> None:
        for page in queryset:
            services.page_delete(page=page)


@admin.register(Redirect)
class RedirectAdmin(GenericModelAdmin[Redirect]):
    form = RedirectAdminForm
    list_display = ["old_path", "target", "created_at"]
    search_fields = ["old_path", "new_path"]

    @admin.display(description=_("answer"), ordering="new_path")
    def target(self, redirect: Redirect) -> str:
        return f"301 → {redirect.new_path}" if redirect.new_path else "410 Gone"
