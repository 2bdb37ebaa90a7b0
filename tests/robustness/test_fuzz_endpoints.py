"""Every endpoint that takes outside input, driven with Hypothesis through the test client.

Each example sends one request through the real middleware and URL routing and checks that
the answer is never a server error, and that a refused request (4xx, a TrackBack error, an
XML-RPC fault) stored nothing: no Comment, no Linkback, no queued task. The rows an accepted
request stores are allowed; the comparison is made per request, before and after.

On-commit callbacks run when each request's work would commit (as in production, where the
receivers enqueue verification on commit), so a refused request that queued a task shows.
The task backend is the database one, so queued tasks are rows and nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.http import HttpResponse
from django.test import Client
from django_tasks_db.models import DBTaskResult
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.factories import PostFactory
from tests.robustness.fuzz import FUZZ, any_text, mutated, sharp_text, xmlish_text
from yamabiko.core import xmlrpc
from yamabiko.discussion.models import Comment, Linkback
from yamabiko.discussion.protocols import FAULT_ALREADY_REGISTERED, parse_response
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
FORM = "application/x-www-form-urlencoded"
MISSING_POST_ID = 2_000_000_000
# Rate limits stay out of the way so that accepted requests keep coming; a 429 would be a
# correct answer, but one that stops every later example from reaching the parsers.
UNLIMITED = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Stored:
    comments: int
    linkbacks: int
    tasks: int


def stored() -> Stored:
    return Stored(
        comments=Comment.objects.count(),
        linkbacks=Linkback.objects.count(),
        tasks=DBTaskResult.objects.count(),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    response: HttpResponse
    before: Stored
    after: Stored
    callbacks: int


type Send = Callable[[Callable[[], HttpResponse]], Exchange]


@pytest.fixture
def send(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Send:
    def run(request: Callable[[], HttpResponse]) -> Exchange:
        before = stored()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = request()
        exchange = Exchange(
            response=response, before=before, after=stored(), callbacks=len(callbacks)
        )
        # The test client re-raises a view's exception, so an uncaught one fails the test
        # before this line; a 500 from a handler that caught it fails here.
        assert response.status_code < 500, response.content[:500]
        # --hypothesis-show-statistics then shows how many examples got past the parsers.
        if currently_in_test_context():
            outcome = "stored" if exchange.after != before else "nothing stored"
            event(f"{outcome}, {response.status_code}")
        return exchange

    return run


def assert_nothing_stored(exchange: Exchange) -> None:
    assert exchange.after == exchange.before, exchange.response.content[:500]
    assert exchange.callbacks == 0


@pytest.fixture(autouse=True)
def open_blog(db: None, settings: Settings) -> None:
    settings.YAMABIKO_SITE_URL = SITE
    Blog.load()
    Blog.objects.filter(pk=1).update(
        comment_rate_per_ip=UNLIMITED,
        comment_rate_per_email=UNLIMITED,
        linkback_rate_per_ip=UNLIMITED,
        linkback_rate_per_host=UNLIMITED,
    )


@pytest.fixture
def post(open_blog: None) -> Post:
    return PostFactory(title="山と川", body="A walk by the river.")


def raw_post(
    client: Client, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """POST ``body`` byte for byte: Client.post would re-encode it for the declared charset."""
    return client.generic("POST", path, data=body, content_type=content_type, headers=headers)


def permalink(post: Post) -> str:
    return f"{SITE}{post.get_absolute_url()}"


# Good values mixed with hostile ones, so that some requests are accepted and the examples
# reach past the first check into the service.
source_urls = st.sampled_from(
    ["http://elsewhere.example/a", "https://other.example/山?x=1#c", "http://10.0.0.1/"]
) | st.builds("http://elsewhere.example/{}".format, sharp_text)
field_values = any_text | source_urls
CHARSETS = ["utf-8", "shift_jis", "euc-jp", "latin-1", "utf-16"]


@st.composite
def form_body(draw: st.DrawFn, names: list[str]) -> bytes:
    """A form body: some of ``names`` (and a stray key), each value in a drawn charset; or
    bytes that are no form at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=500))
    fields = draw(
        st.dictionaries(st.sampled_from([*names, "x", ""]), field_values, max_size=len(names) + 1)
    )
    if draw(st.booleans()):
        # The first name is the one the protocol requires (url, source): often a good URL.
        fields[names[0]] = draw(source_urls)
    charset = draw(st.sampled_from(CHARSETS))
    return urlencode(fields, encoding=charset, errors="replace").encode("ascii")


