"""Moderating comments in the admin: the list, bulk decisions, edits, the home page count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from bs4 import Tag as Element
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.discussion.factories import CommentFactory
from tests.factories import PostFactory, UserFactory
from yamabiko.discussion import services
from yamabiko.discussion.models import Comment, CommentStatus, SpamCorpus, SpamToken
from yamabiko.posts.models import Post

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:discussion_comment_changelist"
HOSTILE = "<script>alert(1)</script>"


# --- helpers ------------------------------------------------------------------------


def soup_of(content: bytes) -> BeautifulSoup:
    return BeautifulSoup(content, "html.parser")


def one(node: Element, selector: str) -> Element:
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def changelist(client: Client, query: str = "") -> BeautifulSoup:
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return soup_of(response.content)


def listed_bodies(page: BeautifulSoup) -> list[str]:
    return [cell.get_text(strip=True) for cell in page.select("#result_list .field-excerpt")]


def change_url(comment: Comment) -> str:
    return reverse("admin:discussion_comment_change", args=[comment.pk])


def run_action(client: Client, action: str, *comments: Comment) -> list[str]:
    """Choose ``action`` for ``comments`` on the list; the messages shown afterwards."""
    response = client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [str(comment.pk) for comment in comments]},
        follow=True,
    )
    assert response.status_code == 200
    shown = soup_of(response.content).select(".messagelist li")
    return [item.get_text(strip=True) for item in shown]


def form_values(content: bytes, **changes: str) -> dict[str, str]:
    """What a browser would submit from the change form, with ``changes`` typed in."""
    form = one(soup_of(content), "form#comment_form")
    values: dict[str, str] = {}
    for field in form.find_all(["input", "textarea"]):
        name = field.get("name")
        if not isinstance(name, str):
            continue
        if field.name == "textarea":
            values[name] = field.get_text().removeprefix("\n")
        elif field.get("type") == "radio":
            if field.has_attr("checked"):
                values[name] = str(field["value"])
        elif field.get("type") not in ("submit", "button"):
            values[name] = str(field.get("value", ""))
    return values | changes


def save_change_form(client: Client, comment: Comment, **changes: str) -> None:
    url = change_url(comment)
    response = client.post(url, form_values(client.get(url).content, **changes))
    assert response.status_code == 302, soup_of(response.content).select(".errorlist")


def approved_count(post: Post) -> int:
    return Comment.objects.filter(post=post, status=CommentStatus.APPROVED).count()


def stored_count(post: Post) -> int:
    return Post.objects.values_list("comment_count", flat=True).get(pk=post.pk)


def corpus() -> tuple[int, int]:
    """(spam documents, ham documents) the classifier has learned."""
    row = SpamCorpus.objects.values_list("spam_documents", "ham_documents").first()
    return row if row is not None else (0, 0)


def token_counts(token: str) -> tuple[int, int]:
    row = SpamToken.objects.filter(token=token).values_list("spam_count", "ham_count").first()
    return row if row is not None else (0, 0)


def queue_text(page: BeautifulSoup) -> str:
    """The admin home's moderation line, as a reader sees it."""
    return " ".join(one(page, "#moderation-queue").get_text().split())


def user_content_scripts(page: BeautifulSoup) -> list[str]:
    """Script elements or event handlers that came from what a commenter typed."""
    found = [str(tag) for tag in page.find_all("script") if "alert" in tag.get_text()]
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute.startswith("on") and "alert" in text:
                found.append(f"{element.name} {attribute}={text}")
    return found


# --- the list -----------------------------------------------------------------------


