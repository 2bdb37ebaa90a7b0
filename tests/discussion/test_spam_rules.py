"""The fixed spam rules and the blog settings they read (pure, no database)."""

from __future__ import annotations

import pytest

from yamabiko.core.exceptions import InvalidInput
from yamabiko.discussion.spam import Policy, Submission, rules
from yamabiko.discussion.spam.links import find_links, mentioned_hosts
from yamabiko.discussion.spam.values import Finding
from yamabiko.posts.models import Blog

HONEST = Submission(body="Lovely walk. I went there last spring.", author_name="Aiko")


def submission(**fields: object) -> Submission:
    return Submission(**{"body": "A plain comment.", **fields})  # type: ignore[arg-type]


# The registry


def test_every_rule_is_in_the_registry_once() -> None:
    assert [rule.__name__ for rule in rules.RULES] == [
        "honeypot",
        "too_fast",
        "duplicate",
        "blocked_ip",
        "blocked_domain",
        "blocked_word",
        "too_many_links",
    ]


def test_an_honest_comment_triggers_no_rule_under_a_strict_policy() -> None:
    policy = Policy(
        max_links=0,
        blocked_words=("viagra",),
        blocked_domains=("spam.example",),
        blocked_ips=("203.0.113.0/24",),
        min_form_seconds=3,
    )
    honest = Submission(
        body=HONEST.body, ip_address="198.51.100.4", form_age_seconds=40.0, honeypot=""
    )

    assert [rule(honest, policy) for rule in rules.RULES] == [None] * len(rules.RULES)


# Honeypot


def test_filled_honeypot_is_spam() -> None:
    assert rules.honeypot(submission(honeypot="http://spam.example"), Policy()) == Finding(
        reason="honeypot field filled", spam=True
    )


@pytest.mark.parametrize("value", ["", "  \n"])
def test_empty_honeypot_passes(value: str) -> None:
    assert rules.honeypot(submission(honeypot=value), Policy()) is None


# Minimum time between showing and sending the form


def test_form_sent_faster_than_the_minimum_is_spam() -> None:
    finding = rules.too_fast(submission(form_age_seconds=0.4), Policy(min_form_seconds=2))

    assert finding == Finding(
        reason="form sent 0.4 s after it was shown (less than 2 s)", spam=True
    )


@pytest.mark.parametrize("age", [2.0, 3.5, 600.0])
def test_form_sent_after_the_minimum_passes(age: float) -> None:
    assert rules.too_fast(submission(form_age_seconds=age), Policy(min_form_seconds=2)) is None


def test_submission_not_from_a_form_has_no_age_to_check() -> None:
    assert rules.too_fast(submission(form_age_seconds=None), Policy()) is None


def test_zero_minimum_turns_the_time_check_off() -> None:
    assert rules.too_fast(submission(form_age_seconds=0.0), Policy(min_form_seconds=0)) is None


@pytest.mark.parametrize("seconds", [3.01, 10, -1])
def test_policy_refuses_a_minimum_form_time_outside_0_to_3_seconds(seconds: float) -> None:
    with pytest.raises(InvalidInput, match="min_form_seconds"):
        Policy(min_form_seconds=seconds)


def test_policy_refuses_a_negative_link_limit() -> None:
    with pytest.raises(InvalidInput, match="max_links"):
        Policy(max_links=-1)


# Duplicates


def test_duplicate_body_is_spam() -> None:
    assert rules.duplicate(submission(is_duplicate=True), Policy()) == Finding(
        reason="same text as a recent submission", spam=True
    )


def test_new_body_passes_the_duplicate_rule() -> None:
    assert rules.duplicate(submission(is_duplicate=False), Policy()) is None


# Blocked IP addresses


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("198.51.100.7", "198.51.100.7"),
        ("198.51.100.7", "198.51.100.7/32"),
        ("2001:db8::42", "2001:db8::/32"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
    ],
)
def test_address_in_a_blocked_network_is_spam(address: str, blocked: str) -> None:
    finding = rules.blocked_ip(submission(ip_address=address), Policy(blocked_ips=(blocked,)))

    assert finding is not None
    assert finding.spam
    assert address in finding.reason


