"""Fits and intervals used by checks: log-log slopes, linear fits with confidence intervals.

Every interval a check computes here is also offered to `recording` (when the runner has opened
one for the check), so that `verify.checking.stats_oracle` can recompute a sample of them
independently: a wrong interval here would otherwise decide every statistical verdict unseen.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import InvalidArgument

__all__ = ["LinearFit", "linear_fit", "loglog_slope", "clopper_pearson", "mean_ci", "GrowthFit", "growth_fit",
           "recording"]

SAMPLE_PER_FUNCTION = 5     # intervals kept per function and check for the independent oracle ...
SAMPLE_MAX_POINTS = 100_000  # ... among those computed from at most this many points (copies stay small)
_RECORDS: contextvars.ContextVar[dict[str, list[tuple[tuple[Any, ...], Any]]] | None] = contextvars.ContextVar(
    "dlverify_stats_records", default=None)


@contextlib.contextmanager
def recording() -> Iterator[dict[str, list[tuple[tuple[Any, ...], Any]]]]:
    """Collect, per function, the first `SAMPLE_PER_FUNCTION` (arguments, result) pairs computed inside."""
    records: dict[str, list[tuple[tuple[Any, ...], Any]]] = {}
    token = _RECORDS.set(records)
    try:
        yield records
    finally:
        _RECORDS.reset(token)


def _record(function: str, arguments: Callable[[], tuple[Any, ...]], result: Any, points: int = 0) -> None:
    """Keep (arguments(), result) if a recording is open, its sample of ``function`` is not full and
    the interval came from at most `SAMPLE_MAX_POINTS` points."""
    records = _RECORDS.get()
    if records is not None and points <= SAMPLE_MAX_POINTS and len(
            sample := records.setdefault(function, [])) < SAMPLE_PER_FUNCTION:
        sample.append((arguments(), result))


@dataclass(frozen=True)
class LinearFit:
    """y ≈ slope·x + intercept by least squares, with a two-sided ``level`` CI for the slope."""

    slope: float
    intercept: float
    stderr: float
    ci: tuple[float, float]
    r2: float
    n: int

    def contains(self, value: float) -> bool:
        return self.ci[0] <= value <= self.ci[1]


def linear_fit(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> LinearFit:
    """Ordinary least squares with a Student-t confidence interval on the slope. Two points leave no
    residual degrees of freedom, so no finite interval has the stated coverage: the CI is (−∞, ∞).

    The slope's standard error is √(RSS/(n − 2)/Sxx) from the centred residuals, not linregress'
    √((1 − r²)·Syy/Sxx/(n − 2)): for a near-perfect fit (1 − r² ≈ 1e-13, as in the exponent fits of
    exact drift laws) 1 − r² cancels and its interval was off by ~1e-3 of its width (found by the
    statistics oracle)."""
    from scipy import stats

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.size < 2:
        raise InvalidArgument(f"linear_fit needs ≥ 2 paired points; got {x.size} and {y.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InvalidArgument("linear_fit got non-finite values")
    res = stats.linregress(x, y)
    n = x.size
    dx = x - x.mean()
    residual = (y - y.mean()) - res.slope * dx
    stderr = math.sqrt(float(residual @ residual) / (n - 2) / float(dx @ dx)) if n > 2 else float(res.stderr)
    half = stats.t.ppf(0.5 + level / 2, n - 2) * stderr if n > 2 else math.inf
    fit = LinearFit(float(res.slope), float(res.intercept), stderr,
                    (float(res.slope - half), float(res.slope + half)), float(res.rvalue ** 2), n)
    _record("linear_fit", lambda: (x.copy(), y.copy(), level), fit, x.size)
    return fit


def loglog_slope(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> LinearFit:
    """Fit log y = p log x + c; the slope p is the exponent in y ∝ x^p."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if np.any(x <= 0) or np.any(y <= 0):
        raise InvalidArgument("loglog_slope needs positive values")
    return linear_fit(np.log(x), np.log(y), level)


def clopper_pearson(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided binomial confidence interval for a success probability."""
    from scipy import stats

    if trials < 1 or not 0 <= successes <= trials:
        raise InvalidArgument(f"clopper_pearson needs 0 ≤ successes={successes} ≤ trials={trials}, trials ≥ 1")
    alpha = 1 - level
    low = 0.0 if successes == 0 else stats.beta.ppf(alpha / 2, successes, trials - successes + 1)
    high = 1.0 if successes == trials else stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
    interval = float(low), float(high)
    _record("clopper_pearson", lambda: (successes, trials, level), interval)
    return interval


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean and Student-t confidence interval of the mean."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise InvalidArgument(f"mean_ci needs ≥ 2 values; got {v.size}")
    m = float(v.mean())
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    _record("mean_ci", lambda: (v.copy(), level), (m, (m - half, m + half)), v.size)
    return m, (m - half, m + half)


@dataclass(frozen=True)
class GrowthFit:
    """Fits of log T against depth k: exponential (log T = a + c k), power (log T = a + p log k) and
    the nested model log T = a + b log k + c k, whose c > 0 means faster than any power of k."""

    exponential: LinearFit
    power: LinearFit
    nested_c: float
    nested_ci: tuple[float, float]

    def kind(self, min_rate: float = 0.0) -> str:
        """``exponential`` if both the exponential fit's slope and the nested model's c are
        significantly > ``min_rate`` (lower CI ends); ``polynomial`` if either is significantly
        < ``min_rate`` (upper CI end: growth faster than e^{min_rate·k} beyond a power is ruled out);
        otherwise ``inconclusive`` — too little evidence is not evidence of polynomial growth."""
        if self.nested_ci[0] > min_rate and self.exponential.ci[0] > min_rate:
            return "exponential"
        if self.nested_ci[1] < min_rate or self.exponential.ci[1] < min_rate:
            return "polynomial"
        return "inconclusive"


def growth_fit(depths: Sequence[float], iterations: Sequence[float], level: float = 0.95) -> GrowthFit:
    """Fit log T vs k, log T vs log k, and log T = a + b log k + c k (OLS, Student-t CI on c)."""
    from scipy import stats

    k = np.asarray(depths, dtype=np.float64)
    t = np.asarray(iterations, dtype=np.float64)
    if k.size < 4 or k.shape != t.shape or np.any(k <= 0) or np.any(t <= 0):
        raise InvalidArgument(f"growth_fit needs ≥ 4 positive (depth, iterations) pairs; got {k.size}")
    y = np.log(t)
    design = np.column_stack([np.ones_like(k), np.log(k), k])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = k.size - 3
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    half = float(stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(cov[2, 2]))
    c = float(coef[2])
    return GrowthFit(linear_fit(k, y, level), linear_fit(np.log(k), y, level), c, (c - half, c + half))
