"""Tests for verify.engine.power_loss and the arora2018 scalar_overparameterization / acceleration_illustration checks."""

import functools

import numpy as np
import pytest

from theorems import arora2018_acceleration_illustration as accel
from theorems import arora2018_scalar_overparameterization as scalar
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.spec import Evidence
from verify.engine.power_loss import PowerLoss
from verify.errors import DataError, InvalidArgument


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


@functools.cache
def checked(module_name: str, control_id: str | None = None) -> Evidence:
    """The ci-profile evidence of a theorem or one of its controls (run once per session)."""
    theorem = {"scalar": scalar, "accel": accel}[module_name].THEOREM
    target = theorem if control_id is None else theorem.control(control_id)
    check_id = theorem.id if control_id is None else f"{theorem.id}[control:{control_id}]"
    return target.check(ctx(check_id))


def measurement(evidence: Evidence, prefix: str):
    return next(m for m in evidence.measurements if m.name.startswith(prefix))


# ---------------------------------------------------------------- the ℓ_p loss

def test_power_loss_gradient_is_the_derivative_of_its_value():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    for p in (2.0, 3.0, 4.0, 6.5):
        loss = PowerLoss(x, y, p)
        w = rng.standard_normal((2, 3))
        numeric = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            step = np.zeros_like(w)
            step[i] = 1e-6
            numeric[i] = (loss.value(w + step) - loss.value(w - step)) / 2e-6
        assert np.allclose(loss.gradient(w), numeric, rtol=1e-6, atol=1e-7)


def test_power_loss_is_the_slides_sum_and_broadcasts_batches():
    x, y = np.eye(2), np.array([[3.0, -1.0]])
    loss = PowerLoss(x, y, 4.0)
    assert loss.value(np.zeros((1, 2))) == pytest.approx((3.0 ** 4 + 1.0) / 4.0)
    batch = np.stack([np.zeros((1, 2)), np.ones((1, 2))])
    assert loss.gradient(batch).shape == (2, 1, 2)
    assert np.allclose(loss.gradient(batch)[1], [[(1 - 3.0) ** 3, (1 + 1.0) ** 3]])


def test_power_loss_rejects_bad_input():
    with pytest.raises(InvalidArgument, match="p=1.5"):
        PowerLoss(np.eye(2), np.ones((1, 2)), 1.5)
    with pytest.raises(DataError, match="same positive number of columns"):
        PowerLoss(np.eye(2), np.ones((1, 3)), 4.0)
    with pytest.raises(DataError, match="non-finite"):
        PowerLoss(np.array([[np.nan, 1.0]]), np.ones((1, 2)), 4.0)


# ---------------------------------------------------------------- scalar overparameterization

def test_symbolic_expansion_is_exact_for_the_derived_rule_only():
    assert all(scalar.symbolic_identities(scalar.DERIVED).values())
    assert all(scalar.symbolic_identities(scalar.SLIDE).values())        # the dropped init term is accounted for
    assert not scalar.symbolic_identities(scalar.Rule(rho_power=0.0))["Δw = rule + r(t), t < 3"]
    assert not scalar.symbolic_identities(scalar.Rule(momentum=1.1))["Δw = rule + r(t), t < 3"]
    with pytest.raises(InvalidArgument, match="rho_power=1.0"):
        scalar.symbolic_identities(scalar.Rule(rho_power=1.0))


def test_scalar_theorem_resolves_both_orders():
    evidence = checked("scalar")
    assert evidence.holds is True and evidence.unresolved == 0
    eta = measurement(evidence, "error exponent in η")
    eps = measurement(evidence, "first-order error exponent in ε")
    assert abs(eta.value - 2.0) < 0.05 and not eta.band[0] <= 1.0 <= eta.band[1]
    assert abs(eps.value - 1.0) < 0.05 and not eps.band[0] <= 0.0 <= eps.band[1]
    assert eta.weakness() is None and eps.weakness() is None
    assert measurement(evidence, "max_t ‖Δw − (rule + r)‖").value < scalar.EXACT_TOLERANCE


@pytest.mark.parametrize("control_id", ["rho-without-omega2", "momentum-10pct"])
def test_wrong_rules_are_refuted_by_the_dynamics_not_only_by_sympy(control_id):
    evidence = checked("scalar", control_id)
    assert evidence.holds is False
    eta = measurement(evidence, "error exponent in η")
    assert abs(eta.interval[1] - 2.0) > scalar.SLOPE_TOLERANCE        # every example's fitted exponent is ≈ 1
    assert measurement(evidence, "max_t ‖Δw − (rule + r)‖").value > 1e3 * scalar.EXACT_TOLERANCE


