"""The figures of a robustness run, from the clients' tallies and the checks: a table, JSON."""

from __future__ import annotations

from dataclasses import dataclass

from load import COMMENT, KINDS, PING, READ, Tally

RECOUNT_OK = "All comment counts are correct."


@dataclass(frozen=True, slots=True, kw_only=True)
class Checks:
    lost_comments: list[str]
    lost_pings: list[str]
    problems: list[str]  # integrity findings
    wrong_counters: list[int]  # post ids
    recount: str  # `comments_recount`'s last line
    stored_comments: int  # this run's comments found, acknowledged or not
    stored_pings: int

    @property
    def lost(self) -> int:
        return len(self.lost_comments) + len(self.lost_pings)

    @property
    def sound(self) -> bool:
        return not self.problems and not self.wrong_counters and self.recount == RECOUNT_OK


LABELS = {READ: "reads", COMMENT: "comments", PING: "pings"}


def percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def kind_figures(tally: Tally, kind: str, lost: int) -> dict[str, object]:
    answered = sum(tally.statuses[kind].values())
    server_errors = sum(n for status, n in tally.statuses[kind].items() if status >= 500)
    refused = answered - tally.acknowledged[kind] - server_errors  # 4xx, unacknowledged writes
    return {
        "requests": answered + tally.outage_errors[kind] + tally.other_errors[kind],
        "p50_ms": percentile(tally.latencies[kind], 50),
        "p99_ms": percentile(tally.latencies[kind], 99),
        "server_errors": server_errors,
        "other_errors": refused + tally.other_errors[kind],
        "outage_errors": tally.outage_errors[kind],
        "acknowledged": tally.acknowledged[kind],
        "lost": lost,
        "statuses": {str(status): n for status, n in sorted(tally.statuses[kind].items())},
    }


def figures(
    tally: Tally, checks: Checks, outage_seconds: list[float], elapsed: float
) -> dict[str, object]:
    lost = {READ: 0, COMMENT: len(checks.lost_comments), PING: len(checks.lost_pings)}
    kinds = {kind: kind_figures(tally, kind, lost[kind]) for kind in KINDS}
    requests = sum(int(str(k["requests"])) for k in kinds.values())
    restarts = len(outage_seconds)
    return {
        "seconds": round(elapsed, 1),
        "requests": requests,
        "rps": requests / elapsed if elapsed else 0.0,
        "kinds": kinds,
        "server_errors": sum(int(str(k["server_errors"])) for k in kinds.values()),
        "acknowledged_writes": len(tally.comments) + len(tally.pings),
        "lost_writes": checks.lost,
        "crashes": restarts,
        "restarts_survived": sum(tally.succeeded_by_epoch[e] > 0 for e in range(1, restarts + 1)),
        "outage_seconds": [round(s, 2) for s in outage_seconds],
    }


def number(value: object, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, int | float) else "–"


def table(found: dict[str, object], checks: Checks) -> str:
    kinds = found["kinds"]
    assert isinstance(kinds, dict)
    lines = [
        "| kind | requests | p50 ms | p99 ms | 5xx | other errors | outage errors "
        "| acknowledged | lost |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, k in kinds.items():
        lines.append(
            f"| {LABELS[kind]} | {k['requests']:,} | {number(k['p50_ms'], '.1f')} "
            f"| {number(k['p99_ms'], '.1f')} | {k['server_errors']} | {k['other_errors']} "
            f"| {k['outage_errors']} | {k['acknowledged']:,} | {k['lost']} |"
        )
    sound = "all sound" if checks.sound else "; ".join(
        [*checks.problems, f"wrong counters on posts {checks.wrong_counters}", checks.recount]
    )  # fmt: skip
    lines += [
        "",
        "| duration | requests | requests/s | 5xx | acknowledged writes | lost writes "
        "| crash-restarts survived | database checks |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {found['seconds']} s | {found['requests']:,} | {number(found['rps'], ',.0f')} "
        f"| {found['server_errors']} | {found['acknowledged_writes']:,} | {found['lost_writes']} "
        f"| {found['restarts_survived']} of {found['crashes']} | {sound} |",
    ]
    return "\n".join(lines)


def failed(found: dict[str, object], checks: Checks) -> bool:
    return bool(
        found["server_errors"]
        or checks.lost
        or not checks.sound
        or found["restarts_survived"] != found["crashes"]
    )
