"""Receiving linkbacks (TrackBack, Pingback, Webmention), verifying them, and moderating them.

Receiving never fetches anything: a ping is checked against what we know (the post exists,
is live and takes pings, the source is not blocked, the sender is within its rate), stored
as pending, and verified by a task. Verification fetches the source through the guarded
fetcher and keeps the linkback only if the page really links to the post; only then do the
spam filter and the moderation policy decide whether readers see it. "Trackback (N)" is
recounted under the post's row lock whenever that can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yamabiko.core.exceptions import InvalidInput, NotFound
from yamabiko.core.net import Fetcher, FetchError
from yamabiko.core.ratelimit import RateLimited, ip_rate_key
from yamabiko.core.ratelimit import rate_check as check_rates
from yamabiko.core.text import strip_tags
from yamabiko.discussion import spam
from yamabiko.discussion.models import Linkback, LinkbackKind, LinkbackStatus
from yamabiko.discussion.protocols.source import SourceReport, inspect_source
from yamabiko.pagecache import content_changed
from yamabiko.posts.models import Blog, LinkbackModeration, Post

RATE_WINDOW_SECONDS = 3600
ACCEPT_SOURCE = "text/html, application/xhtml+xml;q=0.9, application/json;q=0.5, text/plain;q=0.3"


class PingsClosed(InvalidInput):
    """The post takes no linkbacks."""


class SourceBlocked(InvalidInput):
    """The source's host is on the blog's blocklist."""


LinkbackRateLimited = RateLimited


@dataclass(frozen=True, slots=True, kw_only=True)
class PingInput:
    """A received ping, already parsed by its protocol module."""

    kind: str
    post_id: int
    source_url: str
    target_url: str = ""
    title: str = ""
    excerpt: str = ""
    blog_name: str = ""
    ip_address: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    linkback: Linkback
    created: bool


def trackback_count_refresh(*, post_id: int) -> int:
    """Set "Trackback (N)" to the approved linkbacks of every kind (call with the row locked)."""
    count = Linkback.objects.filter(post_id=post_id).approved().count()
    Post.objects.filter(pk=post_id).update(trackback_count=count)
    content_changed()  # the update bypasses the signals that keep cached pages current
    return count


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_is_blocked(host: str, blog: Blog) -> bool:
    blocked = spam.Policy.from_blog(blog).blocked_domains
    return any(host == domain or host.endswith(f".{domain}") for domain in blocked)


def rate_check(ping: PingInput, blog: Blog) -> None:
    ip_key = ip_rate_key(ping.ip_address) if ping.ip_address else None
    check_rates(
        [
            ("linkback-ip", ip_key, blog.linkback_rate_per_ip),
            ("linkback-host", host_of(ping.source_url), blog.linkback_rate_per_host),
        ],
        window=RATE_WINDOW_SECONDS,
        message="too many linkbacks from this sender in the last hour; try again later",
    )


def linkback_receive(*, ping: PingInput) -> Received:
    """Store a ping as pending (or refresh the one from the same source) and queue its check.

    Raises NotFound for a post readers cannot see, PingsClosed, SourceBlocked, or
    LinkbackRateLimited; nothing is stored then, and nothing is ever fetched here.
    """
    blog = Blog.load()
    if host_is_blocked(host_of(ping.source_url), blog):
        raise SourceBlocked("linkbacks from this site are not accepted")
    rate_check(ping, blog)
    with transaction.atomic():
        post = Post.objects.live().select_for_update().filter(pk=ping.post_id).first()
        if post is None:
            raise NotFound("no such post")
        if not post.allow_pings:
            raise PingsClosed("this post does not take linkbacks")
        linkback = Linkback.objects.filter(post=post, source_url=ping.source_url).first()
        created = linkback is None
        if linkback is None:
            linkback = Linkback(post=post, source_url=ping.source_url, kind=ping.kind)
        linkback.target_url = ping.target_url or linkback.target_url
        linkback.ip_address = ping.ip_address
        linkback.received_at = timezone.now()
        hidden = False
        words = (ping.title, ping.excerpt, ping.blog_name)
        if ping.kind == linkback.kind == LinkbackKind.TRACKBACK:
            # A TrackBack's words are the pinger's, not the source page's, and anyone can
            # ping for any URL: new words are shown only once verified and moderated again.
            current = (linkback.title, linkback.excerpt, linkback.blog_name)
            if linkback.status == LinkbackStatus.APPROVED and words != current:
                linkback.status = LinkbackStatus.PENDING
                hidden = True
            linkback.title, linkback.excerpt, linkback.blog_name = words
        linkback.save()
        if hidden:
            trackback_count_refresh(post_id=post.pk)
        transaction.on_commit(lambda: verify_enqueue(linkback.pk))
    return Received(linkback=linkback, created=created)


def verify_enqueue(linkback_id: int) -> None:
    from yamabiko.discussion.tasks import linkback_verify_task

    linkback_verify_task.enqueue(linkback_id=linkback_id)


def permalink_of(post: Post) -> str:
    return f"{settings.YAMABIKO_SITE_URL}{post.get_absolute_url()}"


def source_report(
    linkback: Linkback, body: bytes, final_url: str, content_type: str | None, charset: str | None
) -> SourceReport:
    """Inspect the source for a link to the URL the sender named, or else to our permalink."""
    targets = [url for url in (linkback.target_url, permalink_of(linkback.post)) if url]
    report = None
    for target in dict.fromkeys(targets):
        report = inspect_source(
            source_url=final_url,
            target_url=target,
            body=body,
            content_type=content_type,
            charset=charset,
        )
        if report.links_to_target:
            return report
    assert report is not None
    return report


def apply_report(linkback: Linkback, report: SourceReport) -> None:
    """What readers see: the source page's words for Pingback and Webmention. A TrackBack
    keeps its ping's own title, excerpt and blog name; verifying it only confirms the link."""
    if linkback.kind == LinkbackKind.TRACKBACK:
        return
    linkback.title = report.title[:300]
    linkback.excerpt = report.excerpt
    linkback.content = report.content
    linkback.mention_type = report.mention_type
    linkback.author_name = report.author_name[:200]
    linkback.author_url = report.author_url[:2000]
    linkback.author_photo = report.author_photo[:2000]


