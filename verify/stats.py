"""Fits and intervals used by checks: log-log slopes, linear fits with confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .errors import InvalidArgument

__all__ = ["LinearFit", "linear_fit", "loglog_slope", "clopper_pearson", "mean_ci"]


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
    """Ordinary least squares with a Student-t confidence interval on the slope."""
    from scipy import stats

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.size < 2:
        raise InvalidArgument(f"linear_fit needs ≥ 2 paired points; got {x.size} and {y.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InvalidArgument("linear_fit got non-finite values")
    res = stats.linregress(x, y)
    n = x.size
    if n > 2:
        half = stats.t.ppf(0.5 + level / 2, n - 2) * res.stderr
    else:
        half = 0.0
    return LinearFit(float(res.slope), float(res.intercept), float(res.stderr),
                     (float(res.slope - half), float(res.slope + half)), float(res.rvalue ** 2), n)


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
    return float(low), float(high)


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean and Student-t confidence interval of the mean."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise InvalidArgument(f"mean_ci needs ≥ 2 values; got {v.size}")
    m = float(v.mean())
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return m, (m - half, m + half)
