"""Static files as production serves them: hashed names, precompressed, cached for good.

The suite's autouse fixture (tests/conftest.py) swaps in plain storage because the
manifest storage cannot resolve a name before ``collectstatic`` has run. Here it runs, into
a temporary STATIC_ROOT, with the storage settings.py picks when YAMABIKO_DEBUG is off.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
ONE_YEAR = 365 * 24 * 3600
# Big enough to be worth compressing: WhiteNoise skips a .gz that saves too little.
STYLESHEET = "posts/classic.css"

# WhiteNoise answers before any view, but closing a response ends the request, and Django
# then checks the database connection it may have left open.
pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings: LazySettings, tmp_path: Path) -> Path:
    root = tmp_path / "static"
    settings.STATIC_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_production_storage_is_whitenoises_compressed_manifest(settings: LazySettings) -> None:
    from yamabiko import settings as project_settings

    # settings.py decides at import; the suite's DEBUG is off, as in production.
    assert not project_settings.DEBUG
    assert project_settings.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STORAGE


def test_hashed_static_file_is_cached_for_a_year_and_immutable(collected: Path) -> None:
    url = staticfiles_storage.url(STYLESHEET)
    assert url != f"/static/{STYLESHEET}", "the URL should carry the content hash"

    response = Client().get(url)
    response.close()

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    max_age = next(int(part[8:]) for part in cache_control if part.startswith("max-age="))
    assert max_age >= ONE_YEAR
    assert "immutable" in cache_control
    assert "public" in cache_control


def test_static_file_is_sent_gzipped_to_a_client_that_accepts_it(collected: Path) -> None:
    url = staticfiles_storage.url(STYLESHEET)
    plain = Client().get(url)
    plain.close()

    gzipped = Client().get(url, headers={"Accept-Encoding": "gzip, deflate"})
    gzipped.close()

    assert (collected / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
    assert gzipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped["Vary"]
    assert int(gzipped["Content-Length"]) < int(plain["Content-Length"])
    assert "Content-Encoding" not in plain
