"""du_hu2019.width and du_hu2019.narrow_vs_wide: building blocks, the checks, their controls and planted bugs."""

import itertools
import json

import numpy as np
import pytest

from theorems import du_hu2019_narrow_vs_wide as nvw
from theorems import du_hu2019_width as width
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure
from verify.checking.sequential import BernoulliSPRT
from verify.checking.strategies import make_dataset
from verify.engine.inits import gaussian
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, layer_gradients
from verify.engine.scalar_chains import ChainLoss, chain_gradients, iterations_to_eps
from verify.errors import InvalidArgument

from replay_helpers import as_read_back, recorded_property_runs


def ctx(check_id):
    return Context(get_profile("ci"), 0, check_id)


# ---------------------------------------------------------------------------------------------
# du_hu2019.width: the math


def test_theorem_width_formula_is_du_hu_eq_4():
    data = make_dataset(3, 2, 6, rank=3, gram_cond=3.0, noise=0.2, seed=0)
    phi_norm2 = np.linalg.norm(data.y @ np.linalg.pinv(data.x), 2) ** 2
    factor = max(3 * 27 * 2 * (1 + phi_norm2), 3 * 27 * np.log(3 / width.DELTA), np.log(4))
    assert width.width_factor(data, 4) == pytest.approx(factor)
    assert width.theorem_width(data, 4, c=0.5) == int(np.ceil(0.5 * 4 * factor))


def test_gram_spectrum_recovers_condition_number():
    data = make_dataset(4, 2, 9, rank=3, gram_cond=5.0, seed=1)
    lam_max, lam_r = width.gram_spectrum(data)
    assert lam_max / lam_r == pytest.approx(5.0)


def test_width_grid_is_quarter_octaves_and_rejects_bad_bounds():
    grid = width.width_grid(2, 32)
    assert grid[:8] == (2, 3, 4, 5, 6, 7, 8, 10) and grid[-1] == 32
    assert all(b / a <= 1.5 for a, b in itertools.pairwise(grid))
    with pytest.raises(InvalidArgument, match="low"):
        width.width_grid(8, 4)


def test_excess_is_loss_minus_minimum_on_non_realisable_data():
    """Claim B.1: ½⟨(V − Φ)XXᵀ, V − Φ⟩ = ℓ(V) − ℓ*, with ℓ* > 0 for noisy Y."""
    data = width.SWEEP_REGIME.dataset(3)
    problem = width.rate_problem(data, 3, 5)
    assert problem.loss.minimum() > 1e-3
    w = gaussian(problem.dims, np.random.default_rng(0), batch=(4,))
    w_e = end_to_end(w)
    np.testing.assert_allclose(width.excess(problem, w_e), problem.loss.value(w_e) - problem.loss.minimum(),
                               rtol=1e-10)


def test_step_and_rate_are_du_hu_constants():
    data = width.SWEEP_REGIME.dataset(0)
    problem = width.rate_problem(data, 4, 8)
    lam_max, lam_r = width.gram_spectrum(data)
    assert problem.eta == pytest.approx(2 / (3 * 4 * lam_max))          # d_y/(3L‖XᵀX‖)
    assert problem.x == pytest.approx(problem.eta * 4 * lam_r / 2)      # ηLλ_r/d_y, rate 1 − x/4
    assert width.RATE_CONSTANT == 0.25 and width.STEP_CONSTANT == pytest.approx(1 / 3)


def test_wide_nets_obey_the_bound_and_narrow_deep_ones_do_not():
    data = width.SWEEP_REGIME.dataset(2)
    wide = width.rate_problem(data, 3, 64)
    narrow = width.rate_problem(data, 8, 2)
    ok = width.follow_bound(wide, gaussian(wide.dims, np.random.default_rng(0), batch=(16,)), width.RATE_CONSTANT)
    bad = width.follow_bound(narrow, gaussian(narrow.dims, np.random.default_rng(0), batch=(16,)), width.RATE_CONSTANT)
    assert np.all(ok.status == 1) and np.all(ok.c_seed >= width.RATE_CONSTANT)
    assert np.sum(bad.status == -1) >= 8 and np.all(bad.c_seed[bad.status == -1] < width.RATE_CONSTANT)


