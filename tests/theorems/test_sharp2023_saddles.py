"""sharp2023.saddle_avoidance: the distance to the saddle set, the plateau detector on synthetic curves,
the saddle levels, the check and its controls (the near-zero control's log(1/s) law), and planted bugs
that must turn the check red."""

import numpy as np
import pytest

from theorems import sharp2023_saddle_avoidance as S
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.engine import inits
from verify.errors import InvalidArgument


def ctx(label: str = "t", seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, f"sharp2023.saddle_avoidance.{label}")


def test_distance_is_one_for_scaled_orthogonal_layers_and_zero_on_the_saddle_set():
    rng = np.random.default_rng(0)
    for depth in (2, 3, 4):
        dims = (S.D_IN,) + (32,) * (depth - 1) + (S.D_OUT,)
        orthogonal = inits.orthogonal(dims, rng, scale=np.sqrt(32.0))   # every partial product: σ = m^{k/2}
        assert S.distance_to_saddles(orthogonal, 32) == pytest.approx(1.0, rel=1e-12)
        zero_first = [np.zeros_like(orthogonal[0])] + orthogonal[1:]
        assert S.distance_to_saddles(zero_first, 32) == 0.0
    narrow = inits.gaussian((S.D_IN, 2, S.D_OUT), rng)                  # width 2 < d_y: rank-deficient
    assert S.distance_to_saddles(narrow, 2) == pytest.approx(0.0, abs=1e-12)


def test_saddle_levels_are_the_critical_values():
    land = S.landscape()
    data = S.dataset()
    assert land.saddle_excess[0] == pytest.approx(0.5 * np.sum(data.y ** 2), rel=1e-12)   # W = 0, ℓ* = 0
    assert len(land.saddle_excess) == 7 and min(land.saddle_excess) > 0                   # |S| ≤ 2 of 3
    assert land.t_conv == int(np.ceil(np.log(S.TARGET) / np.log(land.rho_slow)))


def test_plateau_detector_on_synthetic_curves():
    """Convex decay: no plateau; 30 flat steps at the W = 0 level first: ≥ 30; slow decay below every saddle
    level: none (slow is not a saddle); slow decay at the W = 0 level: counted."""
    land = S.landscape()
    t = np.arange(110)
    convex = land.saddle_excess[0] * land.rho_slow ** t
    stuck = np.concatenate([np.full(30, land.saddle_excess[0]), convex[:80]])
    slow_far = 0.3 * land.saddle_excess[-1] * 0.999 ** t
    slow_at_zero = land.saddle_excess[0] * 0.9995 ** t
    stalled, by_level = S.plateau_steps(np.stack([convex, stuck, slow_far, slow_at_zero], axis=1), land)
    assert stalled[0] == 0 and stalled[1] >= 30 and stalled[2] == 0 and stalled[3] > 100
    assert by_level[1, 0] >= 30


def test_wide_run_has_no_plateau_and_a_distance_near_one():
    r = S.run_point(S.SweepPoint(3, 128, 1.0, 4, 0))
    assert np.all(r["converged"]) and np.max(r["plateau"]) == 0
    assert np.min(r["min_distance"]) > 0.6 and np.max(r["motion"]) < 0.1 and r["oracle_gap"] < S.ORACLE_TOL


def test_near_zero_run_visits_the_zero_saddle_for_log_one_over_s_steps():
    """L = 2, m = 32: a plateau of several T_conv that starts at the W = 0 level; dividing s by 10 lengthens the visit
    to W = 0 by ln(10)/ln(1 + ηασ_max(Syx)) steps (to within 2 steps)."""
    r3 = S.run_point(S.SweepPoint(2, 32, 1e-3, 3, 0, S.LOG_HORIZON_FACTOR))
    r4 = S.run_point(S.SweepPoint(2, 32, 1e-4, 3, 0, S.LOG_HORIZON_FACTOR))
    assert np.min(r3["plateau"]) > 2 and np.all(r3["plateau_by_level"][:, 0] > 20)
    extra = r4["zero_escape"] - r3["zero_escape"]           # same seeds: the same directions, 10× smaller
    assert np.all(np.abs(extra - np.log(10.0) * S.escape_slope(2, 32)) <= 2)


def test_check_and_controls():
    evidence = S.THEOREM.check(ctx())
    assert evidence.holds is True, evidence.summary
    assert not [m.name for m in evidence.measurements if m.weakness()]
    for control in S.THEOREM.controls:
        result = control.check(ctx(control.id))
        assert result.holds is False and "plateau" in result.summary, control.id
        if control.id == "near-zero-init":
            law = next(m for m in result.measurements if m.name.startswith("steps at W = 0 per unit"))
            assert abs(law.value - law.predicted) <= law.tolerance


def test_planted_gradient_factor_is_caught(monkeypatch):
    """A GD step with a ×1.01 gradient (the engine's gd_step as the module calls it) must disagree with the oracle."""
    true_step = S.gd_step
    monkeypatch.setattr(S, "gd_step", lambda w, loss, eta: true_step(w, loss, 1.01 * eta))
    evidence = S.check_claim(ctx("mutant-step"), S.AvoidanceClaim())
    assert evidence.holds is False and "oracle" in evidence.summary


def test_planted_excess_factor_is_caught(monkeypatch):
    """ℓ − ℓ* without its ½ (the mutant `excess-loss-half-dropped`): the plateau detector compares the excess with
    the saddle levels, so the excess is checked against the oracle's residual loss."""
    true_excess = S.excess_loss
    monkeypatch.setattr(S, "excess_loss", lambda v, v_star, sxx: 2.0 * true_excess(v, v_star, sxx))
    evidence = S.check_claim(ctx("mutant-excess"), S.AvoidanceClaim())
    assert evidence.holds is False and "oracle" in evidence.summary


def test_planted_distance_normalisation_is_caught(monkeypatch):
    """D normalised by one extra √m: the deficiency no longer shrinks with m and the check turns red."""
    true_distance = S.distance_to_saddles
    monkeypatch.setattr(S, "distance_to_saddles", lambda w, m: true_distance(w, m) / np.sqrt(m))
    evidence = S.check_claim(ctx("mutant-distance"), S.AvoidanceClaim())
    assert evidence.holds is False and "approach 1" in evidence.summary


def test_near_zero_control_is_decided_by_the_plateau_detector(monkeypatch):
    """A blind detector (STALL_FRAC = 0: no step is ever 'stalled') leaves the near-zero control unrefuted,
    so its refutation is the measured plateau, not the small init by construction."""
    monkeypatch.setattr(S, "STALL_FRAC", 0.0)
    evidence = S.check_claim(ctx("blind"), S.AvoidanceClaim(scale=S.NEAR_ZERO_SCALE, distance=False))
    assert evidence.holds is not False


def test_bad_arguments_are_rejected():
    with pytest.raises(InvalidArgument, match="depth"):
        S.escape_slope(3, 16)
    with pytest.raises(InvalidArgument, match="width"):
        S.run_point(S.SweepPoint(2, 0, 1.0, 1, 0))
