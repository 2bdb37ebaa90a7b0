"""The XML-RPC endpoint under hostile input: every refusal is clear, nothing is stored.

Each test asserts the answer (HTTP status and fault code), that no Linkback row and no task
exists afterwards, that nothing was fetched, and so that no input reaches a 500. The size
cap is also driven through Django's WSGI handler with a real input stream, to show how
many bytes the endpoint reads when Content-Length is missing or lies.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from django.conf import LazySettings
from django.core import signals
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.discussion.linkbacks.conftest import SITE, Remote, permalink
from tests.factories import PostFactory
from tests.pagecache.conftest import Server
from tests.posts.test_admin import form_values
from yamabiko.cli import cli
from yamabiko.core import xmlrpc
from yamabiko.discussion.models import Linkback
from yamabiko.discussion.receivers import MAX_XMLRPC_BYTES, xmlrpc_endpoint
from yamabiko.posts.models import Blog, Post
from yamabiko.posts.services import blog_setting_set

pytestmark = pytest.mark.django_db

XML = "text/xml"
# Generous for a loaded CI machine; an entity bomb that expanded would take far longer.
QUICK_SECONDS = 2.0


@pytest.fixture
def post() -> Post:
    return PostFactory()


@pytest.fixture
def stored(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> Iterator[None]:
    """Checks after the test that its requests stored nothing: on-commit callbacks run at
    its end, as a real commit would run them, and then no Linkback row, no queued task and
    no callback may exist."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield
    assert callbacks == []
    assert_nothing_stored()


def call(client: Client, body: bytes, **extra: Any) -> Any:
    return client.post("/xmlrpc/", data=body, content_type=XML, **extra)


def ping_body(source: str, target: str) -> bytes:
    return xmlrpc.method_call("pingback.ping", (source, target))


def fault_of(response: Any, status: int = 200) -> xmlrpc.XmlRpcFault:
    assert response.status_code == status
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    with pytest.raises(xmlrpc.XmlRpcFault) as fault:
        xmlrpc.parse_method_response(response.content)
    return fault.value


def assert_nothing_stored() -> None:
    assert not Linkback.objects.exists()
    assert not DBTaskResult.objects.exists()


# --- entity bombs, external entities, DTDs, truncated and mistyped calls -------------------

CALL_TAIL = """<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&e;</string></value></param>
<param><value><string>http://testserver/</string></value></param>
</params></methodCall>"""

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [\n <!ENTITY l0 "lol">\n'
    + "".join(f' <!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n' for n in range(1, 10))
    + ' <!ENTITY e "&l9;">\n]>\n'
    + CALL_TAIL
).encode()
# One 100 KB entity used many times: no nesting, so a nesting limit alone would let it through.
QUADRATIC = (
    f'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY e "{"x" * 100_000}">]>\n'
    + CALL_TAIL.replace("&e;", "&e;" * 1000)
).encode()
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + CALL_TAIL
).encode()
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY % p SYSTEM "REMOTE/evil.dtd"> %p;]>\n'
    + CALL_TAIL.replace("&e;", "x")
).encode()
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE methodCall SYSTEM "REMOTE/evil.dtd">\n'
    + CALL_TAIL.replace("&e;", "x")
).encode()
# "<!DOCTYPE" never appears as bytes in UTF-16; the parser (defusedxml) must refuse it.
UTF16_ENTITY = (
    "\ufeff" + EXTERNAL_ENTITY.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
).encode("utf-16-le")
VALID = ping_body("http://elsewhere.example/a-post", "TARGET")


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        QUADRATIC,
        EXTERNAL_ENTITY,
        PARAMETER_ENTITY,
        EXTERNAL_DTD,
        UTF16_ENTITY,
        b"",
        b"not xml at all",
        VALID[: len(VALID) // 2],
        VALID[:-20],
        b"<methodCall><methodName>pingback.ping</methodName>" + b"<x/>" * 20_000 + b"</methodCall>",
    ],
    ids=[
        "billion-laughs",
        "quadratic-blowup",
        "external-entity",
        "parameter-entity",
        "external-dtd",
        "utf16-entity",
        "empty",
        "not-xml",
        "truncated-half",
        "truncated-end",
        "element-flood",
    ],
)
def test_hostile_or_broken_xml_is_fault_32700_quickly_and_stores_nothing(
    client: Client, remote: Remote, post: Post, stored: None, body: bytes
) -> None:
    body = body.replace(b"REMOTE", remote.url("").encode()).replace(
        b"TARGET", permalink(post).encode()
    )
    started = time.monotonic()

    response = call(client, body)

    assert time.monotonic() - started < QUICK_SECONDS
    assert fault_of(response).code == xmlrpc.PARSE_ERROR
    assert remote.seen == []  # no external DTD or entity was fetched
    assert b"root:" not in response.content  # nor /etc/passwd read into the answer
    assert_nothing_stored()


