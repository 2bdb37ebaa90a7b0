from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from yamabiko.porting import ImportedPost, ImportWarning, ParseError, detect_encoding, parse_mt


def posts(path: Path, **kwargs: str) -> list[ImportedPost]:
    return [r for r in parse_mt(path, **kwargs) if isinstance(r, ImportedPost)]


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode(encoding))
    return path


RECORD = """AUTHOR: Taro
TITLE: {title}
STATUS: Publish
DATE: {date}
-----
BODY:
{body}
-----
--------
"""


def test_mt_fixture_records_field_by_field(fixtures: Path) -> None:
    first, second = posts(fixtures / "mt" / "aereal-mt-ok.txt")
    assert first.title == "A dummy title"
    assert second.title == "2件目の記事"
    assert first.date == datetime(2007, 8, 8, 15, 0, 0)  # 03:00:00 PM
    assert not first.date_is_utc
    assert first.body == "これは本文です。"
    assert first.extended == "ここに追記の本文が表示されます。"
    assert second.excerpt == "この記事は追記がありませんが、\n概要はあります。 特殊な例です。"
    assert first.tags == ("Movable Type", "foo", "bar")
    assert first.categories == ("News", "Product")
    assert first.primary_category == "News"
    assert first.text_format == "richtext"
    assert first.allow_comments is True
    assert first.allow_pings is True
    assert first.status == "publish"
    assert first.unknown_fields == ()
    assert second.unknown_fields == ("CF50_BASENAME",)
    assert second.extra == (("CF50_BASENAME", "textdata"),)
    c1, c2 = first.comments
    assert c1.author_name == "Foo"
    assert c1.date == datetime(2002, 1, 31, 15, 47, 6)  # 24-hour form
    assert c1.body == "ここに\nこのコメントの本文が来ます。"
    assert c2.date == datetime(2002, 2, 1, 4, 2, 7)  # AM form
    assert (c2.author_ip, c2.author_email) == ("205.66.1.32", "me@bar.com")
    assert c2.body.endswith("ここまで来ます。")
    (c3,) = second.comments
    assert c3.author_url.startswith('<a href="http://www.quux.com/">')
    assert c3.date == datetime(2002, 1, 31, 16, 23, 1)
    assert all(c.kind == "comment" for c in (c1, c2, c3))


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("shift_jis", "cp932"), ("euc_jp", "euc_jp"), ("cp1252", "cp1252"), ("utf-8", "utf-8")],
)
def test_mt_encoding_is_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    title = "Café déjà vu" if encoding == "cp1252" else "日本語のタイトルです、ひらがな"
    body = "naïve résumé" if encoding == "cp1252" else "これは本文です。カタカナも漢字も。"
    path = write(tmp_path, RECORD.format(title=title, date="01/02/2006 15:04:05", body=body),
                 encoding)  # fmt: skip
    assert detect_encoding(path.read_bytes()) == expected
    (post,) = posts(path)
    assert (post.title, post.body) == (title, body)


def test_mt_utf8_bom_and_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + RECORD.format(title="t", date="1/2/2006 1:04:05",
                                                    body="b").encode())  # fmt: skip
    assert posts(path)[0].author_login == "Taro"
    sjis = write(tmp_path, RECORD.format(title="表", date="01/02/2006 15:04:05", body="x"),
                 "cp932")  # fmt: skip
    assert posts(sjis, encoding="cp932")[0].title == "表"


def test_mt_crlf_line_ends(tmp_path: Path) -> None:
    text = RECORD.format(title="T", date="01/02/2006 15:04:05", body="one\ntwo")
    path = write(tmp_path, text.replace("\n", "\r\n"))
    (post,) = posts(path)
    assert post.title == "T"
    assert post.body == "one\ntwo"


def test_mt_bare_separator_line_in_body_is_kept(tmp_path: Path) -> None:
    body = "before\n-----\nafter the rule\n--------\nstill body"
    records = list(parse_mt(write(tmp_path, RECORD.format(title="T", date="01/02/2006 15:04:05",
                                                          body=body))))  # fmt: skip
    (post,) = [r for r in records if isinstance(r, ImportedPost)]
    assert post.body == body
    assert [w.line for w in records if isinstance(w, ImportWarning)] == [8, 10]


