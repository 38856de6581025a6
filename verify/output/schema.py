"""The JSON Schema of results.json (``dlverify.results`` version 2), used by `verify.output.results`.

Every field a reader touches is typed here, so the report and the gate never meet a value of the
wrong type: numbers are JSON numbers of magnitude ≤ `MAX_MAGNITUDE` or the strings "inf", "-inf",
"nan"; free-form records (``run``, ``examples``, ``counterexample``) are any JSON, bounded in depth
by the reader. Optional fields may be absent (readers fill neutral defaults), but a field that is
present must have its type. Required: ``id``, ``verdict``, a theorem's ``controls``; a measurement's ``name`` and ``value``.
"""

from __future__ import annotations

from typing import Any

from ..checking.document import CONTROL_VERDICTS, THEOREM_VERDICTS

__all__ = ["RESULTS_SCHEMA", "MAX_MAGNITUDE", "MAX_DEPTH", "CONSTANT_SOURCES"]

MAX_MAGNITUDE = 1e300          # larger numbers cannot be formatted or subtracted safely
MAX_DEPTH = 64                 # nesting of any JSON value (a results file needs < 10)
CONSTANT_SOURCES = ("paper", "chosen", "measured", "unrecorded")   # "unrecorded": upgraded from version 1

_NUMBER: dict[str, Any] = {"anyOf": [{"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE},
                                     {"enum": ["inf", "-inf", "nan"]}]}
_OPT_NUMBER: dict[str, Any] = {"anyOf": [_NUMBER, {"type": "null"}]}
_PAIR: dict[str, Any] = {"anyOf": [{"type": "null"}, {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2}]}
_TEXT: dict[str, Any] = {"type": "string"}
_OPT_TEXT: dict[str, Any] = {"type": ["string", "null"]}
_TEXTS: dict[str, Any] = {"type": "array", "items": _TEXT}
_SECONDS: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": MAX_MAGNITUDE}

_MEASUREMENT: dict[str, Any] = {
    "type": "object", "required": ["name", "value"],
    "properties": {
        "name": _TEXT, "value": _NUMBER, "predicted": _OPT_NUMBER, "comparison": {"enum": ["≈", "≥", "≤"]},
        "tolerance": _OPT_NUMBER, "interval": _PAIR, "kind": _TEXT, "unit": _TEXT, "gate_tolerance": _OPT_NUMBER,
        "band": _PAIR, "band_note": _TEXT, "ruled_out": _OPT_NUMBER, "weak": _OPT_TEXT,
    },
}
_PROVENANCE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dependent": {"type": "boolean"},
        "sweeps": {"type": "array", "items": {
            "type": "object", "required": ["sweep", "computed_by"],
            "properties": {"sweep": _TEXT, "points": {"type": "integer", "minimum": 0}, "computed_by": _TEXT,
                           "seconds": _SECONDS, "slowest_point": _SECONDS}}},
    },
}


def _check_fields(verdicts: tuple[str, ...]) -> dict[str, Any]:
    """Fields shared by theorem and control records."""
    return {
        "id": {"type": "string", "minLength": 1}, "verdict": {"enum": list(verdicts)}, "statement": _TEXT,
        "summary": _TEXT, "seconds": _SECONDS, "error": _OPT_TEXT,
        "measurements": {"type": "array", "items": _MEASUREMENT}, "run": {"type": "object"},
        "counterexample": {"type": ["object", "null"]}, "examples": {"type": "array", "items": {"type": "object"}},
        "plots": _TEXTS, "unresolved": {"type": "integer", "minimum": 0}, "provenance": _PROVENANCE,
    }


_CONTROL: dict[str, Any] = {"type": "object", "required": ["id", "verdict"], "properties": _check_fields(CONTROL_VERDICTS)}

_THEOREM: dict[str, Any] = {
    "type": "object", "required": ["id", "verdict", "controls"],
    "properties": {
        **_check_fields(THEOREM_VERDICTS),
        "title": _TEXT, "source": _TEXT, "hypotheses": _TEXTS, "conclusion": _TEXT, "certification": _TEXT,
        "constants": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["value", "source"],
            "properties": {"value": {"anyOf": [_NUMBER, _TEXT]}, "source": {"enum": list(CONSTANT_SOURCES)},
                           "note": _TEXT}}},
        "headline": _OPT_TEXT, "expected_failure": _OPT_TEXT, "findings": _TEXTS, "reproduce": _TEXT,
        "controls_declared": {"type": "integer", "minimum": 0},
        "controls": {"type": "array", "items": _CONTROL},
    },
}

RESULTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["schema", "schema_version", "created", "run", "environment", "theorems"],
    "properties": {
        "schema": {"const": "dlverify.results"}, "schema_version": {"type": "integer"},
        "created": _TEXT, "partial": {"type": "boolean"}, "interrupted_by": _OPT_TEXT,
        "run": {"type": "object", "properties": {
            "profile": _TEXT, "seed": {"type": ["integer", "string"]}, "selection": _TEXTS, "command": _TEXT,
            "executor": _TEXT, "seconds": _SECONDS}},
        "environment": {"type": "object", "properties": {
            "python": _TEXT, "platform": _TEXT, "machine": _TEXT, "cpu_count": {"type": ["integer", "string", "null"]},
            "packages": {"type": "object", "additionalProperties": _TEXT}}},
        "summary": {"type": "object"},
        "theorems": {"type": "array", "items": _THEOREM},
    },
}
