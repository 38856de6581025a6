"""Linear-rate bounds ℓ(t) − ℓ* ≤ ρ^t (ℓ(0) − ℓ*) for GD on deep linear networks, followed per seed.

Setting of Du & Hu (2019, §3.2) and Hu, Xiao & Pennington (2020, §3.2, §4): f(x) = α W_L⋯W_1 x,
ℓ = ½‖αW_{L:1}X − Y‖²_F, plain GD on all layers. Their theorems bound the excess loss by a geometric
sequence, ℓ(t) − ℓ* ≤ (1 − c·x)^t (ℓ(0) − ℓ*) with x = ηLλ_r(XᵀX)/d_y and a rate constant c
(¼ in Du & Hu v3, ½ in Hu et al. 2020). This module trains a batch of independently initialised
networks (a leading seed axis) and decides for each whether it obeys such a bound.

- `min_norm_minimiser`: Φ = Y X⁺, a minimiser of ½‖WX − Y‖²_F.
- `excess`: ℓ − ℓ* = ½⟨(αW_e − Φ)XXᵀ, αW_e − Φ⟩ — exact for every W_e
  (Du & Hu App. B, Claim B.1), and free of the cancellation of ℓ(t) − ℓ* evaluated in float64.
- `follow_linear_rate`: per seed, +1 if the bound held at every step until the excess fell below
  ``floor``·(ℓ(0) − ℓ*), −1 at the first step it was violated, 0 if the caller stopped the batch
  first; and c_seed = min_t (1 − r_t^{1/t})/x, the largest rate constant the seed obeyed
  (r_t = excess ratio): the bound with constant c holds for that seed iff c ≤ c_seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, InvalidArgument, check_range
from .losses import QuadraticLoss
from .network import gd_step_in_place

__all__ = ["RateTrack", "bound_horizon", "excess", "follow_linear_rate", "min_norm_minimiser"]

REL_SLACK = 1e-9      # float64 slack of the comparison r_t ≤ ρ^t(1 + REL_SLACK) + ABS_SLACK
ABS_SLACK = 1e-12


def min_norm_minimiser(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Φ = Y X⁺: the minimum-Frobenius-norm minimiser of ½‖WX − Y‖²_F (Du & Hu eq. (3))."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise DataError(f"X and Y must be matrices with the same number of columns; got {x.shape}, {y.shape}")
    return y @ np.linalg.pinv(x)


def excess(alpha: float, phi: np.ndarray, sxx: np.ndarray, w_e: np.ndarray) -> np.ndarray:
    """ℓ(W_e) − ℓ* = ½⟨(αW_e − Φ)XXᵀ, αW_e − Φ⟩ (Claim B.1 of Du & Hu); W_e may carry batch axes."""
    e = alpha * w_e - phi
    return 0.5 * np.einsum("...ij,...ij->...", e @ sxx, e)


def bound_horizon(rho: float, floor: float) -> int:
    """T = ⌈log floor / log ρ⌉: the first step at which ρ^T ≤ floor."""
    check_range(float(rho), "rho", low=0.0, high=1.0, low_open=True, high_open=True)
    check_range(float(floor), "floor", low=0.0, high=1.0, low_open=True, high_open=True)
    return math.ceil(math.log(floor) / math.log(rho))


@dataclass(frozen=True)
class RateTrack:
    """Per seed of a batch: ``status`` (+1 obeyed the bound down to the floor, −1 violated it, 0 not
    decided when the batch stopped), ``c_seed`` (largest rate constant obeyed over the steps it was
    followed), ``violated_at`` (step of the violation, −1 if none); ``steps`` run."""

    status: np.ndarray
    c_seed: np.ndarray
    violated_at: np.ndarray
    steps: int


def follow_linear_rate(weights: list[np.ndarray], loss: QuadraticLoss, eta: float, x: float, rate: float,
                       phi: np.ndarray, floor: float,
                       stop: Callable[[np.ndarray], bool] | None = None) -> RateTrack:
    """Train the batch ``weights`` (leading seed axis; updated in place) by GD with step ``eta`` and decide
    per seed whether ℓ(t) − ℓ* ≤ (1 − rate·x)^t (ℓ(0) − ℓ*) at every t until ℓ(t) − ℓ* ≤ floor·(ℓ(0) − ℓ*).

    A seed that has not reached the floor when the bound has (step `bound_horizon`) violates the bound
    there, so every seed is decided within that many steps. ``stop(status)``, called after every step,
    may end the batch early (its undecided seeds stay 0)."""
    check_range(float(eta), "eta", low=0.0, low_open=True)
    check_range(float(x), "x", low=0.0, low_open=True)
    rho = 1.0 - rate * x
    if not 0.0 < rho < 1.0:
        raise InvalidArgument(f"rate·x = {rate * x!r} must lie in (0, 1) for a contraction (rate={rate!r}, x={x!r})")
    horizon = bound_horizon(rho, floor)
    alpha, sxx = loss.alpha, loss.stats.sxx
    size = weights[0].shape[0]
    status = np.zeros(size, dtype=np.int8)
    violated_at = np.full(size, -1, dtype=np.int64)
    c_seed = np.full(size, np.inf)
    e0 = None
    t = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(horizon + 1):
            e = excess(alpha, phi, sxx, gd_step_in_place(weights, loss, eta))     # the excess at step t
            if t == 0:
                if not np.all(np.isfinite(e) & (e > 0)):
                    raise DataError(f"initial excess must be finite and positive; got {e}")
                e0 = e
                continue
            r = e / e0
            undecided = status == 0
            c = np.where(np.isfinite(r) & (r >= 0), (1.0 - r ** (1.0 / t)) / x, -np.inf)
            c_seed = np.where(undecided, np.minimum(c_seed, c), c_seed)
            violated = undecided & ~(r <= rho ** t * (1.0 + REL_SLACK) + ABS_SLACK)
            status[violated] = -1
            violated_at[violated] = t
            status[undecided & ~violated & (r <= floor)] = 1
            if np.all(status != 0) or (stop is not None and stop(status)):
                break
    return RateTrack(status, c_seed, violated_at, t)