def test_mt_tab_escaped_separators_are_unescaped(tmp_path: Path) -> None:
    body = "a\n-----\t\nb\n--------\t\nc"
    (post,) = posts(write(tmp_path, RECORD.format(title="T", date="01/02/2006 15:04:05",
                                                  body=body)))  # fmt: skip
    assert post.body == "a\n-----\nb\n--------\nc"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("08/08/07 03:00:00 PM", datetime(1907, 8, 8, 15, 0, 0)),  # MT adds 1900
        ("12/31/2010 12:30:00 PM", datetime(2010, 12, 31, 12, 30, 0)),
        ("12/31/2010 12:30:00 AM", datetime(2010, 12, 31, 0, 30, 0)),
        ("1/2/2006 3:04:05", datetime(2006, 1, 2, 3, 4, 5)),
        ("01/02/2006 23:59:59", datetime(2006, 1, 2, 23, 59, 59)),
    ],
)
def test_mt_dates(tmp_path: Path, date: str, expected: datetime) -> None:
    (post,) = posts(write(tmp_path, RECORD.format(title="T", date=date, body="b")))
    assert post.date == expected


@pytest.mark.parametrize(
    "date", ["2006-01-02 15:04:05", "13/01/2006 10:00:00", "01/02/2006 13:00:00 PM"]
)
def test_mt_bad_date_is_a_parse_error_with_line(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, RECORD.format(title="T", date=date, body="b"))
    with pytest.raises(ParseError) as info:
        list(parse_mt(path))
    assert info.value.line == 4
    assert info.value.file == str(path)
    assert "DATE" in info.value.expected


def test_mt_truncated_record_is_a_parse_error(tmp_path: Path) -> None:
    text = RECORD.format(title="T", date="01/02/2006 15:04:05", body="b")
    text += "AUTHOR: Hanako\nTITLE: cut\n-----\nBODY:\nhalf a body\n"
    with pytest.raises(ParseError) as info:
        list(parse_mt(write(tmp_path, text)))
    assert info.value.line == 13  # the BODY: header whose section never closes
    assert "'-----'" in info.value.expected


def test_mt_comment_and_ping_sections(tmp_path: Path) -> None:
    text = """AUTHOR: Taro
TITLE: With pings
STATUS: Draft
ALLOW COMMENTS: 0
ALLOW PINGS: 1
CONVERT BREAKS: __default__
NO ENTRY: 1
CATEGORY: A
CATEGORY: B
TAGS: "x, y",z
DATE: 01/02/2006 15:04:05
-----
BODY:
b
-----
KEYWORDS:
kw
-----
COMMENT:
AUTHOR: C
EMAIL: c@example.com
URL: http://c.example/
IP: 10.0.0.1
DATE: 01/03/2006 01:00:00 PM
hello
-----
PING:
TITLE: Their post
URL: http://them.example/p
IP: 10.0.0.2
BLOG NAME: Their blog
DATE: 01/04/2006 10:00:00
excerpt text
-----
MYPLUGIN:
data
-----
--------
"""
    (post,) = posts(write(tmp_path, text))
    assert post.status == "draft"
    assert (post.allow_comments, post.allow_pings) == (False, True)
    assert post.no_entry
    assert post.primary_category == "A"
    assert post.tags == ("x, y", "z")
    assert post.keywords == "kw"
    assert post.unknown_fields == ("MYPLUGIN",)
    comment, ping = post.comments
    assert (comment.kind, comment.author_email, comment.date) == (
        "comment",
        "c@example.com",
        datetime(2006, 1, 3, 13, 0, 0),
    )
    assert ping.kind == "trackback"
    assert (ping.title, ping.blog_name, ping.author_url) == (
        "Their post",
        "Their blog",
        "http://them.example/p",
    )
    assert ping.body == "excerpt text"


def test_mt_unknown_status_is_a_parse_error(tmp_path: Path) -> None:
    text = RECORD.format(title="T", date="01/02/2006 15:04:05", body="b")
    with pytest.raises(ParseError) as info:
        list(parse_mt(write(tmp_path, text.replace("Publish", "Sometimes"))))
    assert info.value.line == 3
