"""`yamabiko backup` and `yamabiko restore`: a whole site in one archive, and back.

The archive is a gzip-compressed tar file holding:

- ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup API, one read
  transaction, so it is consistent while servers write) or ``database.pgdump``
  (PostgreSQL: ``pg_dump --format=custom``, which reads one snapshot);
- ``secret_key``, the data dir's key (signed tokens and sessions need it), when there is one;
- ``media/…``, the uploads and imported media;
- ``manifest.json``, written last so its checksums are of the bytes actually archived:
  format and version, Yamabiko's version, the database vendor, the time, the applied
  migrations, and every other member's name, size and sha256.

``static/``, ``cache/`` and the page mirror are rebuilt by the servers and left out.

The restore checks everything it can before it writes anything: the archive reads to its
end, each member matches the manifest, the vendor is this site's, the migrations are known
to this version, and the site is empty (no content, no users, no media). Then the database
is replaced in one transaction (SQLite's backup API into the live file, PostgreSQL's
``pg_restore --single-transaction``), media and key are moved into place, ``migrate`` brings
an older schema up to date, and the page cache's generation moves past every number either
site used, so no page cached before the restore is served after it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F
from django.db.models.functions import Greatest

from yamabiko import __version__
from yamabiko.config import SECRET_KEY_FILE, get_config
from yamabiko.core.exceptions import ConfigurationError, InvalidInput, YamabikoError
from yamabiko.pagecache import content_changed
from yamabiko.pagecache.models import GENERATION_PK, Generation

# Private in native.py, reused so that "empty" means the same for both restores.
from yamabiko.porting.native import site_empty_or_raise

__all__ = ["FORMAT", "VERSION", "BackupSummary", "backup_restore", "backup_write"]

FORMAT = "yamabiko-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One archived file as the manifest lists it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    vendor: str
    yamabiko: str
    migrations: tuple[str, ...]
    files: tuple[Member, ...]

    def size_of(self, name: str) -> int:
        return next((member.size for member in self.files if member.name == name), 0)

    def summary(self) -> BackupSummary:
        names = [member.name for member in self.files]
        return BackupSummary(
            vendor=self.vendor,
            database_bytes=self.size_of(DATABASE_FILES[self.vendor]),
            media_files=sum(1 for name in names if name.startswith(f"{MEDIA}/")),
            secret_key=SECRET_KEY_FILE in names,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupSummary:
    vendor: str
    database_bytes: int
    media_files: int
    secret_key: bool


# --- backup ----------------------------------------------------------------------------


def backup_write(path: Path) -> BackupSummary:
    """Write the site to ``path``, which appears only once the archive is complete."""
    vendor = _vendor()
    data_dir = get_config().data_dir
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: {path.parent} is not a directory")
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as staging:
        database = Path(staging) / DATABASE_FILES[vendor]
        migrations = _applied_migrations()
        _database_dump(vendor, database)
        try:
            # Owner-only from the start: the archive holds the secret key and password hashes.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                files = [_add(archive, DATABASE_FILES[vendor], database)]
                key = data_dir / SECRET_KEY_FILE
                if key.is_file():
                    files.append(_add(archive, SECRET_KEY_FILE, key))
                files += _add_media(archive, data_dir / MEDIA)
                _add_manifest(archive, vendor=vendor, migrations=migrations, files=files)
            _fsync(partial)
            partial.replace(path)
        except OSError as error:
            raise YamabikoError(f"cannot write {path}: {error.strerror or error}") from error
        finally:
            partial.unlink(missing_ok=True)
    return Manifest(
        vendor=vendor, yamabiko=__version__, migrations=tuple(migrations), files=tuple(files)
    ).summary()


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise ConfigurationError(f"cannot back up a {connection.vendor} database")
    return connection.vendor


def _applied_migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _database_dump(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        live = Path(settings.DATABASES["default"]["NAME"])
        _sqlite_copy(live, target, failure=f"cannot copy the database {live}")
    else:
        _pg_run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")


def _sqlite_copy(source: Path, target: Path, *, failure: str) -> None:
    """Copy the database ``source`` into ``target`` with SQLite's backup API.

    One step (pages=-1) reads the whole source in one read transaction, a consistent copy
    while servers write (WAL lets them go on), and writes the target in one transaction,
    atomic through SQLite's own journal.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    writer = sqlite3.connect(target, timeout=20)
    try:
        reader.backup(writer)
    except sqlite3.Error as error:
        raise YamabikoError(f"{failure}: {error}") from error
    finally:
        writer.close()
        reader.close()


