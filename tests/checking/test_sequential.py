"""verify.checking.sequential: do the sequential tests keep their stated error rates?

Many simulated sequences with a known truth (fixed seeds). `rate_verdict` accepts an empirical
error count if it is plausible for a true rate at the stated bound (below the upper 99.9% binomial
quantile); `coverage_verdict` accepts an all-times coverage count that is plausible for a true
coverage ≥ 1 − α. The negative controls (α ignored, thresholds swapped, the fixed-n t-interval
re-checked after every sample) go through the same helpers and must be rejected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats as sps

from verify.checking.sequential import BernoulliSPRT, MeanThresholdTest, SequentialOutcome, confidence_sequence
from verify.errors import InvalidArgument

REPLICATES = 2000
ACCEPTANCE = 0.999
P0, P1, ALPHA, BETA, MAX_TRIALS = 0.85, 0.95, 0.05, 0.05, 500


@dataclass(frozen=True)
class Rate:
    """``count`` of ``replicates`` runs ended in the event; at most ``critical`` is plausible if its
    true probability were ``bound`` (one-sided, ``ACCEPTANCE``)."""

    count: int
    replicates: int
    bound: float
    critical: int

    @property
    def ok(self) -> bool:
        return self.count <= self.critical

    def __str__(self) -> str:
        return (f"{self.count}/{self.replicates} = {self.count / self.replicates:.4f}; bound {self.bound}, "
                f"at most {self.critical} accepted")


def rate_verdict(events: np.ndarray, bound: float) -> Rate:
    """Is the frequency of ``events`` consistent with a probability ≤ ``bound``?"""
    n = int(events.size)
    return Rate(int(np.count_nonzero(events)), n, bound, int(sps.binom.isf(1 - ACCEPTANCE, n, bound)))


def coverage_verdict(covered: np.ndarray, level: float) -> Rate:
    """Is the frequency of ``covered`` consistent with a probability ≥ ``level``? (Misses ≤ 1 − level.)"""
    return rate_verdict(~covered, 1 - level)


def simulate_sprt(p: float, replicates: int, seed: int, batch: int = 1, make=BernoulliSPRT,
                  max_trials: int = MAX_TRIALS) -> tuple[np.ndarray, np.ndarray]:
    """Run ``replicates`` tests on Bernoulli(p) outcomes, updated every ``batch`` trials; return the
    decisions and the trials used."""
    rng = np.random.default_rng(seed)
    counts = (rng.random((replicates, max_trials // batch, batch)) < p).sum(axis=2).tolist()
    decisions, used = [], []
    for row in counts:
        test = make(P0, P1, ALPHA, BETA, max_trials)
        for successes in row:
            if test.update(successes, batch) != "continue":
                break
        decisions.append(test.decision)
        used.append(test.trials)
    return np.array(decisions), np.array(used)


def fixed_sample_size() -> float:
    """Trials a fixed-n one-sided binomial test needs for the same α, β (normal approximation)."""
    z_a, z_b = sps.norm.isf(ALPHA), sps.norm.isf(BETA)
    return ((z_a * math.sqrt(P0 * (1 - P0)) + z_b * math.sqrt(P1 * (1 - P1))) / (P1 - P0)) ** 2


@pytest.mark.parametrize(("p", "wrong", "bound", "batch"), [
    (0.80, "accept_h1", ALPHA, 1), (P0, "accept_h1", ALPHA, 1), (P0, "accept_h1", ALPHA, 10),
    (P1, "accept_h0", BETA, 1), (P1, "accept_h0", BETA, 10), (0.98, "accept_h0", BETA, 1)])
def test_sprt_error_rates_are_at_most_the_stated_ones(p, wrong, bound, batch):
    decisions, used = simulate_sprt(p, REPLICATES, seed=int(p * 1000) + batch, batch=batch)
    verdict = rate_verdict(decisions == wrong, bound)
    assert verdict.ok, f"p = {p}, batches of {batch}: {wrong} in {verdict}"
    assert np.all(decisions != "continue") and np.all(used <= MAX_TRIALS)
    assert np.mean(decisions == "undecided") < 0.01


def test_sprt_stops_early_in_clear_cases():
    """Mean trials ≪ the maximum away from the thresholds, and below the fixed-n test's size at them."""
    fixed = fixed_sample_size()
    for p, limit in ((0.70, MAX_TRIALS / 20), (0.80, MAX_TRIALS / 10), (P0, fixed), (P1, fixed),
                     (0.98, MAX_TRIALS / 10)):
        _, used = simulate_sprt(p, 500, seed=7)
        assert used.mean() < limit, f"p = {p}: mean {used.mean():.1f} trials ≥ {limit:.1f}"


def test_sprt_in_the_indifference_zone_terminates_with_either_verdict():
    decisions, used = simulate_sprt(0.90, 500, seed=8)
    _, used_clear = simulate_sprt(0.80, 500, seed=8)
    assert set(decisions) <= {"accept_h0", "accept_h1", "undecided"}
    assert np.mean(decisions == "accept_h0") > 0.1 and np.mean(decisions == "accept_h1") > 0.1
    assert used.max() <= MAX_TRIALS and used.mean() > used_clear.mean()


