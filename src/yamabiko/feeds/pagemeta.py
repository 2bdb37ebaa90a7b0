"""What a page tells machines about itself: canonical URL, feed links, Open Graph, JSON-LD.

Built from objects the page's view already loaded (the post with its author, categories and
tags), so it adds no query to any page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from yamabiko.feeds.content import first_image_url, summary_text
from yamabiko.feeds.documents import rfc3339
from yamabiko.feeds.entries import person_of
from yamabiko.feeds.locations import FORMATS, absolute, feed_path
from yamabiko.posts.models import Blog, Post

__all__ = [
    "FeedLink",
    "PageMeta",
    "blog_posting",
    "feed_links",
    "json_for_script",
    "text_direction",
]

FEED_TYPES = {
    "rss": ("application/rss+xml", "RSS"),
    "atom": ("application/atom+xml", "Atom"),
    "json": ("application/feed+json", "JSON Feed"),
}
# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element;
# escaped this way the JSON means the same (as Django's json_script does it).
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLink:
    type: str
    title: str
    href: str


@dataclass(slots=True, kw_only=True)
class PageMeta:
    canonical: str
    title: str
    description: str
    site_name: str
    og_type: str = "website"
    image: str = ""
    feeds: list[FeedLink] = field(default_factory=list)
    article: list[tuple[str, str]] = field(default_factory=list)
    json_ld: SafeString | None = None


def text_direction(language: str) -> str:
    """``rtl`` for a right-to-left language, else ``ltr``."""
    try:
        return "rtl" if get_language_info(language)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def json_for_script(data: object) -> SafeString:
    """JSON that is safe as the text of a <script type="application/ld+json"> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - every <, > and & is escaped above


def feed_links(scope: str, title: str, **route: object) -> list[FeedLink]:
    links = []
    for fmt in FORMATS:
        mime_type, name = FEED_TYPES[fmt]
        href = absolute(feed_path(scope, fmt, **route))
        links.append(FeedLink(type=mime_type, title=f"{title} ({name})", href=href))
    return links


def canonical_url(path: str, *, page: int = 1, query: str = "") -> str:
    params: list[tuple[str, str]] = [("q", query)] if query else []
    if page > 1:
        params.append(("page", str(page)))
    return absolute(path) + (f"?{urlencode(params)}" if params else "")


def blog_posting(post: Post, blog: Blog, *, url: str, description: str, image: str) -> object:
    """schema.org BlogPosting, with what Google's article guidelines ask for."""
    author = person_of(post.author)
    published = post.published_at or post.created_at
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": rfc3339(published),
        "dateModified": rfc3339(max(post.updated_at, published)),
        "author": {"@type": "Person", "name": author.name, "url": author.url},
        "publisher": {"@type": "Organization", "name": blog.title, "url": absolute("/")},
        "description": description,
        "inLanguage": blog.language,
    }
    if image:
        data["image"] = image
    if post.primary_category is not None:
        data["articleSection"] = post.primary_category.name
    if keywords := [tag.name for tag in post.tags.all()]:
        data["keywords"] = keywords
    return data


def post_meta(post: Post, blog: Blog) -> PageMeta:
    url = absolute(post.get_absolute_url())
    html = f"{post.body_html}\n{post.extended_html}"
    image = first_image_url(html, url)
    description = summary_text(post.excerpt, html, limit=200)
    published = post.published_at or post.created_at
    article = [
        ("article:published_time", rfc3339(published)),
        ("article:modified_time", rfc3339(max(post.updated_at, published))),
        ("article:author", person_of(post.author).url),
    ]
    if post.primary_category is not None:
        article.append(("article:section", post.primary_category.name))
    article += [("article:tag", tag.name) for tag in post.tags.all()]
    return PageMeta(
        canonical=url,
        title=post.title,
        description=description,
        site_name=blog.title,
        og_type="article",
        image=image,
        article=article,
        json_ld=json_for_script(
            blog_posting(post, blog, url=url, description=description, image=image)
        ),
    )
