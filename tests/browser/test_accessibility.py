"""Accessibility in a real browser: axe-core's WCAG 2.1 A/AA rules and the keyboard.

axe runs on the reader's pages (home, a permalink, search results) and on the admin's
writing page, in the light and the dark colour scheme, so both palettes must reach AA
contrast. The keyboard test tabs through the whole home page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.admin_session import admin_login
from tests.browser.axe import assert_accessible

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

SCHEMES = ["light", "dark"]
# A post with a subcategory, tags, Japanese text and the comment and trackback sections.
PERMALINK_CATEGORY = "category/mountains/echoes/"
PERMALINK_TITLE = "山びこを聞きに行った日"


def permalink(page: Page, site: Any) -> str:
    page.goto(f"{site.base_url}{PERMALINK_CATEGORY}")
    href = page.get_by_role("link", name=PERMALINK_TITLE, exact=True).get_attribute("href")
    assert href
    return href


@pytest.mark.parametrize("scheme", SCHEMES)
def test_home_page_has_no_serious_axe_violations(
    new_page: Callable[..., Page], site: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme)
    page.goto(site.base_url)
    assert_accessible(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_permalink_page_has_no_serious_axe_violations(
    new_page: Callable[..., Page], site: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme)
    page.goto(site.base_url + permalink(page, site).lstrip("/"))
    assert page.locator("#comment-form").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_results_page_has_no_serious_axe_violations(
    new_page: Callable[..., Page], site: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme)
    page.goto(f"{site.base_url}search/?q=echo")
    assert page.locator(".search-result").count() > 0
    assert_accessible(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_admin_writing_page_has_no_serious_axe_violations(
    new_page: Callable[..., Page], site: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme)
    admin_login(page, site, next_path="admin/posts/post/add/")
    # With a rendered preview, so the pane's Markdown styles are checked too.
    page.locator("#id_body").fill("## A heading\n\nSome *emphasis*, `code` and a [link](/).")
    page.locator("#id_body_preview h2").wait_for()
    # Django's own SelectFilter2.js (the categories picker) gives its search icon, a plain
    # span, an aria-label: axe's aria-prohibited-attr. It is Django's markup, not ours.
    assert_accessible(page, exclude=[".selector .help-tooltip"])


# Everything a reader can operate; hidden ones (display: none, the honeypot) are left out.
INTERACTIVE = "a[href], summary, button, input:not([type=hidden]), select, textarea, [tabindex]"

# Marks every interactive element the reader can reach, and returns how many there are.
MARK_INTERACTIVE = """(selector) => {
  const reachable = [...document.querySelectorAll(selector)].filter(
    (el) => el.tabIndex >= 0 && !el.disabled && !el.closest("[hidden], [aria-hidden=true]")
      && el.getClientRects().length > 0
  );
  reachable.forEach((el, index) => el.setAttribute("data-keyboard-index", String(index)));
  return reachable.length;
}"""

# The focus indicator's computed style, of the focused element or of one given.
FOCUS_STYLE = """(el) => {
  el = el || document.activeElement;
  const style = getComputedStyle(el);
  return {
    index: el.getAttribute("data-keyboard-index"),
    tag: el.tagName.toLowerCase(),
    text: (el.textContent || el.getAttribute("aria-label") || el.id || "").trim().slice(0, 40),
    outline: style.outlineStyle === "none" ? "" :
      `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow === "none" ? "" : style.boxShadow,
  };
}"""

# Keeps the style of every element as Tab focuses it, in window.focusStyles.
RECORD_FOCUS = (
    "() => { window.focusStyles = []; document.addEventListener('focusin', (event) => "
    "window.focusStyles.push((" + FOCUS_STYLE + ")(event.target))); }"
)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_home_page_reaches_everything_by_keyboard_with_a_visible_focus_ring(
    new_page: Callable[..., Page], site: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme)
    page.goto(site.base_url)
    count = page.evaluate(MARK_INTERACTIVE, INTERACTIVE)
    assert count > 10
    page.evaluate(RECORD_FOCUS)
    for _ in range(count):
        page.keyboard.press("Tab")
    focused: dict[str, dict[str, Any]] = {}
    for style in page.evaluate("() => window.focusStyles"):
        if style["index"] is not None:
            focused.setdefault(style["index"], style)

    missed = page.evaluate(
        """(seen) => [...document.querySelectorAll("[data-keyboard-index]")]
            .filter((el) => !seen.includes(el.dataset.keyboardIndex))
            .map((el) => el.outerHTML.slice(0, 120))""",
        list(focused),
    )
    assert not missed, f"not reachable with Tab: {missed}"

    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    invisible = []
    for index, when_focused in focused.items():
        element = page.locator(f"[data-keyboard-index='{index}']")
        resting = element.evaluate(FOCUS_STYLE)
        ring = when_focused["outline"] and when_focused["outlineWidth"] >= 2
        shadow = when_focused["boxShadow"] and when_focused["boxShadow"] != resting["boxShadow"]
        changed = (when_focused["outline"], when_focused["boxShadow"]) != (
            resting["outline"],
            resting["boxShadow"],
        )
        if not (changed and (ring or shadow)):
            invisible.append(when_focused)
    assert not invisible, f"no visible focus indicator: {invisible}"