class IgnoresAlpha(BernoulliSPRT):
    """Negative control: the H1 threshold built with α = 0.5 whatever α was asked for."""

    @property
    def upper(self) -> float:
        return math.log((1 - self.beta) / 0.5)


class SwappedThresholds(BernoulliSPRT):
    """Negative control: log(β/(1−α)) and log((1−β)/α) exchanged."""

    @property
    def upper(self) -> float:
        return math.log(self.beta / (1 - self.alpha))

    @property
    def lower(self) -> float:
        return math.log((1 - self.beta) / self.alpha)


@pytest.mark.parametrize("make", [IgnoresAlpha, SwappedThresholds])
def test_the_error_rate_check_rejects_a_broken_sprt(make):
    decisions, _ = simulate_sprt(P0, 500, seed=9, make=make)
    verdict = rate_verdict(decisions == "accept_h1", ALPHA)
    assert not verdict.ok, f"{make.__name__} passed: {verdict}"


def test_sprt_log_likelihood_ratio_batches_and_the_maximum():
    single, batched = BernoulliSPRT(P0, P1), BernoulliSPRT(P0, P1)
    for outcome in [1, 1, 1, 0, 1, 1, 1, 1, 1, 1]:
        single.update(outcome)
    batched.update(9, 10)
    expected = 9 * math.log(P1 / P0) + math.log((1 - P1) / (1 - P0))
    assert single.llr == pytest.approx(expected) and batched.llr == pytest.approx(expected)
    assert (batched.lower, batched.upper) == pytest.approx((math.log(BETA / (1 - ALPHA)),
                                                            math.log((1 - BETA) / ALPHA)))
    capped = BernoulliSPRT(P0, P1, max_trials=10)
    assert capped.update(9, 10) == "undecided"
    out = capped.outcome
    assert isinstance(out, SequentialOutcome) and (out.samples, out.max_samples) == (10, 10)
    assert "maximum of 10 trials" in out.reason and "inconclusive" in out.reason and "\n" not in out.reason
    with pytest.raises(InvalidArgument, match="already stopped"):
        capped.update(1)
    passed = BernoulliSPRT(P0, P1)
    while passed.update(1) == "continue":
        pass
    assert passed.decision == "accept_h1" and passed.outcome.samples == passed.trials == 27
    assert "p ≥ 0.95 accepted" in passed.outcome.reason


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p0": 0.9, "p1": 0.85}, "p1=0.85 must be > 0.9"),
    ({"p0": 0.0, "p1": 0.5}, "p0=0.0 must be > 0.0"),
    ({"p0": 0.5, "p1": 1.0}, "p1=1.0 must be < 1.0"),
    ({"p0": 0.5, "p1": 0.6, "alpha": 0.6, "beta": 0.5}, "alpha + beta"),
    ({"p0": 0.5, "p1": 0.6, "beta": 0.0}, "beta=0.0"),
    ({"p0": 0.5, "p1": 0.6, "max_trials": 0}, "max_trials=0"),
    ({"p0": 0.5, "p1": 0.6, "max_trials": 2.5}, "max_trials=2.5"),
])
def test_sprt_rejects_bad_parameters(kwargs, message):
    with pytest.raises(InvalidArgument, match=message.replace("+", r"\+")):
        BernoulliSPRT(**kwargs)


@pytest.mark.parametrize(("args", "message"), [
    ((3, 2), "successes=3 must be <= 2"), ((-1,), "successes=-1"), ((1, 0), "trials=0"),
    ((True,), "successes=True"), ((1, 1000), "trials=1000 must be <= 500")])
def test_sprt_rejects_bad_updates(args, message):
    with pytest.raises(InvalidArgument, match=message):
        BernoulliSPRT(P0, P1, max_trials=500).update(*args)


# Confidence sequence for a bounded mean.

SEQUENCE_LENGTH = 500


def all_times_covered(values: np.ndarray, mean: float, alpha: float = ALPHA, low: float = 0.0,
                      high: float = 1.0) -> np.ndarray:
    lower, upper = confidence_sequence(values, alpha, low, high)
    return np.all((lower <= mean) & (mean <= upper), axis=-1)


@pytest.mark.parametrize("case", ["bernoulli 0.9", "beta(2, 5)", "uniform [-3, 5]"])
def test_confidence_sequence_covers_the_mean_at_all_times(case):
    rng = np.random.default_rng(11)
    shape = (REPLICATES, SEQUENCE_LENGTH)
    values, mean, low, high = {
        "bernoulli 0.9": (rng.random(shape) < 0.9, 0.9, 0.0, 1.0),
        "beta(2, 5)": (rng.beta(2, 5, shape), 2 / 7, 0.0, 1.0),
        "uniform [-3, 5]": (rng.uniform(-3, 5, shape), 1.0, -3.0, 5.0),
    }[case]
    verdict = coverage_verdict(all_times_covered(values, mean, ALPHA, low, high), 1 - ALPHA)
    assert verdict.ok, f"{case}: misses {verdict}"


