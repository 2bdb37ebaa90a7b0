"""Records from an export file (WXR or Movable Type) into the blog, idempotently.

`import_records` takes the neutral records the parsers yield and writes authors, categories,
tags, posts, pages, comments and linkbacks, then the redirects that keep the old URLs
working. It runs in one transaction: a ParseError (or anything else) part-way leaves the
database as it was, and a dry run is the same import rolled back at the end.

Idempotency: every object an import creates is remembered in an ImportedItem under a key
from the source (WordPress ids; Movable Type basenames, as MT has no ids) with a fingerprint
of the record. The same record again is "unchanged" and not touched; a changed record
updates the object it made. Objects a user deleted since are not brought back.

Choices:
- Private and trashed posts are reported and skipped; "pending review" becomes a draft;
  a password-protected post becomes a draft (we have no passwords, and publishing it would
  show what its author hid).
- Imported bodies keep their HTML as written (WordPress and MT's "convert line breaks" make
  paragraphs of blank lines on display: TextFormat.HTML_PARAGRAPHS); MT's Markdown stays
  Markdown. What our models have no place for (post meta, keywords, a page's parent, the
  original text filter, unknown MT keys) is kept in the ImportedItem's ``extra``.
- Imports publish nothing outward: no linkbacks or WebSub pings are sent for old posts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.text import Truncator

from yamabiko.core.exceptions import InvalidInput
from yamabiko.core.text import strip_tags
from yamabiko.discussion.linkbacks import trackback_count_refresh
from yamabiko.discussion.services import comment_count_refresh
from yamabiko.pagecache.generation import changes_batched
from yamabiko.porting.import_discussion import DiscussionImport
from yamabiko.porting.import_taxonomy import TaxonomyImport, source_slug
from yamabiko.porting.media import media_urls
from yamabiko.porting.models import ImportedItem, ImportedKind
from yamabiko.porting.records import (
    BODY_META,
    EXTENDED_META,
    FORMAT_META,
    OUR_META,
    Attachment,
    ImportedAuthor,
    ImportedCategory,
    ImportedPost,
    ImportedTag,
    ImportWarning,
    ParseError,
    SiteField,
    SkippedItem,
)
from yamabiko.porting.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport
from yamabiko.porting.run import ImportRun, fingerprint
from yamabiko.posts.models import (
    PATH_MAX_LENGTH,
    RESERVED_PAGE_SLUGS,
    Blog,
    Page,
    PageStatus,
    Post,
    PostStatus,
    Redirect,
    TextFormat,
)
from yamabiko.posts.services import (
    page_save,
    post_save,
    redirect_record,
    slug_from_text,
    slug_unique,
)
from yamabiko.search.services import index_deferred

Record = (
    SiteField
    | ImportedAuthor
    | ImportedCategory
    | ImportedTag
    | ImportedPost
    | Attachment
    | SkippedItem
    | ImportWarning
)

# Where Movable Type-format hosts put an entry, for the redirect map: MT's own default
# archive path and the "archives/<id>.html" of livedoor and others whose basename is the id.
MT_OLD_URLS = ("archives/{basename}.html", "{yyyy}/{mm}/{basename}.html")

_POST_STATUSES = {"publish": PostStatus.PUBLISHED, "future": PostStatus.SCHEDULED,
                  "draft": PostStatus.DRAFT, "pending": PostStatus.DRAFT}  # fmt: skip
_MT_MARKDOWN = frozenset({"markdown", "markdown_with_smarty_pants"})
_MT_AS_WRITTEN = frozenset({"0", "richtext", "wp_html_raw"})
TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 200


def text_format_for(source_format: str) -> str:
    """Our TextFormat for a source's text filter (WXR "wp_html", MT's CONVERT BREAKS)."""
    value = source_format.strip().lower()
    if value in _MT_MARKDOWN:
        return TextFormat.MARKDOWN
    if value in _MT_AS_WRITTEN:
        return TextFormat.HTML
    return TextFormat.HTML_PARAGRAPHS


@dataclass
class ImportOptions:
    source_format: str  # "wxr" or "mt"
    file_name: str
    dry_run: bool = False
    author: User | None = None  # every post to this user (MT's "import as me")
    old_url_patterns: Sequence[str] = MT_OLD_URLS


@dataclass
class _State:
    """What this run has learned about entries so far."""

    # MT's NO ENTRY records name their entry by date: post ids (not posts, which would
    # keep every body in memory) by date, for MT files only.
    post_ids_by_date: dict[datetime, int] = field(default_factory=dict)
    touched_posts: set[int] = field(default_factory=set)  # counters to refresh at the end
    keys: dict[str, int] = field(default_factory=dict)  # entry key -> line it was given to
    redirected: set[str] = field(default_factory=set)  # old paths this run pointed somewhere


def import_records(records: Iterable[Record], options: ImportOptions) -> ImportReport:
    """Write the records; roll everything back on error, or at the end of a dry run."""
    report = ImportReport(file=options.file_name, dry_run=options.dry_run)
    with transaction.atomic():
        with changes_batched():
            importer = _Importer(options, report)
            for record in records:
                # Each entry's index changes are applied when it is done: one refresh of its
                # own instead of one per save, and no backlog of a whole file at the end.
                with index_deferred():
                    importer.take(record)
            with index_deferred():
                importer.finish()
        if options.dry_run:
            transaction.set_rollback(True)
    return report


class _Importer:
    def __init__(self, options: ImportOptions, report: ImportReport) -> None:
        self.options = options
        self.report = report
        self.state = _State()
        self.run = ImportRun(
            source_format=options.source_format, report=report, zone=Blog.load().zone
        )
        self.taxonomy = TaxonomyImport(self.run, owner=options.author)
        self.discussion = DiscussionImport(self.run)

    # --- dispatch -------------------------------------------------------------------------

    def take(self, record: Record) -> None:
        match record:
            case SiteField():
                self.run.site_fields.setdefault(record.name, record.value)
            case ImportedAuthor():
                self.taxonomy.author(record)
            case ImportedCategory():
                self.taxonomy.category(record)
            case ImportedTag():
                self.taxonomy.tag(record)
            case ImportedPost() if _holds_nul(record):
                # MT text may carry a NUL (the format round-trips one); PostgreSQL cannot
                # store it, and refusing on every database keeps them alike.
                raise ParseError(file=self.options.file_name, line=record.line,
                                 expected="text without NUL characters", found="a NUL")  # fmt: skip
            case ImportedPost(kind="page"):
                self.page(record)
            case ImportedPost():
                self.post(record)
            case Attachment():
                self.report.media_add(record.url)
                self.report.count("attachment", SKIPPED)
            case SkippedItem():
                self.report.count(record.kind, SKIPPED)
            case ImportWarning():
                self.report.warn(record.line, record.message)

    def finish(self) -> None:
        self.taxonomy.finish()
        for post_id in sorted(self.state.touched_posts):
            comment_count_refresh(post_id=post_id)
            trackback_count_refresh(post_id=post_id)

    # --- posts and pages ------------------------------------------------------------------

    def entry_key(self, record: ImportedPost) -> str:
        """The record's name in its source: the WordPress id, or (MT, which has no ids) the
        basename and date, with the title too where two records share those."""
        if record.original_id:
            return record.original_id
        stamp = record.date.isoformat() if record.date else ""
        key = f"{record.slug}|{stamp}" if record.slug else f"{stamp}|{record.title}"
        if key in self.state.keys and self.state.keys[key] != record.line:
            key = f"{record.slug}|{stamp}|{record.title}"
        self.state.keys.setdefault(key, record.line)
        return key

    def skip_reason(self, record: ImportedPost) -> str | None:
        if record.status in ("private", "trash"):
            return f"{record.kind} {record.title!r} is {record.status}: not imported"
        return None

    def entry_find[M: Post | Page](
        self, record: ImportedPost, model: type[M], kind: str
    ) -> tuple[str, str, ImportedItem | None, M | None, str | None] | None:
        """How a post or page starts: None when it is not taken (private, trash), else its
        key, its digest, its import record, what that made here and a decided outcome."""
        if reason := self.skip_reason(record):
            self.report.warn(record.line, reason)
            self.report.count(kind, SKIPPED)
            return None
        key = self.entry_key(record)
        digest = fingerprint(record)
        item, existing, outcome = self.run.lookup(model, kind, key, digest)
        if outcome == SKIPPED:
            self.report.warn(record.line, f"{kind} {record.title!r} was deleted here since it "
                                          "was imported: left deleted")  # fmt: skip
        else:
            self.collect_media(record)  # listed again on a re-run, for --fetch-media
        return key, digest, item, existing, outcome

    def post(self, record: ImportedPost) -> None:
        if record.no_entry:
            self.attach_to_entry(record)
            return
        found = self.entry_find(record, Post, ImportedKind.POST)
        if found is None:
            return
        key, digest, item, post, outcome = found
        if post is not None and outcome == UNCHANGED:
            self.remember_date(record, post)
        if outcome is not None:
            self.report.count("post", outcome)
            return
        post = post or Post()
        self.fill_post(post, record)
        categories, tags = self.taxonomy.categories_of(record), self.taxonomy.tags_of(record)
        try:
            post_save(post=post, categories=categories, tags=tags)
        except InvalidInput as error:
            raise self.run.fail(record.line, "a post Yamabiko can store", str(error)) from error
        outcome = self.run.remember(item, kind=ImportedKind.POST, key=key, obj=post,
                                    digest=digest, extra=_extra(record))  # fmt: skip
        self.report.count("post", outcome)
        self.remember_date(record, post)
        self.discussion_of(record, post, fresh=item is None)
        if post.is_live():
            self.redirects(record, post.get_absolute_url())

    def fill_post(self, post: Post, record: ImportedPost) -> None:
        without_outward_pings(post)
        post.title = self.title_of(record)
        if not post.pk:
            post.slug = slug_unique(Post, source_slug(record.slug)[:SLUG_MAX_LENGTH] or
                                    slug_from_text(post.title, fallback="post"))  # fmt: skip
        post.author = self.taxonomy.user_for(record.author_login)
        status = _POST_STATUSES.get(record.status, PostStatus.DRAFT)
        if record.status == "pending":
            self.report.warn(record.line, f"post {post.title!r} was pending review: a draft now")
        if record.password:
            status = PostStatus.DRAFT
            self.report.warn(record.line, f"post {post.title!r} is password-protected: "
                                          "imported as a draft")  # fmt: skip
        post.status = status
        post.published_at = self.run.aware(record.date, record.date_is_utc)
        if status == PostStatus.SCHEDULED and post.published_at is None:
            post.status = PostStatus.DRAFT
            self.report.warn(record.line, f"post {post.title!r} is scheduled without a date: "
                                          "imported as a draft")  # fmt: skip
        if post.published_at is not None and not post.pk:
            post.created_at = post.published_at
        post.text_format, post.body, post.extended = _source(record)
        post.excerpt = record.excerpt
        if record.allow_comments is not None:
            post.allow_comments = record.allow_comments
        if record.allow_pings is not None:
            post.allow_pings = record.allow_pings
        post.is_sticky = record.sticky
        self.report.unknown_fields.update(record.unknown_fields)

    def title_of(self, record: ImportedPost) -> str:
        title = " ".join(record.title.split())
        if not title:
            plain = strip_tags(record.body)
            title = Truncator(plain).words(8, truncate="…") if plain.strip() else "Untitled"
            self.report.warn(record.line, f"{record.kind} without a title: called {title!r}")
        if len(title) > TITLE_MAX_LENGTH:
            self.report.warn(record.line, f"title cut to {TITLE_MAX_LENGTH} characters")
            title = title[: TITLE_MAX_LENGTH - 1] + "…"
        return title

    def page(self, record: ImportedPost) -> None:
        found = self.entry_find(record, Page, ImportedKind.PAGE)
        if found is None:
            return
        key, digest, item, page, outcome = found
        if outcome is not None:
            self.report.count("page", outcome)
            return
        page = page or Page()
        page.title = self.title_of(record)
        if not page.pk:
            slug = source_slug(record.slug)[:SLUG_MAX_LENGTH]
            if slug.isdigit() or slug.lower() in RESERVED_PAGE_SLUGS:
                self.report.warn(record.line, f"page slug {slug!r} is taken by the blog's own "
                                              f"URLs; imported as {slug}-page")  # fmt: skip
                slug = f"{slug}-page"
            page.slug = slug
        page.author = self.taxonomy.user_for(record.author_login)
        page.status = PageStatus.PUBLISHED if record.status == "publish" else PageStatus.DRAFT
        if record.status == "future":
            self.report.warn(record.line, f"page {page.title!r} was scheduled: a draft now")
        page.text_format, body, extended = _source(record)
        page.body = body + (f"\n<!--more-->\n{extended}" if extended else "")
        page.menu_order = max(-32768, min(32767, record.menu_order))
        created = self.run.aware(record.date, record.date_is_utc)
        if created is not None and not page.pk:
            page.created_at = created
        try:
            page_save(page=page)
        except InvalidInput as error:
            raise self.run.fail(record.line, "a page Yamabiko can store", str(error)) from error
        self.report.unknown_fields.update(record.unknown_fields)
        outcome = self.run.remember(item, kind=ImportedKind.PAGE, key=key, obj=page,
                                    digest=digest, extra=_extra(record))  # fmt: skip
        self.report.count("page", outcome)
        if record.comments:
            count = len(record.comments)
            self.report.warn(record.line, f"page {page.title!r}: its {count} comments are "
                                          "not imported (pages take none)")  # fmt: skip
            self.report.count("comment", SKIPPED, len(record.comments))
        if page.status == PageStatus.PUBLISHED:
            self.redirects(record, page.get_absolute_url())

    def collect_media(self, record: ImportedPost) -> None:
        site = self.report.site_url = self.run.site_fields.get("link", "")
        html = f"{record.body}\n{record.extended}"
        for url in media_urls(html, site_urls=[site] if site else []):
            self.report.media_add(url)

    def remember_date(self, record: ImportedPost, post: Post) -> None:
        if record.date is not None and self.options.source_format == "mt":
            self.state.post_ids_by_date[record.date] = post.pk

    def attach_to_entry(self, record: ImportedPost) -> None:
        """MT's NO ENTRY: the comments and pings belong to the entry with the same DATE."""
        post = None
        if record.date is not None:
            post_id = self.state.post_ids_by_date.get(record.date)
            found = (
                Post.objects.filter(pk=post_id)
                if post_id
                else Post.objects.filter(published_at=self.run.aware(record.date, False))
            )
            post = found.first()
        if post is None:
            raise self.run.fail(record.line, "an entry with this DATE for a NO ENTRY record",
                                str(record.date))  # fmt: skip
        self.discussion_of(record, post, fresh=False)

    def discussion_of(self, record: ImportedPost, post: Post, *, fresh: bool) -> None:
        markdown = text_format_for(record.text_format) == TextFormat.MARKDOWN
        self.discussion.entry(
            record, post, record.comments, entry_key=self.entry_key(record),
            text_format=TextFormat.MARKDOWN if markdown else TextFormat.HTML_PARAGRAPHS,
            fresh=fresh,
        )  # fmt: skip
        self.state.touched_posts.add(post.pk)

    # --- old URLs -------------------------------------------------------------------------

    def redirects(self, record: ImportedPost, new_path: str) -> None:
        for old_path in self.old_paths(record):
            if old_path == new_path:
                continue
            too_long = len(old_path.encode()) > PATH_MAX_LENGTH or len(new_path) > PATH_MAX_LENGTH
            if too_long or "\x00" in old_path:
                # No server sends such a path (a NUL can come from "%00" in a link), and the
                # database could not store or index it (bytes: PostgreSQL's index limit).
                self.report.warn(
                    record.line, f"{old_path[:60]!r}… cannot be an old URL: not redirected"
                )
                self.report.count("redirect", SKIPPED)
                continue
            if old_path in self.state.redirected:
                message = f"{old_path} is already another entry's old URL: not redirected"
                self.report.warn(record.line, message)
                self.report.count("redirect", SKIPPED)
                continue
            self.state.redirected.add(old_path)
            existing = Redirect.objects.filter(old_path=old_path).first()
            if existing is not None and existing.new_path == new_path:
                self.report.count("redirect", UNCHANGED)
                continue
            redirect_record(old_path=old_path, new_path=new_path)
            self.report.count("redirect", UPDATED if existing else CREATED)

    def old_paths(self, record: ImportedPost) -> list[str]:
        if record.link:
            parts = urlsplit(record.link)
            if parts.path in ("", "/"):
                # "/?p=123": a query on the home page, which answers 200 and never falls back.
                self.report.count("redirect", SKIPPED)
                return []
            return [unquote(parts.path)]
        if self.options.source_format != "mt" or not record.slug or record.date is None:
            return []
        values = {"basename": record.slug, "yyyy": f"{record.date.year:04d}",
                  "mm": f"{record.date.month:02d}", "dd": f"{record.date.day:02d}"}  # fmt: skip
        patterns = self.options.old_url_patterns
        return ["/" + pattern.format(**values).lstrip("/") for pattern in patterns]


