"""Importing WXR and Movable Type files into the blog: the real fixtures item by item, the
quirks, idempotency, dry runs, redirects, and files that must leave nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.remote_site import Answer, remote_site
from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.models import Comment, CommentStatus, Linkback, LinkbackStatus
from yamabiko.pagecache.generation import generation_current
from yamabiko.porting.models import ImportedItem
from yamabiko.porting.records import ParseError
from yamabiko.porting.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport
from yamabiko.porting.services import import_file, media_fetch_and_rewrite
from yamabiko.posts.demo.load import demo_load
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Redirect, Tag

pytestmark = pytest.mark.django_db

THEME_DATA = "wxr/themeunittestdata.wordpress.xml"
MT_SAMPLE = "mt/aereal-mt-ok.txt"


def counts(report: ImportReport, kind: str) -> tuple[int, int, int, int]:
    row = report.counts[kind]
    return row[CREATED], row[UPDATED], row[UNCHANGED], row[SKIPPED]


def database_snapshot() -> dict[str, int]:
    models = (Post, Page, Category, Tag, Comment, Linkback, Redirect, User, ImportedItem)
    return {model.__name__: model.objects.count() for model in models}


def wxr(items: str, *, namespace: str = "https", head: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{namespace}://wordpress.org/export/1.2/excerpt/"
 xmlns:content="{namespace}://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="{namespace}://wellformedweb.org/CommentAPI/"
 xmlns:dc="{namespace}://purl.org/dc/elements/1.1/"
 xmlns:wp="{namespace}://wordpress.org/export/1.2/">
<channel>
<title>Old blog</title>
<link>https://old.example</link>
<wp:base_site_url>https://old.example</wp:base_site_url>
<wp:base_blog_url>https://old.example</wp:base_blog_url>
{head}
{items}
</channel>
</rss>""".encode()


def wxr_item(post_id: int, title: str, *, date: str = "2020-03-04 05:06:07", extra: str = "",
             status: str = "publish", content: str = "<![CDATA[Hello]]>") -> str:  # fmt: skip
    return f"""<item>
<title>{title}</title>
<link>https://old.example/?p={post_id}</link>
<dc:creator>alice</dc:creator>
<content:encoded>{content}</content:encoded>
<excerpt:encoded></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date>{date}</wp:post_date>
<wp:post_date_gmt>{date}</wp:post_date_gmt>
<wp:post_name>{title.lower().replace(" ", "-")}</wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_type>post</wp:post_type>
{extra}
</item>"""


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the WordPress theme unit test data ----------------------------------------------------


@pytest.fixture
def theme_report(fixtures: Path, blog: Blog) -> ImportReport:
    return import_file("wxr", fixtures / THEME_DATA)


def test_theme_data_imports_every_kind_with_its_counts(theme_report: ImportReport) -> None:
    assert counts(theme_report, "post") == (58, 0, 0, 0)
    assert counts(theme_report, "page") == (21, 0, 0, 0)
    assert counts(theme_report, "category") == (68, 0, 0, 0)
    # 110 declared in the channel, 4 more only named by posts (columns, content, sample, …).
    assert Tag.objects.count() == 114
    assert counts(theme_report, "attachment") == (0, 0, 0, 37)
    # 33 in the file: 24 comments and 4 pings on posts; 5 comments on pages, which take none.
    assert counts(theme_report, "comment") == (24, 0, 0, 5)
    assert counts(theme_report, "linkback") == (4, 0, 0, 0)
    assert Post.objects.count() == 58
    assert Page.objects.count() == 21
    assert Comment.objects.count() == 24


def test_theme_data_categories_keep_their_hierarchy(theme_report: ImportReport) -> None:
    assert Category.objects.count() == 68
    grandchild = Category.objects.get(slug="grandchild-category")
    assert grandchild.path == "parent-category/child-category-03/grandchild-category"
    assert grandchild.name == "Grandchild Category"
    assert grandchild.description == "This is a description for the Grandchild Category."
    nested = Category.objects.exclude(parent=None)
    assert nested.exists()
    assert max(category.path.count("/") for category in Category.objects.all()) == 2
    for category in nested.select_related("parent"):
        assert category.path == f"{category.parent.path}/{category.slug}"


def test_theme_data_comments_thread_and_count(theme_report: ImportReport) -> None:
    post = Post.objects.get(title="Template: Comments")
    comments = Comment.objects.filter(post=post)
    replies = comments.exclude(parent=None)
    assert replies.exists()
    for reply in replies.select_related("parent"):
        assert reply.parent.post_id == post.pk
        assert reply.depth == reply.parent.depth + 1
    approved = comments.filter(status=CommentStatus.APPROVED).count()
    assert post.comment_count == approved > 0
    assert Comment.objects.filter(status=CommentStatus.PENDING).exists()


