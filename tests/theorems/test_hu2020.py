"""hu2020.orthogonal_width: building blocks (Lemma 4.2, eq. (4), the rate tracker, the SPRT batches), the check
and its controls on the ci profile, and planted bugs the check must catch."""

import math

import numpy as np
import pytest

from theorems import hu2020_orthogonal_width as hu
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure
from verify.checking.sequential import BernoulliSPRT
from verify.engine.inits import du_hu_alpha, gaussian
from verify.engine.linear_rate import bound_horizon, excess, follow_linear_rate, min_norm_minimiser
from verify.errors import DataError, InvalidArgument


def ctx(check_id):
    return Context(get_profile("ci"), 0, check_id)


def test_width_grid_is_the_rounded_quarter_octave_grid():
    assert hu.width_grid(3, 20) == (3, 4, 5, 6, 7, 8, 10, 11, 13, 16, 19)
    with pytest.raises(InvalidArgument):
        hu.width_grid(0, 4)


def test_orthogonal_init_satisfies_eq4_and_lemma_4_2_exactly():
    case = hu.LemmaCase(d_x=3, d_y=2, n=5, depth=5, width=7, init_seed=1, data_seed=2)
    measured = hu.lemma_property(case)
    assert max(measured.values()) < 1e-12


def test_gaussian_init_breaks_the_p0_identity_more_with_depth():
    deviations = hu.p_zero_deviations(0, (2, 8))
    assert 0.1 < deviations[0] < deviations[1]
    assert max(hu.p_zero_deviations(0, (2, 8), "orthogonal")) < 1e-12


def test_p_zero_matches_its_definition_on_a_small_case():
    """P(0) from prefix/suffix products equals the sum over i of Kronecker products built naively."""
    rng = np.random.default_rng(3)
    dims, x = (2, 3, 3, 2), rng.standard_normal((2, 4))
    w = gaussian(dims, rng)
    alpha = du_hu_alpha(dims)
    naive = np.zeros((8, 8))
    for i in range(3):
        below = x if i == 0 else np.linalg.multi_dot([*w[:i][::-1], x]) if i > 1 else w[0] @ x
        above = np.eye(2) if i == 2 else (w[2] if i == 1 else w[2] @ w[1])
        naive += np.kron(below.T @ below, above @ above.T)
    np.testing.assert_allclose(hu.p_zero(w, x, alpha), alpha ** 2 * naive, rtol=1e-12)


def test_eq4_is_enforced_on_generated_batches():
    dims = (3, 6, 6, 3)
    good = hu.scaled_orthogonal(dims, np.random.default_rng(0), batch=(4,))
    hu.enforce_orthogonal(good, 6)
    with pytest.raises(DataError):
        hu.enforce_orthogonal([1.001 * w for w in good], 6)
    with pytest.raises(DataError):
        hu.enforce_orthogonal(gaussian(dims, np.random.default_rng(0), batch=(4,)), 6)


def test_problem_uses_the_theorems_step_and_alpha():
    data = hu.REGIME.dataset(0)
    p = hu.make_problem(data, 4, 8)
    lam_max, lam_r = hu.gram_extremes(data)
    assert p.eta == pytest.approx(data.y.shape[0] / (2 * 4 * lam_max))
    assert p.x == pytest.approx(lam_r / (2 * lam_max)) and p.kappa == pytest.approx(hu.REGIME.kappa)
    assert p.loss.alpha == pytest.approx(1 / math.sqrt(8 ** 3 * 3))
    with pytest.raises(InvalidArgument):
        hu.make_problem(data, 4, 2)                      # m < max(d_x, d_y): eq. (4) not realisable


def test_rate_tracker_c_seed_is_the_largest_rate_each_seed_obeys():
    """Wide orthogonal nets obey ½ (the theorem); a seed violates the bound with constant c iff c > c_seed."""
    data = hu.REGIME.dataset(1)
    p = hu.make_problem(data, 3, 24)
    weights = hu.scaled_orthogonal(p.dims, np.random.default_rng(0), batch=(8,))
    track = follow_linear_rate([w.copy() for w in weights], p.loss, p.eta, p.x, 0.5, p.phi, hu.FLOOR)
    assert np.all(track.status == 1) and np.all(track.c_seed >= 0.5)
    c = float(np.median(track.c_seed))
    split = follow_linear_rate([w.copy() for w in weights], p.loss, p.eta, p.x, c, p.phi, hu.FLOOR)
    np.testing.assert_array_equal(split.status == -1, track.c_seed < c)
    hopeless = follow_linear_rate([w.copy() for w in weights], p.loss, p.eta, p.x, 5.0, p.phi, hu.FLOOR)
    assert np.all(hopeless.status == -1) and np.all(hopeless.violated_at >= 1)