def test_changelist_shows_newest_first_with_author_post_status_score_and_ip(
    admin_client: Client,
) -> None:
    post = PostFactory(title="Autumn walk")
    now = timezone.now()
    CommentFactory(post=post, body="Older words", created_at=now - timedelta(days=2))
    CommentFactory(
        post=post,
        body="Newer words " + "long " * 30,
        author_name="Aiko",
        author_email="aiko@example.org",
        status=CommentStatus.PENDING,
        spam_score=0.734,
        ip_address="198.51.100.7",
        created_at=now - timedelta(hours=1),
    )

    page = changelist(admin_client)

    assert [body[:11] for body in listed_bodies(page)] == ["Newer words", "Older words"]
    row = one(page, "#result_list tbody tr")
    cell = {
        name: one(row, f".field-{name}").get_text(strip=True)
        for name in ("author_name", "author_email", "post_title", "status", "score", "ip_address")
    }
    assert cell == {
        "author_name": "Aiko",
        "author_email": "aiko@example.org",
        "post_title": "Autumn walk",
        "status": "Pending",
        "score": "0.73",
        "ip_address": "198.51.100.7",
    }
    assert one(row, ".field-excerpt").get_text(strip=True).endswith("…")
    assert len(one(row, ".field-excerpt").get_text(strip=True)) == 60
    assert one(row, ".field-created_at").get_text(strip=True)
    assert page.select_one("nav.toplinks") is not None, "the date hierarchy"


def test_changelist_filters_by_status(admin_client: Client) -> None:
    post = PostFactory()
    for status in CommentStatus:
        CommentFactory(post=post, body=f"{status.value} one", status=status)
    CommentFactory(post=post, body="pending two", status=CommentStatus.PENDING)

    for status in CommentStatus:
        page = changelist(admin_client, f"?status__exact={status.value}")
        expected = {f"{status.value} one"} | ({"pending two"} if status == "pending" else set())
        assert set(listed_bodies(page)) == expected, status
    assert len(listed_bodies(changelist(admin_client))) == 5


def test_post_column_narrows_the_list_to_that_post(admin_client: Client) -> None:
    walk, rain = PostFactory(title="Walk"), PostFactory(title="Rain")
    CommentFactory(post=walk, body="on the walk")
    CommentFactory(post=rain, body="in the rain")

    link = one(changelist(admin_client), "#result_list a:-soup-contains('Rain')")
    page = changelist(admin_client, str(link["href"]))

    assert listed_bodies(page) == ["in the rain"]
    assert "Rain" in one(page, "#changelist-filter").get_text()
    response = admin_client.get(reverse(CHANGELIST) + "?post=rain")
    assert response.status_code == 302, "a bad post id is refused, not a 500"


@pytest.mark.parametrize(
    ("query", "found"),
    [("heron", "saw a heron"), ("kodama", "by Kodama"), ("tengu@", "by mail"), ("203.0.1", "ip")],
)
def test_changelist_search_reads_body_author_email_and_ip(
    admin_client: Client, query: str, found: str
) -> None:
    CommentFactory(body="saw a heron")
    CommentFactory(body="by Kodama", author_name="Kodama")
    CommentFactory(body="by mail", author_email="tengu@example.org")
    CommentFactory(body="ip", ip_address="203.0.113.9")

    assert listed_bodies(changelist(admin_client, f"?q={query}")) == [found]


def test_changelist_queries_do_not_grow_with_the_rows(admin_client: Client) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            changelist(admin_client)
        return len(captured)

    CommentFactory.create_batch(2)
    queries_for_list()  # the first request of a test creates the Blog record
    few = queries_for_list()
    CommentFactory.create_batch(6)

    assert queries_for_list() == few


def test_comments_cannot_be_added_in_the_admin(admin_client: Client) -> None:
    add_url = reverse("admin:discussion_comment_add")

    assert admin_client.get(add_url).status_code == 403
    assert admin_client.post(add_url, {"author_name": "x", "body": "y"}).status_code == 403
    assert changelist(admin_client).select(f'a[href="{add_url}"]') == []


# --- bulk decisions -------------------------------------------------------------------


def test_approving_counts_the_comments_and_teaches_the_classifier_ham(
    admin_client: Client,
) -> None:
    post = PostFactory()
    CommentFactory(post=post)
    held = CommentFactory.create_batch(2, post=post, status=CommentStatus.PENDING)

    messages = run_action(admin_client, "approve", *held)

    assert messages == ["2 comments approved."]
    assert approved_count(post) == 3
    assert stored_count(post) == 3
    assert corpus() == (0, 2)