@pytest.mark.parametrize(
    "params",
    [
        (),
        ("http://elsewhere.example/a",),
        (1, 2),
        (True, "TARGET"),
        ({"url": "http://elsewhere.example/a"}, "TARGET"),
        (["http://elsewhere.example/a"], "TARGET"),
        (b"http://elsewhere.example/a", "TARGET"),
        (None, "TARGET"),
        ("http://elsewhere.example/a", "TARGET", "extra"),
    ],
    ids=["none", "one", "ints", "bool", "struct", "array", "base64", "nil", "three"],
)
def test_pingback_with_wrong_types_is_fault_32602_and_stores_nothing(
    client: Client, post: Post, stored: None, params: tuple[xmlrpc.XmlRpcValue, ...]
) -> None:
    params = tuple(permalink(post) if param == "TARGET" else param for param in params)

    response = call(client, xmlrpc.method_call("pingback.ping", params))

    assert fault_of(response).code == xmlrpc.INVALID_PARAMS
    assert_nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        b"<methodCall><methodName>pingback.ping</methodName><params><param><value>"
        b"<int>99999999999</int></value></param></params></methodCall>",
        b"<methodCall><methodName>pingback.ping</methodName><params><param><value>"
        b"<double>NaN</double></value></param></params></methodCall>",
        b"<methodCall><methodName>pingback.ping</methodName><params><param><value>"
        b"<base64>not base64!</base64></value></param></params></methodCall>",
        b"<methodCall><methodName>pingback.ping</methodName><params><param><value>"
        b"<ex:i8 xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'>1</ex:i8>"
        b"</value></param></params></methodCall>",
    ],
    ids=["int-overflow", "nan", "bad-base64", "apache-i8"],
)
def test_values_xmlrpc_cannot_carry_are_fault_32602(
    client: Client, stored: None, body: bytes
) -> None:
    assert fault_of(call(client, body)).code == xmlrpc.INVALID_PARAMS
    assert_nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        b"<methodResponse><params/></methodResponse>",
        b"<methodCall><params/></methodCall>",
        b"<methodCall><methodName>ping back!</methodName></methodCall>",
    ],
    ids=["response", "no-name", "bad-name"],
)
def test_messages_that_are_not_a_call_are_fault_32600(
    client: Client, stored: None, body: bytes
) -> None:
    assert fault_of(call(client, body)).code == xmlrpc.INVALID_REQUEST
    assert_nothing_stored()


# --- the size cap ---------------------------------------------------------------------------


def padded(body: bytes, size: int) -> bytes:
    """``body`` with whitespace after its root element, ``size`` bytes in all."""
    assert len(body) <= size
    return body + b" " * (size - len(body))


def test_a_call_of_exactly_256_kib_is_read(client: Client, post: Post) -> None:
    body = padded(ping_body("http://elsewhere.example/a", permalink(post)), MAX_XMLRPC_BYTES)

    response = call(client, body)

    assert response.status_code == 200
    assert "queued" in str(xmlrpc.parse_method_response(response.content))
    assert Linkback.objects.count() == 1


def test_a_call_one_byte_over_256_kib_is_413_and_stores_nothing(
    client: Client, post: Post, stored: None
) -> None:
    body = padded(ping_body("http://elsewhere.example/a", permalink(post)), MAX_XMLRPC_BYTES + 1)

    response = call(client, body)

    fault = fault_of(response, status=413)
    assert fault.code == xmlrpc.PARSE_ERROR
    assert "larger than 262144 bytes" in fault.message
    assert_nothing_stored()


def wsgi_call(stream: io.BytesIO, content_length: str | None, **environ: str) -> tuple[int, bytes]:
    """POST /xmlrpc/ through Django's WSGI handler, the body read from ``stream`` as a WSGI
    server hands it over (a chunked body may come without CONTENT_LENGTH)."""
    request_environ = RequestFactory().generic("POST", "/xmlrpc/", content_type=XML).environ
    request_environ.update(environ)
    request_environ["wsgi.input"] = stream
    request_environ.pop("CONTENT_LENGTH", None)
    if content_length is not None:
        request_environ["CONTENT_LENGTH"] = content_length
    started: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        started.append(status)

    # As Django's test client does: closing connections would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(request_environ, start_response)
        body = b"".join(result)
        result.close()  # type: ignore[attr-defined]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(started[0].split()[0]), body


