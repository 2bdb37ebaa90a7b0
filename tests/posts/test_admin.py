"""The admin as authors use it: forms posted the way a browser posts them, pages parsed."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from bs4 import Tag as Element
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from yamabiko.posts import services
from yamabiko.posts.admin.base import PREVIEW_MAX_CHARS
from yamabiko.posts.models import Blog, Category, Page, Post, PostStatus, Redirect, Tag

pytestmark = pytest.mark.django_db

DANGEROUS_MARKDOWN = (
    "Hello <script>alert('body')</script>\n\n"
    '<a href="#top" onclick="steal()">click me</a>\n\n'
    '<a href="javascript:alert(1)">raw link</a> and [md link](javascript:alert(2))\n\n'
    '<img src="x.png" onerror="steal()" alt="picture">'
)


# --- helpers ------------------------------------------------------------------------


def soup_of(content: bytes) -> BeautifulSoup:
    return BeautifulSoup(content, "html.parser")


def one(node: Element, selector: str) -> Element:
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def text_at(node: Element, selector: str) -> str:
    return one(node, selector).get_text(strip=True)


def form_values(
    content: bytes, selector: str = "form[method=post][id$=_form]", **changes: str | list[str]
) -> dict[str, list[str]]:
    """What a browser would submit from the page's form, with ``changes`` typed in."""
    form = soup_of(content).select_one(selector)
    assert form is not None, "no admin form on the page"
    values: dict[str, list[str]] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not isinstance(name, str) or field.has_attr("disabled"):
            continue
        if field.name == "input":
            kind = field.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and not field.has_attr("checked"):
                continue
            default = "on" if kind in ("checkbox", "radio") else ""
            values.setdefault(name, []).append(str(field.get("value", default)))
        elif field.name == "select":
            options = field.find_all("option")
            chosen = [option for option in options if option.has_attr("selected")]
            if not chosen and not field.has_attr("multiple") and options:
                chosen = options[:1]
            values.setdefault(name, []).extend(str(option.get("value", "")) for option in chosen)
        else:
            # The HTML parser keeps the newline Django writes after <textarea>; browsers drop it.
            values[name] = [field.get_text().removeprefix("\n")]
    for name, value in changes.items():
        values[name] = value if isinstance(value, list) else [value]
    return values


def date_fields(name: str, when: timezone.datetime | None) -> dict[str, str]:
    if when is None:
        return {f"{name}_0": "", f"{name}_1": ""}
    local = when.astimezone(Blog.load().zone)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def add_post(client: Client, **changes: str | list[str]) -> Post:
    """Fill in the add form as an author would, save it, and return the saved post."""
    url = reverse("admin:posts_post_add")
    data = form_values(client.get(url).content, **changes)
    response = client.post(url, data)
    assert response.status_code == 302, error_text(response.content)
    return Post.objects.get(title=data["title"][0].strip())


def error_text(content: bytes) -> str:
    page = soup_of(content)
    return " | ".join(item.get_text(" ", strip=True) for item in page.select(".errorlist li"))


def changelist_titles(content: bytes) -> list[str]:
    rows = soup_of(content).select("#result_list tbody th.field-title a")
    return [row.get_text(strip=True) for row in rows]


def home_titles(client: Client) -> list[str]:
    page = soup_of(client.get("/").content)
    return [title.get_text(strip=True) for title in page.select(".entry-title")]


def unsafe_markup(html: str) -> list[str]:
    """Every script, event handler and javascript: URL left in an HTML fragment."""
    found: list[str] = []
    for element in soup_of(html.encode()).find_all(True):
        if element.name == "script":
            found.append(str(element))
        for attribute, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute.startswith("on") or text.strip().lower().startswith("javascript:"):
                found.append(f"{element.name} {attribute}={text}")
    return found


# --- the post form --------------------------------------------------------------------


