"""arora2019.balanced_init: building blocks, the reduced recursion against the engine, the check, its controls,
and planted bugs (a margin computed 2× too large, a GD step 1% too long) that the check must catch."""


import numpy as np
import pytest

from theorems import arora2019_balanced_init as A
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.engine.network import end_to_end, gd_step


def ctx(label: str = "t", seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, f"arora2019.balanced_init.{label}")


CASE = A.MarginCase(2, 3, 0.9, "orth", 5)


def test_initial_weights_have_margin_and_are_delta_balanced():
    for case in (CASE, A.MarginCase(3, 5, 0.8, "random", 6)):
        phi = A.target(case)
        w = A.initial_weights(case, phi)
        c = A.margin(phi, end_to_end(w))
        assert c == pytest.approx(case.margin * np.linalg.norm(phi), rel=0.05)
        assert 0 < A.balancedness(w) <= A.delta_bound(c, case.depth, np.linalg.norm(phi))


def test_harmful_imbalance_keeps_the_end_to_end_matrix_and_hits_delta():
    phi = A.target(CASE)
    w = A.initial_weights(CASE._replace(imbalance=100.0), phi)
    a = A.displaced(CASE, phi)
    np.testing.assert_allclose(end_to_end(w), a, rtol=1e-12)
    allowed = A.delta_bound(A.margin(phi, a), 2, np.linalg.norm(phi))
    assert A.balancedness(w) == pytest.approx(100.0 * allowed, rel=1e-9)


def test_step_size_formula():
    assert A.step_size(1.0, 2, 1.0) == pytest.approx(1.0 / (A.ETA_CONSTANT * 8))
    assert A.step_size(0.5, 2, 1.0) == pytest.approx(0.5 ** 3 / (A.ETA_CONSTANT * 8))


def test_reduced_recursion_is_engine_gd_on_the_full_network():
    """200 steps of the 3-scalar recursion equal 200 engine GD steps on the width-1 network (at a larger η)."""
    case = A.MarginCase(3, 5, 0.8, "random", 9)
    phi = A.target(case)
    loss, _ = A.whitened_loss(case, phi)
    weights = A.initial_weights(case, phi)
    state, b_hat = A.reduce(weights, phi)
    signs = np.array([np.sign(w[0, 0]) for w in weights[1:]])
    eta = 1e-2
    two_loss, _, final = A.reduced_run(state, float(np.linalg.norm(phi)), 3, eta, 200)
    full = weights
    for _ in range(200):
        full = gd_step(full, loss, eta)
    for u, v in zip(A.expand(final, phi, b_hat, signs), full):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-13)
    assert 0.5 * two_loss[0] == pytest.approx(float(loss.value(end_to_end(weights))), rel=1e-12)


def test_run_case_covers_the_horizon_and_holds():
    r = A.run_case((CASE, A.RateClaim(), False))
    assert r["holds"] and r["efolds"] >= A.HORIZON and r["worst_ratio"] < 1
    assert r["oracle_gap"] < A.ORACLE_TOL and r["step_gap"] < A.STEP_TOL
    assert 1.0 < r["k_max"] < A.CEILING_EXCESS * r["ceiling"] / r["rate"]       # resolved: below the ceiling
    assert r["sigma_min_over_c"] >= 1.0


def test_flipped_init_stays_above_the_rank_deficient_loss():
    r = A.run_case((A.MarginCase(2, 3, 0.0, "flip", 1, flip=A.FLIP), A.RateClaim(), True))
    assert r["c"] < 0 and r["min_loss"] >= r["rank_deficient_loss"] * (1 - 1e-12)
    assert not r["holds"]


def test_predicted_delta_boundary_is_far_above_the_theorem_bound():
    assert 1e3 < A.predicted_delta_boundary(A.MarginCase(2, 3, 0.9, "orth", 0)) < 1e4


