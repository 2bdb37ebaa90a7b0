"""Verification: the source is fetched from a real local server and must really link to us.

linkback_verify is called directly with a Fetcher that reads the allow list (the remote's
one port); what readers see is checked on the rendered pages, "Trackback (N)" included.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.discussion.linkbacks.conftest import (
    Page,
    Remote,
    assert_count,
    html,
    linking_page,
    permalink,
)
from tests.factories import PostFactory
from yamabiko.core.net import Fetcher
from yamabiko.discussion import spam
from yamabiko.discussion.linkbacks import (
    PingInput,
    linkback_receive,
    linkback_set_status,
    linkback_verify,
)
from yamabiko.discussion.models import Linkback, LinkbackKind, LinkbackStatus, MentionType
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def publish_at_once(blog: Blog) -> Blog:
    blog.linkback_moderation = "none"
    blog.save()
    return blog


def receive(
    post: Post,
    source: str,
    *,
    kind: str = LinkbackKind.WEBMENTION,
    title: str = "",
    excerpt: str = "",
    blog_name: str = "",
) -> Linkback:
    target = "" if kind == LinkbackKind.TRACKBACK else permalink(post)
    ping = PingInput(
        kind=kind,
        post_id=post.pk,
        source_url=source,
        target_url=target,
        title=title,
        excerpt=excerpt,
        blog_name=blog_name,
        ip_address="192.0.2.7",
    )
    return linkback_receive(ping=ping).linkback


def verify(linkback: Linkback, fetcher: Fetcher | None = None) -> Linkback:
    result = linkback_verify(linkback_id=linkback.pk, fetcher=fetcher or Fetcher())
    assert result is not None
    linkback.refresh_from_db()
    return linkback


def trackbacks_section(client: Client, post: Post) -> BeautifulSoup:
    page = BeautifulSoup(client.get(post.get_absolute_url()).content, "html.parser")
    section = page.select_one("section#trackbacks")
    assert section is not None
    return section


# --- link or no link --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(LinkbackKind))
def test_source_that_links_to_the_post_is_approved_when_moderation_is_none(
    client: Client, remote: Remote, kind: str
) -> None:
    post = PostFactory()
    remote.pages["/source"] = linking_page(post, title="Their post")

    linkback = verify(receive(post, remote.url("/source"), kind=kind, title="Their post"))

    assert linkback.status == LinkbackStatus.APPROVED
    assert linkback.verified_at is not None
    assert_count(client, post, 1)
    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk}")
    assert item is not None
    assert "Their post" in item.get_text()
    request = remote.hits("/source")[0]
    assert request.method == "GET"
    assert request.headers["user-agent"].startswith("Yamabiko/")
    assert "text/html" in request.headers["accept"]


def test_verified_linkback_is_held_when_moderation_is_all(
    client: Client, remote: Remote, blog: Blog
) -> None:
    blog.linkback_moderation = "all"
    blog.save()
    post = PostFactory()
    remote.pages["/source"] = linking_page(post, text="their words")

    linkback = verify(receive(post, remote.url("/source")))

    assert linkback.status == LinkbackStatus.PENDING
    assert linkback.verified_at is not None
    assert list(Linkback.objects.held()) == [linkback]
    assert_count(client, post, 0)
    assert "their words" not in trackbacks_section(client, post).get_text()


def test_source_without_the_link_is_rejected_and_never_shown(
    client: Client, remote: Remote
) -> None:
    post = PostFactory()
    remote.pages["/source"] = Page(
        body=html('<p>About <a href="https://example.org/">else</a></p>')
    )

    linkback = verify(receive(post, remote.url("/source"), title="Spammy words"))

    assert linkback.status == LinkbackStatus.REJECTED
    assert linkback.verified_at is None
    assert "link" in linkback.verify_error
    assert_count(client, post, 0)
    assert "Spammy" not in trackbacks_section(client, post).get_text()


@pytest.mark.parametrize(
    "body",
    [
        '<p>Nothing here</p><!-- <a href="{url}">hidden</a> -->',
        '<pre><code>&lt;a href="{url}"&gt;escaped&lt;/a&gt;</code></pre>',
        "<script>document.write('<a href=\"{url}\">x</a>')</script>",
        '<p data-href="{url}">an attribute that is no link</p>',
    ],
    ids=["html-comment", "escaped-text", "script-text", "other-attribute"],
)
@pytest.mark.parametrize("kind", list(LinkbackKind))
def test_a_link_that_is_not_real_markup_does_not_count(
    client: Client, remote: Remote, body: str, kind: str
) -> None:
    post = PostFactory()
    remote.pages["/source"] = Page(body=html(body.format(url=permalink(post))))

    linkback = verify(receive(post, remote.url("/source"), kind=kind))

    assert linkback.status == LinkbackStatus.REJECTED
    assert_count(client, post, 0)


# --- what readers see ---------------------------------------------------------------------


REPLY = """
<article class="h-entry">
  <h1 class="p-name">Re: the walk</h1>
  <p>In reply to <a class="u-in-reply-to" href="{url}">your walk</a>.</p>
  <div class="e-content">I <b>agree</b>: the trail is lovely.<script>alert(1)</script></div>
  <a class="p-author h-card" href="https://kodama.example/">Kodama</a>
