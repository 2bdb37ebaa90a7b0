"""Hostile text in every comment field, checked everywhere the comment is shown.

Each payload goes through the form as a script would send it, then the permalink page, the
JSON fragment the page's JavaScript inserts, the admin's list and change page and the
author's notification mail are parsed. A page passes when it holds no element, event
handler or script-bearing URL beyond what the same page holds for a harmless comment, and
the hostile text is still there to read, as text.

Two parsers look at each page: BeautifulSoup's tree and a bare html.parser tokenizer, so
a tag that a tree builder would re-nest or drop is still counted.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser

import pytest
from bs4 import BeautifulSoup
from bs4 import Tag as Element
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PostFactory, UserFactory
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.tasks import comment_notify_author
from yamabiko.discussion.tokens import form_token_issue
from yamabiko.posts.models import Blog, Post

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}

# Fifty-odd ways to get script into a page. None is longer than the name field's 100
# characters, so every one can be tried in every field.
PAYLOADS = [
    # script elements
    ("script", "<script>alert(1)</script>"),
    ("script-upper-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-unclosed", "<script src=data:,alert(1)//"),
    ("script-after-dq", '"><script>alert(1)</script>'),
    ("script-after-sq", "'><script>alert(1)</script>"),
    ("script-after-li", "</li></ol><script>alert(1)</script><ol><li>"),
    ("script-after-textarea", "</textarea><script>alert(1)</script>"),
    ("script-after-title", "</title><script>alert(1)</script>"),
    # attribute breakouts
    ("attr-dq-onmouseover", '" onmouseover="alert(1)'),
    ("attr-sq-autofocus", "' autofocus onfocus='alert(1)' x='"),
    ("attr-backtick", "`onmouseover=alert(1)`"),
    ("attr-bare-handler", "x onerror=alert(1) y"),
    # event handlers
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-slashes", "<img/src=x/onerror=alert(1)>"),
    ("img-entity-handler", '<img src=x onerror="&#97;lert(1)">'),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-slash-onload", "<svg/onload=alert(1)//"),
    ("body-onload", "<body onload=alert(1)>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    ("input-onfocus", "<input autofocus onfocus=alert(1)>"),
    ("isindex-onerror", "<isindex type=image src=1 onerror=alert(1)>"),
    # embedding, forms, document-level elements
    ("iframe-javascript", "<iframe src=javascript:alert(1)></iframe>"),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">'),
    ("object-data", '<object data="javascript:alert(1)">'),
    ("embed-data-url", '<embed src="data:text/html,<script>alert(1)</script>">'),
    ("form-action", "<form action=javascript:alert(1)><button>x</button></form>"),
    ("button-formaction", "<button formaction=javascript:alert(1)>x</button>"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("link-stylesheet", "<link rel=stylesheet href=javascript:alert(1)>"),
    ("a-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("a-entity-scheme", '<a href="&#x6a;avascript:alert(1)">x</a>'),
    # style
    ("style-expression", "<style>*{x:expression(alert(1))}</style>"),
    ("style-attr-expression", '<p style="width:expression(alert(1))">x</p>'),
    ("style-import", "<style>@import 'javascript:alert(1)';</style>"),
    # bare script-bearing URLs in many spellings
    ("js-url", "javascript:alert(1)"),
    ("js-url-mixed-case", "JaVaScRiPt:alert(1)"),
    ("js-url-leading-blank", " \t javascript:alert(document.domain)"),
    ("js-url-tab", "java\tscript:alert(1)"),
    ("js-url-newline", "java\nscript:alert(1)"),
    ("js-url-carriage-return", "jav\rascript:alert(1)"),
    ("js-url-control-prefix", "\x01javascript:alert(1)"),
    ("js-url-colon-entity", "javascript&colon;alert(1)"),
    ("js-url-decimals", "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)"),
    ("js-url-hex-entities", "&#x6A&#x61&#x76&#x61script&#x3A;alert(1)"),
    ("js-url-percent-colon", "javascript%3Aalert(1)"),
    ("js-url-percent-scheme", "%6A%61vascript:alert(1)"),
    ("vbscript-url", "vbscript:msgbox(1)"),
    ("data-url-html", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("data-url-svg", "data:image/svg+xml,<svg onload=alert(1)>"),
    # Markdown links, images and autolinks
    ("md-link-javascript", "[click](javascript:alert(1))"),
    ("md-link-entity-colon", "[click](javascript&#58;alert(1))"),
    ("md-link-angle-brackets", "[click](<javascript:alert(1)>)"),
    ("md-link-vbscript", "[x](VBScript:msgbox(1))"),
    ("md-link-data", "[x](data:text/html,<script>alert(1)</script>)"),
    ("md-link-nested", "[[x](javascript:alert(1))](https://example.org)"),
    ("md-link-newline-scheme", "[x](java\nscript:alert(1))"),
    ("md-link-tab-scheme", "[x](\tjavascript:alert(1))"),
    ("md-link-percent-colon", "[x](javascript%3Aalert(1))"),
    ("md-link-escaped-colon", "[x](javascript\\:alert(1))"),
    ("md-link-title-breakout", '[x](https://example.org "a\\" onmouseover=\\"alert(1)")'),
    ("md-image-javascript", "![x](javascript:alert(1))"),
    ("md-image-alt-breakout", '![x" onerror="alert(1)](https://example.org/x.png)'),
    ("md-autolink-javascript", "<javascript:alert(1)>"),
    ("md-autolink-breakout", '<https://example.org/"onmouseover="alert(1)>'),
    ("md-autolink-mailto", "<mailto:a@example.org?body=<script>alert(1)</script>>"),
    ("md-reference-javascript", "[x][r]\n\n[r]: javascript:alert(1)"),
    ("md-reference-title", '[x][r]\n\n[r]: https://example.org "a" onclick="alert(1)"'),
    ("md-code-span", "`<script>alert(1)</script>`"),
    ("md-fence", "```html\n<script>alert(1)</script>\n```"),
    ("md-emphasis-img", "*<img src=x onerror=alert(1)>*"),
    # template injection
    ("template-variable", "{{7*7}}"),
    ("template-tags", "{% debug %}{% load static %}"),
    ("template-settings", "{{ settings.SECRET_KEY }}{{request.META}}"),
    ("template-other-engines", "${7*7}#{7*7}<%= 7*7 %>"),
    # comments, CDATA and mutation classics
    ("comment-breakout", "<!--<img src=--><img src=x onerror=alert(1)//-->"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("template-element", "<template><script>alert(1)</script></template>"),
    ("xmp-plaintext", "<xmp><plaintext><script>alert(1)</script>"),
    # SVG and MathML namespaces
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-animate-href", "<svg><a><animate attributeName=href values=javascript:alert(1) />"),
    ("svg-use-data", '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>'),
    ("svg-foreignobject", "<svg><foreignObject><iframe src=javascript:alert(1)>"),
    ("a-xlink-href", '<a xlink:href="javascript:alert(1)">x</a>'),
    ("math-xlink-href", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'),
    ("math-mglyph-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    # unicode and encoding tricks
    ("fullwidth-brackets", "＜script＞alert(1)＜/script＞"),
    ("rtl-override", "\u202egnp.exe<script>alert(1)</script>"),
    ("zero-width-space", "java\u200bscript:alert(1)<img\u200b src=x onerror=alert(1)>"),
    ("js-unicode-escapes", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    ("utf7", "+ADw-script+AD4-alert(1)+ADw-/script+AD4-"),
    ("overlong-utf8", "%C0%BCscript%C0%BEalert(1)%C0%BC/script%C0%BE"),
    ("entity-escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("double-percent-encoded", "%253Cscript%253Ealert(1)%253C%252Fscript%253E"),
]  # fmt: skip
PAYLOAD_IDS = [name for name, _ in PAYLOADS]
PAYLOAD_VALUES = [value for _, value in PAYLOADS]

# Website addresses the form accepts (http or https with a host) that still carry markup.
HOSTILE_WEBSITES = [
    ("dq-script", 'https://example.org/"><script>alert(1)</script>'),
    ("sq-handler", "https://example.org/'onmouseover='alert(1)'"),
    ("query-svg", "http://example.org/?q=<svg/onload=alert(1)>"),
    ("fragment-autofocus", 'https://example.org/#" autofocus onfocus="alert(1)'),
    ("javascript-userinfo", "https://javascript:alert(1)@example.org/"),
    ("upper-close-a", "HTTPS://EXAMPLE.ORG/</a><script>alert(1)</script>"),
    ("template-path", "https://example.org/{{7*7}}/{% debug %}"),
    ("rtl-img", "https://example.org/\u202e<img src=x onerror=alert(1)>"),
]

HOSTILE_NAME = '"><img src=x onerror=alert(1)>'

# Addresses the email field accepts (quoted or unusual local parts) that carry markup.
HOSTILE_EMAILS = [
    ("quoted-script", '"<script>alert(1)</script>"@example.org'),
    ("quoted-breakout", r'"\"><svg/onload=alert(1)>"@example.org'),
    ("atom-handler", "'onmouseover=alert`1`'@example.org"),
    ("atom-template", "{{7*7}}@example.org"),
]

HARMLESS = {"name": "Kodama", "email": "kodama@example.org", "url": "https://kodama.example/"}

# Elements a comment never legitimately adds to a page.
FOREIGN_ELEMENTS = frozenset(
    {
        "applet", "audio", "base", "body", "button", "details", "embed", "form", "frame",
        "frameset", "head", "html", "iframe", "image", "img", "input", "isindex", "link",
        "marquee", "math", "meta", "noscript", "object", "plaintext", "script", "select",
        "source", "style", "svg", "template", "textarea", "video", "xmp",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {
        "action", "background", "codebase", "data", "dynsrc", "formaction", "href", "lowsrc",
        "ping", "poster", "src", "values", "xlink:href",
    }
)  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")

_bodies = itertools.count(1)
_baselines: dict[str, Counter[str]] = {}


# --- finding script in markup -------------------------------------------------------


def squeezed(value: str) -> str:
    """An attribute value as a browser resolves a URL's scheme: no blanks or controls at all."""
    return "".join(char for char in value if char > " " and char != "\x7f").lower()


