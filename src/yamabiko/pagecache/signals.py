"""Bump the content generation whenever a model that public pages show is written.

The receivers run inside the transaction of the write, so the bump commits or rolls back
with it (STYLE rule 8 asks handlers only to enqueue work; a purge queued for later would
leave a window in which the old pages are served as new, so this one writes). Raw saves
(fixture loading, restoring a native export) do not: a restore writes a row at a time and
bumps once when it is done.

Writes that bypass signals (``QuerySet.update``, ``bulk_create``) must call
``content_changed()`` themselves, unless a signalled write in the same transaction
already bumps (``comment_count_refresh`` runs after the comment's own save).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from yamabiko.discussion.models import Comment, Linkback
from yamabiko.pagecache.generation import content_changed
from yamabiko.posts.models import Blog, Category, Page, Post, Redirect, Tag

__all__ = ["SHOWN_MODELS", "connect"]

# Every model whose rows some public page or feed shows. Authors appear by name.
SHOWN_MODELS: tuple[type[Model], ...] = (
    Blog,
    Post,
    Page,
    Category,
    Tag,
    Redirect,
    Comment,
    Linkback,
)
# Logging in stamps last_login; no page shows it, and a bump per login would empty the cache.
UNSHOWN_USER_FIELDS = frozenset({"last_login"})
DISPATCH = "yamabiko.pagecache"


def model_saved(update_fields: frozenset[str] | None, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        content_changed()


def user_saved(update_fields: frozenset[str] | None, **kwargs: Any) -> None:
    if kwargs.get("raw") or (update_fields is not None and update_fields <= UNSHOWN_USER_FIELDS):
        return
    content_changed()


def model_deleted(**kwargs: Any) -> None:
    content_changed()


def relation_changed(action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed()


def connect() -> None:
    for model in SHOWN_MODELS:
        post_save.connect(
            model_saved, sender=model, dispatch_uid=f"{DISPATCH}.save.{model._meta.label}"
        )
        post_delete.connect(
            model_deleted, sender=model, dispatch_uid=f"{DISPATCH}.delete.{model._meta.label}"
        )
    user = get_user_model()
    post_save.connect(user_saved, sender=user, dispatch_uid=f"{DISPATCH}.save.user")
    post_delete.connect(model_deleted, sender=user, dispatch_uid=f"{DISPATCH}.delete.user")
    for through in (Post.categories.through, Post.tags.through):
        m2m_changed.connect(
            relation_changed, sender=through, dispatch_uid=f"{DISPATCH}.m2m.{through._meta.label}"
        )
