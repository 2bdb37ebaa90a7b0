"""Media of imported posts: listing, downloading through the guarded fetcher, rewriting, serving.

Downloads go to a real HTTP server on 127.0.0.1 (tests/remote_site.py), which the fetcher may
reach only through the allow entry the ``site`` fixture puts into settings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import pytest
from django.conf import LazySettings
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.remote_site import Answer, RemoteSite, remote_site
from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting.media import (
    SEGMENT_BYTES,
    fetch_media,
    media_path,
    media_urls,
    rewrite_links,
)

OLD = "https://old.example.org"
JPEG = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same \xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n pretend png"


def image(body: bytes = JPEG, content_type: str = "image/jpeg") -> Answer:
    return Answer(body=body, headers=(("Content-Type", content_type),))


@pytest.fixture
def site(settings: LazySettings) -> Iterator[RemoteSite]:
    with remote_site() as served:
        settings.YAMABIKO_OUTBOUND_ALLOW = [served.allow]
        yield served


@pytest.fixture
def media_root(tmp_path: Path, settings: LazySettings) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def host_folder(site: RemoteSite) -> str:
    return f"{site.host}_{site.port}"


def files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def body_of(response: HttpResponseBase) -> bytes:
    """The whole body, with a file response's file closed (warnings are errors)."""
    try:
        if isinstance(response, StreamingHttpResponse):
            return b"".join(response.streaming_content)  # type: ignore[arg-type]
        assert isinstance(response, HttpResponse)
        return response.content
    finally:
        response.close()


def assert_safe(relative: PurePosixPath) -> None:
    assert not relative.is_absolute()
    for part in relative.parts:
        assert part not in ("", ".", "..")
        assert not part.startswith(".")
        assert not any(c in part for c in "/\\\x00")
        assert len(part.encode()) <= SEGMENT_BYTES
    root = Path("/srv/media/imported")
    assert (root / relative).resolve().is_relative_to(root)


# --- media_urls -----------------------------------------------------------------------------


def test_media_urls_lists_every_media_attribute_in_document_order() -> None:
    html = (
        '<p><img src="https://old.example.org/a.jpg" alt="a"'
        ' srcset="https://old.example.org/a-300.jpg 300w, https://old.example.org/a-600.jpg 600w">'
        '<picture><source srcset="https://old.example.org/b.avif" type="image/avif">'
        '<source src="https://old.example.org/b.webp"></picture>'
        '<video src="https://old.example.org/c.mp4" poster="https://old.example.org/c.jpg">'
        '<source src="https://old.example.org/c.webm"></video>'
        '<audio src="https://old.example.org/d.mp3"></audio></p>'
    )

    assert media_urls(html) == [
        f"{OLD}/a.jpg",
        f"{OLD}/a-300.jpg",
        f"{OLD}/a-600.jpg",
        f"{OLD}/b.avif",
        f"{OLD}/b.webp",
        f"{OLD}/c.mp4",
        f"{OLD}/c.jpg",
        f"{OLD}/c.webm",
        f"{OLD}/d.mp3",
    ]


def test_media_urls_takes_links_only_to_media_and_document_files() -> None:
    html = (
        f'<a href="{OLD}/2019/05/a-post/">a post</a>'
        f'<a href="{OLD}/uploads/full.JPEG">full size</a>'
        f'<a href="{OLD}/files/report.pdf">report</a>'
        f'<a href="{OLD}/files/site.zip?download=1">zip</a>'
        f'<a href="{OLD}/song.mp3">song</a>'
        f'<a href="{OLD}/readme.txt">text</a>'
        f'<a href="{OLD}/.jpg">no name</a>'
        f'<a href="{OLD}/photo.jpg/comments">a page under a file-like name</a>'
    )

    assert media_urls(html) == [
        f"{OLD}/uploads/full.JPEG",
        f"{OLD}/files/report.pdf",
        f"{OLD}/files/site.zip?download=1",
        f"{OLD}/song.mp3",
    ]


