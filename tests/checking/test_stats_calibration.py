"""Calibration of verify.checking.stats: do its 95% intervals cover the truth 95% of the time?

Each scenario simulates data with a known truth ``REPLICATES`` times (fixed seeds) and counts how
often the interval covers it; `coverage_verdict` accepts a count inside the central 99.9% binomial
acceptance region around the nominal level (one-sided below for the conservative Clopper–Pearson,
with a ceiling against absurd over-coverage). The meta-tests run the same helper on mutated
versions (interval halved; normal quantile instead of Student t) and require it to reject them, so
these tests would notice if an interval were made too narrow (issue 17 item 3). The last tests
compare the intervals with scipy computing the same thing by another route.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats as sps

from verify.checking import stats

REPLICATES = 2000
META_REPLICATES = 500  # the mutants miss by far more than the region's width at this count
ACCEPTANCE = 0.999


@dataclass(frozen=True)
class Coverage:
    """``hits`` of ``replicates`` intervals covered the truth; accepted counts are ``low..high``."""

    hits: int
    replicates: int
    level: float
    low: int
    high: int

    @property
    def ok(self) -> bool:
        return self.low <= self.hits <= self.high

    def __str__(self) -> str:
        return (f"coverage {self.hits}/{self.replicates} = {self.hits / self.replicates:.4f}; nominal {self.level}, "
                f"accepted {self.low}..{self.high} ({ACCEPTANCE:.1%} binomial region)")


def coverage_verdict(covered: np.ndarray, level: float, *, conservative: bool = False,
                     ceiling: float = 0.99) -> Coverage:
    """Accept if the number of covering intervals is plausible for a true coverage of ``level``:
    inside the central ``ACCEPTANCE`` region of Binomial(n, level); if ``conservative`` (coverage
    ≥ level is the promise), anything from the lower ``ACCEPTANCE`` quantile of Binomial(n, level)
    up to the upper quantile of Binomial(n, ceiling)."""
    n, hits = int(covered.size), int(np.count_nonzero(covered))
    tail = 1 - ACCEPTANCE
    if conservative:
        low, high = sps.binom.ppf(tail, n, level), sps.binom.isf(tail, n, ceiling)
    else:
        low, high = sps.binom.ppf(tail / 2, n, level), sps.binom.isf(tail / 2, n, level)
    return Coverage(hits, n, level, int(low), int(high))


# Scenarios: simulate, call the function through the module (so monkeypatching reaches it),
# return a boolean array "interval covered the truth".

def cover_linear_slope(replicates: int, level: float) -> np.ndarray:
    """y = 2x − 1 + N(0, 0.3²) at 6 irregular x (4 residual degrees of freedom: t ≠ z matters)."""
    rng = np.random.default_rng(1701)
    x = np.array([0.0, 0.1, 0.35, 0.5, 0.8, 1.0])
    ys = 2.0 * x - 1.0 + 0.3 * rng.standard_normal((replicates, x.size))
    return np.array([stats.linear_fit(x, y, level).contains(2.0) for y in ys])


def cover_loglog_slope(replicates: int, level: float) -> np.ndarray:
    """y = 3 x^−1.5 · exp(N(0, 0.2²)) at 7 log-spaced x."""
    rng = np.random.default_rng(1702)
    x = np.geomspace(1.0, 100.0, 7)
    ys = 3.0 * x ** -1.5 * np.exp(0.2 * rng.standard_normal((replicates, x.size)))
    return np.array([stats.loglog_slope(x, y, level).contains(-1.5) for y in ys])


def cover_mean(replicates: int, level: float) -> np.ndarray:
    """5 draws of N(1.7, 2²)."""
    rng = np.random.default_rng(1703)
    samples = 1.7 + 2.0 * rng.standard_normal((replicates, 5))
    cis = np.array([stats.mean_ci(v, level)[1] for v in samples])
    return (cis[:, 0] <= 1.7) & (1.7 <= cis[:, 1])


def cover_nested_c(replicates: int, level: float) -> np.ndarray:
    """log T = 1 + 0.8 log k + 0.3 k + N(0, 0.25²) at k = 2, 4, …, 20 (growth_fit's nested c)."""
    rng = np.random.default_rng(1704)
    k = np.arange(2.0, 21.0, 2.0)
    logs = 1.0 + 0.8 * np.log(k) + 0.3 * k + 0.25 * rng.standard_normal((replicates, k.size))
    cis = np.array([stats.growth_fit(k, np.exp(y), level).nested_ci for y in logs])
    return (cis[:, 0] <= 0.3) & (0.3 <= cis[:, 1])


def cover_binomial(replicates: int, level: float, trials: int = 40, p: float = 0.3) -> np.ndarray:
    """Binomial(40, 0.3) counts; each distinct count's interval is computed once."""
    rng = np.random.default_rng(1705)
    counts = rng.binomial(trials, p, replicates)
    values, index = np.unique(counts, return_inverse=True)
    cis = np.array([stats.clopper_pearson(int(s), trials, level) for s in values])[index]
    return (cis[:, 0] <= p) & (p <= cis[:, 1])


# name → (simulation, conservative?, replicates); growth_fit makes three fits per replicate, so 1000.
SCENARIOS: dict[str, tuple[Callable[[int, float], np.ndarray], bool, int]] = {
    "linear_fit": (cover_linear_slope, False, REPLICATES),
    "loglog_slope": (cover_loglog_slope, False, REPLICATES),
    "mean_ci": (cover_mean, False, REPLICATES),
    "growth_fit": (cover_nested_c, False, REPLICATES // 2),
    "clopper_pearson": (cover_binomial, True, REPLICATES),
}


@pytest.mark.parametrize(("name", "level"), [(name, 0.95) for name in SCENARIOS] + [("mean_ci", 0.8)])
def test_intervals_cover_the_truth_at_their_level(name, level):
    simulate, conservative, replicates = SCENARIOS[name]
    verdict = coverage_verdict(simulate(replicates, level), level, conservative=conservative)
    assert verdict.ok, f"{name}: {verdict}"


# Mutants: the same function with a narrower interval. The coverage check must reject each.

def _halved(interval: tuple[float, float]) -> tuple[float, float]:
    mid, quarter = (interval[0] + interval[1]) / 2, (interval[1] - interval[0]) / 4
    return mid - quarter, mid + quarter


def halved(name: str) -> Callable:
    """``stats.<name>`` with its interval halved about its midpoint."""
    original = getattr(stats, name)

    def mutant(*args, **kwargs):
        out = original(*args, **kwargs)
        if isinstance(out, stats.LinearFit):
            return dataclasses.replace(out, ci=_halved(out.ci))
        if isinstance(out, stats.GrowthFit):
            return dataclasses.replace(out, nested_ci=_halved(out.nested_ci))
        if name == "mean_ci":
            return out[0], _halved(out[1])
        return _halved(out)

    return mutant


def normal_quantile(name: str) -> Callable:
    """``stats.<name>`` using the normal quantile z instead of Student's t (too narrow for small n)."""
    original = getattr(stats, name)

    def mutant(*args, **kwargs):
        out = original(*args, **kwargs)
        level = args[-1]
        z = sps.norm.ppf(0.5 + level / 2)
        if name == "linear_fit":
            return dataclasses.replace(out, ci=(out.slope - z * out.stderr, out.slope + z * out.stderr))
        values = np.asarray(args[0])
        half = z * values.std(ddof=1) / np.sqrt(values.size)
        return out[0], (out[0] - half, out[0] + half)

    return mutant


@pytest.mark.parametrize(("name", "mutate"), [(name, halved) for name in SCENARIOS]
                         + [("linear_fit", normal_quantile), ("mean_ci", normal_quantile)])
def test_the_coverage_check_rejects_narrowed_intervals(monkeypatch, name, mutate):
    simulate, conservative, _ = SCENARIOS[name]
    monkeypatch.setattr(stats, name, mutate(name))
    verdict = coverage_verdict(simulate(META_REPLICATES, 0.95), 0.95, conservative=conservative)
    assert not verdict.ok, f"{mutate.__name__} {name} passed the calibration check: {verdict}"


def test_the_coverage_check_rejects_absurd_over_coverage():
    """The conservative branch has a ceiling: always covering is not calibration."""
    assert not coverage_verdict(np.ones(REPLICATES, bool), 0.95, conservative=True).ok
    assert coverage_verdict(np.arange(REPLICATES) % 40 != 0, 0.95, conservative=True).ok  # 97.5%


def test_clopper_pearson_exact_coverage_is_at_least_the_level_for_every_p():
    """Coverage of CP is computable exactly: Σ_k Binom(k; n, p)·1[p ∈ CI(k)] ≥ level for all p (the
    defining guarantee), and halving the interval breaks it."""
    grid = np.linspace(0.005, 0.995, 199)
    for trials in (5, 20, 60):
        pmf = sps.binom.pmf(np.arange(trials + 1)[:, None], trials, grid[None, :])
        for fn, expect in ((stats.clopper_pearson, True), (halved("clopper_pearson"), False)):
            cis = np.array([fn(s, trials, 0.95) for s in range(trials + 1)])
            inside = (cis[:, :1] <= grid) & (grid <= cis[:, 1:])
            assert bool(np.min(np.sum(pmf * inside, axis=0)) >= 0.95 - 1e-12) is expect, (trials, fn)


def test_linear_fit_with_two_points_has_no_finite_interval():
    """With n = 2 the line passes through both points: no residual degrees of freedom, so no finite
    interval has any stated coverage (a zero-width interval would cover the truth never)."""
    fit = stats.linear_fit([0.0, 1.0], [0.3, 2.4])
    assert fit.slope == pytest.approx(2.1) and fit.ci == (-np.inf, np.inf)


# The same intervals computed by scipy (and, for the nested model, by Frisch–Waugh–Lovell).

def test_linear_fit_matches_linregress_with_a_t_quantile_and_the_closed_form():
    rng = np.random.default_rng(1706)
    for n, level in ((3, 0.95), (6, 0.9), (25, 0.99)):
        x, y = rng.uniform(0, 3, n), rng.standard_normal(n)
        fit = stats.linear_fit(x, y, level)
        ref = sps.linregress(x, y)
        half = sps.t.ppf(0.5 + level / 2, n - 2) * ref.stderr
        np.testing.assert_allclose(fit.ci, (ref.slope - half, ref.slope + half), rtol=1e-12)
        sxx = np.sum((x - x.mean()) ** 2)
        slope = np.sum((x - x.mean()) * (y - y.mean())) / sxx
        resid = y - y.mean() - slope * (x - x.mean())
        np.testing.assert_allclose(fit.stderr, np.sqrt(resid @ resid / (n - 2) / sxx), rtol=1e-10)


def test_mean_ci_matches_scipy_t_interval():
    rng = np.random.default_rng(1707)
    for n, level in ((2, 0.95), (5, 0.8), (40, 0.99)):
        v = rng.exponential(size=n)
        mean, ci = stats.mean_ci(v, level)
        ref = sps.t.interval(level, n - 1, loc=v.mean(), scale=sps.sem(v))
        np.testing.assert_allclose((mean, *ci), (v.mean(), *ref), rtol=1e-12)


def test_clopper_pearson_matches_scipy_binomtest_exact():
    cases = [(s, n, 0.95) for n in (1, 2, 7, 30) for s in range(n + 1)]
    cases += [(s, 200, level) for s in (0, 3, 57, 200) for level in (0.8, 0.99)]
    for s, trials, level in cases:
        ref = sps.binomtest(s, trials).proportion_ci(confidence_level=level, method="exact")
        np.testing.assert_allclose(stats.clopper_pearson(s, trials, level), (ref.low, ref.high),
                                   rtol=1e-9, atol=1e-12, err_msg=f"{s}/{trials} at {level}")


def test_nested_ci_matches_frisch_waugh_lovell_through_linregress():
    """c in log T = a + b log k + c k equals the simple-regression slope of (log T residualised on
    [1, log k]) on (k residualised on [1, log k]); linregress's stderr uses n − 2 degrees of freedom,
    the full model has n − 3."""
    rng = np.random.default_rng(1708)
    k = np.array([2.0, 3, 5, 8, 12, 17, 23])
    y = 0.5 + 1.2 * np.log(k) + 0.1 * k + 0.3 * rng.standard_normal(k.size)
    fit = stats.growth_fit(k, np.exp(y), 0.9)
    basis = np.column_stack([np.ones_like(k), np.log(k)])

    def residual(v):
        return v - basis @ np.linalg.lstsq(basis, v, rcond=None)[0]

    ref = sps.linregress(residual(k), residual(y))
    n = k.size
    half = sps.t.ppf(0.95, n - 3) * ref.stderr * np.sqrt((n - 2) / (n - 3))
    np.testing.assert_allclose(fit.nested_c, ref.slope, rtol=1e-9)
    np.testing.assert_allclose(fit.nested_ci, (ref.slope - half, ref.slope + half), rtol=1e-9)
