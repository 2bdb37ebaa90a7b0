"""`yamabiko config list|get|set`: the blog's settings, read and written through services."""

from __future__ import annotations

import click

from yamabiko.cli.base import with_blog
from yamabiko.core.exceptions import InvalidInput


def text_form(value: object) -> str:
    """The form `config set` accepts back, so `get` output can be fed to `set`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@click.group("config")
def config() -> None:
    """Read and change the blog's settings (title, timezone, …).

    A change reaches every running server process on its next request.
    """


@config.command("list")
@with_blog
def config_list() -> None:
    """Print every setting as `key = value` (list settings on one line, comma-separated)."""
    from yamabiko.posts.models import Blog
    from yamabiko.posts.services import blog_settings_dict

    for key, value in blog_settings_dict(Blog.load()).items():
        one_line = ", ".join(line.strip() for line in text_form(value).splitlines() if line.strip())
        click.echo(f"{key} = {one_line}")


@config.command("get")
@click.argument("key")
@with_blog
def config_get(*, key: str) -> None:
    """Print the value of setting KEY."""
    from yamabiko.posts.models import Blog
    from yamabiko.posts.services import BLOG_SETTING_KEYS, blog_settings_dict

    values = blog_settings_dict(Blog.load())
    if key not in values:
        raise InvalidInput(f"unknown setting {key!r}; known: {', '.join(BLOG_SETTING_KEYS)}")
    click.echo(text_form(values[key]))


@config.command("set")
@click.argument("key")
@click.argument("value")
@with_blog
def config_set(*, key: str, value: str) -> None:
    """Change setting KEY to VALUE and print the value now stored."""
    from yamabiko.posts.services import blog_setting_set

    blog = blog_setting_set(key=key, value=value)
    click.echo(text_form(getattr(blog, key)))
