"""The on-disk mirror: cached pages as files at their paths, never one older than a change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import LazySettings, settings
from django.test import Client
from django.utils import timezone

from tests.cli.conftest import process_env, run_process
from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory, UserFactory
from tests.pagecache.conftest import Answer, Server
from yamabiko.discussion.models import CommentStatus
from yamabiko.pagecache import mirror
from yamabiko.pagecache.generation import content_changed
from yamabiko.pagecache.models import Generation
from yamabiko.posts import services
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

__all__ = ["process_env"]  # a fixture the worker test uses

type Commits = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture(autouse=True)
def mirror_on(settings: LazySettings, tmp_path: Path) -> Path:
    settings.YAMABIKO_DATA_DIR = tmp_path / "data"
    settings.YAMABIKO_PAGE_MIRROR = True
    return tmp_path / "data" / "mirror"


@pytest.fixture
def post(blog: Blog) -> Post:
    return PostFactory(title="Echo valley", body="The first shout.")


def mirrored(root: Path, path: str, name: str = "index.html") -> Path:
    return root / mirror.CURRENT / path.strip("/") / name


def generation() -> int:
    return Generation.objects.get().number


def test_pages_are_written_at_their_paths_with_a_name_for_their_type(
    server: Server, post: Post, mirror_on: Path
):
    home = server.get("/")
    permalink = server.get(post.get_absolute_url())
    feed = server.get("/feed/")
    atom = server.get("/feed/atom/")

    target = os.readlink(mirror_on / mirror.CURRENT)
    assert target.startswith(f"g{generation()}-")
    # Pages: as served, but for the scripts' nonce, which is the directory's (see below).
    nonce = mirror.directory_nonce(target)
    assert mirrored(mirror_on, "/").read_bytes() == with_nonce(home, nonce)
    assert mirrored(mirror_on, post.get_absolute_url()).read_bytes() == with_nonce(permalink, nonce)
    assert mirrored(mirror_on, "/feed/", "index.rss").read_bytes() == feed.body
    assert mirrored(mirror_on, "/feed/atom/", "index.atom").read_bytes() == atom.body


def served_nonce(answer: Answer) -> str:
    found = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"])
    assert found is not None, answer.headers["Content-Security-Policy"]
    return found.group(1)


def with_nonce(answer: Answer, nonce: str) -> bytes:
    old = served_nonce(answer).encode()
    assert answer.body.count(b'nonce="' + old + b'"') >= 2  # classic.js, search.js
    return answer.body.replace(b'nonce="' + old + b'"', b'nonce="' + nonce.encode() + b'"')


def test_mirrored_pages_carry_their_directorys_nonce_and_a_new_one_after_a_change(
    server: Server, post: Post, mirror_on: Path, django_capture_on_commit_callbacks: Commits
):
    server.get("/")
    first = mirror.directory_nonce(os.readlink(mirror_on / mirror.CURRENT))
    page = mirrored(mirror_on, "/").read_text()
    assert len(first) == 32
    assert re.findall(r'nonce="([^"]+)"', page) == [first, first]

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Echo valley at dawn"
        services.post_save(post=post)
    server.get("/")
    second = mirror.directory_nonce(os.readlink(mirror_on / mirror.CURRENT))
    assert second != first
    assert re.findall(r'nonce="([^"]+)"', mirrored(mirror_on, "/").read_text()) == [
        second,
        second,
    ]


def test_a_japanese_slug_is_written_under_its_decoded_path(
    server: Server, blog: Blog, mirror_on: Path
):
    japanese = PostFactory(title="山びこ", slug="山びこ")
    answer = server.get(japanese.get_absolute_url())
    assert answer.status == 200
    files = list((mirror_on / mirror.CURRENT).rglob("index.html"))
    nonce = mirror.directory_nonce(os.readlink(mirror_on / mirror.CURRENT))
    assert [f.read_bytes() for f in files] == [with_nonce(answer, nonce)]
    assert "山びこ" in str(files[0])


def test_a_change_empties_the_mirror_when_it_commits(
    server: Server, post: Post, mirror_on: Path, django_capture_on_commit_callbacks: Commits
):
    server.get("/")
    server.get(post.get_absolute_url())
    old = os.readlink(mirror_on / mirror.CURRENT)

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Echo valley at dawn"
        services.post_save(post=post)

    assert os.readlink(mirror_on / mirror.CURRENT) != old
    assert not mirrored(mirror_on, "/").exists()
    assert not mirrored(mirror_on, post.get_absolute_url()).exists()
    assert not (mirror_on / old).exists()  # pruned
    server.get("/")
    assert b"Echo valley at dawn" in mirrored(mirror_on, "/").read_bytes()


def test_a_new_comment_empties_the_mirror(
    server: Server, post: Post, mirror_on: Path, django_capture_on_commit_callbacks: Commits
):
    server.get(post.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(post=post, body="A second voice.", status=CommentStatus.APPROVED)
    assert not mirrored(mirror_on, post.get_absolute_url()).exists()
    server.get(post.get_absolute_url())
    assert b"A second voice." in mirrored(mirror_on, post.get_absolute_url()).read_bytes()


def test_a_page_rendered_before_a_change_is_not_written_after_it(post: Post, mirror_on: Path):
    before = generation()
    mirror.follow()
    content_changed()
    mirror.follow()  # what the change's commit runs

    mirror.page_store(path="/", content_type="text/html", body=b"old", generation=before)

    assert not mirrored(mirror_on, "/").exists()
    assert not list(mirror_on.rglob("index.html"))


def test_a_writer_ahead_of_the_mirror_moves_it_on_first(post: Post, mirror_on: Path):
    mirror.follow()
    behind = os.readlink(mirror_on / mirror.CURRENT)
    content_changed()  # committed elsewhere; that process has not moved the mirror yet

    mirror.page_store(path="/", content_type="text/html", body=b"new", generation=generation())

    assert os.readlink(mirror_on / mirror.CURRENT) != behind
    assert mirrored(mirror_on, "/").read_bytes() == b"new"


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/?page=2", {}),
        ("GET", "/search/?q=echo", {}),
        ("GET", "/", {"cookies": {"sessionid": "x"}}),
        ("HEAD", "/", {}),
        ("GET", "/robots.txt", {}),
        ("GET", "/feed.json", {}),
    ],
    ids=["query", "search", "cookie", "head", "text", "json-feed"],
)
def test_what_a_front_server_could_not_serve_alike_is_not_mirrored(
    server: Server, post: Post, mirror_on: Path, method: str, path: str, kwargs: dict[str, object]
):
    answer = server.request(method, path, **kwargs)
    assert answer.status in (200, 404)
    assert not list(mirror_on.rglob("index.*"))


def test_redirects_and_gone_pages_are_left_to_the_app(
    server: Server, post: Post, mirror_on: Path, django_capture_on_commit_callbacks: Commits
):
    old_url = post.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        post.slug = "echo-valley-renamed"
        services.post_save(post=post)
    assert server.get(old_url).status == 301
    assert server.get(old_url.rstrip("/")).status == 301
    assert not list(mirror_on.rglob("index.*"))


def test_a_logged_in_authors_page_is_not_mirrored(server: Server, post: Post, mirror_on: Path):
    browser = Client()
    browser.force_login(UserFactory())
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    answer = server.get("/", cookies={settings.SESSION_COOKIE_NAME: session})
    assert answer.status == 200
    assert not list(mirror_on.rglob("index.*"))


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/a",
        "/../etc/",
        "/a/../b/",
        "/.hidden/",
        "/a//b/",
        "/a\\b/",
        "/a\x00/",
        "/" + "x" * 300 + "/",
    ],
)
def test_paths_that_could_escape_or_mislead_are_refused(path: str):
    assert mirror.relative_path(path) is None


def test_ordinary_paths_map_to_folders():
    assert str(mirror.relative_path("/")) == "."
    assert str(mirror.relative_path("/2026/02/山びこ/")) == "2026/02/山びこ"


def test_switching_the_mirror_off_takes_it_offline_at_the_next_change(
    server: Server,
    post: Post,
    mirror_on: Path,
    settings: LazySettings,
    django_capture_on_commit_callbacks: Commits,
):
    server.get("/")
    settings.YAMABIKO_PAGE_MIRROR = False
    with django_capture_on_commit_callbacks(execute=True):
        content_changed()
    assert not (mirror_on / mirror.CURRENT).exists()
    server.get("/")
    assert not (mirror_on / mirror.CURRENT).exists()


def test_a_mirror_that_cannot_follow_is_taken_offline(server: Server, post: Post, mirror_on: Path):
    server.get("/")
    (mirror_on / mirror.LOCK).unlink()
    (mirror_on / mirror.LOCK).mkdir()  # the lock cannot be opened now
    content_changed()

    mirror.follow()

    assert not (mirror_on / mirror.CURRENT).exists()


def test_the_clock_publishes_a_scheduled_post_into_the_mirror(
    server: Server, post: Post, mirror_on: Path, django_capture_on_commit_callbacks: Commits
):
    due = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(title="Arrives by itself", published_at=due, status="scheduled")
    server.get("/")
    assert b"Arrives by itself" not in mirrored(mirror_on, "/").read_bytes()
    Generation.objects.update(next_change_at=timezone.now() - timedelta(seconds=1))
    Post.objects.filter(title="Arrives by itself").update(published_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        mirror.keep_time()

    assert not mirrored(mirror_on, "/").exists()
    server.get("/")
    assert b"Arrives by itself" in mirrored(mirror_on, "/").read_bytes()


def test_the_clock_starts_a_fresh_directory_each_day(server: Server, post: Post, mirror_on: Path):
    server.get("/")
    first = os.readlink(mirror_on / mirror.CURRENT)
    created = mirror.directory_parts(first)
    assert created is not None

    mirror.keep_time(now=created[1] + mirror.RENEW_SECONDS - 1)
    assert os.readlink(mirror_on / mirror.CURRENT) == first

    mirror.keep_time(now=created[1] + mirror.RENEW_SECONDS)
    assert os.readlink(mirror_on / mirror.CURRENT) != first
    assert not mirrored(mirror_on, "/").exists()
    assert not (mirror_on / first).exists()


def test_the_worker_keeps_the_mirror_in_time_once_or_until_stopped(
    process_env: dict[str, str], tmp_path: Path
):
    env = {**process_env, "YAMABIKO_PAGE_MIRROR": "1"}
    current = Path(env["YAMABIKO_DATA_DIR"]) / "mirror" / mirror.CURRENT
    assert run_process("manage", "migrate", env=env).returncode == 0

    batch = run_process("worker", "--batch", env=env)
    assert batch.returncode == 0, batch.stderr
    first = os.readlink(current)
    current.unlink()

    worker = subprocess.Popen([sys.executable, "-m", "yamabiko", "worker"], env=env)
    try:
        deadline = time.monotonic() + 30
        while not current.is_symlink() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert current.is_symlink()
    assert os.readlink(current) != first
