"""Forms for the second step and for confirming who is changing two-factor settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yamabiko.accounts.services import SecondFactorLocked, second_factor_verify
from yamabiko.core.exceptions import InvalidInput

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

__all__ = ["CodeForm", "ReauthenticationForm"]


def code_field(label: StrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=64,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "size": 12}
        ),
    )


class CodeForm(forms.Form):
    code = code_field(_("Code"))


class ReauthenticationForm(forms.Form):
    """Either the password or a current code: who sits at a logged-in browser must prove
    they are its owner before changing how it is protected."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = code_field(_("Or a code (from your app, or a recovery code)"))

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.request = request
        self.locked = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = self.request.user
        assert isinstance(user, AbstractBaseUser)
        if data.get("code"):
            try:
                second_factor_verify(user=user, code=data["code"])
            except SecondFactorLocked as e:
                self.locked = True
                raise forms.ValidationError(str(e)) from e
            except InvalidInput as e:
                raise forms.ValidationError(str(e)) from e
        elif data.get("password"):
            # Through authenticate(), so that django-axes counts wrong passwords here too.
            again = authenticate(
                self.request, username=user.get_username(), password=data["password"]
            )
            if again is None or again.pk != user.pk:
                raise forms.ValidationError(_("That password is not right."))
        else:
            raise forms.ValidationError(_("Enter your password or a code."))
        return data
