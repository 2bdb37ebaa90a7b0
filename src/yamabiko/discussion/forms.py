"""The reader's comment form: named fields a browser without JavaScript can post."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms

from yamabiko.discussion.models import BODY_MAX_LENGTH, NAME_MAX_LENGTH, URL_MAX_LENGTH

HONEYPOT_FIELD = "homepage"


def http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise forms.ValidationError("A website address must start with http:// or https://.")


class CommentForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": "Please give a name.", "max_length": "That name is too long "
                        f"(at most {NAME_MAX_LENGTH} characters)."},
    )  # fmt: skip
    email = forms.EmailField(
        required=False,
        max_length=254,
        help_text="Optional; never shown.",
        error_messages={"invalid": "That email address does not look right."},
    )
    url = forms.CharField(
        required=False,
        max_length=URL_MAX_LENGTH,
        label="Website",
        validators=[http_url],
        error_messages={"max_length": f"That address is too long (at most {URL_MAX_LENGTH})."},
    )
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "The comment is empty.",
            "max_length": f"The comment is too long (at most {BODY_MAX_LENGTH:,} characters).",
        },
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    remember = forms.BooleanField(required=False, label="Remember my name, email and website")
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
            self.add_error("body", "The comment is empty.")
        return cleaned
