"""RSS, Atom and JSON Feed documents from hand-built values, checked without a database."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.feeds.conftest import well_formed
from tests.feeds.jsonfeed_schema import FEED, assert_valid_json_feed, errors
from yamabiko.feeds import Entry, Feed, Image, Person, atom, json_feed, rss
from yamabiko.feeds.documents import tag_uri

SITE = "https://blog.example.org"
EVIL = "bad\x00\x01\x08\x0b\x0c\x1f\ud800\udfff\ufffe\uffff!"


def entry(number: int, **changes: object) -> Entry:
    published = datetime(2025, 3, number, 11, 44, tzinfo=UTC)
    base = Entry(
        id=tag_uri("blog.example.org", published, f"post-{number}"),
        url=f"{SITE}/2025/03/post-{number}/",
        title=f"Post {number} & <friends>",
        content_html=f'<p>Body {number} with <a href="{SITE}/x/">a link</a></p>',
        summary=f"Body {number} with a link",
        published=published,
        updated=published + timedelta(hours=1),
        author=Person(name="kodama", url=f"{SITE}/author/kodama/"),
        categories=("Travel", "Japan", "walking"),
        image=Image(url=f"{SITE}/media/{number}.jpg", mime_type="image/jpeg"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def feed(*entries: Entry, **changes: object) -> Feed:
    base = Feed(
        id=f"{SITE}/feed/atom/",
        title="Yamabiko",
        description="Echoes between blogs",
        home_url=f"{SITE}/",
        self_url=f"{SITE}/feed/atom/",
        language="en",
        updated=datetime(2025, 3, 9, tzinfo=UTC),
        author=Person(name="Yamabiko", url=f"{SITE}/"),
        entries=entries,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_rss_has_every_item_field_readers_use() -> None:
    parsed = well_formed(rss(feed(entry(2), entry(1))))

    assert parsed.version == "rss20"
    assert parsed.feed.title == "Yamabiko"
    assert parsed.feed.link == f"{SITE}/"
    assert [item.title for item in parsed.entries] == ["Post 2 & <friends>", "Post 1 & <friends>"]
    first = parsed.entries[0]
    assert first.link == f"{SITE}/2025/03/post-2/"
    assert first.id == "tag:blog.example.org,2025-03-02:post-2"
    assert first.guidislink is False
    assert first.published_parsed[:5] == (2025, 3, 2, 11, 44)
    assert first.author == "kodama"
    assert first.content[0].value == f'<p>Body 2 with <a href="{SITE}/x/">a link</a></p>'
    assert first.summary == "Body 2 with a link"
    assert [tag.term for tag in first.tags] == ["Travel", "Japan", "walking"]
    assert first.enclosures == [
        {"href": f"{SITE}/media/2.jpg", "length": "0", "type": "image/jpeg"}
    ]


def test_atom_has_ids_dates_summary_content_and_enclosure() -> None:
    parsed = well_formed(atom(feed(entry(2), entry(1))))

    assert parsed.version == "atom10"
    assert parsed.feed.id == f"{SITE}/feed/atom/"
    assert parsed.feed.updated_parsed[:4] == (2025, 3, 9, 0)
    first = parsed.entries[0]
    assert first.id == "tag:blog.example.org,2025-03-02:post-2"
    assert first.published == "2025-03-02T11:44:00Z"
    assert first.updated == "2025-03-02T12:44:00Z"
    assert first.summary_detail.type == "text/plain"
    assert first.summary == "Body 2 with a link"
    assert first.content[0].type == "text/html"
    assert first.author_detail == {"name": "kodama", "href": f"{SITE}/author/kodama/"}
    assert [link.rel for link in first.links] == ["alternate", "enclosure"]
    assert [tag.term for tag in first.tags] == ["Travel", "Japan", "walking"]


def test_dates_in_other_timezones_are_written_as_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    moment = datetime(2025, 2, 17, 20, 44, tzinfo=tokyo)
    document = feed(entry(1, published=moment, updated=moment))

    assert well_formed(atom(document)).entries[0].published == "2025-02-17T11:44:00Z"
    assert well_formed(rss(document)).entries[0].published == "Mon, 17 Feb 2025 11:44:00 +0000"
    assert json.loads(json_feed(document))["items"][0]["date_published"] == "2025-02-17T11:44:00Z"


def test_hub_and_paging_links_in_every_format() -> None:
    document = feed(
        entry(1),
        hub="https://hub.example/",
        self_url=f"{SITE}/feed/atom/?page=2",
        first_url=f"{SITE}/feed/atom/",
        previous_url=f"{SITE}/feed/atom/",
        next_url=f"{SITE}/feed/atom/?page=3",
        last_url=f"{SITE}/feed/atom/?page=4",
    )

    for body in (atom(document), rss(document)):
        links = {link.rel: link.href for link in well_formed(body).feed.links}
        assert links["hub"] == "https://hub.example/"
        assert links["self"] == f"{SITE}/feed/atom/?page=2"
        assert links["next"] == f"{SITE}/feed/atom/?page=3"
        assert links["previous"] == f"{SITE}/feed/atom/"
        assert links["last"] == f"{SITE}/feed/atom/?page=4"
    data = json.loads(json_feed(document))
    assert data["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    assert data["next_url"] == f"{SITE}/feed/atom/?page=3"


def test_json_feed_is_valid_against_the_schema() -> None:
    data = json.loads(json_feed(feed(entry(2), entry(1, image=None), hub="https://hub.example/")))

    assert_valid_json_feed(data)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    item = data["items"][0]
    assert item["id"] == "tag:blog.example.org,2025-03-02:post-2"
    assert item["title"] == "Post 2 & <friends>"
    assert item["authors"] == [{"name": "kodama", "url": f"{SITE}/author/kodama/"}]
    assert item["tags"] == ["Travel", "Japan", "walking"]
    assert item["image"] == f"{SITE}/media/2.jpg"
    assert item["attachments"] == [{"url": f"{SITE}/media/2.jpg", "mime_type": "image/jpeg"}]
    assert "image" not in data["items"][1]


def test_the_schema_check_rejects_what_the_spec_forbids() -> None:
    good = json.loads(json_feed(feed(entry(1))))
    assert errors(good, FEED) == []

    broken = json.loads(json_feed(feed(entry(1))))
    del broken["title"]
    broken["version"] = "https://jsonfeed.org/version/1"
    broken["surprise"] = 1
    broken["_extension"] = {"fine": True}
    item = broken["items"][0]
    del item["content_html"]
    item["url"] = "/relative/"
    item["date_published"] = "17/2 20:44"
    item["authors"] = [{}]

    assert sorted(errors(broken, FEED)) == sorted(
        [
            "$: title is required",
            "$: unknown member 'surprise'",
            "$.version: must be 'https://jsonfeed.org/version/1.1'",
            "$.items[0]: needs one of [['content_html'], ['content_text']]",
            "$.items[0].url: not an absolute URL: '/relative/'",
            "$.items[0].date_published: not an RFC 3339 date: '17/2 20:44'",
            "$.items[0].authors[0]: needs one of [['name'], ['url'], ['avatar']]",
        ]
    )


@pytest.mark.parametrize("write", [rss, atom])
def test_hostile_characters_everywhere_leave_xml_well_formed(write: object) -> None:
    hostile = entry(
        1,
        title=EVIL,
        content_html=f"<p>{EVIL}</p>",
        summary=EVIL,
        author=Person(name=EVIL, url=f"{SITE}/{EVIL}"),
        categories=(EVIL,),
        id=f"tag:{EVIL}",
    )
    document = feed(hostile, title=EVIL, description=EVIL, author=Person(name=EVIL))

    parsed = well_formed(write(document))  # type: ignore[operator]

    assert parsed.feed.title == "bad!"
    assert parsed.entries[0].title == "bad!"
    assert parsed.entries[0].content[0].value == "<p>bad!</p>"


def test_hostile_characters_are_gone_from_json_feed_too() -> None:
    hostile = entry(1, title=EVIL, content_html=EVIL, summary=EVIL, categories=(EVIL,))

    body = json_feed(feed(hostile, title=EVIL))

    data = json.loads(body.decode("utf-8"))  # lone surrogates would not even encode
    assert data["title"] == "bad!"
    assert data["items"][0]["title"] == "bad!"
    assert data["items"][0]["tags"] == ["bad!"]
    assert_valid_json_feed(data)


def test_an_empty_feed_is_valid_in_every_format() -> None:
    empty = feed()

    assert well_formed(rss(empty)).entries == []
    assert well_formed(atom(empty)).feed.updated_parsed[:3] == (2025, 3, 9)
    assert_valid_json_feed(json.loads(json_feed(empty)))


def test_tag_uri_depends_only_on_host_creation_day_and_id() -> None:
    created = datetime(2024, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert (
        tag_uri("blog.example.org", created, "post-7") == "tag:blog.example.org,2025-01-01:post-7"
    )
