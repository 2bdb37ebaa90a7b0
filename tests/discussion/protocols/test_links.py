"""The outbound links of our own posts, the targets of linkbacks we send (pure)."""

from __future__ import annotations

from yamabiko.discussion.protocols.links import outbound_links

BASE = "https://blog.example/2024/05/hello"
OWN = "blog.example"


def links(html: str, *, own_host: str = OWN) -> list[str]:
    return outbound_links(html, base_url=BASE, own_host=own_host)


def test_absolute_links_to_other_sites_are_kept_in_order() -> None:
    html = '<p><a href="https://b.example/x">b</a> and <a href="http://a.example/y">a</a></p>'

    assert links(html) == ["https://b.example/x", "http://a.example/y"]


def test_relative_and_scheme_relative_links_are_made_absolute() -> None:
    html = '<a href="//other.example/p">o</a><a href="../../2023/old">own</a>'

    assert links(html, own_host="elsewhere.example") == [
        "https://other.example/p",
        "https://blog.example/2023/old",
    ]


def test_links_to_our_own_host_are_dropped_whatever_the_case_or_port() -> None:
    html = (
        '<a href="/about">a</a><a href="https://BLOG.example/x">b</a>'
        '<a href="http://blog.example:8000/y">c</a><a href="https://o.example/">d</a>'
    )

    assert links(html, own_host="Blog.Example:8000") == ["https://o.example/"]


def test_subdomains_are_other_sites() -> None:
    assert links('<a href="https://www.blog.example/p">w</a>') == ["https://www.blog.example/p"]


def test_fragments_and_queries_are_kept_as_written() -> None:
    html = '<a href="https://o.example/p?b=2&amp;a=1#sec-2">x</a>'

    assert links(html) == ["https://o.example/p?b=2&a=1#sec-2"]


def test_exact_duplicates_are_sent_once_but_different_fragments_are_kept() -> None:
    html = (
        '<a href="https://o.example/p">1</a><a href="https://o.example/p">2</a>'
        '<a href="https://o.example/p#c">3</a>'
    )

    assert links(html) == ["https://o.example/p", "https://o.example/p#c"]


def test_bare_site_roots_are_kept_for_the_service_to_decide() -> None:
    assert links('<a href="https://o.example/">root</a>') == ["https://o.example/"]


def test_non_http_and_in_page_links_are_dropped() -> None:
    html = (
        '<a href="mailto:a@o.example">m</a><a href="tel:+81">t</a>'
        '<a href="javascript:alert(1)">j</a><a href="ftp://o.example/f">f</a>'
        '<a href="#notes">n</a><a href="">empty</a><a>no href</a>'
        '<a href="data:text/html,hi">d</a>'
    )

    assert links(html) == []


def test_links_in_comments_escaped_text_or_other_elements_do_not_count() -> None:
    html = (
        '<!-- <a href="https://hidden.example/">h</a> -->'
        '<code>&lt;a href="https://escaped.example/"&gt;</code>'
        '<img src="https://img.example/i.png"><link href="https://css.example/s.css">'
        '<a href="https://real.example/">r</a>'
    )

    assert links(html) == ["https://real.example/"]


def test_href_whitespace_is_trimmed() -> None:
    assert links('<a href="  https://o.example/p\n">x</a>') == ["https://o.example/p"]


def test_an_empty_post_has_no_links() -> None:
    assert links("") == []
    assert links("Just text, https://not-a-link.example/ in prose.") == []
