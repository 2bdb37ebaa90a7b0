"""Yamabiko's native export: a whole site as JSON lines, and the restore that reads it back.

Format, version 1. UTF-8 text, one JSON object per line, lines separated by "\\n" only (a
U+2028 inside a body is text, not a line break):

    {"format":"yamabiko","version":1}
    {"fields":{...},"model":"auth.group","pk":1}
    ...
    {"end":true,"rows":1234}

- Each row is Django's own "python" serialization of one object: ``model`` is the lowercase
  model label, ``fields`` names every field but the primary key, a foreign key is the related
  row's pk, a many-to-many field the sorted list of related pks. Users' groups and
  permissions, and groups' permissions, are natural keys (``["add_post", "posts", "post"]``)
  because permission ids are assigned by ``migrate`` and differ from site to site.
- Datetimes are ISO 8601 in UTC with all six digits of microseconds (Django's JSON encoder
  would cut them to milliseconds, and the restore would not be exact).
- Models come in the dependency order of ``EXPORTED``, each model's rows in pk order; keys
  are sorted and nothing depends on the time of export, so exporting the same data twice
  gives the same bytes.
- The last line counts the rows above it: a file cut short at a line boundary is refused
  rather than half restored.

What is exported: everything a site is, including its users with their password hashes and
groups, every comment and linkback in every moderation state, the outbound ping log (so a
restored site does not ping the same pages again), the spam filter's learned counts and the
import bookkeeping (so re-importing a WordPress export into a restored site stays
idempotent).
``NOT_EXPORTED`` names every other table and why it is left out; a test keeps the two lists
covering every installed model.

The restore (``import_native``) fills an empty site, exactly as exported, or changes nothing:

- It refuses, before writing anything, a site that holds any exported row; the settings row
  (``posts.Blog``, created lazily on first request) is the one exception and is replaced.
- It runs in one transaction; any error rolls everything back. Malformed input raises
  ``ParseError`` naming the file, the 1-based line and what was expected there: bad JSON or
  UTF-8, a missing or unknown header or version, an unknown model or field (never silently
  dropped: the file is refused), rows out of order or repeated, a value of the wrong type,
  null where the model does not allow it, outside the field's choices or longer than its
  maximum, a foreign key to a row the file does not hold, a missing or miscounted end line.
  Format validators (email, URL) are not applied: the site may hold values imported from
  other engines that never met them, and a restore takes back whatever the site held.
  A field a row leaves out takes the model's default, so files written before a field was
  added still load.
- Objects are saved raw, as ``loaddata`` saves them: ``Model.save()`` overrides do not run
  (stored HTML and ``auto_now`` times are kept as exported) and signal handlers see
  ``raw=True``, on which ours do nothing, so a restore pings no one and queues no work.
- Afterwards PostgreSQL's id sequences are moved past the restored ids and the search index
  is rebuilt from the restored posts and pages.
- It streams: one line in memory at a time, plus the ids of the rows others may refer to
  (users, categories, tags, posts, comments), kept to name the line of a dangling reference;
  a few megabytes for 100,000 comments.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import batched
from typing import BinaryIO, TextIO

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction

from yamabiko.core.exceptions import InvalidInput
from yamabiko.pagecache import content_changed
from yamabiko.porting.records import ParseError
from yamabiko.search.services import index_rebuild

__all__ = ["EXPORTED", "FORMAT", "NOT_EXPORTED", "VERSION", "export_native", "import_native"]

FORMAT = "yamabiko"
VERSION = 1

# Dependency order: a row only refers to rows of its own model or of models above it.
EXPORTED: tuple[str, ...] = (
    "auth.Group",
    "auth.User",
    "posts.Blog",
    "posts.Category",
    "posts.Tag",
    "posts.Post",
    "posts.Page",
    "posts.Redirect",
    "discussion.Comment",
    "discussion.Linkback",
    "discussion.OutboundPing",
    "discussion.SpamToken",
    "discussion.SpamCorpus",
    "porting.ImportedItem",
)

NOT_EXPORTED: dict[str, str] = {
    "auth.Permission": "created by migrate for the installed models; referred to by natural key",
    "contenttypes.ContentType": "created by migrate; ids differ between sites",
    "admin.LogEntry": "the admin's change history, keyed by content type ids of this database",
    "sessions.Session": "logins of this server; meaningless elsewhere",
    "yamabiko_core.RateCounter": "short-lived rate limit windows",
    "search.Entry": "derived from posts and pages; rebuilt after a restore",
    "django_tasks_database.DBTaskResult": "the task queue: work for this server, not content",
    "pagecache.Generation": "the page cache's change counter; any value is right after a restore",
    "axes.AccessAttempt": "failed admin logins counting towards a lockout on this server",
    "axes.AccessAttemptExpiration": "when those failed logins stop counting",
    "axes.AccessFailureLog": "the login lockout's failure log, for this server's admins",
    "axes.AccessLog": "the login lockout's record of admin logins, for this server's admins",
    # Second-factor secrets stay on the server: an export file travels and is kept in more
    # places than the database, and holding the TOTP key or an unused recovery code next to
    # the password hash would make the two factors one. Authors set the app up again after
    # a restore; until then their password alone logs in.
    "otp_totp.TOTPDevice": "authors' TOTP secrets for two-factor login; never leave the server",
    "otp_static.StaticDevice": "holds the recovery codes below; meaningless without them",
    "otp_static.StaticToken": "authors' unused recovery codes; secrets, like the TOTP keys",
}

# The settings row exists on every site that has served a request; a restore replaces it.
REPLACED = frozenset({"posts.Blog"})
# Their many-to-many fields point at permissions (and groups), whose ids are per-site.
NATURAL_KEYS = frozenset({"auth.Group", "auth.User"})

CHUNK_SIZE = 2000
FOUND_MAX = 120


class _Encoder(DjangoJSONEncoder):
    def default(self, o: object) -> object:
        # DjangoJSONEncoder keeps only milliseconds (ECMA-262's format); a restore needs all.
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _dumps(value: object) -> str:
    return json.dumps(
        value, cls=_Encoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def _models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in EXPORTED]


def _queryset(model: type[models.Model]) -> models.QuerySet[models.Model]:
    # The base manager: a custom default manager may hide rows, an export must not.
    queryset = model._base_manager.order_by("pk")
    lookups: list[str] = []
    for field in model._meta.local_many_to_many:
        related = field.related_model
        # A permission's natural key names its content type: fetch those along.
        permission = isinstance(related, type) and related._meta.label == "auth.Permission"
        lookups.append(f"{field.name}__content_type" if permission else field.name)
    return queryset.prefetch_related(*lookups)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the site, so a row never refers to one written after its model.

    SQLite gives a transaction a snapshot by itself; PostgreSQL's default (READ COMMITTED)
    gives one per statement. The level can only be set as a transaction's first statement,
    so inside a caller's transaction the caller's level applies.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def export_native(out: TextIO) -> dict[str, int]:
    """Write the whole site to ``out`` in the native format; returns rows per model label."""
    serializer = serializers.get_serializer("python")()
    counts: dict[str, int] = {}
    out.write(_dumps({"format": FORMAT, "version": VERSION}) + "\n")
    with _snapshot():
        for model in _models():
            label = model._meta.label
            m2m = [field.name for field in model._meta.local_many_to_many]
            counts[label] = 0
            # iterator() with a chunk size streams the rows and still prefetches per chunk.
            rows = _queryset(model).iterator(chunk_size=CHUNK_SIZE)
            for chunk in batched(rows, CHUNK_SIZE):
                dumped = serializer.serialize(chunk, use_natural_foreign_keys=label in NATURAL_KEYS)
                for row in dumped:
                    for name in m2m:
                        row["fields"][name] = sorted(row["fields"][name])
                    out.write(_dumps(row) + "\n")
                counts[label] += len(dumped)
    out.write(_dumps({"end": True, "rows": sum(counts.values())}) + "\n")
    return counts


def import_native(
    source: str | os.PathLike[str] | BinaryIO, *, name: str | None = None
) -> dict[str, int]:
    """Restore a native export into an empty site; returns rows per model label.

    Raises ``InvalidInput`` when the site is not empty and ``ParseError`` when the file is
    malformed; in both cases the database is left as it was.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            return _import(stream, name or os.fspath(source))
    return _import(source, name or str(getattr(source, "name", "<stream>")))


