"""What the content admins share: saving through services, and writing Markdown."""

from __future__ import annotations

import types
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.forms import Field as FormField
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yamabiko.core.exceptions import InvalidInput, YamabikoError
from yamabiko.core.text import render_markdown
from yamabiko.posts.forms import MarkdownPreviewWidget

if TYPE_CHECKING:
    GenericModelAdmin = admin.ModelAdmin
else:

    class GenericModelAdmin[M: models.Model](admin.ModelAdmin):
        """ModelAdmin, subscriptable at run time as django-stubs declares it."""


# Enough for a very long post; past it the preview would only make the server work hard.
PREVIEW_MAX_CHARS = 200_000

# Set while a change form runs again to show a service's refusal (see ServiceAdmin).
_refusal: ContextVar[str | None] = ContextVar("yamabiko_admin_refusal", default=None)


class _Refused(YamabikoError):
    """A service refused the form's data; carries its message back to the form."""


def form_with_error[M: models.Model](
    form_class: type[ModelForm[M]], message: str
) -> type[ModelForm[M]]:
    """A subclass of ``form_class`` whose validation always ends with ``message``."""

    def clean(form: ModelForm[M]) -> dict[str, Any] | None:
        cleaned_data = form_class.clean(form)
        form.add_error(None, message)
        return cleaned_data

    subclass = types.new_class(
        form_class.__name__,
        (form_class,),
        exec_body=lambda namespace: namespace.update(clean=clean),
    )
    return cast("type[ModelForm[M]]", subclass)


class ServiceAdmin[M: models.Model](GenericModelAdmin[M]):
    """A ModelAdmin that saves through a service and shows its InvalidInput as a form error.

    The admin saves inside a transaction and has no hook between save_model and the
    response, so a refusal raises _Refused: that rolls the transaction back (tags the save
    created included), and the view then runs once more with the message attached to the
    form, which re-renders it with the author's input and the error instead of a 500.
    """

    def save_with_service(self, request: HttpRequest, obj: M, form: ModelForm[M]) -> None:
        """Subclasses call their model's service here; this default is the plain save."""
        obj.save()

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: Any) -> None:
        try:
            self.save_with_service(request, obj, form)
        except InvalidInput as error:
            raise _Refused(str(error)) from error

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            token = _refusal.set(str(refused))
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                _refusal.reset(token)

    def get_form(
        self, request: HttpRequest, obj: M | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[M]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        message = _refusal.get()
        return form_class if message is None else form_with_error(form_class, message)


class WritingAdmin[M: models.Model](GenericModelAdmin[M]):
    """Markdown fields with a live preview, and an author who defaults to the writer.

    The preview is an admin URL of the model (``…/preview/``) so that it needs the same
    login and permissions as the form it serves.
    """

    markdown_fields: ClassVar[tuple[str, ...]] = ()

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "preview/",
            self.admin_site.admin_view(require_POST(self.preview_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_preview",
        )
        # First, or the change view's "<path:object_id>/" would take the URL.
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return JsonResponse({"error": gettext("You may not write here.")}, status=403)
        text = request.POST.get("text", "")
        if len(text) > PREVIEW_MAX_CHARS:
            return JsonResponse(
                {
                    "error": gettext(
                        "The preview shows at most %(limit)s characters; this text has "
                        "%(length)s. Saving still works."
                    )
                    % {"limit": f"{PREVIEW_MAX_CHARS:,}", "length": f"{len(text):,}"}
                },
                status=413,
            )
        return JsonResponse({"html": render_markdown(text)})

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        if db_field.name in self.markdown_fields:
            preview_url = reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_preview"
            )
            kwargs["widget"] = MarkdownPreviewWidget(
                preview_url=preview_url,
                label=gettext("Preview: %(field)s") % {"field": db_field.verbose_name},
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "author":
            # Staff can write; a former writer stays a valid choice on their own posts.
            writers = self.model._default_manager.values("author")
            kwargs["queryset"] = get_user_model()._default_manager.filter(
                Q(is_staff=True) | Q(pk__in=writers)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", str(request.user.pk))
        return initial