def test_c_seed_is_the_largest_rate_constant_obeyed():
    """c_seed decides the bound for every constant: obeyed (down to the floor) iff c ≤ c_seed."""
    problem = width.rate_problem(width.SWEEP_REGIME.dataset(4), 4, 6)
    w0 = gaussian(problem.dims, np.random.default_rng(1), batch=(24,))
    base = width.follow_bound(problem, [w.copy() for w in w0], 0.05)
    for c in (0.25, 0.5, 1.0):
        again = width.follow_bound(problem, [w.copy() for w in w0], c)
        decided = base.status == 1
        np.testing.assert_array_equal(again.status[decided] == 1, base.c_seed[decided] >= c)


def test_rate_band_matches_the_binomial_test_on_each_multiple():
    from scipy.stats import binomtest

    rng = np.random.default_rng(0)
    c = rng.uniform(0.2, 2.0, 40)
    s_max = width.rate_band(c, 0.25)
    for s in np.linspace(0.5, 8.0, 61):
        accepted = binomtest(int(np.sum(c >= s * 0.25)), c.size, 0.95, alternative="less").pvalue >= width.BAND_LEVEL
        assert accepted == (s <= s_max + 1e-12), s
    assert width.quantile_multiple(c, 0.25) == pytest.approx(np.quantile(c, 0.05, method="inverted_cdf") / 0.25)


def test_forced_decision_ignores_only_what_cannot_matter():
    test = BernoulliSPRT(width.SPRT_P0, 0.95, 0.05, 0.05, 64)
    many_failures = np.array([-1] * 6 + [0] * 26, dtype=np.int8)
    assert width.forced_decision(test, many_failures) == "accept_h0"
    all_passed = np.ones(32, dtype=np.int8)
    assert width.forced_decision(test, all_passed) == "accept_h1"
    open_batch = np.array([-1] + [1] * 20 + [0] * 11, dtype=np.int8)
    assert width.forced_decision(test, open_batch) is None
    last = BernoulliSPRT(width.SPRT_P0, 0.95, 0.05, 0.05, 32)
    assert width.forced_decision(last, np.array([-1] * 3 + [1] * 28 + [0], dtype=np.int8)) == "undecided"


def test_threshold_search_finds_the_first_accepting_width():
    for threshold in range(12):
        calls = []

        def accepts(i, t=threshold, seen=calls):
            seen.append(i)
            return i >= t

        assert width.threshold_search(accepts, 12, 5) == threshold
        assert len(set(calls)) <= 7
    assert width.threshold_search(lambda i: False, 12, 3) is None
    with pytest.raises(InvalidArgument, match="start"):
        width.threshold_search(lambda i: True, 12, 12)


def test_power_law_fit_recovers_exponents_and_rejects_too_few_points():
    ls = [3, 4, 6, 8, 4, 8, 16]
    ks = [3, 3, 3, 3, 9, 9, 9]
    noise = np.exp(np.random.default_rng(0).normal(0, 0.03, len(ls)))
    fit = width.power_law_fit(ls, ks, [1.2 * L * k ** 0.5 * z for L, k, z in zip(ls, ks, noise)])
    assert abs(fit.p - 1) < 0.1 and abs(fit.q - 0.5) < 0.1
    assert fit.p_ci[0] < fit.p < fit.p_ci[1] and fit.q_ci[0] < fit.q < fit.q_ci[1] and fit.dof == 4
    with pytest.raises(InvalidArgument, match="power_law_fit"):
        width.power_law_fit([3, 4, 6], [3, 3, 3], [3, 4, 7])


def test_oracle_agrees_with_the_engine():
    assert width.oracle_gap(width.SWEEP_REGIME.dataset(0), 3, 5, 0) < width.ORACLE_TOL


