"""An independent recomputation of the intervals `verify.checking.stats` gave a check.

Every statistical verdict rests on three routines: the slope CI of `linear_fit`, the exact
binomial interval of `clopper_pearson`, and the t interval of `mean_ci`. If one of them is wrong
(half as wide, say), both sides of every statistical check use the same wrong interval, and the
verdicts stay as they were. The runner therefore records the first few intervals each check
computes (`verify.checking.stats.recording`) and `audit` recomputes them here by other means:

- slope CI: OLS in closed form (centred sums, s² = RSS/(n − 2), se = √(s²/Sxx)) with the Student
  quantile from `scipy.special.stdtrit` — not `scipy.stats.linregress`/`t.ppf` as in `stats`;
- binomial interval: `scipy.stats.binomtest(k, n).proportion_ci(method="exact")`;
- mean CI: `scipy.stats.ttest_1samp(v, 0).confidence_interval`.

A disagreement beyond rounding is returned as a message; the runner turns it into an ``error``
outcome of the check, so a wrong interval cannot decide a verdict unseen.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["audit", "RELATIVE_TOLERANCE"]

RELATIVE_TOLERANCE = 1e-7   # of the interval's width (scipy's quantile routines agree to ~1e-12) ...
ROUNDING = 1e-12            # ... plus rounding relative to the endpoints' size (a zero-width interval)


def audit(records: dict[str, list[tuple[tuple[Any, ...], Any]]]) -> list[str]:
    """One message per recorded interval that the independent computation does not reproduce."""
    problems = []
    for function, sample in records.items():
        for arguments, result in sample:
            got, expected = _INTERVAL[function](result), _REFERENCE[function](*arguments)
            if not _close(got, expected):
                problems.append(f"statistics oracle: {function} gave [{got[0]:.6g}, {got[1]:.6g}], the independent "
                                f"computation [{expected[0]:.6g}, {expected[1]:.6g}]")
    return problems


def _slope_ci(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float]:
    from scipy import special

    n = x.size
    dx, dy = x - x.mean(), y - y.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ dy) / sxx
    if n <= 2:
        return -math.inf, math.inf
    residual = dy - slope * dx
    half = float(special.stdtrit(n - 2, 0.5 + level / 2)) * math.sqrt(float(residual @ residual) / (n - 2) / sxx)
    return slope - half, slope + half


def _binomial_ci(successes: int, trials: int, level: float) -> tuple[float, float]:
    from scipy import stats

    interval = stats.binomtest(successes, trials).proportion_ci(level, method="exact")
    return float(interval.low), float(interval.high)


def _mean_ci(values: np.ndarray, level: float) -> tuple[float, float]:
    from scipy import stats

    if float(np.ptp(values)) == 0.0:       # zero spread: the t interval is the point itself
        return float(values[0]), float(values[0])
    interval = stats.ttest_1samp(values, 0.0).confidence_interval(level)
    return float(interval.low), float(interval.high)


_REFERENCE = {"linear_fit": _slope_ci, "clopper_pearson": _binomial_ci, "mean_ci": _mean_ci}
_INTERVAL = {"linear_fit": lambda fit: fit.ci, "clopper_pearson": lambda interval: interval,
             "mean_ci": lambda mean_and_interval: mean_and_interval[1]}


def _close(got: tuple[float, float], expected: tuple[float, float]) -> bool:
    if not all(math.isfinite(v) for v in (*got, *expected)):
        return got == expected
    width, size = expected[1] - expected[0], max(abs(expected[0]), abs(expected[1]))
    tolerance = RELATIVE_TOLERANCE * width + ROUNDING * size
    return all(abs(g - e) <= tolerance for g, e in zip(got, expected))