</article>
"""

LIKE = """
<div class="h-entry">
  <a class="p-author h-card" href="https://yamabiko.example/">
    <img class="u-photo" src="https://yamabiko.example/me.png" alt="">Yamabiko</a>
  liked <a class="u-like-of" href="{url}">this post</a>
</div>
"""


@pytest.mark.parametrize("kind", [LinkbackKind.WEBMENTION, LinkbackKind.PINGBACK])
def test_reply_takes_title_author_and_content_from_mf2_and_shows_the_content(
    client: Client, remote: Remote, kind: str
) -> None:
    post = PostFactory()
    remote.pages["/reply"] = Page(body=html(REPLY.format(url=permalink(post)), title="Page title"))

    linkback = verify(receive(post, remote.url("/reply"), kind=kind))

    assert linkback.status == LinkbackStatus.APPROVED
    assert linkback.mention_type == MentionType.REPLY
    assert linkback.title == "Re: the walk"
    assert (linkback.author_name, linkback.author_url) == ("Kodama", "https://kodama.example/")
    assert "your walk" in linkback.excerpt
    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk}")
    assert item is not None
    content = item.select_one(".linkback-content")
    assert content is not None
    assert content.select_one("b") is not None
    assert "the trail is lovely" in content.get_text()
    assert item.select_one("script") is None
    assert "Kodama" in item.get_text()
    assert_count(client, post, 1)


def test_like_is_shown_in_the_compact_reactions_row(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/like"] = Page(body=html(LIKE.format(url=permalink(post))))

    linkback = verify(receive(post, remote.url("/like")))

    assert linkback.mention_type == MentionType.LIKE
    section = trackbacks_section(client, post)
    reaction = section.select_one(f".reactions #linkback-{linkback.pk}")
    assert reaction is not None
    assert "Yamabiko" in reaction.get_text()
    photo = reaction.select_one("img")
    assert photo is not None
    assert photo["src"] == "https://yamabiko.example/me.png"
    assert section.select(".linkback-list li") == []
    assert_count(client, post, 1)


def test_trackback_shows_the_pings_own_title_excerpt_and_blog_name(
    client: Client, remote: Remote
) -> None:
    post = PostFactory()
    remote.pages["/tb"] = Page(body=html(REPLY.format(url=permalink(post)), title="Page title"))

    linkback = verify(
        receive(
            post,
            remote.url("/tb"),
            kind=LinkbackKind.TRACKBACK,
            title="Ping title",
            excerpt="Ping excerpt",
            blog_name="Ping blog",
        )
    )

    assert (linkback.title, linkback.excerpt, linkback.blog_name) == (
        "Ping title",
        "Ping excerpt",
        "Ping blog",
    )
    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk}")
    assert item is not None
    text = " ".join(item.get_text().split())
    assert "Ping title" in text
    assert "Ping excerpt" in text
    assert "Ping blog" in text
    assert "TrackBack" in text
    assert "Re: the walk" not in text


def test_trackback_without_a_title_shows_its_url(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/untitled"] = linking_page(post)

    linkback = verify(receive(post, remote.url("/untitled"), kind=LinkbackKind.TRACKBACK))

    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk} .linkback-title a")
    assert item is not None
    assert item.get_text() == remote.url("/untitled")
    assert item["href"] == remote.url("/untitled")
    assert "nofollow" in item["rel"]


def test_long_excerpt_is_shown_cut_with_an_ellipsis(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/long"] = linking_page(post)
    words = " ".join(f"word{n}" for n in range(200))

    linkback = verify(
        receive(post, remote.url("/long"), kind=LinkbackKind.TRACKBACK, excerpt=words)
    )

    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk}")
    assert item is not None
    shown = item.select_one(".linkback-excerpt")
    assert shown is not None
    assert 200 < len(shown.get_text()) <= 256
    assert shown.get_text().endswith("…")


def test_received_text_is_escaped_on_the_page(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/xss"] = linking_page(post)
    # Through the endpoint: the TrackBack module decodes character references once.
    fields = {
        "url": remote.url("/xss"),
        "title": "&lt;script&gt;alert(1)&lt;/script&gt;",
        "blog_name": "&lt;img src=x onerror=alert(1)&gt;",
    }
    client.post(
        f"/trackback/{post.pk}/",
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )

    linkback = verify(Linkback.objects.get())

    item = trackbacks_section(client, post).select_one(f"#linkback-{linkback.pk}")
    assert item is not None
    assert item.select("script, img") == []
    text = item.get_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text


# --- re-verification ----------------------------------------------------------------------


def entry_page(post: Post, name: str, words: str) -> Page:
    entry = (
        f'<article class="h-entry"><h1 class="p-name">{name}</h1><div class="e-content">'
        f'<p>{words} <a href="{permalink(post)}">link</a></p></div></article>'
    )
    return Page(body=html(entry))


def test_repeat_with_updated_content_replaces_the_old(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/source"] = entry_page(post, "First title", "first words")
    first = verify(receive(post, remote.url("/source")))
    assert first.title == "First title"

    remote.pages["/source"] = entry_page(post, "Second title", "second words")
    again = verify(receive(post, remote.url("/source")))

    assert again.pk == first.pk
    assert again.title == "Second title"
    assert "second words" in again.excerpt
    assert again.status == LinkbackStatus.APPROVED
    text = trackbacks_section(client, post).get_text()
    assert "Second title" in text
    assert "First title" not in text
    assert_count(client, post, 1)


@pytest.mark.parametrize(
    "gone",
    [
        Page(status=410, body=html("<p>Deleted</p>")),
        Page(body=html("<p>I took the link out.</p>")),
        Page(body=html('<meta http-equiv="Status" content="410 Gone"><p>Gone</p>')),
    ],
    ids=["410", "no-longer-links", "meta-410"],
)
def test_source_that_is_gone_or_no_longer_links_removes_the_linkback(
    client: Client, remote: Remote, gone: Page
) -> None:
    post = PostFactory()
    remote.pages["/keep"] = linking_page(post)
    verify(receive(post, remote.url("/keep")))
    remote.pages["/source"] = linking_page(post, text="soon gone")
    linkback = verify(receive(post, remote.url("/source")))
    assert_count(client, post, 2)

    remote.pages["/source"] = gone
    linkback = verify(receive(post, remote.url("/source")))

    assert linkback.status == LinkbackStatus.DELETED
    assert_count(client, post, 1)
    assert "soon gone" not in trackbacks_section(client, post).get_text()


def test_trackback_repeat_with_new_words_is_hidden_until_moderated_again(
    client: Client, remote: Remote, blog: Blog
) -> None:
    blog.linkback_moderation = "all"
    blog.save()
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)
    first = verify(receive(post, remote.url("/source"), kind=LinkbackKind.TRACKBACK, title="Kind"))
    linkback_set_status(linkback=first, status=LinkbackStatus.APPROVED)
    assert_count(client, post, 1)

    # Anyone can ping for any URL; the same words again change nothing readers see.
    receive(post, remote.url("/source"), kind=LinkbackKind.TRACKBACK, title="Kind")
    assert_count(client, post, 1)
    forged = receive(post, remote.url("/source"), kind=LinkbackKind.TRACKBACK, title="Buy now")

    assert forged.status == LinkbackStatus.PENDING
    assert_count(client, post, 0)
    assert "Buy now" not in trackbacks_section(client, post).get_text()
    assert verify(forged).status == LinkbackStatus.PENDING
    assert_count(client, post, 0)


def test_moderators_spam_decision_survives_a_repeat_ping(client: Client, remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)
    linkback = verify(receive(post, remote.url("/source")))
    linkback_set_status(linkback=linkback, status=LinkbackStatus.SPAM)

    linkback = verify(receive(post, remote.url("/source")))

    assert linkback.status == LinkbackStatus.SPAM
    assert_count(client, post, 0)


def test_temporary_failure_on_reverification_keeps_an_approved_linkback(
    client: Client, remote: Remote
) -> None:
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)
    linkback = verify(receive(post, remote.url("/source")))

    remote.pages["/source"] = Page(status=503, body=b"busy")
    linkback = verify(receive(post, remote.url("/source")))

    assert linkback.status == LinkbackStatus.APPROVED
    assert "503" in linkback.verify_error
    assert_count(client, post, 1)


def test_linkback_deleted_while_verifying_is_not_brought_back(remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)
    linkback = receive(post, remote.url("/source"))

    class DeletingFetcher(Fetcher):
        __slots__ = ()

        def get(self, url: str, **kwargs: object) -> object:  # type: ignore[override]
            response = super().get(url, **kwargs)  # type: ignore[arg-type]
            Linkback.objects.filter(pk=linkback.pk).delete()  # a moderator, meanwhile
            return response

    linkback_verify(linkback_id=linkback.pk, fetcher=DeletingFetcher())

    assert not Linkback.objects.exists()


# --- hostile sources ----------------------------------------------------------------------


def test_source_redirecting_to_a_private_address_is_rejected(
    client: Client, remote: Remote
) -> None:
    post = PostFactory()
    remote.pages["/source"] = Page(status=302, headers=(("Location", "http://10.0.0.1/"),))
    remote.pages["/loopback"] = Page(status=301, headers=(("Location", "http://127.0.0.1:1/"),))

    linkbacks = [
        verify(receive(post, remote.url("/source"))),
        verify(receive(post, remote.url("/loopback"), kind=LinkbackKind.TRACKBACK)),
    ]

    assert [linkback.status for linkback in linkbacks] == [LinkbackStatus.REJECTED] * 2
    assert [seen.path for seen in remote.seen] == ["/source", "/loopback"]
    assert_count(client, post, 0)


def test_source_at_a_private_address_is_rejected_without_a_request(remote: Remote) -> None:
    post = PostFactory()

    linkback = verify(receive(post, "http://169.254.169.254/latest/meta-data/"))

    assert linkback.status == LinkbackStatus.REJECTED
    assert remote.seen == []


def test_source_redirecting_in_a_loop_is_rejected(remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/a"] = Page(status=302, headers=(("Location", "/b"),))
    remote.pages["/b"] = Page(status=302, headers=(("Location", "/a"),))

    assert verify(receive(post, remote.url("/a"))).status == LinkbackStatus.REJECTED


def test_huge_source_is_read_only_up_to_the_cap(remote: Remote) -> None:
    post = PostFactory()
    filler = "<p>" + "padding " * 200_000 + "</p>"  # 1.6 MB before the link
    remote.pages["/huge"] = Page(
        body=html(filler + f'<a href="{permalink(post)}">at the very end</a>')
    )

    linkback = verify(receive(post, remote.url("/huge")))

    assert linkback.status == LinkbackStatus.REJECTED


def test_slow_source_is_given_up_on_without_hanging(remote: Remote) -> None:
    post = PostFactory()
    remote.pages["/slow"] = Page(body=linking_page(post).body, delay=30)
    started = time.monotonic()

    linkback = verify(
        receive(post, remote.url("/slow")), Fetcher(connect_timeout=0.5, total_timeout=0.5)
    )

    assert time.monotonic() - started < 5
    assert linkback.status == LinkbackStatus.REJECTED
    assert "source not fetched" in linkback.verify_error


# --- spam ---------------------------------------------------------------------------------


def test_source_the_classifier_has_learned_as_spam_is_spam(client: Client, remote: Remote) -> None:
    for n in range(5):
        spam.spam_train(text=f"cheap casino jackpot bonus pills {n}", as_spam=True)
        spam.spam_train(text=f"a walk in the autumn mountains with friends {n}", as_spam=False)
    post = PostFactory()
    remote.pages["/spam"] = Page(
        body=html(
            f'<p>cheap casino jackpot bonus pills <a href="{permalink(post)}">casino</a></p>',
            title="cheap casino jackpot bonus pills",
        )
    )

    linkback = verify(receive(post, remote.url("/spam")))

    assert linkback.status == LinkbackStatus.SPAM
    assert linkback.spam_score >= spam.SPAM_AT
    assert_count(client, post, 0)


def test_source_with_a_blocked_word_is_spam(client: Client, remote: Remote, blog: Blog) -> None:
    blog.blocked_words = "viagra"
    blog.save()
    post = PostFactory()
    remote.pages["/source"] = linking_page(post, text="buy Viagra here")

    linkback = verify(receive(post, remote.url("/source")))

    assert linkback.status == LinkbackStatus.SPAM
    assert any("blocked word" in reason for reason in linkback.spam_reasons)
    assert_count(client, post, 0)


def test_trackback_with_a_blocked_word_in_its_blog_name_is_spam(remote: Remote, blog: Blog) -> None:
    blog.blocked_words = "casino"
    blog.save()
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)

    linkback = verify(
        receive(post, remote.url("/source"), kind=LinkbackKind.TRACKBACK, blog_name="Casino news")
    )

    assert linkback.status == LinkbackStatus.SPAM


# --- counting and identity across protocols ----------------------------------------------


def test_trackback_count_follows_every_change(client: Client, remote: Remote) -> None:
    post = PostFactory()
    other = PostFactory()
    for path in ("/tb", "/pb", "/wm"):
        remote.pages[path] = linking_page(post)
    remote.pages["/other"] = linking_page(other)
    assert_count(client, post, 0)

    tb = verify(receive(post, remote.url("/tb"), kind=LinkbackKind.TRACKBACK))
    assert_count(client, post, 1)
    verify(receive(post, remote.url("/pb"), kind=LinkbackKind.PINGBACK))
    assert_count(client, post, 2)
    wm = verify(receive(post, remote.url("/wm")))
    assert_count(client, post, 3)
    verify(receive(other, remote.url("/other")))
    assert_count(client, post, 3)
    assert_count(client, other, 1)

    linkback_set_status(linkback=wm, status=LinkbackStatus.SPAM)
    assert_count(client, post, 2)
    remote.pages["/tb"] = Page(status=410)
    verify(receive(post, remote.url("/tb"), kind=LinkbackKind.TRACKBACK))
    assert tb.pk == Linkback.objects.get(source_url=remote.url("/tb")).pk
    assert_count(client, post, 1)
    linkback_set_status(linkback=wm, status=LinkbackStatus.APPROVED)
    assert_count(client, post, 2)


def test_webmention_after_a_trackback_from_the_same_source_updates_the_same_linkback(
    client: Client, remote: Remote
) -> None:
    post = PostFactory()
    remote.pages["/source"] = entry_page(post, "Their h-entry", "words")
    trackback = verify(
        receive(post, remote.url("/source"), kind=LinkbackKind.TRACKBACK, title="TB title")
    )

    again = verify(receive(post, remote.url("/source")))
    pinged = verify(receive(post, remote.url("/source"), kind=LinkbackKind.PINGBACK))

    assert again.pk == pinged.pk == trackback.pk
    assert Linkback.objects.count() == 1
    assert pinged.kind == LinkbackKind.TRACKBACK
    assert pinged.title == "TB title"
    assert pinged.target_url == permalink(post)
    assert_count(client, post, 1)
