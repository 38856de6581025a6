"""Render a results document (see `verify.output.results`) as a markdown report, from the JSON alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..checking.document import weaknesses
from ..checking.spec import band_text

__all__ = ["Links", "render", "short_source", "plural"]


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
CONTROL_MARK = {"refuted": "✅ refuted", "dependent": "⚠️ dependent (not counted)",
                "not refuted": "❌ NOT refuted (defect)", "inconclusive": "❔ inconclusive",
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


def plural(count: int, noun: str) -> str:
    """'1 control', '3 controls' (nouns ending in y: 'theory' → 'theories')."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1] + 'ies' if noun.endswith('y') and noun[-2:] != 'ey' else noun + 's'}"


def short_source(source: str) -> str:
    """The authors-and-year part of a source line (text before the first parenthesis)."""
    return source.split(" (")[0].strip()


def cell(text: Any) -> str:
    """Make text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _headline_measurement(theorem: dict[str, Any]) -> dict[str, Any] | None:
    chosen = next((m for m in theorem["measurements"] if m["name"] == theorem.get("headline")), None)
    return chosen if chosen is not None or not theorem["measurements"] else theorem["measurements"][0]


def headline(theorem: dict[str, Any]) -> str:
    chosen = _headline_measurement(theorem)
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
    lines = ["| quantity | measured | claim | tolerance | interval | accepts (claims not refuted) | |",
             "|---|---|---|---|---|---|---|"]
    for m in measurements:
        interval = "–" if m.get("interval") is None else f"{fmt(m['interval'])} {m.get('kind', '')}".strip()
        unit = f" {m['unit']}" if m.get("unit") else ""
        claim = "–" if m.get("predicted") is None else claim_text(m)
        lines.append(f"| {cell(m['name'])} | {fmt(m['value'])}{unit} | {cell(claim)} | "
                     f"{fmt(m.get('tolerance'))} | {cell(interval)} | {cell(resolution_text(m))} | {_within(m)} |")
    return lines


def resolution_text(m: dict[str, Any]) -> str:
    """The acceptance band of a claim measurement, how it was obtained, and a weak flag."""
    if m.get("predicted") is None or m.get("band") is None:
        return "–" if m.get("predicted") is None else "not stated"
    text = band_text(m["band"], fmt)
    if m.get("band_note") and m["band_note"] != "derived":
        text += f" ({m['band_note']})"
    if m.get("ruled_out") is not None:
        text += f"; rules out {fmt(m['ruled_out'])}"
    if m.get("weak"):
        text += " — **weak**"
    return text


def _within(m: dict[str, Any]) -> str:
    """Whether the value meets its claim: ≈ needs a tolerance; ≥/≤ compare with the bound (± tolerance)."""
    value, predicted, tol = m.get("value"), m.get("predicted"), m.get("tolerance")
    comparison = m.get("comparison", "≈")
    if not all(isinstance(v, (int, float)) for v in (value, predicted)):
        return "reported, not gated" if predicted is None else ""
    if comparison == "≈":
        if not isinstance(tol, (int, float)):
            return ""
        return "within tolerance" if abs(value - predicted) <= tol else "outside tolerance"
    slack = tol if isinstance(tol, (int, float)) else 0.0
    met = value >= predicted - slack if comparison == "≥" else value <= predicted + slack
    return "meets the bound" if met else "violates the bound"


def key_value_table(items: dict[str, Any], header: tuple[str, str] = ("", "")) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {cell(key)} | {cell(plain(value))} |" for key, value in items.items()]
    return lines


def plain(value: Any) -> str:
    """A value as prose for a table cell: lists comma-separated, mappings as 'key: value; …'."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items()) or "–"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value) or "–"
    return fmt(value)


def constants_table(constants: dict[str, dict[str, Any]]) -> list[str]:
    """Every constant and tolerance the verdict uses, with where its value comes from."""
    lines = ["| constant | value | source | note |", "|---|---|---|---|"]
    lines += [f"| {cell(name)} | {cell(fmt(c['value']))} | {c['source']} | {cell(c.get('note', ''))} |"
              for name, c in constants.items()]
    return lines


def render_summary(results: dict[str, Any]) -> list[str]:
    lines = ["| theorem | paper | verdict | certification | controls refuted | headline: measured (claim) | "
             "resolution | time |", "|---|---|---|---|---|---|---|---|"]
    for t in results["theorems"]:
        refuted = sum(c["verdict"] == "refuted" for c in t["controls"])
        dependent = sum(c["verdict"] == "dependent" for c in t["controls"])
        lines.append(f"| [`{t['id']}`](#{anchor(t['id'])}) | {cell(short_source(t['source']))} | "
                     f"{VERDICT_MARK.get(t['verdict'], t['verdict'])}{' (expected)' if t.get('expected_failure') else ''} | "
                     f"{t['certification']} | "
                     f"{refuted}/{declared_controls(t)}{f' ({dependent} dependent)' if dependent else ''} | "
                     f"{cell(headline(t))} | {cell(summary_resolution(t))} | "
                     f"{t['seconds'] + sum(c['seconds'] for c in t['controls']):.1f} s |")
    return lines


