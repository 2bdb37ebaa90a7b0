"""What the database holds after the run, read without writing (tests/robustness/test_crash.py's
queries, over every post): the markers of the stored comments, the source URLs of the stored
pings, the posts whose counters disagree with the rows they count, and integrity problems.

SQLite is opened read-only with the standard library. PostgreSQL needs psycopg, imported only
then (it is in the checkout's .venv); it also makes and drops the run's fresh database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from load import COMMENT_MARKER, MARKER, PING_SOURCE

BODIES = "SELECT body FROM discussion_comment WHERE body LIKE {0}"
SOURCES = "SELECT source_url FROM discussion_linkback WHERE source_url LIKE {0}"
# A post whose "Comment (N)" or "Trackback (N)" is not the number of approved rows.
COUNTERS = """
SELECT p.id FROM posts_post p
WHERE p.comment_count <> (SELECT COUNT(*) FROM discussion_comment c
                          WHERE c.post_id = p.id AND c.status = 'approved')
   OR p.trackback_count <> (SELECT COUNT(*) FROM discussion_linkback l
                            WHERE l.post_id = p.id AND l.status = 'approved')
"""
ORPHANS = {
    "comment without post": "SELECT COUNT(*) FROM discussion_comment c LEFT JOIN posts_post p "
    "ON p.id = c.post_id WHERE p.id IS NULL",
    "linkback without post": "SELECT COUNT(*) FROM discussion_linkback l LEFT JOIN posts_post p "
    "ON p.id = l.post_id WHERE p.id IS NULL",
}

type Rows = Callable[[str, list[str]], list[tuple[object, ...]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stored:
    comments: set[str]  # markers
    pings: set[str]  # source URLs
    wrong_counters: list[int]  # post ids
    problems: list[str]  # integrity findings; empty when sound


def stored(rows: Rows, placeholder: str, problems: list[str]) -> Stored:
    prefix, marked = PING_SOURCE.format("") + "%", "%" + COMMENT_MARKER.format("") + "%"
    return Stored(
        comments={
            m
            for (body,) in rows(BODIES.format(placeholder), [marked])
            for m in MARKER.findall(str(body))
        },
        pings={str(url) for (url,) in rows(SOURCES.format(placeholder), [prefix])},
        wrong_counters=[int(str(pk)) for (pk,) in rows(COUNTERS, [])],
        problems=problems,
    )


def read_sqlite(path: Path) -> Stored:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        problems = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
        if problems == ["ok"]:
            problems = []
        problems += [repr(row) for row in db.execute("PRAGMA foreign_key_check")]
        return stored(lambda query, args: db.execute(query, args).fetchall(), "?", problems)


def read_postgresql(url: str) -> Stored:
    import psycopg  # only a PostgreSQL run needs it

    with psycopg.connect(url) as db:
        db.read_only = True
        problems = []
        for what, query in ORPHANS.items():
            found = db.execute(query).fetchone()
            if found and found[0]:
                problems.append(f"{what}: {found[0]}")
        # No parameters at all, not an empty list: psycopg would read a bare % as one.
        return stored(
            lambda query, args: db.execute(query, args or None).fetchall(), "%s", problems
        )


def database_url(server_url: str, name: str) -> str:
    """``server_url`` (any database on the server) with its database replaced by ``name``."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + name))


def database_create(server_url: str, name: str) -> str:
    import psycopg  # only a PostgreSQL run needs it
    from psycopg import sql

    database_drop(server_url, name)  # a leftover of a killed run with the same pid
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def database_drop(server_url: str, name: str) -> None:
    import psycopg  # only a PostgreSQL run needs it
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
