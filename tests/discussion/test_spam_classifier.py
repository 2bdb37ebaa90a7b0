"""The naive Bayes classifier and the verdict built from it (pure, counts passed in)."""

from __future__ import annotations

import pytest

from yamabiko.discussion.spam import HOLD_AT, SPAM_AT
from yamabiko.discussion.spam.classifier import (
    MAX_CLUES,
    MIN_DOCUMENTS,
    Clue,
    Judgement,
    classify,
    combine,
    token_probability,
)
from yamabiko.discussion.spam.decision import decide
from yamabiko.discussion.spam.values import Finding, Verdict

COUNTS = {
    "viagra": (9, 0),
    "casino": (8, 0),
    "host:pills.example": (6, 0),
    "walk": (0, 9),
    "valley": (0, 7),
    "echo": (1, 8),
    "the": (10, 10),
}


def judge(tokens: list[str], spam_documents: int = 10, ham_documents: int = 10) -> Judgement:
    return classify(
        tokens, counts=COUNTS, spam_documents=spam_documents, ham_documents=ham_documents
    )


@pytest.mark.parametrize(("spam", "ham"), [(0, 0), (MIN_DOCUMENTS - 1, 50), (50, 4)])
def test_classifier_abstains_until_it_has_five_documents_of_each_class(spam: int, ham: int) -> None:
    judgement = judge(["viagra", "casino"], spam_documents=spam, ham_documents=ham)

    assert judgement.probability == 0.5
    assert not judgement.trained
    assert judgement.reason.startswith("classifier: untrained")
    assert f"{spam} spam and {ham} ham" in judgement.reason


def test_spam_tokens_give_a_high_probability_and_are_named() -> None:
    judgement = judge(["buy", "viagra", "casino", "host:pills.example", "the"])

    assert judgement.probability > 0.95
    assert judgement.reason.startswith("classifier: 0.9")
    assert "(viagra, casino, host:pills.example)" in judgement.reason


def test_ham_tokens_give_a_low_probability_and_are_named_as_ham_like() -> None:
    judgement = judge(["walk", "valley", "echo", "the"])

    assert judgement.probability < 0.05
    assert "(ham-like: walk, valley, echo)" in judgement.reason


def test_unknown_tokens_leave_the_probability_at_one_half() -> None:
    judgement = judge(["never", "seen", "before"])

    assert judgement.probability == 0.5
    assert judgement.reason == "classifier: 0.50 spam (no known tokens)"


def test_tokens_seen_equally_in_both_classes_are_no_evidence() -> None:
    assert judge(["the"]).clues == ()


def test_token_shares_are_compared_per_class_so_an_unequal_corpus_does_not_tilt() -> None:
    # In 10% of the spam and 10% of the ham.
    probability = token_probability(10, 2, spam_documents=100, ham_documents=20)

    assert probability == pytest.approx(0.5)


def test_rare_tokens_are_pulled_towards_one_half() -> None:
    once = token_probability(1, 0, spam_documents=10, ham_documents=10)
    often = token_probability(9, 0, spam_documents=10, ham_documents=10)

    assert once is not None
    assert often is not None
    assert 0.5 < once < often < 1.0


def test_never_seen_token_has_no_probability() -> None:
    assert token_probability(0, 0, spam_documents=10, ham_documents=10) is None


def test_only_the_most_informative_tokens_count() -> None:
    counts = {f"ham{index}": (0, index % 5 + 1) for index in range(40)} | {"viagra": (10, 0)}

    judgement = classify([*counts, "viagra"], counts=counts, spam_documents=10, ham_documents=10)

    assert len(judgement.clues) == MAX_CLUES
    assert judgement.clues[0] == Clue(token="viagra", probability=judgement.clues[0].probability)
    strengths = [abs(clue.probability - 0.5) for clue in judgement.clues]
    assert strengths == sorted(strengths, reverse=True)


def test_repeating_a_token_does_not_add_evidence() -> None:
    assert judge(["viagra"] * 20).probability == judge(["viagra"]).probability


def test_combination_is_symmetric_between_spam_and_ham() -> None:
    assert combine([0.9, 0.8, 0.3]) + combine([0.1, 0.2, 0.7]) == pytest.approx(1.0)


def test_mixed_evidence_stays_near_one_half() -> None:
    assert combine([0.99, 0.01]) == pytest.approx(0.5)


def test_no_evidence_combines_to_one_half() -> None:
    assert combine([]) == 0.5


def test_probability_shown_is_rounded_down_so_it_never_overstates() -> None:
    judgement = Judgement(
        probability=0.8999,
        trained=True,
        clues=(Clue(token="casino", probability=0.9),),
        spam_documents=5,
        ham_documents=5,
    )

    assert judgement.reason == "classifier: 0.89 spam (casino)"


def test_probability_shown_is_exact_for_two_decimals() -> None:
    judgement = Judgement(
        probability=0.29, trained=True, clues=(), spam_documents=5, ham_documents=5
    )

    assert judgement.reason == "classifier: 0.29 spam (no known tokens)"


def test_reason_names_at_most_four_tokens() -> None:
    clues = tuple(Clue(token=f"t{index}", probability=0.95) for index in range(6))
    judgement = Judgement(
        probability=0.99, trained=True, clues=clues, spam_documents=5, ham_documents=5
    )

    assert judgement.reason == "classifier: 0.99 spam (t0, t1, t2, t3, …)"


# From findings and judgement to a verdict


def judgement_at(probability: float) -> Judgement:
    return Judgement(
        probability=probability, trained=True, clues=(), spam_documents=5, ham_documents=5
    )


HARD = Finding(reason="honeypot field filled", spam=True)
SOFT = Finding(reason="3 links (more than 2)", spam=False)


@pytest.mark.parametrize(
    ("probability", "spam", "hold"),
    [
        (0.0, False, False),
        (0.5, False, False),
        (HOLD_AT - 0.01, False, False),
        (HOLD_AT, False, True),
        (SPAM_AT - 0.01, False, True),
        (SPAM_AT, True, False),
        (1.0, True, False),
    ],
)
def test_classifier_probability_alone_decides_spam_and_hold(
    probability: float, spam: bool, hold: bool
) -> None:
    verdict = decide([], judgement_at(probability))

    assert (verdict.spam, verdict.hold, verdict.score) == (spam, hold, probability)


def test_hard_rule_makes_spam_with_score_one_whatever_the_classifier_says() -> None:
    verdict = decide([HARD], judgement_at(0.01))

    assert verdict == Verdict(
        spam=True,
        hold=False,
        score=1.0,
        reasons=("honeypot field filled", "classifier: 0.01 spam (no known tokens)"),
    )


def test_soft_rule_holds_without_changing_the_score() -> None:
    verdict = decide([SOFT], judgement_at(0.2))

    assert (verdict.spam, verdict.hold, verdict.score) == (False, True, 0.2)


def test_every_reason_is_kept_in_order() -> None:
    verdict = decide([HARD, SOFT], judgement_at(0.5))

    assert verdict.reasons == (HARD.reason, SOFT.reason, "classifier: 0.50 spam (no known tokens)")
    assert verdict.spam
    assert not verdict.hold
