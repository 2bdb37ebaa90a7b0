"""`yamabiko search reindex`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.factories import PageFactory, PostFactory
from yamabiko.cli import cli
from yamabiko.search.models import Entry
from yamabiko.search.results import search_prepare

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_reindex_rebuilds_the_index():
    PostFactory(title="Heron")
    PageFactory(title="About herons")
    Entry.objects.all().delete()
    assert search_prepare(text="heron").results.count() == 0

    result = CliRunner().invoke(cli, ["search", "reindex"], prog_name="yamabiko")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Indexed 2 posts and pages in ")
    assert search_prepare(text="heron").results.count() == 1
    assert search_prepare(text="herons").results.count() == 1


def test_search_help_works_without_a_database():
    result = CliRunner().invoke(cli, ["search", "--help"], prog_name="yamabiko")

    assert result.exit_code == 0
    assert "reindex" in result.output
