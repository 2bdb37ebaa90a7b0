"""The three endpoints through the test client: TrackBack, Pingback (XML-RPC) and Webmention.

Each answers in its protocol's own terms, stores nothing for bad input, and fetches nothing
while the sender waits: verification is a task, and with the database task backend it is
only queued, so the remote page is requested for the first time when the test runs it.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.discussion.linkbacks.conftest import (
    SITE,
    Remote,
    linking_page,
    permalink,
)
from tests.factories import CategoryFactory, PostFactory
from yamabiko.core import xmlrpc
from yamabiko.core.net import Fetcher
from yamabiko.discussion.linkbacks import linkback_verify
from yamabiko.discussion.models import Linkback, LinkbackKind, LinkbackStatus
from yamabiko.posts.models import Blog, Post, PostStatus

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
SOURCE = "http://elsewhere.example/2025/a-post-about-yours"


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


# --- TrackBack --------------------------------------------------------------------------


def trackback_reply(response: object) -> tuple[str, str | None]:
    """(error, message) of a TrackBack response, which must be well-formed XML."""
    root = fromstring(response.content)  # type: ignore[attr-defined]
    assert root.tag == "response"
    assert response["Content-Type"] == "text/xml; charset=utf-8"  # type: ignore[index]
    return (root.findtext("error") or ""), root.findtext("message")


def trackback(client: Client, post_id: int, body: bytes, content_type: str = FORM) -> object:
    # generic(): post() would re-encode the body into the charset the Content-Type names.
    return client.generic("POST", f"/trackback/{post_id}/", body, content_type=content_type)


def test_trackback_ping_answers_error_0_and_is_stored_pending(client: Client) -> None:
    post = PostFactory()

    response = trackback(
        client,
        post.pk,
        form(url=SOURCE, title="My reply", excerpt="I wrote about it", blog_name="Other blog"),
    )

    assert response.status_code == 200
    assert trackback_reply(response) == ("0", None)
    linkback = Linkback.objects.get()
    assert (linkback.post, linkback.kind, linkback.source_url) == (
        post,
        LinkbackKind.TRACKBACK,
        SOURCE,
    )
    assert (linkback.title, linkback.excerpt, linkback.blog_name) == (
        "My reply",
        "I wrote about it",
        "Other blog",
    )
    assert linkback.status == LinkbackStatus.PENDING
    assert linkback.verified_at is None
    assert linkback.ip_address == "127.0.0.1"


def test_trackback_ping_without_url_returns_error_xml_and_stores_nothing(client: Client) -> None:
    post = PostFactory()

    response = trackback(client, post.pk, form(title="No url", blog_name="Other blog"))

    error, message = trackback_reply(response)
    assert error == "1"
    assert message
    assert "url" in message
    assert not Linkback.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:me@example.org", "/relative"])
def test_trackback_ping_with_non_http_url_is_refused(client: Client, url: str) -> None:
    post = PostFactory()

    error, _ = trackback_reply(trackback(client, post.pk, form(url=url)))

    assert error == "1"
    assert not Linkback.objects.exists()


def test_trackback_charset_is_taken_from_the_content_type(client: Client) -> None:
    post = PostFactory()
    body = urlencode(
        {"url": SOURCE, "title": "山彦の記事", "blog_name": "日本のブログ"}, encoding="shift_jis"
    ).encode()

    response = trackback(client, post.pk, body, content_type=f"{FORM}; charset=Shift_JIS")

    assert trackback_reply(response) == ("0", None)
    linkback = Linkback.objects.get()
    assert (linkback.title, linkback.blog_name) == ("山彦の記事", "日本のブログ")


def test_trackback_charset_is_taken_from_a_charset_field(client: Client) -> None:
    post = PostFactory()
    body = urlencode(
        {"url": SOURCE, "title": "こだま", "excerpt": "山から", "charset": "EUC-JP"},
        encoding="euc_jp",
    ).encode()

    assert trackback_reply(trackback(client, post.pk, body)) == ("0", None)

    linkback = Linkback.objects.get()
    assert (linkback.title, linkback.excerpt) == ("こだま", "山から")


@pytest.mark.parametrize(
    ("content_type", "fields"),
    [
        (f"{FORM}; charset=UTF-7", {}),
        (FORM, {"charset": "utf-7"}),
        (f"{FORM}; charset=x-no-such-charset", {}),
    ],
)
def test_trackback_utf7_and_unknown_charsets_are_refused(
    client: Client, content_type: str, fields: dict[str, str]
) -> None:
    post = PostFactory()

    response = trackback(
        client, post.pk, form(url=SOURCE, title="+AGEAYgBj-", **fields), content_type
    )

    error, message = trackback_reply(response)
    assert error == "1"
    assert message
    assert not Linkback.objects.exists()


def test_trackback_body_over_64_kib_is_refused_before_it_is_stored(client: Client) -> None:
    post = PostFactory()
    body = form(url=SOURCE, excerpt="x" * (64 * 1024))

    response = trackback(client, post.pk, body)

    assert response.status_code == 413
    assert trackback_reply(response)[0] == "1"
    assert not Linkback.objects.exists()


def test_trackback_get_is_405_with_error_xml(client: Client) -> None:
    post = PostFactory()

    response = client.get(f"/trackback/{post.pk}/", {"url": SOURCE})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    error, message = trackback_reply(response)
    assert error == "1"
    assert message
    assert "POST" in message
    assert not Linkback.objects.exists()


@pytest.mark.parametrize("status", [None, PostStatus.DRAFT])
def test_trackback_to_an_unknown_or_unpublished_post_is_404(
    client: Client, status: str | None
) -> None:
    post_id = PostFactory(status=status).pk if status else 999_999

    response = trackback(client, post_id, form(url=SOURCE))

    assert response.status_code == 404
    assert trackback_reply(response)[0] == "1"
    assert not Linkback.objects.exists()


def test_trackback_to_a_post_with_pings_closed_is_refused(client: Client) -> None:
    post = PostFactory(allow_pings=False)

    error, message = trackback_reply(trackback(client, post.pk, form(url=SOURCE)))

    assert error == "1"
    assert message
    assert "linkbacks" in message
    assert not Linkback.objects.exists()


def test_trackback_error_message_is_escaped_into_well_formed_xml(client: Client) -> None:
    post = PostFactory()

    response = trackback(client, post.pk, form(url=SOURCE), f"{FORM}; charset=<b>&x]]>")

    error, message = trackback_reply(response)
    assert error == "1"
    assert message
    assert "<b>&x]]>" in message


def test_trackback_from_a_blocked_domain_is_refused(client: Client, blog: Blog) -> None:
    blog.blocked_domains = "elsewhere.example"
    blog.save()
    post = PostFactory()

    error, _ = trackback_reply(trackback(client, post.pk, form(url=SOURCE)))

    assert error == "1"
    assert not Linkback.objects.exists()


def test_trackback_repeat_from_the_same_url_updates_the_one_linkback(client: Client) -> None:
    post = PostFactory()

    trackback(client, post.pk, form(url=SOURCE, title="First"))
    trackback(client, post.pk, form(url=SOURCE, title="Second", excerpt="Changed"))

    linkback = Linkback.objects.get()
    assert (linkback.title, linkback.excerpt) == ("Second", "Changed")


# --- Pingback ---------------------------------------------------------------------------


def xmlrpc_post(client: Client, body: bytes, **headers: str) -> object:
    return client.post("/xmlrpc/", data=body, content_type="text/xml", headers=headers)


def ping(client: Client, source: str, target: str) -> object:
    return xmlrpc_post(client, xmlrpc.method_call("pingback.ping", (source, target)))


def fault_code(response: object) -> int:
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/xml; charset=utf-8"  # type: ignore[index]
    with pytest.raises(xmlrpc.XmlRpcFault) as fault:
        xmlrpc.parse_method_response(response.content)  # type: ignore[attr-defined]
    return fault.value.code


def test_pingback_answers_a_string_saying_it_is_queued(client: Client) -> None:
    post = PostFactory()

    response = ping(client, SOURCE, permalink(post))

    assert response.status_code == 200
    answer = xmlrpc.parse_method_response(response.content)
    assert isinstance(answer, str)
    assert "queued" in answer
    linkback = Linkback.objects.get()
    assert (linkback.kind, linkback.source_url, linkback.target_url) == (
        LinkbackKind.PINGBACK,
        SOURCE,
        permalink(post),
    )
    assert linkback.status == LinkbackStatus.PENDING


def test_pingback_to_a_permalink_shaped_url_without_a_post_is_fault_32(client: Client) -> None:
    post = PostFactory(slug="real")

    missing = permalink(post).replace("/real/", "/not-written-yet/")

    assert fault_code(ping(client, SOURCE, missing)) == 32
    assert not Linkback.objects.exists()


def test_pingback_to_a_draft_is_fault_32(client: Client) -> None:
    post = PostFactory(status=PostStatus.DRAFT, published_at=timezone.now())

    assert fault_code(ping(client, SOURCE, permalink(post))) == 32


@pytest.mark.parametrize(
    "target",
    [
        f"{SITE}/",
        "http://another-host.example/2025/01/some-post/",
        f"{SITE}/category/notes/",
        f"{SITE}/tag/tag-1/",
    ],
)
def test_pingback_to_a_page_that_takes_no_pings_is_fault_33(client: Client, target: str) -> None:
    PostFactory()
    CategoryFactory(name="Notes", slug="notes")

    assert fault_code(ping(client, SOURCE, target)) == 33
    assert not Linkback.objects.exists()


def test_pingback_to_a_post_with_pings_closed_is_fault_33(client: Client) -> None:
    post = PostFactory(allow_pings=False)

    assert fault_code(ping(client, SOURCE, permalink(post))) == 33
    assert not Linkback.objects.exists()


def test_pingback_repeat_is_fault_48_and_still_queues_verification(
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ping(client, SOURCE, permalink(post))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ping(client, SOURCE, permalink(post))

    assert fault_code(response) == 48
    assert len(callbacks) == 1
    assert Linkback.objects.count() == 1
    queued = DBTaskResult.objects.filter(task_path__endswith="linkback_verify_task")
    assert queued.count() == 2
    linkback = Linkback.objects.get()
    assert {tuple(row.args_kwargs["kwargs"].items()) for row in queued} == {
        (("linkback_id", linkback.pk),)
    }


def test_pingback_from_a_blocked_domain_is_fault_49(client: Client, blog: Blog) -> None:
    blog.blocked_domains = "example"  # a parent domain blocks its subdomains
    blog.save()
    post = PostFactory()

    assert fault_code(ping(client, SOURCE, permalink(post))) == 49
    assert not Linkback.objects.exists()


def test_pingbacks_past_the_per_host_rate_limit_are_fault_49(client: Client, blog: Blog) -> None:
    # Past the per-IP limit the endpoint answers 429 before parsing (test_xmlrpc_hostile.py).
    blog.linkback_rate_per_host = 2
    blog.save()
    post = PostFactory()

    answers = [ping(client, f"http://site.example/post-{n}", permalink(post)) for n in range(3)]

    assert [xmlrpc.parse_method_response(a.content) for a in answers[:2]]
    assert fault_code(answers[2]) == 49
    assert Linkback.objects.count() == 2


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&lol4;</string></value></param>
<param><value><string>&lol4;</string></value></param>
</params></methodCall>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE methodCall [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&xxe;</string></value></param>
<param><value><string>http://testserver/</string></value></param>
</params></methodCall>"""