def tag_findings(name: str, attrs: Iterable[tuple[str, str | None]]) -> Iterator[str]:
    if name in FOREIGN_ELEMENTS:
        yield f"<{name}>"
    for attr, raw in attrs:
        value = squeezed(raw or "")
        if attr.startswith("on"):
            yield f"<{name} {attr}>"
        elif attr == "srcdoc":
            yield f"<{name} srcdoc>"
        elif attr in URL_ATTRIBUTES and value.startswith(SCRIPT_SCHEMES):
            yield f"<{name} {attr}={raw!r}>"
        elif attr == "style" and ("expression(" in value or "javascript:" in value):
            yield f"<{name} style={raw!r}>"


def parsed(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser", multi_valued_attributes=None)


def tree_findings(tree: BeautifulSoup | Element) -> Counter[str]:
    found: Counter[str] = Counter()
    for element in tree.find_all(True):
        found.update(tag_findings(element.name, element.attrs.items()))
    return found


class StartTags(HTMLParser):
    """Every start tag the tokenizer meets, whatever a tree builder would make of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update(tag_findings(tag, attrs))


def token_findings(markup: str) -> Counter[str]:
    scanner = StartTags()
    scanner.feed(markup)
    scanner.close()
    return scanner.found


def findings(markup: str, tree: BeautifulSoup | Element | None = None) -> Counter[str]:
    return tree_findings(parsed(markup) if tree is None else tree) | token_findings(markup)


def checked(kind: str, markup: str) -> BeautifulSoup:
    """``markup`` parsed, once it is known to hold nothing more than its baseline."""
    tree = parsed(markup)
    extra = findings(markup, tree) - _baselines[kind]
    assert not extra, f"{kind} gained {sorted(extra)}"
    return tree


# --- posting and reading ------------------------------------------------------------


@pytest.fixture(autouse=True)
def open_policy() -> None:
    # Published at once, never rate limited; plenty of links allowed, so no payload is held
    # for moderation and every one reaches the pages under test.
    Blog.load()
    Blog.objects.filter(pk=1).update(
        comment_moderation="none",
        comment_rate_per_ip=0,
        comment_rate_per_email=0,
        comment_max_links=100,
    )


@pytest.fixture
def admin_user() -> AbstractBaseUser:
    # pytest-django's own sets a password, and hashing it costs more than a whole test here.
    user: AbstractBaseUser = UserFactory(username="moderator", is_superuser=True)
    return user


@pytest.fixture
def post() -> Post:
    return PostFactory()


def fields_with(post: Post, **overrides: str) -> dict[str, str]:
    fields = {
        **HARMLESS,
        "body": f"Harmless comment number {next(_bodies)}.",
        "parent": "",
        "homepage": "",
        # Older than the spam filter's minimum time between showing and posting the form.
        "token": form_token_issue(post_id=post.pk, now=time.time() - 30),
    }
    fields.update(overrides)
    return fields


def submit_json(client: Client, post: Post, **overrides: str) -> tuple[Comment, str]:
    """Post the form as the page's JavaScript does: the stored comment and its HTML."""
    response = client.post(f"/comments/{post.pk}/", fields_with(post, **overrides), headers=JSON)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert payload["status"] == "approved", payload
    comment = Comment.objects.get(pk=payload["id"])
    assert comment.status == CommentStatus.APPROVED
    return comment, payload["html"]


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def changelist_url() -> str:
    return reverse("admin:discussion_comment_changelist")


def change_url(comment: Comment) -> str:
    return reverse("admin:discussion_comment_change", args=[comment.pk])


def one(node: BeautifulSoup | Element, selector: str) -> Element:
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


@pytest.fixture
def baselines(client: Client, admin_client: Client, post: Post) -> dict[str, Counter[str]]:
    """What each page holds for a harmless comment: its own scripts, forms, inputs.

    Found once per run: the pages differ from test to test only in ids and numbers, which
    no finding includes, and finding them costs a comment and five requests.
    """
    if not _baselines:
        comment, fragment = submit_json(client, post)
        _baselines["fragment"] = findings(fragment)
        _baselines["permalink"] = findings(page_text(client, post.get_absolute_url()))
        _baselines["changelist"] = findings(page_text(admin_client, changelist_url()))
        _baselines["change"] = findings(page_text(admin_client, change_url(comment)))
        refused = client.post(f"/comments/{post.pk}/", fields_with(post, url="ftp://x.example"))
        assert refused.status_code == 400
        _baselines["refused"] = findings(refused.content.decode())
        services.comment_delete(comment=comment)
    return _baselines


def notification(comment: Comment) -> mail.EmailMessage:
    """The author's mail about ``comment``: plain text only, never an HTML part."""
    mail.outbox.clear()
    assert comment_notify_author.call(comment_id=comment.pk) is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert message.message().get_content_type() == "text/plain"
    return message


def shown_everywhere(
    client: Client, admin_client: Client, comment: Comment, fragment: str
) -> dict[str, Element]:
    """Check every page that shows ``comment``; its element on each, to read further."""
    permalink = page_text(client, comment.post.get_absolute_url())
    changelist = page_text(admin_client, changelist_url())
    change = page_text(admin_client, change_url(comment))
    anchor = f"#comment-{comment.pk}"
    row = f"#result_list tr:has(input.action-select[value='{comment.pk}'])"
    shown = {
        "fragment": one(checked("fragment", fragment), anchor),
        "permalink": one(checked("permalink", permalink), anchor),
        "row": one(checked("changelist", changelist), row),
        "change": one(checked("change", change), "form#comment_form"),
    }
    for markup in (fragment, permalink, changelist, change):
        for text in (comment.author_name, comment.author_email, comment.author_url, comment.body):
            # Markup characters in what the reader typed reach the page as entities.
            assert "<" not in text or text not in markup
    for place in ("fragment", "permalink"):
        # The comment's own element holds nothing foreign at all, baseline or not.
        own = findings(str(shown[place]))
        assert not own, f"{place}: the comment's element holds {sorted(own)}"
    return shown


def has_line_break(text: str) -> bool:
    return len(text.splitlines()) > 1


# --- the payloads in each field -----------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOAD_VALUES, ids=PAYLOAD_IDS)
def test_hostile_name_and_body_are_shown_as_text_everywhere(
    client: Client, admin_client: Client, post: Post, baselines: object, payload: str
) -> None:
    # Both free-text fields at once: each place is checked per field, and one comment per
    # payload instead of two keeps the file fast.
    comment, fragment = submit_json(client, post, name=payload, body=payload, url="")
    text = payload.strip()
    name = " ".join(text.split())  # a name is kept on one line
    assert (comment.author_name, comment.body) == (name, text)

    shown = shown_everywhere(client, admin_client, comment, fragment)

    for place in ("fragment", "permalink"):
        assert one(shown[place], ".comment-author .p-name").get_text() == name, place
        assert one(shown[place], ".comment-reply .visually-hidden").get_text() == f" to {name}"
        assert one(shown[place], ".comment-body").get_text(strip=True), f"{place}: body vanished"
    assert one(shown["row"], ".field-author_name").get_text() == name
    assert one(shown["row"], ".field-excerpt").get_text().strip()
    assert one(shown["change"], "input[name=author_name]")["value"] == name
    assert one(shown["change"], "textarea[name=body]").get_text().removeprefix("\n") == text
    message = notification(comment)
    name = Comment.objects.get(pk=comment.pk).author_name
    assert name in message.subject
    assert f"{name} commented on" in message.body
    assert f"\n\n{text}\n\n" in message.body


@pytest.mark.parametrize("payload", PAYLOAD_VALUES, ids=PAYLOAD_IDS)
def test_hostile_website_email_and_parent_are_refused_and_shown_back_as_text(
    client: Client, post: Post, baselines: object, payload: str
) -> None:
    # The fields that must refuse such text, all at once: the JSON errors name each, so no
    # refusal hides another. The form shown again repeats each value, and the parent also
    # in its "Replying to" link.
    refusing = ("url", "email", "parent")
    fields = fields_with(post, **dict.fromkeys(refusing, payload))

    as_json = client.post(f"/comments/{post.pk}/", fields, headers=JSON)
    as_page = client.post(f"/comments/{post.pk}/", fields)

    assert as_json.status_code == 400
    assert as_json["Content-Type"] == "application/json"
    assert set(refusing) <= as_json.json()["errors"].keys()
    assert as_page.status_code == 400
    form = one(checked("refused", as_page.content.decode()), "form#comment-form")
    for field in refusing:
        assert one(form, f"input[name={field}]")["value"] == payload
    for field in ("url", "email"):
        assert one(form, f"#id_{field}-error").get_text().strip()
    assert one(form, ".replying-to a")["href"] == f"#comment-{payload}"
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "url", [url for _, url in HOSTILE_WEBSITES], ids=[name for name, _ in HOSTILE_WEBSITES]
)
def test_hostile_http_website_is_linked_without_breaking_out(
    client: Client, admin_client: Client, post: Post, baselines: object, url: str
) -> None:
    # The name is hostile too: linked, it is printed inside the <a> rather than a <span>.
    comment, fragment = submit_json(client, post, url=url, name=HOSTILE_NAME)
    assert comment.author_url == url

    shown = shown_everywhere(client, admin_client, comment, fragment)

    for place in ("fragment", "permalink"):
        link = one(shown[place], ".comment-author a.p-name")
        assert link["href"] == url
        assert set(link.attrs) == {"class", "href", "rel"}
        assert link.get_text() == HOSTILE_NAME
    assert one(shown["change"], "input[name=author_url]")["value"] == url
    assert f"{HOSTILE_NAME} ({url}) commented on" in notification(comment).body


