"""Categories (a tree, saved through services.category_save) and tags."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yamabiko.posts import services
from yamabiko.posts.admin.base import GenericModelAdmin, ServiceAdmin
from yamabiko.posts.forms import CategoryAdminForm, CategoryChoiceField
from yamabiko.posts.models import Category, Tag


def post_count(obj: models.Model) -> int:
    return int(getattr(obj, "post_count", 0))


@admin.register(Category)
class CategoryAdmin(ServiceAdmin[Category]):
    form = CategoryAdminForm
    fields = ["name", "slug", "parent", "description"]
    list_display = ["name", "url", "parent", "number_of_posts"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "path"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Category]:
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "parent":
            kwargs["form_class"] = CategoryChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("URL"), ordering="path")
    def url(self, category: Category) -> str:
        return category.get_absolute_url()

    @admin.display(description=_("posts"), ordering="post_count")
    def number_of_posts(self, category: Category) -> int:
        return post_count(category)

    def save_with_service(
        self, request: HttpRequest, obj: Category, form: ModelForm[Category]
    ) -> None:
        # category_save refuses a parent that is the category itself or one of its
        # descendants, and rewrites the stored paths of the whole subtree.
        services.category_save(category=obj)


@admin.register(Tag)
class TagAdmin(GenericModelAdmin[Tag]):
    fields = ["name", "slug"]
    list_display = ["name", "slug", "number_of_posts"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Tag]:
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description=_("posts"), ordering="post_count")
    def number_of_posts(self, tag: Tag) -> int:
        return post_count(tag)
