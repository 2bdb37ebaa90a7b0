"""The content generation: one row whose number every cached page's key carries."""

from __future__ import annotations

from django.db import models

GENERATION_PK = 1


class Generation(models.Model):
    # Bumped in the transaction of every change a public page can show; see generation.py.
    number = models.BigIntegerField(default=0)
    # When the clock alone will change a page (the earliest scheduled post going live);
    # the first request at or after it bumps the number.
    next_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "page cache generation"

    def __str__(self) -> str:
        return f"generation {self.number}"
