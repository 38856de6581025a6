"""results.json: the machine-readable outcome of a run (schema ``dlverify.results``, version 1).

Top level::

    schema            "dlverify.results"
    schema_version    1
    created           ISO-8601 UTC time the run finished
    partial           true if the run was interrupted (Ctrl-C) before every check ran
    run               {profile, seed, selection[], command, executor, seconds}
    environment       {python, platform, machine, cpu_count, packages{name: version}}
    summary           {theorems, verified, falsified, inconclusive, error, skipped,
                       controls_total, controls_refuted}
    theorems[]        one object per theorem:
      id, title, source, statement, hypotheses[], conclusion, certification, constants{},
      headline, verdict (verified|falsified|inconclusive|error|skipped), expected_failure (a
      reviewed reason, or null), summary, seconds, error,
      measurements[] {name, value, predicted, comparison (≈: equal within tolerance; ≥/≤: predicted
                      is a bound), tolerance, interval, kind, unit, gate_tolerance},
      run{} (what was generated and run), counterexample, plots[] (paths relative to the file),
      findings[], reproduce (a shell command), controls_declared (how many controls the theorem
      has; fewer in controls[] means the run stopped early), examples[] (descriptions of the generated examples,
      replayable with `verify replay ID@K`),
      controls[] {id, statement, verdict (refuted|not refuted|inconclusive|error|skipped),
                  summary, seconds, error, measurements[], run{}, counterexample, examples[], plots[]}

Non-finite numbers are written as the strings "inf", "-inf", "nan". Readers reject other schemas,
newer versions, unknown verdicts, duplicate ids and missing fields with a one-line error, and
recompute ``summary`` from ``theorems`` (it is derived, never trusted).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..checking.document import CONTROL_VERDICTS, SCHEMA, SCHEMA_VERSION, THEOREM_VERDICTS, jsonable, summarise

__all__ = ["ResultsError", "write_json", "read_results"]



class ResultsError(ValueError):
    """A results file is missing, unreadable or not a dlverify results file."""


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` atomically (temporary file + rename): readers never see half a file."""
    path = Path(path)
    if path.is_dir():
        raise ResultsError(f"{path} is a directory; give a file name such as {path / 'results.json'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(jsonable(data), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared like the report
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_results(path: str | Path) -> dict[str, Any]:
    """Load and validate a results file; any problem is one `ResultsError` line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"{path}: no such results file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsError(f"{path}: not a dlverify results file (schema {SCHEMA!r} missing)")
    version = data.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
        raise ResultsError(f"{path}: schema_version {version!r} is not supported (this dlverify reads ≤ {SCHEMA_VERSION})")
    for key, kind in (("run", dict), ("environment", dict), ("theorems", list), ("created", str)):
        if not isinstance(data.get(key), kind):
            raise ResultsError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    if not isinstance(data.get("partial", False), bool):
        raise ResultsError(f"{path}: field 'partial' must be true or false")
    seen: set[str] = set()
    for t in data["theorems"]:
        where = f"{path}: theorem {t.get('id')!r}" if isinstance(t, dict) else f"{path}: a theorem entry"
        _check_record(t, THEOREM_VERDICTS, where)
        if t["id"] in seen:
            raise ResultsError(f"{where} appears twice")
        seen.add(t["id"])
        if not isinstance(t.get("controls"), list):
            raise ResultsError(f"{where}: 'controls' must be a list")
        control_ids = set()
        for c in t["controls"]:
            _check_record(c, CONTROL_VERDICTS, f"{where}, control {c.get('id') if isinstance(c, dict) else c!r}")
            if c["id"] in control_ids:
                raise ResultsError(f"{where}: control {c['id']!r} appears twice")
            control_ids.add(c["id"])
    _fill_defaults(data)
    data["summary"] = summarise(data["theorems"])
    return data


THEOREM_DEFAULTS: dict[str, Any] = {
    "title": "", "source": "", "statement": "", "hypotheses": [], "conclusion": "", "certification": "",
    "constants": {}, "headline": None, "expected_failure": None, "summary": "", "seconds": 0.0, "error": None,
    "measurements": [], "run": {}, "counterexample": None, "plots": [], "findings": [], "reproduce": "",
    "examples": []}
CONTROL_DEFAULTS: dict[str, Any] = {"statement": "", "summary": "", "seconds": 0.0, "error": None,
                                    "measurements": [], "run": {}, "counterexample": None, "examples": [],
                                    "plots": []}
RUN_DEFAULTS: dict[str, Any] = {"profile": "?", "seed": "?", "selection": [], "command": "", "executor": "serial",
                                "seconds": 0.0}
ENVIRONMENT_DEFAULTS: dict[str, Any] = {"python": "?", "platform": "?", "cpu_count": "?", "packages": {}}


def _fill_defaults(data: dict[str, Any]) -> None:
    """Optional fields a hand-made or older file may lack get neutral values, so readers need no guards."""
    for record, defaults in [(data["run"], RUN_DEFAULTS), (data["environment"], ENVIRONMENT_DEFAULTS)] + \
            [(t, THEOREM_DEFAULTS) for t in data["theorems"]] + \
            [(c, CONTROL_DEFAULTS) for t in data["theorems"] for c in t["controls"]]:
        for key, value in defaults.items():
            record.setdefault(key, copy.deepcopy(value))
        if not isinstance(record.get("seconds", 0.0), (int, float)):
            raise ResultsError(f"field 'seconds' of {record.get('id', 'run')!r} must be a number")
    data.setdefault("partial", False)


def _check_record(record: Any, verdicts: tuple[str, ...], where: str) -> None:
    if not isinstance(record, dict):
        raise ResultsError(f"{where} is not an object")
    if not isinstance(record.get("id"), str) or not record["id"]:
        raise ResultsError(f"{where} has no id")
    if record.get("verdict") not in verdicts:
        raise ResultsError(f"{where}: verdict {record.get('verdict')!r} is not one of {', '.join(verdicts)}")
    measurements = record.get("measurements", [])
    if not isinstance(measurements, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and "value" in m for m in measurements):
        raise ResultsError(f"{where}: every measurement needs a name and a value")