def test_check_and_controls():
    evidence = A.THEOREM.check(ctx())
    assert evidence.holds is True, evidence.summary
    assert not [m.name for m in evidence.measurements if m.weakness()]
    for control in A.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_rate_ceiling_control_is_near_its_boundary():
    """The rate-ceiling control's claim is false by 10%: at 0.9 × the ceiling the same runs hold."""
    r = A.run_case((CASE._replace(seed=77), A.RateClaim(ceiling=True), True))
    assert not r["holds"]
    ceiling_multiple = r["multiple"] / A.CEILING_EXCESS
    k_max = A.run_case((CASE._replace(seed=77), A.RateClaim(), False))["k_max"]
    assert 0.9 * ceiling_multiple < k_max < r["multiple"]


def test_planted_margin_twice_too_large_is_caught(monkeypatch):
    """Issue 15: a deficiency margin computed 2× too large used to verify. The margin oracle and the
    σ_min(W(t)) ≥ c invariant must now refute it."""
    true_margin = A.margin
    monkeypatch.setattr(A, "margin", lambda phi, w: 2.0 * true_margin(phi, w))
    evidence, runs = A.check_claim(ctx("mutant"), A.RateClaim(), A.grid(ctx("mutant")))
    assert evidence.holds is False, evidence.summary
    assert all(r["sigma_min_over_c"] < 1 for r in runs)


def test_planted_long_step_is_caught(monkeypatch):
    """A GD step 1% too long in the reduced recursion (≡ a ×1.01 gradient) is seen by the engine/oracle comparison,
    though the bound itself still holds."""
    true_run = A.reduced_run
    monkeypatch.setattr(A, "reduced_run", lambda state, s, depth, eta, steps: true_run(state, s, depth, 1.01 * eta, steps))
    evidence, runs = A.check_claim(ctx("mutant-step"), A.RateClaim(), [CASE])
    assert evidence.holds is False and "disagree" in evidence.summary
    assert runs[0]["holds"]


def test_wrong_exponent_breaks_the_check():
    assert A.check_claim(ctx("exp"), A.RateClaim(exponent=2.0), [CASE._replace(scale=10.0)])[0].holds is False


def test_bad_kind_is_rejected():
    with pytest.raises(Exception, match="kind"):
        A.displaced(CASE._replace(kind="sideways"), A.target(CASE))


def test_the_streamed_trajectory_summary_equals_the_whole_array_computation():
    """TrajectorySummary (chunk by chunk, every stride-th step kept) gives the worst ratio, k_max, min ℓ
    and min σ² of the whole trajectory, and with stride 1 the same late-window fit as the full arrays."""
    from array import array

    rng = np.random.default_rng(3)
    losses = np.exp(-0.01 * np.arange(1000) + 0.001 * rng.standard_normal(1000))
    sigma_sq = rng.uniform(0.5, 2.0, 63)
    rate, log_factor = 0.009, np.log1p(-0.009)
    summary = A.TrajectorySummary(log_factor, rate, stride=1)
    for lo, hi in ((0, 1), (1, 400), (400, 1000)):          # uneven chunks, the first of one step
        summary.add(array("d", 2 * losses[lo:hi]), array("d", sigma_sq[lo // 16: hi // 16]))
    t = np.arange(1000)
    bound = losses[0] * np.exp(t * log_factor)
    assert summary.steps == 999 and summary.loss0 == losses[0] and summary.last_loss == losses[-1]
    assert summary.worst == pytest.approx(np.max(losses[1:] / bound[1:]), rel=1e-15)
    assert summary.k_max == pytest.approx(np.min((1 - (losses[1:] / losses[0]) ** (1 / t[1:])) / rate), rel=1e-12)
    assert summary.min_loss == losses.min() and summary.min_sigma_sq == sigma_sq[:62].min()
    start = int(A.FIT_START * 1000)
    full = A.linear_fit(t[start:], np.log(losses[start:]))
    assert summary.late_fit().slope == pytest.approx(full.slope, rel=1e-12)
    assert summary.violated == (summary.worst > 1 + A.ROUNDING)
