"""write_mt: what it writes reads back through parse_mt as the posts it was given, less what
the Movable Type format cannot carry (listed in mt_write's docstring)."""

from __future__ import annotations

import dataclasses
import io
import itertools
import tracemalloc
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting import ImportedComment, ImportedPost, ImportWarning, parse_mt
from yamabiko.porting.mt_write import write_mt


def written(posts: Iterable[ImportedPost]) -> str:
    out = io.StringIO()
    write_mt(out, posts)
    return out.getvalue()


def reread(posts: Iterable[ImportedPost]) -> list[ImportedPost]:
    records = list(parse_mt(io.BytesIO(written(posts).encode()), encoding="utf-8"))
    assert not [r for r in records if isinstance(r, ImportWarning)]
    return [r for r in records if isinstance(r, ImportedPost)]


def only_post(post: ImportedPost) -> ImportedPost:
    (back,) = reread([post])
    return dataclasses.replace(back, line=post.line)


def assert_same_posts(first: list[ImportedPost], second: list[ImportedPost]) -> None:
    assert len(second) == len(first)
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        for field in dataclasses.fields(a):
            if field.name != "line":
                assert getattr(b, field.name) == getattr(a, field.name), (index, field.name)


POST = ImportedPost(
    line=1,
    original_id="",
    kind="post",
    title="Hello",
    slug="hello",
    link="",
    author_login="Taro",
    status="publish",
    date=datetime(2020, 5, 6, 15, 8, 9),
    date_is_utc=False,
    body="Body",
    extended="",
    excerpt="",
    category_key="name",
)
COMMENT = ImportedComment(
    original_id="",
    parent_original_id=None,
    kind="comment",
    status="approved",
    author_name="Ann",
    author_email="ann@example.com",
    author_url="https://ann.example/",
    author_ip="192.0.2.1",
    date=datetime(2020, 5, 7, 0, 30, 0),
    date_is_utc=False,
    body="Nice.",
)


def test_mt_write_round_trips_the_real_fixture(fixtures: Path) -> None:
    # The fixture reads without warnings (a warning is a report, not a record to write), and a
    # record read from MT holds only what MT carries: every field but `line` must come back.
    records = list(parse_mt(fixtures / "mt" / "aereal-mt-ok.txt"))
    first = [r for r in records if isinstance(r, ImportedPost)]
    assert len(first) == len(records) == 2
    assert_same_posts(first, reread(first))


def test_mt_record_layout_is_what_mt_exports() -> None:
    post = dataclasses.replace(
        POST, allow_comments=True, allow_pings=False, text_format="__default__",
        primary_category="News", categories=("News", "Tech"), tags=("a", "b c"),
        extended="More", excerpt="Short", keywords="kw", comments=(COMMENT,),
    )  # fmt: skip
    assert written([post]) == (
        "AUTHOR: Taro\n"
        "TITLE: Hello\n"
        "BASENAME: hello\n"
        "STATUS: Publish\n"
        "ALLOW COMMENTS: 1\n"
        "CONVERT BREAKS: __default__\n"
        "ALLOW PINGS: 0\n"
        "PRIMARY CATEGORY: News\n"
        "CATEGORY: News\n"
        "CATEGORY: Tech\n"
        "DATE: 05/06/2020 03:08:09 PM\n"
        'TAGS: a,"b c"\n'
        "-----\n"
        "BODY:\nBody\n-----\n"
        "EXTENDED BODY:\nMore\n-----\n"
        "EXCERPT:\nShort\n-----\n"
        "KEYWORDS:\nkw\n-----\n"
        "COMMENT:\n"
        "AUTHOR: Ann\n"
        "EMAIL: ann@example.com\n"
        "IP: 192.0.2.1\n"
        "URL: https://ann.example/\n"
        "DATE: 05/07/2020 12:30:00 AM\n"
        "Nice.\n"
        "-----\n"
        "--------\n"
    )
    assert only_post(post) == post


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (datetime(2020, 1, 2, 0, 0, 0), "01/02/2020 12:00:00 AM"),
        (datetime(2020, 1, 2, 11, 59, 59), "01/02/2020 11:59:59 AM"),
        (datetime(2020, 1, 2, 12, 0, 0), "01/02/2020 12:00:00 PM"),
        (datetime(2020, 12, 31, 23, 5, 6), "12/31/2020 11:05:06 PM"),
        (datetime(999, 1, 2, 3, 4, 5), "01/02/0999 03:04:05 AM"),
    ],
)
def test_mt_dates_are_written_with_am_pm_in_english(date: datetime, text: str) -> None:
    post = dataclasses.replace(POST, date=date)
    assert f"DATE: {text}\n" in written([post])
    assert only_post(post).date == date