def test_blocked_ip_reason_names_the_network() -> None:
    finding = rules.blocked_ip(
        submission(ip_address="203.0.113.77"), Policy(blocked_ips=("203.0.113.0/24",))
    )

    assert finding == Finding(
        reason="IP address 203.0.113.77 is blocked (203.0.113.0/24)", spam=True
    )


@pytest.mark.parametrize("address", ["203.0.114.1", "2001:db9::1", None, "", "not an address"])
def test_address_outside_blocked_networks_passes(address: str | None) -> None:
    policy = Policy(blocked_ips=("203.0.113.0/24", "2001:db8::/32", "garbage"))

    assert rules.blocked_ip(submission(ip_address=address), policy) is None


# Blocked domains


@pytest.mark.parametrize(
    "body",
    [
        "see http://spam.example/page",
        "see https://www.SPAM.example",
        "see [this](https://deep.sub.spam.example/x)",
        '<a href="//spam.example/">here</a>',
        "visit www.spam.example today",
        "<https://spam.example:8443/>",
    ],
)
def test_link_to_a_blocked_domain_or_its_subdomain_is_spam(body: str) -> None:
    finding = rules.blocked_domain(submission(body=body), Policy(blocked_domains=("spam.example",)))

    assert finding == Finding(reason="blocked domain: spam.example", spam=True)


def test_author_url_on_a_blocked_domain_is_spam() -> None:
    finding = rules.blocked_domain(
        submission(author_url="https://shop.spam.example/"),
        Policy(blocked_domains=("spam.example",)),
    )

    assert finding is not None
    assert finding.spam


@pytest.mark.parametrize(
    "body",
    [
        "see http://notspam.example/",
        "see http://spam.example.org/",
        "spam.example without a link",
        "mail me at someone@spam.example",
    ],
)
def test_other_domains_are_not_blocked(body: str) -> None:
    assert (
        rules.blocked_domain(submission(body=body), Policy(blocked_domains=("spam.example",)))
        is None
    )


def test_internationalised_domain_matches_in_either_spelling() -> None:
    policy = Policy(blocked_domains=("例え.jp",))

    assert rules.blocked_domain(submission(body="http://xn--r8jz45g.jp/"), policy) is not None
    assert rules.blocked_domain(submission(body="http://sub.例え.jp/"), policy) is not None


def test_every_blocked_domain_found_is_named() -> None:
    finding = rules.blocked_domain(
        submission(body="http://a.example http://b.example", author_url="http://c.example"),
        Policy(blocked_domains=("c.example", "a.example", "b.example", "d.example")),
    )

    assert finding == Finding(reason="blocked domains: a.example, b.example, c.example", spam=True)


# Blocked words


@pytest.mark.parametrize(
    "fields",
    [
        {"body": "Cheap VIAGRA here"},
        {"body": "ｖｉａｇｒａ, full width"},
        {"body": "viagra."},
        {"author_name": "Viagra Shop"},
        {"author_email": "viagra@pills.example"},
        {"author_url": "https://pills.example/viagra"},
    ],
)
def test_blocked_word_in_any_typed_field_is_spam(fields: dict[str, str]) -> None:
    finding = rules.blocked_word(submission(**fields), Policy(blocked_words=("Viagra",)))

    assert finding == Finding(reason='blocked word: "viagra"', spam=True)


def test_blocked_word_matches_whole_words_only() -> None:
    policy = Policy(blocked_words=("cialis",))

    assert rules.blocked_word(submission(body="Ask a specialist."), policy) is None
    assert rules.blocked_word(submission(body="cialis-online"), policy) is not None


def test_blocked_japanese_word_matches_inside_a_sentence() -> None:
    policy = Policy(blocked_words=("カジノ",))

    assert rules.blocked_word(submission(body="オンラインカジノで稼ぐ"), policy) is not None
    assert rules.blocked_word(submission(body="ｵﾝﾗｲﾝｶｼﾞﾉ"), policy) is not None


