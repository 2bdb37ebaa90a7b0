"""The writer's journeys in the admin, in a real browser, ending on the reader's pages.

The site is shared by the whole session, so every title, category, tag and comment here is
made unique per run.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from tests.browser.admin_session import admin_login

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

# The comment form refuses what is sent sooner than this after it was shown (spam rule).
FORM_MIN_SECONDS = 2.0


def unique(text: str) -> str:
    return f"{text} {secrets.token_hex(3)}"


def test_writer_previews_files_schedules_and_publishes_a_markdown_post(
    new_page: Callable[..., Page], site: Any
) -> None:
    title, category, tag = unique("Mist over the ridge"), unique("Weather"), unique("fog")
    page = new_page()
    admin_login(page, site, next_path="admin/posts/post/add/")

    page.locator("#id_title").fill(title)
    preview = page.locator("#id_body_preview")
    expect(preview).to_be_empty()
    page.locator("#id_body").press_sequentially("The *fog* lifted at **noon**.\n\n- cairn")
    expect(preview.locator("em")).to_have_text("fog")
    expect(preview.locator("strong")).to_have_text("noon")
    expect(preview.locator("li")).to_have_text("cairn")

    # A new category through the admin's "+" beside the primary category, in its popup.
    with page.expect_popup() as popup_info:
        page.locator("#add_id_primary_category").click()
    popup = popup_info.value
    popup.locator("#id_name").fill(category)
    popup.get_by_role("button", name="Save", exact=True).click()
    popup.wait_for_event("close")
    expect(page.locator("#id_primary_category option:checked")).to_have_text(category)
    page.locator("#id_tag_names").fill(f"{tag}, 山びこ")

    # Scheduled for a year from now: saved, but not on the home page.
    page.get_by_role("radio", name="Scheduled", exact=True).check()
    page.locator("#id_published_at_0").fill((date.today() + timedelta(days=365)).isoformat())
    page.locator("#id_published_at_1").fill("09:30:00")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("is scheduled")
    reader = new_page()
    reader.goto(site.base_url)
    expect(reader.locator(".entry").first).to_be_visible()
    expect(reader.get_by_text(title)).to_have_count(0)

    # Published now: status Published with the date left empty.
    page.get_by_role("radio", name="Published", exact=True).check()
    page.locator("#id_published_at_0").fill("")
    page.locator("#id_published_at_1").fill("")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Another reader: the first one's browser may keep the home page for a minute (max-age).
    reader = new_page()
    reader.goto(site.base_url)
    entry = reader.locator("article.entry", has=reader.get_by_role("link", name=title))
    expect(entry.locator(".entry-category")).to_have_text(f"Category: {category}")
    expect(entry.locator(".entry-body em")).to_have_text("fog")
    expect(entry.locator(".entry-date")).to_have_text(re.compile(r"^\d{1,2}/\d{1,2} \d\d:\d\d$"))
    expect(entry.locator(".entry-comments")).to_have_text("Comment (0)")
    entry.get_by_role("link", name=title).click()
    expect(reader.locator(".entry-tags")).to_contain_text(tag)
    expect(reader.locator(".entry-tags")).to_contain_text("山びこ")


def test_writer_approves_a_held_comment_and_readers_then_see_it(
    new_page: Callable[..., Page], site: Any
) -> None:
    title = unique("Comments welcome")
    page = new_page()
    admin_login(page, site, next_path="admin/posts/post/add/")
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill("Tell me where you heard the echo.")
    page.get_by_role("radio", name="Published", exact=True).check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # A stranger's first comment waits for moderation (the default policy, "first").
    reader = new_page()
    reader.goto(site.base_url)
    reader.get_by_role("link", name=title).click()
    words = unique("Heard it twice from the quarry, the second time fainter.")
    reader.get_by_role("textbox", name="Name").fill(unique("Stranger"))
    reader.get_by_role("textbox", name="Email").fill(f"{secrets.token_hex(4)}@example.org")
    reader.get_by_role("textbox", name="Comment").fill(words)
    reader.wait_for_timeout(FORM_MIN_SECONDS * 1000)
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.get_by_text("awaits moderation")).to_be_visible()
    reader.reload()
    expect(reader.locator(".comment-list")).not_to_contain_text(words)

    page.goto(f"{site.base_url}admin/discussion/comment/?status__exact=pending")
    row = page.locator("#result_list tbody tr", has_text=words[:40])
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Approve selected comments")
    page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()
    expect(page.locator(".messagelist")).to_contain_text("approved")

    reader.reload()
    expect(reader.locator(".comment-list .comment-body")).to_have_text(words)
    expect(reader.locator("#comments-heading")).to_have_text("Comments (1)")