def test_media_urls_resolves_relative_urls_against_the_first_site_url() -> None:
    html = (
        '<img src="/wp-content/uploads/a.jpg"><img src="b.png">'
        '<img src="//cdn.example.net/c.gif"><a href="../files/d.pdf">d</a>'
    )

    assert media_urls(html, site_urls=["https://old.example.org/blog", "http://other"]) == [
        "https://old.example.org/wp-content/uploads/a.jpg",
        "https://old.example.org/blog/b.png",
        "https://cdn.example.net/c.gif",
        "https://old.example.org/files/d.pdf",
    ]
    assert media_urls(html) == []


def test_media_urls_skips_other_schemes_and_tags_that_are_not_tags() -> None:
    html = (
        '<img src="data:image/png;base64,iVBORw0KGgo="><img src="javascript:alert(1)">'
        '<a href="mailto:me@example.org?subject=x.pdf">mail</a><img src="ftp://old/x.jpg">'
        '<img src="http:///nohost.jpg"><img src="http://old.example.org:99999/port.jpg">'
        "<!-- <img src='https://old.example.org/commented.jpg'> -->"
        '<script>document.write("<img src=https://old.example.org/script.jpg>")</script>'
        '<p>https://old.example.org/text.jpg</p><img alt="https://old.example.org/alt.jpg">'
        '<link rel="icon" href="https://old.example.org/icon.png"><img src="">'
    )

    assert media_urls(html) == []


def test_media_urls_lists_a_url_once_and_without_its_fragment() -> None:
    html = (
        f'<a href="{OLD}/doc.pdf#page=2">p2</a><a href="{OLD}/doc.pdf">doc</a>'
        f'<img src=" {OLD}/a.jpg\n"><img src="{OLD}/a.jpg" srcset="{OLD}/a.jpg 2x">'
    )

    assert media_urls(html) == [f"{OLD}/doc.pdf", f"{OLD}/a.jpg"]


def test_media_urls_decodes_character_references_and_reads_odd_markup() -> None:
    html = (
        f'<IMG SRC="{OLD}/a.jpg?w=300&amp;h=200"><img src={OLD}/b.png>'
        f'<img src=\'{OLD}/&#x3042;.gif\'><img src="{OLD}/first.jpg" src="{OLD}/second.jpg">'
        f'<img\nsrc = "{OLD}/spaced.jpg"/>'
    )

    assert media_urls(html) == [
        f"{OLD}/a.jpg?w=300&h=200",
        f"{OLD}/b.png",
        f"{OLD}/あ.gif",
        f"{OLD}/first.jpg",  # browsers keep the first of a repeated attribute
        f"{OLD}/spaced.jpg",
    ]


