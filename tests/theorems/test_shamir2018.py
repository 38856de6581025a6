"""shamir2018.exponential_time and its engine helpers (verify.engine.chain_flow, scalar_chains): the flow
time against scipy and against GD, the escape bound as a true lower bound, the statistics, the verdicts
of the theorem and its controls, and planted bugs that must turn the check red."""

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from theorems import shamir2018_exponential_time as shamir
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.engine import chain_flow
from verify.engine.chain_flow import escape_bound_arb, log_escape_bound, log_flow_time, target_band
from verify.engine.scalar_chains import ChainLoss, iterations_to_eps
from verify.errors import InvalidArgument

LOSS = ChainLoss.square(1.0)
EPS = 0.01


def ctx(check_id="shamir2018.exponential_time", seed=0):
    return Context(get_profile("ci"), seed, check_id)


def scipy_flow_time(w):
    """t = ∫ dx/(2|f'(p)||p|) with adaptive scipy quadrature on x = δ + min w² (the same formula, another quadrature)."""
    a2 = np.sort(w ** 2)
    m, rest = a2[0], a2[1:] - a2[0]
    low = 1 - math.sqrt(2 * EPS)
    absp = lambda x: math.sqrt(x) * np.prod(np.sqrt(rest + x))
    x_low = optimize.brentq(lambda x: absp(x) - low, 0, 100, xtol=1e-300, rtol=1e-15)
    g = lambda x, sign: 1 / (2 * abs(sign * absp(x) - 1) * absp(x))
    if np.prod(w) > 0:
        return integrate.quad(lambda x: g(x, 1), m, x_low, limit=500, epsrel=1e-10)[0]
    return (integrate.quad(lambda x: g(x, -1), 0, m, limit=500, epsrel=1e-10)[0]
            + integrate.quad(lambda x: g(x, 1), 0, x_low, limit=500, epsrel=1e-10)[0])


def test_flow_time_matches_scipy_and_small_step_gd():
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((16, 7))
    w0 = w0[np.abs(np.prod(w0, axis=1)) < 0.5]
    log_t = log_flow_time(w0, LOSS, EPS)
    reference = np.array([scipy_flow_time(w) for w in w0])
    assert np.allclose(np.exp(log_t), reference, rtol=1e-4)
    short = reference < 20.0
    counts = iterations_to_eps(w0[short], LOSS, 2e-3, EPS, 10_000)
    assert short.sum() >= 8 and not counts.censored.any()
    assert np.median(2e-3 * counts.iterations / reference[short]) == pytest.approx(1.0, abs=0.01)


def test_flow_time_for_identity_init_is_the_balanced_ode():
    """w_i = 1, y = 2: w ← w − η w^{k−1}(w^k − 2) in the limit: t = ∫_1^{w_ε} dw /(w^{k−1}(2 − w^k))."""
    loss, k = ChainLoss.square(2.0), 5
    w_end = (2 - math.sqrt(2 * EPS)) ** (1 / k)
    exact = integrate.quad(lambda w: 1 / (w ** (k - 1) * (2 - w ** k)), 1, w_end, epsrel=1e-12)[0]
    assert math.exp(log_flow_time(np.ones((1, k)), loss, EPS)[0]) == pytest.approx(exact, rel=1e-4)


def test_escape_bound_is_a_lower_bound_for_gd_at_every_step_size():
    rng = np.random.default_rng(11)
    w0 = rng.standard_normal((48, 7))
    log_b, rho = log_escape_bound(w0, LOSS, EPS)
    for eta in (0.1, 0.02):
        counts = iterations_to_eps(w0, LOSS, eta, EPS, 20_000)
        finished = ~counts.censored & ~counts.diverged & np.isfinite(log_b)
        assert finished.sum() > 30
        assert np.all(counts.iterations[finished] >= np.exp(log_b[finished]) / eta)
    i = int(np.nanargmax(np.where(np.isfinite(log_b), log_b, -np.inf)))
    ball = escape_bound_arb(w0[i], LOSS, EPS, float(rho[i]))
    assert abs(float(ball.log().mid()) - log_b[i]) < 1e-12


def test_engine_helpers_reject_bad_input():
    with pytest.raises(InvalidArgument):
        target_band(LOSS, 0.6)                       # the ε-set reaches p ≤ 0
    with pytest.raises(InvalidArgument):
        log_flow_time(np.array([[1.0, 0.0]]), LOSS, EPS)
    with pytest.raises(InvalidArgument):
        log_escape_bound(np.ones((2, 3)), LOSS, EPS, radii=np.array([-1.0]))
    with pytest.raises(InvalidArgument):
        escape_bound_arb(np.ones(3), LOSS, EPS, 1.0)  # the box reaches the ε-set
    with pytest.raises(InvalidArgument):
        shamir.init_weights("uniform", 2, 3, np.random.default_rng(0))
    with pytest.raises(InvalidArgument):
        shamir.step_size("adaptive", 4)
    with pytest.raises(InvalidArgument):
        _ = shamir.ShamirClaim("uniform").regime