def test_width_case_description_round_trips():
    case = width.WidthCase(make_dataset(2, 2, 5, rank=2, gram_cond=3.3, noise=0.4, seed=6), 2, 32, 64)
    again = width.build_width_case(**json.loads(json.dumps(case.describe())))
    assert again.describe() == case.describe() and again.depth == 2 and again.max_trials == 64
    assert np.array_equal(again.data.x, case.data.x) and np.array_equal(again.data.y, case.data.y)


# ---------------------------------------------------------------------------------------------
# du_hu2019.width: the check, its controls, planted bugs


def theorem_and_controls(theorem):
    """The theorem's evidence and, per control id, (its evidence, its context)."""
    evidence = theorem.check(ctx(theorem.id))
    controls = {}
    for control in theorem.controls:
        c = ctx(f"{theorem.id}[control:{control.id}]")
        controls[control.id] = (control.check(c), c)
    return evidence, controls


@pytest.fixture(scope="module")
def width_outcomes():
    return theorem_and_controls(width.THEOREM)


def test_width_check_verifies_with_bands(width_outcomes):
    evidence, _ = width_outcomes
    assert evidence.holds is True, evidence.summary
    by_name = {m.name: m for m in evidence.measurements}
    law = by_name["exponent of m* in L (joint fit with κ)"]
    assert law.weakness() is None and law.interval[0] <= 1 + width.EXPONENT_TOL
    tight = by_name["rate tightness at the theorem width: multiple of ¼ obeyed by 95% of seeds"]
    assert tight.weakness() is None and 4 < tight.value < 9 and tight.band[1] < tight.ruled_out


def test_width_controls_are_refuted_by_their_own_computations(width_outcomes):
    _, controls = width_outcomes
    assert set(controls) == {"rate-beyond-convex-limit", "width-below-threshold", "step-at-stability-edge"}
    for control_id, (evidence, c) in controls.items():
        assert evidence.holds is False, (control_id, evidence.summary)
        assert not c.computed_nothing_itself(), control_id


def test_width_replay_reproduces_an_example(width_outcomes):
    """Replaying example 0 of a report gives the measurements the check recorded for it (the sweep is
    served from the memo, so only the theorem-width cases run again)."""
    with recorded_property_runs(width) as runs:
        evidence = width.THEOREM.check(ctx(width.THEOREM.id))
    assert evidence.examples == runs[0].cases
    assert width.THEOREM.replay(as_read_back(evidence.examples[0])) == runs[0].examples[0]


def test_planted_optimistic_rate_constant_is_caught_at_the_theorem_width(monkeypatch):
    """A rate constant 8× too optimistic (2 instead of ¼) fails the theorem-width property."""
    case = width.WidthCase(make_dataset(2, 2, 6, rank=2, gram_cond=3.0, noise=0.3, seed=1), 2, 32, 64)
    assert width.theorem_width_property()(case)["decision"] == "accept_h1"
    monkeypatch.setattr(width, "RATE_CONSTANT", 2.0)
    with pytest.raises(PropertyFailure, match="accept"):
        width.theorem_width_property()(case)


def test_planted_bugs_turn_the_width_check_red(width_outcomes, monkeypatch):
    """With the sweep served from the memo: a GD step 1% off (the oracle sees it) and a width law
    one power of L steeper both make the check fail."""
    real_step = width.gd_step_in_place
    monkeypatch.setattr(width, "gd_step_in_place", lambda w, loss, eta: real_step(w, loss, 1.01 * eta))
    assert width.THEOREM.check(ctx(width.THEOREM.id)).holds is False
    monkeypatch.setattr(width, "gd_step_in_place", real_step)
    real_fit = width.power_law_fit

    def steeper(depths, kappas, widths):
        return real_fit(depths, kappas, [m * L for m, L in zip(widths, depths)])

    monkeypatch.setattr(width, "power_law_fit", steeper)
    assert width.THEOREM.check(ctx(width.THEOREM.id)).holds is False


# ---------------------------------------------------------------------------------------------
# du_hu2019.narrow_vs_wide