@pytest.mark.parametrize(
    ("srcset", "expected"),
    [
        ("a.jpg 1x,b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("  a.jpg  ,  b.jpg 2x  ", ["a.jpg", "b.jpg"]),
        ("a.jpg,, b.jpg 2x", ["a.jpg", "b.jpg"]),  # the commas end a candidate without descriptors
        ("a.jpg,b.jpg 2x", ["a.jpg,b.jpg"]),  # a comma inside a URL is part of it
        ("a.jpg (max-width: 1px, ugly) 1x, b.jpg", ["a.jpg", "b.jpg"]),  # commas in parentheses
        ("", []),
        (" , , ", []),
    ],
)
def test_srcset_candidates_are_split_as_html_parses_them(srcset: str, expected: list[str]) -> None:
    html = f'<img srcset="{srcset}">'

    assert media_urls(html, site_urls=[OLD]) == [f"{OLD}/{url}" for url in expected]


# --- media_path -----------------------------------------------------------------------------


def test_media_path_keeps_an_ordinary_url_readable() -> None:
    path = media_path("https://Old.Example.org/wp-content/uploads/2020/01/Photo.jpg")

    assert path == PurePosixPath("old.example.org/wp-content/uploads/2020/01/Photo.jpg")


def test_media_path_shares_a_file_between_http_and_https_and_percent_spellings() -> None:
    assert media_path("http://old.example.org/caf%C3%A9 1.jpg") == media_path(
        "https://old.example.org/café%201.jpg"
    )
    assert media_path("http://old.example.org/a/./b/../c.jpg") == PurePosixPath(
        "old.example.org/a/c.jpg"
    )


def test_media_path_names_a_port_that_is_not_the_default() -> None:
    assert media_path("http://old.example.org:8080/a.jpg").parts[0] == "old.example.org_8080"
    assert media_path("https://old.example.org:443/a.jpg").parts[0] == "old.example.org"
    assert media_path("http://old.example.org:443/a.jpg").parts[0] == "old.example.org_443"


def test_media_path_gives_each_query_string_its_own_name_with_the_same_extension() -> None:
    plain = media_path(f"{OLD}/photo.jpg")
    small = media_path(f"{OLD}/photo.jpg?w=300")
    large = media_path(f"{OLD}/photo.jpg?w=1024")

    assert len({plain, small, large}) == 3
    assert small.parent == plain.parent
    assert small.name.startswith("photo-")
    assert small.suffix == large.suffix == ".jpg"
    assert media_path(f"{OLD}/photo.jpg?w=300#top") == small


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/a/%2e%2e/%2E%2E/%2e%2e/etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd.jpg",
        "/..%5c..%5cwindows.jpg",
        "/x%00.jpg",
        "/%00",
        "/.htaccess",
        "/...",
        "/a//b.jpg",
        "/dir/",
        "",
        "/%ff%fe.png",
        "/" + "a" * 1000 + ".jpg",
        "/" + quote("長" * 200) + ".jpg",
        "/" + "/".join(["deep"] * 200) + "/x.jpg",
        "/a%0d%0ab.jpg",
        "/%E2%80%AEgpj.exe",
        "/con:evil|name?.jpg",
    ],
)
def test_media_path_never_leaves_its_folder(path: str) -> None:
    relative = media_path(f"http://old.example.org{path}")

    assert relative.parts[0] == "old.example.org"
    assert_safe(relative)


def test_media_path_marks_cleaned_names_so_they_cannot_meet_a_real_one() -> None:
    cleaned = media_path(f"{OLD}/a%2Fb.jpg")
    real = media_path(f"{OLD}/a_b.jpg")

    assert real.name == "a_b.jpg"
    assert cleaned != real
    assert cleaned.suffix == ".jpg"


def test_media_path_keeps_the_extension_of_a_long_name() -> None:
    relative = media_path(f"{OLD}/{'x' * 400}.jpeg")

    assert relative.suffix == ".jpeg"
    assert len(relative.name.encode()) <= SEGMENT_BYTES


@pytest.mark.parametrize(
    "url", ["ftp://old.example.org/a.jpg", "/relative.jpg", "http:///a.jpg", "http://h:x/a.jpg"]
)
def test_media_path_refuses_what_is_not_an_http_url(url: str) -> None:
    with pytest.raises(InvalidInput):
        media_path(url)


@hypothesis_settings(max_examples=300, deadline=None)
@given(path=st.text(max_size=400), query=st.text(max_size=20))
def test_media_path_is_safe_for_any_path(path: str, query: str) -> None:
    url = f"http://old.example.org/{quote(path, safe='/%.')}"
    if query:
        url += f"?{quote(query)}"

    relative = media_path(url)

    assert_safe(relative)
    assert media_path(url) == relative


# --- fetch_media ----------------------------------------------------------------------------


