"""Tests for the arora2018.near_zero_balance check."""

import functools

import numpy as np

from theorems import arora2018_near_zero_balance as nzb
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.spec import Evidence
from verify.engine.end_to_end_rule import end_to_end_direction


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


@functools.cache
def checked(control_id: str | None = None) -> Evidence:
    theorem = nzb.THEOREM
    target = theorem if control_id is None else theorem.control(control_id)
    return target.check(ctx(theorem.id if control_id is None else f"{theorem.id}[control:{control_id}]"))


def measurement(evidence: Evidence, prefix: str):
    return next(m for m in evidence.measurements if m.name.startswith(prefix))


def test_theorem_exponents_and_resolution():
    evidence = checked()
    assert evidence.holds is True and evidence.unresolved == 0
    for prefix in ("defect exponent", "rule-error exponent", "singular-space angle exponent"):
        m = measurement(evidence, prefix)
        assert abs(m.value - 2.0) < nzb.SLOPE_TOLERANCE
        assert m.weakness() is None, m.weakness()
    assert measurement(evidence, "max relative gap, engine GD step").value < nzb.ORACLE_TOLERANCE


def test_unbalanced_near_zero_init_has_a_lower_order_defect():
    evidence = checked("unbalanced-near-zero")
    assert evidence.holds is False
    defect = measurement(evidence, "defect exponent")
    assert abs(defect.value - (2 - 2 * nzb.SKEW)) < 0.15      # Θ(ε^1.5), refuted against 2 ± 0.25


def test_rescaled_layers_do_not_comply():
    evidence = checked("rescaled-layers")
    assert evidence.holds is False
    assert measurement(evidence, "rule-error exponent").interval[1] < 1.0


def test_broken_dynamics_drift_out_of_balance():
    evidence = checked("broken-layer-gradient")
    assert evidence.holds is False
    assert measurement(evidence, "defect exponent").interval[0] < 2.0 - nzb.SLOPE_TOLERANCE


def test_planted_rule_exponent_bug_is_caught(monkeypatch):
    """The end-to-end rule with exponents j/N on the left (a planted bug in the rule the check relies on)."""
    monkeypatch.setattr(nzb, "end_to_end_direction",
                        lambda w_e, grad, depth: end_to_end_direction(w_e, grad, depth, lambda n, j: (j / n, (n - j) / n)))
    result = nzb.run_example(nzb.Example(5, (2, 3, 2), nzb.BalanceClaim()))
    assert result["converged"] and result["rule error slope"] < 1.0


def test_angle_is_vacuous_when_every_hidden_width_equals_q():
    rng = np.random.default_rng(0)
    square = [rng.standard_normal((2, 2)), rng.standard_normal((2, 2))]
    assert nzb.singular_angle(square, 2) is None
    wide = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    assert 0.0 <= nzb.singular_angle(wide, 2) <= np.pi / 2
