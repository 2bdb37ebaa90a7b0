"""A reader's journeys through the classic page, in Chromium, with JavaScript on and off.

Each journey starts where a reader does, on the home page or a permalink, and follows
links and controls by their roles and words. The blog is the seeded one (seed.py); other
browser tests post to it too, so counts are read from the page before they are compared.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Frame, Locator, Page, Route, expect

from tests.browser.conftest import NewPage, Site
from tests.browser.seed import (
    JOURNEY_CATEGORY,
    JOURNEY_TITLE,
    KNOWN_READER_COMMENT,
    KNOWN_READER_EMAIL,
    KNOWN_READER_NAME,
    comment_status,
)

JS_ON_AND_OFF = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
JOURNEY_PATH = re.compile(r"/\d{4}/\d{2}/listening-for-the-echo-at-kodama-pass/")
COUNT = re.compile(r"\((\d+)\)")
HELD_NOTICE = "Thank you. Your comment awaits moderation."
# The spam filter takes a form sent sooner than 2 s after it was shown for a robot's.
FORM_AGE_SECONDS = 2.2


def journey_entry(page: Page) -> Locator:
    title = page.get_by_role("heading", name=JOURNEY_TITLE, exact=True)
    return page.locator("article.entry").filter(has=title)


def home(page: Page) -> Locator:
    page.goto("/")
    entry = journey_entry(page)
    expect(entry).to_be_visible()
    return entry


def permalink(page: Page) -> None:
    home(page).get_by_role("link", name=JOURNEY_TITLE, exact=True).click()
    expect(page).to_have_url(JOURNEY_PATH)


def count_in(locator: Locator) -> int:
    found = COUNT.search(locator.inner_text())
    assert found, locator.inner_text()
    return int(found.group(1))


def main_frame_navigations(page: Page) -> list[str]:
    seen: list[str] = []

    def navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            seen.append(frame.url)

    page.on("framenavigated", navigated)
    return seen


def held_requests(page: Page, url: re.Pattern[str]) -> list[Route]:
    """Requests to ``url`` wait, listed here, until the test continues them."""
    held: list[Route] = []
    page.route(url, lambda route: held.append(route))
    return held


def release(page: Page, held: list[Route]) -> None:
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert held, "the request never left the page"
    held.pop().continue_()


def comment_fill(page: Page, *, name: str, email: str, body: str, shown_at: float) -> None:
    form = page.locator("#comment-form")
    form.get_by_role("textbox", name="Name", exact=True).fill(name)
    form.get_by_role("textbox", name="Email", exact=True).fill(email)
    form.get_by_role("textbox", name="Comment", exact=True).fill(body)
    # Wait out the filter's minimum time between showing the form and sending it.
    page.wait_for_timeout(max(0.0, FORM_AGE_SECONDS - (time.monotonic() - shown_at)) * 1000)


def newcomer() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"Newcomer {tag}", f"newcomer-{tag}@example.org"


def unique_body(words: str) -> str:
    # The spam filter holds a body it has seen before.
    return f"{words} ({uuid.uuid4().hex[:8]})"


# --- the home page -------------------------------------------------------------------


def test_home_page_shows_each_entry_the_classic_way(page: Page) -> None:
    entry = home(page)
    expect(page.get_by_role("search").get_by_label("Search", exact=True)).to_be_visible()
    expect(entry.locator(".fold-open")).to_have_text("▼")
    expect(entry.locator(".entry-category")).to_have_text(f"Category: {JOURNEY_CATEGORY}")
    expect(entry.locator("time.entry-date")).to_have_text(
        re.compile(r"^\d{1,2}/\d{1,2} \d\d:\d\d$")
    )
    footer = entry.locator("footer.entry-meta")
    expect(footer.get_by_role("link", name=re.compile(r"^Comment \(\d+\)$"))).to_be_visible()
    expect(footer.get_by_role("link", name="Trackback (0)")).to_be_visible()


# --- folding --------------------------------------------------------------------------


def expect_open(entry: Locator, *, is_open: bool) -> None:
    body = entry.locator(".entry-body")
    if is_open:
        expect(body).to_be_visible()
        expect(entry.locator(".fold-open")).to_be_visible()
        expect(entry.locator(".fold-closed")).to_be_hidden()
    else:
        expect(body).to_be_hidden()
        expect(entry.locator(".fold-closed")).to_have_text("▶")
        expect(entry.locator(".fold-open")).to_be_hidden()


@JS_ON_AND_OFF
def test_entry_folds_and_unfolds_with_a_click(new_page: NewPage, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    entry = home(page)
    expect_open(entry, is_open=True)
    entry.locator("summary").click()
    expect_open(entry, is_open=False)
    entry.locator("summary").click()
    expect_open(entry, is_open=True)


@JS_ON_AND_OFF
def test_entry_folds_and_unfolds_from_the_keyboard(new_page: NewPage, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    entry = home(page)
    summary = entry.locator("summary")
    # Reached with Tab from the entry's title link, as a keyboard user gets there.
    entry.get_by_role("link", name=JOURNEY_TITLE, exact=True).focus()
    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect_open(entry, is_open=False)
    page.keyboard.press("Space")
    expect_open(entry, is_open=True)


# --- links from an entry --------------------------------------------------------------


@JS_ON_AND_OFF
def test_continue_reading_opens_the_rest_of_the_entry(new_page: NewPage, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    home(page).get_by_role("link", name=re.compile(r"^continue reading")).click()
    expect(page).to_have_url(re.compile(JOURNEY_PATH.pattern + "#more$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(JOURNEY_TITLE)
    expect(page.locator("#more")).to_contain_text("the valley answered twice")
    expect(page.locator("#more")).to_be_in_viewport()


@JS_ON_AND_OFF
def test_category_link_lists_the_category(new_page: NewPage, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    home(page).locator(".entry-category").get_by_role("link", name=JOURNEY_CATEGORY).click()
    expect(page).to_have_url(re.compile(r"/category/journeys/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(JOURNEY_CATEGORY)
    expect(journey_entry(page)).to_be_visible()


@JS_ON_AND_OFF
def test_comment_count_link_opens_the_comments(new_page: NewPage, javascript: bool) -> None:
    page = new_page(javascript=javascript)
    link = home(page).get_by_role("link", name=re.compile(r"^Comment \(\d+\)$"))
    shown = count_in(link)
    link.click()
    expect(page).to_have_url(re.compile(JOURNEY_PATH.pattern + "#comments$"))
    comments = page.locator("#comments")
    expect(comments.get_by_role("heading", level=2)).to_have_text(f"Comments ({shown})")
    expect(comments.get_by_role("heading", level=2)).to_be_in_viewport()
    expect(comments.locator(".comment").filter(has_text=KNOWN_READER_COMMENT)).to_be_visible()
    expect(comments.locator(".comment")).to_have_count(shown)


# --- commenting -----------------------------------------------------------------------


def test_comment_is_published_without_a_reload_showing_loading_meanwhile(
    page: Page, site: Site
) -> None:
    permalink(page)
    shown_at = time.monotonic()
    url = page.url
    before = count_in(page.locator(".entry-comments"))
    navigations = main_frame_navigations(page)
    held = held_requests(page, re.compile(r"/comments/\d+/$"))
    body = unique_body("Heard it from the hut as well")
    comment_fill(
        page, name=KNOWN_READER_NAME, email=KNOWN_READER_EMAIL, body=body, shown_at=shown_at
    )
    form = page.locator("#comment-form")
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_text("Loading…")).to_be_visible()
    expect(form.get_by_role("button", name="Post comment")).to_be_disabled()
    release(page, held)
    expect(form.get_by_text("Loading…")).to_be_hidden()

    expect(form.locator(".form-status")).to_have_text("Your comment is published.")
    new = page.locator("#comments .comment").filter(has_text=body)
    expect(new).to_be_visible()
    expect(new).to_contain_text(KNOWN_READER_NAME)
    expect(page.locator(".entry-comments")).to_have_text(f"Comment ({before + 1})")
    expect(page.locator("#comments-heading")).to_have_text(f"Comments ({before + 1})")
    assert page.url == url
    assert navigations == []
    # On disk, and on the page for the next reader (the page cache let go of it).
    page.reload()
    expect(page.locator("#comments .comment").filter(has_text=body)).to_be_visible()


def test_newcomers_comment_shows_the_moderation_notice_without_a_reload(page: Page) -> None:
    permalink(page)
    shown_at = time.monotonic()
    url = page.url
    navigations = main_frame_navigations(page)
    name, email = newcomer()
    body = unique_body("First time here, lovely walk")
    comment_fill(page, name=name, email=email, body=body, shown_at=shown_at)
    form = page.locator("#comment-form")
    form.get_by_role("button", name="Post comment").click()

    expect(form.locator(".form-status")).to_have_text(HELD_NOTICE)
    expect(form.get_by_text("Loading…")).to_be_hidden()
    expect(form.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")
    expect(page.locator("#comments").get_by_text(body)).to_have_count(0)
    assert page.url == url
    assert navigations == []


@pytest.mark.parametrize("reader", ["newcomer", "known"])
def test_comment_posts_without_javascript(page_nojs: Page, site: Site, reader: str) -> None:
    page = page_nojs
    permalink(page)
    shown_at = time.monotonic()
    name, email = newcomer() if reader == "newcomer" else (KNOWN_READER_NAME, KNOWN_READER_EMAIL)
    body = unique_body("Posted the old way, with a form")
    comment_fill(page, name=name, email=email, body=body, shown_at=shown_at)
    with page.expect_navigation():
        page.locator("#comment-form").get_by_role("button", name="Post comment").click()

    if reader == "newcomer":
        expect(page).to_have_url(re.compile(JOURNEY_PATH.pattern + r"\?held=1#comments$"))
        expect(page.locator("#comments").get_by_role("status")).to_have_text(HELD_NOTICE)
        expect(page.locator("#comments").get_by_text(body)).to_have_count(0)
        assert comment_status(site.cli, body) == "pending"
    else:
        expect(page).to_have_url(re.compile(JOURNEY_PATH.pattern + r"#comment-\d+$"))
        comment_id = page.url.rpartition("#")[2]
        expect(page.locator(f"#{comment_id}")).to_contain_text(body)
        expect(page.locator(f"#{comment_id}")).to_be_in_viewport()


# --- search ---------------------------------------------------------------------------


def test_search_as_you_type_shows_results_and_opens_one(page: Page) -> None:
    home(page)
    held = held_requests(page, re.compile(r"/search/suggest/\?"))
    box = page.get_by_role("combobox", name="Search")
    # Faster than the box's pause before asking, so one request goes out at the end.
    box.press_sequentially("kodama pass", delay=40)
    search = page.get_by_role("search")
    expect(search.get_by_text("Loading…")).to_be_visible()
    release(page, held)
    expect(search.get_by_text("Loading…")).to_be_hidden()
    result = page.get_by_role("option", name=re.compile(re.escape(JOURNEY_TITLE)))
    expect(result).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    result.click()
    expect(page).to_have_url(JOURNEY_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(JOURNEY_TITLE)


# --- TrackBack ------------------------------------------------------------------------


def test_trackback_url_copies_to_the_clipboard(page: Page, site: Site) -> None:
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=site.base_url.rstrip("/")
    )
    permalink(page)
    post_id = page.locator("article.entry").get_attribute("id")
    assert post_id is not None
    expected = f"{site.base_url}trackback/{post_id.removeprefix('entry-')}/"
    trackbacks = page.locator("#trackbacks")
    expect(trackbacks.get_by_label("TrackBack URL for this entry:")).to_have_value(expected)
    trackbacks.get_by_role("button", name="Copy TrackBack URL").click()
    expect(trackbacks.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == expected


def test_trackback_url_without_javascript_is_a_field_to_copy_by_hand(page_nojs: Page) -> None:
    permalink(page_nojs)
    trackbacks = page_nojs.locator("#trackbacks")
    field = trackbacks.get_by_label("TrackBack URL for this entry:")
    expect(field).to_have_value(re.compile(r"/trackback/\d+/$"))
    expect(field).not_to_be_editable()
    expect(trackbacks.get_by_role("button", name="Copy TrackBack URL")).to_be_hidden()
