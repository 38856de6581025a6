"""Render a results document (see `verify.output.results`) as a markdown report, from the JSON alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Links", "render", "short_source"]


@dataclass(frozen=True)
class Links:
    """How the report reaches its files: ``plots`` is the prefix of plot paths (recorded relative to
    results.json), ``results`` the path of results.json, both relative to the report's directory."""

    plots: str = ""
    results: str = "results.json"

    def plot(self, path: str) -> str:
        return f"{self.plots}/{path}" if self.plots else path

VERDICT_MARK = {"verified": "✅ verified", "falsified": "❌ falsified", "inconclusive": "❔ inconclusive",
                "error": "💥 error", "skipped": "⏭️ skipped"}
CONTROL_MARK = {"refuted": "✅ refuted", "not refuted": "❌ NOT refuted (defect)", "inconclusive": "❔ inconclusive",
                "error": "💥 error", "skipped": "⏭️ skipped"}


def fmt(value: Any) -> str:
    """Compact number formatting for tables (strings such as 'inf' pass through)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0:
            return "0"
        if 1e-3 <= abs(value) < 1e4:
            return f"{value:.6g}"
        return f"{value:.3e}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)


def short_source(source: str) -> str:
    """The authors-and-year part of a source line (text before the first parenthesis)."""
    return source.split(" (")[0].strip()


def cell(text: Any) -> str:
    """Make text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def headline(theorem: dict[str, Any]) -> str:
    chosen = next((m for m in theorem["measurements"] if m["name"] == theorem.get("headline")), None)
    if chosen is None and theorem["measurements"]:
        chosen = theorem["measurements"][0]
    if chosen is None:
        return "–"
    text = f"{chosen['name']}: {fmt(chosen['value'])}"
    if chosen.get("predicted") is not None:
        text += f" ({claim_text(chosen)})"
    return text


def claim_text(m: dict[str, Any]) -> str:
    """'predicted 2' for an equality claim, 'claimed ≥ 0.097' for a bound."""
    comparison = m.get("comparison", "≈")
    if comparison == "≈":
        return f"predicted {fmt(m['predicted'])}"
    return f"claimed {comparison} {fmt(m['predicted'])}"


def measurement_table(measurements: list[dict[str, Any]]) -> list[str]:
    lines = ["| quantity | measured | claim | tolerance | interval | |", "|---|---|---|---|---|---|"]
    for m in measurements:
        interval = "–" if m.get("interval") is None else f"{fmt(m['interval'])} {m.get('kind', '')}".strip()
        unit = f" {m['unit']}" if m.get("unit") else ""
        claim = "–" if m.get("predicted") is None else claim_text(m)
        lines.append(f"| {cell(m['name'])} | {fmt(m['value'])}{unit} | {cell(claim)} | "
                     f"{fmt(m.get('tolerance'))} | {cell(interval)} | {_within(m)} |")
    return lines


def _within(m: dict[str, Any]) -> str:
    """Whether the value meets its claim: ≈ needs a tolerance; ≥/≤ compare with the bound (± tolerance)."""
    value, predicted, tol = m.get("value"), m.get("predicted"), m.get("tolerance")
    comparison = m.get("comparison", "≈")
    if not all(isinstance(v, (int, float)) for v in (value, predicted)):
        return ""
    if comparison == "≈":
        if not isinstance(tol, (int, float)):
            return ""
        return "within tolerance" if abs(value - predicted) <= tol else "outside tolerance"
    slack = tol if isinstance(tol, (int, float)) else 0.0
    met = value >= predicted - slack if comparison == "≥" else value <= predicted + slack
    return "meets the bound" if met else "violates the bound"


def key_value_table(items: dict[str, Any], header: tuple[str, str] = ("", "")) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    for key, value in items.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else fmt(value)
        lines.append(f"| {cell(key)} | {cell(shown)} |")
    return lines


def render_summary(results: dict[str, Any]) -> list[str]:
    lines = ["| theorem | paper | verdict | certification | controls refuted | headline: measured (claim) | time |",
             "|---|---|---|---|---|---|---|"]
    for t in results["theorems"]:
        refuted = sum(c["verdict"] == "refuted" for c in t["controls"])
        lines.append(f"| [`{t['id']}`](#{anchor(t['id'])}) | {cell(short_source(t['source']))} | "
                     f"{VERDICT_MARK.get(t['verdict'], t['verdict'])}{' (expected)' if t.get('expected_failure') else ''} | "
                     f"{t['certification']} | "
                     f"{refuted}/{declared_controls(t)} | {cell(headline(t))} | "
                     f"{t['seconds'] + sum(c['seconds'] for c in t['controls']):.1f} s |")
    return lines


def declared_controls(t: dict[str, Any]) -> int:
    """How many controls the theorem has (more than ran, if the run was interrupted)."""
    return max(t.get("controls_declared") or 0, len(t["controls"]))


def anchor(theorem_id: str) -> str:
    """GitHub's heading anchor for a section titled by the theorem id."""
    return "".join(c for c in theorem_id.lower() if c.isalnum() or c in "-_ ").replace(" ", "-")