HUGE = 10 * 1024 * 1024


def test_a_declared_length_over_the_cap_is_413_without_reading_the_body(
    post: Post, stored: None
) -> None:
    stream = io.BytesIO(padded(ping_body("http://elsewhere.example/a", permalink(post)), HUGE))

    status, _ = wsgi_call(stream, str(HUGE))

    assert status == 413
    assert stream.tell() == 0
    assert_nothing_stored()


@pytest.mark.parametrize("content_length", [None, "", "chunked", "-1"])
def test_a_huge_body_without_a_usable_length_is_not_read(
    post: Post, stored: None, content_length: str | None
) -> None:
    stream = io.BytesIO(padded(ping_body("http://elsewhere.example/a", permalink(post)), HUGE))

    status, body = wsgi_call(stream, content_length)

    # Under WSGI a body without a length is no body: an empty call, refused as not XML.
    assert status == 200
    with pytest.raises(xmlrpc.XmlRpcFault) as fault:
        xmlrpc.parse_method_response(body)
    assert fault.value.code == xmlrpc.PARSE_ERROR
    assert stream.tell() == 0
    assert_nothing_stored()


def test_a_length_that_understates_the_body_reads_only_that_many_bytes(
    post: Post, stored: None
) -> None:
    stream = io.BytesIO(padded(ping_body("http://elsewhere.example/a", permalink(post)), HUGE))

    status, body = wsgi_call(stream, "100")

    assert status == 200
    with pytest.raises(xmlrpc.XmlRpcFault) as fault:
        xmlrpc.parse_method_response(body)
    assert fault.value.code == xmlrpc.PARSE_ERROR  # the first 100 bytes are not a whole call
    assert stream.tell() <= 100
    assert_nothing_stored()


def test_an_asgi_body_without_a_length_is_read_to_the_cap_and_no_further(
    post: Post, stored: None
) -> None:
    # An ASGI server hands Django the whole chunked body, with no content-length header;
    # the endpoint's own cap is then the only bound on what it reads and parses.
    body_file = io.BytesIO(padded(ping_body("http://elsewhere.example/a", permalink(post)), HUGE))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/xmlrpc/",
        "query_string": b"",
        "headers": [(b"content-type", b"text/xml"), (b"host", b"testserver")],
        "client": ("192.0.2.7", 40000),
    }
    request = ASGIRequest(scope, body_file)

    response = xmlrpc_endpoint(request)

    assert response.status_code == 413
    assert body_file.tell() == MAX_XMLRPC_BYTES + 1
    assert_nothing_stored()


def test_a_compressed_call_is_refused_without_inflating_it(
    client: Client, post: Post, stored: None
) -> None:
    response = call(
        client,
        ping_body("http://elsewhere.example/a", permalink(post)),
        HTTP_CONTENT_ENCODING="gzip",
    )

    assert fault_of(response).code == xmlrpc.PARSE_ERROR
    assert_nothing_stored()


# --- system.multicall --------------------------------------------------------------------


def test_a_multicall_of_100_pingbacks_is_refused_by_name_and_does_nothing(
    client: Client, remote: Remote, post: Post, stored: None
) -> None:
    # The reflection attack: each ping would make us fetch a victim's page (PROTOCOLS.md 5.2).
    calls = [
        {"methodName": "pingback.ping", "params": [remote.url(f"/victim/{n}"), permalink(post)]}
        for n in range(100)
    ]

    response = call(client, xmlrpc.method_call("system.multicall", (calls,)))

    fault = fault_of(response)
    assert fault.code == xmlrpc.METHOD_NOT_FOUND
    assert "system.multicall is not supported" in fault.message
    assert remote.seen == []
    assert_nothing_stored()


def test_list_methods_names_pingback_and_not_multicall(client: Client) -> None:
    response = call(client, xmlrpc.method_call("system.listMethods"))

    assert response.status_code == 200
    methods = xmlrpc.parse_method_response(response.content)
    assert methods == ("pingback.ping", "system.listMethods")


def test_list_methods_takes_no_parameters(client: Client) -> None:
    response = call(client, xmlrpc.method_call("system.listMethods", ("x",)))

    assert fault_of(response).code == xmlrpc.INVALID_PARAMS


# --- the per-IP rate limit -----------------------------------------------------------------


