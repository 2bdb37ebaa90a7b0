"""An imported entry's comments, with their threads, and its pings as linkbacks.

Comments keep their status, author, address and date; replies find their parents once all
of an entry's comments are in (a reply may come first in the file). Pingbacks, trackbacks
and webmentions become linkbacks of their kind, verified as of the date they arrived: they
were checked, or not, where they were received, and are not fetched again.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import timezone

from yamabiko.core.text import render_comment_body, strip_tags
from yamabiko.discussion.models import (
    NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
    Comment,
    CommentStatus,
    Linkback,
    LinkbackKind,
    LinkbackStatus,
)
from yamabiko.porting.models import ImportedItem, ImportedKind
from yamabiko.porting.records import ImportedComment, ImportedPost
from yamabiko.porting.report import SKIPPED, UNCHANGED
from yamabiko.porting.run import ImportRun, fingerprint
from yamabiko.posts.models import Post

_COMMENT_STATUSES = {"approved": CommentStatus.APPROVED, "pending": CommentStatus.PENDING,
                     "spam": CommentStatus.SPAM, "trash": CommentStatus.TRASH}  # fmt: skip
_LINKBACK_STATUSES = {"approved": LinkbackStatus.APPROVED, "pending": LinkbackStatus.PENDING,
                      "spam": LinkbackStatus.SPAM, "trash": LinkbackStatus.DELETED}  # fmt: skip
SOURCE_URL_MAX_LENGTH = 2000


@dataclass
class _Batch:
    """An entry's new comments and linkbacks, inserted together once all are read."""

    comments: list[tuple[str, str, Comment]] = field(default_factory=list)  # key, digest, row
    linkbacks: list[tuple[str, str, Linkback]] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # linkback source URLs in this batch

    def save(self, run: ImportRun) -> None:
        if self.comments:
            Comment.objects.bulk_create(row for _, _, row in self.comments)
            run.remember_all(ImportedKind.COMMENT, self.comments)
        if self.linkbacks:
            Linkback.objects.bulk_create(row for _, _, row in self.linkbacks)
            run.remember_all(ImportedKind.LINKBACK, self.linkbacks)


