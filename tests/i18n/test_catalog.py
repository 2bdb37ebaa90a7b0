"""The Japanese catalog: complete, compiled from the .po as committed, covering every string.

The .mo check reads both files with Python alone (the standard library's gettext reads the
.mo), so it runs on a machine without GNU gettext; only the extraction check needs it.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

import yamabiko

PACKAGE = Path(yamabiko.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
CATALOG_KEY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def po_entries(path: Path) -> list[dict[str, str]]:
    """Each entry's fields (msgctxt, msgid, msgid_plural, msgstr[n]) and its flags."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, key = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif match := CATALOG_KEY.match(line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    return entries


def catalog_of_po(path: Path) -> dict[object, str]:
    """The .po as GNUTranslations keys its catalog: "ctxt\\x04id", (id, n) for plurals."""
    catalog: dict[object, str] = {}
    for entry in po_entries(path):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            forms = sorted(k for k in entry if k.startswith("msgstr["))
            for n, form in enumerate(forms):
                catalog[(msgid, n)] = entry[form]
        else:
            catalog[msgid] = entry["msgstr"]
    return catalog


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def test_there_is_a_japanese_catalog():
    assert LOCALE / "ja" / "LC_MESSAGES" / "django.po" in po_files()


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_and_none_is_fuzzy(po):
    for entry in po_entries(po)[1:]:  # the first is the header
        assert "fuzzy" not in entry.get("flags", ""), entry["msgid"]
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert translations, entry["msgid"]
        assert all(translations), entry["msgid"]


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parent.parent.name)
def test_compiled_catalog_matches_the_po(po):
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    expected = catalog_of_po(po)
    found = dict(compiled._catalog)  # type: ignore[attr-defined]
    # The header is compiled too, as the translation of the empty msgid; newer msgfmt
    # versions leave out its POT-Creation-Date.
    expected[""], found[""] = header_without_dates(expected[""]), header_without_dates(found[""])
    assert found == expected, "run `yamabiko manage compilemessages` in src/yamabiko"


def header_without_dates(header: str) -> str:
    return "\n".join(line for line in header.splitlines() if "Date:" not in line)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="extraction needs GNU gettext")
def test_every_marked_string_is_in_the_catalog(tmp_path, settings, monkeypatch):
    copy = tmp_path / "yamabiko"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["ja"], verbosity=0)

    extracted = po_entries(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    untranslated = [
        entry["msgid"]
        for entry in extracted[1:]
        if "fuzzy" in entry.get("flags", "")
        or not all(v for k, v in entry.items() if k.startswith("msgstr"))
    ]
    assert untranslated == [], "run makemessages -l ja in src/yamabiko and translate these"
