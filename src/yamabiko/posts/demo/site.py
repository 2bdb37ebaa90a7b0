"""The demo blog as a whole: its name, its category tree, its static pages, its posts."""

from __future__ import annotations

from yamabiko.posts.demo import kitchen, mountains, notes, software, travel
from yamabiko.posts.demo.records import DemoCategory, DemoPage, DemoPost

TITLE = "Yamabiko Demo"
TAGLINE = "Walks in the hills, echoes, soup and small programs"

# Parents come before their children: the loader saves them in this order.
CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory(name="Mountains", description="Walks, ridges, huts and the weather up there."),
    DemoCategory(
        name="Echoes",
        parent="Mountains",
        description="Listening for yamabiko: where a shout comes back, and why.",
    ),
    DemoCategory(name="Kitchen", description="Soup, rice, bread and whatever is in season."),
    DemoCategory(name="Software", description="Small programs, mostly for an audience of one."),
    DemoCategory(name="Travel", description="Getting to the start of the walk, and beyond it."),
    DemoCategory(name="Japan", parent="Travel"),
    DemoCategory(name="Korea", parent="Travel"),
    DemoCategory(name="Other", description="Everything that fits nowhere else."),
)

POSTS: tuple[DemoPost, ...] = (
    *notes.POSTS,
    *mountains.POSTS,
    *kitchen.POSTS,
    *software.POSTS,
    *travel.POSTS,
)

PAGES: tuple[DemoPage, ...] = (
    DemoPage(
        title="About",
        slug="about",
        menu_order=0,
        body="""
        I walk in mountains, mostly small ones, mostly at weekends. I cook, mostly soup. I
        write small programs, mostly for myself. This blog is where those things end up.

        The name comes from 山彦 (*yamabiko*), the Japanese word for a mountain echo. As a
        child I was told that the echo was a spirit in the hills copying your voice. I still
        shout at cliffs, and I still half expect someone to answer.

        Some posts are in English, some in Japanese and a few in Korean, depending on where
        I was and who I was thinking of when I wrote them.

        *This is the demo site of the Yamabiko blog engine. The author and the walks are
        made up; the soup recipe works.*
        """,
    ),
    DemoPage(
        title="Colophon",
        slug="colophon",
        menu_order=1,
        body="""
        This site runs on **Yamabiko**, a self-hosted blog engine written in Python with
        Django. Posts are written in Markdown and kept in a database. Pages like this one
        are written the same way, but they stand outside the dated archives and are listed
        in the sidebar instead.

        ### How a page is laid out

        - Each entry opens with ▼ and its title. Click the ▼ to fold the entry away, and
          the ▶ to bring it back.
        - Under the title comes its category, then the entry itself, then the time it was
          posted and how many comments and trackbacks it has.
        - The sidebar lists these pages, the categories (subcategories indented under
          their parents) and every month that has posts.
        - The Search box at the top looks through every published post.

        ### Changing things

        Everything here can be edited from the admin at [/admin/](/admin/): posts, pages,
        categories, tags, and the blog's title and tagline.
        """,
    ),
)
