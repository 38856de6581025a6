"""The results document the runner produces (schema ``dlverify.results``; fields documented in
`verify.output.results`): the schema's name and version, the verdict vocabularies, JSON-safe values,
and the summary counts, which are always derived from the theorem records, never stored as truth.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .spec import ControlVerdict, Verdict

__all__ = ["SCHEMA", "SCHEMA_VERSION", "THEOREM_VERDICTS", "CONTROL_VERDICTS", "jsonable", "summarise", "weaknesses"]

SCHEMA = "dlverify.results"
SCHEMA_VERSION = 2
THEOREM_VERDICTS = tuple(v.value for v in Verdict)
CONTROL_VERDICTS = tuple(v.value for v in ControlVerdict)


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


def summarise(theorems: list[dict[str, Any]]) -> dict[str, int]:
    """Counts of theorem verdicts, of refuted and dependent controls, and of theorems with a weak
    claim (derived from the theorem records)."""
    counts = {v: 0 for v in THEOREM_VERDICTS}
    for t in theorems:
        counts[t["verdict"]] += 1
    controls = [c for t in theorems for c in t.get("controls", [])]
    return {"theorems": len(theorems), **counts, "controls_total": len(controls),
            "controls_refuted": sum(c["verdict"] == "refuted" for c in controls),
            "controls_dependent": sum(c["verdict"] == "dependent" for c in controls),
            "weak": sum(bool(weaknesses(t)) for t in theorems)}


def weaknesses(theorem: dict[str, Any]) -> list[str]:
    """The reasons a theorem record's claims are checked weakly (its measurements' ``weak`` fields)."""
    return [m["weak"] for m in theorem.get("measurements", []) if m.get("weak")]
