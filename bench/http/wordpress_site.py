"""WordPress 6 from Debian's packages, serving a WXR file's content: the bench/http baseline.

    python bench/http/wordpress_site.py FILE.wxr --port 8099 [--workdir DIR]

starts it, prints the URLs to request and waits for Ctrl+C. From the benchmark driver::

    site = WordPressSite.start(wxr_path, port=8099, workdir=Path("/tmp/wp"))
    try:
        ...  # load site.urls["permalink"], ["home"], ["category"], ["search"], ["rss"]
    finally:
        site.stop()
        if arguments.workdir is None:  # ours: configs and logs go with the run
            shutil.rmtree(workdir, ignore_errors=True)

What ``start`` does, in order (it needs root, like the package install and the config file):

1. When WordPress, php-fpm or the PHP CLI is missing, it runs ``wordpress/setup.sh`` itself
   (apt-get from Debian's archive only; idempotent, see the script) rather than stopping with
   a message: the packages are the baseline's definition, not a choice left to the user.
2. Makes a fresh MariaDB database ``yamabiko_bench_wp`` and user ``yamabiko_wp`` (dropped
   first if a previous run left them), as MariaDB's root over its unix socket.
3. Writes ``/etc/wordpress/config-yamabiko-bench.php`` (database credentials, cron off,
   no outgoing HTTP). Debian's ``/usr/share/wordpress/wp-config.php`` only ever reads
   ``/etc/wordpress/config-<name>.php``, with ``<name>`` from the Host header or from the
   ``WORDPRESS_CONFIG`` server variable; nginx passes ``WORDPRESS_CONFIG=yamabiko-bench``
   so the Host (127.0.0.1:port) does not matter. The file is removed by ``stop``.
4. Runs ``wordpress/load-wxr.php`` (PHP CLI): ``wp_install``, then the file's authors,
   terms, posts, pages, attachments and comments through WordPress's API, pretty
   permalinks ``/%year%/%monthnum%/%postname%/``, the default theme (twentytwentythree).
5. Starts a private php-fpm master (a static pool of 2 x cores workers, on a unix socket in
   the work dir; Debian's php.ini, so OPcache on) and a private nginx (one worker a core,
   no access log) on 127.0.0.1:port, both in their own sessions with configs, logs and pid
   files in the work dir. The work dir is made traversable (0755) so that the workers,
   which run as www-data, reach the socket.
6. Checks every URL answers 200 with the content it should show.

``stop`` stops nginx and php-fpm, drops the database and user and removes the config file.
Only one site can run at a time (one database name, one config file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent / "wordpress"
SETUP = HERE / "setup.sh"
LOADER = HERE / "load-wxr.php"
WORDPRESS = Path("/usr/share/wordpress")
PHP_FPM = "php-fpm8.2"
NGINX = "/usr/sbin/nginx"
DATABASE = "yamabiko_bench_wp"
DB_USER = "yamabiko_wp"
CONFIG_NAME = "yamabiko-bench"
CONFIG_FILE = Path(f"/etc/wordpress/config-{CONFIG_NAME}.php")
WEB_USER = "www-data"
URL_KEYS = ("permalink", "home", "category", "search", "rss")


class WordPressError(RuntimeError):
    """The baseline could not be set up or did not serve what it should."""


# --- the packages and the database ----------------------------------------------------------


def is_installed() -> bool:
    programs = (PHP_FPM, "php", "mariadb")
    return (WORDPRESS / "wp-settings.php").is_file() and all(map(shutil.which, programs))


def ensure_installed() -> None:
    if is_installed():
        return
    if os.geteuid() != 0:
        raise WordPressError(f"WordPress is not installed: run `sudo sh {SETUP}` first")
    subprocess.run(["sh", str(SETUP)], check=True)  # noqa: S603, S607 - our own script
    if not is_installed():
        raise WordPressError(f"{SETUP} ran but WordPress or php-fpm is still missing")


def mariadb(sql: str) -> None:
    """Run SQL as MariaDB's root over the local socket (Debian's default authentication)."""
    command = ["mariadb", "--user=root", "--batch", "--execute", sql]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        hint = "is MariaDB running? `start-stop-daemon --start --oknodo --background --exec "
        raise WordPressError(f"mariadb: {result.stderr.strip()} ({hint}/usr/sbin/mariadbd`)")


def create_database(password: str) -> None:
    for host in ("localhost", "127.0.0.1"):
        mariadb(f"DROP USER IF EXISTS '{DB_USER}'@'{host}'")
    mariadb(
        f"DROP DATABASE IF EXISTS {DATABASE}; "
        f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
        f"CREATE USER '{DB_USER}'@'localhost' IDENTIFIED BY '{password}'; "
        f"GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{DB_USER}'@'localhost'"
    )


def drop_database() -> None:
    mariadb(f"DROP DATABASE IF EXISTS {DATABASE}; DROP USER IF EXISTS '{DB_USER}'@'localhost'")


def write_wordpress_config(password: str) -> None:
    """The host config Debian's wp-config.php requires (see the module's docstring)."""
    CONFIG_FILE.parent.mkdir(parents=True, exist_ok=True)
    CONFIG_FILE.unlink(missing_ok=True)
    descriptor = os.open(CONFIG_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with open(descriptor, "w", encoding="utf-8") as config:  # readable by root and www-data
        config.write(
            "<?php\n"
            "// Written by Yamabiko's bench/http/wordpress_site.py; removed when the run stops.\n"
            f"define('DB_NAME', '{DATABASE}');\n"
            f"define('DB_USER', '{DB_USER}');\n"
            f"define('DB_PASSWORD', '{password}');\n"
            "define('DB_HOST', 'localhost');\n"
            "define('DB_CHARSET', 'utf8mb4');\n"
            "define('WP_DEBUG', false);\n"
            "define('DISABLE_WP_CRON', true); // no cron requests spawned in the middle of a run\n"
            "define('WP_HTTP_BLOCK_EXTERNAL', true); // no update checks to wordpress.org\n"
            "define('AUTOMATIC_UPDATER_DISABLED', true);\n"
        )
    if os.geteuid() == 0:
        shutil.chown(CONFIG_FILE, "root", WEB_USER)


def load_content(wxr_path: Path, base_url: str) -> dict[str, object]:
    """Install WordPress and load the file; return the loader's summary (its last line)."""
    command = ["php", str(LOADER), f"--wxr={wxr_path}", f"--url={base_url}"]
    command.append(f"--config={CONFIG_NAME}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise WordPressError(f"load-wxr.php failed:\n{result.stdout}{result.stderr}")
    summary: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


# --- the servers --------------------------------------------------------------------------------


def fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    return template


def write_configs(workdir: Path, port: int, children: int, workers: int) -> Path:
    """Write php-fpm.conf and nginx.conf into the work dir; return the socket's path."""
    socket = workdir / "php-fpm.sock"
    root = os.geteuid() == 0
    values = {
        "WORKDIR": str(workdir),
        "SOCKET": str(socket),
        "PORT": str(port),
        "CONFIG": CONFIG_NAME,
        "CHILDREN": str(children),
        "WORKERS": str(workers),
    }
    php_user = f"user = {WEB_USER}\ngroup = {WEB_USER}" if root else ""
    template = (HERE / "php-fpm.conf.template").read_text(encoding="utf-8")
    (workdir / "php-fpm.conf").write_text(fill(template, values | {"USER": php_user}))
    template = (HERE / "nginx.conf.template").read_text(encoding="utf-8")
    nginx_user = f"user {WEB_USER};" if root else ""
    (workdir / "nginx.conf").write_text(fill(template, values | {"USER": nginx_user}))
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "nginx-tmp" / name).mkdir(parents=True, exist_ok=True)
    return socket


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - fixed programs, our own arguments
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
            start_new_session=True,
        )  # fmt: skip


