"""The admin pages for two-factor login: the second step, set-up, recovery codes, turning off.

Each page is wrapped by the admin site's ``admin_view``: staff only, never cached, CSRF
checked. TwoFactorMiddleware keeps every other admin page out of reach until the second
step is done.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from yamabiko.accounts import services
from yamabiko.accounts.forms import CodeForm, ReauthenticationForm
from yamabiko.accounts.qr import qr_svg
from yamabiko.core.exceptions import InvalidInput

__all__ = ["disable", "overview", "recovery_codes", "setup", "setup_start", "verify"]

LOCKED = 429


def page(
    request: HttpRequest, template: str, title: str, status: int = 200, **context: Any
) -> TemplateResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    return TemplateResponse(request, f"accounts/{template}", context, status=status)


def author(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # admin_view let only staff in
    return user


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data, or None to leave a form unbound; an empty POST is still a POST."""
    return request.POST if request.method == "POST" else None


def next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else reverse("admin:index")


def verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the app or a recovery code."""
    if not services.second_step_pending(request.user):
        return HttpResponseRedirect(next_url(request))
    form = CodeForm(posted(request))
    status = 200
    if form.is_valid():
        try:
            device = services.second_factor_verify(
                user=author(request), code=form.cleaned_data["code"]
            )
        except services.SecondFactorLocked as e:
            form.add_error("code", str(e))
            status = LOCKED
        except InvalidInput as e:
            form.add_error("code", str(e))
        else:
            # A new session id for the raised privilege, as login() gives one for the first.
            request.session.cycle_key()
            otp_login(request, device)
            return HttpResponseRedirect(next_url(request))
    # No links into the admin: they would all lead back here.
    return page(
        request,
        "verify.html",
        gettext("Two-factor login"),
        status,
        form=form,
        next=next_url(request),
        has_permission=False,
        is_nav_sidebar_enabled=False,
    )


def overview(request: HttpRequest) -> HttpResponse:
    user = author(request)
    return page(
        request,
        "overview.html",
        gettext("Two-factor login"),
        enabled=services.twofactor_enabled(user=user),
        codes_left=services.recovery_codes_left(user=user),
    )


@require_POST
def setup_start(request: HttpRequest) -> HttpResponse:
    try:
        services.totp_begin(user=author(request))
    except InvalidInput as e:
        messages.error(request, str(e))
        return redirect("accounts:twofactor")
    return redirect("accounts:setup")


def setup(request: HttpRequest) -> HttpResponse:
    """Show the new secret; a correct code from the app turns two-factor login on."""
    user = author(request)
    device = services.totp_pending(user=user)
    if device is None:
        return redirect("accounts:twofactor")
    form = CodeForm(posted(request))
    if form.is_valid():
        try:
            device, codes = services.totp_confirm(user=user, code=form.cleaned_data["code"])
        except (InvalidInput, services.SecondFactorLocked) as e:
            form.add_error("code", str(e))
        else:
            otp_login(request, device)  # the code just given is this session's second step
            return page(request, "recovery_codes.html", gettext("Your recovery codes"), codes=codes)
    return page(
        request,
        "setup.html",
        gettext("Set up two-factor login"),
        form=form,
        secret=services.totp_secret(device),
        uri=device.config_url,
        qr=qr_svg(device.config_url),
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = author(request)
    if not services.twofactor_enabled(user=user):
        return redirect("accounts:twofactor")
    form = ReauthenticationForm(request, posted(request))
    if form.is_valid():
        codes = services.recovery_codes_regenerate(user=user)
        return page(request, "recovery_codes.html", gettext("Your new recovery codes"), codes=codes)
    return reauthenticate_page(
        request,
        form,
        title=gettext("New recovery codes"),
        action=gettext("Make new recovery codes"),
        explanation=gettext("The recovery codes you have now will stop working."),
    )


def disable(request: HttpRequest) -> HttpResponse:
    user = author(request)
    if not services.twofactor_enabled(user=user):
        return redirect("accounts:twofactor")
    form = ReauthenticationForm(request, posted(request))
    if form.is_valid():
        services.twofactor_disable(user=user)
        messages.success(
            request, gettext("Two-factor login is off. Your password alone now logs in.")
        )
        return redirect("accounts:twofactor")
    return reauthenticate_page(
        request,
        form,
        title=gettext("Turn off two-factor login"),
        action=gettext("Turn off two-factor login"),
        explanation=gettext(
            "Your password alone will log you in; your recovery codes stop working."
        ),
    )


def reauthenticate_page(
    request: HttpRequest,
    form: ReauthenticationForm,
    *,
    title: str,
    action: str,
    explanation: str,
) -> HttpResponse:
    """The password-or-code form that guards a change; 429 while the author is locked out."""
    return page(
        request,
        "reauthenticate.html",
        title,
        LOCKED if form.locked else 200,
        form=form,
        action=action,
        explanation=explanation,
    )