content_types = st.sampled_from(
    [FORM, f"{FORM}; charset=utf-8", f"{FORM}; charset=shift_jis", f"{FORM}; charset=bogus"]
) | st.sampled_from(["text/plain", "multipart/form-data; boundary=x", "", FORM.upper()])


# --- TrackBack ---------------------------------------------------------------------------


@FUZZ
@given(
    body=form_body(["url", "title", "excerpt", "blog_name"]),
    content_type=content_types,
    known_post=st.sampled_from([True] * 3 + [False]),
)
def test_trackback_endpoint_answers_any_form_without_storing_refusals(
    client: Client, send: Send, post: Post, body: bytes, content_type: str, known_post: bool
) -> None:
    post_id = post.pk if known_post else MISSING_POST_ID

    exchange = send(lambda: raw_post(client, f"/trackback/{post_id}/", body, content_type))

    # TrackBack refuses with <error>1</error> (and 200, 404 or 413); only <error>0</error>
    # may have stored a linkback.
    if exchange.response.status_code >= 400 or not parse_response(exchange.response.content).ok:
        assert_nothing_stored(exchange)
    else:
        assert exchange.after.comments == exchange.before.comments


# --- XML-RPC (Pingback) ------------------------------------------------------------------


def ping_call(post: Post) -> bytes:
    return xmlrpc.method_call("pingback.ping", ("http://elsewhere.example/a", permalink(post)))


@st.composite
def xmlrpc_body(draw: st.DrawFn, post: Post) -> bytes:
    return draw(
        st.binary(max_size=1000)
        | xmlish_text.map(str.encode)
        | mutated(ping_call(post))
        | st.builds(
            lambda source, target: xmlrpc.method_call("pingback.ping", (source, target)),
            field_values,
            field_values | st.just(permalink(post)),
        )
    )


def fault_code(response: HttpResponse) -> int | None:
    try:
        xmlrpc.parse_method_response(response.content)
    except xmlrpc.XmlRpcFault as fault:
        return fault.code
    return None


@FUZZ
@given(
    data=st.data(),
    content_type=st.sampled_from(["text/xml", "application/xml", "text/plain", ""]),
    encoding=st.sampled_from([None, "identity", "gzip", "deflate"]),
)
def test_xmlrpc_endpoint_answers_any_body_without_storing_refusals(
    client: Client,
    send: Send,
    post: Post,
    data: st.DataObject,
    content_type: str,
    encoding: str | None,
) -> None:
    body = data.draw(xmlrpc_body(post))
    headers = {"Content-Encoding": encoding} if encoding else {}

    exchange = send(lambda: raw_post(client, "/xmlrpc/", body, content_type, headers))

    response = exchange.response
    code = fault_code(response) if response.status_code == 200 else None
    if response.status_code >= 400 or code not in (None, FAULT_ALREADY_REGISTERED):
        assert_nothing_stored(exchange)
    elif code == FAULT_ALREADY_REGISTERED:
        # A repeated ping re-queues verification of the stored one, and stores no new row.
        assert exchange.after.linkbacks == exchange.before.linkbacks
    assert exchange.after.comments == exchange.before.comments


# --- Webmention --------------------------------------------------------------------------


@FUZZ
@given(
    data=st.data(),
    content_type=content_types,
    use_permalink=st.booleans(),
)
def test_webmention_endpoint_answers_any_form_without_storing_refusals(
    client: Client,
    send: Send,
    post: Post,
    data: st.DataObject,
    content_type: str,
    use_permalink: bool,
) -> None:
    body = data.draw(form_body(["source", "target"]))
    if use_permalink:
        # Aim at the post so that some requests get past target checks into the service.
        source = data.draw(source_urls)
        body = urlencode({"source": source, "target": permalink(post)}).encode()

    exchange = send(lambda: raw_post(client, "/webmention/", body, content_type))

    if exchange.response.status_code >= 400:
        assert_nothing_stored(exchange)
    else:
        assert exchange.response.status_code == 202
        assert exchange.after.comments == exchange.before.comments