def test_mt_aware_date_is_written_as_the_wall_time_it_holds() -> None:
    tokyo = timezone(timedelta(hours=9))
    post = dataclasses.replace(POST, date=datetime(2020, 5, 6, 20, 0, 0, tzinfo=tokyo),
                               date_is_utc=True)  # fmt: skip
    assert "DATE: 05/06/2020 08:00:00 PM\n" in written([post])
    back = only_post(post)
    assert (back.date, back.date_is_utc) == (datetime(2020, 5, 6, 20, 0, 0), False)
    utc = dataclasses.replace(post, date=datetime(2020, 5, 6, 11, 0, 0, tzinfo=UTC))
    assert only_post(utc).date == datetime(2020, 5, 6, 11, 0, 0)


def test_mt_draft_without_date_has_no_date_line() -> None:
    post = dataclasses.replace(POST, status="draft", date=None)
    text = written([post])
    assert "DATE" not in text
    assert "STATUS: Draft\n" in text
    assert only_post(post) == post


@pytest.mark.parametrize(
    ("status", "word", "back"),
    [
        ("publish", "Publish", "publish"),
        ("draft", "Draft", "draft"),
        ("future", "Future", "future"),
        ("pending", "Review", "pending"),
        ("private", "Draft", "draft"),  # MT has no private status; it must not go public
        ("trash", "Draft", "draft"),
    ],
)
def test_mt_statuses(status: str, word: str, back: str) -> None:
    post = dataclasses.replace(POST, status=status)  # type: ignore[arg-type]
    assert f"STATUS: {word}\n" in written([post])
    assert only_post(post).status == back


def test_mt_password_protected_post_is_written_as_draft() -> None:
    post = dataclasses.replace(POST, password="secret")
    assert "STATUS: Draft\n" in written([post])
    assert "secret" not in written([post])


def test_mt_separator_lines_in_bodies_are_escaped_with_a_tab() -> None:
    body = "above\n-----\nmiddle\n--------\nbelow\n------\n----- "
    comment = dataclasses.replace(COMMENT, body="-----\n--------")
    post = dataclasses.replace(POST, body=body, extended="--------", excerpt="-----",
                               keywords="-----", comments=(comment,))  # fmt: skip
    text = written([post])
    assert "\n-----\t\nmiddle\n--------\t\nbelow\n------\n----- \n" in text
    assert only_post(post) == post


def test_mt_empty_extended_body_is_an_empty_section() -> None:
    text = written([POST])
    assert "EXTENDED BODY:\n\n-----\n" in text
    assert only_post(POST).extended == ""


def test_mt_cjk_emoji_and_markup_are_written_verbatim() -> None:
    post = dataclasses.replace(POST, title="日本語のタイトル 😀", body="<p>本文 &amp; ]]> 😀</p>",
                               author_login="山田")  # fmt: skip
    text = written([post])
    assert "<p>本文 &amp; ]]> 😀</p>" in text
    assert only_post(post) == post


def test_mt_control_characters_stay_as_text() -> None:
    # Unlike XML, the MT format is plain text: only line ends have a meaning.
    post = dataclasses.replace(POST, title="a\x01b", body="x\x00y\x1fz\x0c")
    assert only_post(post) == post


def test_mt_line_breaks_in_one_line_values_become_spaces() -> None:
    post = dataclasses.replace(POST, title="two\nlines\r\nhere ", author_login=" Taro\n")
    back = only_post(post)
    assert (back.title, back.author_login) == ("two lines here", "Taro")


@pytest.mark.parametrize(
    ("tags", "line"),
    [
        (("Movable Type", "foo", "bar"), 'TAGS: "Movable Type",foo,bar'),
        (("a,b", "c"), 'TAGS: "a,b",c'),
        (('say "hi"', "x"), 'TAGS: "say ""hi""",x'),
        (("tab\there", "日本語 タグ"), 'TAGS: "tab\there","日本語 タグ"'),
    ],
)
def test_mt_tags_with_commas_spaces_and_quotes_are_quoted(tags: tuple[str, ...], line: str) -> None:
    post = dataclasses.replace(POST, tags=tags)
    assert line + "\n" in written([post])
    assert only_post(post).tags == tags


def test_mt_comments_pings_and_their_order() -> None:
    ping = dataclasses.replace(COMMENT, kind="trackback", author_name="", author_email="",
                               title="Their post", blog_name="Their blog",
                               author_url="https://them.example/p", body="excerpt")  # fmt: skip
    reply = dataclasses.replace(COMMENT, author_name="Ben", body="first\n\nsecond")
    post = dataclasses.replace(POST, comments=(COMMENT, ping, reply))
    text = written([post])
    section = (
        "PING:\nTITLE: Their post\nURL: https://them.example/p\nIP: 192.0.2.1\n"
        "BLOG NAME: Their blog\nDATE: 05/07/2020 12:30:00 AM\nexcerpt\n-----\n"
    )
    assert section in text
    assert only_post(post) == post


