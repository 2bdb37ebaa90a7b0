from __future__ import annotations

import io
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yamabiko.porting import (
    Attachment,
    ImportedAuthor,
    ImportedCategory,
    ImportedPost,
    ImportedTag,
    ParseError,
    SkippedItem,
    parse_wxr,
)


def kinds(records: list[object]) -> Counter[str]:
    return Counter(type(r).__name__ for r in records)


def test_theme_unit_test_data_counts(fixtures: Path) -> None:
    # Counts checked against the file with a plain ElementTree walk; they match README.md.
    records = list(parse_wxr(fixtures / "wxr" / "themeunittestdata.wordpress.xml"))
    items = [r for r in records if isinstance(r, ImportedPost)]
    posts = [p for p in items if p.kind == "post"]
    pages = [p for p in items if p.kind == "page"]
    assert len(posts) == 58
    assert Counter(p.status for p in posts) == {"publish": 56, "draft": 1, "future": 1}
    assert [p.title for p in posts if p.sticky] == ["Template: Sticky"]
    assert sum(1 for p in posts if p.post_format) == 13
    assert len(pages) == 21
    assert sum(isinstance(r, Attachment) for r in records) == 37
    skipped = Counter(r.kind for r in records if isinstance(r, SkippedItem))
    assert skipped == {"nav_menu_item": 70, "term:nav_menu": 6}
    categories = [r for r in records if isinstance(r, ImportedCategory)]
    assert len(categories) == 68  # the one wp:term category repeats a wp:category
    assert sum(1 for c in categories if c.parent_slug) == 10
    parent = {c.slug: c.parent_slug for c in categories}

    def depth(slug: str) -> int:
        up = parent[slug]
        return 1 if up is None else 1 + depth(up)

    assert max(depth(s) for s in parent) == 3
    assert sum(isinstance(r, ImportedTag) for r in records) == 110
    assert sum(isinstance(r, ImportedAuthor) for r in records) == 2
    comments = [c for p in items for c in p.comments]
    assert len(comments) == 33
    assert Counter(c.kind for c in comments) == {"comment": 29, "pingback": 2, "trackback": 2}
    assert Counter(c.status for c in comments) == {"approved": 30, "pending": 3}
    assert sum(1 for c in comments if c.parent_original_id) == 10
    assert not any(r for r in records if type(r).__name__ == "ImportWarning")


def test_theme_unit_test_data_items_field_by_field(fixtures: Path) -> None:
    records = list(parse_wxr(fixtures / "wxr" / "themeunittestdata.wordpress.xml"))
    by_title = {r.title: r for r in records if isinstance(r, ImportedPost)}
    sticky = by_title["Template: Sticky"]
    assert sticky.sticky
    assert sticky.kind == "post"
    assert sticky.status == "publish"
    future = by_title["Scheduled"]
    assert future.status == "future"
    assert future.date == datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)  # from post_date_gmt
    assert future.date_is_utc
    level3 = by_title["Level 3"]
    assert level3.kind == "page"
    assert level3.parent_original_id == by_title["Level 2"].original_id == "173"
    threaded = next(p for p in records if isinstance(p, ImportedPost)
                    and any(c.parent_original_id for c in p.comments))  # fmt: skip
    ids = {c.original_id for c in threaded.comments}
    assert all(c.parent_original_id in ids for c in threaded.comments if c.parent_original_id)
    more = [p for p in by_title.values() if p.extended]
    assert more
    assert all("<!--more" not in p.body + p.extended for p in more)
    authors = [r for r in records if isinstance(r, ImportedAuthor)]
    assert authors[0] == ImportedAuthor(login="themedemos", display_name="Theme Buster",
                                        email="themeshaperwp+demos@gmail.com")  # fmt: skip
    assert all(p.allow_comments is not None for p in by_title.values())
    assert all(
        p.link.startswith("https://wpthemetestdata.wordpress.com/") for p in by_title.values()
    )


def test_block_test_data_with_http_namespaces(fixtures: Path) -> None:
    records = list(parse_wxr(fixtures / "wxr" / "64-block-test-data.xml"))
    items = [r for r in records if isinstance(r, ImportedPost)]
    assert Counter(p.kind for p in items) == {"post": 61, "page": 1}
    assert sum(isinstance(r, Attachment) for r in records) == 9
    assert sum(isinstance(r, ImportedCategory) for r in records) == 7
    assert sum(isinstance(r, ImportedTag) for r in records) == 4
    assert sum(len(p.comments) for p in items) == 2
    assert "wp_navigation" in {r.kind for r in records if isinstance(r, SkippedItem)}
    assert any("<!-- wp:" in p.body for p in items)


def test_theme_preview(fixtures: Path) -> None:
    items = [r for r in parse_wxr(fixtures / "wxr" / "theme-preview.xml")
             if isinstance(r, ImportedPost)]  # fmt: skip
    assert len(items) == 7
    comments = [c for p in items for c in p.comments]
    assert len(comments) == 2
    assert all(c.kind == "comment" for c in comments)
    assert all(p.category_key == "name" for p in items if p.categories)  # WXR 1.0 <category>


