"""Posts, comments and linkbacks as feed entries: model instances in, ``Entry`` values out.

No queries of its own: it reads what the selections fetched (authors, categories and tags
are joined or prefetched), so a feed costs the same number of queries at any size.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext

from yamabiko.core.text import sanitize_html
from yamabiko.discussion.models import Comment, Linkback
from yamabiko.feeds.content import absolutize_urls, first_image_url, image_type, summary_text
from yamabiko.feeds.documents import Entry, Image, Person, tag_uri
from yamabiko.feeds.locations import absolute, site_host
from yamabiko.posts.models import Post

__all__ = ["comment_entry", "discussion_entry", "linkback_entry", "person_of", "post_entry"]

LINKBACK_LABELS = {"trackback": "Trackback", "pingback": "Pingback", "webmention": "Webmention"}


def person_of(user: AbstractBaseUser) -> Person:
    """An author as readers know them, with their archive page as their URL."""
    username = user.get_username()
    full_name = getattr(user, "get_full_name", lambda: "")()
    return Person(
        name=str(full_name or username),
        url=absolute(reverse("posts:author", kwargs={"username": username})),
    )


def post_image(html: str, base: str) -> Image | None:
    url = first_image_url(html, base)
    mime_type = image_type(url) if url else ""
    return Image(url=url, mime_type=mime_type) if mime_type else None


def post_categories(post: Post) -> tuple[str, ...]:
    """The primary category first, then the other categories, then the tags; no repeats."""
    names: list[str] = []
    if post.primary_category is not None:
        names.append(post.primary_category.name)
    names += [category.name for category in post.categories.all()]
    names += [tag.name for tag in post.tags.all()]
    return tuple(dict.fromkeys(names))


def post_entry(post: Post) -> Entry:
    url = absolute(post.get_absolute_url())
    html = absolutize_urls("\n".join(filter(None, [post.body_html, post.extended_html])), url)
    published = post.published_at or post.created_at
    return Entry(
        id=tag_uri(site_host(), post.created_at, f"post-{post.pk}"),
        url=url,
        title=post.title,
        content_html=html,
        summary=summary_text(post.excerpt, html),
        published=published,
        updated=max(post.updated_at, published),
        author=person_of(post.author),
        categories=post_categories(post),
        image=post_image(html, url),
    )


def comment_entry(comment: Comment, *, titled: bool) -> Entry:
    """A reader's comment; ``titled`` names the post it is on (in the whole blog's feed)."""
    url = f"{absolute(comment.post.get_absolute_url())}#comment-{comment.pk}"
    html = absolutize_urls(comment.body_html, url)
    return Entry(
        id=tag_uri(site_host(), comment.created_at, f"comment-{comment.pk}"),
        url=url,
        title=(
            gettext("Comment by %(name)s on “%(title)s”")
            if titled
            else gettext("Comment by %(name)s")
        )
        % {"name": comment.author_name, "title": comment.post.title},
        content_html=html,
        summary=summary_text("", html),
        published=comment.created_at,
        updated=comment.created_at,
        author=Person(name=comment.author_name, url=comment.author_url),
    )


def linkback_entry(linkback: Linkback, *, titled: bool) -> Entry:
    """A TrackBack, Pingback or Webmention, labelled by kind and linking to its source."""
    url = f"{absolute(linkback.post.get_absolute_url())}#linkback-{linkback.pk}"
    source_host = urlsplit(linkback.source_url).hostname or linkback.source_url
    who = linkback.blog_name or linkback.author_name or source_host
    label = LINKBACK_LABELS.get(linkback.kind, "Linkback")
    parts = []
    if linkback.content:
        # Sanitized when it arrived; again here, because a feed reader trusts our HTML.
        parts.append(sanitize_html(linkback.content))
    elif linkback.excerpt:
        parts.append(f"<p>{escape(linkback.excerpt)}</p>")
    parts.append(
        f'<p><a href="{escape(linkback.source_url)}">{escape(linkback.display_title)}</a></p>'
    )
    html = absolutize_urls("\n".join(parts), linkback.source_url)
    return Entry(
        id=tag_uri(site_host(), linkback.received_at, f"linkback-{linkback.pk}"),
        url=url,
        title=(
            gettext("%(kind)s from %(who)s on “%(title)s”")
            if titled
            else gettext("%(kind)s from %(who)s")
        )
        % {"kind": label, "who": who, "title": linkback.post.title},
        content_html=html,
        summary=summary_text(linkback.excerpt, html),
        published=linkback.received_at,
        updated=max(filter(None, [linkback.received_at, linkback.verified_at])),
        author=Person(name=linkback.author_name or who, url=linkback.author_url),
        external_url=linkback.source_url,
    )


def discussion_entry(item: Comment | Linkback, *, titled: bool) -> Entry:
    if isinstance(item, Comment):
        return comment_entry(item, titled=titled)
    return linkback_entry(item, titled=titled)
