"""Seed stability: one selection run under several seeds, tabulated per theorem and per control.

A verdict that flips with the seed is a statistical design bug: `verify run --seeds 0-9` runs the
selection once per seed (each into its own ``seed-K/`` directory with its report) and writes
``stability.md`` and ``stability.json``: for each theorem how many seeds verified it, and for each
control how many refuted it, with the seeds where it did not.
"""

from __future__ import annotations

from typing import Any

from ..checking.document import SCHEMA

__all__ = ["stability", "render_stability"]

STABILITY_SCHEMA = f"{SCHEMA}.stability"


def stability(runs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """{seeds, profile, checks: [{check, good, total, others: {seed: verdict}}]} from results documents by seed."""
    rows: dict[str, dict[str, Any]] = {}
    expected = _expected_outcomes(runs)
    for seed, results in runs.items():
        for t in results["theorems"]:
            _count(rows, t["id"], expected.get(t["id"], "verified"), t["verdict"], seed)
            for c in t["controls"]:
                _count(rows, f"{t['id']}[control:{c['id']}]", "refuted", c["verdict"], seed)
    profiles = sorted({r["run"]["profile"] for r in runs.values()})
    return {"schema": STABILITY_SCHEMA, "seeds": sorted(runs), "profile": ", ".join(profiles),
            "partial": any(r.get("partial") for r in runs.values()), "checks": list(rows.values())}


def _expected_outcomes(runs: dict[int, dict[str, Any]]) -> dict[str, str]:
    """theorem id → the outcome an expected failure should show on every seed: its verdict at the
    first seed where it was falsified or inconclusive ("falsified" if it never was)."""
    verdicts: dict[str, list[str]] = {}
    for _seed, results in sorted(runs.items()):
        for t in results["theorems"]:
            if t.get("expected_failure"):
                verdicts.setdefault(t["id"], []).append(t["verdict"])
    return {tid: next((v for v in seen if v in ("falsified", "inconclusive")), "falsified") + " (expected failure)"
            for tid, seen in verdicts.items()}


def _count(rows: dict[str, dict[str, Any]], check: str, good: str, verdict: str, seed: int) -> None:
    row = rows.setdefault(check, {"check": check, "wanted": good, "good": 0, "total": 0, "others": {}})
    row["total"] += 1
    if verdict == good.removesuffix(" (expected failure)"):
        row["good"] += 1
    else:
        row["others"][str(seed)] = verdict


def render_stability(table: dict[str, Any]) -> str:
    """Markdown: the stability table, unstable checks first."""
    seeds = table["seeds"]
    stable = sum(r["good"] == r["total"] == len(seeds) for r in table["checks"])
    lines = ["# dlverify seed stability", "",
             f"Profile **{table['profile']}**, seeds {_seed_text(seeds)} ({len(seeds)} runs)"
             + (" — **PARTIAL**: a run was interrupted" if table["partial"] else "") + ".", "",
             f"**{stable}/{len(table['checks'])} checks stable** (theorem verified / control refuted on every seed; an "
             "expected failure: the same falsified or inconclusive verdict on every seed).",
             "", "| check | wanted | stable | on other seeds |", "|---|---|---|---|"]
    for r in sorted(table["checks"], key=lambda r: (r["good"] == r["total"] == len(seeds), r["check"])):
        others = ", ".join(f"seed {s}: {v}" for s, v in r["others"].items()) or "–"
        lines.append(f"| `{r['check']}` | {r['wanted']} | {r['good']}/{len(seeds)} | {others} |")
    return "\n".join(lines) + "\n"


def _seed_text(seeds: list[int]) -> str:
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds))
