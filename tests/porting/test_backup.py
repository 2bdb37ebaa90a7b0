"""`yamabiko backup` and `yamabiko restore`, run as a user runs them, on real data dirs.

Every site here is a real one in its own data dir (and, when the suite runs on PostgreSQL,
its own database), driven through `yamabiko` processes: a backup is of a whole site,
files and database together, which the test database cannot stand in for.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.cli.conftest import (
    assert_process_one_line_error,
    free_port,
    http_get,
    run_process,
    serving,
)
from tests.live_databases import live_databases

ROOT = Path(__file__).resolve().parents[2]
MEDIA_NAME = "uploads/2026/写真 🏔.jpg"
MEDIA_BYTES = bytes(range(256)) * 40

# The rich site of the native export's tests: every model, every state, Japanese text.
SEED = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "yamabiko.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from tests.porting.test_native import rich_site
rich_site()
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    data_dir: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_process(*args, env=self.env)

    def export(self) -> str:
        done = self.run("export", "json")
        assert done.returncode == 0, done.stderr
        return done.stdout

    def files(self) -> dict[str, bytes]:
        """The data dir's files but the database, whose bytes SQLite may rewrite on open."""
        return {
            path.relative_to(self.data_dir).as_posix(): path.read_bytes()
            for path in self.data_dir.rglob("*")
            if path.is_file() and not path.name.startswith("yamabiko.sqlite3")
        }


def site_at(data_dir: Path, database_url: str | None) -> Site:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("YAMABIKO_")
        and name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["YAMABIKO_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return Site(data_dir=data_dir, env=env)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmptySite:
    site: Site
    export: str
    files: dict[str, bytes]

    def assert_unchanged(self) -> None:
        assert self.site.files() == self.files
        assert self.site.export() == self.export


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmptySite]:
    """A newly set-up site (migrated, nothing in it), shared by tests that must not change it."""
    with live_databases("backup_empty") as (url,):
        site = site_at(tmp_path_factory.mktemp("empty") / "data", url)
        done = site.run("manage", "migrate", "--verbosity", "0")
        assert done.returncode == 0, done.stderr
        yield EmptySite(site=site, export=site.export(), files=site.files())


@dataclass(frozen=True, slots=True, kw_only=True)
class Backup:
    site: Site
    archive: Path
    export: str


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backup]:
    """A rich site with a media file, backed up while `yamabiko serve` answers requests."""
    tmp_path = tmp_path_factory.mktemp("backup")
    with live_databases("backup_source") as (url,):
        site = site_at(tmp_path / "source", url)
        seed = subprocess.run(
            [sys.executable, "-c", SEED], env=site.env, cwd=ROOT, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert seed.returncode == 0, seed.stderr
        media = site.data_dir / "media" / MEDIA_NAME
        media.parent.mkdir(parents=True)
        media.write_bytes(MEDIA_BYTES)
        archive = tmp_path / "site.tar.gz"
        port = free_port()
        serve = ("serve", "--port", str(port), "--workers", "1")
        with (
            serving(*serve, env=site.env, port=port, tmp_path=tmp_path) as server,
            readers(server.base_url),
        ):
            done = site.run("backup", str(archive))
        assert done.returncode == 0, done.stderr
        yield Backup(site=site, archive=archive, export=site.export())


@contextmanager
def readers(base_url: str) -> Iterator[None]:
    """A reader requesting pages the whole time, so the backup copies a site in use."""
    stop = threading.Event()
    pages: list[int] = []

    def read() -> None:
        while not stop.is_set():
            try:
                http_get(base_url)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                continue
            pages.append(1)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
    assert pages, "no page was served during the backup"


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
        }