def wxr(items: str, ns: str = "https", version: str = "1.2") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{ns}://wordpress.org/export/{version}/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}://wordpress.org/export/{version}/">
<channel>
<wp:category><wp:category_nicename>a</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>A &amp; B</wp:cat_name></wp:category>
{items}
</channel>
</rss>
""".encode()


ITEM = """<item>
<title>Plain &lt;title&gt;</title>
<link>http://old.example/2010/01/plain/</link>
<dc:creator>bob</dc:creator>
<content:encoded>Intro&lt;!--more Read on--&gt;Rest</content:encoded>
<excerpt:encoded></excerpt:encoded>
<wp:post_id>7</wp:post_id>
<wp:post_date>2010-01-02 03:04:05</wp:post_date>
<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
<wp:comment_status>closed</wp:comment_status>
<wp:ping_status>open</wp:ping_status>
<wp:post_name>plain</wp:post_name>
<wp:status>draft</wp:status>
<wp:post_type>post</wp:post_type>
<wp:custom_thing>x</wp:custom_thing>
<category domain="category" nicename="a">A &amp; B</category>
<category domain="post_tag" nicename="t">T</category>
<wp:comment>
<wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_date>2010-01-03 00:00:00</wp:comment_date>
<wp:comment_date_gmt>2010-01-02 15:00:00</wp:comment_date_gmt>
<wp:comment_content>hi</wp:comment_content><wp:comment_approved>spam</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent>
</wp:comment>
<wp:comment>
<wp:comment_id>2</wp:comment_id><wp:comment_author>Ben</wp:comment_author>
<wp:comment_date>2010-01-03 00:00:00</wp:comment_date>
<wp:comment_content>re</wp:comment_content><wp:comment_approved>trash</wp:comment_approved>
<wp:comment_type>pingback</wp:comment_type><wp:comment_parent>1</wp:comment_parent>
</wp:comment>
</item>"""


@pytest.mark.parametrize(("ns", "version"), [("http", "1.0"), ("http", "1.1"), ("https", "1.2")])
def test_wxr_without_cdata_any_namespace_scheme(ns: str, version: str) -> None:
    records = list(parse_wxr(io.BytesIO(wxr(ITEM, ns, version))))
    assert records[0] == ImportedCategory(name="A & B", slug="a", parent_slug=None, description="")
    (post,) = [r for r in records if isinstance(r, ImportedPost)]
    assert post.title == "Plain <title>"
    assert (post.body, post.extended) == ("Intro", "Rest")
    assert post.date == datetime(2010, 1, 2, 3, 4, 5)
    assert not post.date_is_utc
    assert (post.allow_comments, post.allow_pings) == (False, True)
    assert (post.categories, post.tags, post.status) == (("a",), ("t",), "draft")
    assert post.unknown_fields == ("wp:custom_thing",)
    spam, reply = post.comments
    assert (spam.kind, spam.status, spam.date) == (
        "comment",
        "spam",
        datetime(2010, 1, 2, 15, 0, tzinfo=UTC),
    )
    assert (reply.kind, reply.status, reply.parent_original_id) == ("pingback", "trash", "1")
    assert reply.date == datetime(2010, 1, 3)
    assert not reply.date_is_utc


def test_wxr_with_cdata_reads_the_same() -> None:
    cdata = ITEM.replace(
        "<title>Plain &lt;title&gt;</title>", "<title><![CDATA[Plain <title>]]></title>"
    )
    (post,) = [r for r in parse_wxr(io.BytesIO(wxr(cdata))) if isinstance(r, ImportedPost)]
    assert post.title == "Plain <title>"


def test_wxr_entity_bomb_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss><channel><title>&b;</title></channel></rss>"""
    with pytest.raises(ParseError) as info:
        list(parse_wxr(io.BytesIO(bomb), name="bomb.xml"))
    assert info.value.file == "bomb.xml"
    assert info.value.line == 2
    assert "DOCTYPE" in info.value.expected


def test_wxr_broken_xml_reports_its_line() -> None:
    broken = wxr(ITEM).replace(b"<wp:post_name>plain</wp:post_name>", b"<wp:post_name>plain")
    with pytest.raises(ParseError) as info:
        list(parse_wxr(io.BytesIO(broken), name="broken.xml"))
    line = broken.decode().splitlines().index("<wp:status>draft</wp:status>") + 1
    assert info.value.line is not None
    assert line <= info.value.line <= line + 20
    assert "well-formed XML" in str(info.value)


def test_wxr_unknown_post_status_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        list(parse_wxr(io.BytesIO(wxr(ITEM.replace("<wp:status>draft", "<wp:status>weird")))))
    assert info.value.line == 8  # the <item> start


def test_wxr_memory_stays_flat_while_streaming() -> None:
    body = "<p>" + "lorem ipsum dolor sit amet " * 350 + "</p>"  # ~10 KB per item
    item = ITEM.replace("Intro&lt;!--more Read on--&gt;Rest", f"<![CDATA[{body}]]>")
    data = wxr(item * 2000)
    assert len(data) > 18_000_000
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        count = sum(1 for r in parse_wxr(io.BytesIO(data)) if isinstance(r, ImportedPost))
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 5_000_000, peak
