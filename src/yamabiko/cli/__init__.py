"""The `yamabiko` command: run, serve and script a blog.

Every command prints ``--help``; errors are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import click

from yamabiko import __version__
from yamabiko.cli.backup import backup, restore
from yamabiko.cli.base import YamabikoGroup
from yamabiko.cli.blog import config
from yamabiko.cli.check import check
from yamabiko.cli.demo import demo
from yamabiko.cli.linkbacks import linkbacks
from yamabiko.cli.manage import manage
from yamabiko.cli.nginx import nginx_config
from yamabiko.cli.porting import export, import_
from yamabiko.cli.posts import post
from yamabiko.cli.search import search
from yamabiko.cli.server import serve, worker

__all__ = ["cli", "main"]


@click.group(cls=YamabikoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yamabiko", message="%(prog)s %(version)s")
def cli() -> None:
    """Yamabiko, a self-hosted weblog engine.

    The environment (YAMABIKO_DATA_DIR, DATABASE_URL, YAMABIKO_SITE_URL, …) says which
    blog the commands work on; `yamabiko demo` starts one to try.
    """


for command in (
    demo,
    serve,
    worker,
    post,
    config,
    search,
    linkbacks,
    import_,
    export,
    backup,
    restore,
    nginx_config,
    check,
    manage,
):
    cli.add_command(command)


def main() -> None:
    """Console entry point; the program name stays `yamabiko` under `python -m yamabiko`."""
    cli(prog_name="yamabiko")
