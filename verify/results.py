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
      findings[], reproduce (a shell command), examples[] (descriptions of the generated examples,
      replayable with `verify replay ID@K`),
      controls[] {id, statement, verdict (refuted|not refuted|inconclusive|error|skipped),
                  summary, seconds, error, measurements[], run{}, counterexample, examples[]}

Non-finite numbers are written as the strings "inf", "-inf", "nan". Readers reject other schemas
and newer versions with a one-line error.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SCHEMA", "SCHEMA_VERSION", "ResultsError", "jsonable", "write_json", "read_results"]

SCHEMA = "dlverify.results"
SCHEMA_VERSION = 1


class ResultsError(ValueError):
    """A results file is missing, unreadable or not a dlverify results file."""


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: numpy scalars/arrays → Python, tuples → lists, inf/nan → strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "describe"):
        return jsonable(value.describe())
    return repr(value)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` atomically (temporary file + rename): readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(jsonable(data), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
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
    theorems = data.get("theorems")
    if not isinstance(theorems, list) or not all(isinstance(t, dict) and "id" in t and "verdict" in t
                                                 and isinstance(t.get("controls", []), list) for t in theorems):
        raise ResultsError(f"{path}: 'theorems' must be a list of objects with id, verdict and controls")
    return data