def test_fetched_media_is_saved_rewritten_and_served(
    site: RemoteSite, media_root: Path, settings: LazySettings, client: Client, db: None
) -> None:
    site.routes["/wp-content/uploads/photo.jpg"] = image()
    site.routes["/wp-content/uploads/diagram.png"] = image(PNG, "image/png")
    base = site.url("/")
    html = (
        '<p>Look:</p>\n<img class="size-full" src="/wp-content/uploads/photo.jpg" alt="">'
        f'<a href="{site.url("/wp-content/uploads/diagram.png")}">diagram</a>'
    )

    urls = media_urls(html, site_urls=[base])
    result = fetch_media(urls, media_root=media_root, media_url=settings.MEDIA_URL)
    rewritten = rewrite_links(html, result.saved, site_urls=[base])

    folder = host_folder(site)
    assert result.failed == {}
    assert result.saved == {
        site.url("/wp-content/uploads/photo.jpg"): (
            f"/media/imported/{folder}/wp-content/uploads/photo.jpg"
        ),
        site.url("/wp-content/uploads/diagram.png"): (
            f"/media/imported/{folder}/wp-content/uploads/diagram.png"
        ),
    }
    assert (media_root / "imported" / folder / "wp-content/uploads/photo.jpg").read_bytes() == JPEG
    assert rewritten == (
        '<p>Look:</p>\n<img class="size-full"'
        f' src="/media/imported/{folder}/wp-content/uploads/photo.jpg" alt="">'
        f'<a href="/media/imported/{folder}/wp-content/uploads/diagram.png">diagram</a>'
    )
    served = client.get(f"/media/imported/{folder}/wp-content/uploads/photo.jpg")
    assert served.status_code == 200
    assert body_of(served) == JPEG
    assert [seen.path for seen in site.seen] == [
        "/wp-content/uploads/photo.jpg",
        "/wp-content/uploads/diagram.png",
    ]


def test_fetch_media_reports_each_failure_and_goes_on(site: RemoteSite, media_root: Path) -> None:
    site.routes["/big.jpg"] = image(b"x" * 101)
    site.routes["/exact.jpg"] = image(b"y" * 100)
    site.routes["/soft-404.jpg"] = Answer(
        body=b"<html>Not found</html>", headers=(("Content-Type", "text/html"),)
    )
    site.routes["/gone.jpg"] = Answer(status=410, body=b"gone")
    urls = [
        site.url("/missing.jpg"),
        site.url("/big.jpg"),
        site.url("/soft-404.jpg"),
        site.url("/gone.jpg"),
        "ftp://old.example.org/a.jpg",
        "http://10.0.0.1/private.jpg",
        site.url("/exact.jpg"),
    ]

    result = fetch_media(urls, media_root=media_root, media_url="/media/", max_bytes=100)

    assert result.failed[site.url("/missing.jpg")] == "HTTP 404"
    assert result.failed[site.url("/gone.jpg")] == "HTTP 410"
    assert result.failed[site.url("/big.jpg")] == "larger than 100 bytes"
    assert "HTML page" in result.failed[site.url("/soft-404.jpg")]
    assert "http(s)" in result.failed["ftp://old.example.org/a.jpg"]
    assert result.failed["http://10.0.0.1/private.jpg"].startswith("address:")
    assert list(result.saved) == [site.url("/exact.jpg")]
    assert files_below(media_root) == [media_root / "imported" / host_folder(site) / "exact.jpg"]


def test_fetch_media_is_refused_a_loopback_server_without_an_allow_entry(
    site: RemoteSite, media_root: Path, settings: LazySettings
) -> None:
    site.routes["/a.jpg"] = image()
    settings.YAMABIKO_OUTBOUND_ALLOW = []

    result = fetch_media([site.url("/a.jpg")], media_root=media_root, media_url="/media/")
    refused = fetch_media(
        ["http://127.0.0.1/a.jpg", "http://[::1]/a.jpg", "http://localhost/a.jpg"],
        media_root=media_root,
        media_url="/media/",
    )

    # The test server's port is refused before its address is looked at; port 80 is not.
    assert result.saved == {}
    assert result.failed[site.url("/a.jpg")].startswith("port:")
    assert refused.failed["http://127.0.0.1/a.jpg"].startswith("address:")
    assert refused.failed["http://[::1]/a.jpg"].startswith("address:")
    assert refused.failed["http://localhost/a.jpg"].startswith("address:")
    assert site.seen == []
    assert not media_root.exists()


