"""The ℓ_p loss of a linear model in the sum form of Arora, Cohen & Hazan (2018): L^1(W_e) = (1/p) Σ_i |W_e x_i − y_i|^p.

ACH18 (arXiv 1802.06509), "warm-up" and "Illustration of acceleration" (seed 002 slides): the loss is a sum
over the samples (no 1/n), (1/p)(xᵀw − y)^p for even p; here |·|^p, so any real p ≥ 2 is allowed and even
p gives the slides' form. The gradient is

    ∇L^1(W_e) = Σ_i sign(r_i)|r_i|^{p−1} x_iᵀ,   r_i = W_e x_i − y_i.

`PowerLoss` has the `verify.engine.losses.Loss` interface (``backend``, ``shape``, ``value``, ``gradient``) in
float64, so `verify.engine.network.gd_step` trains depth-N factorisations of it. W_e may carry leading batch
axes, and so may X (…, d, n) and Y (…, k, n): numpy broadcasting pairs them (one data set per network, or one
data set shared by the batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, check_finite_array, check_range
from .backends import FLOAT64, Backend

__all__ = ["PowerLoss", "signed_power"]


def signed_power(r: np.ndarray, q: float) -> np.ndarray:
    """sign(r)|r|^q elementwise."""
    return np.sign(r) * np.abs(r) ** q


@dataclass(frozen=True)
class PowerLoss:
    """L^1(W_e) = (1/p) Σ_i |W_e x_i − y_i|^p for X (…, d, n) and Y (…, k, n); float64, p ≥ 2."""

    x: np.ndarray
    y: np.ndarray
    p: float
    backend: Backend = field(default=FLOAT64, init=False)

    def __post_init__(self) -> None:
        check_range(float(self.p), "p", low=2.0)
        x, y = np.asarray(self.x, dtype=np.float64), np.asarray(self.y, dtype=np.float64)
        if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1] or x.shape[-1] == 0:
            raise DataError(f"X and Y must be (batches of) matrices with the same positive number of columns; "
                            f"got shapes {x.shape}, {y.shape}")
        check_finite_array(x, "X")
        check_finite_array(y, "Y")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.y.shape[-2], self.x.shape[-2])

    def residuals(self, w_e: np.ndarray) -> np.ndarray:
        """W_e X − Y (batch axes broadcast)."""
        return np.matmul(w_e, self.x) - self.y

    def value(self, w_e: np.ndarray) -> np.ndarray:
        """(1/p) Σ_i |r_i|^p, summed over outputs and samples (the batch shape remains)."""
        return np.sum(np.abs(self.residuals(w_e)) ** self.p, axis=(-1, -2)) / self.p

    def gradient(self, w_e: np.ndarray) -> np.ndarray:
        """Σ_i sign(r_i)|r_i|^{p−1} x_iᵀ."""
        return np.matmul(signed_power(self.residuals(w_e), self.p - 1.0), np.swapaxes(self.x, -1, -2))
