"""factory_boy factories for domain data, and fixtures built on them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from yamabiko.posts import services
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"author{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = None

    @classmethod
    def _create(cls, model_class: type[Category], *args: Any, **kwargs: Any) -> Category:
        return services.category_save(category=model_class(**kwargs))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, an hour old unless told otherwise, saved through the service."""

    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    body = "A paragraph of *Markdown*."
    author = factory.SubFactory(UserFactory)
    status = PostStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        categories = kwargs.pop("categories", None)
        tags = kwargs.pop("tags", None)
        return services.post_save(post=model_class(**kwargs), categories=categories, tags=tags)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    body = "About this blog."
    author = factory.SubFactory(UserFactory)
    status = "published"


@pytest.fixture
def blog(db: None) -> Blog:
    return Blog.load()
