"""The reader's comment form: named fields a browser without JavaScript can post."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yamabiko.discussion.models import BODY_MAX_LENGTH, NAME_MAX_LENGTH, URL_MAX_LENGTH

HONEYPOT_FIELD = "homepage"


def http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise forms.ValidationError(_("A website address must start with http:// or https://."))


class CommentForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": _("Please give a name."),
            # Django fills in %(limit_value)d: the number the field was made with.
            "max_length": _("That name is too long (at most %(limit_value)d characters)."),
        },
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        help_text=_("Optional; never shown."),
        error_messages={"invalid": _("That email address does not look right.")},
    )
    url = forms.CharField(
        required=False,
        max_length=URL_MAX_LENGTH,
        label=_("Website"),
        validators=[http_url],
        error_messages={"max_length": _("That address is too long (at most %(limit_value)d).")},
    )
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("The comment is empty."),
            "max_length": format_lazy(
                _("The comment is too long (at most {limit} characters)."),
                limit=f"{BODY_MAX_LENGTH:,}",
            ),
        },
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    remember = forms.BooleanField(required=False, label=_("Remember my name, email and website"))
    # Named like a real field so bots fill it; hidden from people and assistive technology.
    homepage = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in ("name", "email", "url", "body"):
            if isinstance(cleaned.get(field), str):
                cleaned[field] = cleaned[field].strip()
        if isinstance(cleaned.get("name"), str):
            # A name is one line: breaks in it would end up in mail headers and page layout.
            cleaned["name"] = " ".join(cleaned["name"].split())
        if "body" in cleaned and not cleaned["body"]:
            self.add_error("body", _("The comment is empty."))
        return cleaned
