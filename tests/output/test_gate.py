"""verify.output.gate: inconclusive is not a pass, dependent controls do not count, and the ratchet
refuses loosened constants, tolerances and bands against a baseline unless accepted by name."""

import copy

import pytest

from verify.checking.document import SCHEMA, SCHEMA_VERSION, summarise
from verify.output.gate import evaluate


def measurement(value=2.0, tolerance=0.1, band=(1.9, 2.1)):
    return {"name": "exponent", "value": value, "predicted": 2.0, "comparison": "≈", "tolerance": tolerance,
            "interval": None, "kind": "", "unit": "", "gate_tolerance": None, "band": list(band),
            "band_note": "derived", "ruled_out": 1.0, "weak": None}


def document(verdict="verified", control="refuted", constant=0.1, **meas):
    theorem = {"id": "t.one", "verdict": verdict, "summary": "s", "seconds": 1.0, "measurements": [measurement(**meas)],
               "constants": {"TOL": {"value": constant, "source": "chosen", "note": ""}},
               "controls_declared": 1,
               "controls": [{"id": "c", "verdict": control, "summary": "c", "seconds": 0.5, "measurements": []}]}
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "created": "now", "partial": False,
            "run": {}, "environment": {}, "theorems": [theorem], "summary": summarise([theorem])}


def test_a_clean_run_passes_and_against_itself_too():
    assert evaluate(document()).passed
    assert evaluate(document(), document()).passed


def test_inconclusive_fails_unless_allowed():
    for results in (document(verdict="inconclusive"), document(control="inconclusive")):
        report = evaluate(results)
        assert not report.passed and any("inconclusive" in p for p in report.problems)
        assert evaluate(results, allow_inconclusive=True).passed


def test_a_dependent_control_is_not_counted_and_fails_the_gate():
    results = document(control="dependent")
    assert results["summary"]["controls_refuted"] == 0 and results["summary"]["controls_dependent"] == 1
    report = evaluate(results)
    assert not report.passed and any("dependent" in p for p in report.problems)


@pytest.mark.parametrize("change, name", [
    (dict(constant=0.2), "TOL"),                          # a constant loosened
    (dict(tolerance=0.2), "exponent"),                    # a measurement's tolerance loosened
    (dict(band=(1.8, 2.2)), "exponent"),                  # the acceptance band widened by 100%
])
def test_the_ratchet_refuses_a_loosened_check_unless_accepted(change, name):
    results, baseline = document(**change), document()
    report = evaluate(results, baseline)
    assert not report.passed
    flag = f"t.one:{name}"
    assert any(flag in p for p in report.problems)            # the message names the flag to pass
    assert evaluate(results, baseline, accept_changes=frozenset({flag})).passed


def test_the_ratchet_tolerates_a_band_that_narrows_or_widens_a_little():
    assert evaluate(document(band=(1.95, 2.05)), document()).passed
    assert evaluate(document(band=(1.9, 2.115)), document()).passed     # +7.5% wider
    assert not evaluate(document(band=(1.9, 2.13)), document()).passed   # +15% wider


def test_a_bounded_band_that_becomes_unbounded_is_loosened():
    results = document(band=(1.9, float("inf")))
    results["theorems"][0]["measurements"][0]["band"] = [1.9, "inf"]
    assert not evaluate(results, document()).passed


def test_making_a_record_worse_never_turns_a_failing_gate_into_a_passing_one():
    """Monotonicity on hand-picked steps (the property-based version lives in tests/output/test_documents.py)."""
    worse_steps = [lambda d: d["theorems"][0].update(verdict="falsified"),
                   lambda d: d["theorems"][0]["controls"][0].update(verdict="not refuted"),
                   lambda d: d.update(partial=True)]
    base = document(verdict="inconclusive")
    assert not evaluate(base).passed
    for step in worse_steps:
        worse = copy.deepcopy(base)
        step(worse)
        assert not evaluate(worse).passed
