"""Inspecting a fetched source page for all three linkback protocols (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup

from yamabiko.discussion.protocols.source import (
    MentionType,
    SourceReport,
    context_excerpt,
    inspect_source,
)

SOURCE = "https://alice.example/2024/05/reply"
TARGET = "https://blog.example/2024/05/hello"
HTML = "text/html; charset=utf-8"


def inspect(
    body: str | bytes,
    *,
    content_type: str | None = HTML,
    charset: str | None = None,
    target: str = TARGET,
    source: str = SOURCE,
) -> SourceReport:
    raw = body.encode() if isinstance(body, str) else body
    return inspect_source(
        source_url=source, target_url=target, body=raw, content_type=content_type, charset=charset
    )


def document(body: str, *, title: str = "Alice's reply", head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body>{body}</body></html>"
    )


# Does it link to the target? (WM "Webmention Verification")


def test_a_link_in_a_paragraph_counts_and_gives_title_and_excerpt() -> None:
    report = inspect(document(f'<p>I enjoyed <a href="{TARGET}">this post</a> a lot.</p>'))

    assert report.links_to_target is True
    assert report.title == "Alice's reply"
    assert report.excerpt == "I enjoyed this post a lot."
    assert report.mention_type == MentionType.MENTION
    assert (report.author_name, report.content, report.published) == ("", "", None)


@pytest.mark.parametrize(
    "element",
    [
        f'<img src="{TARGET}" alt="pic">',
        f'<video src="{TARGET}"></video>',
        f'<audio src="{TARGET}"></audio>',
        f'<video><source src="{TARGET}" type="video/mp4"></video>',
        f'<link rel="canonical" href="{TARGET}">',
        f"<a href='{TARGET}'>single quotes</a>",
        f"<a href={TARGET}>unquoted</a>",
        f'<a href="  {TARGET}\n">spaces</a>',
        f'<A HREF="{TARGET}">upper case</A>',
        f'<a href="{TARGET}#comment-3">a fragment the target lacks</a>',
    ],
)
def test_each_kind_of_link_counts(element: str) -> None:
    assert inspect(document(f"<p>See {element}</p>")).links_to_target is True


@pytest.mark.parametrize(
    "element",
    [
        f'<!-- <a href="{TARGET}">hidden</a> -->',
        f'<code>&lt;a href="{TARGET}"&gt;escaped&lt;/a&gt;</code>',
        f"<p>Just the URL as text: {TARGET}</p>",
        f'<script>var u = "<a href={TARGET}>";</script>',
        f'<a data-href="{TARGET}">not href</a>',
        f'<iframe src="{TARGET}"></iframe>',
        f'<a href="{TARGET}/">trailing slash</a>',
        f'<a href="{TARGET.replace("https", "http")}">http</a>',
        f'<a href="{TARGET}-2">longer</a>',
        f'<a href="{TARGET.upper()}">case</a>',
        f'<img alt="{TARGET}">',
    ],
)
def test_near_misses_do_not_count(element: str) -> None:
    assert inspect(document(element)).links_to_target is False


def test_a_target_with_a_fragment_needs_that_fragment() -> None:
    target = f"{TARGET}#comment-3"

    assert inspect(document(f'<a href="{target}">x</a>'), target=target).links_to_target
    assert not inspect(document(f'<a href="{TARGET}">x</a>'), target=target).links_to_target
    assert not inspect(document(f'<a href="{TARGET}#c-4">x</a>'), target=target).links_to_target


def test_relative_links_are_resolved_against_the_source() -> None:
    body = document('<p><a href="/2024/05/hello">my earlier post</a></p>')

    report = inspect(body, source="https://blog.example/2024/06/follow-up")

    assert report.links_to_target is True


def test_scheme_relative_links_are_resolved() -> None:
    assert inspect(document('<a href="//blog.example/2024/05/hello">x</a>')).links_to_target


def test_base_href_is_honoured_as_a_browser_would() -> None:
    body = document('<a href="2024/05/hello">x</a>', head='<base href="https://blog.example/">')

    assert inspect(body).links_to_target is True


def test_an_html_escaped_query_matches_the_decoded_target() -> None:
    target = "https://blog.example/?p=5&lang=ja"

    assert inspect(
        document('<a href="https://blog.example/?p=5&amp;lang=ja">x</a>'), target=target
    ).links_to_target


def test_a_page_without_the_link_still_reports_its_title() -> None:
    report = inspect(document("<p>Nothing here.</p>"))

    assert report == SourceReport(title="Alice's reply")


# Excerpts


def test_a_long_page_gives_an_excerpt_cut_on_both_sides() -> None:
    before = " ".join(f"before{i}" for i in range(200))
    after = " ".join(f"after{i}" for i in range(200))
    report = inspect(document(f'<p>{before} <a href="{TARGET}">the link</a> {after}</p>'))

    assert len(report.excerpt) <= 255
    assert report.excerpt.startswith("…")
    assert report.excerpt.endswith("…")
    assert "the link" in report.excerpt
    assert "before199 the link after0" in report.excerpt


def test_cuts_fall_between_words() -> None:
    before = " ".join(f"word{i}" for i in range(100))
    excerpt = inspect(document(f'<p>{before} <a href="{TARGET}">link</a>.</p>')).excerpt

    first_word = excerpt.removeprefix("…").split()[0]
    assert first_word.startswith("word")
    assert f"{first_word} " in before + " "


def test_japanese_text_without_spaces_is_cut_by_characters() -> None:
    text = "あ" * 400
    report = inspect(document(f'<p>{text}<a href="{TARGET}">リンク</a>{text}</p>'))

    assert len(report.excerpt) <= 255
    assert "あリンクあ" in report.excerpt
    assert report.excerpt[0] == report.excerpt[-1] == "…"


def test_a_long_link_text_is_cropped_to_100_characters() -> None:
    report = inspect(document(f'<p>Intro <a href="{TARGET}">{"x" * 300}</a> outro</p>'))

    assert "x" * 99 + "…" in report.excerpt
    assert "x" * 100 not in report.excerpt


def test_the_excerpt_stays_in_the_links_block_and_collapses_whitespace() -> None:
    body = document(
        "<p>Other paragraph.</p>"
        f'<p>  Reading\n\n <em>this</em>:\t<a href="{TARGET}">post</a>  <br>next line </p>'
        "<script>ignored()</script><p>Unrelated.</p>"
    )

    assert inspect(body).excerpt == "Reading this: post next line"


def test_blocks_inside_the_links_block_are_separated_by_spaces() -> None:
    body = document(
        f'<div><p>One.</p><p>Two <a href="{TARGET}">link</a></p><ul><li>Three</li></ul></div>'
    )

    assert inspect(body).excerpt == "Two link"


def test_an_image_link_uses_its_alt_text() -> None:
    report = inspect(document(f'<p>Look: <img src="{TARGET}" alt="a photo"> nice.</p>'))

    assert report.excerpt == "Look: a photo nice."


def test_context_excerpt_keeps_short_text_whole() -> None:
    assert context_excerpt("Hello ", "link", " there.") == "Hello link there."


def test_context_excerpt_gives_a_short_side_budget_to_the_other() -> None:
    excerpt = context_excerpt("Hi ", "link", " " + "after " * 100)

    assert excerpt.startswith("Hi link after")
    assert excerpt.endswith("…")
    assert 240 <= len(excerpt) <= 255


# microformats2


REPLY = f"""
<article class="h-entry">
  <div class="p-author h-card">
    <img class="u-photo" src="/me.jpg" alt="">
    <a class="p-name u-url" href="/">Alice Example</a>
  </div>
  <p>In reply to <a class="u-in-reply-to h-cite" href="{TARGET}">
     <span class="p-name">Hello</span> by <span class="p-author">Bob</span></a></p>
  <div class="e-content"><p>Great <strong>post</strong>! <img src="x.png" onerror="alert(1)">
    <script>steal()</script><a href="javascript:alert(2)">click</a></p></div>
  <time class="dt-published" datetime="2024-05-01 10:00:00+0900">May 1</time>