def repack(contents: dict[str, bytes], path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


# --- the round trip --------------------------------------------------------------------


def test_backup_of_a_live_site_restores_into_an_empty_data_dir_identically(
    backup: Backup, tmp_path: Path
) -> None:
    with live_databases("backup_target") as (url,):
        target = site_at(tmp_path / "target", url)

        done = target.run("restore", str(backup.archive))

        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"Restored {backup.archive}: ")
        assert "1 media files, secret key." in done.stdout
        assert target.export() == backup.export
        assert (target.data_dir / "media" / MEDIA_NAME).read_bytes() == MEDIA_BYTES
        key = (target.data_dir / "secret_key").read_bytes()
        assert key == (backup.site.data_dir / "secret_key").read_bytes()
        assert (target.data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
        added = target.run("post", "new", "--title", "復元のあと")
        assert added.returncode == 0, added.stderr


def test_archive_lists_every_member_with_its_checksum(backup: Backup) -> None:
    contents = members(backup.archive)
    manifest = json.loads(contents.pop("manifest.json"))

    assert manifest["format"] == "yamabiko-backup"
    assert manifest["version"] == 1
    assert {entry["name"] for entry in manifest["files"]} == set(contents)
    assert f"media/{MEDIA_NAME}" in contents
    assert "secret_key" in contents
    assert not any(name.startswith(("static/", "cache/")) for name in contents)
    assert backup.archive.stat().st_mode & 0o777 == 0o600


def test_restore_into_a_site_with_content_is_refused_and_changes_nothing(
    backup: Backup,
) -> None:
    files = backup.site.files()

    done = backup.site.run("restore", str(backup.archive))

    assert_process_one_line_error(done)
    assert "not empty" in done.stderr
    assert backup.site.export() == backup.export
    assert backup.site.files() == files


def test_restore_into_a_site_with_media_is_refused(backup: Backup, empty_site: EmptySite) -> None:
    media = empty_site.site.data_dir / "media"
    media.mkdir()
    (media / "mine.png").write_bytes(b"png")
    try:
        done = empty_site.site.run("restore", str(backup.archive))
        left = sorted(path.name for path in media.rglob("*"))
    finally:
        shutil.rmtree(media)

    assert_process_one_line_error(done)
    assert "media" in done.stderr
    assert left == ["mine.png"]
    empty_site.assert_unchanged()


# --- damaged and wrong files -------------------------------------------------------------


def truncated(backup: Backup, path: Path) -> Path:
    raw = backup.archive.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def garbage(backup: Backup, path: Path) -> Path:
    path.write_bytes(b"this is not an archive\n" * 100)
    return path


def without_manifest(backup: Backup, path: Path) -> Path:
    contents = members(backup.archive)
    del contents["manifest.json"]
    return repack(contents, path)


def media_changed(backup: Backup, path: Path) -> Path:
    contents = members(backup.archive)
    contents[f"media/{MEDIA_NAME}"] = b"X" + contents[f"media/{MEDIA_NAME}"][1:]
    return repack(contents, path)


def member_missing(backup: Backup, path: Path) -> Path:
    contents = members(backup.archive)
    del contents["secret_key"]
    return repack(contents, path)


def other_vendor(backup: Backup, path: Path) -> Path:
    contents = members(backup.archive)
    manifest = json.loads(contents["manifest.json"])
    manifest["vendor"] = "postgresql" if manifest["vendor"] == "sqlite" else "sqlite"
    contents["manifest.json"] = json.dumps(manifest).encode()
    return repack(contents, path)


def newer_schema(backup: Backup, path: Path) -> Path:
    contents = members(backup.archive)
    manifest = json.loads(contents["manifest.json"])
    manifest["migrations"].append("posts.9999_from_the_future")
    contents["manifest.json"] = json.dumps(manifest).encode()
    return repack(contents, path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (truncated, "not a readable yamabiko backup"),
        (garbage, "not a readable yamabiko backup"),
        (without_manifest, "no manifest.json"),
        (media_changed, "does not match its checksum"),
        (member_missing, "does not match its manifest"),
        (other_vendor, "use `yamabiko export json` and `yamabiko import json`"),
        (newer_schema, "made by a newer Yamabiko"),
    ],
)
def test_bad_archive_is_refused_and_changes_nothing(
    backup: Backup, empty_site: EmptySite, tmp_path: Path, damage: object, message: str
) -> None:
    assert callable(damage)
    archive = damage(backup, tmp_path / "bad.tar.gz")

    done = empty_site.site.run("restore", str(archive))

    assert_process_one_line_error(done)
    assert message in done.stderr
    empty_site.assert_unchanged()


def test_dash_is_refused_for_backup_and_restore(tmp_path: Path) -> None:
    site = site_at(tmp_path / "data", None)
    for command in ("backup", "restore"):
        done = site.run(command, "-")

        assert_process_one_line_error(done)
        assert "'-' is refused" in done.stderr


def test_backup_into_a_missing_directory_is_refused(empty_site: EmptySite, tmp_path: Path) -> None:
    done = empty_site.site.run("backup", str(tmp_path / "nowhere" / "site.tar.gz"))

    assert_process_one_line_error(done)
    assert "is not a directory" in done.stderr
    assert not (tmp_path / "nowhere").exists()


# --- a set-up site, the page cache, the client tools ---------------------------------------

GENERATION = "from yamabiko.pagecache.models import Generation as G; "


def generation(site: Site) -> int:
    done = site.run("manage", "shell", "-c", GENERATION + "print(G.objects.get(pk=1).number)")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])  # after the shell's own note on imports


def test_restore_into_a_set_up_site_moves_the_page_cache_past_both_sites(
    backup: Backup, tmp_path: Path
) -> None:
    """Pages the empty site cached carry its generation numbers, which may be higher than
    the restored site's: none of them may be served after the restore."""
    with live_databases("backup_set_up") as (url,):
        target = site_at(tmp_path / "target", url)
        high = 10**6
        setup = GENERATION + f"G.objects.update_or_create(pk=1, defaults={{'number': {high}}})"
        assert target.run("manage", "migrate", "--verbosity", "0").returncode == 0
        assert target.run("manage", "shell", "-c", setup).returncode == 0

        done = target.run("restore", str(backup.archive))

        assert done.returncode == 0, done.stderr
        assert target.export() == backup.export
        assert generation(target) > high


def without_tool(site: Site, tmp_path: Path) -> Site:
    """The site with a PATH that holds no PostgreSQL client tools."""
    empty = tmp_path / "bin"
    empty.mkdir()
    return Site(data_dir=site.data_dir, env=site.env | {"PATH": str(empty)})


def test_backup_without_pg_dump_is_an_error_and_writes_nothing(
    backup: Backup, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite needs no client tools")
    site = without_tool(backup.site, tmp_path)

    done = site.run("backup", str(tmp_path / "site.tar.gz"))

    assert_process_one_line_error(done)
    assert "pg_dump not found" in done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bin"]


def test_restore_without_pg_restore_is_refused_and_changes_nothing(
    backup: Backup, empty_site: EmptySite, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite needs no client tools")
    site = without_tool(empty_site.site, tmp_path)

    done = site.run("restore", str(backup.archive))

    assert_process_one_line_error(done)
    assert "pg_restore not found" in done.stderr
    empty_site.assert_unchanged()
