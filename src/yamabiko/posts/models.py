"""The content model: the blog's settings, categories, tags, posts, static pages, redirects."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yamabiko.core import text
from yamabiko.posts.querysets import PageQuerySet, PostQuerySet

# First path segments the URLconf owns; a static page may not take one of them.
RESERVED_PAGE_SLUGS = frozenset(
    {
        "admin", "author", "category", "comments", "feed", "feed.json", "media", "page",
        "robots.txt", "search", "sitemap.xml", "static", "tag", "trackback", "webmention",
        "xmlrpc", "micropub", "api", "wp-admin", "wp-login.php",
    }
)  # fmt: skip


class CommentModeration(models.TextChoices):
    ALL = "all", _("Hold every comment for a moderator")
    FIRST = "first", _("Hold a new author's first comment; approve known authors")
    NONE = "none", _("Publish unless the spam filter holds it")


class LinkbackModeration(models.TextChoices):
    ALL = "all", _("Hold every verified linkback for a moderator")
    NONE = "none", _("Publish verified linkbacks unless the spam filter holds them")


LANGUAGE_CHOICES = [("en", "English"), ("ja", "日本語"), ("ko", "한국어"), ("zh-hans", "中文")]

DEFAULT_DATE_FORMAT = "j/n H:i"
# The default format in the order each language writes a day: a Japanese reader takes
# "2/3" for February 3rd, so day-first would mislead. Languages not listed keep the default.
LANGUAGE_DATE_FORMATS = {"ja": "n月j日 H:i"}


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            _("%(value)r is not a known time zone (try Asia/Tokyo)"), params={"value": value}
        ) from error


def validate_page_slug(value: str) -> None:
    if value.isdigit():
        raise ValidationError(_("A page slug cannot be all digits: those URLs are date archives."))
    if value.lower() in RESERVED_PAGE_SLUGS:
        raise ValidationError(
            _("%(value)r is reserved for the blog's own URLs."), params={"value": value}
        )


class Blog(models.Model):
    """The one settings record of the site (always pk=1)."""

    title = models.CharField(_("title"), max_length=200, default="Yamabiko")
    tagline = models.CharField(
        _("tagline"), max_length=300, blank=True, default="Echoes between blogs"
    )
    timezone = models.CharField(
        _("timezone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=16, choices=LANGUAGE_CHOICES, default="en"
    )
    date_format = models.CharField(
        _("date format"),
        max_length=64,
        default=DEFAULT_DATE_FORMAT,
        help_text=_("Django date format characters; the default shows 17 Feb 20:44 as 17/2 20:44."),
    )
    posts_per_page = models.PositiveSmallIntegerField(
        _("posts per page"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    comments_open = models.BooleanField(
        _("comments open"), default=True, help_text=_("Off closes comments on every post.")
    )
    comments_close_after_days = models.PositiveIntegerField(
        _("comments close after days"),
        default=0,
        help_text=_("Close comments on posts older than this many days; 0 never."),
    )
    comment_moderation = models.CharField(
        _("comment moderation"),
        max_length=8,
        choices=CommentModeration,
        default=CommentModeration.FIRST,
    )
    comment_max_links = models.PositiveSmallIntegerField(
        _("comment max links"),
        default=2,
        help_text=_("A comment with more links than this is held for moderation."),
    )
    comment_max_depth = models.PositiveSmallIntegerField(
        _("comment max depth"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How deep replies may nest."),
    )
    comment_rate_per_ip = models.PositiveIntegerField(
        _("comment rate per ip"),
        default=20,
        help_text=_("Comments accepted per hour from one IP address."),
    )
    comment_rate_per_email = models.PositiveIntegerField(
        _("comment rate per email"),
        default=10,
        help_text=_("Comments accepted per hour from one author email."),
    )
    comment_notify = models.BooleanField(
        _("comment notify"),
        default=True,
        help_text=_("Email a post's author about each new comment."),
    )
    linkback_moderation = models.CharField(
        _("linkback moderation"),
        max_length=8,
        choices=LinkbackModeration,
        default=LinkbackModeration.ALL,
    )
    linkback_rate_per_ip = models.PositiveIntegerField(
        _("linkback rate per ip"),
        default=20,
        help_text=_("TrackBacks, Pingbacks and Webmentions accepted per hour per IP."),
    )
    linkback_rate_per_host = models.PositiveIntegerField(
        _("linkback rate per host"),
        default=10,
        help_text=_("Linkbacks accepted per hour whose source is on one host."),
    )
    xmlrpc_enabled = models.BooleanField(
        _("XML-RPC enabled"),
        default=True,
        help_text=_(
            "Off switches off the XML-RPC endpoint (/xmlrpc/, Pingback) and stops "
            "pages advertising it; TrackBack and Webmention are unaffected."
        ),
    )
    blocked_words = models.TextField(
        _("blocked words"),
        blank=True,
        help_text=_("Comments containing one of these (one per line) are spam."),
    )
    blocked_domains = models.TextField(
        _("blocked domains"),
        blank=True,
        help_text=_(
            "Comments linking to these domains, and linkbacks from them (one per line), are spam."
        ),
    )
    blocked_ips = models.TextField(
        _("blocked ips"),
        blank=True,
        help_text=_("Comments from these addresses or CIDR ranges are spam."),
    )
    websub_hub = models.URLField(
        _("websub hub"),
        max_length=500,
        blank=True,
        help_text=_("A WebSub hub that the site feeds advertise and that publishing pings."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("blog settings")
        verbose_name_plural = _("blog settings")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def load(cls) -> Self:
        blog, _ = cls.objects.get_or_create(pk=1)
        return blog

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def interface_language(self) -> str:
        """The language our own words take where no reader chose one (mail, the worker):
        the blog's, if the interface speaks it, else English."""
        spoken = settings.YAMABIKO_INTERFACE_LANGUAGES
        return self.language if self.language in spoken else spoken[0]

    @property
    def shown_date_format(self) -> str:
        """The format entry dates use: a default untouched by the author reads as usual in
        the blog's language (17/2 in English is 2月17日 in Japanese)."""
        if self.date_format == DEFAULT_DATE_FORMAT:
            return LANGUAGE_DATE_FORMATS.get(self.language, self.date_format)
        return self.date_format


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "parent/child" kept by services so URLs need no walk up the tree.
    path = models.CharField(max_length=400, unique=True, editable=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:category", kwargs={"path": self.path})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:tag", kwargs={"slug": self.slug})