def test_init_term_is_first_order_in_eps_not_second():
    evidence = checked("scalar", "init-term-second-order")
    assert evidence.holds is False
    eps = measurement(evidence, "first-order error exponent in ε")
    assert eps.interval[1] < 2.0 - scalar.SLOPE_TOLERANCE


def test_planted_gradient_bug_is_caught_by_the_oracle(monkeypatch):
    """PowerLoss.gradient × 1.01: dynamics and rule share it (the identity still holds), the oracle does not."""
    original = PowerLoss.gradient
    monkeypatch.setattr(PowerLoss, "gradient", lambda self, w_e: 1.01 * original(self, w_e))
    example = scalar.Example(7, 3, 5, 4.0, scalar.DERIVED, ("eta",))
    result = scalar.run_example(example)
    assert result["oracle_gap"] > 1e-3 > scalar.ORACLE_TOLERANCE
    assert result["exact"] < scalar.EXACT_TOLERANCE                        # shared bug: invisible to the identity


def test_planted_dynamics_bug_breaks_the_exact_identity(monkeypatch):
    """Layer 2's gradient × 1.01 inside the GD step: Δw no longer equals rule + r."""
    real_step = scalar.gd_step
    monkeypatch.setattr(scalar, "gd_step", lambda weights, loss, eta: real_step(weights, loss, eta, (1.0, 1.01)))
    result = scalar.run_example(scalar.Example(7, 3, 5, 4.0, scalar.DERIVED, ("eta",)))
    assert result["exact"] > 1e3 * scalar.EXACT_TOLERANCE


# ---------------------------------------------------------------- acceleration illustration

def test_boundary_search_finds_the_formula():
    results = accel.measure_boundary((11, 4.0, (4.0, 16.0), (0.7, -0.9)))
    for r in results:
        predicted = accel.predicted_boundary(np.array(r["delta0"]), 4.0, accel.BoundaryClaim(), np.array(r["y"]))
        assert r["monotone"] and r["low"] <= predicted * (1 + 1e-6) and r["high"] >= predicted * (1 - 1e-6)
        assert (r["high"] - r["low"]) / predicted < accel.BOUNDARY_TOLERANCE


def test_acceleration_theorem_and_resolution():
    evidence = checked("accel")
    assert evidence.holds is True and evidence.unresolved == 0
    for m in evidence.measurements:
        assert m.weakness() is None, m.weakness()
    form = measurement(evidence, "max_t |M(t)/F(w(t)) − 1|")
    assert form.value < accel.FORM_TOLERANCE < form.ruled_out


def test_depth_one_does_not_accelerate_and_the_sum_form_is_refuted():
    flat = checked("accel", "depth-1-accelerates")
    assert flat.holds is False
    assert abs(measurement(flat, "fitted exponent in y₁, N = 1").value) < 1e-3
    summed = checked("accel", "sum-form")
    assert summed.holds is False
    assert measurement(summed, "max_t |M(t)/F(w(t)) − 1|").value > 5 * accel.FORM_TOLERANCE


def test_slide_boundary_at_zero_init_is_refuted_by_resolution():
    evidence = checked("accel", "boundary-at-zero-init")
    assert evidence.holds is False
    ratio = measurement(evidence, "measured GD boundary / claimed boundary")
    assert abs(ratio.value - 1.0) < 0.02              # near the boundary: within 2%, yet refuted


def test_planted_gradient_exponent_bug_moves_the_boundary(monkeypatch):
    """PowerLoss.gradient × 1.01 shifts the measured boundary by 1%: (A) refutes the true formula."""
    original = PowerLoss.gradient
    monkeypatch.setattr(PowerLoss, "gradient", lambda self, w_e: 1.01 * original(self, w_e))
    holds, _, _, failures, _ = accel.check_boundary(ctx("arora2018.acceleration_illustration"), accel.BoundaryClaim())
    assert holds is False and any("boundary/claimed" in f for f in failures)


def test_form_value_rejects_unknown_forms():
    with pytest.raises(InvalidArgument, match="form='max'"):
        accel.form_value("max", np.ones(2), np.ones(2), 1.0)