def wait_until(
    ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise WordPressError(f"{what} exited ({process.returncode}); see {log}")
        if ready():
            return
        time.sleep(0.05)
    raise WordPressError(f"{what} did not come up in 20 s; see {log}")


def stop_process(process: subprocess.Popen[bytes] | None, quit_signal: int) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(quit_signal)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own URL
            return bool(response.status)
    except urllib.error.HTTPError:
        return True  # an answer all the same: the server is up
    except OSError:
        return False


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own URL
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def check(urls: dict[str, str], expected: dict[str, tuple[str, ...]]) -> None:
    """Each URL must answer 200 and show the texts it is there for."""
    for key, url in urls.items():
        status, body = fetch(url)
        missing = [text for text in expected[key] if text not in body]
        if status != 200 or missing:
            raise WordPressError(f"{key} {url}: status {status}, without {missing}")


# --- the site -----------------------------------------------------------------------------------


@dataclass(slots=True)
class WordPressSite:
    port: int
    workdir: Path
    urls: dict[str, str] = field(default_factory=dict)
    summary: dict[str, object] = field(default_factory=dict)
    php_fpm: subprocess.Popen[bytes] | None = None
    nginx: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(
        cls, wxr_path: Path, port: int, workdir: Path, *, children: int | None = None
    ) -> WordPressSite:
        """Install (if needed), load ``wxr_path`` and serve it on 127.0.0.1:``port``."""
        ensure_installed()
        cores = os.cpu_count() or 1
        workdir = workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        workdir.chmod(0o755)
        site = cls(port=port, workdir=workdir)
        if answers(site.base_url + "/"):
            raise WordPressError(f"something already answers on {site.base_url}")
        try:
            site.prepare(wxr_path.resolve())
            site.serve(children or 2 * cores, cores)
            check(site.urls, site.expected())
        except BaseException:
            with contextlib.suppress(Exception):  # the first error is the one to see
                site.stop()
            raise
        return site

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, wxr_path: Path) -> None:
        password = secrets.token_hex(16)
        create_database(password)
        write_wordpress_config(password)
        self.summary = load_content(wxr_path, self.base_url)
        self.urls = {key: self.base_url + str(self.summary[key]) for key in URL_KEYS}

    def serve(self, children: int, workers: int) -> None:
        socket = write_configs(self.workdir, self.port, children, workers)
        socket.unlink(missing_ok=True)
        fpm_log = self.workdir / "php-fpm.out"
        fpm_command = [PHP_FPM, "-F", "-y", str(self.workdir / "php-fpm.conf")]
        self.php_fpm = spawn(fpm_command, fpm_log)
        wait_until(socket.exists, "php-fpm", self.php_fpm, fpm_log)
        nginx_log = self.workdir / "nginx.out"
        config = str(self.workdir / "nginx.conf")
        error_log = str(self.workdir / "nginx-error.log")
        nginx_command = [NGINX, "-p", str(self.workdir), "-c", config, "-e", error_log]
        self.nginx = spawn([*nginx_command, "-g", "daemon off;"], nginx_log)
        wait_until(lambda: answers(self.base_url + "/"), "nginx", self.nginx, nginx_log)

    def expected(self) -> dict[str, tuple[str, ...]]:
        """Texts each page must contain: proof it shows the content, not an error page."""
        post = "wp-block-post-title"
        return {
            "permalink": (str(self.summary["permalink_title"]), '<li id="comment-'),
            "home": (post,),
            "category": (post, str(self.summary["category_name"])),
            "search": (post, str(self.summary["search_word"])),
            "rss": ("<rss", "<item>"),
        }

    def stop(self) -> None:
        """Stop nginx and php-fpm, drop the database and remove the WordPress config."""
        stop_process(self.nginx, signal.SIGQUIT)  # graceful: finish open requests
        stop_process(self.php_fpm, signal.SIGQUIT)
        self.nginx = self.php_fpm = None
        drop_database()
        CONFIG_FILE.unlink(missing_ok=True)


def serve_until_interrupted(site: WordPressSite) -> None:
    try:
        print(json.dumps(site.summary, ensure_ascii=False))
        for key, url in site.urls.items():
            print(f"{key:10} {url}")
        print("Serving; Ctrl+C stops it.", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("wxr", type=Path, help="the WXR file to load")
    parser.add_argument("--port", type=int, default=8099, help="port on 127.0.0.1 (8099)")
    parser.add_argument("--workdir", type=Path, help="configs and logs (a new temporary dir)")
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly when killed, too
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with "&"
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="yamabiko-wordpress-"))
    try:
        serve_until_interrupted(WordPressSite.start(arguments.wxr, arguments.port, workdir))
    finally:
        if arguments.workdir is None:  # ours: configs and logs go with the run
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