def test_post_add_form_offers_preview_prepopulated_slug_and_category_popup(
    admin_client: Client,
) -> None:
    page = soup_of(admin_client.get(reverse("admin:posts_post_add")).content)

    for name in ("body", "extended"):
        editor = one(page, f".markdown-editor:has(textarea[name={name}])")
        assert editor["data-preview-url"] == reverse("admin:posts_post_preview")
        pane = one(editor, "[data-preview-pane]")
        assert pane["aria-live"] == "polite"
        assert name in text_at(page, f"#{pane['aria-labelledby']}")
        assert text_at(editor, "[data-preview-status]") == "Loading…"
    scripts = [tag for tag in page.find_all("script") if "admin-preview.js" in tag.get("src", "")]
    assert len(scripts) == 1
    assert scripts[0].has_attr("defer")
    inline = [tag for tag in page.find_all("script") if tag.get_text(strip=True)]
    assert inline == []

    prepopulated = one(page, "#django-admin-prepopulated-fields-constants")
    slug = json.loads(str(prepopulated["data-prepopulated-fields"]))[0]
    assert slug["id"] == "#id_slug"
    assert slug["allowUnicode"] is True
    assert page.find(id="add_id_categories") is not None, "the + add-another link"
    assert text_at(page, "select[name=author] option[selected]") == "admin"


def test_adding_a_post_saves_categories_and_creates_missing_tags(
    admin_client: Client, admin_user: AbstractUser
) -> None:
    travel, food = CategoryFactory(name="Travel"), CategoryFactory(name="Food")
    existing = TagFactory(name="Kyoto")

    post = add_post(
        admin_client,
        title="A walk in the hills",
        body="We *walked*.",
        status=PostStatus.PUBLISHED,
        categories=[str(travel.pk), str(food.pk)],
        primary_category=str(food.pk),
        tag_names="kyoto, autumn leaves、 紅葉 , Autumn  leaves",
        **date_fields("published_at", None),
    )

    assert post.author == admin_user
    assert post.slug == "a-walk-in-the-hills"
    assert post.body_html == "<p>We <em>walked</em>.</p>\n"
    assert set(post.categories.all()) == {travel, food}
    assert post.primary_category == food
    assert sorted(tag.name for tag in post.tags.all()) == ["Kyoto", "autumn leaves", "紅葉"]
    assert Tag.objects.filter(name="Kyoto").get() == existing
    assert post.status == PostStatus.PUBLISHED
    assert post.is_live()


def test_primary_category_outside_the_categories_is_added_to_them(admin_client: Client) -> None:
    travel = CategoryFactory(name="Travel")

    post = add_post(admin_client, title="Filed", status="draft", primary_category=str(travel.pk))

    assert list(post.categories.all()) == [travel]
    assert post.primary_category == travel


def test_post_markdown_is_sanitized_when_saved_and_shown(admin_client: Client) -> None:
    post = add_post(
        admin_client,
        title="Tricky",
        body=DANGEROUS_MARKDOWN,
        extended=DANGEROUS_MARKDOWN,
        status=PostStatus.PUBLISHED,
    )

    for html in (post.body_html, post.extended_html):
        assert "click me" in html
        assert "raw link" in html
        assert unsafe_markup(html) == []
        assert "alert('body')" not in html
    page = soup_of(admin_client.get(post.get_absolute_url()).content)
    entry = one(page, ".entry-body")
    assert "click me" in entry.get_text()
    assert unsafe_markup(str(entry)) == []


def test_japanese_title_gets_a_readable_cjk_slug(admin_client: Client) -> None:
    post = add_post(admin_client, title="山彦の便り 第1号", slug="", status="published")

    assert post.slug == "山彦の便り-第1号"
    assert admin_client.get(post.get_absolute_url()).status_code == 200


def test_future_date_schedules_the_post_and_empty_date_publishes_now(
    admin_client: Client, client: Client
) -> None:
    later = timezone.now() + timedelta(days=3)
    scheduled = add_post(
        admin_client, title="Coming soon", status="published", **date_fields("published_at", later)
    )
    now = add_post(
        admin_client, title="Out now", status="published", **date_fields("published_at", None)
    )

    assert scheduled.status == PostStatus.SCHEDULED
    assert scheduled.published_at is not None
    assert abs(scheduled.published_at - later) < timedelta(seconds=1)
    assert now.status == PostStatus.PUBLISHED
    assert now.published_at is not None
    assert timezone.now() - now.published_at < timedelta(minutes=1)
    assert home_titles(client) == ["Out now"]


