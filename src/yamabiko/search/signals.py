"""Keep the index current. Each handler refreshes or removes entries, nothing else.

They run in the transaction of the change (``services.entries_refresh``), never during a
read: saving a post, a page, a category or a tag is what triggers them. Raw saves (fixture
loading, restoring a native export) are ignored: they write objects before the rows they
refer to, and the restore rebuilds the index once everything is in.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from yamabiko.posts.models import Category, Page, Post, Tag
from yamabiko.search import services
from yamabiko.search.documents import category_descendants, category_tree, source_for

__all__ = ["connect"]

# Saving only these fields changes nothing the index holds.
UNINDEXED_FIELDS = frozenset(
    {
        "comment_count",
        "trackback_count",
        "primary_category",
        "is_sticky",
        "allow_comments",
        "allow_pings",
        "ping_urls",
        "updated_at",
    }
)
# Instance attribute carrying state from a pre_ signal to its post_ signal.
_BEFORE = "_search_before"


def object_saved(
    sender: type[Model], instance: Model, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    if kwargs.get("raw") or (update_fields is not None and update_fields <= UNINDEXED_FIELDS):
        return
    source = source_for(sender)
    if source is not None:
        services.entries_refresh(keys=[(source.kind, instance.pk)])


def object_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    source = source_for(sender)
    if source is not None:
        services.entries_remove(keys=[(source.kind, instance.pk)])


def posts_refresh(post_ids: set[int] | list[int]) -> None:
    if post_ids:
        services.entries_refresh(keys=[("post", pk) for pk in post_ids])


def post_taxonomy_changed(
    sender: type[Model],
    instance: Model,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    if kwargs.get("raw"):
        return
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            posts_refresh([instance.pk])
    elif action == "pre_clear":
        # category.posts.clear(): the posts are only known before the rows go.
        instance.__dict__[_BEFORE] = _posts_of(instance)
    elif action == "post_clear":
        posts_refresh(instance.__dict__.pop(_BEFORE, set()))
    elif action in ("post_add", "post_remove"):
        posts_refresh(pk_set or set())


def _posts_of(instance: Model) -> set[int]:
    field = "categories" if isinstance(instance, Category) else "tags"
    return set(Post.objects.filter(**{field: instance}).values_list("pk", flat=True))


def name_remember(sender: type[Model], instance: Category | Tag, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    fields = ("name", "parent_id") if isinstance(instance, Category) else ("name",)
    instance.__dict__[_BEFORE] = (
        sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def category_saved(
    sender: type[Category], instance: Category, created: bool, **kwargs: Any
) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if created or before is None or tuple(before) == (instance.name, instance.parent_id):
        return
    subtree = category_descendants(instance.pk, category_tree())
    posts_refresh(set(Post.objects.filter(categories__in=subtree).values_list("pk", flat=True)))


def tag_saved(sender: type[Tag], instance: Tag, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if created or before is None or tuple(before) == (instance.name,):
        return
    posts_refresh(_posts_of(instance))


def taxonomy_deleting(sender: type[Model], instance: Category | Tag, **kwargs: Any) -> None:
    instance.__dict__[_BEFORE] = _posts_of(instance)


def taxonomy_deleted(sender: type[Model], instance: Category | Tag, **kwargs: Any) -> None:
    posts_refresh(instance.__dict__.pop(_BEFORE, set()))


def connect() -> None:
    for model in (Post, Page):
        name = model.__name__
        post_save.connect(object_saved, sender=model, dispatch_uid=f"search-save-{name}")
        post_delete.connect(object_deleted, sender=model, dispatch_uid=f"search-delete-{name}")
    for through in (Post.categories.through, Post.tags.through):
        m2m_changed.connect(
            post_taxonomy_changed, sender=through, dispatch_uid=f"search-m2m-{through.__name__}"
        )
    post_save.connect(category_saved, sender=Category, dispatch_uid="search-save-Category")
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="search-save-Tag")
    for taxonomy in (Category, Tag):
        name = taxonomy.__name__
        pre_save.connect(name_remember, sender=taxonomy, dispatch_uid=f"search-pre-save-{name}")
        pre_delete.connect(
            taxonomy_deleting, sender=taxonomy, dispatch_uid=f"search-pre-delete-{name}"
        )
        post_delete.connect(taxonomy_deleted, sender=taxonomy, dispatch_uid=f"search-delete-{name}")
