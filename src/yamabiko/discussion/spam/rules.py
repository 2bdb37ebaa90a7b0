"""The fixed spam rules (pure): each looks at a Submission under a Policy and may find one thing.

A finding with spam=True sends the submission to the spam folder whatever the classifier
says; spam=False holds it for a moderator. RULES is the one list of them (STYLE rule 9):
add a rule there and every caller, comments and linkbacks alike, runs it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from yamabiko.discussion.spam.links import domain_key, find_links, host_of, mentioned_hosts
from yamabiko.discussion.spam.tokens import CJK, CJK_RANGES
from yamabiko.discussion.spam.values import Finding, Policy, Submission, normalize_text

type Rule = Callable[[Submission, Policy], Finding | None]

# Blocked words and domains named in one reason.
REASON_ITEMS = 3


def honeypot(submission: Submission, policy: Policy) -> Finding | None:
    """People never see the field (aria-hidden, tabindex=-1); form-filling robots fill it."""
    if submission.honeypot.strip():
        return Finding(reason="honeypot field filled", spam=True)
    return None


def too_fast(submission: Submission, policy: Policy) -> Finding | None:
    age = submission.form_age_seconds
    if age is None or age >= policy.min_form_seconds:
        return None
    return Finding(
        reason=f"form sent {max(age, 0):.1f} s after it was shown "
        f"(less than {policy.min_form_seconds:g} s)",
        spam=True,
    )


def duplicate(submission: Submission, policy: Policy) -> Finding | None:
    if submission.is_duplicate:
        return Finding(reason="same text as a recent submission", spam=True)
    return None


def blocked_ip(submission: Submission, policy: Policy) -> Finding | None:
    if not submission.ip_address or not policy.blocked_ips:
        return None
    try:
        address = ipaddress.ip_address(submission.ip_address)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        candidates.append(address.ipv4_mapped)
    for entry in policy.blocked_ips:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if any(candidate in network for candidate in candidates):
            return Finding(reason=f"IP address {address} is blocked ({network})", spam=True)
    return None


def blocked_domain(submission: Submission, policy: Policy) -> Finding | None:
    """A blocked domain also blocks its subdomains, in body links and in the author's URL."""
    if not policy.blocked_domains:
        return None
    blocked = [key for domain in policy.blocked_domains if (key := domain_key(domain))]
    hosts = mentioned_hosts(submission.body)
    if author_host := host_of(submission.author_url.strip()):
        hosts.add(author_host)
    matched = sorted(
        {
            domain
            for host in map(domain_key, hosts)
            for domain in blocked
            if host == domain or host.endswith(f".{domain}")
        }
    )
    if not matched:
        return None
    label = "blocked domain" if len(matched) == 1 else "blocked domains"
    return Finding(reason=f"{label}: {_listed(matched)}", spam=True)


def blocked_word(submission: Submission, policy: Policy) -> Finding | None:
    """Whole words, compared after NFKC and casefolding, in every field a person typed."""
    if not policy.blocked_words:
        return None
    text = normalize_text(
        "\n".join(
            (
                submission.author_name,
                submission.author_email,
                submission.author_url,
                submission.body,
            )
        )
    )
    words = dict.fromkeys(
        word for entry in policy.blocked_words if (word := normalize_text(entry).strip())
    )
    matched = [word for word in words if _word_pattern(word).search(text)]
    if not matched:
        return None
    label = "blocked word" if len(matched) == 1 else "blocked words"
    return Finding(reason=f"{label}: {_listed(f'"{word}"' for word in matched)}", spam=True)


def too_many_links(submission: Submission, policy: Policy) -> Finding | None:
    count = len(find_links(submission.body))
    if count <= policy.max_links:
        return None
    noun = "link" if count == 1 else "links"
    return Finding(reason=f"{count} {noun} (more than {policy.max_links})", spam=False)


RULES: tuple[Rule, ...] = (
    honeypot,
    too_fast,
    duplicate,
    blocked_ip,
    blocked_domain,
    blocked_word,
    too_many_links,
)


@lru_cache(maxsize=1024)
def _word_pattern(word: str) -> re.Pattern[str]:
    """A match for `word` that does not start or end inside a longer word.

    "cialis" must not block "specialist". The boundary applies only at an edge that is a
    letter or digit outside CJK, and only against such letters: Japanese and Chinese have
    no spaces, so "カジノ" matches inside a sentence and "casino" right after "オンライン".
    """
    latin = rf"[^\W_{CJK_RANGES}]"
    before = f"(?<!{latin})" if _is_latin(word[:1]) else ""
    after = f"(?!{latin})" if _is_latin(word[-1:]) else ""
    return re.compile(f"{before}{re.escape(word)}{after}")


def _is_latin(character: str) -> bool:
    return character.isalnum() and not CJK.fullmatch(character)


def _listed(items: Iterable[str]) -> str:
    names = list(items)
    shown = ", ".join(names[:REASON_ITEMS])
    return f"{shown}, …" if len(names) > REASON_ITEMS else shown
