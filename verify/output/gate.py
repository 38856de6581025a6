"""The CI gate: decide from results.json (and optionally a baseline) whether a run may land.

A run fails the gate if it is partial, any theorem is falsified or errored (unless the theorem
declares a reviewed ``expected_failure`` and came out falsified or inconclusive — listed, not
failed; an unexpected pass is listed too), any theorem or control is inconclusive (unless
``allow_inconclusive``: undecided evidence is never a pass), any negative control is not refuted
or only *dependent* (a check that cannot fail on its own), or, against a baseline: a verdict
regressed (verified → inconclusive/skipped counts), a baseline theorem or control is missing, a
measurement with a declared ``gate_tolerance`` moved further than that tolerance, or the
**ratchet** trips: a constant or a measurement's tolerance changed value, or an acceptance band
widened by more than `BAND_WIDENING` (relative) — each unless accepted by name with
``accept_changes`` ("ID:NAME", the CLI's ``--accept-change``), which the failure message prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GateReport", "evaluate", "VERDICT_RANK"]

VERDICT_RANK = {"verified": 0, "refuted": 0, "inconclusive": 1, "skipped": 1, "dependent": 1, "falsified": 2,
                "not refuted": 2, "error": 2}
BAND_WIDENING = 0.10   # a band wider than the baseline's by more than 10% (relative) is a loosened check


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
             allow_skipped: bool = False, allow_inconclusive: bool = False,
             accept_changes: frozenset[str] = frozenset()) -> GateReport:
    """Judge validated results (`verify.output.results.read_results`). Skipped checks (a missing
    optional extra) fail the gate unless ``allow_skipped``, inconclusive ones unless
    ``allow_inconclusive``: neither is a pass. ``accept_changes``: "ID:NAME" ratchet changes to accept."""
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
        elif t["verdict"] == "inconclusive":
            _inconclusive(report, t["id"], t["summary"], allow_inconclusive)
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
            elif c["verdict"] == "inconclusive" and allow_inconclusive:
                report.notices.append(f"{cid}: inconclusive — {c['summary']}")
            elif c["verdict"] == "dependent":
                report.problems.append(f"{cid}: dependent — refuted only by re-reading another check's sweep; "
                                       "a control must compute its own evidence")
            elif c["verdict"] != "refuted":
                report.problems.append(f"{cid}: {c['verdict']} — the check did not refute a false statement "
                                       f"({c['summary']})")
    if baseline is not None:
        _compare(results, baseline, report)
        _ratchet(results, baseline, report, accept_changes)
    return report


def _skipped(report: GateReport, what: str, summary: str, allowed: bool) -> None:
    if allowed:
        report.notices.append(f"{what}: skipped — {summary}")
    else:
        report.problems.append(f"{what}: skipped — {summary} (a skipped check is not a pass; "
                               "install what it needs, or pass --allow-skipped)")


def _inconclusive(report: GateReport, what: str, summary: str, allowed: bool) -> None:
    if allowed:
        report.notices.append(f"{what}: inconclusive — {summary}")
    else:
        report.problems.append(f"{what}: inconclusive — {summary} (undecided evidence is not a pass; "
                               "pass --allow-inconclusive to accept it)")


def _ratchet(results: dict[str, Any], baseline: dict[str, Any], report: GateReport, accepted: frozenset[str]) -> None:
    """Constants, tolerances and acceptance bands may not loosen silently against the baseline."""
    now = {t["id"]: t for t in results["theorems"]}
    for old in baseline["theorems"]:
        new = now.get(old["id"])
        if new is None:
            continue
        tid = old["id"]
        for name, constant in old.get("constants", {}).items():
            if constant.get("source") == "unrecorded":
                continue  # a version-1 baseline recorded free text, not values
            current = new.get("constants", {}).get(name)
            shown = "absent" if current is None else _show(current["value"])
            if current is None or current["value"] != constant["value"]:
                _ratchet_change(report, accepted, tid, name, f"constant {name!r}", _show(constant["value"]), shown)
        new_measurements = {m["name"]: m for m in new["measurements"]}
        for om in old["measurements"]:
            nm = new_measurements.get(om["name"])
            if nm is None:
                continue
            if om.get("tolerance") != nm.get("tolerance"):
                _ratchet_change(report, accepted, tid, om["name"], f"tolerance of {om['name']!r}",
                                _show(om.get("tolerance")), _show(nm.get("tolerance")))
            widened = _band_widening(om.get("band"), nm.get("band"))
            if widened is not None and widened > BAND_WIDENING:
                _ratchet_change(report, accepted, tid, om["name"], f"acceptance band of {om['name']!r} "
                                f"(+{widened:.0%} wider)", _show(om.get("band")), _show(nm.get("band")))


def _ratchet_change(report: GateReport, accepted: frozenset[str], tid: str, name: str, what: str, old: str,
                    new: str) -> None:
    key = f"{tid}:{name}"
    if key in accepted:
        report.changes.append((f"{tid}: {what}", old, new, "accepted"))
        report.notices.append(f"{tid}: {what} changed from {old} to {new} (accepted with --accept-change)")
        return
    report.changes.append((f"{tid}: {what}", old, new, "LOOSENED/CHANGED"))
    report.problems.append(f"{tid}: {what} changed from {old} to {new} against the baseline; if intended, "
                           f"say why in the module docstring and pass --accept-change '{key}'")


def _band_widening(old: Any, new: Any) -> float | None:
    """Relative widening of an acceptance band (inf if a bounded band became unbounded)."""
    if not (isinstance(old, list) and isinstance(new, list)):
        return None
    width = [_num(b[1]) - _num(b[0]) for b in (old, new)]
    if any(math.isnan(w) for w in width):
        return None
    if math.isinf(width[1]):
        return None if math.isinf(width[0]) else math.inf
    return (width[1] - width[0]) / width[0] if width[0] > 0 else (math.inf if width[1] > 0 else 0.0)


def _num(value: Any) -> float:
    """A results-file number ("inf", "-inf", "nan" are strings there) as a float; anything else nan."""
    if isinstance(value, (int, float)) or value in ("inf", "-inf", "nan"):
        return float(value)
    return math.nan


def _show(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _pair(old: float, new: float) -> tuple[str, str]:
    """Both numbers with enough digits to tell them apart (4 significant digits at least)."""
    for digits in range(4, 18):
        a, b = f"{old:.{digits}g}", f"{new:.{digits}g}"
        if a != b or old == new:
            return a, b
    return repr(old), repr(new)


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
            old_text, new_text = _pair(om["value"], nm["value"])
            if moved > tol:
                report.problems.append(f"{what}: moved from {old_text} to {new_text} "
                                       f"(|Δ| = {moved:.3g} > gate tolerance {tol:g})")
                report.changes.append((what, old_text, new_text, "MOVED"))
            elif moved > 0:
                report.changes.append((what, old_text, new_text, "within tolerance"))
    for tid in sorted(set(now) - {t["id"] for t in baseline["theorems"]}):
        report.changes.append((tid, "absent", now[tid]["verdict"], "new"))


def _verdict_change(what: str, old: str, new: str, report: GateReport) -> None:
    if old == new:
        return
    worse = VERDICT_RANK.get(new, 2) > VERDICT_RANK.get(old, 2)
    if worse:
        report.problems.append(f"{what}: regressed from {old} to {new}")
    report.changes.append((what, old, new, "REGRESSION" if worse else "improved"))
