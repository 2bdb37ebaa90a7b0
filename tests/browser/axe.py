"""axe-core in the page: run its WCAG 2.1 A/AA rules and fail on serious or critical findings.

axe comes from the npm registry (package.json, package-lock.json; `./dev test` runs
`npm ci`). It goes into the page through ``page.evaluate`` rather than a ``<script>`` tag:
the site's Content-Security-Policy refuses injected script elements, while the DevTools
protocol evaluates outside the page's policy.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA: colour contrast AA is "color-contrast" in wcag2aa.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FAILING_IMPACTS = frozenset({"serious", "critical"})


@functools.cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        message = f"axe-core is not installed ({AXE_SCRIPT}); `./dev test` runs `npm ci`"
        if os.environ.get("YAMABIKO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_run(page: Page, *, exclude: Sequence[str] = ()) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (every impact), outside ``exclude``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    context = {"include": [["html"]], "exclude": [[selector] for selector in exclude]}
    options = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
    results: dict[str, Any] = page.evaluate(
        "([context, options]) => window.axe.run(context, options)", [context, options]
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def report(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: its id, impact, help and the nodes it found, with axe's why."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, *, exclude: Sequence[str] = ()) -> None:
    """Fail listing every serious or critical violation of WCAG 2.1 A/AA that axe finds.

    ``exclude`` names elements (CSS selectors) that are not ours to fix, each with its reason
    where it is passed.
    """
    found = serious(axe_run(page, exclude=exclude))
    assert not found, f"axe on {page.url}:\n{report(found)}"
