"""`yamabiko import …` and `yamabiko export …` as a user types them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import (
    Invoke,
    assert_ok,
    assert_one_line_error,
    assert_process_one_line_error,
    run_process,
)
from yamabiko.discussion.models import Comment
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

MT = """AUTHOR: Kana
TITLE: 最初の記事
BASENAME: first
STATUS: Publish
DATE: 01/02/2020 10:00:00
-----
BODY:
本文です。
<img src="http://media.example/photo.jpg">
-----
COMMENT:
AUTHOR: Reader
DATE: 01/03/2020 10:00:00
Nice post
-----
--------
"""


@pytest.fixture
def mt_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.txt"
    path.write_text(MT, encoding="utf-8")
    return path


def test_import_prints_a_summary_table_and_lists_media(
    run_cli: Invoke, mt_file: Path, blog: Blog
) -> None:
    result = run_cli("import", "mt", str(mt_file))
    assert_ok(result)
    rows = {}
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in re.split("[│┃]", line.strip().strip("│┃"))]
        if len(cells) == 5:
            rows[cells[0]] = cells[1:]
    assert rows["kind"] == ["created", "updated", "unchanged", "skipped"]
    assert rows["post"] == ["1", "0", "0", "0"]
    assert rows["comment"] == ["1", "0", "0", "0"]
    assert "http://media.example/photo.jpg" in result.stdout
    assert Post.objects.get().comment_count == 1


def test_a_dry_run_says_so_and_stores_nothing(run_cli: Invoke, mt_file: Path, blog: Blog) -> None:
    result = run_cli("import", "mt", "--dry-run", str(mt_file))
    assert_ok(result)
    assert "dry run" in result.stdout
    assert Post.objects.count() == 0
    assert Comment.objects.count() == 0


def test_a_malformed_file_is_one_line_with_its_line_number(
    run_cli: Invoke, tmp_path: Path, blog: Blog
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("TITLE: x\nDATE: 13/45/2020 99:00:00\n-----\nBODY:\nx\n-----\n--------\n")
    result = run_cli("import", "mt", str(bad))
    assert_one_line_error(result)
    assert f"{bad}:2" in result.stderr
    assert Post.objects.count() == 0


def test_an_unknown_encoding_is_refused(run_cli: Invoke, mt_file: Path, blog: Blog) -> None:
    assert_one_line_error(run_cli("import", "mt", "--encoding", "klingon", str(mt_file)))


def test_a_missing_file_is_a_usage_error(run_cli: Invoke, tmp_path: Path, blog: Blog) -> None:
    result = run_cli("import", "wxr", str(tmp_path / "nope.xml"))
    assert result.exit_code == 2


def test_export_json_writes_the_file_only_when_complete(
    run_cli: Invoke, mt_file: Path, tmp_path: Path, blog: Blog
) -> None:
    assert_ok(run_cli("import", "mt", str(mt_file)))
    target = tmp_path / "site.jsonl"
    assert_ok(run_cli("export", "json", "-o", str(target)))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "yamabiko"
    assert any("最初の記事" in line for line in lines)
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize(("format", "marker"), [("wxr", "<wp:wxr_version>"), ("mt", "--------")])
def test_export_to_standard_output(
    run_cli: Invoke, mt_file: Path, blog: Blog, format: str, marker: str
) -> None:
    assert_ok(run_cli("import", "mt", str(mt_file)))
    result = run_cli("export", format)
    assert_ok(result)
    assert marker in result.stdout
    assert "最初の記事" in result.stdout


def test_a_fresh_data_dir_imports_and_exports_from_a_real_process(
    mt_file: Path, process_env: dict[str, str], tmp_path: Path
) -> None:
    imported = run_process("import", "mt", str(mt_file), env=process_env)
    assert imported.returncode == 0, imported.stderr
    assert "post" in imported.stdout
    exported = run_process("export", "mt", env=process_env)
    assert exported.returncode == 0, exported.stderr
    assert "TITLE: 最初の記事" in exported.stdout
    assert "COMMENT:" in exported.stdout


def test_a_json_export_restores_into_another_fresh_data_dir(
    mt_file: Path, process_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_process("import", "mt", str(mt_file), env=process_env).returncode == 0
    first = tmp_path / "first.jsonl"
    assert run_process("export", "json", "-o", str(first), env=process_env).returncode == 0
    elsewhere = {**process_env, "YAMABIKO_DATA_DIR": str(tmp_path / "elsewhere")}
    restored = run_process("import", "json", str(first), env=elsewhere)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    again = run_process("export", "json", env=elsewhere)
    assert again.stdout == first.read_text(encoding="utf-8")
    refused = run_process("import", "json", str(first), env=elsewhere)
    assert_process_one_line_error(refused)
    assert "empty" in refused.stderr
