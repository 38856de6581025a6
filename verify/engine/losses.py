"""Losses of the end-to-end matrix W_e, evaluated from data sufficient statistics.

A loss here is L^1(W_e) in the notation of Arora, Cohen & Hazan (2018, §4): the network's loss is
L^N(W_1..W_N) = L^1(W_N...W_1), so the engine needs only ``value(W_e)`` and ``gradient(W_e)``.

``QuadraticLoss`` is ℓ(W_e) = ½‖α W_e X − Y‖²_F (Du & Hu 2019, §3; α = 1 for ACH18), computed as

    ℓ = ½ α² ⟨W_e Sxx, W_e⟩ − α ⟨W_e, Syx⟩ + ½‖Y‖²,   ∇ℓ = α (α W_e Sxx − Syx),

with Sxx = X Xᵀ, Syx = Y Xᵀ: one evaluation costs O(d_out·d_in²), independent of n. The value is
a difference of O(‖Y‖²) terms, so in float64 it resolves losses down to ~1e-15·‖Y‖² only; use a
high-precision backend below that.

What the ball backends (arb, fixed point) certify: the exact loss, gradient and GD trajectory of the
float64 numbers the caller passed -- the data X, Y, the weights, α and η, each taken as the binary
rational it is (α = 0.1 means fl(0.1) = 3602879701896397/2^55, not 1/10; that is the data the user
passed, and no other reading is available once it is a float64). So the statistics are formed in the
backend itself from X and Y (`SufficientStats.data`), not rounded in float64 first, and ½α² is a
ball product. Statistics given without data are taken as the data. The float64 backend uses the
float64 statistics (one BLAS product each) and the same formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import DataError, check_finite_array, check_range
from .backends import FLOAT64, Backend, Float64Backend
from .fixedpoint import MAX_INNER

__all__ = ["Loss", "SufficientStats", "QuadraticLoss", "LinearLoss"]


class Loss(Protocol):
    """A differentiable loss L^1 of the end-to-end matrix, in some backend."""

    backend: Backend
    shape: tuple[int, int]

    def value(self, w_e: Any) -> Any: ...
    def gradient(self, w_e: Any) -> Any: ...


@dataclass(frozen=True)
class SufficientStats:
    """Sxx = X Xᵀ (d_in×d_in), Syx = Y Xᵀ (d_out×d_in), yy = ‖Y‖²_F and n, from X (d_in×n), Y (d_out×n).

    The statistics are float64 (rounded); ``data`` is the float64 (X, Y) they came from, kept by
    `from_data` (by reference, not copied: do not modify the arrays afterwards) so that
    high-precision backends can form the exact statistics; ``None`` when only statistics are known.
    """

    sxx: np.ndarray
    syx: np.ndarray
    yy: float
    n: int
    data: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.data is None:
            return
        x, y = self.data
        if np.shape(x) != (self.d_in, self.n) or np.shape(y) != (self.d_out, self.n):
            raise DataError(f"data has shapes {np.shape(x)} and {np.shape(y)} but the statistics need "
                            f"X {(self.d_in, self.n)} and Y {(self.d_out, self.n)}")

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
        return cls(sxx=x @ x.T, syx=y @ x.T, yy=float(np.sum(y * y)), n=x.shape[1], data=(x, y))

    @property
    def d_in(self) -> int:
        return self.sxx.shape[0]

    @property
    def d_out(self) -> int:
        return self.syx.shape[0]


@dataclass(frozen=True)
class QuadraticLoss:
    """ℓ(W_e) = ½‖α W_e X − Y‖²_F from sufficient statistics, in ``backend``.

    In every backend but float64 the statistics are formed from ``stats.data`` in the backend's own
    arithmetic (balls containing the exact X Xᵀ, Y Xᵀ, ‖Y‖² of the float64 data); the float64
    backend, and any backend given statistics without data, uses ``stats.sxx``, ``stats.syx``, ``stats.yy``.
    """

    stats: SufficientStats
    alpha: float = 1.0
    backend: Backend = FLOAT64
    _sxx: Any = field(init=False, repr=False, compare=False)
    _syx: Any = field(init=False, repr=False, compare=False)
    _half_yy: Any = field(init=False, repr=False, compare=False)
    _half_alpha_sq: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_range(float(self.alpha), "alpha", low=0.0, low_open=True)
        b, stats = self.backend, self.stats
        with b.active():
            if stats.data is None or isinstance(b, Float64Backend):
                sxx, syx, yy = b.asmatrix(stats.sxx), b.asmatrix(stats.syx), b.scalar(stats.yy)
            else:
                sxx, syx, yy = _statistics_in(b, *stats.data)
            object.__setattr__(self, "_sxx", sxx)
            object.__setattr__(self, "_syx", syx)
            object.__setattr__(self, "_half_yy", 0.5 * yy)
            object.__setattr__(self, "_half_alpha_sq", 0.5 * (b.scalar(self.alpha) * self.alpha))

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
        """½α²⟨W_e Sxx, W_e⟩ − α⟨W_e, Syx⟩ + ½‖Y‖², with ½α² a backend number (a ball, not a float64)."""
        b, a = self.backend, self.alpha
        w_sxx = b.matmul(w_e, self._sxx)
        return self._half_alpha_sq * b.inner(w_sxx, w_e) - a * b.inner(w_e, self._syx) + self._half_yy

    def gradient(self, w_e: Any) -> Any:
        """α (α W_e Sxx − Syx) (the float64 α enters each product exactly)."""
        b, a = self.backend, self.alpha
        if a == 1.0:
            return b.matmul(w_e, self._sxx) - self._syx
        return a * (a * b.matmul(w_e, self._sxx) - self._syx)

    def minimum(self) -> float:
        """ℓ* = min over all W of ½‖α W X − Y‖²_F (float64, via the pseudo-inverse of Sxx)."""
        w_star = self.stats.syx @ np.linalg.pinv(self.stats.sxx, hermitian=True)
        return float(max(0.5 * (self.stats.yy - np.sum(w_star * self.stats.syx)), 0.0))


def _statistics_in(backend: Backend, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any, Any]:
    """(X Xᵀ, Y Xᵀ, ‖Y‖²_F) in ``backend``'s arithmetic from the float64 data.

    The entries enter exactly (`Backend.asmatrix`) and the sums are backend products, so a ball
    backend returns balls containing the exact statistics. The samples are taken in blocks of at
    most ``MAX_INNER`` columns (the longest product fixed point forms exactly) and the blocks' balls
    summed; ‖Y‖² is the 1×1 Gram matrix of Y's entries laid out as one row, read by ⟨·, [[1]]⟩.
    """

    def gram(a: np.ndarray, b: np.ndarray) -> Any:
        """Σ over column blocks of A_blk B_blkᵀ."""
        total = None
        for start in range(0, a.shape[1], MAX_INNER):
            block_a = backend.asmatrix(a[:, start:start + MAX_INNER])
            block_b = block_a if b is a else backend.asmatrix(b[:, start:start + MAX_INNER])
            part = backend.matmul(block_a, backend.transpose(block_b))
            total = part if total is None else total + part
        return total

    y_row = y.reshape(1, -1)
    yy = backend.inner(gram(y_row, y_row), backend.asmatrix(np.ones((1, 1))))
    return gram(x, x), gram(y, x), yy


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