def spam_verdict(linkback: Linkback, blog: Blog) -> spam.Verdict:
    return spam.spam_assess(
        spam.Submission(
            body="\n".join(
                part
                for part in (linkback.title, linkback.excerpt, strip_tags(linkback.content))
                if part
            ),
            author_name=linkback.blog_name or linkback.author_name,
            author_url=linkback.source_url,
            ip_address=linkback.ip_address,
        ),
        policy=spam.Policy.from_blog(blog),
    )


def settle(linkback: Linkback, *, status: str, error: str = "") -> Linkback | None:
    """Save the outcome and recount, with the post's row locked; None if a moderator
    deleted the linkback while its source was being fetched (saving would bring it back)."""
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=linkback.post_id).first()
        if not Linkback.objects.filter(pk=linkback.pk).exists():
            return None
        linkback.status = status
        linkback.verify_error = error[:300]
        linkback.save()
        trackback_count_refresh(post_id=linkback.post_id)
    return linkback


def linkback_verify(*, linkback_id: int, fetcher: Fetcher) -> Linkback | None:
    """Fetch the source; keep the linkback only if it links to the post, then judge it.

    A source that is gone (404 or 410, or a page that no longer links) removes a linkback
    that was shown; one that never verified is rejected and never shown. A fetch that fails
    otherwise (timeout, refused, 5xx) says nothing about the link: a linkback that verified
    before keeps its status.
    """
    linkback = Linkback.objects.select_related("post").filter(pk=linkback_id).first()
    if linkback is None:
        return None
    was_verified = linkback.verified_at is not None
    gone = LinkbackStatus.DELETED if was_verified else LinkbackStatus.REJECTED
    failed = linkback.status if was_verified else LinkbackStatus.REJECTED
    try:
        response = fetcher.get(
            linkback.source_url, headers={"Accept": ACCEPT_SOURCE}, purpose="verifying a linkback"
        )
    except FetchError as error:
        return settle(linkback, status=failed, error=f"source not fetched: {error}")
    if response.status in {404, 410}:
        return settle(linkback, status=gone, error=f"source is gone ({response.status})")
    if not 200 <= response.status < 300:
        return settle(linkback, status=failed, error=f"source answered {response.status}")
    report = source_report(
        linkback, response.body, response.url, response.content_type, response.charset
    )
    if report.is_gone_meta:
        return settle(linkback, status=gone, error="source is gone (410)")
    if not report.links_to_target:
        return settle(linkback, status=gone, error="source does not link to the post")
    apply_report(linkback, report)
    linkback.verified_at = timezone.now()
    blog = Blog.load()
    verdict = spam_verdict(linkback, blog)
    linkback.spam_score = verdict.score
    linkback.spam_reasons = list(verdict.reasons)
    if verdict.spam or linkback.trained_as == "spam":
        status = LinkbackStatus.SPAM  # a moderator's "spam" stands too, or a repeat undoes it
    elif linkback.status == LinkbackStatus.APPROVED and was_verified:
        status = LinkbackStatus.APPROVED  # a moderator's earlier approval stands
    elif verdict.hold or blog.linkback_moderation == LinkbackModeration.ALL:
        status = LinkbackStatus.PENDING
    else:
        status = LinkbackStatus.APPROVED
    return settle(linkback, status=status)


def classifier_text(linkback: Linkback) -> str:
    return spam.Submission(
        body="\n".join(p for p in (linkback.title, linkback.excerpt) if p),
        author_name=linkback.blog_name or linkback.author_name,
        author_url=linkback.source_url,
    ).classifier_text


def linkback_set_status(*, linkback: Linkback, status: str) -> Linkback:
    """A moderator's decision; approve and spam teach the classifier, once."""
    if status not in LinkbackStatus.values:
        raise InvalidInput(f"unknown linkback status {status!r}")
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=linkback.post_id).first()
        found = Linkback.objects.filter(pk=linkback.pk).first()
        if found is None:
            raise NotFound(f"linkback {linkback.pk} no longer exists")
        linkback = found
        if linkback.status == status:
            return linkback
        verdict = {LinkbackStatus.SPAM: "spam", LinkbackStatus.APPROVED: "ham"}.get(
            LinkbackStatus(status), linkback.trained_as
        )
        linkback.trained_as = spam.spam_relearn(
            text=classifier_text(linkback), learned=linkback.trained_as, verdict=verdict
        )
        linkback.status = status
        linkback.save(update_fields=["status", "trained_as"])
        trackback_count_refresh(post_id=linkback.post_id)
    return linkback


def linkback_delete(*, linkback: Linkback) -> None:
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=linkback.post_id).first()
        post_id = linkback.post_id
        linkback.delete()
        trackback_count_refresh(post_id=post_id)
