"""The text `yamabiko nginx-config` prints (what nginx does with it: test_nginx.py)."""

from __future__ import annotations

import pytest

from yamabiko.pagecache.nginx import NginxSite, nginx_config, shared_headers
from yamabiko.posts import services
from yamabiko.posts.models import Blog

pytestmark = pytest.mark.django_db

SITE = NginxSite(listen="8080", upstream="127.0.0.1:8000", server_name="blog.example")


def pingback_map(text: str) -> str:
    return text.split("map $uri $yamabiko_pingback {", 1)[1].split("}", 1)[0]


def test_pages_name_the_pingback_server_only_while_xmlrpc_is_on(blog: Blog):
    assert "/xmlrpc/'" in pingback_map(nginx_config(SITE, []))

    services.blog_setting_set(key="xmlrpc_enabled", value="false")

    assert "xmlrpc" not in pingback_map(nginx_config(SITE, []))


def test_the_headers_repeated_are_those_of_a_rendered_page_less_per_response_ones(blog: Blog):
    names = {name.lower() for name, _ in shared_headers()}
    assert {"x-content-type-options", "referrer-policy", "cache-control"} <= names
    assert not names & {"etag", "content-length", "date", "x-yamabiko-cache", "set-cookie"}


def test_personal_cookies_and_query_strings_never_reach_the_mirror(blog: Blog):
    text = nginx_config(SITE, [])
    assert "sessionid" in text
    assert "yamabiko_commenter" in text
    assert '"~^(GET|HEAD):0::.*/$" "";' in text
    assert "upstream yamabiko {\n    server 127.0.0.1:8000;" in text


def test_the_policy_repeated_for_files_names_the_mirror_directorys_nonce(blog: Blog):
    policies = [value for name, value in shared_headers() if name == "Content-Security-Policy"]
    assert len(policies) == 1
    assert "'nonce-$yamabiko_nonce'" in policies[0]
    assert "'strict-dynamic'" in policies[0]
    text = nginx_config(SITE, shared_headers())
    assert "map $realpath_root $yamabiko_nonce {" in text
    assert "add_header Content-Security-Policy '" in text
