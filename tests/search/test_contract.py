"""The contract every search backend keeps.

One class, run against the database of the test run: the suite runs once on SQLite (FTS5)
and once on PostgreSQL (tsvector), so both backends pass exactly these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory
from yamabiko.posts import services
from yamabiko.posts.models import Category, Post, PostStatus, Tag
from yamabiko.search.backends import Order, SearchBackend, backend_for
from yamabiko.search.models import Entry
from yamabiko.search.query import parse
from yamabiko.search.results import search_prepare

pytestmark = pytest.mark.django_db

NASTY_QUERIES = [
    "",
    " ",
    "a" * 1000,
    '"unbalanced',
    'two "quotes" "here',
    "-",
    "OR",
    "OR OR OR",
    "- OR -",
    "*",
    "^",
    ":",
    "NEAR(",
    "NEAR(a b, 2)",
    '"',
    "''",
    "a AND b NOT c",
    "title:x",
    "{title body}: x",
    "col:(a OR b)",
    "'; DROP TABLE posts_post; --",
    "1' OR '1'='1",
    "\\",
    "!x & y | (z <-> w):*",
    "\x00",
    "a\x00b",
    "\ufffd\ufffd",
    "category:",
    "tag:nope",
    "before:2025-13-45",
    "after:99999",
    "🎌 ∑ ∞",
]


def titles(text: str, **kwargs: object) -> list[str]:
    prepared = search_prepare(text=text, **kwargs)  # type: ignore[arg-type]
    return [result.title for result in prepared.results[0:100]]


def found(text: str, **kwargs: object) -> set[str]:
    return set(titles(text, **kwargs))


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


class TestSearchBackendContract:
    """What readers get from the Search box, on whichever database this run uses."""

    def test_the_backend_is_the_one_for_this_database(self):
        assert backend_for().vendor == connection.vendor

    # --- ranking ----------------------------------------------------------------------

    def test_a_title_match_ranks_above_a_body_match(self):
        PostFactory(title="Evening walk", body="A lantern at the gate, a lantern in the water.")
        PostFactory(title="Lantern festival", body="Crowds and noise.")
        PostFactory(title="Harbour", body="Boats and gulls.")

        assert titles("lantern") == ["Lantern festival", "Evening walk"]

    def test_category_and_tag_names_are_searched_below_titles(self):
        lanterns = CategoryFactory(name="Lantern")
        PostFactory(title="Night market", body="Food stalls.", categories=[lanterns])
        PostFactory(title="Paper lantern", body="Folded.")
        PostFactory(title="Shrine", body="Quiet.", tags=[TagFactory(name="lantern")])

        result = titles("lantern")
        assert result[0] == "Paper lantern"
        assert set(result) == {"Paper lantern", "Night market", "Shrine"}

    def test_more_occurrences_rank_higher_among_body_matches(self):
        PostFactory(title="One", body="A kettle. " + "Other words here. " * 20)
        PostFactory(title="Three", body="A kettle, a kettle, and a kettle. " + "Words. " * 20)

        assert titles("kettle") == ["Three", "One"]

    def test_pages_of_ranked_results_are_consistent(self):
        for number in range(7):
            PostFactory(title=f"Fox {number}", body="fox " * (number + 1) + "end")
        prepared = search_prepare(text="fox")
        everything = [result.title for result in prepared.results[0:100]]
        paged = [
            result.title
            for start in range(0, 7, 3)
            for result in prepared.results[start : start + 3]
        ]

        assert prepared.results.count() == 7
        assert paged == everything
        assert len(set(everything)) == 7

    def test_beyond_the_rank_window_the_newest_matches_are_ranked_and_the_rest_follow(
        self, monkeypatch
    ):
        monkeypatch.setattr(SearchBackend, "rank_window", 3)
        PostFactory(title="Owl", body="owl filler filler filler filler")
        for number, owls in [(1, 3), (2, 1), (3, 2), (4, 2), (5, 3), (6, 1)]:
            body = " ".join(["owl"] * owls + ["filler"] * (5 - owls))
            PostFactory(title=f"Bird {number}", body=body)
        results = search_prepare(text="owl").results

        everything = [result.title for result in results[0:10]]
        paged = [result.title for start in (0, 2, 4, 6) for result in results[start : start + 2]]

        assert results.count() == 7
        assert everything == ["Bird 5", "Bird 4", "Bird 6", "Bird 3", "Bird 2", "Bird 1", "Owl"]
        assert paged == everything

    def test_newest_first_order_for_feeds(self):
        PostFactory(title="Old owl", published_at=at("2024-01-01"))
        PostFactory(title="New owl", published_at=at("2025-01-01"))
        PostFactory(title="Owl owl owl", body="owl owl owl", published_at=at("2023-01-01"))

        newest = search_prepare(text="owl").results.newest_first()
        assert [result.title for result in newest[0:10]] == ["New owl", "Old owl", "Owl owl owl"]

    # --- the query language -----------------------------------------------------------

    def test_every_word_must_match(self):
        PostFactory(title="A", body="river and stone")
        PostFactory(title="B", body="river only")
        PostFactory(title="C", body="stone only")

        assert found("river stone") == {"A"}

    def test_phrase_needs_its_words_together_and_in_order(self):
        PostFactory(title="A", body="A bowl of miso soup.")
        PostFactory(title="B", body="Soup with miso.")
        PostFactory(title="C", body="Miso, soup and rice.")  # punctuation does not split
        PostFactory(title="D", body="Miso, then soup.")

        assert found('"miso soup"') == {"A", "C"}
        assert found("miso soup") == {"A", "B", "C", "D"}

    def test_excluded_words_and_phrases_leave_posts_out(self):
        PostFactory(title="A", body="soup with miso")
        PostFactory(title="B", body="soup with leeks")
        PostFactory(title="C", body="soup, hot water")

        assert found("soup -miso") == {"B", "C"}
        assert found('soup -"hot water"') == {"A", "B"}

    def test_or_finds_either_and_binds_tighter_than_and(self):
        PostFactory(title="A", body="walk by the river")
        PostFactory(title="B", body="walk by the sea")
        PostFactory(title="C", body="swim in the sea")

        assert found("river OR sea") == {"A", "B", "C"}
        assert found("walk river OR sea") == {"A", "B"}

    def test_category_filter_includes_subcategories_by_slug_or_name(self):
        travel = CategoryFactory(name="Travel", slug="travel")
        japan = CategoryFactory(name="Japan", slug="japan", parent=travel)
        food = CategoryFactory(name="Food", slug="food")
        PostFactory(title="Kyoto walk", categories=[japan])
        PostFactory(title="Lisbon walk", categories=[travel])
        PostFactory(title="Soup walk", categories=[food])

        assert found("walk category:travel") == {"Kyoto walk", "Lisbon walk"}
        assert found("walk category:Japan") == {"Kyoto walk"}
        assert found("walk -category:travel") == {"Soup walk"}
        assert found("walk", category="food") == {"Soup walk"}

    def test_unknown_category_or_tag_matches_nothing_and_says_so(self):
        PostFactory(title="Walk")

        prepared = search_prepare(text="walk category:nowhere")
        assert prepared.results.count() == 0
        assert "nowhere" in prepared.notices[0]
        assert found("walk tag:nothing") == set()

    def test_words_never_match_the_filter_tokens(self):
        category = CategoryFactory(name="Travel")
        tag = TagFactory(name="rain")
        PostFactory(title="Walk", categories=[category], tags=[tag])

        for text in (f"_c{category.pk}", f"c{category.pk}", f"t{tag.pk}", f'"_t{tag.pk}"'):
            assert found(text) == set()

    def test_tag_filter(self):
        rain = TagFactory(name="Rain", slug="rain")
        PostFactory(title="Wet walk", tags=[rain])
        PostFactory(title="Dry walk")

        assert found("walk tag:rain") == {"Wet walk"}
        assert found("walk tag:Rain") == {"Wet walk"}
        assert found("walk -tag:rain") == {"Dry walk"}

    def test_before_and_after_in_the_current_time_zone(self):
        for day in ("2024-06-01", "2025-02-28", "2025-03-01", "2025-03-02"):
            PostFactory(title=f"Walk {day}", published_at=at(day))

        assert found("walk before:2025-03-01") == {"Walk 2024-06-01", "Walk 2025-02-28"}
        assert found("walk after:2025-03-01") == {"Walk 2025-03-01", "Walk 2025-03-02"}
        assert found("walk -before:2025-03-01") == found("walk after:2025-03-01")
        assert found("walk after:2025 before:2025-03") == {"Walk 2025-02-28"}
        assert found("walk", year="2024") == {"Walk 2024-06-01"}

    @pytest.mark.parametrize(
        "filters",
        [
            "after:2024-03-01",
            "before:2024-03-01",
            "after:2024-02-29 before:2024-03-02",
            "after:2023-12-31 before:2025-01-02",
            "after:2024 before:2025",
            "after:2024-01",
            "before:2023-12-31",
            "after:2025-06-01",
            "after:2030",
            "before:1999",
        ],
    )
    def test_date_filters_are_exact_at_day_boundaries_in_the_blog_time_zone(self, filters):
        tokyo = ZoneInfo("Asia/Tokyo")
        times = [
            datetime(2023, 12, 31, 14, 59, tzinfo=UTC),  # 23:59 on 31 Dec in Tokyo
            datetime(2023, 12, 31, 15, 0, tzinfo=UTC),  # midnight, 1 Jan 2024 in Tokyo
            datetime(2024, 2, 29, 14, 59, tzinfo=UTC),
            datetime(2024, 2, 29, 15, 0, tzinfo=UTC),  # 1 Mar in Tokyo, still Feb in UTC
            datetime(2024, 3, 1, 15, 0, tzinfo=UTC),
            datetime(2024, 7, 1, tzinfo=UTC),
            datetime(2024, 12, 31, 15, 0, tzinfo=UTC),  # 1 Jan 2025 in Tokyo
            datetime(2025, 1, 1, 15, 0, tzinfo=UTC),
        ]
        for number, when in enumerate(times):
            PostFactory(title=f"Heron {number}", published_at=when)
        query = parse(filters)
        start = query.after and datetime.combine(query.after, time.min, tokyo)
        end = query.before and datetime.combine(query.before, time.min, tokyo)
        expected = {
            f"Heron {number}"
            for number, when in enumerate(times)
            if (start is None or when >= start) and (end is None or when < end)
        }

        with timezone.override(tokyo):
            assert found(f"heron {filters}") == expected
            assert found(filters) == expected

    def test_filters_alone_list_matching_posts_newest_first(self):
        rain = TagFactory(name="rain")
        PostFactory(title="Older", tags=[rain], published_at=at("2024-01-01"))
        PostFactory(title="Newer", tags=[rain], published_at=at("2025-01-01"))
        PostFactory(title="Untagged")

        assert titles(f"tag:{rain.slug}") == ["Newer", "Older"]
        assert titles(f"tag:{rain.slug} -newer") == ["Older"]

    # --- CJK, folding ---------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("北朝鮮", {"核"}),
            ("비핵화", {"비핵화"}),
            ("日米韓", {"会談"}),
            ("日米", {"会談", "日米"}),
            ("首脳", {"会談"}),
            ("北朝", {"核", "北朝"}),
            ("米韓", {"会談"}),
            ("韓", {"会談", "韓国"}),
            ("核問題", {"核"}),
            ("朝鮮の", {"核"}),
        ],
    )
    def test_cjk_text_without_spaces_is_found_by_substrings(self, query, expected):
        PostFactory(title="核", body="北朝鮮の核問題について話し合った。")
        PostFactory(title="비핵화", body="한반도 비핵화를 위한 회담이 열렸다.")
        PostFactory(title="会談", body="日米韓首脳会談が開かれた。")
        PostFactory(title="日米", body="日米関係の歴史。")
        PostFactory(title="北朝", body="南北朝時代の話。")
        PostFactory(title="韓国", body="韓国料理を食べた。")

        assert found(query) == expected

    def test_a_mixed_latin_and_cjk_query_needs_both(self):
        PostFactory(title="Both", body="Rubio said 北朝鮮 must disarm.")
        PostFactory(title="Only Rubio", body="Rubio spoke at length.")
        PostFactory(title="Only 北朝鮮", body="北朝鮮のニュース。")

        assert found("Rubio 北朝鮮") == {"Both"}
        assert found('"Rubio said"') == {"Both"}

    def test_kana_with_voicing_marks_stay_distinct(self):
        PostFactory(title="学校", body="がっこう")

        assert found("がっこう") == {"学校"}
        assert found("かっこう") == set()

    @pytest.mark.parametrize(
        ("query", "title"),
        [
            ("ＡＢＣ", "abc letters"),
            ("abc", "ＡＢＣ wide"),
            ("ｶﾀｶﾅ", "カタカナ"),
            ("cafe", "Café au lait"),
            ("café", "Cafe racer"),
            ("ANGSTROM", "Ångström units"),
            ("Naïve", "naive art"),
        ],
    )
    def test_width_case_and_latin_accents_fold_both_ways(self, query, title):
        PostFactory(title=title)
        PostFactory(title="Unrelated")

        assert found(query) == {title}

    # --- what readers may see ------------------------------------------------------------

    def test_drafts_scheduled_and_deleted_posts_are_never_returned(self):
        PostFactory(title="Live heron")
        PostFactory(title="Draft heron", status=PostStatus.DRAFT)
        PostFactory(title="Future heron", published_at=timezone.now() + timedelta(days=1))
        gone = PostFactory(title="Deleted heron")
        services.post_delete(post=gone)
        PageFactory(title="Draft heron page", status="draft")

        assert found("heron") == {"Live heron"}
        assert search_prepare(text="heron").results.count() == 1

    def test_a_scheduled_post_appears_when_its_time_comes_without_reindexing(self):
        post = PostFactory(title="Soon egret", published_at=timezone.now() + timedelta(hours=1))
        assert found("egret") == set()
        entry = Entry.objects.get(kind="post", object_id=post.pk)

        assert found("egret", now=timezone.now() + timedelta(hours=2)) == {"Soon egret"}
        Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
        assert found("egret") == {"Soon egret"}
        assert Entry.objects.get(pk=entry.pk).published_at == entry.published_at  # untouched

    def test_a_post_unpublished_behind_the_index_back_is_hidden(self):
        post = PostFactory(title="Quiet crane")
        Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)

        assert found("crane") == set()
        assert search_prepare(text="crane").results.count() == 0

    def test_static_pages_are_searched(self):
        PageFactory(title="About the walker", slug="about", body="I walk in the hills.")
        PostFactory(title="Hill walk", body="Up and down.")

        result = search_prepare(text="walk").results[0:10]
        assert {(item.kind, item.title, item.url) for item in result} == {
            ("page", "About the walker", "/about/"),
            ("post", "Hill walk", result[[item.kind for item in result].index("post")].url),
        }

    # --- the index follows every change ---------------------------------------------------

    def test_index_follows_edits_publishing_and_unpublishing(self):
        post = PostFactory(title="Grey heron", body="By the pond.")
        post.title = "White egret"
        services.post_save(post=post)
        assert found("heron") == set()
        assert found("egret") == {"White egret"}

        post.status = PostStatus.DRAFT
        services.post_save(post=post)
        assert found("egret") == set()
        assert not Entry.objects.filter(object_id=post.pk, kind="post").exists()

        post.status = PostStatus.PUBLISHED
        services.post_save(post=post)
        assert found("egret") == {"White egret"}

    def test_index_follows_deletes(self):
        post = PostFactory(title="Kingfisher")
        services.post_delete(post=post)

        assert found("kingfisher") == set()
        assert not Entry.objects.filter(kind="post", object_id=post.pk).exists()

    def test_index_follows_page_changes(self):
        page = PageFactory(title="Colophon", body="Set in serif.")
        page.body = "Set in sans."
        services.page_save(page=page)
        assert found("serif") == set()
        assert found("sans") == {"Colophon"}
        services.page_delete(page=page)
        assert found("sans") == set()

    def test_index_follows_category_renames_including_subcategories(self):
        parent = CategoryFactory(name="Fermentation", slug="fermentation")
        child = CategoryFactory(name="Crocks", slug="crocks", parent=parent)
        PostFactory(title="Kimchi", categories=[child])
        assert found("fermentation") == {"Kimchi"}

        parent.name = "Pickling"
        parent.slug = "pickling"
        services.category_save(category=parent)

        assert found("fermentation") == set()
        assert found("pickling") == {"Kimchi"}
        assert found("kimchi category:pickling") == {"Kimchi"}

    def test_index_follows_category_and_tag_membership_and_deletion(self):
        post = PostFactory(title="Kimchi")
        spicy = TagFactory(name="spicy")
        post.tags.add(spicy)
        assert found("spicy") == {"Kimchi"}
        spicy.posts.remove(post)
        assert found("spicy") == set()

        sour = Tag.objects.create(name="sour", slug="sour")
        sour.posts.add(post)
        assert found("sour") == {"Kimchi"}
        sour.name = "tangy"
        sour.save()
        assert found("sour") == set()
        assert found("tangy") == {"Kimchi"}
        sour.delete()
        assert found("tangy") == set()

        jar = CategoryFactory(name="Jars")
        services.post_save(post=post, categories=[jar])
        assert found("jars") == {"Kimchi"}
        post.categories.clear()
        assert found("jars") == set()
        jar.posts.add(post)
        jar.posts.clear()
        assert found("jars") == set()
        jar.posts.add(post)
        Category.objects.filter(pk=jar.pk).get().delete()
        assert found("jars") == set()

    # --- bad input --------------------------------------------------------------------------

    @pytest.mark.parametrize("text", NASTY_QUERIES)
    def test_bad_input_gives_results_or_nothing_never_an_error(self, text):
        PostFactory(title="Near the title", body="a b c x y z 1 drop table or and not")

        prepared = search_prepare(text=text)
        count = prepared.results.count()
        shown = prepared.results[0:10]
        newest = prepared.results.newest_first()[0:10]
        assert count == len(shown) == len(newest)

    def test_the_backend_counts_and_pages_agree_for_every_order(self):
        PostFactory.create_batch(5, title="Same words", body="same words")
        criteria = search_prepare(text="same").results.criteria
        assert criteria is not None
        backend = backend_for()

        for order in Order:
            hits = backend.hits(criteria, offset=0, limit=10, order=order)
            assert len(hits) == backend.count(criteria) == 5
            assert backend.hits(criteria, offset=5, limit=10, order=order) == []