def _media_names(media: Path) -> list[str]:
    if not media.is_dir():
        return []
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


class _Hashing:
    """A file read by tarfile, hashed on the way, so the manifest describes what was stored."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.sha256.update(chunk)
        return chunk


def _add_media(archive: tarfile.TarFile, media: Path) -> list[Member]:
    added = []
    for name in _media_names(media):
        try:
            added.append(_add(archive, f"{MEDIA}/{name}", media / name))
        except FileNotFoundError:
            continue  # deleted by the running site since the listing: not part of it now
    return added


def _add(archive: tarfile.TarFile, name: str, path: Path) -> Member:
    """Add one file; read errors are YamabikoError, so OSError means the archive's disk."""
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise
    except OSError as error:
        raise YamabikoError(f"cannot read {path}: {error.strerror or error}") from error
    with file:
        stat = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        # The size of this open file, so a file replaced meanwhile is archived whole.
        info.size, info.mtime = stat.st_size, int(stat.st_mtime)
        info.mode = 0o600 if name == SECRET_KEY_FILE else 0o644
        hashing = _Hashing(file)
        archive.addfile(info, hashing)  # tarfile only calls read()
    return Member(name=name, size=info.size, sha256=hashing.sha256.hexdigest())


def _add_manifest(
    archive: tarfile.TarFile,
    *,
    vendor: str,
    migrations: list[str],
    files: list[Member],
) -> None:
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "yamabiko": __version__,
        "vendor": vendor,
        "created": datetime.now(UTC).isoformat(),
        "migrations": migrations,
        "files": [{"name": file.name, "size": file.size, "sha256": file.sha256} for file in files],
    }
    raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(raw)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(raw))


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


# --- restore ---------------------------------------------------------------------------


def backup_restore(path: Path) -> BackupSummary:
    """Restore an archive of ``backup_write`` into this empty site, or change nothing.

    Raises ``InvalidInput`` for an archive that is damaged, not a backup, of another
    database vendor or of a newer version, and for a site that is not empty.
    """
    data_dir = get_config().data_dir
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as staging_name:
        staging = Path(staging_name)
        manifest = _unpack(path, staging)
        vendor = _vendor()
        _compatible_or_raise(manifest, vendor=vendor)
        _empty_or_raise(data_dir)
        if vendor == "postgresql" and shutil.which("pg_restore") is None:
            raise ConfigurationError(_missing_tool("pg_restore"))
        generation = _generation()
        _database_replace(vendor, staging / DATABASE_FILES[vendor])
        _files_replace(staging, data_dir)
    call_command("migrate", interactive=False, verbosity=0)
    _generation_move_past(generation)
    return manifest.summary()


