"""The screenshots in docs/screenshots, made again by every run (README.md shows them).

The home page and a permalink, at desktop and phone widths, light and dark, of the frozen
demo (frozen_demo.py), so a run that changes nothing rewrites nothing. A page that logs a
console error fails its test (the harness watches every page).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.frozen_demo import frozen_demo_site

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 390, "height": 844}}
# The demo's echo post: "▼ Title", "Category: Echoes", Japanese text, "17/2 20:44".
PERMALINK_TITLE = "山びこを聞きに行った日"
PERMALINK_CATEGORY = "category/mountains/echoes/"


@pytest.fixture(scope="module")
def frozen_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with frozen_demo_site(tmp_path_factory.mktemp("frozen")) as base_url:
        yield base_url


def save_if_changed(png: bytes, path: Path) -> None:
    """Write ``png`` unless the file holds these bytes already, so git sees no churn."""
    if not path.exists() or path.read_bytes() != png:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)


def shoot(page: Page, name: str, *, down_to: Locator | None = None) -> None:
    """The viewport, or from the top of the page down to the bottom of ``down_to``."""
    # The fonts (Noto CJK for the Japanese post) must be in before the picture is taken.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    clip = None
    if down_to is not None:
        box = down_to.bounding_box()
        assert box is not None
        viewport = page.viewport_size
        assert viewport is not None
        clip = {
            "x": 0,
            "y": 0,
            "width": viewport["width"],
            "height": round(box["y"] + box["height"]) + 24,
        }
    png = page.screenshot(
        full_page=clip is not None, clip=clip, animations="disabled", caret="hide"
    )
    save_if_changed(png, SCREENSHOTS / name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_the_home_page_and_a_permalink(
    new_page: Callable[..., Page], frozen_site: str, width: str, scheme: str
) -> None:
    page = new_page(color_scheme=scheme, is_mobile=width == "mobile", **WIDTHS[width])

    page.goto(frozen_site)
    first = page.locator("article.entry").first
    expect(first.locator("summary .fold-open")).to_have_text("▼")
    expect(first.locator(".entry-category")).to_contain_text("Category:")
    shoot(page, f"home-{width}-{scheme}.png")

    page.goto(f"{frozen_site}{PERMALINK_CATEGORY}")
    page.get_by_role("link", name=PERMALINK_TITLE, exact=True).click()
    expect(page.locator("h1.entry-title")).to_have_text(PERMALINK_TITLE)
    expect(page.locator(".entry-date")).to_have_text("17/2 20:44")
    expect(page.locator(".entry-comments")).to_have_text("Comment (0)")
    expect(page.locator(".entry-trackbacks")).to_have_text("Trackback (0)")
    # Down to "17/2 20:44 · Comment (0) · Trackback (0)", under the whole entry.
    shoot(page, f"permalink-{width}-{scheme}.png", down_to=page.locator(".entry-meta"))