def test_excess_is_the_loss_above_its_minimum():
    data = hu.REGIME.dataset(2)
    p = hu.make_problem(data, 2, 5)
    w = hu.scaled_orthogonal(p.dims, np.random.default_rng(0))
    w_e = w[1] @ w[0]
    direct = float(p.loss.value(w_e)) - p.loss.minimum()
    assert float(excess(p.loss.alpha, min_norm_minimiser(data.x, data.y), p.loss.stats.sxx, w_e)) == pytest.approx(direct, rel=1e-9)
    assert bound_horizon(0.5, 1e-3) == 10


def test_engine_agrees_with_the_oracle():
    assert hu.oracle_gap(0) <= hu.ORACLE_TOL


def test_batches_stop_once_the_sprt_decision_is_forced():
    test = BernoulliSPRT(hu.SPRT_P0, 1 - hu.DELTA, hu.SPRT_ERRORS, hu.SPRT_ERRORS, 128)
    assert hu.decided_regardless(test, np.array([-1] * 4 + [0] * 12)) == "accept_h0"
    assert hu.decided_regardless(test, np.array([-1] * 2 + [0] * 14)) is None
    assert hu.decided_regardless(test, np.array([1] * 27)) == "accept_h1"
    assert hu.decided_regardless(test, np.array([1] * 26 + [0])) is None


def test_exponent_judgement_is_an_equivalence_test():
    from verify.checking.stats import LinearFit

    fit = lambda low, high: LinearFit((low + high) / 2, 0.0, 0.1, (low, high), 0.9, 6)
    assert hu.judge_exponent(fit(0.7, 1.3), 1.0) is True
    assert hu.judge_exponent(fit(0.5, 1.3), 1.0) is None
    assert hu.judge_exponent(fit(-0.2, 0.3), 1.0) is False
    assert hu.width_exponent([1, 2, 4], [7, 7, 7]).ci == (0.0, 0.0)


def test_check_verifies_and_every_control_is_refuted():
    theorem = hu.THEOREM
    evidence = theorem.check(ctx(theorem.id))
    assert evidence.holds is True, evidence.summary
    gated = [m for m in evidence.measurements if m.name.startswith("exponent of m* in L − 1")]
    assert len(gated) == 2 and all(m.weakness() is None for m in gated)
    for control in theorem.controls:
        result = control.check(ctx(f"{theorem.id}.{control.id}"))
        assert result.holds is False, (control.id, result.summary)


# ---------------------------------------------------------------- planted bugs


def test_planted_alpha_error_breaks_lemma_4_2(monkeypatch):
    """α off by 1% (a too-optimistic output scale) breaks the P(0) identity: the property fails."""
    monkeypatch.setattr(hu, "du_hu_alpha", lambda dims: 1.01 * du_hu_alpha(dims))
    with pytest.raises(PropertyFailure):
        hu.lemma_property(hu.LemmaCase(d_x=2, d_y=2, n=3, depth=3, width=4, init_seed=0, data_seed=0))


def test_planted_gradient_error_turns_the_check_red(monkeypatch):
    """A GD step 1% too long in the engine is seen by the oracle comparison, and the check fails."""
    from verify.engine.network import gd_step_in_place

    monkeypatch.setattr(hu, "gd_step_in_place", lambda w, loss, eta: gd_step_in_place(w, loss, 1.01 * eta))
    assert hu.oracle_gap(0) > hu.ORACLE_TOL
    evidence = hu.check_theorem(ctx("planted"))
    assert evidence.holds is False and "oracle" in evidence.summary


def test_planted_mislabelled_init_is_refused(monkeypatch):
    """Gaussian weights passed off as orthogonal ones violate eq. (4): the sweep refuses them."""
    monkeypatch.setitem(hu.INIT_FUNCTIONS, "orthogonal", gaussian)
    with pytest.raises(DataError):
        hu.threshold_width(hu.ScanItem("orthogonal", 3, 0, 32))
