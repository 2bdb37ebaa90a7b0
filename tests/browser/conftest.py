"""The browser harness: a real `yamabiko serve`, Debian's Chromium, and pages that watch.

Fixtures (a contract the browser tests rely on):

- ``site`` (session): a seeded blog served by `yamabiko serve` on a free loopback port, on
  the vendor the suite runs on (tests/live_databases.py). A frozen ``Site``: ``base_url``
  (ends with "/"), ``data_dir``, ``env`` (for more `yamabiko` subprocesses on the same
  site), ``admin_username``/``admin_password`` (a superuser) and ``cli(*args)``.
- ``browser`` (session): Chromium from /usr/bin/chromium through Playwright's sync API.
- ``new_page`` (function): ``new_page(*, width, height, javascript, color_scheme, locale,
  is_mobile) -> Page``, each in a fresh context; ``page`` and ``page_nojs`` are one each.
  A console error, an uncaught page error or a 5xx from the site fails the test.

Playwright's sync API keeps an asyncio loop marked as running in this thread, and Django
refuses ORM calls while one is (SynchronousOnlyOperation). So the database work happens in
subprocesses or before Playwright starts, and Playwright stops right after the session's
last browser test rather than at the end of the session, before other tests use the ORM.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from tests.browser.seed import seed_site
from tests.cli.conftest import free_port, serving, user_env
from tests.live_databases import live_databases

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",  # no calls home: the tests see only the site
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CLI_TIMEOUT_SECONDS = 120
# Playwright's 30 s default turns a missing element into a long wait; pages here are local.
ACTION_TIMEOUT_MS = 10_000
SERVER_WORKERS = "2"

type ColorScheme = Literal["light", "dark", "no-preference"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    admin_username: str
    admin_password: str

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `yamabiko ARGS…` against this site; a non-zero exit fails the test."""
        return cli_run(self.env, *args)


def cli_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "yamabiko", *args],
        env=env,
        # `manage shell -c` snippets import tests.browser.seed from the checkout.
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"yamabiko {' '.join(args)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done


def site_env(*, data_dir: Path, base_url: str, database_url: str | None) -> dict[str, str]:
    """As a user runs it: none of the suite's own YAMABIKO_* or database settings leak in."""
    env = user_env(data_dir)
    env["YAMABIKO_SITE_URL"] = base_url.rstrip("/")
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    with live_databases("browser") as (database_url,):
        env = site_env(data_dir=root / "data", base_url=base_url, database_url=database_url)
        admin_username, admin_password = "writer", "kodama-pass-" + os.urandom(6).hex()
        seed_site(
            functools.partial(cli_run, env),
            admin_username=admin_username,
            admin_password=admin_password,
            scratch=root,
        )
        args = ("serve", "--port", str(port), "--workers", SERVER_WORKERS)
        with serving(*args, env=env, port=port, tmp_path=root):
            yield Site(
                base_url=base_url,
                data_dir=root / "data",
                env=env,
                admin_username=admin_username,
                admin_password=admin_password,
            )


# Stops Playwright once; run after the session's last browser test, and again (doing
# nothing) when the session fixture is torn down.
_playwright_stops: list[Callable[[], None]] = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("YAMABIKO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    playwright = sync_playwright().start()
    # A non-persistent launch runs on a fresh, empty temporary profile (user data dir)
    # that Playwright deletes on close; never Playwright's downloaded browsers.
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except BaseException:
        playwright.stop()
        raise

    def stop() -> None:
        launched.close()
        playwright.stop()

    _playwright_stops.append(stop)
    try:
        yield launched
    finally:
        playwright_stop()


def playwright_stop() -> None:
    while _playwright_stops:
        _playwright_stops.pop()()


def is_browser_test(item: pytest.Item) -> bool:
    return item.path.is_relative_to(BROWSER_DIR)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        later = item.session.items[item.session.items.index(item) + 1 :]
        if not any(is_browser_test(other) for other in later):
            playwright_stop()


class NewPage(Protocol):
    def __call__(
        self,
        *,
        width: int = 1280,
        height: int = 800,
        javascript: bool = True,
        color_scheme: ColorScheme = "light",
        locale: str = "en-US",
        is_mobile: bool = False,
    ) -> Page: ...


@dataclass(slots=True)
class PageProblems:
    """What the pages of one test reported; ``reported`` of them failed the test already."""

    found: list[str] = field(default_factory=list)
    reported: int = 0

    def report(self) -> None:
        fresh = self.found[self.reported :]
        self.reported = len(self.found)
        if fresh:
            pytest.fail("the page reported problems:\n" + "\n".join(f"- {p}" for p in fresh))


PAGE_PROBLEMS = pytest.StashKey[PageProblems]()


def watch(page: Page, problems: PageProblems, base_url: str) -> None:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            problems.found.append(f"console error on {page.url}: {message.text} ({where})")

    def page_error(error: PlaywrightError) -> None:
        problems.found.append(f"uncaught error on {page.url}: {error.message}")

    def response(answer: Response) -> None:
        if answer.status >= 500 and answer.url.startswith(base_url):
            problems.found.append(f"{answer.status} from {answer.request.method} {answer.url}")

    page.on("console", console)
    page.on("pageerror", page_error)
    page.on("response", response)


@pytest.fixture
def new_page(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[NewPage]:
    problems = request.node.stash.setdefault(PAGE_PROBLEMS, PageProblems())
    contexts: list[BrowserContext] = []

    def open_page(
        *,
        width: int = 1280,
        height: int = 800,
        javascript: bool = True,
        color_scheme: ColorScheme = "light",
        locale: str = "en-US",
        is_mobile: bool = False,
    ) -> Page:
        context = browser.new_context(
            base_url=site.base_url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            color_scheme=color_scheme,
            locale=locale,
            is_mobile=is_mobile,
            has_touch=is_mobile,
        )
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        # Every page of the context, popups included, is watched from its first request.
        context.on("page", lambda page: watch(page, problems, site.base_url))
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    problems.report()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


@pytest.fixture
def page_nojs(new_page: NewPage) -> Page:
    return new_page(javascript=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # The test itself fails (not only its teardown) when its pages reported problems.
    result = yield
    problems = item.stash.get(PAGE_PROBLEMS, None)
    if problems is not None:
        problems.report()
    return result
