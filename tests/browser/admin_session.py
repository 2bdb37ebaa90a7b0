"""Logging in to the admin as the site's writer, as a person does: through the login form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Page


def admin_login(page: Page, site: Any, *, next_path: str = "admin/") -> None:
    """Log in at /admin/login/ with the site's admin account and land on ``next_path``."""
    page.goto(f"{site.base_url}admin/login/?next=/{next_path}")
    page.get_by_label("Username").fill(site.admin_username)
    page.get_by_label("Password").fill(site.admin_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{site.base_url}{next_path}")