def test_scheduled_post_page_says_when_it_goes_live(admin_client: Client) -> None:
    later = timezone.now() + timedelta(days=3)
    post = add_post(
        admin_client, title="Later", status="scheduled", **date_fields("published_at", later)
    )

    response = admin_client.get(reverse("admin:posts_post_change", args=[post.pk]))

    visibility = text_at(soup_of(response.content), ".field-visibility .readonly")
    assert visibility.startswith("Scheduled: goes live by itself on")


def test_service_refusal_is_a_form_error_and_changes_nothing(admin_client: Client) -> None:
    url = reverse("admin:posts_post_add")
    data = form_values(
        admin_client.get(url).content,
        title="No date",
        status="scheduled",
        tag_names="brand new tag",
        **date_fields("published_at", None),
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = soup_of(response.content)
    assert page.select_one(".errornote") is not None
    assert "needs a publication date" in error_text(response.content)
    assert one(page, "input[name=title]")["value"] == "No date", "the author's input is kept"
    assert not Post.objects.exists()
    assert not Tag.objects.filter(name="brand new tag").exists(), "rolled back with the post"


def test_invalid_ping_url_is_a_form_error(admin_client: Client) -> None:
    url = reverse("admin:posts_post_add")
    data = form_values(admin_client.get(url).content, title="Pings", ping_urls="not a url")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Not an http(s) URL: not a url" in error_text(response.content)


def test_editing_the_slug_of_a_live_post_leaves_a_redirect(
    admin_client: Client, client: Client
) -> None:
    post = PostFactory(title="Old name", slug="old-name", tags=[TagFactory(name="keep me")])
    old_url = post.get_absolute_url()
    change_url = reverse("admin:posts_post_change", args=[post.pk])
    form_page = admin_client.get(change_url).content
    assert form_values(form_page)["tag_names"] == ["keep me"]

    response = admin_client.post(change_url, form_values(form_page, slug="new-name"))

    assert response.status_code == 302, error_text(response.content)
    post.refresh_from_db()
    assert post.slug == "new-name"
    assert [tag.name for tag in post.tags.all()] == ["keep me"]
    moved = client.get(old_url)
    assert moved.status_code == 301
    assert moved["Location"] == post.get_absolute_url()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_post_of_a_former_writer_keeps_its_author_when_edited(admin_client: Client) -> None:
    former = UserFactory(is_staff=False)
    post = PostFactory(author=former)
    url = reverse("admin:posts_post_change", args=[post.pk])

    response = admin_client.post(url, form_values(admin_client.get(url).content, title="Edited"))

    assert response.status_code == 302, error_text(response.content)
    post.refresh_from_db()
    assert post.title == "Edited"
    assert post.author == former


def test_taken_slug_gets_a_number_and_a_warning(admin_client: Client) -> None:
    PostFactory(slug="same")
    url = reverse("admin:posts_post_add")
    data = form_values(admin_client.get(url).content, title="Twin", slug="same")

    response = admin_client.post(url, data, follow=True)

    assert Post.objects.get(title="Twin").slug == "same-2"
    messages = [item.get_text() for item in soup_of(response.content).select(".messagelist li")]
    assert any("“same” was taken" in message for message in messages)


# --- the preview endpoint -------------------------------------------------------------


def test_preview_returns_sanitized_html(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:posts_post_preview"), {"text": DANGEROUS_MARKDOWN})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    html = response.json()["html"]
    assert "<p>Hello" in html
    assert "click me" in html
    assert unsafe_markup(html) == []
    assert "alert('body')" not in html


def test_preview_of_pages_has_its_own_url(admin_client: Client) -> None:
    url = reverse("admin:posts_page_preview")

    response = admin_client.post(url, {"text": "# About"})

    assert response.json() == {"html": "<h1>About</h1>\n"}
    form_page = soup_of(admin_client.get(reverse("admin:posts_page_add")).content)
    assert one(form_page, ".markdown-editor")["data-preview-url"] == url


def test_preview_refuses_get(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:posts_post_preview")).status_code == 405


def test_preview_refuses_anonymous_and_non_staff_users(client: Client) -> None:
    url = reverse("admin:posts_post_preview")
    anonymous = client.post(url, {"text": "hi"})
    client.force_login(UserFactory(is_staff=False))
    reader = client.post(url, {"text": "hi"})

    for response in (anonymous, reader):
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("admin:login")


def test_preview_refuses_staff_without_post_permissions(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("admin:posts_post_preview"), {"text": "hi"})

    assert response.status_code == 403
    assert "html" not in response.json()


def test_preview_rejects_oversized_text(admin_client: Client) -> None:
    url = reverse("admin:posts_post_preview")

    response = admin_client.post(url, {"text": "a" * (PREVIEW_MAX_CHARS + 1)})

    assert response.status_code == 413
    assert "at most 200,000 characters" in response.json()["error"]
    assert admin_client.post(url, {"text": "a" * PREVIEW_MAX_CHARS}).status_code == 200


# --- the post list -------------------------------------------------------------------


@pytest.fixture
def filed_posts() -> dict[str, Post]:
    travel, food = CategoryFactory(name="Travel"), CategoryFactory(name="Food")
    return {
        "draft": PostFactory(title="Draft trip", status="draft", published_at=None),
        "scheduled": PostFactory(
            title="Future meal",
            published_at=timezone.now() + timedelta(days=2),
            categories=[food],
        ),
        "live": PostFactory(title="Past trip", categories=[travel]),
        "was scheduled": PostFactory(
            title="Arrived meal", status="scheduled", categories=[food, travel]
        ),
    }


@pytest.mark.parametrize(
    ("status", "titles"),
    [
        ("draft", ["Draft trip"]),
        ("scheduled", ["Future meal"]),
        ("published", ["Arrived meal", "Past trip"]),
    ],
)
def test_post_list_filters_by_status(
    admin_client: Client, filed_posts: dict[str, Post], status: str, titles: list[str]
) -> None:
    url = reverse("admin:posts_post_changelist")
    response = admin_client.get(url, {"status": status})
    with_counts = admin_client.get(url, {"status": status, "_facets": "True"})

    assert response.status_code == 200
    assert sorted(changelist_titles(response.content)) == titles
    assert with_counts.status_code == 200
    assert sorted(changelist_titles(with_counts.content)) == titles


def test_post_list_filters_by_category_and_shows_columns(
    admin_client: Client, filed_posts: dict[str, Post]
) -> None:
    food = Category.objects.get(name="Food")
    response = admin_client.get(
        reverse("admin:posts_post_changelist"), {"categories__id__exact": food.pk}
    )

    assert response.status_code == 200
    assert sorted(changelist_titles(response.content)) == ["Arrived meal", "Future meal"]
    page = soup_of(response.content)
    headers = [th.get_text(strip=True).lower() for th in page.select("#result_list thead th")]
    for column in ("title", "status", "published", "primary category", "author", "comments"):
        assert any(column in header for header in headers), column
    row = one(page, "#result_list tbody tr:has(a:-soup-contains('Future meal'))")
    assert text_at(row, ".field-state") == "Scheduled"
    assert text_at(row, ".field-primary_category") == "Food"


def test_post_list_search_and_date_drilldown(
    admin_client: Client, filed_posts: dict[str, Post]
) -> None:
    url = reverse("admin:posts_post_changelist")
    found = admin_client.get(url, {"q": "trip"})
    year = filed_posts["live"].permalink_date.year
    by_year = admin_client.get(url, {"published_at__year": year})

    assert sorted(changelist_titles(found.content)) == ["Draft trip", "Past trip"]
    assert by_year.status_code == 200
    assert "Past trip" in changelist_titles(by_year.content)


def test_post_list_queries_do_not_grow_with_posts(admin_client: Client) -> None:
    category = CategoryFactory()
    url = reverse("admin:posts_post_changelist")
    PostFactory(categories=[category])
    admin_client.get(url)  # warm up sessions, content types and the like
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    PostFactory.create_batch(5, categories=[category], author=UserFactory())

    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(changelist_titles(response.content)) == 6
    assert len(many) == len(few)


# --- categories and tags ------------------------------------------------------------


def test_category_added_from_the_post_form_popup_gets_slug_and_path(
    admin_client: Client,
) -> None:
    url = reverse("admin:posts_category_add") + "?_to_field=id&_popup=1"
    data = form_values(admin_client.get(url).content, name="日本の旅", slug="")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "admin/popup_response.html" in [template.name for template in response.templates]
    category = Category.objects.get(name="日本の旅")
    assert category.slug == category.path == "日本の旅"


def test_renaming_a_parent_category_moves_its_subtree(admin_client: Client) -> None:
    parent = services.category_save(category=Category(name="Travel", slug="travel"))
    child = services.category_save(category=Category(name="Japan", slug="japan", parent=parent))
    url = reverse("admin:posts_category_change", args=[parent.pk])

    response = admin_client.post(url, form_values(admin_client.get(url).content, slug="trips"))

    assert response.status_code == 302, error_text(response.content)
    child.refresh_from_db()
    assert child.path == "trips/japan"
    assert admin_client.get("/category/trips/japan/").status_code == 200


def test_category_cycle_is_refused_with_a_form_error(admin_client: Client) -> None:
    parent = services.category_save(category=Category(name="Travel", slug="travel"))
    child = services.category_save(category=Category(name="Japan", slug="japan", parent=parent))
    url = reverse("admin:posts_category_change", args=[parent.pk])

    response = admin_client.post(
        url, form_values(admin_client.get(url).content, parent=str(child.pk))
    )

    assert response.status_code == 200
    assert "cannot be its own ancestor" in error_text(response.content)
    parent.refresh_from_db()
    child.refresh_from_db()
    assert parent.parent is None
    assert parent.path == "travel"
    assert child.path == "travel/japan"


def test_category_list_shows_paths_and_post_counts(admin_client: Client) -> None:
    parent = services.category_save(category=Category(name="Travel", slug="travel"))
    child = services.category_save(category=Category(name="Japan", slug="japan", parent=parent))
    PostFactory.create_batch(2, categories=[child])

    response = admin_client.get(reverse("admin:posts_category_changelist"))

    row = one(soup_of(response.content), "#result_list tbody tr:has(a:-soup-contains('Japan'))")
    assert text_at(row, ".field-url") == "/category/travel/japan/"
    assert text_at(row, ".field-number_of_posts") == "2"


def test_tag_admin_adds_a_tag(admin_client: Client) -> None:
    url = reverse("admin:posts_tag_add")

    response = admin_client.post(url, {"name": "紅葉", "slug": "紅葉"})

    assert response.status_code == 302, error_text(response.content)
    assert Tag.objects.get(name="紅葉").slug == "紅葉"


# --- pages, redirects and the blog's settings ----------------------------------------


def test_page_admin_adds_a_page_with_sanitized_body(
    admin_client: Client, client: Client, admin_user: AbstractUser
) -> None:
    url = reverse("admin:posts_page_add")
    data = form_values(
        admin_client.get(url).content,
        title="About",
        slug="about",
        body=DANGEROUS_MARKDOWN,
        status="published",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, error_text(response.content)
    page = Page.objects.get(slug="about")
    assert page.author == admin_user
    assert unsafe_markup(page.body_html) == []
    assert client.get("/about/").status_code == 200


def test_page_slug_that_the_blog_owns_is_refused(admin_client: Client) -> None:
    url = reverse("admin:posts_page_add")
    data = form_values(admin_client.get(url).content, title="Feed", slug="feed", body="x")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "reserved" in error_text(response.content)


def test_page_list_edits_menu_order_in_place(admin_client: Client) -> None:
    page = PageFactory(menu_order=0)
    url = reverse("admin:posts_page_changelist")
    data = form_values(admin_client.get(url).content, "#changelist-form")
    data["form-0-menu_order"] = ["5"]
    data["_save"] = ["Save"]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.menu_order == 5


def test_redirect_with_empty_target_answers_gone(admin_client: Client, client: Client) -> None:
    url = reverse("admin:posts_redirect_add")

    response = admin_client.post(url, {"old_path": "/2019/01/removed/", "new_path": ""})

    assert response.status_code == 302, error_text(response.content)
    assert client.get("/2019/01/removed/").status_code == 410
    changelist = admin_client.get(reverse("admin:posts_redirect_changelist"))
    assert text_at(soup_of(changelist.content), ".field-target") == "410 Gone"


def test_redirect_paths_are_checked(admin_client: Client) -> None:
    url = reverse("admin:posts_redirect_add")

    bad_old = admin_client.post(url, {"old_path": "no-slash", "new_path": "/x/"})
    loop = admin_client.post(url, {"old_path": "/same/", "new_path": "/same/"})
    bad_new = admin_client.post(url, {"old_path": "/a/", "new_path": "javascript:alert(1)"})

    assert "starting with a single /" in error_text(bad_old.content)
    assert "loop" in error_text(loop.content)
    assert "full http(s) URL" in error_text(bad_new.content)
    assert not Redirect.objects.exists()


def test_blog_settings_list_goes_straight_to_the_one_record(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:posts_blog_changelist"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:posts_blog_change", args=[Blog.load().pk])
    assert Blog.objects.count() == 1


def test_blog_settings_cannot_be_added_or_deleted(admin_client: Client) -> None:
    blog = Blog.load()
    change = admin_client.get(reverse("admin:posts_blog_change", args=[blog.pk]))

    assert admin_client.get(reverse("admin:posts_blog_add")).status_code == 403
    assert admin_client.get(reverse("admin:posts_blog_delete", args=[blog.pk])).status_code == 403
    page = soup_of(change.content)
    assert page.select_one("a.deletelink") is None
    assert page.select_one("input[name=_addanother]") is None
    index = soup_of(admin_client.get(reverse("admin:index")).content)
    assert index.select_one("tr.model-blog a.addlink") is None


def test_blog_settings_change_in_place(admin_client: Client, client: Client) -> None:
    url = reverse("admin:posts_blog_change", args=[Blog.load().pk])
    data = form_values(admin_client.get(url).content, title="Echo Valley", posts_per_page="5")

    response = admin_client.post(url, data)

    assert response.status_code == 302, error_text(response.content)
    assert response["Location"] == url
    assert Blog.load().title == "Echo Valley"
    assert "Echo Valley" in text_at(soup_of(client.get("/").content), "title")


def test_blog_settings_reject_an_unknown_time_zone(admin_client: Client) -> None:
    url = reverse("admin:posts_blog_change", args=[Blog.load().pk])
    data = form_values(admin_client.get(url).content, timezone="Mars/Olympus")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "not a known time zone" in error_text(response.content)
    assert Blog.load().timezone == "UTC"


def test_deleting_a_post_in_the_admin_leaves_a_410(admin_client) -> None:
    post = PostFactory()
    url = post.get_absolute_url()

    response = admin_client.post(
        reverse("admin:posts_post_delete", args=[post.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert admin_client.get(url).status_code == 410


def test_bulk_deleting_posts_leaves_410s(admin_client) -> None:
    posts = PostFactory.create_batch(2)
    urls = [post.get_absolute_url() for post in posts]

    response = admin_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in posts], "post": "yes"},
    )

    assert response.status_code == 302
    assert [admin_client.get(url).status_code for url in urls] == [410, 410]


def test_renaming_a_published_pages_slug_leaves_a_redirect(admin_client) -> None:
    page = PageFactory(slug="about")
    url = reverse("admin:posts_page_change", args=[page.pk])
    form = {
        "title": page.title,
        "slug": "about-me",
        "body": page.body,
        "status": "published",
        "menu_order": 0,
        "show_in_menu": "on",
        "author": page.author.pk,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    answer = admin_client.get("/about/")
    assert answer.status_code == 301
    assert answer["Location"] == "/about-me/"
