"""An nginx configuration that answers mirrored pages from disk and passes the rest on.

nginx may serve a mirrored file only to the requests Yamabiko's own cache would answer
(mirror.py writes only what it stored): GET or HEAD, no query string, a path ending in
"/", and none of the cookies that make a page personal. Two ``map`` blocks turn that rule
into a directory prefix: none when it holds, a name that never exists otherwise, so
``try_files`` falls through to Yamabiko. The headers Django would have sent are repeated
for files, read from a page rendered now (so security headers added later follow when the
configuration is generated again); the Content-Security-Policy names the nonce of the
mirror directory the file came from, which nginx reads from the name ``current`` resolves
to (mirror.py writes pages with that nonce).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from yamabiko.discussion.advertise import pingback_endpoint, webmention_endpoint
from yamabiko.pagecache.mirror import CURRENT, FILE_NAMES, mirror_dir
from yamabiko.pagecache.store import private_cookies
from yamabiko.posts.models import Blog

__all__ = ["NginxSite", "nginx_config", "shared_headers"]

# Headers that describe one response, not every page: nginx makes its own for files.
PER_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-type",
        "date",
        "etag",
        "expires",
        "last-modified",
        "link",
        "server",
        "set-cookie",
        "x-pingback",
        "x-yamabiko-cache",
    }
)
# A directory the mirror never holds: it never writes a name starting with a dot.
NEVER = "/.yamabiko-never"
CSP_HEADER = "content-security-policy"
NONCE_SOURCE = re.compile(r"'nonce-[A-Za-z0-9_-]+'")


@dataclass(frozen=True, slots=True, kw_only=True)
class NginxSite:
    listen: str
    upstream: str
    server_name: str


def shared_headers() -> list[tuple[str, str]]:
    """The headers every public page carries, from the home page rendered now; the CSP
    nonce in them is nginx's variable for the mirror directory's nonce."""
    response = Client(headers={"host": urlsplit(settings.YAMABIKO_SITE_URL).netloc}).get("/")
    return [
        (name, NONCE_SOURCE.sub("'nonce-$yamabiko_nonce'", value))
        if name.lower() == CSP_HEADER
        else (name, value)
        for name, value in response.items()
        if name.lower() not in PER_RESPONSE_HEADERS
    ]


def quoted(value: str) -> str:
    """An nginx string literal: single quotes, with \\ and ' escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def header_lines(headers: Iterable[tuple[str, str]], indent: str) -> str:
    return "\n".join(f"{indent}add_header {name} {quoted(value)};" for name, value in headers)


def nginx_config(site: NginxSite, headers: list[tuple[str, str]]) -> str:
    root = mirror_dir()
    cookies = "|".join(re.escape(name) for name in sorted(private_cookies()))
    origin = settings.YAMABIKO_SITE_URL.rstrip("/")
    blog = Blog.load()
    hub = blog.websub_hub
    # Without XML-RPC there is no Pingback server to name (as the app's own pages do).
    pingback = pingback_endpoint() if blog.xmlrpc_enabled else ""
    feed_link = (f'<{hub}>; rel="hub", ' if hub else "") + f'<{origin}$yamabiko_path/>; rel="self"'
    page_link = f'<{webmention_endpoint()}>; rel="webmention"'
    tries = " ".join(f"$yamabiko_mirror$uri/{name}" for name in FILE_NAMES.values())
    # After try_files finds a file, $uri is that file's path: the maps below read it to
    # give pages and feeds the headers Yamabiko gives them.
    html = r"~/index\.html$"
    feed = r"~^(?<yamabiko_path>.*?)/+index\.(rss|atom)$"
    return f"""\
# nginx configuration for {settings.YAMABIKO_SITE_URL}, made by `yamabiko nginx-config`.
# Put it in /etc/nginx/conf.d/ (it belongs in the http block). Make it again after changing
# the site URL, the WebSub hub, XML-RPC on or off, or Yamabiko's version. Needs
# YAMABIKO_PAGE_MIRROR=1 for the app server and the worker; without a mirror every request
# simply goes to Yamabiko.

# 1 when the request carries a cookie that makes a page personal (an author, a commenter).
map $http_cookie $yamabiko_personal {{
    default 0;
    "~(^|;)\\s*({cookies})=" 1;
}}

# Where try_files looks: the mirror only for what Yamabiko's own cache would answer.
map "$request_method:$yamabiko_personal:$args:$uri" $yamabiko_mirror {{
    default {NEVER};
    "~^(GET|HEAD):0::.*/$" "";
}}

# The CSP nonce of the mirror directory a file was served from: the end of its name.
map $realpath_root $yamabiko_nonce {{
    default "";
    "~-(?<yamabiko_directory_nonce>[0-9a-f]+)$" $yamabiko_directory_nonce;
}}

map $uri $yamabiko_link {{
    default "";
    "{feed}" {quoted(feed_link)};
    "{html}" {quoted(page_link)};
}}

map $uri $yamabiko_pingback {{
    default "";
    "{html}" {quoted(pingback)};
}}

upstream yamabiko {{
    server {site.upstream};
}}

server {{
    listen {site.listen};
    server_name {site.server_name};
    charset utf-8;
    charset_types application/rss+xml application/atom+xml;

    location / {{
        root {root / CURRENT};
        try_files {tries} @yamabiko;
        # What Yamabiko sends with these pages, repeated for the files.
{header_lines(headers, "        ")}
        add_header Link $yamabiko_link;
        add_header X-Pingback $yamabiko_pingback;
    }}

    location @yamabiko {{
        proxy_pass http://yamabiko;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }}
}}
"""