DOCTYPE_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:1/evil.dtd">
<methodCall><methodName>pingback.ping</methodName><params/></methodCall>"""

# A byte search for "<!DOCTYPE" cannot see this one; the parser must refuse it.
UTF16_XXE = ("\ufeff" + XXE.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1)).encode(
    "utf-16-le"
)


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, XXE, DOCTYPE_ONLY, UTF16_XXE, b"<methodCall>", b"not xml at all"],
    ids=["billion-laughs", "xxe", "doctype", "utf16-xxe", "unclosed", "not-xml"],
)
def test_hostile_or_broken_xml_is_fault_minus_32700(
    client: Client, remote: Remote, body: bytes
) -> None:
    PostFactory()

    assert fault_code(xmlrpc_post(client, body)) == xmlrpc.PARSE_ERROR
    assert not Linkback.objects.exists()
    assert remote.seen == []


@pytest.mark.parametrize("method", ["system.multicall", "pingback.extensions.getPingbacks", "x"])
def test_multicall_and_unknown_methods_are_fault_minus_32601(client: Client, method: str) -> None:
    post = PostFactory()
    call = [{"methodName": "pingback.ping", "params": [SOURCE, permalink(post)]}]
    params = (call,) if method == "system.multicall" else (SOURCE,)

    response = xmlrpc_post(client, xmlrpc.method_call(method, params))

    assert fault_code(response) == xmlrpc.METHOD_NOT_FOUND
    assert not Linkback.objects.exists()


def test_gzip_encoded_call_is_refused(client: Client) -> None:
    post = PostFactory()
    body = gzip.compress(xmlrpc.method_call("pingback.ping", (SOURCE, permalink(post))))

    response = xmlrpc_post(client, body, content_encoding="gzip")

    assert fault_code(response) == xmlrpc.PARSE_ERROR
    assert not Linkback.objects.exists()


@pytest.mark.parametrize(
    "params",
    [(SOURCE,), (SOURCE, "x", "y"), (1, 2)],
    ids=["one", "three", "ints"],
)
def test_pingback_with_wrong_params_is_fault_minus_32602(
    client: Client, params: tuple[object, ...]
) -> None:
    response = xmlrpc_post(client, xmlrpc.method_call("pingback.ping", params))  # type: ignore[arg-type]

    assert fault_code(response) == xmlrpc.INVALID_PARAMS


def test_pingback_source_equal_to_target_is_fault_0(client: Client) -> None:
    post = PostFactory()

    assert fault_code(ping(client, permalink(post), permalink(post) + "#here")) == 0
    assert not Linkback.objects.exists()


def test_xmlrpc_get_is_405(client: Client) -> None:
    response = client.get("/xmlrpc/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- Webmention -------------------------------------------------------------------------


def mention(client: Client, body: bytes, content_type: str = FORM) -> object:
    return client.post("/webmention/", data=body, content_type=content_type)


def test_webmention_is_accepted_with_202_and_stored_pending(client: Client) -> None:
    post = PostFactory()

    response = mention(client, form(source=SOURCE, target=permalink(post) + "#comments"))

    assert response.status_code == 202
    assert not response.has_header("Location")
    linkback = Linkback.objects.get()
    assert (linkback.kind, linkback.status) == (LinkbackKind.WEBMENTION, LinkbackStatus.PENDING)
    assert linkback.target_url == permalink(post) + "#comments"


@pytest.mark.parametrize(
    ("fields", "token"),
    [
        ({"target": "{post}"}, "missing_source"),
        ({"source": "jwoijgoisdjlskjegisvjowuehjtkx", "target": "{post}"}, "invalid_source"),
        ({"source": "mailto:someone@example.org", "target": "{post}"}, "invalid_source"),
        ({"source": "ftp://elsewhere.example/x", "target": "{post}"}, "invalid_source"),
        ({"source": SOURCE}, "missing_target"),
        ({"source": SOURCE, "target": "owiejduvyeiwljjjcjmvbpsouehgd"}, "invalid_target"),
        ({"source": SOURCE, "target": "http://another-host.example/x/"}, "invalid_target"),
        ({"source": SOURCE, "target": f"{SITE}/"}, "invalid_target"),
        ({"source": SOURCE, "target": f"{SITE}/2020/01/no-such-post/"}, "invalid_target"),
        ({"source": "{post}", "target": "{post}#comments"}, "source_equals_target"),
    ],
)
def test_webmention_bad_requests_are_400_with_a_token(
    client: Client, fields: dict[str, str], token: str
) -> None:
    post = PostFactory()
    filled = {name: value.replace("{post}", permalink(post)) for name, value in fields.items()}

    response = mention(client, form(**filled))

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{token}:")
    assert not Linkback.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"]
)
def test_webmention_that_is_not_a_form_is_400(client: Client, content_type: str) -> None:
    post = PostFactory()

    response = mention(client, form(source=SOURCE, target=permalink(post)), content_type)

    assert response.status_code == 400
    assert response.content.decode().startswith("invalid_content_type:")
    assert not Linkback.objects.exists()


def test_webmention_content_type_is_matched_without_regard_to_case(client: Client) -> None:
    post = PostFactory()

    response = mention(
        client,
        form(source=SOURCE, target=permalink(post)),
        "Application/X-WWW-Form-URLEncoded; Charset=UTF-8",
    )

    assert response.status_code == 202


def test_webmention_to_a_post_with_pings_closed_is_400(client: Client) -> None:
    post = PostFactory(allow_pings=False)

    response = mention(client, form(source=SOURCE, target=permalink(post)))

    assert response.status_code == 400
    assert not Linkback.objects.exists()


@pytest.mark.parametrize("limit", ["linkback_rate_per_ip", "linkback_rate_per_host"])
def test_webmentions_past_a_rate_limit_are_429_with_retry_after(
    client: Client, blog: Blog, limit: str
) -> None:
    setattr(blog, limit, 2)
    blog.save()
    posts = [PostFactory() for _ in range(3)]

    answers = [
        mention(client, form(source=f"{SOURCE}/{n}", target=permalink(post)))
        for n, post in enumerate(posts)
    ]

    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 3600
    assert Linkback.objects.count() == 2


def test_webmention_get_is_405(client: Client) -> None:
    response = client.get("/webmention/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- nothing is fetched while the sender waits --------------------------------------------


def send_trackback(client: Client, post: Post, source: str) -> None:
    assert trackback_reply(trackback(client, post.pk, form(url=source)))[0] == "0"


def send_pingback(client: Client, post: Post, source: str) -> None:
    answer = xmlrpc.parse_method_response(ping(client, source, permalink(post)).content)
    assert "queued" in str(answer)


def send_webmention(client: Client, post: Post, source: str) -> None:
    assert mention(client, form(source=source, target=permalink(post))).status_code == 202


@pytest.mark.parametrize("send", [send_trackback, send_pingback, send_webmention])
def test_no_receiver_fetches_the_source_during_the_request(
    client: Client,
    remote: Remote,
    blog: Blog,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    send: Callable[[Client, Post, str], None],
) -> None:
    blog.linkback_moderation = "none"
    blog.save()
    post = PostFactory()
    remote.pages["/source"] = linking_page(post)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, post, remote.url("/source"))

    assert remote.seen == []
    linkback = Linkback.objects.get()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("linkback_verify_task")
    assert queued.args_kwargs["kwargs"] == {"linkback_id": linkback.pk}
    assert linkback.status == LinkbackStatus.PENDING

    linkback_verify(linkback_id=linkback.pk, fetcher=Fetcher())

    assert [(seen.method, seen.path) for seen in remote.seen] == [("GET", "/source")]
    linkback.refresh_from_db()
    assert linkback.status == LinkbackStatus.APPROVED


@pytest.mark.parametrize("send", [send_trackback, send_pingback, send_webmention])
def test_a_private_or_unreachable_source_gets_the_same_answer(
    client: Client, send: Callable[[Client, Post, str], None]
) -> None:
    post = PostFactory()

    # Neither is fetched, so neither answer can tell them apart (PROTOCOLS.md 5.3).
    send(client, post, "http://10.0.0.1/admin")
    send(client, post, "http://unreachable.example:81/post")

    assert Linkback.objects.filter(status=LinkbackStatus.PENDING).count() == 2


def test_receivers_do_not_read_the_session_or_need_a_csrf_token(remote: Remote) -> None:
    post = PostFactory()
    strict = Client(enforce_csrf_checks=True)

    assert (
        strict.post(f"/trackback/{post.pk}/", data=form(url=SOURCE), content_type=FORM).status_code
        == 200
    )
    assert (
        strict.post(
            "/webmention/",
            data=form(source=SOURCE + "/2", target=permalink(post)),
            content_type=FORM,
        ).status_code
        == 202
    )
    assert (
        strict.post(
            "/xmlrpc/",
            data=xmlrpc.method_call("pingback.ping", (SOURCE + "/3", permalink(post))),
            content_type="text/xml",
        ).status_code
        == 200
    )
    assert Linkback.objects.count() == 3
