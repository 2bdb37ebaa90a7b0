"""Forms for writing in the admin: Markdown with a live preview, tags typed as text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yamabiko.core.text import render_markdown
from yamabiko.posts.models import Category, Post, Redirect, Tag

if TYPE_CHECKING:
    _PostForm = forms.ModelForm[Post]
    _CategoryForm = forms.ModelForm[Category]
    _RedirectForm = forms.ModelForm[Redirect]
    _CategoryChoiceField = forms.ModelChoiceField[Category]
    _CategoryMultipleChoiceField = forms.ModelMultipleChoiceField[Category]
else:
    _PostForm = _CategoryForm = _RedirectForm = forms.ModelForm
    _CategoryChoiceField = forms.ModelChoiceField
    _CategoryMultipleChoiceField = forms.ModelMultipleChoiceField

# Japanese and Chinese keyboards type their own commas; authors should not have to switch.
TAG_SEPARATORS = re.compile(r"[,、，]")
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length or 100


class MarkdownPreviewWidget(forms.Textarea):
    """A Markdown textarea beside a pane that admin-preview.js keeps rendered as one types.

    The pane starts with the server's rendering of the current text, so it is right before
    any script runs and stays useful without JavaScript.
    """

    template_name = "admin/posts/widgets/markdown_preview.html"

    class Media:
        css = {"all": ["posts/admin-preview.css"]}
        js = [forms.Script("posts/admin-preview.js", defer=True)]

    def __init__(
        self, *, preview_url: str, label: str = "Preview", attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs={"class": "markdown-editor__source", "rows": 18, **(attrs or {})})
        self.preview_url = preview_url
        self.label = label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        pane_id = f"{widget['attrs'].get('id') or f'id_{name}'}_preview"
        widget["preview"] = {
            "url": self.preview_url,
            "label": self.label,
            "id": pane_id,
            # render_markdown's output has been through nh3; marking it safe only stops the
            # template from escaping the markup a second time.
            "html": mark_safe(render_markdown(widget["value"] or "")),  # noqa: S308
        }
        return context


def category_label(category: Category) -> str:
    """A category as choice lists show it: subcategories with their path, to tell them apart."""
    return f"{category.name} ({category.path})" if category.parent_id else category.name


class CategoryChoiceField(_CategoryChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return category_label(obj)


class CategoryMultipleChoiceField(_CategoryMultipleChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return category_label(obj)


def tag_names_from_text(text: str) -> list[str]:
    """Names from "a, b、c": trimmed, inner whitespace collapsed, duplicates dropped."""
    names: list[str] = []
    seen: set[str] = set()
    for raw in TAG_SEPARATORS.split(text):
        name = " ".join(raw.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class PostAdminForm(_PostForm):
    """The post form; the admin saves it through services.post_save, never form.save_m2m."""

    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),
        help_text=_("Separate tags with commas. Tags that do not exist yet are created."),
    )

    class Meta:
        model = Post
        fields = [
            "title", "slug", "body", "extended", "excerpt", "status", "published_at", "author",
            "is_sticky", "categories", "primary_category", "allow_comments", "allow_pings",
            "ping_urls",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = gettext(
                "The last part of the post's URL. Left empty, it is made from the title "
                "(Japanese, Chinese and Korean titles keep their characters). Taken slugs get "
                "a number added. Changing the slug of a live post leaves a redirect behind."
            )
        if "status" in self.fields:
            self.fields["status"].help_text = gettext(
                "Draft: not public. Published: goes live at the date below, or now when the "
                "date is empty; a date in the future makes it Scheduled. Scheduled: needs a "
                "date, and the post appears by itself at that time."
            )
        if "published_at" in self.fields:
            zone = timezone.get_current_timezone_name()
            self.fields["published_at"].help_text = gettext(
                "Publish now: status Published and leave this empty. Schedule: pick a future "
                "date and time (the blog's time zone, %(zone)s)."
            ) % {"zone": zone}
        if "primary_category" in self.fields:
            self.fields["primary_category"].help_text = gettext(
                "Shown as “Category:” on the post. Empty means the first of its categories; "
                "a primary category is added to the categories if it is not among them."
            )

    def clean_tag_names(self) -> list[str]:
        names = tag_names_from_text(self.cleaned_data.get("tag_names") or "")
        too_long = [name for name in names if len(name) > TAG_NAME_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                gettext("A tag name can have at most %(limit)d characters: %(names)s")
                % {"limit": TAG_NAME_MAX_LENGTH, "names": ", ".join(too_long)}
            )
        return names

    def clean_ping_urls(self) -> str:
        validate = URLValidator(schemes=["http", "https"])
        urls: list[str] = []
        for line in (self.cleaned_data.get("ping_urls") or "").splitlines():
            url = line.strip()
            if not url:
                continue
            try:
                validate(url)
            except ValidationError as error:
                raise ValidationError(
                    gettext("Not an http(s) URL: %(url)s") % {"url": url}
                ) from error
            urls.append(url)
        return "\n".join(urls)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        categories = list(cleaned_data.get("categories") or [])
        primary = cleaned_data.get("primary_category")
        if primary is not None and primary not in categories:
            categories.append(primary)
        if "categories" in cleaned_data:
            cleaned_data["categories"] = categories
        return cleaned_data

    def validate_unique(self) -> None:
        # The slug is Post's only unique field, and post_save makes a taken slug unique by
        # adding a number: a clash is not the author's mistake to fix.
        return


class CategoryAdminForm(_CategoryForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = gettext(
                "Part of its URL. Left empty, it is made from the name."
            )


class RedirectAdminForm(_RedirectForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]
        help_texts = {
            "old_path": _("The path readers ask for, such as /2024/05/old-slug/."),
            "new_path": _(
                "Where they are sent with 301 Moved Permanently: a path on this site or a full "
                "http(s) URL. Leave empty to answer 410 Gone."
            ),
        }

    def clean_old_path(self) -> str:
        old_path = str(self.cleaned_data["old_path"]).strip()
        if not old_path.startswith("/") or old_path.startswith("//"):
            raise ValidationError(_("Give a path on this site, starting with a single /."))
        return old_path

    def clean_new_path(self) -> str:
        new_path = str(self.cleaned_data.get("new_path") or "").strip()
        if not new_path:
            return ""
        if new_path.startswith("/") and not new_path.startswith("//"):
            return new_path
        try:
            URLValidator(schemes=["http", "https"])(new_path)
        except ValidationError as error:
            raise ValidationError(
                _("Give a path starting with / or a full http(s) URL, or leave it empty.")
            ) from error
        return new_path

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        if cleaned_data.get("old_path") and cleaned_data.get("old_path") == cleaned_data.get(
            "new_path"
        ):
            self.add_error("new_path", _("A redirect to itself would loop forever."))
        return cleaned_data
