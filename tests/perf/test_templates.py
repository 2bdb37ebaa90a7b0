"""Templates are compiled once per process: Django's cached loader wraps the others."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import LazySettings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.loaders.cached import Loader as CachedLoader

from yamabiko.config import load_config


def backend_from_settings(settings: LazySettings) -> DjangoTemplates:
    """A fresh engine built the way Django builds one from settings.TEMPLATES."""
    params: dict[str, Any] = {**settings.TEMPLATES[0], "NAME": "perf"}
    params["OPTIONS"] = dict(params["OPTIONS"])
    params.pop("BACKEND")
    return DjangoTemplates(params)


def test_yamabiko_debug_is_off_unless_set(tmp_path: Any) -> None:
    assert load_config({"YAMABIKO_DATA_DIR": str(tmp_path)}).debug is False
    assert load_config({"YAMABIKO_DATA_DIR": str(tmp_path), "YAMABIKO_DEBUG": "0"}).debug is False


@pytest.mark.parametrize("debug", [False, True])
def test_template_loaders_are_wrapped_in_the_cached_loader(
    settings: LazySettings, debug: bool
) -> None:
    # No "loaders" option: Django then wraps the filesystem and app loaders in its cached
    # loader, with DEBUG off and (since Django 4.1) on; setting loaders by hand would lose it.
    settings.DEBUG = debug
    assert "loaders" not in settings.TEMPLATES[0]["OPTIONS"]

    [loader] = backend_from_settings(settings).engine.template_loaders

    assert isinstance(loader, CachedLoader)
    assert [type(inner).__module__ for inner in loader.loaders] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]


def test_the_running_engine_compiles_a_template_once() -> None:
    engine = engines["django"]
    assert isinstance(engine, DjangoTemplates)

    first = engine.get_template("posts/_entry.html")
    second = engine.get_template("posts/_entry.html")

    assert isinstance(engine.engine.template_loaders[0], CachedLoader)
    assert first.template is second.template