def test_crossing_times_interpolate_log_linearly():
    t = np.arange(30)[:, None]
    excess = np.exp(-0.5 * t) * np.array([1.0, 2.0])
    crossing = nvw.crossing_times(excess, np.array([1e-3, 2e-3]))
    np.testing.assert_allclose(crossing, [np.log(1e3) / 0.5] * 2, rtol=1e-12)
    assert np.isinf(nvw.crossing_times(excess, np.array([1e-9, 1e-9]))).all()


def test_width_one_network_is_a_scalar_chain():
    x = make_dataset(1, 1, 4, seed=5).x
    y = 1.0 * x
    weights = gaussian((1, 1, 1, 1, 1), np.random.default_rng(0))
    engine = layer_gradients(weights, QuadraticLoss.from_data(x, y)).layers
    chain, _ = chain_gradients(np.array([[w[0, 0] for w in weights]]), ChainLoss.regression(x, y))
    np.testing.assert_allclose(chain[0], [g[0, 0] for g in engine], rtol=1e-12)


def test_chain_iterations_agree_with_the_engine_counter():
    point = nvw.SweepPoint(nvw.NARROW, 6, 64, 20_000, 3)
    ours = nvw.chain_iterations(point)
    x, y = nvw.sweep_data(3)
    chain = ChainLoss.regression(x, y)
    w0 = nvw.scalar_chains(64, 6, np.random.default_rng([3, 6]))
    _, p0 = chain_gradients(w0, chain)
    done = np.isfinite(ours)
    for run in np.flatnonzero(done)[:8]:
        counts = iterations_to_eps(w0[run:run + 1], chain, nvw.step_size(x, 6),
                                   nvw.EPS_REL * float(chain.excess(p0[run])), 20_000)
        assert counts.iterations[0] == ours[run]


def test_oracle_agrees_with_both_engines():
    assert nvw.oracle_gap(0) < nvw.ORACLE_TOL


@pytest.fixture(scope="module")
def nvw_outcomes():
    return theorem_and_controls(nvw.THEOREM)


def test_narrow_vs_wide_verifies_and_resolves_both_lines(nvw_outcomes):
    evidence, _ = nvw_outcomes
    assert evidence.holds is True, evidence.summary
    rates = {m.name: m for m in evidence.measurements if m.name.endswith("growth rate of log T in L")}
    narrow, wide = rates["width 1: growth rate of log T in L"], rates[f"{nvw.WIDE.label}: growth rate of log T in L"]
    assert narrow.weakness() is None and wide.weakness() is None
    assert narrow.interval[0] > nvw.MIN_RATE and wide.interval[1] < nvw.MIN_RATE


def test_narrow_vs_wide_controls_are_independent_and_refuted(nvw_outcomes):
    _, controls = nvw_outcomes
    assert set(controls) == {"identity-narrow-exponential", "constant-width-polynomial"}
    for control_id, (evidence, c) in controls.items():
        assert evidence.holds is False, (control_id, evidence.summary)
        assert not c.computed_nothing_itself(), control_id


def test_planted_bugs_turn_narrow_vs_wide_red(monkeypatch):
    """A 1% error in the GD step is seen by the oracle; a width rule that forgets L (the 'wide' line at
    constant width 2) makes the wide line exponential."""
    real_step = nvw.gd_step_in_place
    monkeypatch.setattr(nvw, "gd_step_in_place", lambda w, loss, eta: real_step(w, loss, 1.01 * eta))
    assert nvw.oracle_gap(0) > nvw.ORACLE_TOL
    monkeypatch.setattr(nvw, "gd_step_in_place", real_step)
    monkeypatch.setattr(nvw, "WIDE", nvw.Line(nvw.WIDE.label, constant=2))
    c = Context(get_profile("ci"), 0, "planted")
    evidence = nvw.check_claims(c, (nvw.GrowthClaim(nvw.NARROW, "exponential"),
                                    nvw.GrowthClaim(nvw.WIDE, "polynomial")), cached=False)
    assert evidence.holds is not True


def test_control_ids_are_validated():
    with pytest.raises(InvalidArgument, match="control"):
        nvw.check_control(ctx("x"), "no-such-control")
