"""`yamabiko demo`: a blog with sample posts and a known admin login, in one command."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yamabiko.cli.base import blog_time
from yamabiko.cli.server import (
    bind_address,
    default_workers,
    port_check,
    site_prepare,
    site_serve,
    site_url_default,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ADMIN_USERNAME = "admin"
LOGIN_FILE = "demo-admin-password"
WORKER_STOP_SECONDS = 10


def admin_password(data_dir: Path) -> str:
    """The demo admin's password: generated once per data dir, readable only by its owner."""
    path = data_dir / LOGIN_FILE
    if path.exists():
        path.chmod(0o600)
        password = path.read_text().strip()
        if password:
            return password
        path.unlink()
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def admin_ensure(password: str) -> User:
    """A superuser `admin` with ``password``, re-applied so the printed login always works."""
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    admin = users.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        return users.create_superuser(ADMIN_USERNAME, email="", password=password)
    admin.is_superuser = admin.is_staff = admin.is_active = True
    admin.set_password(password)
    admin.save()
    return admin


def worker_start(data_dir: Path) -> subprocess.Popen[bytes]:
    # A relative YAMABIKO_DATA_DIR must name the same directory in the child.
    env = {**os.environ, "YAMABIKO_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "yamabiko", "worker"]
    return subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module


def worker_stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def demo(*, port: int, host: str) -> None:
    """Run a demo blog: sample posts, an admin login and a worker.

    Uses the data dir (YAMABIKO_DATA_DIR, default ./yamabiko-data), making it on the first
    run and reusing it, content and login included, on every later one.
    """
    port_check(host, port)
    site_url_default(host, port)
    site_prepare()
    from yamabiko.config import get_config
    from yamabiko.posts.demo import demo_load

    data_dir = get_config().data_dir
    with blog_time():
        password = admin_password(data_dir)
        loaded = demo_load(author=admin_ensure(password))
        site = f"http://{bind_address(host, port)}/"
        click.echo(f"Yamabiko demo, data in {data_dir}")
        click.echo("Sample posts loaded." if loaded else "The blog has posts; none added.")
        click.echo(f"  site   {site}")
        click.echo(f"  admin  {site}admin/  user {ADMIN_USERNAME} / password {password}")
        click.echo("Press Ctrl+C to stop.")
        process = worker_start(data_dir)
        try:
            site_serve(host=host, port=port, workers=default_workers())
        finally:
            worker_stop(process)