def test_theme_data_pings_become_linkbacks_of_their_kind(theme_report: ImportReport) -> None:
    kinds = sorted(Linkback.objects.values_list("kind", flat=True))
    assert kinds == ["pingback", "pingback", "trackback", "trackback"]
    post = Post.objects.get(title="Template: Pingbacks And Trackbacks")
    approved = Linkback.objects.filter(post=post, status=LinkbackStatus.APPROVED).count()
    assert post.trackback_count == approved == 4
    first = Linkback.objects.order_by("received_at").first()
    assert first is not None
    assert first.received_at.year < 2020


def test_theme_data_statuses_flags_and_dates(theme_report: ImportReport) -> None:
    sticky = Post.objects.get(title="Template: Sticky")
    assert sticky.is_sticky
    assert sticky.status == PostStatus.PUBLISHED
    assert Post.objects.filter(status=PostStatus.DRAFT).exists()
    closed = Post.objects.get(title="Template: Comments Disabled")
    assert closed.allow_comments is False
    protected = Post.objects.get(title__startswith="Template: Password Protected")
    assert protected.status == PostStatus.DRAFT  # never published with its secret
    assert any("password-protected" in warning for warning in theme_report.warnings)
    untitled = [post for post in Post.objects.all() if post.title.startswith("This post has")]
    assert untitled, "the post without a title gets one from its body"
    html = Post.objects.get(title="Markup: HTML Tags and Formatting")
    assert html.text_format == "html_paragraphs"
    assert "<script" not in html.body_html


