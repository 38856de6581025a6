"""results.json: the machine-readable outcome of a run (schema ``dlverify.results``, version 2).

Top level::

    schema            "dlverify.results"
    schema_version    2 (version 1 files are read and upgraded: their constants were free text)
    created           ISO-8601 UTC time the run finished
    partial           true if the run was interrupted before every check ran
    interrupted_by    the signal that stopped it ("SIGINT", "SIGTERM") or null
    run               {profile, seed, selection[], command, executor, seconds}
    environment       {python, platform, machine, cpu_count, packages{name: version}}
    summary           {theorems, verified, falsified, inconclusive, error, skipped,
                       controls_total, controls_refuted, controls_dependent, weak}
    theorems[]        one object per theorem:
      id, title, source, statement, hypotheses[], conclusion, certification,
      constants{name: {value, source (paper|chosen|measured), note}} (every constant and tolerance
      the verdict uses), headline, verdict (verified|falsified|inconclusive|error|skipped),
      expected_failure (a reviewed reason, or null), summary, seconds, error,
      measurements[] {name, value, predicted, comparison (≈: equal within tolerance; ≥/≤: predicted
                      is a bound), tolerance, interval, kind, unit, gate_tolerance,
                      band (the claimed values the check would not refute), band_note, ruled_out
                      (a value the theorem excludes), weak (why the band cannot tell them apart, or null)},
      run{} (what was generated and run), counterexample, plots[] (paths relative to the file),
      findings[], reproduce (a shell command), controls_declared (how many controls the theorem
      has; fewer in controls[] means the run stopped early), examples[] (descriptions of the generated
      examples, replayable with `verify replay ID@K`), unresolved (examples or points that decided
      nothing), provenance {sweeps[] {sweep, points, computed_by}, dependent},
      controls[] {id, statement, verdict (refuted|dependent|not refuted|inconclusive|error|skipped),
                  summary, seconds, error, measurements[], run{}, counterexample, examples[], plots[],
                  unresolved, provenance}

Non-finite numbers are written as the strings "inf", "-inf", "nan". Readers validate the whole
document against `verify.output.schema.RESULTS_SCHEMA` (types of every field, number magnitudes,
nesting depth) and reject other schemas, newer versions, duplicate ids and malformed fields with a
one-line error; ``summary`` is recomputed from ``theorems`` (it is derived, never trusted).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema

from ..checking.document import SCHEMA, SCHEMA_VERSION, jsonable, summarise
from .files import atomic_write_text
from .schema import MAX_DEPTH, RESULTS_SCHEMA

__all__ = ["ResultsError", "write_json", "read_results"]

MAX_BYTES = 256 * 2**20
_VALIDATOR = jsonschema.Draft202012Validator(RESULTS_SCHEMA)


class ResultsError(ValueError):
    """A results file is missing, unreadable or not a dlverify results file."""


def write_json(data: dict[str, Any], path: Path, what: str = "results file") -> None:
    """Write ``data`` as JSON atomically (readers never see half a file; only regular files are replaced)."""
    atomic_write_text(Path(path), json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n", what)


def read_results(path: str | Path) -> dict[str, Any]:
    """Load and validate a results file; any problem is one `ResultsError` line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"{path}: no such results file")
    if path.stat().st_size > MAX_BYTES:
        raise ResultsError(f"{path}: {path.stat().st_size} bytes is too large for a results file (limit {MAX_BYTES})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:   # ValueError: bad JSON, or an int of > 4300 digits
        raise ResultsError(f"{path}: not valid JSON ({_first_line(exc)})") from None
    except RecursionError:
        raise ResultsError(f"{path}: not a results file (JSON nested too deeply)") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsError(f"{path}: not a dlverify results file (schema {SCHEMA!r} missing)")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION or version < 1:
        raise ResultsError(f"{path}: schema_version {version!r} is not supported (this dlverify reads ≤ {SCHEMA_VERSION})")
    if _depth(data) > MAX_DEPTH:
        raise ResultsError(f"{path}: not a results file (JSON nested deeper than {MAX_DEPTH} levels)")
    if version == 1:
        _upgrade_v1(data)
    error = next(iter(sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        raise ResultsError(f"{path}: {'field ' + where if where else 'top level'}: {_first_line(error.message)[:200]}")
    for t in data["theorems"]:
        if [c["id"] for c in data["theorems"]].count(t["id"]) > 1:
            raise ResultsError(f"{path}: theorem {t['id']!r} appears twice")
        control_ids = [c["id"] for c in t.get("controls", [])]
        if len(set(control_ids)) != len(control_ids):
            raise ResultsError(f"{path}: theorem {t['id']!r}: a control id appears twice ({control_ids})")
    _fill_defaults(data)
    data["summary"] = summarise(data["theorems"])
    return data


def _first_line(exc: Any) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _upgrade_v1(data: dict[str, Any]) -> None:
    """Version 1 recorded constants as free text: keep the text as the value, source unrecorded."""
    for t in data.get("theorems", []) if isinstance(data.get("theorems"), list) else []:
        if isinstance(t, dict) and isinstance(t.get("constants"), dict):
            t["constants"] = {k: {"value": v, "source": "unrecorded", "note": ""} if isinstance(v, str) else v
                              for k, v in t["constants"].items()}


CHECK_DEFAULTS: dict[str, Any] = {
    "statement": "", "summary": "", "seconds": 0.0, "error": None, "measurements": [], "run": {},
    "counterexample": None, "examples": [], "plots": [], "unresolved": 0,
    "provenance": {"sweeps": [], "dependent": False}}
THEOREM_DEFAULTS: dict[str, Any] = {
    **CHECK_DEFAULTS, "title": "", "source": "", "hypotheses": [], "conclusion": "", "certification": "",
    "constants": {}, "headline": None, "expected_failure": None, "findings": [], "reproduce": "", "controls": []}
RUN_DEFAULTS: dict[str, Any] = {"profile": "?", "seed": "?", "selection": [], "command": "", "executor": "serial",
                                "seconds": 0.0}
ENVIRONMENT_DEFAULTS: dict[str, Any] = {"python": "?", "platform": "?", "cpu_count": "?", "packages": {}}


def _fill_defaults(data: dict[str, Any]) -> None:
    """Optional fields a hand-made or older file may lack get neutral values, so readers need no guards."""
    for record, defaults in [(data["run"], RUN_DEFAULTS), (data["environment"], ENVIRONMENT_DEFAULTS)] + \
            [(t, THEOREM_DEFAULTS) for t in data["theorems"]] + \
            [(c, CHECK_DEFAULTS) for t in data["theorems"] for c in t.get("controls", [])]:
        for key, value in defaults.items():
            record.setdefault(key, copy.deepcopy(value))
    data.setdefault("partial", False)
    data.setdefault("interrupted_by", None)