def test_second_run_reuses_the_files_without_asking_again(
    site: RemoteSite, media_root: Path
) -> None:
    site.routes["/a.jpg"] = image()
    site.routes["/b.jpg"] = image(b"b")
    urls = [site.url("/a.jpg"), site.url("/b.jpg"), site.url("/a.jpg?w=300")]

    first = fetch_media(urls, media_root=media_root, media_url="/media/")
    requests = len(site.seen)
    site.routes["/a.jpg"] = image(b"changed since")
    second = fetch_media(urls, media_root=media_root, media_url="/media/")

    assert requests == 3
    assert len(site.seen) == requests
    assert first.reused == ()
    assert second.reused == tuple(urls)
    assert second.saved == first.saved
    assert len(set(first.saved.values())) == 3
    assert (media_root / "imported" / host_folder(site) / "a.jpg").read_bytes() == JPEG
    assert not list(media_root.rglob(".part-*"))


def test_fetch_media_never_replaces_a_file_already_there(
    site: RemoteSite, media_root: Path
) -> None:
    site.routes["/a.jpg"] = image()
    existing = media_root / "imported" / host_folder(site) / "a.jpg"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"put there by hand")

    result = fetch_media([site.url("/a.jpg")], media_root=media_root, media_url="/media/")

    assert existing.read_bytes() == b"put there by hand"
    assert result.reused == (site.url("/a.jpg"),)
    assert site.seen == []


def test_a_name_taken_by_a_folder_is_a_reported_failure(site: RemoteSite, media_root: Path) -> None:
    site.routes["/a"] = image()
    site.routes["/a/b.jpg"] = image()

    result = fetch_media(
        [site.url("/a/b.jpg"), site.url("/a")], media_root=media_root, media_url="/media/"
    )

    assert list(result.saved) == [site.url("/a/b.jpg")]
    assert result.failed[site.url("/a")].startswith("cannot save as")


def test_hostile_paths_are_saved_inside_the_media_folder(
    site: RemoteSite, media_root: Path, tmp_path: Path
) -> None:
    long_name = quote("長" * 200) + ".jpg"
    paths = [
        "/a/%2e%2e/%2e%2e/%2e%2e/escape.jpg",
        "/%2e%2e%2f%2e%2e%2fescape.jpg",
        "/..%5C..%5Cescape.jpg",
        "/nul%00byte.jpg",
        "/.htaccess",
        f"/{long_name}",
    ]
    for path in paths:
        site.routes[path] = image()
    urls = [site.url(path) for path in paths] + [site.url("/a/../../../b.jpg")]
    site.routes["/b.jpg"] = image()

    result = fetch_media(urls, media_root=media_root, media_url="/media/")

    assert result.failed == {}
    assert len(set(result.saved.values())) == len(urls)
    folder = media_root / "imported" / host_folder(site)
    written = files_below(tmp_path)
    assert len(written) == len(urls)
    for file in written:
        assert file.is_relative_to(folder)
        assert_safe(PurePosixPath(file.relative_to(media_root / "imported").as_posix()))
        assert file.read_bytes() == JPEG
    assert (folder / "b.jpg").is_file()


def test_saved_urls_are_quoted_and_name_the_files(site: RemoteSite, media_root: Path) -> None:
    path = "/" + quote("写真 1.jpg")
    site.routes[path] = image()

    result = fetch_media([site.url(path)], media_root=media_root, media_url="/media/")

    folder = host_folder(site)
    assert result.saved[site.url(path)] == f"/media/imported/{folder}/%E5%86%99%E7%9C%9F%201.jpg"
    assert (media_root / "imported" / folder / "写真 1.jpg").read_bytes() == JPEG


