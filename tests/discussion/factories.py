"""factory_boy factories for comments and linkbacks."""

from __future__ import annotations

from typing import Any

import factory
from django.db import transaction
from django.utils import timezone

from tests.factories import PostFactory
from yamabiko.core.text import render_comment
from yamabiko.discussion import services
from yamabiko.discussion.linkbacks import trackback_count_refresh
from yamabiko.discussion.models import (
    Comment,
    CommentStatus,
    Linkback,
    LinkbackKind,
    LinkbackStatus,
    OutboundPing,
    OutboundStatus,
)


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


class LinkbackFactory(factory.django.DjangoModelFactory):
    """A verified Webmention, approved unless told otherwise; "Trackback (N)" follows.

    Stored through the ORM rather than received and verified, so a test can set any
    status, score or hostile field directly; the counter is the one the service keeps.
    """

    class Meta:
        model = Linkback

    post = factory.SubFactory(PostFactory)
    kind = LinkbackKind.WEBMENTION
    source_url = factory.Sequence(lambda n: f"https://site{n}.example.net/notes/{n}/")
    title = factory.Sequence(lambda n: f"Linking post {n}")
    excerpt = "They wrote about the walk and linked to it."
    status = LinkbackStatus.APPROVED
    verified_at = factory.LazyFunction(timezone.now)
    ip_address = "192.0.2.20"

    @classmethod
    def _create(cls, model_class: type[Linkback], *args: Any, **kwargs: Any) -> Linkback:
        with transaction.atomic():
            linkback = model_class.objects.create(*args, **kwargs)
            if linkback.status == LinkbackStatus.APPROVED:
                trackback_count_refresh(post_id=linkback.post_id)
        return linkback


class OutboundPingFactory(factory.django.DjangoModelFactory):
    """What happened when one of our posts told a linked page: a Webmention sent."""

    class Meta:
        model = OutboundPing

    post = factory.SubFactory(PostFactory)
    target_url = factory.Sequence(lambda n: f"https://elsewhere{n}.example.net/page/")
    protocol = LinkbackKind.WEBMENTION
    endpoint = factory.LazyAttribute(lambda ping: f"{ping.target_url}webmention")
    status = OutboundStatus.SENT
    last_attempt_at = factory.LazyFunction(timezone.now)
