"""`yamabiko linkbacks discover|send`: look at a page's endpoints, and send a post's pings now.

Both print JSON on stdout, so they can be read by people and piped into `jq`. The worker
sends linkbacks by itself when a post is published or changed; these commands are for
checking a page before linking to it, and for sending again after fixing something.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from yamabiko.cli.base import Failure, django_setup, with_blog
from yamabiko.core.exceptions import NotFound

if TYPE_CHECKING:
    from yamabiko.posts.models import Post

# LinkbackKind's values: the models cannot be imported before Django is set up, and --help
# must work without that (a test keeps the two lists equal).
PROTOCOLS = ("webmention", "pingback", "trackback")


@click.group("linkbacks")
def linkbacks() -> None:
    """Find the linkback endpoints of a page, and send a post's linkbacks now."""


@linkbacks.command("discover")
@click.argument("url")
def linkbacks_discover(*, url: str) -> None:
    """Fetch URL once and print the endpoints it advertises as JSON.

    Prints {"webmention": …, "pingback": …, "trackback": …}, null for each protocol the
    page does not offer. The page is fetched as sending would fetch it: private and
    loopback addresses are refused unless YAMABIKO_OUTBOUND_ALLOW lists them.
    """
    # Only settings are needed (the site URL for the User-Agent, the allow list): no database.
    django_setup()
    from yamabiko.core.net import FetchError, default_fetcher
    from yamabiko.discussion.sending import SendFailed
    from yamabiko.discussion.sending import linkbacks_discover as discover

    try:
        found = discover(url=url, fetcher=default_fetcher())
    except SendFailed as error:
        raise Failure(f"{url}: {error}") from error
    except FetchError as error:
        # The fetcher's message starts with the URL of the hop that failed; after a
        # redirect that is worth showing, for URL itself it would be said twice.
        reason = str(error).removeprefix(f"{url}: ") if error.url == url else str(error)
        raise Failure(f"cannot fetch {url}: {reason}") from error
    click.echo(
        json.dumps(
            {
                "webmention": found.webmention,
                "pingback": found.pingback,
                "trackback": found.trackback,
            },
            ensure_ascii=False,
        )
    )


def live_post_find(post_id: int) -> Post:
    from yamabiko.posts.models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(f"no post with id {post_id}")
    if not Post.objects.live().filter(pk=post_id).exists():
        raise Failure(f"post {post_id} is not published")
    return post


@linkbacks.command("send")
@click.argument("post_id", metavar="POST_ID", type=int)
@click.option(
    "--force", is_flag=True, help="Send to every target again, also those already notified."
)
@click.option(
    "--protocol",
    type=click.Choice(PROTOCOLS),
    help="Look only for this kind of endpoint on the linked pages.",
)
@with_blog
def linkbacks_send(*, post_id: int, force: bool, protocol: str | None) -> None:
    """Send the linkbacks of post POST_ID now and print one JSON line per target.

    Each line holds target, protocol (null when none was used), endpoint, status (sent,
    failed or skipped) and error. Targets already told about this version of the post
    are skipped unless --force is given. Exits with 1 if any target failed.
    """
    from yamabiko.core.net import default_fetcher
    from yamabiko.discussion import sending

    post = live_post_find(post_id)
    outcomes = sending.linkbacks_send(
        post=post, fetcher=default_fetcher(), force=force, only=protocol
    )
    for outcome in outcomes:
        click.echo(
            json.dumps(
                {
                    "target": outcome.target,
                    "protocol": outcome.protocol and str(outcome.protocol),
                    "endpoint": outcome.endpoint,
                    "status": str(outcome.status),
                    "error": outcome.error,
                },
                ensure_ascii=False,
            )
        )
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    if failed:
        raise Failure(f"{failed} of {len(outcomes)} targets failed")
