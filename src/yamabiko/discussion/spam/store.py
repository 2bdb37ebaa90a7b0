"""The classifier's memory in the database: token counts and document totals.

Training is a pair of relative updates (F() expressions) in one transaction, never a
read-modify-write, so two moderators deciding at once both count. The SpamCorpus row is
updated first: its row lock makes concurrent trainings take turns for the rest of the
transaction, so their token updates cannot deadlock on rows locked in different orders, and
untraining may delete rows that fell to zero without racing a training that just created
them.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from yamabiko.discussion.models import SpamCorpus, SpamToken

CORPUS_PK = 1


def corpus_totals() -> tuple[int, int]:
    """(spam documents, ham documents) trained so far."""
    row = (
        SpamCorpus.objects.filter(pk=CORPUS_PK)
        .values_list("spam_documents", "ham_documents")
        .first()
    )
    return row if row is not None else (0, 0)


def token_counts(tokens: Collection[str]) -> dict[str, tuple[int, int]]:
    """token -> (spam count, ham count) for the known ones among `tokens`, in one query."""
    if not tokens:
        return {}
    rows = SpamToken.objects.filter(token__in=set(tokens)).values_list(
        "token", "spam_count", "ham_count"
    )
    return {token: (spam, ham) for token, spam, ham in rows}


def train(tokens: Collection[str], *, as_spam: bool) -> None:
    """Count one document: the corpus total once, and each distinct token once."""
    documents, count = _fields(as_spam)
    distinct = sorted(set(tokens))
    with transaction.atomic():
        SpamCorpus.objects.bulk_create([SpamCorpus(pk=CORPUS_PK)], ignore_conflicts=True)
        SpamCorpus.objects.filter(pk=CORPUS_PK).update(**{documents: F(documents) + 1})
        if distinct:
            SpamToken.objects.bulk_create(
                [SpamToken(token=token) for token in distinct], ignore_conflicts=True
            )
            SpamToken.objects.filter(token__in=distinct).update(**{count: F(count) + 1})


def untrain(tokens: Collection[str], *, as_spam: bool) -> None:
    """Take one document back out; no count goes below zero."""
    documents, count = _fields(as_spam)
    distinct = sorted(set(tokens))
    with transaction.atomic():
        # Unconditional, so the row is locked first here too, as in train().
        SpamCorpus.objects.filter(pk=CORPUS_PK).update(**{documents: Greatest(F(documents) - 1, 0)})
        if distinct:
            SpamToken.objects.filter(token__in=distinct, **{f"{count}__gt": 0}).update(
                **{count: F(count) - 1}
            )
            SpamToken.objects.filter(Q(spam_count=0) & Q(ham_count=0), token__in=distinct).delete()


def _fields(as_spam: bool) -> tuple[str, str]:
    return ("spam_documents", "spam_count") if as_spam else ("ham_documents", "ham_count")
