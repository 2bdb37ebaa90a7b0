"""A naive Bayes spam probability from learned token counts (pure; the counts come in).

Gary Robinson's method as SpamBayes uses it ("A Statistical Approach to the Spam Problem",
Linux Journal 107, 2003):

1. each token's spam probability p(w) is the share of spam documents containing it against
   the share of ham documents containing it, so an unequal number of trained spam and ham
   does not tilt it;
2. f(w) = (s·x + n·p(w)) / (s + n) shrinks rare tokens towards x = 0.5 (n = the documents
   the token was seen in, s = STRENGTH);
3. only the MAX_CLUES tokens furthest from 0.5 count, and only those at least MIN_DISTANCE
   from it, so a long ham comment cannot hide a few spam words under many neutral ones;
4. Fisher's chi-square combination of their f(w) gives an indicator that sits near 0.5 when
   the evidence is weak or mixed and moves to 0 or 1 only when it agrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Below this many trained documents of either class the counts say more about the few
# documents than about spam; the classifier abstains.
MIN_DOCUMENTS = 5
MAX_CLUES = 20
MIN_DISTANCE = 0.1
STRENGTH = 0.45
UNKNOWN = 0.5
# Tokens named in the reason string.
REASON_TOKENS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Clue:
    token: str
    probability: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    probability: float
    trained: bool
    clues: tuple[Clue, ...]  # strongest first
    spam_documents: int
    ham_documents: int

    @property
    def reason(self) -> str:
        if not self.trained:
            return (
                f"classifier: untrained ({self.spam_documents} spam and {self.ham_documents} "
                f"ham decisions so far; {MIN_DOCUMENTS} of each needed)"
            )
        # Floor, so a score shown as 0.90 has really reached the 0.9 threshold; the epsilon
        # keeps 0.29 (28.999… hundredths in binary) from showing as 0.28.
        shown = f"classifier: {math.floor(self.probability * 100 + 1e-9) / 100:.2f} spam"
        if not self.clues:
            return f"{shown} (no known tokens)"
        leaning_spam = self.probability >= UNKNOWN
        tokens = [clue.token for clue in self.clues if (clue.probability > UNKNOWN) == leaning_spam]
        if not tokens:
            return shown
        named = ", ".join(tokens[:REASON_TOKENS]) + (", …" if len(tokens) > REASON_TOKENS else "")
        return f"{shown} ({named})" if leaning_spam else f"{shown} (ham-like: {named})"


def is_trained(spam_documents: int, ham_documents: int) -> bool:
    return spam_documents >= MIN_DOCUMENTS and ham_documents >= MIN_DOCUMENTS


def token_probability(
    spam_count: int, ham_count: int, *, spam_documents: int, ham_documents: int
) -> float | None:
    """f(w) for one token, or None when it was never seen."""
    spam_ratio = min(spam_count / spam_documents, 1.0) if spam_documents else 0.0
    ham_ratio = min(ham_count / ham_documents, 1.0) if ham_documents else 0.0
    if spam_ratio + ham_ratio == 0:
        return None
    seen = spam_count + ham_count
    raw = spam_ratio / (spam_ratio + ham_ratio)
    return (STRENGTH * UNKNOWN + seen * raw) / (STRENGTH + seen)


def classify(
    tokens: Iterable[str],
    *,
    counts: Mapping[str, tuple[int, int]],
    spam_documents: int,
    ham_documents: int,
) -> Judgement:
    """The spam probability of a document with `tokens`; counts maps token -> (spam, ham)."""
    trained = is_trained(spam_documents, ham_documents)
    clues: list[Clue] = []
    if trained:
        for token in set(tokens):
            spam_count, ham_count = counts.get(token, (0, 0))
            probability = token_probability(
                spam_count, ham_count, spam_documents=spam_documents, ham_documents=ham_documents
            )
            if probability is not None and abs(probability - UNKNOWN) >= MIN_DISTANCE:
                clues.append(Clue(token=token, probability=probability))
        clues.sort(key=lambda clue: (-abs(clue.probability - UNKNOWN), clue.token))
        del clues[MAX_CLUES:]
    return Judgement(
        probability=combine([clue.probability for clue in clues]) if trained else UNKNOWN,
        trained=trained,
        clues=tuple(clues),
        spam_documents=spam_documents,
        ham_documents=ham_documents,
    )


def combine(probabilities: list[float]) -> float:
    """Fisher-Robinson chi-square combination of token probabilities, each inside (0, 1)."""
    if not probabilities:
        return UNKNOWN
    degrees = 2 * len(probabilities)
    spamminess = 1.0 - _chi2_survival(
        -2.0 * math.fsum(math.log1p(-p) for p in probabilities), degrees
    )
    hamminess = 1.0 - _chi2_survival(-2.0 * math.fsum(math.log(p) for p in probabilities), degrees)
    return min(max((spamminess - hamminess + 1.0) / 2.0, 0.0), 1.0)


def _chi2_survival(chi2: float, degrees: int) -> float:
    """P(X >= chi2) for a chi-square variable with an even number of degrees of freedom."""
    half = chi2 / 2.0
    term = total = math.exp(-half)
    for index in range(1, degrees // 2):
        term *= half / index
        total += term
    return min(total, 1.0)
