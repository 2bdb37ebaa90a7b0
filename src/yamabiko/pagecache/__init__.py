"""The full-page cache: anonymous GET and HEAD of public pages, answered before Django.

Keys carry a content generation that every change to shown content bumps in its own
transaction (generation.py), so invalidation is exact and reaches every process that shares
the database. Pages live in the "pages" cache alias: files in the data dir by default,
Redis when REDIS_URL is set.
"""

from __future__ import annotations

__all__ = ["content_changed"]


def content_changed() -> None:
    """Make every cached page stale; for writes that bypass model signals."""
    from yamabiko.pagecache.generation import content_changed as bump

    bump()