@pytest.mark.parametrize(
    "email", [email for _, email in HOSTILE_EMAILS], ids=[name for name, _ in HOSTILE_EMAILS]
)
def test_hostile_but_valid_email_is_shown_only_to_moderators_as_text(
    client: Client, admin_client: Client, post: Post, baselines: object, email: str
) -> None:
    comment, fragment = submit_json(client, post, email=email)
    assert comment.author_email == email

    shown = shown_everywhere(client, admin_client, comment, fragment)

    for place in ("fragment", "permalink"):
        assert email not in str(shown[place])
    assert one(shown["row"], ".field-author_email").get_text() == email
    assert one(shown["change"], "input[name=author_email]")["value"] == email
    assert notification(comment).to != [email]


def test_javascript_website_is_refused_without_javascript_too(client: Client, post: Post) -> None:
    response = client.post(f"/comments/{post.pk}/", fields_with(post, url="javascript:alert(1)"))

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert not Post.objects.get(pk=post.pk).comment_count


@pytest.mark.parametrize("separator", ["\n", "\r", "\u2028"], ids=["lf", "cr", "u2028"])
def test_name_with_a_line_break_still_notifies_the_author(
    client: Client, post: Post, separator: str
) -> None:
    response = client.post(
        f"/comments/{post.pk}/",
        fields_with(post, name=f"Kodama{separator}Bcc: victim@example.org"),
        headers=JSON,
    )

    if response.status_code == 400:
        return  # refusing such a name at the form is a fix too
    comment = Comment.objects.get(pk=response.json()["id"])
    message = notification(comment)
    assert not has_line_break(message.subject)
    assert message.recipients() == [post.author.email]
