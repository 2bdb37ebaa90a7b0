"""Authors, categories and tags from an export file, matched with what the site has.

An author whose login is a user here is that user; others become users without a password.
WXR's category tree is rebuilt by slug (a child listed before its parent is attached at the
end); Movable Type names flat categories and tags by label. A category or tag the site
already has is joined, never renamed.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.contrib.auth.models import User

from yamabiko.core.exceptions import InvalidInput
from yamabiko.porting.models import ImportedKind
from yamabiko.porting.records import ImportedAuthor, ImportedCategory, ImportedPost, ImportedTag
from yamabiko.porting.report import CREATED, UNCHANGED
from yamabiko.porting.run import ImportRun, fingerprint
from yamabiko.posts.models import Category, Tag
from yamabiko.posts.services import (
    RESERVED_CATEGORY_SLUGS,
    category_save,
    slug_from_text,
    slug_unique,
)


class TaxonomyImport:
    def __init__(self, run: ImportRun, *, owner: User | None) -> None:
        self.run = run
        self.report = run.report
        self.owner = owner  # every entry to this user (MT's "import as me"), or None
        self.authors: dict[str, User] = {}
        self.categories: dict[str, Category] = {}  # by slug (WXR) or name (MT)
        self.tags: dict[str, Tag] = {}  # by slug (WXR) or "name:<lower-case name>" (MT)
        self.orphans: dict[int, str] = {}  # category pk -> parent slug not seen yet

    def author(self, record: ImportedAuthor) -> None:
        self.user_for(record.login, display_name=record.display_name, email=record.email)

    def user_for(self, login: str, *, display_name: str = "", email: str = "") -> User:
        """The user behind an author login, created (without a password) if new."""
        if self.owner is not None:
            return self.owner
        login = login.strip() or "imported"
        if login in self.authors:
            return self.authors[login]
        item = self.run.known(ImportedKind.AUTHOR, login)
        user = User.objects.filter(pk=item.object_id).first() if item else None
        user = user or User.objects.filter(username=login[:150]).first()
        if user is None:
            username = slug_unique(User, _username(login), field="username")
            user = User(username=username, first_name=display_name[:150], email=email[:254])
            user.set_unusable_password()
            user.save()
            self.report.count("author", CREATED)
        else:
            self.report.count("author", UNCHANGED)
        if item is None:
            self.run.remember(None, kind=ImportedKind.AUTHOR, key=login, obj=user, digest="")
        self.authors[login] = user
        return user

    def category(self, record: ImportedCategory) -> None:
        slug = source_slug(record.slug) or slug_from_text(record.name, fallback="category")
        digest = fingerprint(record)
        item, category, outcome = self.run.lookup(Category, ImportedKind.CATEGORY, slug, digest)
        if item is None and (same := Category.objects.filter(slug=slug).first()):
            # The site has this category already: posts join it; its name stays the site's.
            self.run.remember(None, kind=ImportedKind.CATEGORY, key=slug, obj=same, digest=digest)
            category, outcome = same, UNCHANGED
        if outcome is not None:
            if category is not None:
                self.categories[slug] = category
            self.report.count("category", outcome)
            return
        parent_slug = source_slug(record.parent_slug or "")
        parent = self.categories.get(parent_slug) if parent_slug else None
        category = category or Category(slug=slug)
        category.name = record.name.strip()[:100] or slug
        category.description = record.description
        if not category.pk and slug in RESERVED_CATEGORY_SLUGS:
            category.slug = slug_unique(Category, f"{slug}-category")
            self.report.warn(None, f"category slug {slug!r} is reserved; "
                                   f"imported as {category.slug!r}")  # fmt: skip
        category.parent = parent
        try:
            category_save(category=category)
        except InvalidInput as error:
            raise self.run.fail(None, f"a category Yamabiko can store ({slug})",
                                str(error)) from error  # fmt: skip
        if parent_slug and parent is None:
            self.orphans[category.pk] = parent_slug
        self.categories[slug] = category
        outcome = self.run.remember(item, kind=ImportedKind.CATEGORY, key=slug, obj=category,
                                    digest=digest)  # fmt: skip
        self.report.count("category", outcome)

    def tag(self, record: ImportedTag) -> None:
        slug = source_slug(record.slug) or slug_from_text(record.name, fallback="tag")
        self.tags[slug] = self.tag_for(record.name.strip() or unquote(slug), slug)

    def tag_for(self, name: str, slug: str) -> Tag:
        name = name[:100]
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slug_unique(Tag, slug))
            self.report.count("tag", CREATED)
        else:
            self.report.count("tag", UNCHANGED)
        return tag

    def categories_of(self, record: ImportedPost) -> list[Category]:
        found: list[Category] = []
        for key in record.categories:
            category: Category | None
            if record.category_key == "name":
                category = self.category_named(key)
            else:
                slug = source_slug(key)
                category = self.categories.get(slug) or Category.objects.filter(slug=slug).first()
            if category is None:
                self.report.warn(record.line, f"category {key!r} is not in the file; created")
                category = self.category_named(key)
            if category not in found:
                found.append(category)
        return found

    def category_named(self, name: str) -> Category:
        name = name.strip()
        if name in self.categories:
            return self.categories[name]
        category = Category.objects.filter(name__iexact=name).first()
        if category is None:
            category = category_save(category=Category(name=name[:100]))
            self.report.count("category", CREATED)
        self.categories[name] = category
        return category

    def tags_of(self, record: ImportedPost) -> list[Tag]:
        """WXR names tags by slug (declared in the channel), MT by name."""
        found: list[Tag] = []
        for key in record.tags:
            lookup = (
                source_slug(key) if record.category_key == "slug" else f"name:{key.strip().lower()}"
            )
            if not lookup or lookup == "name:":
                continue
            tag = self.tags.get(lookup)
            if tag is None:
                # "%00" would decode to a NUL, which no name holds and PostgreSQL refuses.
                name = unquote(key).replace("\x00", "").strip()
                if not name:
                    continue
                tag = self.tag_for(name, slug_from_text(name, fallback="tag"))
                self.tags[lookup] = tag
            if tag not in found:
                found.append(tag)
        return found

    def finish(self) -> None:
        """Attach the categories whose parent came later in the file."""
        for category_pk, parent_slug in self.orphans.items():
            parent = self.categories.get(parent_slug)
            category = Category.objects.get(pk=category_pk)
            if parent is None:
                self.report.warn(None, f"category {category.slug!r}: parent {parent_slug!r} "
                                       "is not in the file; kept at the top level")  # fmt: skip
                continue
            category.parent = parent
            category_save(category=category)


def source_slug(value: str) -> str:
    """A source slug as we store it: WordPress percent-encodes non-ASCII nicenames."""
    decoded = unquote(value.strip()).strip()
    return slug_from_text(decoded, fallback="") if decoded else ""


def _username(login: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "@.+-_" else "_" for ch in login)
    return cleaned[:140] or "imported"
