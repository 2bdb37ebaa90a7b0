"""The comment form's signed token: proof that a submission came from our own form.

It replaces a session-bound CSRF token so that pages carrying the form can be cached and
served to every reader alike. Cross-site posting is stopped by the Origin/Referer check
that goes with it (views.same_origin), and the token's timestamp gives the spam filter the
time between showing the form and posting it.
"""

from __future__ import annotations

import time

from django.core import signing
from django.utils.translation import gettext

from yamabiko.core.exceptions import InvalidInput

SALT = "yamabiko.discussion.comment-form"
# Long enough for a cached page and a slow writer; short enough that a harvested token
# does not serve a spammer for ever.
MAX_AGE_SECONDS = 7 * 24 * 3600


class FormTokenInvalid(InvalidInput):
    """The form token is missing, forged, expired or for another post."""


def form_token_issue(*, post_id: int, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return signing.dumps({"p": post_id, "t": issued}, salt=SALT)


def form_token_age(token: str, *, post_id: int, now: float | None = None) -> float:
    """Seconds since the form was rendered; FormTokenInvalid if the token is not good."""
    if not token:
        raise FormTokenInvalid(gettext("the form token is missing; reload the page and try again"))
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise FormTokenInvalid(gettext("the form token is not valid; reload the page")) from error
    if not isinstance(data, dict) or data.get("p") != post_id or not isinstance(data.get("t"), int):
        raise FormTokenInvalid(gettext("the form token belongs to another page; reload the page"))
    issued: int = data["t"]
    age = (now if now is not None else time.time()) - issued
    if age > MAX_AGE_SECONDS or age < -60:
        raise FormTokenInvalid(gettext("the form has expired; reload the page and try again"))
    return max(age, 0.0)