def render_theorem(t: dict[str, Any], links: Links) -> list[str]:
    out = [f"## {t['id']}", "", f"**{t['title']}**  ", f"*Source:* {t['source']}", "",
           f"**Statement.** {t['statement']}", "", "**Hypotheses.**", ""]
    out += [f"- {h}" for h in t["hypotheses"]]
    out += ["", f"**Conclusion checked.** {t['conclusion']}", "",
            f"**Verdict: {VERDICT_MARK.get(t['verdict'], t['verdict'])}** ({t['certification']}) — {t['summary']}", ""]
    if t.get("expected_failure"):
        out += [f"> **Known not to verify here (reviewed):** {t['expected_failure']}", ""]
    if t.get("error"):
        out += ["```", t["error"], "```", ""]
    if t["measurements"]:
        out += ["### Measurements", ""] + measurement_table(t["measurements"]) + [""]
    if t.get("findings"):
        out += ["### Findings", ""] + [f"- {f}" for f in t["findings"]] + [""]
    for plot in t.get("plots", []):
        out += [f"![{t['id']}]({links.plot(plot)})", ""]
    if t.get("run"):
        out += ["### What was run", ""] + key_value_table(t["run"], ("item", "value")) + [""]
    out += examples_block(t["id"], t.get("examples", []), links)
    if t.get("constants"):
        out += ["### Constants the paper leaves unspecified (our choices)", ""]
        out += key_value_table(t["constants"], ("constant", "value used")) + [""]
    if t.get("counterexample"):
        out += ["### Counterexample (shrunk)", ""] + counterexample_block(t["id"], t["counterexample"], links)
    missing = declared_controls(t) - len(t["controls"])
    out += ["### Negative controls", "", "Each is a nearby *false* statement; the same checker must refute it."
            + (f" **{missing} control(s) did not run (the run was interrupted).**" if missing else ""), "",
            "| control | false statement | outcome | evidence | time |", "|---|---|---|---|---|"]
    for c in t["controls"]:
        out.append(f"| `{c['id']}` | {cell(c['statement'])} | {CONTROL_MARK.get(c['verdict'], c['verdict'])} | "
                   f"{cell(c['summary'])} | {c['seconds']:.1f} s |")
    out.append("")
    for c in t["controls"]:
        if c.get("counterexample") or c.get("plots"):
            out += [f"<details><summary>Control <code>{c['id']}</code>: the evidence that refutes it</summary>", ""]
            if c.get("counterexample"):
                out += counterexample_block(f"{t['id']}[control:{c['id']}]", c["counterexample"], links)
            out += [line for plot in c.get("plots", []) for line in (f"![{c['id']}]({links.plot(plot)})", "")]
            out += ["</details>", ""]
    out += [f"*Reproduce:* `{t['reproduce']}`", ""]
    return out


def counterexample_block(check_id: str, counterexample: dict[str, Any], links: Links) -> list[str]:
    lines = ["```json", json.dumps(counterexample, indent=2, ensure_ascii=False), "```", ""]
    if isinstance(counterexample, dict) and "case" in counterexample:
        lines += [f"Replay it: `verify replay '{check_id}@counterexample' --results {links.results}`", ""]
    return lines


def examples_block(check_id: str, examples: list[dict[str, Any]], links: Links) -> list[str]:
    """The generated examples, numbered for `verify replay`, folded away."""
    if not examples:
        return []
    lines = [f"<details><summary>{len(examples)} generated example(s) — replay one with "
             f"<code>verify replay {check_id}@K --results {links.results}</code></summary>", "",
             "| K | example |", "|---|---|"]
    lines += [f"| {k} | `{cell(json.dumps(e, ensure_ascii=False))}` |" for k, e in enumerate(examples)]
    return lines + ["", "</details>", ""]


def render(results: dict[str, Any], diff: list[str] | None = None, links: Links = Links()) -> str:
    """The whole markdown report. ``diff`` are pre-rendered lines comparing with a baseline; shell
    commands in it (replay) are meant to be run from the report's directory."""
    run, env, summary = results["run"], results["environment"], results["summary"]
    lines = ["# dlverify report", ""]
    if results.get("partial"):
        done = {t["id"] for t in results["theorems"]}
        not_run = [i for i in run.get("selection", []) if i not in done]
        lines += ["> **PARTIAL RUN** — interrupted (Ctrl-C): the check that was running was abandoned and the "
                  "verdicts below cover only what finished."
                  + (f" Not run: {', '.join(f'`{i}`' for i in not_run)}." if not_run else ""), ""]
    packages = ", ".join(f"{k} {v}" for k, v in env.get("packages", {}).items())
    lines += [f"Profile **{run['profile']}**, seed **{run['seed']}**, finished {results['created']} in "
              f"{run['seconds']:.1f} s ({run.get('executor', 'serial')}). Python {env['python']} on {env['platform']} ({env['cpu_count']} CPUs).  ",
              f"Packages: {packages}.  ", f"Command: `{run.get('command') or 'verify run'}`", "",
              f"**{summary['verified']}/{summary['theorems']} verified**, {summary['falsified']} falsified, "
              f"{summary['inconclusive']} inconclusive, {summary['error']} errors, {summary['skipped']} skipped; "
              f"negative controls refuted: **{summary['controls_refuted']}/{summary['controls_total']}**.", "",
              "## Summary", ""]
    lines += render_summary(results) + [""]
    lines += ["How to read this: *verified* means the theorem's conclusion held on everything generated (at the "
              "stated certification level); each negative control is a nearby false statement that the same "
              "checker must refute — an unrefuted control means the check could not tell true from false. "
              "*Claim* columns give the theorem's prediction (≈, within the tolerance) or bound (≥/≤). The "
              "`verify replay` commands below are meant to be run from this report's directory.", ""]
    if diff:
        lines += ["## Changes against the baseline", ""] + diff + [""]
    for t in results["theorems"]:
        lines += render_theorem(t, links)
    return "\n".join(lines).rstrip() + "\n"
