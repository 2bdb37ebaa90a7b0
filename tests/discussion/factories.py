"""factory_boy factories for comments."""

from __future__ import annotations

from typing import Any

import factory
from django.db import transaction

from tests.factories import PostFactory
from yamabiko.core.text import render_comment
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus


class CommentFactory(factory.django.DjangoModelFactory):
    """A reader's comment, approved unless told otherwise; the post's counter follows.

    Stored through the ORM rather than comment_submit, so a test can set any status, score
    or hostile field directly; the rendering and the counter are those the service keeps.
    """

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.LazyAttribute(
        lambda comment: f"{comment.author_name.lower().replace(' ', '')}@example.org"
    )
    body = factory.Sequence(lambda n: f"Comment number {n}: what a *lovely* walk.")
    status = CommentStatus.APPROVED
    ip_address = "192.0.2.10"

    @classmethod
    def _create(cls, model_class: type[Comment], *args: Any, **kwargs: Any) -> Comment:
        kwargs.setdefault("body_html", render_comment(kwargs["body"]))
        with transaction.atomic():
            comment = model_class.objects.create(*args, **kwargs)
            if comment.status == CommentStatus.APPROVED:
                services.comment_count_refresh(post_id=comment.post_id)
        return comment
