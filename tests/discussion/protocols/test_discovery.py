"""TrackBack auto-discovery from embedded RDF (TB 1.2 "Auto-Discovery"), pure."""

from __future__ import annotations

import time

import pytest

from yamabiko.discussion.protocols.discovery import discover_trackback

POST = "https://blog.example/2024/05/hello"
PING = "https://blog.example/mt-tb.cgi/5"


def rdf(identifier: str, ping: str, *, title: str = "Hello", comment: bool = True) -> str:
    block = f"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<rdf:Description
    rdf:about="{identifier}"
    trackback:ping="{ping}"
    dc:title="{title}"
    dc:identifier="{identifier}"
    dc:subject="Diary"
    dc:description="An excerpt."
    dc:creator="Aiko"
    dc:date="2024-05-01T12:00:00+09:00" />
</rdf:RDF>"""
    return f"<!--\n{block}\n-->" if comment else block


def page(*blocks: str) -> bytes:
    body = "\n".join(f"<div class='entry'><p>An entry</p>{block}</div>" for block in blocks)
    return (
        f"<!DOCTYPE html><html><head><title>Blog</title></head><body>{body}</body></html>".encode()
    )


def test_the_block_for_the_url_gives_its_ping_url() -> None:
    assert discover_trackback(url=POST, body=page(rdf(POST, PING))) == PING


def test_an_index_page_with_several_blocks_gives_the_matching_one() -> None:
    body = page(
        rdf("https://blog.example/2024/05/first", "https://blog.example/mt-tb.cgi/1"),
        rdf(POST, PING),
        rdf("https://blog.example/2024/05/third", "https://blog.example/mt-tb.cgi/3"),
    )

    assert discover_trackback(url=POST, body=body) == PING
    assert discover_trackback(url="https://blog.example/2024/05/third", body=body) == (
        "https://blog.example/mt-tb.cgi/3"
    )


def test_a_url_with_a_fragment_matches_the_identifier_without_it() -> None:
    assert discover_trackback(url=f"{POST}#comments", body=page(rdf(POST, PING))) == PING


@pytest.mark.parametrize(
    "url",
    [
        "https://blog.example/2024/05/hello/",
        "http://blog.example/2024/05/hello",
        "https://blog.example/2024/05/hell",
        "https://other.example/2024/05/hello",
    ],
)
def test_nothing_looser_than_the_exact_identifier_matches(url: str) -> None:
    assert discover_trackback(url=url, body=page(rdf(POST, PING))) is None


def test_a_block_outside_a_comment_is_found_too() -> None:
    assert discover_trackback(url=POST, body=page(rdf(POST, PING, comment=False))) == PING


def test_tolerates_sloppy_markup() -> None:
    body = f"""<html><body><p>unclosed <b>tags
    <!-- <RDF:description DC:Identifier='{POST}' trackback:ping='{PING}'
          dc:title='a > b "quoted"'>  no closing rdf:RDF, no closing tag -->
    """.encode()

    assert discover_trackback(url=POST, body=body) == PING


def test_character_references_in_values_are_decoded() -> None:
    identifier = "https://blog.example/?p=5&amp;lang=ja"
    ping = "https://blog.example/wp-trackback.php?p=5&amp;x=1"

    found = discover_trackback(
        url="https://blog.example/?p=5&lang=ja", body=page(rdf(identifier, ping))
    )

    assert found == "https://blog.example/wp-trackback.php?p=5&x=1"


def test_a_relative_ping_url_is_resolved_against_the_page() -> None:
    assert (
        discover_trackback(url=POST, body=page(rdf(POST, "/tb/5"))) == "https://blog.example/tb/5"
    )


@pytest.mark.parametrize("ping", ["javascript:alert(1)", "mailto:x@y.example", ""])
def test_a_ping_url_that_is_not_http_is_ignored(ping: str) -> None:
    assert discover_trackback(url=POST, body=page(rdf(POST, ping))) is None


def test_a_block_without_a_ping_url_is_ignored() -> None:
    body = f'<rdf:Description dc:identifier="{POST}" dc:title="x" />'.encode()

    assert discover_trackback(url=POST, body=body) is None


def test_a_page_without_rdf_has_no_ping_url() -> None:
    assert discover_trackback(url=POST, body=b"<html><body>Hello</body></html>") is None


def test_only_the_first_256_kib_are_read() -> None:
    late = b"x" * (256 * 1024) + rdf(POST, PING).encode()

    assert discover_trackback(url=POST, body=late) is None
    assert discover_trackback(url=POST, body=late, max_bytes=512 * 1024) == PING


def test_unterminated_tags_do_not_make_the_scan_slow() -> None:
    body = b'<rdf:Description "' * 15_000

    started = time.perf_counter()
    assert discover_trackback(url=POST, body=body) is None
    assert time.perf_counter() - started < 2


def test_a_shift_jis_page_still_yields_its_ascii_urls() -> None:
    body = page(rdf(POST, PING, title="日本語のタイトル")).decode().encode("cp932")

    assert discover_trackback(url=POST, body=body) == PING
