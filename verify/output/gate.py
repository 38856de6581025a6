"""The CI gate: decide from results.json (and optionally a baseline) whether a run may land.

A run fails the gate if it is partial, any theorem is falsified or errored (unless the theorem
declares a reviewed ``expected_failure`` and came out falsified or inconclusive — listed, not
failed; an unexpected pass is listed too), any negative control is not refuted (a check that
cannot fail), or, against a baseline: a verdict regressed (verified →
inconclusive/skipped counts), a baseline theorem or control is missing, or a measurement with a
declared ``gate_tolerance`` moved further than that tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GateReport", "evaluate", "VERDICT_RANK"]

VERDICT_RANK = {"verified": 0, "refuted": 0, "inconclusive": 1, "skipped": 1, "falsified": 2,
                "not refuted": 2, "error": 2}


@dataclass
class GateReport:
    """``problems``: reasons to fail; ``changes``: rows (what, baseline, now, status) vs the baseline."""

    problems: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def table(self) -> list[str]:
        if not self.changes:
            return ["No changes against the baseline."]
        lines = ["| what | baseline | now | status |", "|---|---|---|---|"]
        lines += [f"| {w} | {b} | {n} | {s} |" for w, b, n, s in self.changes]
        return lines


def evaluate(results: dict[str, Any], baseline: dict[str, Any] | None = None, *,
             allow_skipped: bool = False) -> GateReport:
    """Judge validated results (`verify.output.results.read_results`). Skipped checks (a missing optional
    extra) fail the gate unless ``allow_skipped``: a skipped check is never a pass."""
    report = GateReport()
    if results.get("partial"):
        report.problems.append("the run is partial (interrupted)")
    if not results["theorems"]:
        report.problems.append("the results contain no theorems")
    for t in results["theorems"]:
        expected = t.get("expected_failure")
        if expected and t["verdict"] in ("falsified", "inconclusive"):
            report.notices.append(f"{t['id']}: {t['verdict']} as expected — {expected}")
        elif expected and t["verdict"] == "verified":
            report.notices.append(f"{t['id']}: unexpected pass — remove its expected_failure ({expected})")
        elif t["verdict"] in ("falsified", "error"):
            report.problems.append(f"{t['id']}: {t['verdict']} — {t['summary']}")
        elif t["verdict"] == "skipped":
            _skipped(report, t["id"], t["summary"], allow_skipped)
        declared = t.get("controls_declared")
        if isinstance(declared, int) and len(t["controls"]) < declared:
            report.problems.append(f"{t['id']}: only {len(t['controls'])} of its {declared} controls ran")
        elif not t["controls"]:
            report.problems.append(f"{t['id']}: no negative controls in the results — a check that cannot fail")
        for c in t["controls"]:
            cid = f"{t['id']}[control:{c['id']}]"
            if c["verdict"] == "skipped":
                _skipped(report, cid, c["summary"], allow_skipped)
            elif c["verdict"] != "refuted":
                report.problems.append(f"{cid}: {c['verdict']} — the check did not refute a false statement "
                                       f"({c['summary']})")
    if baseline is not None:
        _compare(results, baseline, report)
    return report


def _skipped(report: GateReport, what: str, summary: str, allowed: bool) -> None:
    if allowed:
        report.notices.append(f"{what}: skipped — {summary}")
    else:
        report.problems.append(f"{what}: skipped — {summary} (a skipped check is not a pass; "
                               "install what it needs, or pass --allow-skipped)")


def _compare(results: dict[str, Any], baseline: dict[str, Any], report: GateReport) -> None:
    now = {t["id"]: t for t in results["theorems"]}
    for old in baseline["theorems"]:
        tid = old["id"]
        new = now.get(tid)
        if new is None:
            report.problems.append(f"{tid}: in the baseline but missing from the results")
            report.changes.append((tid, old["verdict"], "missing", "REGRESSION"))
            continue
        _verdict_change(tid, old["verdict"], new["verdict"], report)
        new_controls = {c["id"]: c for c in new["controls"]}
        for oc in old["controls"]:
            cid = f"{tid}[control:{oc['id']}]"
            nc = new_controls.get(oc["id"])
            if nc is None:
                report.problems.append(f"{cid}: in the baseline but missing from the results")
                report.changes.append((cid, oc["verdict"], "missing", "REGRESSION"))
            else:
                _verdict_change(cid, oc["verdict"], nc["verdict"], report)
        new_measurements = {m["name"]: m for m in new["measurements"]}
        for om in old["measurements"]:
            tol = om.get("gate_tolerance")
            nm = new_measurements.get(om["name"])
            if tol is None or not isinstance(om.get("value"), (int, float)):
                continue
            what = f"{tid}: {om['name']}"
            if nm is None:
                report.problems.append(f"{what}: gated measurement missing from the results")
                report.changes.append((what, f"{om['value']:.4g}", "missing", "REGRESSION"))
                continue
            if not isinstance(nm.get("value"), (int, float)) or not math.isfinite(nm["value"]):
                report.problems.append(f"{what}: gated measurement became {nm.get('value')!r}")
                report.changes.append((what, f"{om['value']:.4g}", str(nm.get("value")), "REGRESSION"))
                continue
            moved = abs(nm["value"] - om["value"])
            if moved > tol:
                report.problems.append(f"{what}: moved from {om['value']:.4g} to {nm['value']:.4g} "
                                       f"(|Δ| = {moved:.3g} > gate tolerance {tol:g})")
                report.changes.append((what, f"{om['value']:.4g}", f"{nm['value']:.4g}", "MOVED"))
            elif moved > 0:
                report.changes.append((what, f"{om['value']:.4g}", f"{nm['value']:.4g}", "within tolerance"))
    for tid in sorted(set(now) - {t["id"] for t in baseline["theorems"]}):
        report.changes.append((tid, "absent", now[tid]["verdict"], "new"))


def _verdict_change(what: str, old: str, new: str, report: GateReport) -> None:
    if old == new:
        return
    worse = VERDICT_RANK.get(new, 2) > VERDICT_RANK.get(old, 2)
    if worse:
        report.problems.append(f"{what}: regressed from {old} to {new}")
    report.changes.append((what, old, new, "REGRESSION" if worse else "improved"))