def test_calls_past_the_per_ip_limit_are_429_with_retry_after_and_store_nothing(
    client: Client, blog: Blog, post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    blog.linkback_rate_per_ip = 3
    blog.save()
    # Malformed calls count too: parsing them is the work the limit bounds.
    for _ in range(3):
        assert fault_of(call(client, b"junk")).code == xmlrpc.PARSE_ERROR

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = call(client, ping_body("http://elsewhere.example/a", permalink(post)))

    fault = fault_of(response, status=429)
    assert fault.code == 49
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert callbacks == []
    assert not Linkback.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_per_ip_limit_counts_each_address_apart(client: Client, blog: Blog, post: Post) -> None:
    blog.linkback_rate_per_ip = 1
    blog.save()
    call(client, b"junk", REMOTE_ADDR="198.51.100.1")

    assert call(client, b"junk", REMOTE_ADDR="198.51.100.1").status_code == 429
    response = call(
        client,
        ping_body("http://elsewhere.example/a", permalink(post)),
        REMOTE_ADDR="198.51.100.2",
    )
    assert "queued" in str(xmlrpc.parse_method_response(response.content))


def test_a_per_ip_limit_of_0_means_no_limit(client: Client, blog: Blog) -> None:
    blog.linkback_rate_per_ip = 0
    blog.save()

    answers = [call(client, b"junk").status_code for _ in range(25)]

    assert set(answers) == {200}


# --- switched off --------------------------------------------------------------------------


@pytest.fixture
def switched_off(blog: Blog) -> Blog:
    blog_setting_set(key="xmlrpc_enabled", value="false")
    return Blog.load()


@pytest.mark.parametrize("method", ["post", "get"])
def test_switched_off_the_endpoint_is_404_and_stores_nothing(
    client: Client, switched_off: Blog, post: Post, stored: None, method: str
) -> None:
    body = ping_body("http://elsewhere.example/a", permalink(post))

    response = client.generic(method.upper(), "/xmlrpc/", body, content_type=XML)

    assert response.status_code == 404
    assert_nothing_stored()


def test_switched_off_post_pages_do_not_advertise_pingback(
    client: Client, switched_off: Blog, post: Post
) -> None:
    response = client.get(post.get_absolute_url())

    assert "X-Pingback" not in response
    assert b'rel="pingback"' not in response.content
    # Webmention and TrackBack are not XML-RPC: still advertised.
    assert 'rel="webmention"' in response["Link"]
    assert b'rel="webmention"' in response.content


def test_switched_on_again_post_pages_advertise_pingback_again(
    client: Client, switched_off: Blog, post: Post
) -> None:
    blog_setting_set(key="xmlrpc_enabled", value="true")

    response = client.get(post.get_absolute_url())

    assert response["X-Pingback"] == f"{SITE}{reverse('discussion:xmlrpc')}"
    assert b'<link rel="pingback"' in response.content


@pytest.fixture
def page_cache(settings: LazySettings, tmp_path: Path) -> Server:
    settings.YAMABIKO_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        },
    }
    return Server()


def test_switching_off_removes_x_pingback_from_a_cached_page_at_once(
    page_cache: Server, blog: Blog, post: Post
) -> None:
    url = post.get_absolute_url()
    page_cache.get(url)
    cached = page_cache.get(url)
    assert cached.cache == "hit"
    assert "X-Pingback" in cached.headers

    blog_setting_set(key="xmlrpc_enabled", value="false")

    after = page_cache.get(url)
    assert after.cache == "miss"
    assert "X-Pingback" not in after.headers
    assert b'rel="pingback"' not in after.body
    again = page_cache.get(url)
    assert again.cache == "hit"
    assert "X-Pingback" not in again.headers


def test_the_cli_lists_and_sets_xmlrpc_enabled(blog: Blog) -> None:
    runner = CliRunner()

    listed = runner.invoke(cli, ["config", "list"], prog_name="yamabiko")
    changed = runner.invoke(cli, ["config", "set", "xmlrpc_enabled", "false"], prog_name="yamabiko")

    assert "xmlrpc_enabled = true" in listed.stdout.splitlines()
    assert (changed.exit_code, changed.stdout) == (0, "false\n")
    assert Blog.load().xmlrpc_enabled is False


def test_the_admin_blog_settings_switch_xmlrpc_off(admin_client: Client, blog: Blog) -> None:
    url = reverse("admin:posts_blog_change", args=[blog.pk])
    page = admin_client.get(url)
    checkbox = BeautifulSoup(page.content, "html.parser").select_one("input[name=xmlrpc_enabled]")
    assert checkbox is not None
    assert checkbox.has_attr("checked")
    data = form_values(page.content)
    del data["xmlrpc_enabled"]  # unticked boxes are not sent

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Blog.load().xmlrpc_enabled is False
