"""An independent recomputation of the intervals `verify.checking.stats` gave a check.

Every statistical verdict rests on three routines: the slope CI of `linear_fit`, the exact
binomial interval of `clopper_pearson`, and the t interval of `mean_ci`. If one of them is wrong
(half as wide, say), both sides of every statistical check use the same wrong interval, and the
verdicts stay as they were. The runner therefore records the first few intervals each check
computes (`verify.checking.stats.recording`) and `audit` recomputes them here by other means:

- slope CI: least squares by the SVD of the centred design, the slope's variance from (XᵀX)⁻¹ by
  the singular vectors, the Student quantile from `scipy.special.stdtrit` — not linregress and
  `t.ppf` as in `stats`;
- binomial interval: `scipy.stats.binomtest(k, n).proportion_ci(method="exact")`;
- mean CI: `scipy.stats.ttest_1samp(v, 0).confidence_interval`.

A disagreement beyond rounding is returned as a message; the runner turns it into an ``error``
outcome of the check, so a wrong interval cannot decide a verdict unseen.

Changed after the first runs (2026-12-02): the first oracle used the closed-form OLS formula and
a tolerance of 1e-7 of the width; it flagged balancedness, end_to_end and no_function, whose
near-perfect exponent fits made `linear_fit`'s linregress-based standard error cancel (fixed
there). The oracle now solves by the SVD (a method `linear_fit` does not use) with a tolerance
of 1e-6 of the width plus a rounding allowance of 1e-10 of a no-signal fit's interval; the
mutants it must see move an endpoint by 25% of the width.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["audit", "RELATIVE_TOLERANCE"]

RELATIVE_TOLERANCE = 1e-6   # of the interval's width (scipy's quantile routines agree to ~1e-12) ...
ROUNDING = 1e-12            # ... plus rounding relative to the endpoints' size (a zero-width interval)


def audit(records: dict[str, list[tuple[tuple[Any, ...], Any]]]) -> list[str]:
    """One message per recorded interval that the independent computation does not reproduce."""
    problems = []
    for function, sample in records.items():
        for arguments, result in sample:
            got = _INTERVAL[function](result)
            *expected, allowance = _REFERENCE[function](*arguments)
            if not _close(got, expected, allowance):
                problems.append(f"statistics oracle: {function} gave [{got[0]:.10g}, {got[1]:.10g}], the independent "
                                f"computation [{expected[0]:.10g}, {expected[1]:.10g}]")
    return problems


def _slope_ci(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float]:
    """Least squares by the SVD of the centred design; the slope's variance is σ²·[(XᵀX)⁻¹]₁₁ = σ²Σ_k V₁ₖ²/s_k².
    Allowance: rounding in the residuals (~1e-10 of the interval a fit with no signal would have)."""
    from scipy import special

    n = x.size
    if n <= 2:
        return -math.inf, math.inf, 0.0
    dx, dy = x - x.mean(), y - y.mean()
    design = np.column_stack([np.ones_like(dx), dx])
    u, singular, vt = np.linalg.svd(design, full_matrices=False)
    coef = vt.T @ ((u.T @ dy) / singular)
    residual = dy - design @ coef
    quantile = float(special.stdtrit(n - 2, 0.5 + level / 2))
    half = quantile * math.sqrt(float(residual @ residual) / (n - 2) * float(np.sum((vt[:, 1] / singular) ** 2)))
    no_signal = quantile * math.sqrt(float(dy @ dy) / (n - 2) / float(dx @ dx))
    slope = float(coef[1])
    return slope - half, slope + half, 1e-10 * no_signal


def _binomial_ci(successes: int, trials: int, level: float) -> tuple[float, float, float]:
    from scipy import stats

    interval = stats.binomtest(successes, trials).proportion_ci(level, method="exact")
    return float(interval.low), float(interval.high), 0.0


def _mean_ci(values: np.ndarray, level: float) -> tuple[float, float, float]:
    from scipy import stats

    if float(np.ptp(values)) == 0.0:       # zero spread: the t interval is the point itself
        return float(values[0]), float(values[0]), 0.0
    interval = stats.ttest_1samp(values, 0.0).confidence_interval(level)
    return float(interval.low), float(interval.high), 0.0


_REFERENCE = {"linear_fit": _slope_ci, "clopper_pearson": _binomial_ci, "mean_ci": _mean_ci}
_INTERVAL = {"linear_fit": lambda fit: fit.ci, "clopper_pearson": lambda interval: interval,
             "mean_ci": lambda mean_and_interval: mean_and_interval[1]}


def _close(got: tuple[float, float], expected: list[float], allowance: float) -> bool:
    if not all(math.isfinite(v) for v in (*got, *expected)):
        return tuple(got) == tuple(expected)
    width, size = expected[1] - expected[0], max(abs(expected[0]), abs(expected[1]))
    tolerance = RELATIVE_TOLERANCE * width + ROUNDING * size + allowance
    return all(abs(g - e) <= tolerance for g, e in zip(got, expected))