def summary_resolution(t: dict[str, Any]) -> str:
    """The headline claim's acceptance band, and 'weak' with the reasons if any claim is weak."""
    chosen = _headline_measurement(t)
    text = "–" if chosen is None or chosen.get("predicted") is None else band_text(chosen.get("band"), fmt)
    reasons = weaknesses(t)
    if reasons:
        text += "; **weak**: " + "; ".join(reasons)
    if t.get("unresolved"):
        text += f"; {t['unresolved']} unresolved"
    return text


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
        out += ["### Constants and tolerances the verdict uses", "",
                "*Source*: `paper` (stated by the paper), `chosen` (ours, fixed before the measured run), "
                "`measured` (determined by a measurement). `verify gate --baseline` fails if one changes "
                "without `--accept-change`.", ""]
        out += constants_table(t["constants"]) + [""]
    if t.get("counterexample"):
        out += ["### Counterexample (shrunk)", ""] + counterexample_block(t["id"], t["counterexample"], links)
    missing = declared_controls(t) - len(t["controls"])
    out += ["### Negative controls", "", "Each is a nearby *false* statement; the same checker must refute it."
            + (f" **{plural(missing, 'control')} did not run (the run was interrupted).**" if missing else ""), "",
            "| control | false statement | outcome | evidence | own computation | time |", "|---|---|---|---|---|---|"]
    for c in t["controls"]:
        own = independence(f"{t['id']}[control:{c['id']}]", c)
        out.append(f"| `{c['id']}` | {cell(c['statement'])} | {CONTROL_MARK.get(c['verdict'], c['verdict'])} | "
                   f"{cell(c['summary'])} | {cell(own)} | {c['seconds']:.1f} s |")
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


def independence(check_id: str, control: dict[str, Any]) -> str:
    """What the control computed itself, read off its provenance record."""
    provenance = control.get("provenance", {})
    sweeps = provenance.get("sweeps", [])
    if provenance.get("dependent"):
        others = sorted({r["computed_by"] for r in sweeps})
        return f"none: it only re-read what {', '.join(others)} computed"
    own = [r for r in sweeps if r["computed_by"] == check_id]
    if not sweeps:
        return "yes (inline)"
    shared = len(sweeps) - len(own)
    return f"yes: {plural(len(own), 'sweep')} of its own" + (f", {shared} shared" if shared else "")


def counterexample_block(check_id: str, counterexample: dict[str, Any], links: Links) -> list[str]:
    lines = ["```json", json.dumps(counterexample, indent=2, ensure_ascii=False), "```", ""]
    if isinstance(counterexample, dict) and "case" in counterexample:
        lines += [f"Replay it: `verify replay '{check_id}@counterexample' --results {links.results}`", ""]
    return lines


def examples_block(check_id: str, examples: list[dict[str, Any]], links: Links) -> list[str]:
    """The generated examples, numbered for `verify replay`, folded away."""
    if not examples:
        return []
    lines = [f"<details><summary>{plural(len(examples), 'generated example')} — replay one with "
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
        signal_name = {"SIGINT": "Ctrl-C (SIGINT)"}.get(results.get("interrupted_by"), results.get("interrupted_by")
                                                          or "a signal")
        lines += [f"> **PARTIAL RUN** — interrupted by {signal_name}: the check that was running was abandoned and the "
                  "verdicts below cover only what finished."
                  + (f" Not run: {', '.join(f'`{i}`' for i in not_run)}." if not_run else ""), ""]
    packages = ", ".join(f"{k} {v}" for k, v in env.get("packages", {}).items())
    lines += [f"Profile **{run['profile']}**, seed **{run['seed']}**, finished {results['created']} in "
              f"{run['seconds']:.1f} s ({run.get('executor', 'serial')}). Python {env['python']} on {env['platform']} ({env['cpu_count']} CPUs).  ",
              f"Packages: {packages}.  ", f"Command: `{run.get('command') or 'verify run'}`", "",
              f"**{summary['verified']}/{summary['theorems']} verified**, {summary['falsified']} falsified, "
              f"{summary['inconclusive']} inconclusive, {summary['error']} errors, {summary['skipped']} skipped; "
              f"negative controls refuted: **{summary['controls_refuted']}/{summary['controls_total']}**"
              + (f" ({summary['controls_dependent']} dependent, not counted)" if summary.get("controls_dependent") else "")
              + (f"; {plural(summary['weak'], 'theorem')} with a **weak** claim" if summary.get("weak") else "") + ".", "",
              "## Summary", ""]
    lines += render_summary(results) + [""]
    lines += ["How to read this: *verified* means the theorem's conclusion held on everything generated (at the "
              "stated certification level); each negative control is a nearby false statement that the same "
              "checker must refute — an unrefuted control means the check could not tell true from false. "
              "A control that only re-read its theorem's own sweep is *dependent* and is not counted. "
              "*Claim* columns give the theorem's prediction (≈, within the tolerance) or bound (≥/≤). "
              "*Resolution* is the acceptance band of the headline claim: the claimed values c the same check, "
              "on the same data, would not refute; a claim is **weak** when its band also contains a value the "
              "theorem itself rules out (or is unbounded). The "
              "`verify replay` commands below are meant to be run from this report's directory.", ""]
    if diff:
        lines += ["## Changes against the baseline", ""] + diff + [""]
    for t in results["theorems"]:
        lines += render_theorem(t, links)
    return "\n".join(lines).rstrip() + "\n"
