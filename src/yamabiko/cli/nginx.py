"""`yamabiko nginx-config`: print an nginx configuration for this blog."""

from __future__ import annotations

import click

from yamabiko.cli.base import with_blog


@click.command("nginx-config")
@click.option(
    "--listen",
    default="80",
    show_default=True,
    help="nginx's listen parameter (a port, or address:port).",
)
@click.option(
    "--upstream",
    default="127.0.0.1:8000",
    show_default=True,
    help="Where `yamabiko serve` listens.",
)
@with_blog
def nginx_config(*, listen: str, upstream: str) -> None:
    """Print an nginx configuration that serves the page mirror and proxies the rest.

    With YAMABIKO_PAGE_MIRROR=1, nginx answers cached pages from files in the data dir
    without asking Yamabiko; everything else (logged-in authors, forms, searches, pages
    not mirrored yet) goes to `yamabiko serve` at --upstream.
    """
    from urllib.parse import urlsplit

    from django.conf import settings

    from yamabiko.pagecache.nginx import NginxSite, shared_headers
    from yamabiko.pagecache.nginx import nginx_config as make

    site = NginxSite(
        listen=listen,
        upstream=upstream,
        server_name=urlsplit(settings.YAMABIKO_SITE_URL).hostname or "_",
    )
    click.echo(make(site, shared_headers()), nl=False)
