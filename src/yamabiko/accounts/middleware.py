"""Hold a logged-in author who owes their second factor at the code page.

Until the code is given the password alone must not count: every admin URL leads to the
code page (only that page and logging out work), and everywhere else the request is
anonymous, so no other view (a staff comment approved without moderation, say) trusts a
login that is only half done. Goes after django-otp's OTPMiddleware, which finds the
device that verified this session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from yamabiko.accounts.services import second_step_pending

__all__ = ["TwoFactorMiddleware"]


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie nobody is logged in; not touching the session keeps
        # readers' pages free of "Vary: Cookie", and so cacheable.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and second_step_pending(request.user):
            verify = reverse("accounts:verify")
            if request.path == verify or request.path == reverse("admin:logout"):
                return self.get_response(request)
            if request.path.startswith(reverse("admin:index")):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{verify}?{query}")
            request.user = AnonymousUser()
        return self.get_response(request)
