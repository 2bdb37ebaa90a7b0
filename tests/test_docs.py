"""Docs that a test can check: every setting, command and option is documented."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import click

from yamabiko.cli import cli
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


def cli_commands(
    command: click.Command, path: str = "yamabiko"
) -> Iterator[tuple[str, click.Command]]:
    """Every command below the root, the root included, with its full path."""
    yield path, command
    if isinstance(command, click.Group):
        for name, child in command.commands.items():
            yield from cli_commands(child, f"{path} {name}")


def cli_doc_code_and_headings() -> str:
    """The parts of docs/cli.md that name commands: headings, code spans and code blocks."""
    text = (DOCS / "cli.md").read_text()
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    headings = [line for line in prose.splitlines() if line.startswith("#")]
    spans = re.findall(r"`([^`\n]+)`", prose)
    return "\n".join([*blocks, *headings, *spans])


def test_cli_command_walk_finds_subcommands() -> None:
    paths = [path for path, _ in cli_commands(cli)]
    assert "yamabiko post new" in paths
    assert "yamabiko config set" in paths


def test_every_cli_command_is_documented() -> None:
    named = cli_doc_code_and_headings()
    for path, _ in cli_commands(cli):
        assert re.search(rf"(?<![\w-]){re.escape(path)}(?![\w-])", named), path


def test_every_cli_option_is_documented() -> None:
    named = cli_doc_code_and_headings()
    for path, command in cli_commands(cli):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            for option in [*param.opts, *param.secondary_opts]:
                if option.startswith("--"):
                    pattern = rf"(?<![\w-]){re.escape(option)}(?![\w-])"
                    assert re.search(pattern, named), f"{path} {option}"
