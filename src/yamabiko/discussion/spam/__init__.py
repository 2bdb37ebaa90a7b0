"""The local spam filter: fixed rules plus a naive Bayes classifier that learns from moderators.

Nothing here calls an outside service. Comments and linkbacks both describe what arrived as
a Submission and get a Verdict whose score and reasons are stored with the item, so a
moderator can see why it was held or rejected:

- a hard rule (honeypot filled, form sent too fast, duplicate text, blocked IP, domain or
  word) makes it spam with score 1.0;
- otherwise the classifier's probability decides: SPAM_AT or more is spam, HOLD_AT or more
  is held;
- a soft rule (more links than the blog allows) holds it.

When a moderator marks an item spam or not spam, the moderation service calls
`spam_train(text=submission.classifier_text, as_spam=…)`, and `spam_untrain` with the same
text when they change their mind. Each call counts the document once more: callers must
remember what an item was trained as (`Comment.trained_as`) and never train it twice.
"""

from __future__ import annotations

from yamabiko.discussion.spam import store
from yamabiko.discussion.spam.classifier import classify, is_trained
from yamabiko.discussion.spam.decision import HOLD_AT, SPAM_AT, decide
from yamabiko.discussion.spam.rules import RULES
from yamabiko.discussion.spam.tokens import tokenize
from yamabiko.discussion.spam.values import Policy, Submission, Verdict

__all__ = [
    "HOLD_AT",
    "SPAM_AT",
    "Policy",
    "Submission",
    "Verdict",
    "spam_assess",
    "spam_relearn",
    "spam_train",
    "spam_untrain",
    "tokenize",
]


def spam_assess(submission: Submission, *, policy: Policy) -> Verdict:
    """Judge a submission by every rule and by the classifier; at most two queries."""
    findings = [finding for rule in RULES if (finding := rule(submission, policy)) is not None]
    spam_documents, ham_documents = store.corpus_totals()
    tokens = tokenize(submission.classifier_text)
    judgement = classify(
        tokens,
        # An untrained classifier abstains whatever the counts, so do not fetch them.
        counts=store.token_counts(tokens) if is_trained(spam_documents, ham_documents) else {},
        spam_documents=spam_documents,
        ham_documents=ham_documents,
    )
    return decide(findings, judgement)


def spam_train(*, text: str, as_spam: bool) -> None:
    """Learn one moderator decision; each call counts once more (never train an item twice)."""
    store.train(tokenize(text), as_spam=as_spam)


def spam_untrain(*, text: str, as_spam: bool) -> None:
    """Forget a decision learned with the same text and class; counts never go below zero."""
    store.untrain(tokenize(text), as_spam=as_spam)


def spam_relearn(*, text: str, learned: str, verdict: str) -> str:
    """Teach a moderator's verdict ("spam" or "ham") about ``text``, exactly once.

    ``learned`` is what the classifier already took from this text ("" for nothing); a
    changed mind moves the text from one side to the other. Returns what is learned now.
    """
    if verdict == learned:
        return learned
    if learned:
        spam_untrain(text=text, as_spam=learned == "spam")
    spam_train(text=text, as_spam=verdict == "spam")
    return verdict
