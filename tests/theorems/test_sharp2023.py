"""sharp2023.rate: the math (limit-kernel rate, oracles), the gates, the check and its controls, planted bugs."""

import numpy as np
import pytest

from theorems import sharp2023_rate as S
from verify.checking.context import Context
from verify.checking.convergence import (
    convex_gd_path,
    excess_loss,
    fit_contraction,
    gd_contraction,
    least_squares_solution,
)
from verify.checking.profiles import get_profile
from verify.checking.stats import loglog_slope
from verify.engine import inits
from verify.engine.losses import QuadraticLoss
from verify.errors import InvalidArgument

ORTHOGONAL = (S.Group("exponent", "orthogonal", 2, "du_hu", (64, 256, 1024), 8),)
BOTH = ORTHOGONAL + (S.Group("exponent", "gaussian", 2, "du_hu", (64, 256, 1024), 8),)


def ctx(label: str = "t") -> Context:
    return Context(get_profile("ci"), 0, f"sharp2023.rate.{label}")


def small_sweep(monkeypatch, series) -> None:
    """Replace the profile's sweep by cheap L = 2 series (planted-bug tests)."""
    monkeypatch.setattr(S, "groups", lambda ctx, claim: list(series))


def test_convex_path_matches_iteration_and_rate():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))
    sxx, syx = x @ x.T, y @ x.T
    v_star = least_squares_solution(sxx, syx)
    v0 = rng.standard_normal((2, 3))
    eta = 1.0 / np.linalg.eigvalsh(sxx)[-1]
    path = convex_gd_path(v0, v_star, sxx, eta, 200)
    v = v0.copy()
    for _ in range(5):
        v = v - eta * (v @ sxx - syx)
    np.testing.assert_allclose(path[5], v, atol=1e-12)
    fit = fit_contraction(excess_loss(path, v_star, sxx))
    assert abs(fit.rho - gd_contraction(np.linalg.eigvalsh(sxx), eta)) < 1e-3


def test_steps():
    lam = np.array([0.25, 1.0])
    assert S.effective_step("optimal", lam) == pytest.approx(2 / 1.25)
    assert S.effective_step("du_hu", lam) == pytest.approx(0.5)
    assert gd_contraction(lam, S.effective_step("optimal", lam)) == pytest.approx(((4 - 1) / (4 + 1)) ** 2)
    assert S.layer_step(0.6, 6) == pytest.approx(0.3)                      # η·L/d_y = η_eff with d_y = 3
    assert S.comparator_step(0.3, 6, S.RateClaim()) == pytest.approx(0.6)
    assert S.comparator_step(0.3, 6, S.RateClaim(depth_factor=False)) == pytest.approx(0.3)
    assert S.comparator_step(0.3, 6, S.RateClaim(comparator_scale=0.5)) == pytest.approx(0.3)


def test_bad_input_names_the_value():
    with pytest.raises(InvalidArgument, match="'fast'"):
        S.effective_step("fast", np.array([1.0]))
    with pytest.raises(InvalidArgument, match="'xavier'"):
        S.network_init("xavier", (4, 8, 3), (0,))
    with pytest.raises(InvalidArgument, match="does not converge"):
        S.measure_point(S.SweepPoint("orthogonal", 2, 16, "optimal", (0,)), S.RateClaim(comparator_scale=2.0))


def test_orthogonal_kernel_is_exactly_the_convex_one_at_init():
    """W_jᵀW_j = mI makes α²P = (L/d_y)·I: the deep net's limit rate at init is the convex rate with ηL/d_y."""
    sxx, lam, _ = S.convex_problem()
    for depth, width in ((2, 16), (4, 16), (6, 12)):
        dims = (S.D_IN,) + (width,) * (depth - 1) + (S.D_OUT,)
        weights = [w[0] for w in S.network_init("orthogonal", dims, (3,))]
        eta = S.layer_step(S.effective_step("du_hu", lam), depth)
        rho = S.limit_contraction(weights, inits.du_hu_alpha(dims), sxx, eta)
        assert rho == pytest.approx(gd_contraction(lam, eta * depth / S.D_OUT), rel=1e-12)


def test_limit_kernel_rate_is_the_late_time_contraction():
    """ρ_deep from the final kernel equals the contraction GD shows once the excess is far below the window."""
    sxx, lam, v_star = S.convex_problem()
    dims = (S.D_IN, 64, S.D_OUT)
    alpha = inits.du_hu_alpha(dims)
    loss = QuadraticLoss.from_data(S.dataset().x, S.dataset().y, alpha=alpha)
    eta = S.layer_step(S.effective_step("du_hu", lam), 2)
    weights = [w[0] for w in S.network_init("gaussian", dims, (5,))]
    excess = []
    for _ in range(400):
        excess.append(float(excess_loss(alpha * S.gd_step_in_place(weights, loss, eta), v_star, sxx)))
    late = fit_contraction(np.array(excess), 1e-26, 1e-18)
    assert late is not None
    assert late.rho == pytest.approx(S.limit_contraction(weights, alpha, sxx, eta), rel=1e-3)


