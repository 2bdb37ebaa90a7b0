"""The Content-Security-Policy every response carries, and the nonce rules around it.

The policy is strict in the sense of CSP Level 3: a script runs only if its tag carries
this response's nonce ('strict-dynamic' lets it load others), so markup that slips into a
page, from a comment or an imported post, cannot run anything. Our own scripts are files
with the nonce; nothing of ours is inline. Everything else the page loads comes from the
site itself, except images and media, which imported posts often keep on other hosts.

Cached pages: a page kept by the page cache is sent with the header it was rendered with,
so its readers share a nonce until the content changes. That is no help to an attacker: a
nonce learnt from a page is only good for markup that page already holds, and anything
new, a comment or an edited post, changes the generation and so the next render's nonce.
Pages mirrored for nginx take the nonce of their mirror directory (see mirror.py).
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.utils.csp import CSP

__all__ = [
    "ALIGNMENTS",
    "NONCE_ATTRIBUTE",
    "alignment_style",
    "content_security_policy",
    "nonce_replace",
]

# The only inline style the sanitizer lets through is a table cell's alignment (Markdown
# tables and imported posts write it as style="text-align:…"). The policy allows exactly
# these attribute values by hash ('unsafe-hashes' covers style attributes, nothing else).
ALIGNMENTS = ("left", "center", "right", "justify", "start", "end")
ALIGNMENT = re.compile(r"text-align\s*:\s*([a-zA-Z]+)")
NONCE_ATTRIBUTE = re.compile(rb'nonce="([A-Za-z0-9_-]+)"')


def alignment_style(value: str) -> str | None:
    """The canonical form of an allowed style attribute, or None to drop it."""
    found = ALIGNMENT.search(value)
    if found is None or found.group(1).lower() not in ALIGNMENTS:
        return None
    return f"text-align:{found.group(1).lower()}"


def style_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(*, https: bool) -> dict[str, list[str] | bool]:
    """Django's SECURE_CSP: the enforced policy for every page, admin included."""
    policy: dict[str, list[str] | bool] = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.NONCE, CSP.STRICT_DYNAMIC],
        "style-src": [
            CSP.SELF,
            CSP.UNSAFE_HASHES,
            *(style_hash(f"text-align:{side}") for side in ALIGNMENTS),
        ],
        # Imported posts link images and media from their old hosts and from anywhere.
        "img-src": [CSP.SELF, "data:", "https:", "http:"],
        "media-src": [CSP.SELF, "https:", "http:"],
        "connect-src": [CSP.SELF],
        "font-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }
    if https:
        policy["upgrade-insecure-requests"] = True
    return policy


def nonce_replace(body: bytes, old: str, new: str) -> bytes:
    """``body`` with every ``nonce="old"`` attribute made ``nonce="new"``."""
    return body.replace(f'nonce="{old}"'.encode(), f'nonce="{new}"'.encode())