class DiscussionImport:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.report = run.report

    def entry(
        self,
        record: ImportedPost,
        post: Post,
        comments: Iterable[ImportedComment],
        *,
        entry_key: str,
        text_format: str,
        fresh: bool,
    ) -> None:
        """Import ``comments`` (comments and pings) onto ``post``; counters are the caller's.

        New rows are inserted in bulk (a post brings its hundreds of comments in a few
        queries); changed ones are saved one by one. A ``fresh`` post, created by this
        import, can have no comments from an earlier one, so none are looked up.
        """

        def known(kind: str, key: str) -> ImportedItem | None:
            return None if fresh else self.run.known(kind, key)

        batch = _Batch()
        by_original: dict[str, Comment] = {}
        replies: list[tuple[Comment, str]] = []
        for number, comment in enumerate(comments):
            key = f"{entry_key}:{comment.original_id or content_key(comment, number)}"
            if comment.kind != "comment":
                item = known(ImportedKind.LINKBACK, key)
                self.linkback(record, post, comment, key, item=item, batch=batch)
                continue
            item = known(ImportedKind.COMMENT, key)
            made = self.comment(record, post, comment, key, item=item, batch=batch,
                                text_format=text_format)  # fmt: skip
            if made is not None:
                by_original[comment.original_id] = made
                if comment.parent_original_id:
                    replies.append((made, comment.parent_original_id))
        batch.save(self.run)
        self.thread(record, by_original, replies)

    def comment(
        self,
        record: ImportedPost,
        post: Post,
        comment: ImportedComment,
        key: str,
        *,
        item: ImportedItem | None,
        batch: _Batch,
        text_format: str,
    ) -> Comment | None:
        digest = fingerprint(comment)
        item, existing, outcome = self.run.resolve(Comment, item, digest)
        if outcome is not None:
            self.report.count("comment", outcome)
            return existing if outcome == UNCHANGED else None
        made = existing or Comment(post=post)
        made.author_name = comment.author_name.strip()[:NAME_MAX_LENGTH] or "Anonymous"
        made.author_email = comment.author_email.strip()[:254]
        made.author_url = web_url(comment.author_url, limit=URL_MAX_LENGTH)
        made.body = comment.body
        made.text_format = text_format
        made.body_html = render_comment_body(made.body, made.text_format)
        made.status = _COMMENT_STATUSES[comment.status]
        made.ip_address = self.ip(record, comment.author_ip)
        made.created_at = (
            self.run.aware(comment.date, comment.date_is_utc) or post.published_at or timezone.now()
        )
        if existing is None:
            batch.comments.append((key, digest, made))
            return made
        made.save()
        outcome = self.run.remember(item, kind=ImportedKind.COMMENT, key=key, obj=made,
                                    digest=digest)  # fmt: skip
        self.report.count("comment", outcome)
        return made

    def thread(
        self,
        record: ImportedPost,
        by_original: dict[str, Comment],
        replies: list[tuple[Comment, str]],
    ) -> None:
        for reply, parent_id in replies:
            parent = by_original.get(parent_id)
            if parent is None:
                self.report.warn(record.line, f"comment {reply.pk} replies to comment "
                                              f"{parent_id}, which is not in the file")  # fmt: skip
                continue
            reply.parent = parent
        # Depth follows the parent chain; a parent may come after its reply in the file.
        changed: list[Comment] = []
        for reply, _ in replies:
            depth, ancestor, seen = 0, reply.parent, {reply.pk}
            while ancestor is not None and ancestor.pk not in seen:
                seen.add(ancestor.pk)
                depth += 1
                ancestor = ancestor.parent
            reply.depth = depth
            changed.append(reply)
        Comment.objects.bulk_update(changed, ["parent", "depth"])

    def linkback(
        self,
        record: ImportedPost,
        post: Post,
        comment: ImportedComment,
        key: str,
        *,
        item: ImportedItem | None,
        batch: _Batch,
    ) -> None:
        source_url = web_url(comment.author_url, limit=SOURCE_URL_MAX_LENGTH)
        if not source_url:
            self.report.warn(record.line, f"{comment.kind} without a source URL: not imported")
            self.report.count("linkback", SKIPPED)
            return
        digest = fingerprint(comment)
        item, existing, outcome = self.run.resolve(Linkback, item, digest)
        if outcome is not None:
            self.report.count("linkback", outcome)
            return
        if existing is None and (
            source_url in batch.sources
            or Linkback.objects.filter(post=post, source_url=source_url).exists()
        ):
            self.report.warn(record.line, f"a second {comment.kind} from {source_url}: "
                                          "kept the first")  # fmt: skip
            self.report.count("linkback", SKIPPED)
            return
        made = existing or Linkback(post=post, source_url=source_url)
        made.kind = LinkbackKind(comment.kind)
        made.title = (comment.title or comment.author_name).strip()[:300]
        made.blog_name = comment.blog_name.strip()[:250]
        made.author_name = comment.author_name.strip()[:200]
        made.excerpt = strip_tags(comment.body)
        made.status = _LINKBACK_STATUSES[comment.status]
        made.ip_address = self.ip(record, comment.author_ip)
        made.received_at = self.run.aware(comment.date, comment.date_is_utc) or timezone.now()
        made.verified_at = made.received_at
        if existing is None:
            batch.sources.add(source_url)
            batch.linkbacks.append((key, digest, made))
            return
        made.save()
        outcome = self.run.remember(item, kind=ImportedKind.LINKBACK, key=key, obj=made,
                                    digest=digest)  # fmt: skip
        self.report.count("linkback", outcome)

    def ip(self, record: ImportedPost, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            self.report.warn(record.line, f"IP address {value!r} is not one: left out")
            return None


def web_url(value: str, *, limit: int) -> str:
    """An http(s) URL that fits its field, or "" for anything else."""
    value = value.strip()
    if not value or len(value) > limit or urlsplit(value).scheme not in ("http", "https"):
        return ""
    return value


def content_key(comment: ImportedComment, number: int) -> str:
    """A key for a comment from a format without ids (MT): what it says, not where it is."""
    stamp = comment.date.isoformat() if comment.date else str(number)
    digest = hashlib.sha256(f"{comment.author_name}\n{comment.body}".encode()).hexdigest()[:16]
    return f"{comment.kind}:{stamp}:{digest}"
