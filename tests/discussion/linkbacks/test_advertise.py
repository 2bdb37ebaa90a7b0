"""Every post page names its endpoints: X-Pingback, Link, <link> elements and TrackBack RDF."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Comment
from defusedxml.ElementTree import fromstring
from django.test import Client

from tests.discussion.linkbacks.conftest import SITE, permalink
from tests.factories import CategoryFactory, PostFactory, TagFactory
from yamabiko.discussion.protocols import discover_pingback, discover_trackback, discover_webmention
from yamabiko.posts.models import Post

pytestmark = pytest.mark.django_db

# PB §2.3, the pattern a Pingback client searches the page for.
PINGBACK_LINK = re.compile(rb'<link rel="pingback" href="([^"]+)" ?/?>')
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
TB = "{http://madskills.com/public/xml/rss/module/trackback/}"


def raw_headers(response: object, name: str) -> list[str]:
    return [value for key, value in response.items() if key.lower() == name.lower()]  # type: ignore[attr-defined]


def rdf_descriptions(content: bytes) -> list[dict[str, str]]:
    """The rdf:Description attributes of every RDF block in an HTML comment on the page."""
    soup = BeautifulSoup(content, "html.parser")
    comments = soup.find_all(string=lambda text: isinstance(text, Comment))
    blocks = [text for text in comments if "rdf:RDF" in text]
    found = []
    for block in blocks:
        root = fromstring(block.strip())
        assert root.tag == f"{RDF}RDF"
        found.extend(dict(element.attrib) for element in root.iter(f"{RDF}Description"))
    return found


@pytest.mark.parametrize("method", ["get", "head"])
def test_permalink_headers_name_the_pingback_and_webmention_endpoints(
    client: Client, method: str
) -> None:
    post = PostFactory()

    response = getattr(client, method)(post.get_absolute_url())

    assert response.status_code == 200
    assert raw_headers(response, "X-Pingback") == [f"{SITE}/xmlrpc/"]
    assert raw_headers(response, "Link") == [f'<{SITE}/webmention/>; rel="webmention"']
    assert (
        discover_webmention(
            url=permalink(post), headers=list(response.items()), body=b"", content_type=None
        )
        == f"{SITE}/webmention/"
    )


def test_permalink_html_has_one_pingback_link_in_the_spec_byte_form(client: Client) -> None:
    post = PostFactory()

    response = client.get(post.get_absolute_url())

    assert PINGBACK_LINK.findall(response.content) == [f"{SITE}/xmlrpc/".encode()]
    assert f'<link rel="pingback" href="{SITE}/xmlrpc/">'.encode() in response.content
    # With the header hidden, the body alone leads a client to the same server.
    assert discover_pingback([], response.content) == response["X-Pingback"]


def test_permalink_html_has_one_webmention_link(client: Client) -> None:
    post = PostFactory()

    response = client.get(post.get_absolute_url())

    soup = BeautifulSoup(response.content, "html.parser")
    links = [
        element["href"]
        for element in soup.find_all(["link", "a"])
        if "webmention" in (element.get("rel") or [])
    ]
    assert links == [f"{SITE}/webmention/"]
    assert (
        discover_webmention(
            url=permalink(post), headers=[], body=response.content, content_type="text/html"
        )
        == f"{SITE}/webmention/"
    )


def test_permalink_has_exactly_one_trackback_rdf_block(client: Client) -> None:
    post = PostFactory(title='Rivers -- and "bridges" <at> dusk', excerpt="Water -- under it")

    response = client.get(post.get_absolute_url())

    descriptions = rdf_descriptions(response.content)
    assert len(descriptions) == 1
    (rdf,) = descriptions
    assert rdf[f"{TB}ping"] == f"{SITE}/trackback/{post.pk}/"
    assert rdf[f"{DC}identifier"] == permalink(post)
    assert rdf[f"{RDF}about"] == permalink(post)
    assert rdf[f"{DC}title"] == 'Rivers -- and "bridges" <at> dusk'
    assert response.content.count(b"<rdf:RDF") == 1
    assert discover_trackback(url=permalink(post), body=response.content) == (
        f"{SITE}/trackback/{post.pk}/"
    )


def test_trackback_url_is_shown_in_the_trackbacks_section(client: Client) -> None:
    post = PostFactory()

    soup = BeautifulSoup(client.get(post.get_absolute_url()).content, "html.parser")

    field = soup.select_one("section#trackbacks input.trackback-url-field")
    assert field is not None
    assert field["value"] == f"{SITE}/trackback/{post.pk}/"
    assert field.has_attr("readonly")


def test_post_with_pings_closed_shows_no_trackback_url(client: Client) -> None:
    post = PostFactory(allow_pings=False)

    soup = BeautifulSoup(client.get(post.get_absolute_url()).content, "html.parser")

    assert soup.select_one("section#trackbacks input.trackback-url-field") is None
    assert soup.select_one("section#trackbacks .pings-closed") is not None


def list_urls(post: Post) -> list[str]:
    category = CategoryFactory(slug="notes")
    tag = TagFactory(slug="walks")
    post.categories.add(category)
    post.tags.add(tag)
    date = post.permalink_date
    return [
        "/",
        category.get_absolute_url(),
        tag.get_absolute_url(),
        f"/{date.year}/",
        f"/{date.year}/{date.month:02d}/",
        f"/author/{post.author.get_username()}/",
    ]


def test_home_and_list_pages_do_not_advertise_pingback(client: Client) -> None:
    post = PostFactory()

    for url in list_urls(post):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.has_header("X-Pingback"), url
        assert not response.has_header("Link"), url
        assert PINGBACK_LINK.search(response.content) is None, url
        assert b"<rdf:RDF" not in response.content, url


def test_missing_post_does_not_advertise(client: Client) -> None:
    response = client.get("/2020/01/no-such-post/")

    assert response.status_code == 404
    assert not response.has_header("X-Pingback")