def test_kernel_and_step_agree_with_the_oracle_and_a_planted_kernel_bug_is_seen(monkeypatch):
    dims = (S.D_IN, 8, 8, S.D_OUT)
    alpha = inits.du_hu_alpha(dims)
    weights = [w[0] for w in S.network_init("gaussian", dims, (1,))]
    loss = QuadraticLoss.from_data(S.dataset().x, S.dataset().y, alpha=alpha)
    assert S.kernel_fd_gap(weights, alpha, engine=False) < 1e-6
    assert S.kernel_fd_gap(weights, alpha, engine=True) < 1e-6
    assert S.step_oracle_gap(weights, loss, 0.1) < S.ORACLE_STEP_TOL
    real = S.factor_preconditioner
    monkeypatch.setattr(S, "factor_preconditioner", lambda w: 1.01 * real(w))
    assert S.kernel_fd_gap(weights, alpha, engine=False) > S.KERNEL_FD_TOL


def fit_with_ci(slope: float, half: float):
    """A LinearFit whose slope and CI are what the gate test needs (fitted from exact points, CI replaced)."""
    fit = loglog_slope([1.0, 2.0, 4.0], [1.0, 2.0 ** slope, 4.0 ** slope])
    return type(fit)(slope, fit.intercept, half / 2, (slope - half, slope + half), 1.0, 3)


def test_exponent_gate_decides_by_the_ci_against_the_midpoint():
    rows = [{"width": 64, "diverged": np.zeros(2, dtype=bool)}]
    assert S.exponent_gate("x", fit_with_ci(-0.5, 0.2), rows).status == "verified"
    assert S.exponent_gate("x", fit_with_ci(-0.3, 0.2), rows).status == "inconclusive"
    assert S.exponent_gate("x", fit_with_ci(-0.02, 0.1), rows).status == "refuted"
    assert S.exponent_gate("x", None, rows).status == "inconclusive"
    gate = S.exponent_gate("x", fit_with_ci(-0.5, 0.1), rows)
    assert gate.measurement.weakness() is None and gate.measurement.band == pytest.approx((-0.85, -0.15))
    assert S.exponent_gate("x", fit_with_ci(-0.2, 0.1), rows).measurement.weakness() is not None  # 0 in the band
    diverged = [{"width": 64, "diverged": np.array([False, True])}]
    assert S.exponent_gate("x", fit_with_ci(-0.5, 0.1), diverged).status == "refuted"
    assert S.decay_gate("x", fit_with_ci(-0.4, 0.3)).status == "verified"
    assert S.decay_gate("x", fit_with_ci(-0.1, 0.3)).status == "inconclusive"
    assert S.decay_gate("x", fit_with_ci(0.5, 0.3)).status == "refuted"


def test_check_and_controls():
    evidence = S.THEOREM.check(ctx())
    assert evidence.holds is True, evidence.summary
    headline = next(m for m in evidence.measurements if m.name == S.HEADLINE)
    assert headline.weakness() is None and headline.band[1] < 0
    for control in S.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_controls_train_their_own_nets():
    """A control's seeds come from its check id, so it never re-reads the theorem's runs."""
    group = BOTH[1]
    assert S.seed_batches(ctx(), group, 64) != S.seed_batches(ctx("half-rate"), group, 64)


def test_planted_gradient_bug_turns_the_check_red(monkeypatch):
    """A ×1.01 update of the last layer inside the engine step: the oracle gate sees it at once."""
    small_sweep(monkeypatch, ORTHOGONAL)
    assert S.check_claim(ctx("clean"), S.RateClaim()).holds is True
    real = S.gd_step_in_place

    def buggy(weights, loss, eta):
        before = weights[-1].copy()
        w_e = real(weights, loss, eta)
        weights[-1] += 0.01 * (weights[-1] - before)
        return w_e

    monkeypatch.setattr(S, "gd_step_in_place", buggy)
    evidence = S.check_claim(ctx("bug"), S.RateClaim())
    assert evidence.holds is False and "engine GD step vs oracle" in evidence.summary
    monkeypatch.setattr(S, "ORACLE_STEP_TOL", float("inf"))       # without the oracle: the limit kernel sees it
    evidence = S.check_claim(ctx("bug"), S.RateClaim())
    assert evidence.holds is False and "engine's own step" in evidence.summary


def test_too_optimistic_exponent_is_refuted(monkeypatch):
    """Claiming m^{-1} for both inits (what orthogonal init achieves) is refuted by the Gaussian nets."""
    small_sweep(monkeypatch, BOTH)
    monkeypatch.setattr(S, "EXPONENT_CLAIM", -1.0)
    evidence = S.check_claim(ctx("optimistic"), S.RateClaim())
    assert evidence.holds is False and "gaussian" in evidence.summary