</article>"""


def test_a_reply_with_a_nested_h_cite() -> None:
    report = inspect(document(REPLY))

    assert report.links_to_target is True
    assert report.mention_type == MentionType.REPLY
    assert report.author_name == "Alice Example"
    assert report.author_url == "https://alice.example/"
    assert report.author_photo == "https://alice.example/me.jpg"
    assert report.published == datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=9)))
    assert report.excerpt == "In reply to Hello by Bob"
    assert report.title == "Alice's reply"


def test_reply_content_is_sanitized_html() -> None:
    content = inspect(document(REPLY)).content
    parsed = BeautifulSoup(content, "html.parser")

    assert parsed.find("strong") is not None
    assert parsed.find("script") is None
    assert "steal" not in content
    assert "onerror" not in content
    assert "javascript:" not in content
    assert parsed.find("img")["src"] == "https://alice.example/2024/05/x.png"  # type: ignore[index]


@pytest.mark.parametrize(
    ("markup", "kind"),
    [
        (f'<a class="u-like-of" href="{TARGET}">liked</a>', MentionType.LIKE),
        (f'<a class="u-repost-of" href="{TARGET}">reposted</a>', MentionType.REPOST),
        (f'<a class="u-bookmark-of" href="{TARGET}">bookmarked</a>', MentionType.BOOKMARK),
        (f'<a class="u-in-reply-to" href="{TARGET}">re</a>', MentionType.REPLY),
        (
            '<a class="u-in-reply-to" href="https://other.example/x">re</a>'
            f' <a href="{TARGET}">b</a>',
            MentionType.MENTION,
        ),
        (
            f'<a class="u-like-of" href="{TARGET}#frag">liked a part</a>',
            MentionType.LIKE,
        ),
        (
            f'<div class="u-like-of h-cite"><a class="u-url" href="{TARGET}">x</a></div>',
            MentionType.LIKE,
        ),
        (
            f'<a class="u-in-reply-to" href="{TARGET}">re</a>'
            f' <a class="u-like-of" href="{TARGET}">l</a>',
            MentionType.LIKE,
        ),
    ],
)
def test_mention_type_comes_from_properties_that_reference_the_target(
    markup: str, kind: MentionType
) -> None:
    report = inspect(document(f'<div class="h-entry"><p class="e-content">{markup}</p></div>'))

    assert report.mention_type == kind


def test_a_like_of_pointing_elsewhere_is_a_plain_mention() -> None:
    body = (
        '<div class="h-entry"><a class="u-like-of" href="https://other.example/">l</a>'
        f'<p class="e-content">See <a href="{TARGET}">this</a></p></div>'
    )

    assert inspect(document(body)).mention_type == MentionType.MENTION


def test_the_entry_that_references_the_target_is_the_primary_one_in_a_feed() -> None:
    body = (
        '<div class="h-feed"><a class="p-author h-card" href="https://alice.example/">Alice</a>'
        '<article class="h-entry"><h2 class="p-name">Unrelated post</h2>'
        '<div class="e-content">Nothing to see</div></article>'
        '<article class="h-entry"><h2 class="p-name">Liking Bob</h2>'
        f'<div class="e-content">I like <a class="u-like-of" href="{TARGET}">this</a></div>'
        '<time class="dt-published" datetime="2024-05-02T08:00:00Z"></time></article></div>'
    )

    report = inspect(document(body, title="Alice's feed"))

    assert report.mention_type == MentionType.LIKE
    assert report.title == "Liking Bob"
    assert (report.author_name, report.author_url) == ("Alice", "https://alice.example/")
    assert report.published == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


def test_an_entry_linking_in_its_content_beats_the_first_entry() -> None:
    body = (
        '<div class="h-entry"><p class="p-name">First</p><p class="e-content">No link</p></div>'
        '<div class="h-entry"><p class="p-name">Second</p>'
        f'<p class="e-content">Link: <a href="{TARGET}">x</a></p></div>'
    )

    assert inspect(document(body, title="Page")).title == "Second"


@pytest.mark.parametrize(
    ("author", "name", "url"),
    [
        ('<span class="p-author">Carol</span>', "Carol", ""),
        (
            '<a class="u-author" href="https://carol.example/">site</a>',
            "",
            "https://carol.example/",
        ),
        (
            '<a class="p-author h-card" href="https://carol.example/">https://carol.example/</a>',
            "",
            "https://carol.example/",
        ),
    ],
)
def test_authors_given_as_text_or_url(author: str, name: str, url: str) -> None:
    body = f'<div class="h-entry">{author}<p class="e-content"><a href="{TARGET}">x</a></p></div>'

    report = inspect(document(body))

    assert (report.author_name, report.author_url) == (name, url)


def test_an_author_photo_that_is_not_http_is_dropped() -> None:
    body = (
        '<div class="h-entry"><div class="p-author h-card"><span class="p-name">Eve</span>'
        '<img class="u-photo" src="javascript:alert(1)"></div>'
        f'<p class="e-content"><a href="{TARGET}">x</a></p></div>'
    )

    report = inspect(document(body))

    assert (report.author_name, report.author_photo) == ("Eve", "")


def test_an_implied_name_is_not_taken_for_a_title() -> None:
    body = (
        '<div class="h-entry">'
        f'<p class="e-content">Short note about <a href="{TARGET}">it</a></p></div>'
    )

    assert inspect(document(body, title="Alice's notes")).title == "Alice's notes"


def test_without_an_html_title_the_entry_name_is_used() -> None:
    body = f'<div class="h-entry"><a class="u-like-of" href="{TARGET}">Liked it</a></div>'
    page = f"<html><body>{body}</body></html>"

    assert inspect(page).title == "Liked it"


def test_a_plain_text_content_is_escaped_into_html() -> None:
    body = (
        '<div class="h-entry"><p class="p-content">1 &lt; 2 &amp; &lt;b&gt;</p>'
        f'<a class="u-in-reply-to" href="{TARGET}">re</a></div>'
    )

    assert inspect(document(body)).content == "1 &lt; 2 &amp; &lt;b&gt;"


def test_huge_content_is_capped() -> None:
    body = (
        '<div class="h-entry"><div class="e-content">'
        + "<p>paragraph of words</p>" * 2000
        + f'<a href="{TARGET}">x</a></div></div>'
    )

    content = inspect(document(body)).content

    assert len(content) <= 5100
    assert content.endswith("…")
    assert content.count("<p>") == content.count("</p>")


def test_an_unreadable_published_date_is_none() -> None:
    body = (
        '<div class="h-entry"><time class="dt-published" datetime="last Tuesday"></time>'
        f'<p class="e-content"><a href="{TARGET}">x</a></p></div>'
    )

    assert inspect(document(body)).published is None


def test_a_published_date_without_offset_is_read_as_utc() -> None:
    body = (
        '<div class="h-entry"><time class="dt-published" datetime="2024-05-01T10:00"></time>'
        f'<p class="e-content"><a href="{TARGET}">x</a></p></div>'
    )

    assert inspect(document(body)).published == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_without_a_link_the_excerpt_is_the_entry_summary() -> None:
    body = (
        '<div class="h-entry"><p class="p-summary">A summary.</p>'
        '<div class="e-content">Long content</div></div>'
    )

    report = inspect(document(body))

    assert (report.links_to_target, report.excerpt) == (False, "A summary.")


# Everything but content is plain text


def test_text_fields_are_plain_text_not_markup() -> None:
    body = (
        '<div class="h-entry"><span class="p-author h-card"><span class="p-name">'
        "&lt;script&gt;x&lt;/script&gt;</span></span>"
        f'<p class="e-content">&lt;b&gt; <a href="{TARGET}">x</a></p></div>'
    )

    report = inspect(document(body, title="&lt;i&gt;Title&lt;/i&gt;\x00"))

    assert report.title == "<i>Title</i>"
    assert report.author_name == "<script>x</script>"
    assert report.excerpt == "<b> x"


# Other media types (WM: JSON values, plain-text substrings)


def test_json_with_the_target_as_a_value_counts() -> None:
    body = json.dumps({"name": "A note", "refs": [{"url": TARGET}], "n": 3})

    report = inspect(body, content_type="application/json")

    assert (report.links_to_target, report.title) == (True, "A note")


@pytest.mark.parametrize(
    "data",
    [{"text": f"see {TARGET}"}, {TARGET: "as a key"}, [f"{TARGET}/"], {"n": 1}],
)
def test_json_without_an_exactly_equal_value_does_not_count(data: object) -> None:
    assert inspect(json.dumps(data), content_type="application/json").links_to_target is False


def test_json_types_with_suffix_count() -> None:
    body = json.dumps({"type": "entry", "in-reply-to": TARGET})

    assert inspect(body, content_type="application/activity+json").links_to_target is True


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000])
def test_broken_json_is_no_link(body: bytes) -> None:
    assert inspect(body, content_type="application/json") == SourceReport()


def test_plain_text_with_the_target_counts_with_an_excerpt() -> None:
    report = inspect(f"Notes\n\nI read {TARGET} today.\n", content_type="text/plain")

    assert report.links_to_target is True
    assert report.excerpt == f"Notes I read {TARGET} today."


def test_plain_text_without_the_target_does_not_count() -> None:
    assert inspect("Nothing here", content_type="text/plain").links_to_target is False


def test_a_binary_type_is_never_a_link() -> None:
    assert inspect(TARGET.encode(), content_type="image/png") == SourceReport()


def test_a_missing_content_type_is_sniffed() -> None:
    assert inspect(document(f'<a href="{TARGET}">x</a>'), content_type=None).links_to_target
    assert inspect(f"text {TARGET}", content_type=None).links_to_target


# Charsets


def test_a_shift_jis_page_declared_in_a_meta_tag() -> None:
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<title>日本語のページ</title></head><body>"
        f'<p>この<a href="{TARGET}">記事</a>は①番目です。</p></body></html>'
    ).encode("cp932")

    report = inspect(body, content_type="text/html")

    assert report.links_to_target is True
    assert report.title == "日本語のページ"
    assert report.excerpt == "この記事は①番目です。"


def test_the_http_charset_wins_over_the_meta_tag() -> None:
    body = (f'<meta charset="windows-1252"><title>日本</title><a href="{TARGET}">x</a>').encode(
        "euc_jp"
    )

    assert inspect(body, content_type="text/html", charset="EUC-JP").title == "日本"
    assert inspect(body, content_type="text/html; charset=euc-jp").title == "日本"


def test_undeclared_non_utf8_falls_back_to_windows_1252() -> None:
    body = f'<title>caf\xe9 \x93q\x94</title><a href="{TARGET}">x</a>'.encode("latin-1")

    assert inspect(body, content_type="text/html").title == "café “q”"


# Gone (ROCKS delete test)


@pytest.mark.parametrize(
    ("meta", "gone"),
    [
        ('<meta http-equiv="Status" content="410 Gone">', True),
        ('<meta http-equiv="status" content=" 410">', True),
        ('<meta http-equiv="Status" content="200 OK">', False),
        ('<meta name="Status" content="410 Gone">', False),
        ("", False),
    ],
)
def test_a_meta_status_410_marks_the_page_gone(meta: str, gone: bool) -> None:
    assert inspect(document("<p>Deleted</p>", head=meta)).is_gone_meta is gone


# Pages that trip parsers' warnings (warnings are errors in tests)


@pytest.mark.parametrize(
    "body",
    [
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss><a href="{TARGET}">x</a></rss>',
        "https://alice.example/looks-like-a-url",
        "notes.txt",
        "",
    ],
)
def test_odd_pages_do_not_warn(body: str) -> None:
    inspect(body, content_type="text/html")
