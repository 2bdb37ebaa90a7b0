"""The shapes the demo content is written in: plain data, saved by ``load``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from yamabiko.posts.models import PostStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCategory:
    name: str
    # The name of an earlier category in the same tuple; empty for a top-level one.
    parent: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPost:
    title: str
    # Counted back from the day of loading, in the blog's time zone, so the demo always
    # looks current; a negative number is a day still to come (a scheduled post).
    days_ago: int
    at: time
    # Category names; the first is the one shown under the title.
    categories: tuple[str, ...]
    tags: tuple[str, ...] = ()
    body: str
    extended: str = ""
    excerpt: str = ""
    status: PostStatus = PostStatus.PUBLISHED
    is_sticky: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPage:
    title: str
    slug: str
    body: str
    menu_order: int = 0
    show_in_menu: bool = True
