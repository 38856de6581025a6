"""Helpers for convergence-rate checks: whitened data, excess losses, fitted contraction factors,
and closed-form GD on the convex (one-layer) least-squares problem.

For ℓ(V) = ½‖V X − Y‖²_F with Sxx = X Xᵀ invertible and V* = Y Xᵀ Sxx⁻¹ the least-squares solution,

    ℓ(V) − ℓ* = ½ ⟨(V − V*) Sxx, V − V*⟩,

which `excess_loss` evaluates without the cancellation of ``QuadraticLoss.value`` (so excess
losses far below 1e-15·‖Y‖² are resolved). GD on the convex problem with step η gives
V(t) − V* = (V(0) − V*)(I − η Sxx)^t, whose excess contracts asymptotically by
max_i |1 − η λ_i(Sxx)|² per step (`gd_contraction`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument, check_range
from .stats import LinearFit, linear_fit

__all__ = ["whitened_inputs", "least_squares_solution", "excess_loss", "gd_contraction",
           "convex_gd_path", "Contraction", "fit_contraction"]


def whitened_inputs(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """X (d×n, n ≥ d) with orthonormal rows, so X Xᵀ = I ("whitened data": Arora et al. 2019 §2,
    Bartlett et al. 2018 §2); then ½‖W X − Φ X‖²_F = ½‖W − Φ‖²_F."""
    check_range(d, "d", low=1)
    check_range(n, "n", low=d)
    q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    return q.T.copy()


def least_squares_solution(sxx: np.ndarray, syx: np.ndarray) -> np.ndarray:
    """V* = Syx Sxx⁻¹ (Sxx must be invertible: X of full row rank)."""
    if np.linalg.matrix_rank(sxx) < sxx.shape[0]:
        raise InvalidArgument(f"Sxx = XXᵀ ({sxx.shape[0]}×{sxx.shape[0]}) is singular: X needs full row rank")
    return np.linalg.solve(sxx, syx.T).T


def excess_loss(v: np.ndarray, v_star: np.ndarray, sxx: np.ndarray) -> np.ndarray:
    """ℓ(V) − ℓ* = ½⟨(V − V*) Sxx, V − V*⟩, batched over leading axes of ``v``."""
    e = v - v_star
    return 0.5 * np.einsum("...ij,...ij->...", e @ sxx, e)


def gd_contraction(eigenvalues: np.ndarray, eta: float) -> float:
    """Asymptotic per-step factor of the excess loss of GD on a quadratic: max_i |1 − η λ_i|²."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return float(np.max((1.0 - eta * lam) ** 2))


def convex_gd_path(v0: np.ndarray, v_star: np.ndarray, sxx: np.ndarray, eta: float, steps: int) -> np.ndarray:
    """V(t) for t = 0..steps of GD V ← V − η (V Sxx − Syx), in closed form
    V(t) = V* + (V(0) − V*) Q diag((1 − ηλ)^t) Qᵀ; shape (steps+1, *v0.shape)."""
    lam, q = np.linalg.eigh(sxx)
    powers = (1.0 - eta * lam)[None, :] ** np.arange(steps + 1)[:, None]
    e0 = (v0 - v_star) @ q
    return v_star + np.einsum("...ij,tj,kj->t...ik", e0, powers, q)


@dataclass(frozen=True)
class Contraction:
    """Fitted per-step factor ρ = exp(slope) of log(excess) vs t, over ``window`` (steps)."""

    rho: float
    fit: LinearFit
    window: tuple[int, int]


def fit_contraction(excess: np.ndarray, low: float = 1e-12, high: float = 1e-4) -> Contraction | None:
    """Fit log e(t) = t log ρ + c over the steps where low ≤ e(t)/e(0) ≤ high (None if < 3 such steps
    or the run is not finite there)."""
    e = np.asarray(excess, dtype=np.float64)
    if e.ndim != 1:
        raise InvalidArgument(f"fit_contraction needs a 1-D excess curve; got shape {e.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = e / e[0]
    steps = np.flatnonzero(np.isfinite(rel) & (rel >= low) & (rel <= high) & (e > 0))
    if steps.size < 3:
        return None
    fit = linear_fit(steps, np.log(e[steps]))
    return Contraction(float(np.exp(fit.slope)), fit, (int(steps[0]), int(steps[-1])))