def _unpack(path: Path, staging: Path) -> Manifest:
    """Extract into ``staging`` and check every member against the manifest."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links out and special files.
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise InvalidInput(f"{path} is not a readable yamabiko backup ({error})") from error
    manifest = _manifest_read(path, staging / MANIFEST)
    found = {
        file.relative_to(staging).as_posix()
        for file in staging.rglob("*")
        if file.is_file() and file.name != MANIFEST
    }
    listed = {member.name for member in manifest.files}
    if found != listed:
        difference = sorted(found ^ listed)[:3]
        raise InvalidInput(
            f"{path} does not match its manifest (extra or missing: {', '.join(difference)})"
        )
    for member in manifest.files:
        _checksum_or_raise(path, staging, member)
    return manifest


def _manifest_read(path: Path, manifest_path: Path) -> Manifest:
    try:
        raw = json.loads(manifest_path.read_bytes())
    except FileNotFoundError:
        raise InvalidInput(f"{path} is not a yamabiko backup (no {MANIFEST})") from None
    except ValueError as error:
        raise InvalidInput(f"{path} has a malformed {MANIFEST} ({error})") from error
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a yamabiko backup")
    if raw.get("version") != VERSION:
        raise InvalidInput(
            f"{path} is a backup in format version {raw.get('version')!r}; "
            f"this Yamabiko reads version {VERSION}"
        )
    try:
        return Manifest(
            vendor=str(raw["vendor"]),
            yamabiko=str(raw["yamabiko"]),
            migrations=tuple(str(name) for name in raw["migrations"]),
            files=tuple(
                Member(name=str(file["name"]), size=int(file["size"]), sha256=str(file["sha256"]))
                for file in raw["files"]
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"{path} has a malformed {MANIFEST} ({error!r})") from error


def _checksum_or_raise(path: Path, staging: Path, member: Member) -> None:
    file = staging / member.name
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    if file.stat().st_size != member.size or digest.hexdigest() != member.sha256:
        raise InvalidInput(f"{path} is damaged: {member.name} does not match its checksum")


def _compatible_or_raise(manifest: Manifest, *, vendor: str) -> None:
    if manifest.vendor != vendor:
        raise InvalidInput(
            f"the backup is of a {manifest.vendor} database and this site uses {vendor}; "
            "to move between databases use `yamabiko export json` and `yamabiko import json`"
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(name for name in manifest.migrations if name not in known)
    if unknown:
        raise InvalidInput(
            f"the backup was made by a newer Yamabiko ({manifest.yamabiko}, with migration "
            f"{unknown[0]}); install that version or newer to restore it"
        )


def _empty_or_raise(data_dir: Path) -> None:
    if _media_names(data_dir / MEDIA):
        raise InvalidInput(
            f"the site is not empty ({data_dir / MEDIA} holds files); "
            "a backup restores into an empty site only"
        )
    if not connection.introspection.table_names():
        return  # a database nothing has touched yet
    try:
        site_empty_or_raise()
    except InvalidInput as error:
        # Its message ends with advice about JSON exports; keep what the site holds.
        holds = str(error).partition(";")[0]
        raise InvalidInput(f"{holds}; a backup restores into an empty site only") from error
    except DatabaseError as error:
        raise InvalidInput(
            "the database holds tables that are not a yamabiko site's "
            f"({error}); restore into an empty database"
        ) from error


def _generation() -> int:
    """The page cache generation before the restore; 0 on a database without tables."""
    if Generation._meta.db_table not in connection.introspection.table_names():
        return 0
    number = Generation.objects.filter(pk=GENERATION_PK).values_list("number", flat=True)
    return next(iter(number), 0)


def _generation_move_past(previous: int) -> None:
    # Pages cached by the empty site carry its numbers; the restored row may be lower.
    with transaction.atomic():
        Generation.objects.filter(pk=GENERATION_PK).update(number=Greatest(F("number"), previous))
        content_changed()


# --- putting things in place -------------------------------------------------------------


def _database_replace(vendor: str, dump: Path) -> None:
    connection.close()  # the restore writes through its own connection
    if vendor == "sqlite":
        # Into the live file rather than renamed over it: a process that still has the file
        # open then sees the new content instead of writing on into an unlinked file, and
        # a crash leaves the empty site (SQLite's journal).
        live = Path(settings.DATABASES["default"]["NAME"])
        _sqlite_copy(dump, live, failure=f"cannot write the database {live}")
    else:
        # --clean drops the tables an empty, migrated site has; one transaction, so a
        # failure leaves the database as it was.
        _pg_run(
            "pg_restore", "--single-transaction", "--exit-on-error", "--clean", "--if-exists",
            "--no-owner", "--no-privileges", str(dump),
        )  # fmt: skip


def _files_replace(staging: Path, data_dir: Path) -> None:
    media = staging / MEDIA
    if media.is_dir():
        # Checked to hold no files: at most empty folders the site made.
        shutil.rmtree(data_dir / MEDIA, ignore_errors=True)
        media.replace(data_dir / MEDIA)
    key = staging / SECRET_KEY_FILE
    if key.is_file():
        key.chmod(0o600)
        key.replace(data_dir / SECRET_KEY_FILE)


# --- PostgreSQL client tools -------------------------------------------------------------


def _missing_tool(tool: str) -> str:
    return (
        f"{tool} not found; install PostgreSQL's client tools (the postgresql-client "
        "package), of the server's version or newer"
    )


def _pg_run(tool: str, *args: str) -> None:
    """Run a PostgreSQL client tool on the site's database.

    The connection goes in libpq's environment variables, so the password never shows
    in the process list, and DATABASE_URL spellings libpq does not know (pgsql://) work.
    """
    executable = shutil.which(tool)
    if executable is None:
        raise ConfigurationError(_missing_tool(tool))
    database = settings.DATABASES["default"]
    env = os.environ | _libpq_env(database)
    command = [executable, *args, f"--dbname={database['NAME']}"]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except subprocess.CalledProcessError as error:
        lines = [line for line in error.stderr.splitlines() if line.strip()]
        raise YamabikoError(f"{tool} failed: {lines[0] if lines else error}") from error


def _libpq_env(database: dict[str, object]) -> dict[str, str]:
    names = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    env = {variable: str(database[key]) for key, variable in names.items() if database.get(key)}
    options = database.get("OPTIONS")
    if isinstance(options, dict) and options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env