def without_outward_pings(post: Post) -> None:
    """Let saving an imported post send nothing: no linkbacks, no WebSub ping.

    The world has long known these posts. The flags are the signal handlers' own "already
    queued in this transaction" marks, so the handlers stand down.
    """
    post._linkbacks_queued = True  # type: ignore[attr-defined]
    post._websub_queued = True  # type: ignore[attr-defined]


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, tuple):
        return any(_holds_nul(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return any(_holds_nul(getattr(value, each.name)) for each in fields(value))
    return False


def _source(record: ImportedPost) -> tuple[str, str, str]:
    """(text format, body, extended): a Yamabiko export's own meta gives back the Markdown."""
    meta = dict(record.meta)
    kept = meta.get(FORMAT_META)
    if kept in TextFormat.values:
        if kept == TextFormat.MARKDOWN:
            return kept, meta.get(BODY_META, ""), meta.get(EXTENDED_META, "")
        return kept, record.body, record.extended
    return text_format_for(record.text_format), record.body, record.extended


def _extra(record: ImportedPost) -> dict[str, object]:
    """What the record says that our models have no field for."""
    extra: dict[str, object] = {}
    if record.link:
        extra["link"] = record.link
    if record.text_format:
        extra["text_format"] = record.text_format
    if record.keywords:
        extra["keywords"] = record.keywords
    if record.post_format:
        extra["post_format"] = record.post_format
    if record.parent_original_id:
        extra["parent"] = record.parent_original_id
    if record.password:
        extra["password"] = record.password
    if record.status not in ("publish", "future", "draft"):
        extra["status"] = record.status
    if not record.title.strip():
        extra["title"] = record.title
    if meta := [list(pair) for pair in record.meta if pair[0] not in OUR_META]:
        extra["meta"] = meta
    if record.extra:
        extra["fields"] = [list(pair) for pair in record.extra]
    return extra