def _import(stream: BinaryIO, name: str) -> dict[str, int]:
    with transaction.atomic():
        # Inside the transaction, so nothing slips in between the check and the load.
        site_empty_or_raise()
        for label in REPLACED:
            apps.get_model(label)._base_manager.all().delete()
        restore = _Restore(file=name)
        last = 0
        for last, raw in enumerate(stream, start=1):
            restore.line(last, raw)
        restore.finish(last + 1)
        _after_load()
        return restore.counts


def site_empty_or_raise() -> None:
    found = []
    for model in _models():
        if model._meta.label in REPLACED:
            continue
        count = model._base_manager.count()
        if count:
            noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            found.append(f"{count} {noun}")
    if found:
        raise InvalidInput(
            f"the site is not empty (it holds {', '.join(found)}); "
            "a native export restores into a newly set-up site only"
        )


def _after_load() -> None:
    # Rows came in with their own ids; PostgreSQL would otherwise hand out the same ids
    # again (SQLite takes the next id from the table itself).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), _models()):
            cursor.execute(statement)
    index_rebuild()
    content_changed()  # raw saves leave the page cache's generation alone


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= FOUND_MAX else text[: FOUND_MAX - 1] + "…"


class _Restore:
    """The state of one restore, fed the file's lines one at a time."""

    def __init__(self, *, file: str) -> None:
        self.file = file
        self.models = {model._meta.label_lower: model for model in _models()}
        self.order = list(self.models.values())
        self.position = 0  # index in self.order of the model whose rows come now
        self.last_pk: dict[type[models.Model], object] = {}
        self.counts: dict[str, int] = {model._meta.label: 0 for model in self.order}
        self.header_seen = False
        self.ended = False
        # The pks of rows other rows may point at, to report a dangling reference with its
        # line; PostgreSQL and SQLite only check deferred foreign keys at commit.
        self.loaded: dict[type[models.Model], set[object]] = {
            model: set() for model in self._targets()
        }
        # References to rows of the same model further down (a reply before its parent).
        self.forward: list[tuple[int, str, type[models.Model], object]] = []

    def _targets(self) -> set[type[models.Model]]:
        targets: set[type[models.Model]] = set()
        for model in self.order:
            for field in [*model._meta.concrete_fields, *model._meta.local_many_to_many]:
                related = field.related_model
                if isinstance(related, type) and related in self.order:
                    targets.add(related)
        return targets

    def error(self, line: int | None, expected: str, found: str = "") -> ParseError:
        return ParseError(file=self.file, line=line, expected=expected, found=found)

    def line(self, number: int, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise self.error(
                number, "UTF-8 text", f"byte {raw[error.start]:#04x} at {error.start + 1}"
            ) from error
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            found = f"{error.msg} at column {error.colno}" if text.strip() else "an empty line"
            raise self.error(number, "one JSON object", found) from error
        if not isinstance(value, dict):
            raise self.error(number, "one JSON object", _short(value))
        if not self.header_seen:
            self.header(number, value)
        elif self.ended:
            raise self.error(number, "nothing after the end line", _short(value))
        elif "end" in value:
            self.end(number, value)
        else:
            self.row(number, value)

    def header(self, number: int, value: dict[str, object]) -> None:
        expected = _dumps({"format": FORMAT, "version": VERSION})
        if value.get("format") != FORMAT or set(value) != {"format", "version"}:
            raise self.error(number, f"the header {expected}", _short(value))
        if value["version"] != VERSION:
            raise self.error(
                number, f"version {VERSION} (this Yamabiko's)", _short(value["version"])
            )
        self.header_seen = True

    def end(self, number: int, value: dict[str, object]) -> None:
        rows = sum(self.counts.values())
        if value != {"end": True, "rows": rows}:
            raise self.error(number, _dumps({"end": True, "rows": rows}), _short(value))
        self.ended = True

    def finish(self, number: int) -> None:
        if not self.header_seen:
            raise self.error(number, "the header line", "end of file")
        if not self.ended:
            raise self.error(number, 'the end line {"end":true,…}', "end of file (cut short?)")
        for line, name, model, pk in self.forward:
            if pk not in self.loaded[model]:
                raise self.error(line, f"{name} naming a {model._meta.label_lower} row", repr(pk))
        try:
            connection.check_constraints()
        except DatabaseError as error:
            # Our own checks above should have caught it; this is the database's word.
            raise self.error(None, "rows whose references all exist", str(error)) from error

    def row(self, number: int, value: dict[str, object]) -> None:
        if set(value) != {"model", "pk", "fields"}:
            raise self.error(number, 'a row: "model", "pk" and "fields"', _short(sorted(value)))
        label, fields = value["model"], value["fields"]
        model = self.models.get(label.lower()) if isinstance(label, str) else None
        if model is None:
            raise self.error(number, f"a model of {', '.join(self.models)}", _short(label))
        index = self.order.index(model)
        if index < self.position:
            current = self.order[self.position]._meta.label_lower
            raise self.error(
                number, f"rows of {current} or a model after it (dependency order)", _short(label)
            )
        self.position = index
        if not isinstance(fields, dict):
            raise self.error(number, '"fields" as an object', _short(fields))
        known = _field_names(model)
        for field_name in fields:
            if field_name not in known:
                raise self.error(
                    number, f"a field of {model._meta.label_lower}", f"unknown field {field_name!r}"
                )
        if value["pk"] is None:
            raise self.error(number, "a pk", "null")
        loaded = self.deserialize(number, value)
        self.check(number, loaded)
        try:
            # The site is empty, so every row is new: insert without trying an UPDATE first.
            loaded.save(force_insert=True)
        except DatabaseError as error:
            raise self.error(number, "a row the database accepts", str(error)) from error
        if model in self.loaded:
            self.loaded[model].add(loaded.object.pk)
        self.counts[model._meta.label] += 1

    def deserialize(self, number: int, value: dict[str, object]) -> DeserializedObject:
        try:
            return next(iter(serializers.deserialize("python", [value])))
        except (DeserializationError, ValidationError, ObjectDoesNotExist) as error:
            raise self.error(number, f"valid values for {value['model']}", str(error)) from error

    def check(self, number: int, loaded: DeserializedObject) -> None:
        instance = loaded.object
        model = type(instance)
        pk = instance.pk
        previous = self.last_pk.get(model)
        if previous is not None and not pk > previous:
            raise self.error(number, f"a pk greater than {previous!r} (rows in pk order)", repr(pk))
        self.last_pk[model] = pk
        for field in model._meta.concrete_fields:
            target = getattr(instance, field.attname)
            _value_check(self, number, field, target)
            related = field.related_model
            if target is None or not isinstance(related, type) or related not in self.loaded:
                continue
            if related is model and target not in self.loaded[model] and target != pk:
                self.forward.append((number, field.name, model, target))
            elif related is not model and target not in self.loaded[related]:
                raise self.error(
                    number,
                    f"{field.name} naming a {related._meta.label_lower} row above",
                    repr(target),
                )
        for name, pks in (loaded.m2m_data or {}).items():
            related = model._meta.get_field(name).related_model
            if not isinstance(related, type) or related not in self.loaded:
                continue
            for target in pks:
                if target not in self.loaded[related]:
                    raise self.error(
                        number,
                        f"{name} naming {related._meta.label_lower} rows above",
                        repr(target),
                    )


def _field_names(model: type[models.Model]) -> set[str]:
    """The names the serializer writes for ``model``: its fields but the pk, and its m2m."""
    # The serializer leaves out fields with serialize=False: on these models, the pk alone.
    names = {field.name for field in model._meta.local_fields if not field.primary_key}
    return names | {field.name for field in model._meta.local_many_to_many}


def _value_check(
    restore: _Restore, number: int, field: models.Field[object, object], value: object
) -> None:
    """What the database or the code relies on, checked the same way on every database."""
    where = f"{field.model._meta.label_lower}.{field.name}"
    if value is None:
        if not field.null:
            raise restore.error(number, f"a value for {where}", "null")
        return
    if field.choices and value not in field.empty_values:
        allowed = [choice for choice, _ in field.flatchoices]
        if value not in allowed:
            raise restore.error(
                number, f"{where} one of {', '.join(map(str, allowed))}", _short(value)
            )
    if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
        raise restore.error(
            number, f"{where} at most {field.max_length} characters", f"{len(value)} characters"
        )