def test_mechanism_rates():
    assert shamir.mechanism_rate("gaussian") == pytest.approx(0.6351814227, abs=1e-9)
    samples = 1.0 + shamir.NEAR_ONE_SPREAD * np.random.default_rng(0).standard_normal(2_000_000)
    assert shamir.mechanism_rate("near_one") == pytest.approx(-np.mean(np.log(np.abs(samples))), abs=3e-3)
    scaled = shamir.CRITICAL_SCALE * np.random.default_rng(1).standard_normal(2_000_000)
    assert np.mean(np.log(np.abs(scaled))) == pytest.approx(0.0, abs=3e-3)


def test_logistic_trend_recovers_a_slope_and_refuses_separation():
    rng = np.random.default_rng(0)
    depths = [8, 16, 32, 64, 128]
    truth = 1 / (1 + np.exp(-(-2.0 + 0.05 * np.array(depths))))
    trend = shamir.logistic_trend(depths, [int(rng.binomial(400, p)) for p in truth], [400] * 5)
    assert trend.ci[0] < 0.05 < trend.ci[1] and trend.ci[0] > 0
    assert shamir.logistic_trend(depths, [0] * 5, [10] * 5).slope is None
    assert shamir.logistic_trend(depths, [0, 0, 10, 10, 10], [10] * 5).slope is None   # separated


def test_probability_verdict_rules():
    depths, runs = [8, 16, 32, 64], [100] * 4
    assert shamir.probability_verdict(depths, [20, 40, 70, 95], [5, 20, 60, 90], runs).decision == "holds"
    assert shamir.probability_verdict(depths, [5, 3, 1, 0], [0, 0, 0, 0], runs).decision == "refuted"
    assert shamir.probability_verdict(depths, [20, 40, 70, 95], [1, 2, 3, 4], runs).decision == "inconclusive"


def test_law_window_slope_reproduces_the_window_dependence():
    """c*k − 2 log k: slope ≈ 0.35 over k = 2..16 and ≈ 0.51 over k = 10..29 (the numbers of the old headline)."""
    assert shamir.law_window_slope(list(range(2, 17, 2))) == pytest.approx(0.35, abs=0.03)
    assert shamir.law_window_slope(list(range(10, 30))) == pytest.approx(0.52, abs=0.03)


def test_check_verifies_and_controls_are_refuted():
    evidence = shamir.check_theorem(ctx())
    assert evidence.holds is True, evidence.summary
    headline = next(m for m in evidence.measurements if m.name == shamir.THEOREM.headline)
    assert headline.interval[0] > shamir.MIN_RATE and headline.weakness() is None
    assert headline.interval[0] < shamir.GAUSSIAN_RATE < headline.interval[1]
    for claim in (shamir.ShamirClaim("identity"), shamir.ShamirClaim("critical")):
        control = shamir.check_claim(ctx(f"shamir2018.exponential_time.{claim.init}"), claim)
        assert control.holds is False, control.summary


def test_controls_compute_their_own_sweeps():
    context = ctx("shamir2018.exponential_time.gaussian-critical-scale", seed=7)
    shamir.check_claim(context, shamir.ShamirClaim("critical"))
    assert context.reads and not context.computed_nothing_itself()


def test_planted_gradient_bug_is_caught_by_the_oracle(monkeypatch):
    """chain gradients × 1.01 (a planted bug in the engine both GD and the flow checks rely on)."""
    from verify.engine import scalar_chains

    original = scalar_chains.chain_gradients

    def broken(w, loss, buf=None):
        grad, p = original(w, loss, buf)
        grad *= 1.01
        return grad, p

    monkeypatch.setattr(scalar_chains, "chain_gradients", broken)
    monkeypatch.setattr(shamir, "chain_gradients", broken)
    assert shamir.oracle_gap("gaussian", 6, 0) > shamir.ORACLE_TOL
    result = shamir.check_regime(ctx(seed=1), shamir.ShamirClaim("near_one", 0.086))
    assert result.holds is False and "oracle" in result.summary


def test_planted_optimistic_escape_bound_is_caught(monkeypatch):
    """A bound 20× too optimistic (a constant dropped): GD beats it, the check is refuted."""
    original = chain_flow.log_escape_bound

    def optimistic(w0, loss, eps, radii=chain_flow.ESCAPE_RADII):
        log_b, rho = original(w0, loss, eps, radii)
        return log_b + math.log(20.0), rho

    monkeypatch.setattr(shamir, "log_escape_bound", optimistic)
    result = shamir.check_regime(ctx(seed=2), shamir.ShamirClaim("near_one", 0.086))
    assert result.holds is False and "escape bound" in result.summary


def test_planted_flow_time_error_breaks_the_gd_agreement(monkeypatch):
    """A flow time off by a factor 1.3 (e.g. a dropped ½): GD no longer follows it, the check is not verified."""
    original = chain_flow.log_flow_time
    monkeypatch.setattr(shamir, "log_flow_time", lambda w0, loss, eps: original(w0, loss, eps) + math.log(1.3))
    result = shamir.check_regime(ctx(seed=3), shamir.ShamirClaim("near_one", 0.086))
    assert result.holds is not True
