"""The blog's settings: one record, edited in place."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from yamabiko.posts.admin.base import GenericModelAdmin
from yamabiko.posts.models import Blog


@admin.register(Blog)
class BlogAdmin(GenericModelAdmin[Blog]):
    """A singleton: no list, no adding, no deleting; every way in leads to the one record."""

    def change_url(self, blog: Blog) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[blog.pk],
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Blog.load() creates the record on first use (BlogMiddleware calls it on every
        # request), so there is never a second one to add.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Blog | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(self.change_url(Blog.load()))

    def response_post_save_change(self, request: HttpRequest, obj: Blog) -> HttpResponseRedirect:
        return HttpResponseRedirect(self.change_url(obj))
