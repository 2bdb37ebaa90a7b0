"""WXR and Movable Type imports of damaged files: a report, or a refusal that stored nothing.

The parsers are fuzzed alone in test_fuzz_parsers.py; here the records go on into the
database through ``import_file``, where text a parser lets through (NUL, lone controls,
huge values, odd dates) meets the models and the database. An import either returns its
report or raises one of our errors (ParseError, InvalidInput), and a refused import leaves
every table as it was: it runs in one transaction.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.porting.test_import import database_snapshot, wxr, wxr_item
from tests.porting.test_mt import RECORD
from tests.robustness.fuzz import FUZZ, any_text, mutated
from yamabiko.core.exceptions import YamabikoError
from yamabiko.porting import ParseError
from yamabiko.porting.report import CREATED, UNCHANGED, ImportReport
from yamabiko.porting.services import import_file
from yamabiko.posts.models import PATH_MAX_LENGTH, Blog, Post, Redirect, Tag

pytestmark = pytest.mark.django_db

A_COMMENT = (
    "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Bob</wp:comment_author>"
    "<wp:comment_date>2020-03-05 01:02:03</wp:comment_date>"
    "<wp:comment_content>Hi</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
    "</wp:comment>"
)
VALID_WXR = wxr(
    wxr_item(7, "First post", extra=A_COMMENT)
    + wxr_item(8, "Second", content="<![CDATA[Text with <b>HTML</b>]]>")
)
VALID_MT = (
    RECORD.format(title="山の話", date="11/27/2026 07:15:00 PM", body="Body <b>bold</b>")
    + "COMMENT:\nAUTHOR: Kodama\nDATE: 11/27/2026 08:00:00 PM\nA reply.\n-----\n--------\n"
).encode()


def one_line(text: str) -> str:
    return " ".join(text.split()) or "x"


@st.composite
def mt_with_text(draw: st.DrawFn) -> bytes:
    """A well-formed MT record whose values are any text, long ones included: the parser
    accepts it, so the text reaches the models and each length-limited column."""
    line = any_text.map(one_line)
    body = draw(any_text).replace("\n-----", "\n")
    return (
        f"AUTHOR: {draw(line)}\nTITLE: {draw(line)}\nBASENAME: {draw(line)}\n"
        f"STATUS: Publish\nPRIMARY CATEGORY: {draw(line)}\nCATEGORY: {draw(line)}\n"
        f"TAGS: {draw(line)}\nDATE: 01/02/2020 03:04:05 AM\n-----\nBODY:\n{body}\n-----\n"
        f"COMMENT:\nAUTHOR: {draw(line)}\nEMAIL: {draw(line)}\nURL: {draw(line)}\n"
        f"IP: {draw(line)}\nDATE: 01/02/2020 04:05:06 AM\n{draw(line)}\n-----\n"
        f"PING:\nTITLE: {draw(line)}\nURL: {draw(line)}\nIP: {draw(line)}\n"
        f"BLOG NAME: {draw(line)}\nDATE: 01/02/2020 04:05:06 AM\n{draw(line)}\n-----\n"
        "--------\n"
    ).encode()


XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return escape(XML_CHARACTERS.sub("", text))


@st.composite
def wxr_with_text(draw: st.DrawFn) -> bytes:
    """A well-formed WXR item whose values are any text (as XML allows), long ones and
    percent-escapes included, so that they reach the models."""
    value = any_text.map(xml_text) | st.sampled_from(["%00", "%FF", "%E5%B1%B1", "%%"])
    path = "/".join(draw(st.lists(value, min_size=1, max_size=3)))
    term = (
        f'<category domain="post_tag" nicename="{draw(value)}"><![CDATA[x]]></category>'
        f'<category domain="category" nicename="{draw(value)}">{draw(value)}</category>'
    )
    comment = (
        f"<wp:comment><wp:comment_id>{draw(value)}</wp:comment_id>"
        f"<wp:comment_author>{draw(value)}</wp:comment_author>"
        f"<wp:comment_author_email>{draw(value)}</wp:comment_author_email>"
        f"<wp:comment_author_url>{draw(value)}</wp:comment_author_url>"
        f"<wp:comment_author_IP>{draw(value)}</wp:comment_author_IP>"
        "<wp:comment_date>2020-03-05 01:02:03</wp:comment_date>"
        f"<wp:comment_content>{draw(value)}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_type>{draw(st.sampled_from(['', 'pingback', 'trackback']))}"
        "</wp:comment_type></wp:comment>"
    )
    item = (
        f"<item><title>{draw(value)}</title><link>https://old.example/{path}</link>"
        f"<dc:creator>{draw(value)}</dc:creator>"
        f"<content:encoded>{draw(value)}</content:encoded>"
        f"<wp:post_id>{draw(value)}</wp:post_id>"
        "<wp:post_date>2020-03-04 05:06:07</wp:post_date>"
        f"<wp:post_name>{draw(value)}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>{draw(st.sampled_from(['post', 'page']))}</wp:post_type>"
        f"{term}{comment}</item>"
    )
    return wxr(item)


def import_or_refuse(tmp_path: Path, source_format: str, data: bytes) -> None:
    path = tmp_path / f"export.{source_format}"
    path.write_bytes(data)
    before = database_snapshot()
    try:
        report = import_file(source_format, path)
    except YamabikoError as error:
        event(f"refused: {type(error).__name__}")
        assert database_snapshot() == before
        return
    event("imported")
    assert isinstance(report, ImportReport)


@FUZZ
@given(data=mutated(VALID_WXR) | wxr_with_text())
def test_damaged_wxr_imports_or_is_refused_whole(tmp_path: Path, blog: Blog, data: bytes) -> None:
    import_or_refuse(tmp_path, "wxr", data)


@FUZZ
@given(data=mutated(VALID_MT) | mt_with_text())
def test_damaged_mt_imports_or_is_refused_whole(tmp_path: Path, blog: Blog, data: bytes) -> None:
    import_or_refuse(tmp_path, "mt", data)


@pytest.mark.parametrize("where", ["title", "body"])
def test_mt_file_with_a_nul_character_is_refused_on_every_database(
    tmp_path: Path, blog: Blog, where: str
) -> None:
    # Found by the test above: SQLite stored the NUL, PostgreSQL raised DataError mid-import.
    values = {"title": "T", "date": "01/02/2020 03:04:05 AM", "body": "B"} | {where: "a\x00b"}
    path = tmp_path / "export.txt"
    path.write_bytes(RECORD.format(**values).encode())
    before = database_snapshot()

    with pytest.raises(ParseError, match="NUL"):
        import_file("mt", path)

    assert database_snapshot() == before


def mt_record(*, title: str = "T", basename: str = "", tags: str = "") -> bytes:
    head = f"AUTHOR: Taro\nTITLE: {title}\n"
    head += f"BASENAME: {basename}\n" if basename else ""
    head += f"TAGS: {tags}\n" if tags else ""
    tail = "STATUS: Publish\nDATE: 01/02/2020 03:04:05 AM\n-----\nBODY:\nB\n-----\n--------\n"
    return (head + tail).encode()


# An old URL that leads to a permalink of 56 kanji: over 500 characters percent-encoded.
JAPANESE_SLUG_ITEM = (
    wxr_item(7, "T")
    .replace("?p=7", "old-post/")
    .replace("<wp:post_name>t</wp:post_name>", f"<wp:post_name>{'山' * 56}</wp:post_name>")
)


# Each found by the fuzz tests above: SQLite stored these, PostgreSQL raised DataError.
@pytest.mark.parametrize(
    ("source_format", "data"),
    [
        ("mt", mt_record(title="t" * 500)),  # the entry's key is its title: over 400
        ("mt", mt_record(basename="b" * 600)),  # the old URL: over 500
        ("mt", mt_record(tags="%00, fine")),  # the tag name decodes to a NUL
        ("wxr", wxr(wxr_item(7, "T").replace("?p=7", "a%00b/"))),  # the old URL holds a NUL
        ("wxr", wxr(wxr_item(7, "T").replace("?p=7", "p" * 600))),
        ("mt", mt_record(basename="b" * 3000)),  # the old URL: over Redirect's length
        # Found in CI: a Japanese slug whose percent-encoded permalink passed 500 characters.
        ("wxr", wxr(JAPANESE_SLUG_ITEM)),
    ],
    ids=[
        "mt-long-title",
        "mt-long-basename",
        "mt-nul-tag",
        "wxr-nul-link",
        "wxr-long-link",
        "mt-longer-basename",
        "wxr-long-japanese-slug",
    ],
)
def test_import_keeps_what_the_database_can_store_on_every_database(
    tmp_path: Path, blog: Blog, source_format: str, data: bytes
) -> None:
    path = tmp_path / "export"
    path.write_bytes(data)

    report = import_file(source_format, path)

    assert Post.objects.count() == 1
    # Checked in Python: a NUL in a query is itself refused (PostgreSQL) or ends the pattern
    # (SQLite).
    assert not any("\x00" in name for name in Tag.objects.values_list("name", flat=True))
    assert not any("\x00" in path for path in Redirect.objects.values_list("old_path", flat=True))
    assert report.counts["post"][CREATED] == 1
    new_paths = Redirect.objects.values_list("new_path", flat=True)
    assert all(len(new_path) <= PATH_MAX_LENGTH for new_path in new_paths)
    again = import_file(source_format, path)
    assert again.counts["post"][UNCHANGED] == 1  # the shortened key finds the entry again