def test_hashed_names_are_the_same_on_every_machine() -> None:
    # The name is part of the rewritten posts, so it must not depend on anything but the URL.
    digest = hashlib.sha256(b"old.example.org/photo.jpg?w=300").hexdigest()[:12]

    assert media_path(f"{OLD}/photo.jpg?w=300").name == f"photo-{digest}.jpg"


# --- rewrite_links --------------------------------------------------------------------------

MESSY = """<!-- wp:image {"id":12,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><IMG  SRC = 'https://old.example.org/a.jpg'
  alt="A &amp; B" data-x=1 width=300/></figure>
<!-- /wp:image -->
<p>See&nbsp;<a href=https://old.example.org/doc.pdf title=doc>the PDF</a> &#x3042; <br>
<img src="https://old.example.org/unmapped.jpg" srcset="https://old.example.org/a.jpg  1.5x ,https://old.example.org/b.jpg 2x">
<!-- <img src="https://old.example.org/a.jpg"> -->
<script>var u = "<img src='https://old.example.org/a.jpg'>";</script>
<p title="https://old.example.org/a.jpg">https://old.example.org/a.jpg</p>
<link href="https://old.example.org/a.jpg"><img src="https://old.example.org/a.jpg#frag">
<video poster="https://old.example.org/b.jpg" controls><source src="https://old.example.org/b.jpg"></video>
<unclosed <div>
"""  # noqa: E501


def test_rewrite_links_changes_only_the_mapped_urls_byte_for_byte() -> None:
    mapping = {
        f"{OLD}/a.jpg": "/media/A.jpg",
        f"{OLD}/b.jpg": "/media/B.jpg",
        f"{OLD}/doc.pdf": "/media/doc.pdf",
    }

    rewritten = rewrite_links(MESSY, mapping)

    expected = (
        MESSY.replace("SRC = 'https://old.example.org/a.jpg'", "SRC = '/media/A.jpg'")
        .replace("href=https://old.example.org/doc.pdf ", "href=/media/doc.pdf ")
        .replace(
            'srcset="https://old.example.org/a.jpg  1.5x ,https://old.example.org/b.jpg 2x"',
            'srcset="/media/A.jpg  1.5x ,/media/B.jpg 2x"',
        )
        .replace('src="https://old.example.org/a.jpg#frag"', 'src="/media/A.jpg#frag"')
        .replace('poster="https://old.example.org/b.jpg"', 'poster="/media/B.jpg"')
        .replace('<source src="https://old.example.org/b.jpg">', '<source src="/media/B.jpg">')
    )
    assert rewritten == expected
    # In the comment, the script, the title, the text and the <link>:
    assert rewritten.count("https://old.example.org/a.jpg") == 5


def test_rewrite_links_without_a_match_returns_the_html_unchanged() -> None:
    assert rewrite_links(MESSY, {}) is MESSY
    assert rewrite_links(MESSY, {"https://elsewhere.example/x.jpg": "/m/x.jpg"}) == MESSY


def test_rewrite_links_resolves_relative_urls_as_media_urls_does() -> None:
    html = '<img src="/wp-content/a.jpg"><img src="b.jpg"><a href="../c.pdf#p3">c</a>'
    mapping = {
        f"{OLD}/wp-content/a.jpg": "/media/a.jpg",
        f"{OLD}/blog/b.jpg": "/media/b.jpg",
        f"{OLD}/c.pdf": "/media/c.pdf",
    }

    rewritten = rewrite_links(html, mapping, site_urls=[f"{OLD}/blog/"])

    assert rewritten == (
        '<img src="/media/a.jpg"><img src="/media/b.jpg"><a href="/media/c.pdf#p3">c</a>'
    )
    assert rewrite_links(html, mapping) == html