def test_mt_threading_ids_and_linkback_kinds_are_not_carried() -> None:
    threaded = dataclasses.replace(COMMENT, original_id="7", parent_original_id="6")
    pingback = dataclasses.replace(COMMENT, kind="pingback", author_name="A blog",
                                   author_email="", title="")  # fmt: skip
    mention = dataclasses.replace(COMMENT, kind="webmention", author_name="Someone",
                                  blog_name="Their site", title="Re: Hello")  # fmt: skip
    text = written([dataclasses.replace(POST, comments=(threaded, pingback, mention))])
    assert text.count("PING:\n") == 2
    back = only_post(dataclasses.replace(POST, comments=(threaded, pingback, mention)))
    flat, ping, webmention = back.comments
    assert (flat.original_id, flat.parent_original_id) == ("", None)
    assert flat.body == threaded.body
    # A ping's blog name is its author's name in WordPress; MT reads every ping as a trackback.
    assert (ping.kind, ping.blog_name, ping.author_name) == ("trackback", "A blog", "")
    assert (webmention.kind, webmention.title, webmention.blog_name) == (
        "trackback",
        "Re: Hello",
        "Their site",
    )


def test_mt_unapproved_comments_are_not_written() -> None:
    comments = tuple(
        dataclasses.replace(COMMENT, status=status, body=status)
        for status in ("approved", "pending", "spam", "trash")
    )
    back = only_post(dataclasses.replace(POST, comments=comments))
    assert [c.body for c in back.comments] == ["approved"]


def test_mt_comment_without_date_keeps_a_text_that_looks_like_a_date_field() -> None:
    comment = dataclasses.replace(COMMENT, date=None, body="DATE: 01/02/2003 04:05:06\nreal")
    post = dataclasses.replace(POST, comments=(comment,))
    assert only_post(post) == post


def test_mt_closed_comments_and_pings_and_unknown_flags() -> None:
    closed = dataclasses.replace(POST, allow_comments=False, allow_pings=False)
    text = written([closed])
    assert "ALLOW COMMENTS: 0\n" in text
    assert "ALLOW PINGS: 0\n" in text
    assert only_post(closed) == closed
    assert "ALLOW" not in written([POST])  # None: the site default
    assert only_post(POST) == POST


def test_mt_empty_author_and_basename_are_left_out() -> None:
    post = dataclasses.replace(POST, author_login="", slug="", title="")
    text = written([post])
    assert "AUTHOR" not in text
    assert "BASENAME" not in text
    assert "TITLE:\n" in text
    assert only_post(post) == post


def test_mt_primary_category_outside_the_category_list() -> None:
    post = dataclasses.replace(POST, primary_category="Main", categories=("Other",))
    assert only_post(post) == post


def test_mt_no_entry_record() -> None:
    post = dataclasses.replace(POST, no_entry=True)
    assert "NO ENTRY: 1\n" in written([post])
    assert only_post(post) == post


def test_mt_sticky_and_wxr_only_fields_are_dropped() -> None:
    post = dataclasses.replace(POST, original_id="5", link="https://x.example/", sticky=True,
                               kind="page", post_format="aside", parent_original_id="1",
                               menu_order=3, meta=(("k", "v"),), category_key="slug")  # fmt: skip
    assert only_post(post) == POST


def test_mt_unknown_keys_and_sections_are_written_back() -> None:
    extra = (
        ("CF50_BASENAME", "textdata"),
        ("X-CUSTOM", "dash key"),
        ("BODY", "a metadata key named like a section"),
        ("MYPLUGIN", "line one\n-----\nline three\n"),
        ("TITLE", "a section named like a metadata key"),
        ("LAST", "one line, after a section"),
    )
    post = dataclasses.replace(POST, extra=extra, unknown_fields=tuple(k for k, _ in extra))
    text = written([post])
    assert "CF50_BASENAME: textdata\nX-CUSTOM: dash key\nBODY: a metadata" in text
    assert "MYPLUGIN:\nline one\n-----\t\nline three\n\n-----\nTITLE:\na section" in text
    assert only_post(post) == post


@pytest.mark.parametrize(
    "extra", [("lower", "v"), ("A:B", "v"), ("X-MULTI", "a\nb"), ("COMMENT", " padded ")]
)
def test_mt_refuses_extra_fields_it_cannot_write(extra: tuple[str, str]) -> None:
    with pytest.raises(InvalidInput):
        written([dataclasses.replace(POST, extra=(extra,))])


# -- property: anything MT can carry comes back unchanged -------------------------------------

CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")
LINE = st.text(CHARS, max_size=20).map(str.strip)  # one-line values are trimmed on reading
NAME = LINE.filter(bool)
# A line that is exactly a separator plus TAB reads back without the TAB (MT's escape).
SECTION_LINE = st.one_of(
    st.text(CHARS, max_size=20).filter(lambda s: s not in ("-----\t", "--------\t")),
    st.sampled_from(["", "-----", "--------", "BODY:", "COMMENT:", "AUTHOR: x", "--------\t-"]),
)


def section_text(*, blank_if_space: bool) -> st.SearchStrategy[str]:
    # Sections lose their leading and trailing blank lines, and a BODY, EXTENDED BODY, EXCERPT
    # or KEYWORDS holding only whitespace reads back empty.
    def canonical(lines: list[str]) -> str:
        text = "\n".join(lines).strip("\n")
        return "" if blank_if_space and not text.strip() else text

    return st.lists(SECTION_LINE, max_size=5).map(canonical)


SECONDS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def mt_comments(draw: st.DrawFn) -> ImportedComment:
    ping = draw(st.booleans())
    return ImportedComment(
        original_id="",
        parent_original_id=None,
        kind="trackback" if ping else "comment",
        status="approved",
        author_name="" if ping else draw(LINE),
        author_email="" if ping else draw(LINE),
        author_url=draw(LINE),
        author_ip=draw(LINE),
        date=draw(st.none() | SECONDS),
        date_is_utc=False,
        body=draw(section_text(blank_if_space=False)),
        title=draw(LINE) if ping else "",
        blog_name=draw(LINE) if ping else "",
    )


@st.composite
def mt_posts(draw: st.DrawFn) -> ImportedPost:
    categories = tuple(draw(st.lists(NAME, max_size=3)))
    primary = draw(NAME | st.sampled_from(categories) if categories else st.none() | NAME)
    meta_extra = draw(st.lists(st.tuples(st.sampled_from(["CF50_BASENAME", "X-Y", "BODY", "日本"]),
                                         LINE), max_size=2))  # fmt: skip
    section_extra = draw(st.lists(st.tuples(st.sampled_from(["MYPLUGIN", "TITLE", "A B"]),
                                            st.lists(SECTION_LINE, max_size=3).map("\n".join)),
                                  max_size=2))  # fmt: skip
    extra = tuple(meta_extra + section_extra)
    return ImportedPost(
        line=0,
        original_id="",
        kind="post",
        title=draw(LINE),
        slug=draw(LINE),
        link="",
        author_login=draw(LINE),
        status=draw(st.sampled_from(["publish", "draft", "future", "pending"])),
        date=draw(st.none() | SECONDS),
        date_is_utc=False,
        body=draw(section_text(blank_if_space=True)),
        extended=draw(section_text(blank_if_space=True)),
        excerpt=draw(section_text(blank_if_space=True)),
        keywords=draw(section_text(blank_if_space=True)),
        categories=categories,
        category_key="name",
        primary_category=primary,
        tags=tuple(draw(st.lists(NAME, max_size=3))),
        comments=tuple(draw(st.lists(mt_comments(), max_size=3))),
        allow_comments=draw(st.none() | st.booleans()),
        allow_pings=draw(st.none() | st.booleans()),
        text_format=draw(st.sampled_from(["", "0", "1", "__default__", "markdown", "richtext"])),
        no_entry=draw(st.booleans()),
        unknown_fields=tuple(key for key, _ in extra),
        extra=extra,
    )


@settings(database=None, max_examples=100, deadline=None)
@given(posts=st.lists(mt_posts(), min_size=1, max_size=3))
def test_mt_generated_posts_round_trip(posts: list[ImportedPost]) -> None:
    back = reread(posts)
    assert [dataclasses.replace(p, line=0) for p in back] == posts


# -- streaming --------------------------------------------------------------------------------


def test_mt_writes_2000_posts_from_a_generator_as_they_come(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    body = "lorem ipsum dolor sit amet\n" * 350  # ~10 KB a post
    positions: list[int] = []

    with path.open("w", encoding="utf-8", newline="\n") as out:

        def generate() -> Iterator[ImportedPost]:
            for n in range(2000):
                out.flush()
                positions.append(path.stat().st_size)  # on disk before post n was asked for
                yield dataclasses.replace(POST, title=f"Post {n}", body=body,
                                          comments=(COMMENT,) * 5)  # fmt: skip

        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            write_mt(out, generate())
            peak = tracemalloc.get_traced_memory()[1] - baseline
        finally:
            tracemalloc.stop()

    assert all(later > earlier for earlier, later in itertools.pairwise(positions))
    assert path.stat().st_size > 20_000_000
    assert peak < 2_000_000, peak
    posts = [r for r in parse_mt(path) if isinstance(r, ImportedPost)]
    assert len(posts) == 2000
    assert posts[-1].title == "Post 1999"
