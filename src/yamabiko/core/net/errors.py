"""What a fetch can fail with; every error carries a short machine word in ``reason``."""

from __future__ import annotations

from yamabiko.core.exceptions import YamabikoError

__all__ = ["BlockedAddress", "FetchError", "FetchFailed", "FetchTimeout", "TooManyRedirects"]


class FetchError(YamabikoError):
    """An outbound fetch did not produce a response.

    ``reason`` is one short word for logs and for callers that branch on the cause; ``url``
    is the URL of the hop that failed (after redirects, it is not the one first asked for).
    """

    default_reason = "failed"

    def __init__(self, message: str, *, reason: str | None = None, url: str = "") -> None:
        super().__init__(message)
        self.reason = reason or self.default_reason
        self.url = url


class BlockedAddress(FetchError):
    """Refused before any connection: the URL's scheme, userinfo, host, port or address.

    Reasons: ``scheme``, ``userinfo``, ``invalid-url``, ``port``, ``address``.
    """

    default_reason = "address"


class TooManyRedirects(FetchError):
    """More redirects than allowed (``redirects``) or a redirect back to a URL already visited
    (``redirect-loop``)."""

    default_reason = "redirects"


class FetchTimeout(FetchError):
    """The fetch ran past its connect timeout or its total deadline (``timeout``)."""

    default_reason = "timeout"


class FetchFailed(FetchError):
    """The network said no: ``dns``, ``connect`` (refused, unreachable), ``tls``, ``protocol``
    (a broken HTTP exchange) or ``encoding`` (a Content-Encoding we cannot decode safely)."""

    default_reason = "failed"