def test_rewrite_links_escapes_the_new_url_for_its_attribute() -> None:
    mapping = {f"{OLD}/a.jpg": "/media/a&b\"q\"'r'.jpg", f"{OLD}/b.jpg": "/media/b c.jpg"}
    html = (
        f"<img src=\"{OLD}/a.jpg\"><img src='{OLD}/a.jpg'><img src={OLD}/a.jpg alt=x>"
        f'<img src={OLD}/b.jpg><img srcset="{OLD}/a.jpg 1x, {OLD}/b.jpg 2x">'
    )

    rewritten = rewrite_links(html, mapping)

    assert rewritten == (
        "<img src=\"/media/a&amp;b&quot;q&quot;'r'.jpg\">"
        "<img src='/media/a&amp;b\"q\"&#39;r&#39;.jpg'>"
        "<img src=\"/media/a&amp;b&quot;q&quot;'r'.jpg\" alt=x>"
        '<img src="/media/b c.jpg">'
        "<img srcset=\"/media/a&amp;b&quot;q&quot;'r'.jpg 1x, /media/b%20c.jpg 2x\">"
    )
    new = "https://new.example.org/media"
    assert media_urls(rewritten, site_urls=["https://new.example.org"]) == [
        f"{new}/a&b\"q\"'r'.jpg",
        f"{new}/b c.jpg",
        f"{new}/b%20c.jpg",
    ]


def test_rewrite_links_reads_character_references_in_srcset() -> None:
    html = f'<img srcset="{OLD}/a.jpg?w=1&amp;h=2 1x, {OLD}/b.jpg 2x" alt="&amp;">'
    mapping = {f"{OLD}/a.jpg?w=1&h=2": "/media/a-1.jpg"}

    rewritten = rewrite_links(html, mapping)

    assert rewritten == f'<img srcset="/media/a-1.jpg 1x, {OLD}/b.jpg 2x" alt="&amp;">'


def test_rewrite_links_takes_keys_with_fragments_or_as_written() -> None:
    html = '<img src="/a.jpg"><a href="https://old.example.org/d.pdf#x">d</a>'

    rewritten = rewrite_links(html, {"/a.jpg": "/media/a.jpg", f"{OLD}/d.pdf#x": "/media/d.pdf"})

    assert rewritten == '<img src="/media/a.jpg"><a href="/media/d.pdf">d</a>'


# --- serving /media/ ------------------------------------------------------------------------


@pytest.mark.django_db
def test_media_url_serves_files_below_media_root(
    client: Client, media_root: Path, settings: LazySettings
) -> None:
    file = media_root / "imported" / "old.example.org" / "a.jpg"
    file.parent.mkdir(parents=True)
    file.write_bytes(JPEG)

    response = client.get(f"{settings.MEDIA_URL}imported/old.example.org/a.jpg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body_of(response) == JPEG


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/imported/..%2f..%2fsecret.txt",
        "/media/imported/%2e%2e/%2e%2e/secret.txt",
        "/media//etc/passwd",
        "/media/imported/",
    ],
)
def test_media_url_serves_nothing_outside_media_root(
    client: Client, media_root: Path, tmp_path: Path, path: str
) -> None:
    (media_root / "imported").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("the secret")

    response = client.get(path)

    assert response.status_code in (400, 404)
    body = body_of(response)
    assert b"the secret" not in body
    assert b"root:" not in body


@pytest.mark.django_db
def test_media_that_could_run_scripts_is_sandboxed(client: Client, media_root: Path) -> None:
    media_root.mkdir()
    (media_root / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (media_root / "x.pdf").write_bytes(b"%PDF-1.4")

    svg = client.get("/media/x.svg")
    pdf = client.get("/media/x.pdf")
    svg.close()
    pdf.close()

    assert svg["Content-Security-Policy"] == "sandbox"
    assert svg["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in pdf