def test_marking_spam_uncounts_trains_and_changing_ones_mind_does_not_count_twice(
    admin_client: Client,
) -> None:
    post = PostFactory()
    first, second = (
        CommentFactory(post=post, body=f"Cheap casino bonus number {n}") for n in range(2)
    )
    CommentFactory(post=post, body="A kind word")
    assert stored_count(post) == 3

    assert run_action(admin_client, "mark_spam", first, second) == ["2 comments marked as spam."]

    assert stored_count(post) == approved_count(post) == 1
    assert corpus() == (2, 0)
    assert token_counts("casino") == (2, 0)

    assert run_action(admin_client, "approve", first) == ["1 comment approved."]

    assert stored_count(post) == approved_count(post) == 2
    assert corpus() == (1, 1)
    assert token_counts("casino") == (1, 1)

    assert run_action(admin_client, "mark_spam", first, second) == [
        "1 comment marked as spam. 1 already was."
    ]
    assert corpus() == (2, 0)
    assert token_counts("casino") == (2, 0)


def test_holding_and_trashing_take_comments_out_of_the_count_without_training(
    admin_client: Client,
) -> None:
    post = PostFactory()
    keep, hold, bin_ = CommentFactory.create_batch(3, post=post)

    assert run_action(admin_client, "mark_pending", hold) == ["1 comment marked as pending."]
    assert run_action(admin_client, "trash", bin_) == ["1 comment moved to the trash."]

    assert Comment.objects.get(pk=hold.pk).status == CommentStatus.PENDING
    assert Comment.objects.get(pk=bin_.pk).status == CommentStatus.TRASH
    assert Comment.objects.get(pk=keep.pk).status == CommentStatus.APPROVED
    assert stored_count(post) == approved_count(post) == 1
    assert corpus() == (0, 0)


def test_deleting_selected_comments_goes_through_the_service(admin_client: Client) -> None:
    post = PostFactory()
    doomed = CommentFactory.create_batch(2, post=post)
    CommentFactory(post=post)
    data = {"action": "delete_selected", "_selected_action": [str(c.pk) for c in doomed]}

    confirm = admin_client.post(reverse(CHANGELIST), data)
    assert confirm.status_code == 200, "Django's confirmation page first"
    assert Comment.objects.count() == 3
    response = admin_client.post(reverse(CHANGELIST), {**data, "post": "yes"}, follow=True)

    assert response.status_code == 200
    assert Comment.objects.filter(pk__in=[c.pk for c in doomed]).count() == 0
    assert stored_count(post) == approved_count(post) == 1
    assert "Successfully deleted 2 comments." in response.content.decode()


def test_deleting_one_comment_keeps_the_count(admin_client: Client) -> None:
    post = PostFactory()
    comment, _ = CommentFactory.create_batch(2, post=post)

    url = reverse("admin:discussion_comment_delete", args=[comment.pk])
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert stored_count(post) == approved_count(post) == 1


def test_a_moderator_without_change_permission_gets_no_status_actions() -> None:
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(viewer)
    CommentFactory()

    page = changelist(client)

    assert page.select("select[name=action]") == []


# --- the change form ----------------------------------------------------------------


def test_change_page_shows_why_the_filter_held_it(admin_client: Client) -> None:
    comment = CommentFactory(
        status=CommentStatus.PENDING,
        spam_score=0.8123,
        spam_reasons=["more than 2 links", "classifier: 0.81 from 'casino', 'bonus'"],
    )

    page = soup_of(admin_client.get(change_url(comment)).content)

    assert one(page, ".field-score .readonly").get_text(strip=True) == "0.81"
    reasons = [item.get_text(strip=True) for item in page.select(".field-reasons li")]
    assert reasons == ["more than 2 links", "classifier: 0.81 from 'casino', 'bonus'"]
    assert page.select_one("input[name=spam_score]") is None, "read-only"
    assert page.select_one("input[name=ip_address]") is None, "read-only"
    link = one(page, ".field-post_link a")
    assert link["href"] == comment.post.get_absolute_url()


def test_changing_the_status_in_the_form_counts_and_trains(admin_client: Client) -> None:
    post = PostFactory()
    comment = CommentFactory(post=post, status=CommentStatus.PENDING, body="Free spins casino")
    assert stored_count(post) == 0

    save_change_form(admin_client, comment, status=CommentStatus.APPROVED)

    assert Comment.objects.get(pk=comment.pk).trained_as == "ham"
    assert stored_count(post) == 1
    assert corpus() == (0, 1)

    save_change_form(admin_client, comment, status=CommentStatus.SPAM)

    assert stored_count(post) == 0
    assert corpus() == (1, 0)


