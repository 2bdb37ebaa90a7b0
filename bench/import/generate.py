"""A synthetic WordPress export (WXR 1.2) for the import benchmark, written as a stream.

    ./dev run .venv/bin/python bench/import/generate.py --posts 10000 -o /tmp/blog.wordpress.xml

The file looks like what WordPress's exporter writes (wp-admin/includes/export.php,
WXR_VERSION 1.2; shared/FORMATS.md §4.3): the channel with the site's facts, authors,
categories (parents before children), tags, then one <item> per post, page and attachment,
each post carrying its comments. Values are wrapped in CDATA where WordPress wraps them.

What is in it, for ``--posts N`` (seed 1 unless told):

- 3 authors, 12 categories (4 with children), 80 tags; 2 pages (About, Contact).
- N posts, oldest first over about 15 years: 1 or 2 categories and 0 to 5 tags each, a few
  drafts, scheduled and sticky posts. Bodies are HTML paragraphs, 4 to 9 of them, English
  or Japanese with lines of the other language mixed in, links, and in about one post in
  five an image from wp-content/uploads (its attachment item follows the post) and a
  ``<!--more-->``. About one title in three is Japanese, with a percent-encoded slug as
  WordPress makes one.
- Exactly 10 comments a post on average (5 to 15, in pairs that add up to 20, so N posts
  carry 10 N): about 30% are replies to an earlier comment of the same post, about 2% are
  pingbacks and 2% trackbacks (never replies), about 5% awaiting moderation.

Deterministic: the same seed and size give the same bytes. Written item by item to the
output, so generating 10,000 posts (about 130 MB) takes no more memory than 1,000.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from urllib.parse import quote


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SITE = "https://echo.example.org"
JST = timedelta(hours=9)  # the old blog's own zone: wp:post_date is its wall clock
START = datetime(2010, 1, 4, 3, 0, tzinfo=UTC)
SPAN = timedelta(days=15 * 365)
FUTURE = datetime(2031, 1, 1, 9, 0, tzinfo=UTC)  # when scheduled posts are due

ENGLISH = words(
    "the a of and to in on at by with from after before over under into about while when "
    "mountain ridge valley river stream stone path trail bridge village station train bus "
    "morning evening night rain snow wind cloud spring summer autumn winter weather fog "
    "soup bread rice noodle kettle kitchen recipe onion garlic ginger miso broth tea coffee "
    "book letter library friend family neighbour garden flower maple cedar pine leaf moss "
    "heron crow fox deer monkey shrine temple market festival lantern harbour ferry island "
    "code server database query index release bug editor terminal backup upgrade feed "
    "walked found heard cooked wrote read fixed tried noticed remembered carried waited "
    "quiet slow bright cold warm old small long green grey early late simple careful"
)
JAPANESE_NOUNS = words(
    "山 川 谷 峠 道 駅 電車 雨 雪 風 霧 朝 夜 春 夏 秋 冬 味噌汁 お茶 ご飯 台所 本 手紙 図書館 "
    "友達 家族 庭 紅葉 杉 苔 鳥 狐 鹿 神社 お寺 市場 祭り 提灯 港 船 島 山びこ 響き 写真 散歩 "
    "サーバー 更新 記事 日記 ブログ 週末 旅行 温泉 景色"
)
JAPANESE_PARTICLES = words("の は が を に で と も から まで へ")
JAPANESE_ENDINGS = words("ました。 です。 でした。 ている。 だった。 と思う。 かもしれない。")
ENGLISH_NAMES = words(
    "Alice Ben Chloe Daniel Emma Frank Grace Henry Iris Jack Kate Liam Mia Noah Olivia Paul "
    "Quinn Ruth Sam Tara"
)
JAPANESE_NAMES = words(
    "山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 やまびこ 通りすがり"
)
CATEGORIES = (
    ("travel", "Travel", ""),
    ("japan", "Japan", "travel"),
    ("mountains", "Mountains", "travel"),
    ("kitchen", "Kitchen", ""),
    ("soup", "Soup", "kitchen"),
    ("bread", "Bread", "kitchen"),
    ("notes", "Notes", ""),
    ("books", "Books", "notes"),
    ("garden", "Garden", "notes"),
    ("software", "Software", ""),
    ("servers", "Servers", "software"),
    ("uncategorized", "Uncategorized", ""),
)
AUTHORS = (
    ("yamabiko", "山彦", "owner@echo.example.org"),
    ("kodama", "Kodama", "kodama@echo.example.org"),
    ("guest", "Guest Writer", "guest@echo.example.org"),
)
TAG_COUNT = 80
COMMENTS_PER_POST = 10


@dataclass(slots=True, kw_only=True)
class Stats:
    """What the generated file holds; the test compares it with what parse_wxr reads."""

    posts: int = 0
    pages: int = 0
    attachments: int = 0
    comments: int = 0  # every wp:comment: comments, replies, pingbacks and trackbacks
    replies: int = 0
    pingbacks: int = 0
    trackbacks: int = 0
    pending: int = 0
    categories: int = 0
    tags: int = 0
    authors: int = 0
    bytes: int = 0


def cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections, as WordPress does.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def rss_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


class Writer:
    """Everything random comes from one seeded generator, drawn in a fixed order."""

    def __init__(self, out: TextIO, *, seed: int) -> None:
        self.out = out
        self.random = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.stats = Stats()
        self.next_id = 1
        self.next_comment_id = 1
        self.slugs: set[str] = set()
        self.tags: list[tuple[str, str]] = []  # (slug, name)
        for number in range(TAG_COUNT):
            word = self.word()
            self.tags.append((f"{word}-{number}", f"{word} {number}"))

    def write(self, text: str) -> None:
        self.out.write(text)
        self.stats.bytes += len(text.encode("utf-8"))

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    # --- text ---------------------------------------------------------------------------

    def word(self) -> str:
        return self.random.choice(ENGLISH)

    def english_sentence(self) -> str:
        words = [self.word() for _ in range(self.random.randint(6, 18))]
        return " ".join(words).capitalize() + "."

    def japanese_sentence(self) -> str:
        parts = [
            self.random.choice(JAPANESE_NOUNS) + self.random.choice(JAPANESE_PARTICLES)
            for _ in range(self.random.randint(2, 6))
        ]
        return (
            "".join(parts)
            + self.random.choice(JAPANESE_NOUNS)
            + self.random.choice(JAPANESE_ENDINGS)
        )

    def paragraph(self, japanese: bool) -> str:
        main, other = (
            (self.japanese_sentence, self.english_sentence)
            if japanese
            else (self.english_sentence, self.japanese_sentence)
        )
        sentences = [main() for _ in range(self.random.randint(2, 6))]
        if self.random.random() < 0.15:  # a line in the other language
            sentences.insert(self.random.randrange(len(sentences) + 1), other())
        if self.random.random() < 0.2:
            target = f"https://other{self.random.randint(1, 400)}.example.net/{self.word()}/"
            sentences.append(f'<a href="{target}">{self.word()}</a>')
        joiner = "" if japanese else " "
        return f"<p>{joiner.join(sentences)}</p>"

    def title(self, japanese: bool) -> str:
        if japanese:
            return "".join(
                self.random.choice(JAPANESE_NOUNS) + self.random.choice(JAPANESE_PARTICLES)
                for _ in range(2)
            ) + self.random.choice(JAPANESE_NOUNS)
        return " ".join(self.word() for _ in range(self.random.randint(3, 7))).title()

    def slug(self, title: str, japanese: bool) -> str:
        # WordPress keeps non-ASCII slugs percent-encoded in lower case (sanitize_title).
        base = quote(title, safe="").lower()[:180] if japanese else "-".join(title.lower().split())
        slug, number = base, 2
        while slug in self.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slugs.add(slug)
        return slug

    # --- the file -----------------------------------------------------------------------

    def header(self) -> None:
        self.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<!-- generator="WordPress/6.6" created="2025-06-01 12:00" -->\n'
            '<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n'
            ">\n\n<channel>\n"
            "\t<title>山彦の日記 — Echo Notes</title>\n"
            f"\t<link>{SITE}</link>\n"
            "\t<description>A synthetic blog for the import benchmark</description>\n"
            "\t<pubDate>Sun, 01 Jun 2025 12:00:00 +0000</pubDate>\n"
            "\t<language>ja</language>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{SITE}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n\n"
        )
        for number, (login, name, email) in enumerate(AUTHORS, 1):
            self.write(
                f"\t<wp:author><wp:author_id>{number}</wp:author_id>"
                f"<wp:author_login>{cdata(login)}</wp:author_login>"
                f"<wp:author_email>{cdata(email)}</wp:author_email>"
                f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
                "<wp:author_first_name><![CDATA[]]></wp:author_first_name>"
                "<wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>\n"
            )
            self.stats.authors += 1
        self.write("\n")
        for number, (slug, name, parent) in enumerate(CATEGORIES, 1):
            self.write(
                f"\t<wp:category>\n\t\t<wp:term_id>{number}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{cdata(slug)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata(parent)}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(name)}</wp:cat_name>\n\t</wp:category>\n"
            )
            self.stats.categories += 1
        for number, (slug, name) in enumerate(self.tags, len(CATEGORIES) + 1):
            self.write(
                f"\t<wp:tag>\n\t\t<wp:term_id>{number}</wp:term_id>\n"
                f"\t\t<wp:tag_slug>{cdata(slug)}</wp:tag_slug>\n"
                f"\t\t<wp:tag_name>{cdata(name)}</wp:tag_name>\n\t</wp:tag>\n"
            )
            self.stats.tags += 1
        self.write("\n\t<generator>https://wordpress.org/?v=6.6</generator>\n\n")

    def item(
        self,
        *,
        post_id: int,
        kind: str,
        title: str,
        slug: str,
        when: datetime,
        author: str,
        status: str,
        content: str,
        terms: str = "",
        extra: str = "",
        parent: int = 0,
        sticky: bool = False,
    ) -> None:
        link = f"{SITE}/{when:%Y/%m/%d}/{slug}/" if kind == "post" else f"{SITE}/{slug}/"
        self.write(
            "\t<item>\n"
            f"\t\t<title>{cdata(title)}</title>\n"
            f"\t\t<link>{link}</link>\n"
            f"\t\t<pubDate>{rss_date(when)}</pubDate>\n"
            f"\t\t<dc:creator>{cdata(author)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n"
            "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
            f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(wp_date(when + JST))}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(wp_date(when))}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{cdata(wp_date(when + JST))}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{cdata(wp_date(when))}</wp:post_modified_gmt>\n"
            "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
            "\t\t<wp:ping_status><![CDATA[open]]></wp:ping_status>\n"
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
            f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
            "\t\t<wp:menu_order>0</wp:menu_order>\n"
            f"\t\t<wp:post_type>{cdata(kind)}</wp:post_type>\n"
            "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
            f"\t\t<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n"
            f"{terms}{extra}"
            "\t</item>\n"
        )

    def pages(self) -> None:
        for title, slug in (("About", "about"), ("Contact", "contact")):
            body = "\n\n".join(self.paragraph(japanese=False) for _ in range(3))
            self.item(post_id=self.new_id(), kind="page", title=title, slug=slug, when=START,
                      author=AUTHORS[0][0], status="publish", content=body)  # fmt: skip
            self.stats.pages += 1

    def post(self, number: int, total: int, comment_count: int) -> None:
        post_id = self.new_id()
        when = (
            START + SPAN * number / max(total, 1) + timedelta(minutes=self.random.randint(0, 600))
        )
        japanese = self.random.random() < 0.35
        title = self.title(japanese)
        slug = self.slug(title, japanese)
        paragraphs = [
            self.paragraph(japanese or self.random.random() < 0.2)
            for _ in range(self.random.randint(4, 9))
        ]
        image: str | None = None
        if self.random.random() < 0.2:
            image = f"{SITE}/wp-content/uploads/{when:%Y/%m}/photo-{post_id}.jpg"
            paragraphs.insert(
                1,
                f'<img class="alignnone size-medium" src="{image}" alt="" width="300" '
                f'height="200" srcset="{image} 300w, {image[:-4]}-1024x683.jpg 1024w" />',
            )
            paragraphs.insert(3, "<!--more-->")
        roll = self.random.random()
        status = "draft" if roll < 0.03 else "future" if roll < 0.04 else "publish"
        if status == "future":
            when = FUTURE + timedelta(days=number)
        categories = self.random.sample(CATEGORIES, self.random.choice((1, 1, 1, 2)))
        terms = "".join(
            f'\t\t<category domain="category" nicename="{slug_}">{cdata(name)}</category>\n'
            for slug_, name, _ in categories
        ) + "".join(
            f'\t\t<category domain="post_tag" nicename="{tag}">{cdata(name)}</category>\n'
            for tag, name in self.random.sample(self.tags, self.random.randint(0, 5))
        )
        meta = (
            "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key><![CDATA[_edit_last]]></wp:meta_key>\n"
            "\t\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n\t\t</wp:postmeta>\n"
        )
        comments = "".join(self.comments(when, comment_count))
        self.item(post_id=post_id, kind="post", title=title, slug=slug, when=when,
                  author=self.random.choice(AUTHORS)[0], status=status,
                  content="\n\n".join(paragraphs), terms=terms, extra=meta + comments,
                  sticky=self.random.random() < 0.01)  # fmt: skip
        self.stats.posts += 1
        if image is not None:
            self.attachment(image, parent=post_id, when=when)

    def attachment(self, url: str, *, parent: int, when: datetime) -> None:
        name = url.rpartition("/")[2].removesuffix(".jpg")
        meta = (
            "\t\t<wp:attachment_url>" + cdata(url) + "</wp:attachment_url>\n"
            "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key><![CDATA[_wp_attached_file]]></wp:meta_key>\n"
            f"\t\t\t<wp:meta_value>{cdata(url.removeprefix(SITE + '/wp-content/uploads/'))}"
            "</wp:meta_value>\n\t\t</wp:postmeta>\n"
        )
        self.item(post_id=self.new_id(), kind="attachment", title=name, slug=name, when=when,
                  author=AUTHORS[0][0], status="inherit", content="", extra=meta,
                  parent=parent)  # fmt: skip
        self.stats.attachments += 1

    def comments(self, post_time: datetime, count: int) -> Iterator[str]:
        earlier: list[int] = []  # ids of this post's comments that a reply may answer
        moment = post_time
        for _ in range(count):
            comment_id = self.next_comment_id
            self.next_comment_id += 1
            moment += timedelta(minutes=self.random.randint(5, 60 * 24 * 3))
            roll = self.random.random()
            kind = "pingback" if roll < 0.02 else "trackback" if roll < 0.04 else "comment"
            parent = 0
            if kind == "comment" and earlier and self.random.random() < 0.3:
                parent = self.random.choice(earlier)
            approved = "0" if self.random.random() < 0.05 else "1"
            if kind == "comment":
                japanese = self.random.random() < 0.4
                author = self.random.choice(JAPANESE_NAMES if japanese else ENGLISH_NAMES)
                has_site = not japanese and self.random.random() < 0.3
                url = f"https://{author.lower()}.example.com/" if has_site else ""
                sentence = self.japanese_sentence if japanese else self.english_sentence
                body = "\n".join(sentence() for _ in range(self.random.randint(1, 4)))
                email = f"reader{self.random.randint(1, 5000)}@example.com"
                # Older exports leave comment_type empty for plain comments.
                written_type = self.random.choice(("", "comment"))
                earlier.append(comment_id)
            else:
                blog = self.random.randint(1, 400)
                author = f"Another blog {blog}"
                url = f"https://other{blog}.example.net/{post_time:%Y/%m}/{self.word()}/"
                excerpt = self.english_sentence()
                body = (
                    f"[&#8230;] {excerpt} [&#8230;]"
                    if kind == "pingback"
                    else f"<strong>{self.word().title()}</strong>\n\n{excerpt}"
                )
                email = ""
                written_type = kind
            self.stats.comments += 1
            self.stats.replies += parent != 0
            self.stats.pingbacks += kind == "pingback"
            self.stats.trackbacks += kind == "trackback"
            self.stats.pending += approved == "0"
            yield (
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{cdata(author)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                f"\t\t\t<wp:comment_author_url>{url}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_author_IP>{cdata(self.address())}</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(wp_date(moment + JST))}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(moment))}</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{cdata(body)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata(written_type)}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
                "\t\t</wp:comment>\n"
            )

    def address(self) -> str:
        # The documentation ranges of RFC 5737: realistic, and nobody's real address.
        prefix = self.random.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{prefix}.{self.random.randint(1, 254)}"

    def footer(self) -> None:
        self.write("</channel>\n</rss>\n")


def comment_counts(posts: int, random_source: random.Random) -> Iterator[int]:
    """5 to 15 comments a post, in pairs adding up to 20: exactly 10 a post on average."""
    for _ in range(posts // 2):
        spread = random_source.randint(0, 5)
        yield COMMENTS_PER_POST + spread
        yield COMMENTS_PER_POST - spread
    if posts % 2:
        yield COMMENTS_PER_POST


def write_wxr(out: TextIO, *, posts: int, seed: int = 1) -> Stats:
    """Write a WXR file with ``posts`` posts to ``out`` (text, UTF-8) and say what is in it."""
    if posts < 0:
        raise ValueError("posts cannot be negative")
    writer = Writer(out, seed=seed)
    counts = comment_counts(posts, random.Random(seed + 1))  # noqa: S311 - as above
    writer.header()
    writer.pages()
    for number, count in enumerate(counts):
        writer.post(number, posts, count)
    writer.footer()
    return writer.stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1000, help="how many posts (1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    arguments = parser.parse_args()
    with arguments.output.open("w", encoding="utf-8", newline="\n") as out:
        stats = write_wxr(out, posts=arguments.posts, seed=arguments.seed)
    json.dump(asdict(stats), sys.stdout)
    print()


if __name__ == "__main__":
    main()
