"""The import benchmark's WXR generator writes files our own reader takes as intended.

bench/import/ is not a package (``import`` is a keyword), so the generator is loaded by path.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest

from yamabiko.porting import (
    Attachment,
    ImportedAuthor,
    ImportedCategory,
    ImportedPost,
    ImportedTag,
    ImportWarning,
    SiteField,
    parse_wxr,
)

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "import" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_import_generate", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is made.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def written(generate: ModuleType, posts: int, seed: int = 1) -> tuple[bytes, dict[str, int]]:
    out = io.StringIO()
    stats = generate.write_wxr(out, posts=posts, seed=seed)
    return out.getvalue().encode("utf-8"), asdict(stats)


def test_fifty_posts_parse_into_the_counts_the_generator_reports(
    generate: ModuleType, tmp_path: Path
) -> None:
    file = tmp_path / "blog.xml"
    with file.open("w", encoding="utf-8") as out:
        stats = asdict(generate.write_wxr(out, posts=50, seed=7))

    records = list(parse_wxr(file))

    items = [r for r in records if isinstance(r, ImportedPost)]
    posts = [p for p in items if p.kind == "post"]
    comments = [c for p in posts for c in p.comments]
    kinds = Counter(c.kind for c in comments)
    assert not [r for r in records if isinstance(r, ImportWarning)]
    assert stats["bytes"] == file.stat().st_size
    assert len(posts) == stats["posts"] == 50
    assert sum(p.kind == "page" for p in items) == stats["pages"] == 2
    assert sum(isinstance(r, Attachment) for r in records) == stats["attachments"]
    assert len(comments) == stats["comments"] == 500
    assert sum(c.parent_original_id is not None for c in comments) == stats["replies"]
    assert kinds["pingback"] == stats["pingbacks"]
    assert kinds["trackback"] == stats["trackbacks"]
    assert sum(c.status == "pending" for c in comments) == stats["pending"]
    assert stats["replies"] > 50
    assert stats["pingbacks"] > 0
    assert stats["trackbacks"] > 0
    assert sum(isinstance(r, ImportedAuthor) for r in records) == stats["authors"] == 3
    assert sum(isinstance(r, ImportedCategory) for r in records) == stats["categories"]
    assert sum(isinstance(r, ImportedTag) for r in records) == stats["tags"]
    assert {r.name for r in records if isinstance(r, SiteField)} >= {"link", "wp:base_site_url"}


def test_replies_answer_an_earlier_comment_of_the_same_post(generate: ModuleType) -> None:
    data, _ = written(generate, 50)

    for post in parse_wxr(io.BytesIO(data)):
        if not isinstance(post, ImportedPost):
            continue
        seen: set[str] = set()
        for comment in post.comments:
            if comment.parent_original_id is not None:
                assert comment.parent_original_id in seen
                assert comment.kind == "comment"
            seen.add(comment.original_id)


def test_posts_reference_only_defined_terms_and_authors(generate: ModuleType) -> None:
    data, _ = written(generate, 50)

    records = list(parse_wxr(io.BytesIO(data)))

    categories = {r.slug for r in records if isinstance(r, ImportedCategory)}
    parents = {r.parent_slug for r in records if isinstance(r, ImportedCategory)} - {None}
    tags = {r.slug for r in records if isinstance(r, ImportedTag)}
    authors = {r.login for r in records if isinstance(r, ImportedAuthor)}
    posts = [r for r in records if isinstance(r, ImportedPost) and r.kind == "post"]
    assert parents <= categories
    assert all(set(p.categories) <= categories for p in posts)
    assert all(set(p.tags) <= tags for p in posts)
    assert all(p.author_login in authors for p in posts)
    assert len({p.slug for p in posts}) == len(posts)
    assert all(p.date is not None and p.date_is_utc for p in posts)


def test_text_mixes_english_and_japanese(generate: ModuleType) -> None:
    data, _ = written(generate, 50)

    posts = [r for r in parse_wxr(io.BytesIO(data)) if isinstance(r, ImportedPost)]

    japanese_titles = [p for p in posts if any("\u3040" <= ch <= "\u9fff" for ch in p.title)]
    assert 5 < len(japanese_titles) < 40
    assert any(p.slug.startswith("%e") for p in japanese_titles)
    assert any("<!--more-->" not in p.body and p.extended for p in posts)
    assert any("の" in p.body and "the" in p.body.split() for p in posts)


def test_same_seed_same_bytes_and_another_seed_another_file(generate: ModuleType) -> None:
    first, first_stats = written(generate, 20, seed=3)
    again, _ = written(generate, 20, seed=3)
    other, other_stats = written(generate, 20, seed=4)

    assert first == again
    assert other != first
    assert first_stats["comments"] == other_stats["comments"] == 200


def test_odd_and_empty_sizes_keep_ten_comments_a_post(generate: ModuleType) -> None:
    _, odd = written(generate, 7)
    empty, none = written(generate, 0)

    assert odd["comments"] == 70
    assert none["posts"] == none["comments"] == 0
    assert sum(isinstance(r, ImportedPost) for r in parse_wxr(io.BytesIO(empty))) == 2


class WriteSizes(io.StringIO):
    """Remembers the largest single write."""

    largest = 0

    def write(self, text: str, /) -> int:
        self.largest = max(self.largest, len(text))
        return super().write(text)


def test_the_file_is_written_item_by_item(generate: ModuleType) -> None:
    out = WriteSizes()

    generate.write_wxr(out, posts=200)

    # One post with its comments at most, never the whole file at once.
    assert out.largest < 64 * 1024 < len(out.getvalue())
