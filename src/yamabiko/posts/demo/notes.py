"""Demo posts filed under Other: the welcome, small happenings, a draft."""

from __future__ import annotations

from datetime import time

from yamabiko.posts.demo.records import DemoPost
from yamabiko.posts.models import PostStatus

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="Welcome to the Yamabiko demo",
        days_ago=176,
        at=time(21, 5),
        categories=("Other",),
        tags=("yamabiko", "about this blog"),
        is_sticky=True,
        excerpt="What this demo blog is, and what to try on it.",
        body="""
        Hello, and thank you for stopping by. This is a demo of **Yamabiko**, a small
        self-hosted blog engine. Everything here — the walks, the soup, the echoes — is
        sample content, written so that you can try out a blog that looks lived in.

        This post is *sticky*: it stays at the top of the front page however old it gets.
        Below it, the newest entries come first.

        ### Things to try

        - **Fold an entry.** Every title starts with ▼. Click it and the entry folds down
          to a single line marked ▶; click again to open it.
        - **Browse by category.** The sidebar lists the categories, and some have
          subcategories, such as *Travel › Japan*. A category's page also shows the posts
          of its subcategories.
        - **Walk back through the archives.** Every month with posts has its own page in
          the sidebar, and each permalink carries the year and month it was published.
        - **Search.** Type a word into the Search box at the top: *echo*, *miso* and
          山びこ all find something.
        - **Read in other languages.** A few posts are in Japanese and Korean. Their
          addresses keep their own script, so a link reads the way its title does.
        - **Continue reading.** Some longer posts show only their opening on the front
          page; the rest waits behind a “continue reading” link.
        - **Open the admin.** Sign in at [/admin/](/admin/) to edit these posts, add a
          category or write your own. In there you will also find a draft, and a post
          scheduled for a few days from now; neither shows up here until its time comes.

        When you have seen enough, delete the sample posts and the blog is yours.
        """,
    ),
    DemoPost(
        title="Lost a glove, found a shrine",
        days_ago=71,
        at=time(16, 40),
        categories=("Other",),
        tags=("walking", "small things"),
        body="""
        Somewhere on the way down from the col yesterday I lost my left glove. I noticed
        at the bottom, grumbled, and this morning went back up to look for it.

        I did not find the glove. What I found instead, about fifty metres off the path
        where I must have stopped to check the map, was a tiny shrine I had walked past at
        least a dozen times: a stone no higher than my knee, a roof of weathered boards,
        and a cup with a few coins in it. Someone had left a tangerine. Someone else, at
        some point, had left a small ceramic fox with one ear missing.

        I do not know whose shrine it is or who looks after it, but the leaves around it
        had been swept, and not long ago.

        I left a coin. I did not ask for the glove back; that seemed a small thing to ask
        of a mountain. On the way down I found it anyway, hanging from a branch at eye
        level, where some kind stranger had put it.
        """,
    ),
    DemoPost(
        title="Sunday 散歩 notes",
        days_ago=57,
        at=time(20, 20),
        categories=("Other",),
        tags=("walking", "notes", "日本語"),
        body=(
            "A slow Sunday, so just a 散歩 — a walk with nowhere in particular to go — "
            "around the neighbourhood. Some notes, half in English and half in 日本語, "
            "because that is how they came out.\n\n"
            "- The bakery by the station has started making カレーパン again. "
            "Still warm at ten o'clock.\n"
            "- 近所の神社で、猫が三匹ひなたぼっこをしていた。"
            "One of them opened an eye, looked at me, and decided I was not worth it.\n"
            "- Found a shortcut along the canal. "
            "川沿いの道は思ったより静かで、鳥の声しか聞こえなかった。\n"
            "- A poster at the community hall: 落語の会、来月。Must go.\n"
            "- 帰りに八百屋で大根を一本買った。Tonight: simmered daikon, again.\n\n"
            "Nothing happened, really. それがよかった。"
        ),
    ),
    DemoPost(
        title="A quiet week",
        days_ago=3,
        at=time(21, 10),
        categories=("Other",),
        tags=("notes",),
        body="""
        Not much to report this week. Work was busy, the sky was grey, and the walking
        boots stayed by the door.

        Small good things, though:

        - The bread came out right three times in a row.
        - I started adding the weather to the end of each line in my walking log. The
          script that reads it did not notice, which is the best kind of change.
        - A letter came from the friend who taught me to make miso soup properly, with a
          piece of kombu in it and no explanation.
        - The bus company has put the 6:12 timetable online, which means it is now real.

        Back on a hill at the weekend, if the rain allows.
        """,
    ),
    DemoPost(
        title="Notes toward a post about mountain radio",
        days_ago=0,
        at=time(0, 0),
        status=PostStatus.DRAFT,
        categories=("Other",),
        tags=("notes",),
        body="""
        *Draft. Not for readers yet.*

        - The radio in the hut that only ever found one station.
        - The man on the ridge with a handheld set, telling his wife in the valley that
          he could see their roof.
        - Echoes and radio are both voices coming back from far away? Too neat. Rethink.
        """,
    ),
)