def test_editing_the_body_renders_it_again_and_leaves_the_count(admin_client: Client) -> None:
    post = PostFactory()
    comment = CommentFactory(post=post, body="Plain words")
    services.comment_set_status(comment=comment, status=CommentStatus.SPAM)
    services.comment_set_status(comment=comment, status=CommentStatus.APPROVED)
    assert token_counts("plain") == (0, 1)

    save_change_form(admin_client, comment, body="Fixed *words*", author_name="Aiko", author_url="")

    saved = Comment.objects.get(pk=comment.pk)
    assert (saved.body, saved.author_name) == ("Fixed *words*", "Aiko")
    assert saved.body_html == "<p>Fixed <em>words</em></p>\n"
    assert saved.status == CommentStatus.APPROVED
    assert stored_count(post) == 1
    assert corpus() == (0, 1), "the document is counted once still"
    assert token_counts("plain") == (0, 0)
    assert token_counts("fixed") == (0, 1)


# --- hostile input ------------------------------------------------------------------


def test_markup_in_every_comment_field_shows_as_text(admin_client: Client) -> None:
    comment = CommentFactory(
        author_name=HOSTILE,
        author_email=HOSTILE,
        author_url=HOSTILE,
        body=f"{HOSTILE} and <img src=x onerror=alert(2)>",
        user_agent=HOSTILE,
        status=CommentStatus.PENDING,
        spam_reasons=[HOSTILE],
    )

    listing = changelist(admin_client)
    change = soup_of(admin_client.get(change_url(comment)).content)

    assert user_content_scripts(listing) == []
    assert user_content_scripts(change) == []
    assert one(listing, "#result_list .field-author_name").get_text(strip=True) == HOSTILE
    assert one(listing, "#result_list .field-author_email").get_text(strip=True) == HOSTILE
    assert HOSTILE in one(listing, "#result_list .field-excerpt").get_text()
    assert one(change, "input[name=author_name]")["value"] == HOSTILE
    assert one(change, "input[name=author_email]")["value"] == HOSTILE
    assert one(change, "input[name=author_url]")["value"] == HOSTILE
    assert HOSTILE in one(change, "textarea[name=body]").get_text()
    assert one(change, ".field-reasons li").get_text() == HOSTILE
    assert one(change, ".field-user_agent .readonly").get_text(strip=True) == HOSTILE
    assert change.select("img[onerror]") == []


# --- the admin home -----------------------------------------------------------------


def test_admin_home_shows_the_moderation_queue_in_one_query(admin_client: Client) -> None:
    CommentFactory.create_batch(2, status=CommentStatus.PENDING)
    CommentFactory(status=CommentStatus.SPAM)
    CommentFactory()

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:index"))

    page = soup_of(response.content)
    assert queue_text(page) == "2 comments and 0 linkbacks awaiting moderation"
    link = one(page, "#moderation-queue a#comment-queue")
    assert link.get_text(strip=True) == "2 comments"
    assert link["href"] == reverse(CHANGELIST) + "?status__exact=pending"
    comment_queries = [q for q in captured.captured_queries if "discussion_comment" in q["sql"]]
    assert len(comment_queries) == 1
    assert len(listed_bodies(changelist(admin_client, "?status__exact=pending"))) == 2


def test_admin_home_says_one_comment_and_zero_comments(admin_client: Client) -> None:
    home = reverse("admin:index")
    assert queue_text(soup_of(admin_client.get(home).content)) == (
        "0 comments and 0 linkbacks awaiting moderation"
    )

    CommentFactory(status=CommentStatus.PENDING)

    assert queue_text(soup_of(admin_client.get(home).content)) == (
        "1 comment and 0 linkbacks awaiting moderation"
    )


def test_admin_home_hides_the_queue_from_staff_who_cannot_see_comments() -> None:
    writer = UserFactory(username="writer")
    writer.user_permissions.add(Permission.objects.get(codename="view_post"))
    client = Client()
    client.force_login(writer)
    CommentFactory(status=CommentStatus.PENDING)

    page = soup_of(client.get(reverse("admin:index")).content)

    assert page.select_one("#moderation-queue") is None
