"""Static pages, and the redirects that keep old URLs working (or gone, with 410)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yamabiko.posts.admin.base import GenericModelAdmin, WritingAdmin
from yamabiko.posts.forms import RedirectAdminForm
from yamabiko.posts.models import Page, Redirect


@admin.register(Page)
class PageAdmin(WritingAdmin[Page]):
    markdown_fields = ("body",)
    fields = ["title", "slug", "body", "status", "menu_order", "show_in_menu", "author"]
    list_display = ["title", "url", "status", "menu_order", "show_in_menu", "author"]
    list_editable = ["menu_order", "show_in_menu"]
    list_filter = ["status", "show_in_menu"]
    list_select_related = ["author"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ("title",)}
    radio_fields = {"status": admin.HORIZONTAL}

    @admin.display(description="URL", ordering="slug")
    def url(self, page: Page) -> str:
        return page.get_absolute_url()

    def save_model(self, request: HttpRequest, obj: Page, form: Any, change: Any) -> None:
        if obj.author_id is None:
            obj.author_id = request.user.pk
        super().save_model(request, obj, form, change)


@admin.register(Redirect)
class RedirectAdmin(GenericModelAdmin[Redirect]):
    form = RedirectAdminForm
    list_display = ["old_path", "target", "created_at"]
    search_fields = ["old_path", "new_path"]

    @admin.display(description="answer", ordering="new_path")
    def target(self, redirect: Redirect) -> str:
        return f"301 → {redirect.new_path}" if redirect.new_path else "410 Gone"
