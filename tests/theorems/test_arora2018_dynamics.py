"""Tests for verify.engine.end_to_end_rule and the arora2018 end_to_end / preconditioner / single_output checks."""

import functools
import sys

import numpy as np
import pytest

from theorems import arora2018_end_to_end as e2e
from theorems import arora2018_preconditioner as pre
from theorems import arora2018_single_output as single
from verify.checking import registry
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure, PropertyRun
from verify.checking.spec import Evidence
from verify.engine.inits import balanced
from verify.engine.losses import QuadraticLoss

from replay_helpers import as_read_back, recorded_property_runs


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


@functools.cache
def checked(theorem_id: str, control_id: str | None = None) -> tuple[Evidence, PropertyRun]:
    """The ci-profile evidence of a check and the PropertyRun its run_property call returned (run once)."""
    theorem = registry.get(theorem_id)
    target = theorem if control_id is None else theorem.control(control_id)
    with recorded_property_runs(sys.modules[target.check.__module__]) as runs:
        evidence = target.check(ctx(theorem_id if control_id is None else f"{theorem_id}.{control_id}"))
    return evidence, runs[0]


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def test_wrong_rule_exponents_break_the_one_step_slope(rng):
    x, y = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    loss = QuadraticLoss.from_data(x, y)
    weights = balanced((2, 3, 2), rng.standard_normal((2, 2)), rng)
    etas = np.logspace(-3, -5, 5)
    slopes = {}
    for name, rule in e2e.RULES.items():
        errors, _ = e2e.step_errors(weights, loss, etas, rule)
        slopes[name] = np.polyfit(np.log(etas), np.log(errors), 1)[0]
    assert slopes["paper"] == pytest.approx(2.0, abs=0.05)
    assert slopes["left j/N"] == pytest.approx(1.0, abs=0.05)
    assert slopes["right (N-j+1)/N"] == pytest.approx(1.0, abs=0.05)


def test_symbolic_building_blocks():
    assert pre.symbolic_eigen_identity(3, pre.sp.symbols("a b", positive=True), pre.EigenClaim())
    assert not pre.symbolic_eigen_identity(3, pre.sp.symbols("a b", positive=True), pre.EigenClaim(1.0))
    assert all(single.symbolic_identity(2, 3, single.FormClaim()).values())
    assert not single.symbolic_identity(2, 3, single.FormClaim(extra=1))["rule = claimed form"]


@pytest.mark.parametrize("theorem_id", ["arora2018.end_to_end", "arora2018.preconditioner", "arora2018.single_output"])
def test_theorem_holds_and_controls_refuted(theorem_id):
    evidence, _ = checked(theorem_id)
    assert evidence.holds is True, evidence.summary
    for control in registry.get(theorem_id).controls:
        assert checked(theorem_id, control.id)[0].holds is False, control.id


@pytest.mark.parametrize("theorem_id, control_id", [("arora2018.end_to_end", "left-exponent-j-over-n"),
                                                    ("arora2018.preconditioner", "exponent-1-over-n-dropped"),
                                                    ("arora2018.single_output", "projection-factor-n")])
def test_replay_reproduces_an_example_and_the_counterexample(theorem_id, control_id):
    theorem = registry.get(theorem_id)
    evidence, run = checked(theorem_id)
    assert evidence.examples == run.cases and len(run.cases) == len(run.examples) > 0
    assert theorem.replay(as_read_back(evidence.examples[0])) == run.examples[0]
    refuted, _ = checked(theorem_id, control_id)
    with pytest.raises(PropertyFailure) as failure:
        theorem.control(control_id).replay(as_read_back(refuted.counterexample["case"]))
    assert failure.value.measured == refuted.counterexample["measured"]
    assert str(failure.value) == refuted.counterexample["message"]