def test_blocked_latin_word_matches_next_to_japanese() -> None:
    policy = Policy(blocked_words=("casino",))

    assert rules.blocked_word(submission(body="オンラインcasinoで稼ぐ"), policy) is not None


def test_blocked_phrase_matches() -> None:
    policy = Policy(blocked_words=("free spins",))

    assert rules.blocked_word(submission(body="Get 50 FREE SPINS now"), policy) is not None


def test_every_blocked_word_found_is_named() -> None:
    finding = rules.blocked_word(
        submission(body="poker and casino and slots"),
        Policy(blocked_words=("casino", "poker", "roulette", "")),
    )

    assert finding == Finding(reason='blocked words: "casino", "poker"', spam=True)


# Link count


def test_more_links_than_allowed_holds_the_comment() -> None:
    body = "http://a.example [b](http://b.example) <a href='http://c.example'>c</a>"

    finding = rules.too_many_links(submission(body=body), Policy(max_links=2))

    assert finding == Finding(reason="3 links (more than 2)", spam=False)


def test_as_many_links_as_allowed_passes() -> None:
    body = "http://a.example and https://b.example/x"

    assert rules.too_many_links(submission(body=body), Policy(max_links=2)) is None


def test_author_url_is_not_counted_as_a_link() -> None:
    finding = rules.too_many_links(
        submission(body="No links.", author_url="https://me.example"), Policy(max_links=0)
    )

    assert finding is None


def test_one_link_over_a_zero_limit_is_named_in_the_singular() -> None:
    finding = rules.too_many_links(submission(body="http://a.example"), Policy(max_links=0))

    assert finding == Finding(reason="1 link (more than 0)", spam=False)


# Finding links


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("", 0),
        ("no links, just example.com and www.example.com", 0),
        ("http://a.example, https://b.example.", 2),
        ("<http://a.example>", 1),
        ("[http://a.example](http://a.example)", 1),
        ('<a href="http://a.example">http://a.example</a>', 1),
        ("<A HREF=http://a.example>x</A> http://b.example", 2),
        ("![a picture](https://img.example/p.png)", 1),
        ('[one](http://a.example "title") [two](/relative)', 2),
        ("ftp://files.example/ mailto:me@example.com", 0),
    ],
)
def test_links_are_counted_once_each(body: str, count: int) -> None:
    assert len(find_links(body)) == count


def test_url_punctuation_and_brackets_are_not_part_of_the_link() -> None:
    assert find_links("(see http://en.example/wiki/Echo_(sound)), then http://b.example.") == [
        "http://en.example/wiki/Echo_(sound)",
        "http://b.example",
    ]


def test_mentioned_hosts_include_link_text_and_bare_www_hosts() -> None:
    body = '<a href="http://good.example">http://bad.example</a> www.other.example'

    assert mentioned_hosts(body) == {"good.example", "bad.example", "www.other.example"}


# Policy from the blog's settings


def test_policy_from_blog_parses_lines_commas_and_comments() -> None:
    blog = Blog(
        comment_max_links=5,
        blocked_words="Viagra\ncasino, poker\n# a comment line\n\n  free spins  # inline\n,,\n",
        blocked_domains=(
            "https://Spam.Example/path\n*.casino.example\n.bad.example, 例え.jp\nspam.example\n"
        ),
        blocked_ips="203.0.113.0/24\n198.51.100.7, not-an-ip\n# 192.0.2.1\n2001:db8::/32\n"
        "10.1.2.3/8\n300.1.1.1\n",
    )

    policy = Policy.from_blog(blog)

    assert policy == Policy(
        max_links=5,
        blocked_words=("viagra", "casino", "poker", "free spins"),
        blocked_domains=("spam.example", "casino.example", "bad.example", "xn--r8jz45g.jp"),
        blocked_ips=("203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32", "10.0.0.0/8"),
    )


def test_policy_from_blog_with_empty_settings_blocks_nothing() -> None:
    policy = Policy.from_blog(Blog())

    assert policy == Policy(max_links=2)


def test_policy_from_blog_folds_full_width_words() -> None:
    assert Policy.from_blog(Blog(blocked_words="ＣＡＳＩＮＯ")).blocked_words == ("casino",)