def test_theme_data_nothing_is_sent_outward(
    fixtures: Path, blog: Blog, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        import_file("wxr", fixtures / THEME_DATA)
    assert DBTaskResult.objects.count() == 0


def test_theme_data_is_searchable(theme_report: ImportReport) -> None:
    response = Client().get("/search/", {"q": "sticky"})
    assert response.status_code == 200
    sticky = Post.objects.get(title="Template: Sticky")
    assert f'href="{sticky.get_absolute_url()}"' in response.content.decode()


def test_old_links_answer_301_to_the_new_permalink(theme_report: ImportReport) -> None:
    post = Post.objects.get(title="Template: Sticky")
    item = ImportedItem.objects.get(kind="post", object_id=post.pk)
    old_path = item.extra["link"].split("://", 1)[1].split("/", 1)[1]
    response = Client().get(f"/{old_path}")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()


def test_importing_the_same_file_again_changes_nothing(
    fixtures: Path, theme_report: ImportReport
) -> None:
    before = database_snapshot()
    updated_before = {post.pk: post.updated_at for post in Post.objects.all()}
    again = import_file("wxr", fixtures / THEME_DATA)
    assert database_snapshot() == before
    assert again.total(CREATED) == again.total(UPDATED) == 0
    assert counts(again, "post") == (0, 0, 58, 0)
    assert {post.pk: post.updated_at for post in Post.objects.all()} == updated_before


def test_a_dry_run_reports_and_changes_nothing(fixtures: Path, blog: Blog) -> None:
    before = database_snapshot()
    report = import_file("wxr", fixtures / THEME_DATA, dry_run=True)
    assert report.dry_run
    assert counts(report, "post") == (58, 0, 0, 0)
    assert database_snapshot() == before


# --- an updated export ---------------------------------------------------------------------


def test_an_updated_export_updates_what_changed(tmp_path: Path, blog: Blog) -> None:
    first = wxr(wxr_item(1, "First") + wxr_item(2, "Second"))
    import_file("wxr", write(tmp_path, "a.xml", first))
    changed = wxr(wxr_item(1, "First", content="<![CDATA[Hello again]]>") + wxr_item(2, "Second")
                  + wxr_item(3, "Third"))  # fmt: skip
    report = import_file("wxr", write(tmp_path, "b.xml", changed))
    assert counts(report, "post") == (1, 1, 1, 0)
    assert Post.objects.get(title="First").body == "Hello again"
    assert Post.objects.count() == 3


def test_a_post_deleted_since_the_import_stays_deleted(tmp_path: Path, blog: Blog) -> None:
    path = write(tmp_path, "a.xml", wxr(wxr_item(1, "First")))
    import_file("wxr", path)
    Post.objects.all().delete()
    report = import_file("wxr", path)
    assert counts(report, "post") == (0, 0, 0, 1)
    assert Post.objects.count() == 0


# --- WXR quirks ------------------------------------------------------------------------------


def test_http_namespaces_without_cdata_and_an_empty_comment_type(
    tmp_path: Path, blog: Blog
) -> None:
    comment = """<wp:comment><wp:comment_id>7</wp:comment_id>
<wp:comment_author>Bob</wp:comment_author><wp:comment_author_email>b@example.com</wp:comment_author_email>
<wp:comment_author_url></wp:comment_author_url><wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
<wp:comment_date>2020-03-05 00:00:00</wp:comment_date><wp:comment_date_gmt>2020-03-05 00:00:00</wp:comment_date_gmt>
<wp:comment_content>Plain &amp; simple</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>"""  # noqa: E501
    data = wxr(wxr_item(1, "Plain", content="&lt;p&gt;No CDATA&lt;/p&gt;", extra=comment),
               namespace="http")  # fmt: skip
    import_file("wxr", write(tmp_path, "plain.xml", data))
    post = Post.objects.get()
    assert post.body == "<p>No CDATA</p>"
    made = Comment.objects.get()
    assert made.body == "Plain & simple"
    assert str(made.ip_address) == "192.0.2.1"
    assert Post.objects.get().comment_count == 1


def test_dates_come_from_gmt_or_else_the_blog_zone(tmp_path: Path, blog: Blog) -> None:
    blog.timezone = "Asia/Tokyo"
    blog.save()
    local_only = wxr_item(2, "Local", extra="").replace(
        "<wp:post_date_gmt>2020-03-04 05:06:07</wp:post_date_gmt>",
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>",
    )
    import_file("wxr", write(tmp_path, "d.xml", wxr(wxr_item(1, "Utc") + local_only)))
    assert Post.objects.get(title="Utc").published_at == datetime(2020, 3, 4, 5, 6, 7, tzinfo=UTC)
    tokyo = datetime(2020, 3, 4, 5, 6, 7, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert Post.objects.get(title="Local").published_at == tokyo


def test_private_and_trashed_posts_are_reported_and_skipped(tmp_path: Path, blog: Blog) -> None:
    data = wxr(wxr_item(1, "Secret", status="private") + wxr_item(2, "Gone", status="trash")
               + wxr_item(3, "Kept", status="future", date="2999-01-01 00:00:00"))  # fmt: skip
    report = import_file("wxr", write(tmp_path, "s.xml", data))
    assert counts(report, "post") == (1, 0, 0, 2)
    assert Post.objects.get().status == PostStatus.SCHEDULED
    assert sum("private" in w or "trash" in w for w in report.warnings) == 2


def test_a_doctype_with_entities_is_refused(tmp_path: Path, blog: Blog) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel></channel></rss>'
    with pytest.raises(ParseError, match="DOCTYPE"):
        import_file("wxr", write(tmp_path, "bomb.xml", bomb))


# --- files that must leave nothing behind ----------------------------------------------------


def test_a_bad_date_part_way_leaves_the_database_as_it_was(tmp_path: Path, blog: Blog) -> None:
    data = wxr(wxr_item(1, "Good") + wxr_item(2, "Also good")
               + wxr_item(3, "Bad", date="yesterday"))  # fmt: skip
    before = database_snapshot()
    with pytest.raises(ParseError) as raised:
        import_file("wxr", write(tmp_path, "bad.xml", data))
    assert raised.value.file.endswith("bad.xml")
    assert raised.value.line is not None
    assert "YYYY-MM-DD" in str(raised.value)
    assert database_snapshot() == before


def test_broken_xml_names_the_line(tmp_path: Path, blog: Blog) -> None:
    data = wxr(wxr_item(1, "Good")).replace(b"</channel>", b"<item></channel>")
    with pytest.raises(ParseError, match="well-formed XML") as raised:
        import_file("wxr", write(tmp_path, "broken.xml", data))
    assert raised.value.line is not None
    assert raised.value.line > 10
    assert Post.objects.count() == 0


def test_a_truncated_mt_record_leaves_nothing(tmp_path: Path, blog: Blog) -> None:
    data = b"TITLE: One\nDATE: 01/02/2020 10:00:00\n-----\nBODY:\nfine\n-----\n--------\n"
    data += b"TITLE: Two\nDATE: 01/03/2020 10:00:00\n-----\nBODY:\ncut off"
    with pytest.raises(ParseError) as raised:
        import_file("mt", write(tmp_path, "cut.txt", data))
    assert raised.value.line is not None
    assert Post.objects.count() == 0
    assert User.objects.count() == 0


def test_an_unknown_mt_status_stops_the_import(tmp_path: Path, blog: Blog) -> None:
    data = (
        b"TITLE: One\nSTATUS: Maybe\nDATE: 01/02/2020 10:00:00\n-----\nBODY:\nx\n-----\n--------\n"
    )
    with pytest.raises(ParseError, match="STATUS"):
        import_file("mt", write(tmp_path, "status.txt", data))
    assert Post.objects.count() == 0


def test_an_unknown_encoding_is_a_clear_error(tmp_path: Path, blog: Blog) -> None:
    path = write(tmp_path, "x.txt", b"TITLE: x\n")
    with pytest.raises(InvalidInput, match="unknown encoding"):
        import_file("mt", path, encoding="klingon")


# --- Movable Type ----------------------------------------------------------------------------


def test_mt_sample_imports_with_its_japanese_text(fixtures: Path, blog: Blog) -> None:
    blog.timezone = "Asia/Tokyo"
    blog.save()
    report = import_file("mt", fixtures / MT_SAMPLE)
    assert counts(report, "post") == (2, 0, 0, 0)
    first = Post.objects.get(title="A dummy title")
    second = Post.objects.get(title="2件目の記事")
    assert "これは本文です。" in first.body
    assert "追記" in first.extended
    assert first.published_at == datetime(2007, 8, 8, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert sorted(tag.name for tag in first.tags.all()) == ["Movable Type", "bar", "foo"]
    assert sorted(c.name for c in first.categories.all()) == ["News", "Product"]
    assert first.primary_category is not None
    assert first.primary_category.name == "News"
    assert first.comment_count == 2
    assert second.comment_count == 1
    assert "概要" in second.excerpt
    assert report.unknown_fields["CF50_BASENAME"] == 1
    item = ImportedItem.objects.get(kind="post", object_id=second.pk)
    assert ["CF50_BASENAME", "textdata"] in item.extra["fields"]  # kept, never lost
    assert first.author.username == "Foo_Bar"
    assert not first.author.has_usable_password()


def test_mt_old_urls_redirect(fixtures: Path, blog: Blog) -> None:
    import_file("mt", fixtures / MT_SAMPLE)
    first = Post.objects.get(title="A dummy title")
    for old in ("/archives/filename.html", "/2007/08/filename.html"):
        response = Client().get(old)
        assert response.status_code == 301
        assert response["Location"] == first.get_absolute_url()


def test_mt_import_is_idempotent(fixtures: Path, blog: Blog) -> None:
    import_file("mt", fixtures / MT_SAMPLE)
    before = database_snapshot()
    again = import_file("mt", fixtures / MT_SAMPLE)
    assert counts(again, "post") == (0, 0, 2, 0)
    assert database_snapshot() == before


MT_QUIRKS = """AUTHOR: Ünïcode
TITLE: Quirks café
BASENAME: quirks
STATUS: Publish
CONVERT BREAKS: __default__
DATE: 12/31/2019 11:59:59 PM
-----
BODY:
First line
-----
still the body, a bare separator above
-----
COMMENT:
AUTHOR: Zoë
DATE: 01/01/2020 00:00:01
Bonne année
-----
PING:
TITLE: Elsewhere
URL: http://elsewhere.example/post
BLOG NAME: Another blog
DATE: 01/02/2020 13:00:00
They wrote about it
-----
--------
"""


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_mt_quirks_crlf_separators_in_bodies_and_12_hour_dates(
    tmp_path: Path, blog: Blog, encoding: str
) -> None:
    data = MT_QUIRKS.replace("\n", "\r\n").encode(encoding)
    report = import_file("mt", write(tmp_path, f"quirks-{encoding}.txt", data))
    post = Post.objects.get()
    assert post.title == "Quirks café"
    assert post.author.first_name == ""
    assert "-----" in post.body
    assert "still the body" in post.body
    assert post.published_at == datetime(2019, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert post.text_format == "html_paragraphs"
    assert "<br>" in post.body_html
    ping = Linkback.objects.get()
    assert ping.kind == "trackback"
    assert ping.blog_name == "Another blog"
    assert ping.received_at == datetime(2020, 1, 2, 13, 0, tzinfo=UTC)
    assert post.comment_count == 1
    assert post.trackback_count == 1
    assert counts(report, "comment") == (1, 0, 0, 0)


@pytest.mark.parametrize("encoding", ["shift_jis", "euc-jp"])
def test_mt_japanese_encodings_are_detected(tmp_path: Path, blog: Blog, encoding: str) -> None:
    text = ("TITLE: 日本語のタイトル\nSTATUS: Publish\nDATE: 01/02/2020 10:00:00\n-----\n"
            "BODY:\nこんにちは、世界。ひらがなとカタカナと漢字。\n-----\n--------\n")  # fmt: skip
    import_file("mt", write(tmp_path, f"{encoding}.txt", text.encode(encoding)))
    assert Post.objects.get().title == "日本語のタイトル"


def test_mt_no_entry_attaches_comments_to_the_entry_with_that_date(
    tmp_path: Path, blog: Blog
) -> None:
    text = ("TITLE: Host\nSTATUS: Publish\nDATE: 01/02/2020 10:00:00\n-----\nBODY:\nx\n-----\n"
            "--------\nNO ENTRY: 1\nDATE: 01/02/2020 10:00:00\n-----\nCOMMENT:\nAUTHOR: Late\n"
            "DATE: 01/03/2020 10:00:00\nArrived separately\n-----\n--------\n")  # fmt: skip
    import_file("mt", write(tmp_path, "noentry.txt", text.encode()))
    post = Post.objects.get()
    assert post.comment_count == 1
    assert Comment.objects.get().body == "Arrived separately"


def test_author_option_gives_every_post_to_one_user(fixtures: Path, blog: Blog) -> None:
    me = User.objects.create_user("me")
    import_file("mt", fixtures / MT_SAMPLE, author="me")
    assert set(Post.objects.values_list("author", flat=True)) == {me.pk}
    with pytest.raises(InvalidInput, match="no user"):
        import_file("mt", fixtures / MT_SAMPLE, author="nobody")


# --- media and the demo site -----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_fetch_media_downloads_relinks_and_serves(
    tmp_path: Path, blog: Blog, settings: LazySettings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    with remote_site() as site:
        settings.YAMABIKO_OUTBOUND_ALLOW = [site.allow]
        site.routes["/img/cat.png"] = Answer(body=PNG, headers=(("Content-Type", "image/png"),))
        image, missing = site.url("/img/cat.png"), site.url("/img/gone.png")
        content = f'<![CDATA[<img src="{image}" alt="cat"> <img src="{missing}">]]>'
        path = write(tmp_path, "media.xml", wxr(wxr_item(1, "Pictures", content=content)))
        report = import_file("wxr", path)
        assert report.media == [image, missing]
        result = media_fetch_and_rewrite(report)
        again = media_fetch_and_rewrite(import_file("wxr", path))
    post = Post.objects.get()
    copy = result.saved[image]
    assert copy.startswith("/media/imported/")
    assert f'src="{copy}"' in post.body
    assert missing in post.body  # a failed download keeps its old link
    assert missing in result.failed
    assert counts(report, "media") == (1, 0, 0, 1)
    assert any(missing in warning for warning in report.warnings)
    assert again.reused == (image,)  # a second run finds the file on disk
    served = Client().get(copy)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]


def test_theme_data_and_mt_sample_show_on_the_demo_site(fixtures: Path, blog: Blog) -> None:
    demo_load(author=User.objects.create_superuser("admin", password="x"))
    import_file("wxr", fixtures / THEME_DATA)
    import_file("mt", fixtures / MT_SAMPLE)
    post = Post.objects.get(title="Template: Comments")
    page = Client().get(post.get_absolute_url()).content.decode()
    assert f"Comment ({post.comment_count})" in page
    approved = Comment.objects.filter(post=post, status=CommentStatus.APPROVED).first()
    assert approved is not None
    assert approved.author_name in page
    pinged = Post.objects.get(title="Template: Pingbacks And Trackbacks")
    page = Client().get(pinged.get_absolute_url()).content.decode()
    assert "Trackback (4)" in page
    japanese = Post.objects.get(title="A dummy title")
    page = Client().get(japanese.get_absolute_url()).content.decode()
    assert "これは本文です。" in page
    assert "Comment (2)" in page


def test_an_unknown_wxr_status_stops_the_import(tmp_path: Path, blog: Blog) -> None:
    data = wxr(wxr_item(1, "Fine") + wxr_item(2, "Odd", status="limbo"))
    with pytest.raises(ParseError, match="limbo") as raised:
        import_file("wxr", write(tmp_path, "odd.xml", data))
    assert raised.value.line is not None
    assert Post.objects.count() == 0


def test_an_import_makes_cached_pages_stale_once(tmp_path: Path, blog: Blog) -> None:
    before = generation_current()
    import_file("wxr", write(tmp_path, "a.xml", wxr(wxr_item(1, "First") + wxr_item(2, "Two"))))
    assert generation_current() == before + 1