class TextFormat(models.TextChoices):
    """How a stored body is written: authors write Markdown, imports keep their HTML."""

    MARKDOWN = text.MARKDOWN, "Markdown"
    HTML = text.HTML, "HTML"
    HTML_PARAGRAPHS = text.HTML_PARAGRAPHS, _("HTML, blank lines make paragraphs")


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


class Post(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PostStatus, default=PostStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the post."),
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    extended = models.TextField(
        _("extended"),
        blank=True,
        help_text=_("Markdown shown after “continue reading” on list pages."),
    )
    excerpt = models.TextField(
        _("excerpt"), blank=True, help_text=_("Plain text summary for feeds and search.")
    )
    text_format = models.CharField(
        _("text format"), max_length=16, choices=TextFormat, default=TextFormat.MARKDOWN
    )
    body_html = models.TextField(blank=True, editable=False)
    extended_html = models.TextField(blank=True, editable=False)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="posts", verbose_name=_("categories")
    )
    primary_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("primary category"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name=_("tags"))
    allow_comments = models.BooleanField(_("allow comments"), default=True)
    allow_pings = models.BooleanField(_("allow pings"), default=True)
    is_sticky = models.BooleanField(_("is sticky"), default=False)
    ping_urls = models.TextField(
        _("ping urls"),
        blank=True,
        help_text=_("TrackBack URLs to ping when the post goes live, one per line."),
    )
    # Kept current by the discussion app so list pages never COUNT per entry.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    trackback_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PostQuerySet] = PostQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"], name="post_status_published")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        # Rendering here, not in a service, guarantees no write path leaves stale HTML.
        self.body_html = text.render_body(self.body, self.text_format)
        self.extended_html = text.render_body(self.extended, self.text_format)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        date = self.permalink_date
        return reverse(
            "posts:detail",
            kwargs={"year": date.year, "month": f"{date.month:02d}", "slug": self.slug},
        )

    @property
    def permalink_date(self) -> datetime:
        return timezone.localtime(self.published_at or self.created_at)

    def is_live(self, now: datetime | None = None) -> bool:
        return (
            self.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )


class PageStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Page(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, allow_unicode=True, unique=True, validators=[validate_page_slug]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pages",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PageStatus, default=PageStatus.DRAFT
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    text_format = models.CharField(
        _("text format"), max_length=16, choices=TextFormat, default=TextFormat.MARKDOWN
    )
    body_html = models.TextField(blank=True, editable=False)
    menu_order = models.SmallIntegerField(_("menu order"), default=0)
    show_in_menu = models.BooleanField(_("show in menu"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PageQuerySet] = PageQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["menu_order", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        self.body_html = text.render_body(self.body, self.text_format)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("posts:page", kwargs={"slug": self.slug})


PATH_MAX_LENGTH = 2600


class Redirect(models.Model):
    """An old path that answers 301 to its new one, or 410 Gone when new_path is empty."""

    # Long enough for a permalink with a 200-character slug in any script, percent-encoded
    # (up to 12 bytes a character), and still within PostgreSQL's limit for an index entry.
    old_path = models.CharField(_("old path"), max_length=PATH_MAX_LENGTH, unique=True)
    # Indexed: redirect_record re-points every redirect that led to a moved path.
    new_path = models.CharField(
        _("new path"), max_length=PATH_MAX_LENGTH, blank=True, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        ordering = ["old_path"]

    def __str__(self) -> str:
        return f"{self.old_path} → {self.new_path or '410 Gone'}"
