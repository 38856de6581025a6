"""Losses of the end-to-end matrix W_e, evaluated from data sufficient statistics.

A loss here is L^1(W_e) in the notation of Arora, Cohen & Hazan (2018, §4): the network's loss is
L^N(W_1..W_N) = L^1(W_N...W_1), so the engine needs only ``value(W_e)`` and ``gradient(W_e)``.

``QuadraticLoss`` is ℓ(W_e) = ½‖α W_e X − Y‖²_F (Du & Hu 2019, §3; α = 1 for ACH18), computed as

    ℓ = ½ α² ⟨W_e Sxx, W_e⟩ − α ⟨W_e, Syx⟩ + ½‖Y‖²,   ∇ℓ = α (α W_e Sxx − Syx),

with Sxx = X Xᵀ, Syx = Y Xᵀ: one evaluation costs O(d_out·d_in²), independent of n. The value is
a difference of O(‖Y‖²) terms, so in float64 it resolves losses down to ~1e-15·‖Y‖² only; use a
high-precision backend below that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import DataError, check_finite_array, check_range
from .backends import FLOAT64, Backend

__all__ = ["Loss", "SufficientStats", "QuadraticLoss", "LinearLoss"]


class Loss(Protocol):
    """A differentiable loss L^1 of the end-to-end matrix, in some backend."""

    backend: Backend
    shape: tuple[int, int]

    def value(self, w_e: Any) -> Any: ...
    def gradient(self, w_e: Any) -> Any: ...


@dataclass(frozen=True)
class SufficientStats:
    """Sxx = X Xᵀ (d_in×d_in), Syx = Y Xᵀ (d_out×d_in), yy = ‖Y‖²_F and n, from X (d_in×n), Y (d_out×n)."""

    sxx: np.ndarray
    syx: np.ndarray
    yy: float
    n: int

    @classmethod
    def from_data(cls, x: np.ndarray, y: np.ndarray) -> "SufficientStats":
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.ndim != 2 or y.ndim != 2:
            raise DataError(f"X and Y must be 2-D (features × samples); got shapes {x.shape} and {y.shape}")
        if x.shape[1] != y.shape[1]:
            raise DataError(f"X has {x.shape[1]} samples (columns) but Y has {y.shape[1]}")
        if x.shape[1] == 0:
            raise DataError("X and Y have no samples (zero columns)")
        check_finite_array(x, "X")
        check_finite_array(y, "Y")
        return cls(sxx=x @ x.T, syx=y @ x.T, yy=float(np.sum(y * y)), n=x.shape[1])

    @property
    def d_in(self) -> int:
        return self.sxx.shape[0]

    @property
    def d_out(self) -> int:
        return self.syx.shape[0]


@dataclass(frozen=True)
class QuadraticLoss:
    """ℓ(W_e) = ½‖α W_e X − Y‖²_F from sufficient statistics, in ``backend``."""

    stats: SufficientStats
    alpha: float = 1.0
    backend: Backend = FLOAT64
    _sxx: Any = field(init=False, repr=False, compare=False)
    _syx: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_range(float(self.alpha), "alpha", low=0.0, low_open=True)
        with self.backend.active():
            object.__setattr__(self, "_sxx", self.backend.asmatrix(self.stats.sxx))
            object.__setattr__(self, "_syx", self.backend.asmatrix(self.stats.syx))

    @classmethod
    def from_data(cls, x: np.ndarray, y: np.ndarray, *, alpha: float = 1.0,
                  backend: Backend = FLOAT64) -> "QuadraticLoss":
        return cls(SufficientStats.from_data(x, y), alpha=alpha, backend=backend)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stats.d_out, self.stats.d_in)

    def with_backend(self, backend: Backend) -> "QuadraticLoss":
        return QuadraticLoss(self.stats, alpha=self.alpha, backend=backend)

    def value(self, w_e: Any) -> Any:
        b, a = self.backend, self.alpha
        w_sxx = b.matmul(w_e, self._sxx)
        return 0.5 * a * a * b.inner(w_sxx, w_e) - a * b.inner(w_e, self._syx) + 0.5 * self.stats.yy

    def gradient(self, w_e: Any) -> Any:
        b, a = self.backend, self.alpha
        if a == 1.0:
            return b.matmul(w_e, self._sxx) - self._syx
        return a * (a * b.matmul(w_e, self._sxx) - self._syx)

    def minimum(self) -> float:
        """ℓ* = min over all W of ½‖α W X − Y‖²_F (float64, via the pseudo-inverse of Sxx)."""
        w_star = self.stats.syx @ np.linalg.pinv(self.stats.sxx, hermitian=True)
        return float(max(0.5 * (self.stats.yy - np.sum(w_star * self.stats.syx)), 0.0))


@dataclass(frozen=True)
class LinearLoss:
    """L^1(W) = ⟨g, W⟩: constant gradient g (ACH18 Theorem 2's simplest loss)."""

    g: np.ndarray
    backend: Backend = FLOAT64
    _g: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_finite_array(self.g, "g")
        with self.backend.active():
            object.__setattr__(self, "_g", self.backend.asmatrix(np.atleast_2d(self.g)))

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(np.atleast_2d(self.g).shape)

    def value(self, w_e: Any) -> Any:
        return self.backend.inner(self._g, w_e)

    def gradient(self, w_e: Any) -> Any:
        return self._g
