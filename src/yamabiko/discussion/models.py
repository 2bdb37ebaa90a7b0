"""Comments, and the spam classifier's learned token counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from yamabiko.discussion.querysets import CommentQuerySet
from yamabiko.posts.models import Post

NAME_MAX_LENGTH = 100
URL_MAX_LENGTH = 500
BODY_MAX_LENGTH = 10_000

CommentManager = models.Manager.from_queryset(CommentQuerySet)


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    TRASH = "trash", "Trash"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    author_name = models.CharField(max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField(blank=True, help_text="Never shown to readers.")
    author_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=CommentStatus, default=CommentStatus.PENDING, db_index=True
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    spam_score = models.FloatField(default=0.0)
    spam_reasons = models.JSONField(default=list, blank=True)
    # What the classifier last learned from this comment ("spam", "ham" or ""), so a
    # moderator who changes their mind untrains it instead of counting it twice.
    trained_as = models.CharField(max_length=8, blank=True, editable=False)

    objects = CommentManager()

    class Meta:
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
