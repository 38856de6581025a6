"""The kill matrix of `verify mutate`: mutants × theorems, the unit tests' column, and the scores.

Input is the document `verify.cli.mutate` writes to mutation.json::

    {schema: "dlverify.mutation", profile, seed, seconds, partial, theorems[],
     baseline {theorem: kill kind of the unmutated run — all "survived" when the suite is healthy},
     mutants[] {id, description, target, executed_by[] (theorems that call the target),
                theorems {theorem: falsified | error | control not refuted | survived},
                tests (killed | survived | not run), tests_run[]}}

A mutant is *killed by the theorems* if some theorem that executes it comes out differently from
its unmutated run (no longer verified, a control no longer refuted, a check erring — compared with
the baseline, so an expected failure that stays falsified does not count); *killed* if the
theorems or the unit tests see it; *unexercised* if no selected theorem calls its target.
"""

from __future__ import annotations

from typing import Any

from ..checking.mutation import is_kill

__all__ = ["scores", "render_mutation"]

MARK = {"falsified": "❌ falsified", "inconclusive": "❔ inconclusive", "error": "💥 error", "control not refuted": "⚠️ control", "survived": "· survived",
        "timeout": "⏱ timeout", "not run": "–"}


def scores(doc: dict[str, Any]) -> dict[str, Any]:
    """Counts: killed overall, killed by the theorems alone among exercised mutants, survivors."""
    mutants, baseline = doc["mutants"], doc["baseline"]
    exercised = [m for m in mutants if m["executed_by"]]
    by_theorems = [m for m in exercised if any(is_kill(k, baseline.get(t, "survived")) for t, k in m["theorems"].items())]
    killed = [m for m in mutants if m in by_theorems or m["tests"] == "killed"]
    return {"mutants": len(mutants), "killed": len(killed), "exercised": len(exercised),
            "killed_by_theorems": len(by_theorems),
            "theorem_score": len(by_theorems) / len(exercised) if exercised else None,
            "score": len(killed) / len(mutants) if mutants else None,
            "survivors": [m["id"] for m in mutants if m not in killed],
            "seen_only_by_tests": [m["id"] for m in exercised if m not in by_theorems and m["tests"] == "killed"]}


def render_mutation(doc: dict[str, Any]) -> str:
    s = scores(doc)
    theorems = doc["theorems"]
    lines = ["# dlverify mutation analysis", "",
             f"Profile **{doc['profile']}**, seed {doc['seed']}, {doc['seconds']:.0f} s"
             + (" — **PARTIAL** (interrupted)" if doc.get("partial") else "") + ".", ""]
    broken = [f"`{t}` ({k})" for t, k in doc["baseline"].items() if k != "survived"]
    if broken:
        lines += [f"> Not verified on the unmutated code: {', '.join(broken)} (expected failures, or defects): "
                  "their column counts a mutant only if it changes that outcome.", ""]
    lines += [f"**Mutation score {s['killed']}/{s['mutants']}** (killed by the theorem checks or the unit tests); "
              f"**theorem checks alone: {s['killed_by_theorems']}/{s['exercised']}** of the mutants some theorem "
              "executes" + (f" ({s['theorem_score']:.0%})" if s["theorem_score"] is not None else "") + ".", ""]
    if s["survivors"]:
        lines += [f"Survivors (no check or test sees them): {', '.join(f'`{m}`' for m in s['survivors'])}.", ""]
    if s["seen_only_by_tests"]:
        lines += ["Seen only by the unit tests (a theorem executes the code but its verdict did not change): "
                  + ", ".join(f"`{m}`" for m in s["seen_only_by_tests"]) + ".", ""]
    short = {t: t.split(".", 1)[-1] for t in theorems}
    lines += ["| mutant | what it breaks | " + " | ".join(short[t] for t in theorems) + " | unit tests |",
              "|---|---|" + "---|" * len(theorems) + "---|"]
    for m in doc["mutants"]:
        cells = [_cell(m["theorems"][t], doc["baseline"].get(t, "survived")) if t in m["theorems"] else ""
                 for t in theorems]
        description = m["description"].replace("|", "\\|")      # |r| would end the table cell
        lines.append(f"| `{m['id']}` | {description} | " + " | ".join(cells) + f" | {m['tests']} |")
    lines += ["", "Blank cell: the theorem does not execute the mutated function (found by a probe run). "
              "❌/❔ the theorem is falsified/inconclusive where it was not; ⚠️ one of its controls is no longer refuted; 💥 a check "
              "raised; · the theorem and its controls came out as on the unmutated code (for an expected "
              "failure: as falsified or inconclusive as before); ⏱ stopped after its time limit (no evidence "
              "either way); – not run, because an earlier theorem already saw the mutant (`--full-matrix` "
              "runs them all).", ""]
    return "\n".join(lines)


def _cell(kind: str, baseline: str) -> str:
    """The kill mark, or '·' when the outcome equals the unmutated run's."""
    return MARK["survived"] if kind == baseline else MARK[kind]
