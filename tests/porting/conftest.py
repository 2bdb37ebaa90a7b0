"""Locate the shared real-export fixtures; skip (or fail in CI) when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        reason = f"real export fixtures not found at {FIXTURES}"
        if os.environ.get("YAMABIKO_REQUIRE_FIXTURES") == "1":
            pytest.fail(reason + " (YAMABIKO_REQUIRE_FIXTURES=1)")
        pytest.skip(reason)
    return FIXTURES
