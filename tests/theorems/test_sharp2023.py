"""sharp2023.rate: helpers, the sweep check, its controls, and a broken comparator."""

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


def ctx(label: str = "t") -> Context:
    return Context(get_profile("ci"), 0, f"sharp2023.rate.{label}")


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


def test_effective_steps():
    lam = np.array([0.25, 1.0])
    assert S.effective_step("optimal", lam) == pytest.approx(2 / 1.25)
    assert gd_contraction(lam, S.effective_step("optimal", lam)) == pytest.approx(((4 - 1) / (4 + 1)) ** 2)
    assert S.comparator_step(0.3, 6, 3, True) == pytest.approx(0.6) and S.comparator_step(0.3, 6, 3, False) == 0.3


def test_orthogonal_wide_point_follows_convex():
    r = S.measure_point(S.SweepPoint("orthogonal", 2, 256, "du_hu", 0), True)
    assert r["dev"] < 0.01 and r["rate_error"] < 0.05


def test_check_and_controls():
    assert S.THEOREM.check(ctx()).holds is True
    for control in S.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_dropping_the_depth_factor_breaks_the_check():
    r = S.measure_point(S.SweepPoint("orthogonal", 2, 256, "optimal", 0), False)
    assert S.failure_reason(r) is not None


def test_rate_is_compared_with_the_convex_path_from_the_same_start():
    """Seed 7: V(0) − V* barely weighs the slowest mode, so even the convex path fits ρ ≈ 0.726 on the
    window, not max_i|1 − η_eff λ_i|² = 0.766; the deep net follows the convex path and must pass."""
    r = S.measure_point(S.SweepPoint("orthogonal", 2, 16384, "du_hu", 7), True)
    assert abs(np.log(r["rho_convex"]) / np.log(r["rho_pred"]) - 1) > S.RATE_C * r["scale"]
    assert r["rate_error"] < 0.01 * S.RATE_C * r["scale"] and S.failure_reason(r) is None