def test_the_coverage_check_rejects_ignored_alpha_and_peeking_at_a_fixed_n_interval():
    rng = np.random.default_rng(12)
    values = (rng.random((REPLICATES, SEQUENCE_LENGTH)) < 0.5).astype(float)
    ignored = coverage_verdict(all_times_covered(values, 0.5, alpha=0.5), 1 - ALPHA)
    assert not ignored.ok, f"the sequence at α = 0.5 passed as a 95% one: misses {ignored}"
    n = np.arange(2, SEQUENCE_LENGTH + 1)
    mean = np.cumsum(values, axis=1)[:, 1:] / n
    sd = np.sqrt((np.cumsum(values ** 2, axis=1)[:, 1:] - n * mean ** 2) / (n - 1))
    half = sps.t.ppf(1 - ALPHA / 2, n - 1) * sd / np.sqrt(n)
    peeking = coverage_verdict(np.all(np.abs(mean - 0.5) <= half, axis=1), 1 - ALPHA)
    assert not peeking.ok, f"a fixed-n t-interval re-checked at every n passed: misses {peeking}"


def test_confidence_sequence_follows_its_formula_and_shrinks_like_the_clt():
    """An explicit loop over the docstring's formula (no vectorisation) gives the same ends, and
    the width at n = 2000 is within 2.5× of the fixed-n normal interval's."""
    rng = np.random.default_rng(13)
    x = rng.uniform(2.0, 4.0, 40)
    lower, upper = confidence_sequence(x, 0.1, 2.0, 4.0)
    y, log_term = (x - 2.0) / 2.0, math.log(2 / 0.1)
    mu, var, sums = 0.5, 0.25, np.zeros(4)  # Σλ, Σλx, Σ(x−μ̂)²ψ, Σ(x_i − μ̂_i)²
    best = (0.0, 1.0)
    for t, xi in enumerate(y, start=1):
        lam = min(0.5, math.sqrt(2 * log_term / (var * t * math.log(1 + t))))
        psi = -math.log(1 - lam) - lam
        sums[:3] += (lam, lam * xi, (xi - mu) ** 2 * psi)
        mu = (0.5 + y[:t].sum()) / (t + 1)
        sums[3] += (xi - mu) ** 2
        var = (0.25 + sums[3]) / (t + 1)
        centre, margin = sums[1] / sums[0], (log_term + sums[2]) / sums[0]
        best = (max(best[0], centre - margin, 0.0), min(best[1], centre + margin, 1.0))
        assert (lower[t - 1], upper[t - 1]) == pytest.approx((2 + 2 * best[0], 2 + 2 * best[1]), abs=1e-12)
    coin = rng.random(2000) < 0.5
    lower, upper = confidence_sequence(coin)
    assert lower[-1] < 0.5 < upper[-1]
    assert upper[-1] - lower[-1] < 2.5 * 2 * 1.96 * 0.5 / math.sqrt(2000)


def test_mean_threshold_test_wrong_decisions_are_rare_and_clear_cases_stop_early():
    rng = np.random.default_rng(14)
    decisions = []
    for row in rng.random((500, 30, 10)) < 0.9:  # the mean sits exactly on the threshold
        test = MeanThresholdTest(0.9, ALPHA, max_samples=300)
        for batch in row:
            if test.update(batch) != "continue":
                break
        decisions.append(test.decision)
    decisions = np.array(decisions)
    for side in ("above", "below"):
        verdict = rate_verdict(decisions == side, ALPHA / 2)
        assert verdict.ok, f"{side} with the mean on the threshold: {verdict}"
    used = []
    for row in rng.random((100, 50, 10)) < 0.98:
        test = MeanThresholdTest(0.85, ALPHA, max_samples=500)
        for batch in row:
            if test.update(batch) != "continue":
                break
        assert test.decision == "above", test.outcome
        used.append(test.outcome.samples)
    assert np.mean(used) < 500 / 5


def test_mean_threshold_test_reports_and_validates():
    test = MeanThresholdTest(0.5, low=-1.0, high=1.0, max_samples=4)
    assert test.update([0.9, 0.8]) == "continue"
    assert test.update(0.95) == "continue"
    assert test.update(0.7) == "undecided"
    out = test.outcome
    assert (out.samples, out.max_samples) == (4, 4) and "maximum of 4 samples" in out.reason
    assert -1.0 <= test.interval[0] <= test.interval[1] <= 1.0
    with pytest.raises(InvalidArgument, match="already stopped"):
        test.update(0.5)
    with pytest.raises(InvalidArgument, match="threshold=1.5"):
        MeanThresholdTest(1.5)
    with pytest.raises(InvalidArgument, match="high=0.0 must be > 1.0"):
        MeanThresholdTest(0.5, low=1.0, high=0.0)
    with pytest.raises(InvalidArgument, match="alpha=0"):
        MeanThresholdTest(0.5, alpha=0)
    with pytest.raises(InvalidArgument, match=r"in \[0.0, 1.0\]"):
        MeanThresholdTest(0.5).update([0.5, 2.0])
    with pytest.raises(InvalidArgument, match="number of values=3 must be <= 2"):
        MeanThresholdTest(0.5, max_samples=2).update([0.1, 0.2, 0.3])
