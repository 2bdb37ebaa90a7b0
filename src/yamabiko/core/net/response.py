"""The response value, and reading a body under the byte cap."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from yamabiko.core.net.errors import FetchFailed

__all__ = ["Response", "header_text", "read_capped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """What came back from the last hop: its URL, status, headers as received and the body,
    cut at the byte cap (``truncated`` says whether anything was cut)."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (any case), in the order received."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def content_type(self) -> str | None:
        """The media type without parameters, lowercased (``text/html``), or None."""
        value = self.header("content-type")
        media = value.partition(";")[0].strip().lower() if value else ""
        return media or None

    @property
    def charset(self) -> str | None:
        """The Content-Type ``charset`` parameter, lowercased, or None."""
        value = self.header("content-type") or ""
        for parameter in value.split(";")[1:]:
            name, _, raw = parameter.partition("=")
            if name.strip().lower() == "charset":
                return raw.strip().strip("\"'").lower() or None
        return None

    def text(self) -> str:
        """The body decoded with its charset, or UTF-8; undecodable bytes become U+FFFD."""
        if self.charset:
            try:
                return self.body.decode(self.charset, errors="replace")
            except LookupError:
                pass  # an unknown or non-text codec name: fall back to UTF-8
        return self.body.decode("utf-8", errors="replace")


def header_text(raw: bytes) -> str:
    # RFC 9110 §5.5: field values are octets; UTF-8 in practice, ISO-8859-1 historically.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_capped(
    chunks: Iterable[bytes], *, cap: int, codings: list[str], url: str
) -> tuple[bytes, bool]:
    """Read at most ``cap`` bytes off the wire and keep at most ``cap`` decoded bytes.

    We send ``Accept-Encoding: identity``; a server that compresses anyway gets gzip or
    deflate decoded through a decompressor told never to produce more than the room left,
    so a small compressed bomb cannot inflate in memory. Other codings are refused.
    """
    layers = [c.strip().lower() for value in codings for c in value.split(",")]
    layers = [layer for layer in layers if layer and layer != "identity"]
    inflate = None
    if layers in (["gzip"], ["x-gzip"], ["deflate"]):
        # 32 + MAX_WBITS: accept a gzip or a zlib header (what servers send as "deflate").
        inflate = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
    elif layers:
        raise FetchFailed(
            f"{url}: cannot decode Content-Encoding {', '.join(layers)}", reason="encoding", url=url
        )
    body = bytearray()
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if inflate is None:
            body += chunk
        else:
            try:
                body += inflate.decompress(chunk, cap - len(body) + 1)
            except zlib.error as error:
                raise FetchFailed(
                    f"{url}: broken {layers[0]} body", reason="encoding", url=url
                ) from error
        if len(body) > cap or received > cap:
            return bytes(body[:cap]), True
    return bytes(body), False
