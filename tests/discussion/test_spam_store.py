"""Training and untraining the classifier's counts in the database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from pytest_django import DjangoAssertNumQueries

from yamabiko.discussion.models import SpamCorpus, SpamToken
from yamabiko.discussion.spam import spam_train, spam_untrain
from yamabiko.discussion.spam.store import corpus_totals, token_counts


def stored_counts() -> dict[str, tuple[int, int]]:
    return {
        token: (spam, ham)
        for token, spam, ham in SpamToken.objects.values_list("token", "spam_count", "ham_count")
    }


@pytest.mark.django_db
def test_training_counts_each_distinct_token_once_per_document() -> None:
    spam_train(text="Casino casino CASINO bonus", as_spam=True)

    assert stored_counts() == {"casino": (1, 0), "bonus": (1, 0)}
    assert corpus_totals() == (1, 0)


@pytest.mark.django_db
def test_training_ham_counts_on_the_ham_side() -> None:
    spam_train(text="casino", as_spam=True)
    spam_train(text="A walk to the casino", as_spam=False)

    assert stored_counts() == {
        "casino": (1, 1),
        "walk": (0, 1),
        "to": (0, 1),
        "the": (0, 1),
    }
    assert corpus_totals() == (1, 1)


@pytest.mark.django_db
def test_training_the_same_text_twice_counts_it_twice() -> None:
    # Callers record what an item was trained as and must not train it again.
    spam_train(text="casino bonus", as_spam=True)
    spam_train(text="casino bonus", as_spam=True)

    assert stored_counts() == {"casino": (2, 0), "bonus": (2, 0)}
    assert corpus_totals() == (2, 0)


@pytest.mark.django_db
def test_untraining_restores_the_counts_from_before() -> None:
    spam_train(text="A quiet walk in the valley", as_spam=False)
    spam_train(text="casino in the valley", as_spam=True)
    before = (stored_counts(), corpus_totals())

    spam_train(text="Casino bonus: 山彦カジノ http://bonus.example/x", as_spam=True)
    spam_untrain(text="Casino bonus: 山彦カジノ http://bonus.example/x", as_spam=True)

    assert (stored_counts(), corpus_totals()) == before


@pytest.mark.django_db
def test_untraining_a_class_that_was_never_trained_goes_no_lower_than_zero() -> None:
    spam_train(text="casino", as_spam=True)

    spam_untrain(text="casino walk", as_spam=False)
    spam_untrain(text="nothing known", as_spam=True)
    spam_untrain(text="nothing known", as_spam=True)

    assert stored_counts() == {"casino": (1, 0)}
    assert corpus_totals() == (0, 0)


@pytest.mark.django_db
def test_untraining_an_empty_store_changes_nothing() -> None:
    spam_untrain(text="casino", as_spam=True)

    assert stored_counts() == {}
    assert corpus_totals() == (0, 0)
    assert SpamCorpus.objects.count() == 0


@pytest.mark.django_db
def test_training_text_without_tokens_still_counts_the_document() -> None:
    spam_train(text="!!! 123", as_spam=False)

    assert stored_counts() == {}
    assert corpus_totals() == (0, 1)


@pytest.mark.django_db
def test_token_counts_load_in_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    spam_train(text="casino bonus 山彦", as_spam=True)
    spam_train(text="walk 山彦", as_spam=False)

    with django_assert_num_queries(1):
        counts = token_counts(["casino", "山彦", "unknown", "casino"])

    assert counts == {"casino": (1, 0), "山彦": (1, 1)}


@pytest.mark.django_db
def test_no_tokens_need_no_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        assert token_counts([]) == {}


@pytest.mark.django_db(transaction=True)
def test_concurrent_training_on_postgresql_loses_no_count() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them anyway")
    workers = 8
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def train(index: int) -> None:
        try:
            barrier.wait()
            spam_train(text=f"casino bonus token{index} 山彦カジノ", as_spam=index % 2 == 0)
        # A thread's failure would otherwise vanish; the test thread asserts on it below.
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=train, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = stored_counts()
    assert counts["casino"] == counts["山彦"] == (workers // 2, workers // 2)
    assert corpus_totals() == (workers // 2, workers // 2)
