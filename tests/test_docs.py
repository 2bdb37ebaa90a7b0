"""Docs that a test can check: every setting is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from yamabiko.config import Config
from yamabiko.posts.services import BLOG_SETTING_KEYS

DOCS = Path(__file__).resolve().parent.parent / "docs"

# Config fields derived from one variable each; secret_key and the rest map by name.
VARIABLE_OF_FIELD = {
    "data_dir": "YAMABIKO_DATA_DIR",
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
}


def test_every_environment_variable_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for field in dataclasses.fields(Config):
        variable = VARIABLE_OF_FIELD.get(field.name, f"YAMABIKO_{field.name.upper()}")
        assert f"`{variable}`" in text, variable


def test_every_blog_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for key in BLOG_SETTING_KEYS:
        assert f"| `{key}` |" in text, key
