"""From rule findings and the classifier's judgement to one verdict (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from yamabiko.discussion.spam.classifier import Judgement
from yamabiko.discussion.spam.values import Finding, Verdict

SPAM_AT = 0.9
HOLD_AT = 0.7


def decide(findings: Sequence[Finding], judgement: Judgement) -> Verdict:
    """Spam on any hard finding or a probability of SPAM_AT; held on a soft one or HOLD_AT.

    Every finding's reason is kept, then the classifier's, so a moderator sees all of them.
    """
    ruled_spam = any(finding.spam for finding in findings)
    spam = ruled_spam or judgement.probability >= SPAM_AT
    held = any(not finding.spam for finding in findings) or judgement.probability >= HOLD_AT
    return Verdict(
        spam=spam,
        hold=held and not spam,
        score=1.0 if ruled_spam else judgement.probability,
        reasons=(*(finding.reason for finding in findings), judgement.reason),
    )
