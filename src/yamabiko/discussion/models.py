"""Comments, and the spam classifier's learned token counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yamabiko.discussion.querysets import CommentQuerySet, LinkbackQuerySet
from yamabiko.posts.models import Post, TextFormat

NAME_MAX_LENGTH = 100
URL_MAX_LENGTH = 500
BODY_MAX_LENGTH = 10_000

CommentManager = models.Manager.from_queryset(CommentQuerySet)
LinkbackManager = models.Manager.from_queryset(LinkbackQuerySet)


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    SPAM = "spam", _("Spam")
    TRASH = "trash", _("Trash")


class Comment(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("parent"),
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    author_name = models.CharField(_("author name"), max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField(
        _("author email"), blank=True, help_text=_("Never shown to readers.")
    )
    author_url = models.URLField(_("author url"), max_length=URL_MAX_LENGTH, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        verbose_name=_("user"),
    )
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    # Readers write the Markdown subset; imported comments keep the HTML they were written in.
    text_format = models.CharField(
        _("text format"), max_length=16, choices=TextFormat, default=TextFormat.MARKDOWN
    )
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommentStatus,
        default=CommentStatus.PENDING,
        db_index=True,
    )
    ip_address = models.GenericIPAddressField(_("ip address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    spam_score = models.FloatField(_("spam score"), default=0.0)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True)
    # What the classifier last learned from this comment ("spam", "ham" or ""), so a
    # moderator who changes their mind untrains it instead of counting it twice.
    trained_as = models.CharField(max_length=8, blank=True, editable=False)

    objects = CommentManager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "status", "created_at"], name="comment_thread")]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class SpamToken(models.Model):
    """How often a token appeared in comments moderators called spam, and in ones they kept."""

    token = models.CharField(max_length=64, unique=True)
    spam_count = models.PositiveIntegerField(default=0)
    ham_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.spam_count} spam / {self.ham_count} ham"


class SpamCorpus(models.Model):
    """The number of trained documents of each class (one row, pk=1)."""

    spam_documents = models.PositiveIntegerField(default=0)
    ham_documents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "spam corpus"

    def __str__(self) -> str:
        return f"{self.spam_documents} spam, {self.ham_documents} ham"


class LinkbackKind(models.TextChoices):
    TRACKBACK = "trackback", "TrackBack"
    PINGBACK = "pingback", "Pingback"
    WEBMENTION = "webmention", "Webmention"


class MentionType(models.TextChoices):
    MENTION = "mention", _("Mention")
    REPLY = "reply", _("Reply")
    LIKE = "like", _("Like")
    REPOST = "repost", _("Repost")
    BOOKMARK = "bookmark", _("Bookmark")


class LinkbackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    SPAM = "spam", _("Spam")
    REJECTED = "rejected", _("Rejected")
    DELETED = "deleted", _("Deleted")


class Linkback(models.Model):
    """Another site saying it linked to a post: one per (post, source URL), whatever the protocol.

    The first protocol to arrive sets ``kind``; later pings from the same source update the
    row. Until verification has seen the link on the source page (``verified_at``), a
    linkback is pending and invisible.
    """

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="linkbacks", verbose_name=_("post")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LinkbackKind)
    source_url = models.URLField(_("source url"), max_length=2000)
    target_url = models.URLField(_("target url"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    content = models.TextField(
        _("content"), blank=True, help_text=_("Sanitized HTML from the source's h-entry.")
    )
    blog_name = models.CharField(_("blog name"), max_length=250, blank=True)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    author_url = models.URLField(_("author url"), max_length=2000, blank=True)
    author_photo = models.URLField(_("author photo"), max_length=2000, blank=True)
    mention_type = models.CharField(
        _("mention type"), max_length=16, choices=MentionType, default=MentionType.MENTION
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LinkbackStatus,
        default=LinkbackStatus.PENDING,
        db_index=True,
    )
    ip_address = models.GenericIPAddressField(_("ip address"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verify_error = models.CharField(_("verify error"), max_length=300, blank=True)
    spam_score = models.FloatField(_("spam score"), default=0.0)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True)
    trained_as = models.CharField(max_length=8, blank=True, editable=False)

    objects = LinkbackManager()

    class Meta:
        verbose_name = _("linkback")
        verbose_name_plural = _("linkbacks")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "source_url"], name="linkback_once_per_source")
        ]
        indexes = [models.Index(fields=["post", "status", "received_at"], name="linkback_list")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.source_url}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#linkback-{self.pk}"

    @property
    def display_title(self) -> str:
        """As Movable Type does, a linkback without a title shows its URL."""
        return self.title or self.source_url


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class OutboundPing(models.Model):
    """What happened when we told a linked page about one of our posts."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="outbound_pings", verbose_name=_("post")
    )
    target_url = models.URLField(_("target url"), max_length=2000)
    protocol = models.CharField(_("protocol"), max_length=16, choices=LinkbackKind, blank=True)
    endpoint = models.URLField(_("endpoint"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboundStatus, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # The post's content when last sent successfully: an unchanged post is not re-sent.
    sent_fingerprint = models.CharField(_("sent fingerprint"), max_length=64, blank=True)
    explicit = models.BooleanField(
        _("explicit"),
        default=False,
        help_text=_("Listed by the author as a TrackBack URL to ping."),
    )

    class Meta:
        verbose_name = _("outbound ping")
        verbose_name_plural = _("outbound pings")
        constraints = [
            models.UniqueConstraint(fields=["post", "target_url"], name="outbound_once_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.target_url}: {self.status}"
