"""The Content-Security-Policy: on every page, naming the nonce every script of ours carries.

A page passes when the browser would run exactly our scripts: each executable script tag
carries the nonce the header names, nothing else could run (no inline handlers, no
javascript: URLs), and every inline style is one the policy allows by hash.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.discussion.factories import CommentFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory
from yamabiko.core.csp import ALIGNMENTS, content_security_policy
from yamabiko.core.text import render_markdown, sanitize_html
from yamabiko.discussion.models import CommentStatus
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

# Script types a browser does not run: data blocks such as JSON-LD.
DATA_BLOCKS = {"application/ld+json", "application/json"}
TABLE = "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n"


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def style_source(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


def assert_only_our_scripts_run(html: bytes, policy: str) -> str:
    """Check a page against its policy; returns the nonce it names."""
    rules = directives(policy)
    nonces = [v[len("'nonce-") : -1] for v in rules["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1, policy
    assert "'strict-dynamic'" in rules["script-src"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    page = BeautifulSoup(html, "html.parser")
    scripts = [s for s in page.find_all("script") if s.get("type") not in DATA_BLOCKS]
    assert scripts, "no script of ours on the page"
    for script in scripts:
        assert script.get("nonce") == nonces[0], script
        assert script.get("src"), f"inline script: {script}"
    for element in page.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, element
        if "style" in element.attrs:
            assert style_source(element["style"]) in rules["style-src"], element
    return nonces[0]


@pytest.fixture
def post(blog: Blog) -> Post:
    valley = CategoryFactory(name="Valleys")
    post = PostFactory(title="Echo valley", body=f"A shout.\n\n{TABLE}", categories=[valley])
    CommentFactory(post=post, body="A reply.", status=CommentStatus.APPROVED)
    return post


@pytest.mark.parametrize(
    "url",
    ["/", "PERMALINK", "CATEGORY", "/search/?q=echo", "/about/", "/2099/no-such-page/"],
)
def test_every_public_page_runs_only_scripts_with_its_nonce(client: Client, post: Post, url: str):
    page = PageFactory(title="About", slug="about")
    url = {
        "PERMALINK": post.get_absolute_url(),
        "CATEGORY": post.categories.get().get_absolute_url(),
    }.get(url, url)
    response = client.get(url)
    assert response.status_code in {200, 404}, (url, response.status_code)
    assert page.pk is not None
    assert_only_our_scripts_run(response.content, response["Content-Security-Policy"])


def test_the_permalink_page_keeps_its_table_alignment_under_the_policy(client: Client, post: Post):
    response = client.get(post.get_absolute_url())
    page = BeautifulSoup(response.content, "html.parser")
    styles = {cell["style"] for cell in page.select(".entry-body td, .entry-body th")}
    assert styles == {"text-align:left", "text-align:center", "text-align:right"}
    assert_only_our_scripts_run(response.content, response["Content-Security-Policy"])


def test_each_render_gets_a_new_nonce(client: Client, post: Post):
    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())
    one = assert_only_our_scripts_run(first.content, first["Content-Security-Policy"])
    two = assert_only_our_scripts_run(second.content, second["Content-Security-Policy"])
    assert one != two
    assert len(base64.urlsafe_b64decode(one + "==")) >= 16  # 128 bits


@pytest.mark.parametrize("url", ["/admin/login/", "/admin/", "/admin/posts/post/add/"])
def test_admin_pages_run_only_scripts_with_their_nonce(admin_client: Client, blog: Blog, url: str):
    client = Client() if url == "/admin/login/" else admin_client
    response = client.get(url)
    assert response.status_code == 200
    assert_only_our_scripts_run(response.content, response["Content-Security-Policy"])


def test_two_factor_pages_run_only_scripts_with_their_nonce(admin_client: Client, blog: Blog):
    overview = admin_client.get("/admin/two-factor/")
    started = admin_client.post("/admin/two-factor/setup/start/")
    setup = admin_client.get("/admin/two-factor/setup/")
    assert (overview.status_code, started.status_code, setup.status_code) == (200, 302, 200)
    assert b"<svg" in setup.content  # the QR code: drawn inline, with no style of its own
    for response in (overview, setup):
        assert_only_our_scripts_run(response.content, response["Content-Security-Policy"])


def test_a_page_without_scripts_allows_none(client: Client, blog: Blog):
    response = client.get("/robots.txt")
    rules = directives(response["Content-Security-Policy"])
    assert rules["script-src"] == ["'strict-dynamic'"]  # no nonce: nothing can run


def test_the_policy_denies_what_a_stranger_could_slip_in(client: Client, blog: Blog):
    rules = directives(client.get("/")["Content-Security-Policy"])
    assert rules["object-src"] == ["'none'"]
    assert rules["base-uri"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["form-action"] == ["'self'"]
    assert rules["default-src"] == ["'self'"]
    assert "upgrade-insecure-requests" not in rules  # an http site


def test_an_https_site_upgrades_insecure_requests():
    assert content_security_policy(https=True)["upgrade-insecure-requests"] is True
    assert "upgrade-insecure-requests" not in content_security_policy(https=False)


def test_uploaded_files_keep_their_own_sandbox_policy(
    client: Client, blog: Blog, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "drawing.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    response = client.get("/media/drawing.svg")
    response.close()  # a file response: let go of the file
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("style", "kept"),
    [
        ("text-align: CENTER;", "text-align:center"),
        ("color: red; text-align : right", "text-align:right"),
        ("text-align:justify", "text-align:justify"),
        ("text-align: expression(alert(1))", None),
        ("background: url(javascript:alert(1))", None),
        ("TEXT-ALIGN: left !important", None),
    ],
)
def test_only_alignments_the_policy_allows_survive_in_imported_html(style: str, kept: str | None):
    html = sanitize_html(f'<table><tr><td style="{style}">x</td></tr></table>')
    cell = BeautifulSoup(html, "html.parser").td
    assert cell is not None
    assert cell.get("style") == kept
    if kept is not None:
        policy = content_security_policy(https=False)
        assert style_source(kept) in policy["style-src"]


def test_every_markdown_table_alignment_is_allowed_by_the_policy():
    allowed = content_security_policy(https=False)["style-src"]
    assert isinstance(allowed, list)
    written = set(re.findall(r'style="([^"]+)"', render_markdown(TABLE)))
    assert written == {f"text-align:{side}" for side in ("left", "center", "right")}
    assert {style_source(f"text-align:{side}") for side in ALIGNMENTS} <= set(allowed)
