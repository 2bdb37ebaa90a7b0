"""Shared plumbing's own tables: the database store behind core.ratelimit."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Hits of one key in one fixed window of one scope (used when Redis is not configured).

    A scope always uses the same window length; the key is stored only as a keyed hash.
    """

    scope = models.CharField(max_length=50)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key_hash", "window_start"], name="ratecounter_unique_window"
            )
        ]
        # Pruning deletes a scope's old windows whatever their key.
        indexes = [models.Index(fields=["scope", "window_start"], name="ratecounter_prune")]

    def __str__(self) -> str:
        return (
            f"{self.scope} {self.key_hash[:12]}… {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
        )