# --- the comment form --------------------------------------------------------------------


def rendered_token(client: Client, post: Post) -> str:
    """The form token exactly as the permalink page hands it to a reader."""
    page = BeautifulSoup(client.get(post.get_absolute_url()).content, "html.parser")
    field = page.select_one("form#comment-form input[name=token]")
    assert field is not None
    return str(field["value"])


COMMENT_FIELDS = ["name", "email", "url", "body", "parent", "token", "homepage", "remember"]
ORIGINS: list[dict[str, str]] = [
    {},
    {"Origin": SITE},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": f"{SITE}/"},
    {"Referer": "http://[::1"},
]


@FUZZ
@given(
    data=st.data(),
    # Weighted towards what a reader's browser sends, so that many get past the checks.
    token_kind=st.sampled_from(["page"] * 4 + ["missing", "garbage", "other-post"]),
    headers=st.sampled_from([{}] * 4 + ORIGINS),
    wants_json=st.booleans(),
    known_post=st.sampled_from([True] * 5 + [False]),
)
def test_comment_form_answers_any_submission_without_storing_refusals(
    client: Client,
    send: Send,
    post: Post,
    data: st.DataObject,
    token_kind: str,
    headers: dict[str, str],
    wants_json: bool,
    known_post: bool,
) -> None:
    fields: dict[str, Any] = data.draw(
        st.fixed_dictionaries(
            {"name": st.just("Kodama") | any_text, "body": st.just("A fine walk.") | any_text},
            optional={
                "email": st.just("k@example.org") | any_text,
                "url": source_urls | any_text,
                "parent": st.sampled_from(["", "1", "-1", "0", "99999999999999999999"]) | any_text,
                "homepage": st.just("") | any_text,
                "remember": st.sampled_from(["on", "", "0"]) | any_text,
                "x": any_text,
            },
        )
    )
    tokens = {
        "page": rendered_token(client, post),
        "missing": "",
        "garbage": data.draw(any_text),
        "other-post": rendered_token(client, PostFactory()),
    }
    fields["token"] = tokens[token_kind]
    request_headers = {**headers, **({"Accept": "application/json"} if wants_json else {})}
    post_id = post.pk if known_post else MISSING_POST_ID

    exchange = send(lambda: client.post(f"/comments/{post_id}/", fields, headers=request_headers))

    if exchange.response.status_code >= 400:
        assert_nothing_stored(exchange)
    else:
        assert exchange.response.status_code in (201, 303)
        assert exchange.after.linkbacks == exchange.before.linkbacks


@pytest.mark.parametrize("headers", [{"Referer": "http://[::1"}, {"Origin": "https://]x"}])
def test_comment_from_an_unparseable_origin_is_refused_as_cross_site(
    client: Client, send: Send, post: Post, headers: dict[str, str]
) -> None:
    # Found by the test above: urlsplit raised ValueError in same_origin, a 500.
    fields = {"name": "Kodama", "body": "Hello", "token": rendered_token(client, post)}

    exchange = send(lambda: client.post(f"/comments/{post.pk}/", fields, headers=headers))

    assert exchange.response.status_code == 403
    assert_nothing_stored(exchange)


# --- search ------------------------------------------------------------------------------

queries = (
    st.lists(
        st.sampled_from(['"', "-", "OR", "|", "*", ":", "category:", "tag:", "before:", "after:"])
        | st.sampled_from(["山", "川「歩く」", "“walk”", "\x00", "NEAR(", "'; DROP TABLE x; --"])
        | sharp_text,
        max_size=20,
    ).map(" ".join)
    | any_text
)


@FUZZ
@given(
    q=queries,
    extra=st.dictionaries(st.sampled_from(["category", "year", "page"]), any_text, max_size=3),
    path=st.sampled_from(["/search/", "/search/suggest/", "/search/feed/"]),
)
def test_search_answers_any_query(
    client: Client, post: Post, q: str, extra: dict[str, str], path: str
) -> None:
    response = client.get(path, {"q": q, **extra})

    # A page that cannot be found ("page=9") is a 404; nothing else may fail.
    assert response.status_code in (200, 404), (q, extra, response.status_code)
    if extra.keys() <= {"category", "year"}:
        assert response.status_code == 200
