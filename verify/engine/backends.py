"""Matrix backends: one deep-linear-network engine, three number systems.

The engine in `verify.engine.network` is written against the small interface below (matrix product,
transpose, Frobenius inner product, conversions), so the same code runs in

* ``FLOAT64`` -- numpy float64 arrays; leading batch axes broadcast (``(runs, m, m)`` stacks);
* ``ArbBackend(dps)`` -- python-flint ``arb_mat`` ball arithmetic: every entry is a midpoint with a
  rigorous error radius, so a trajectory carries its own certified rounding bound;
* ``FixedPointBackend(dps)`` -- `verify.engine.fixedpoint.FixedMatrix`: ball arithmetic too, with
  midpoints of ≥ dps digits after the point (entries below 2^21) computed by exact limb arithmetic
  on float64 BLAS and float64 radii rounded up -- certified like arb, about 4× faster at 32×32;
* ``MpmathBackend(dps)`` -- ``mpmath.matrix`` (the slow pure-Python reference).

Keep a whole trajectory in one representation: converting entry by entry between mpmath and arb
costs several matrix products (../shared/research/performance.md).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator, Protocol

import numpy as np

from ..errors import check_range, check_type

__all__ = ["Backend", "FLOAT64", "Float64Backend", "ArbBackend", "FixedPointBackend", "MpmathBackend",
           "backend_named"]


class Backend(Protocol):
    """What the engine needs from a matrix type (``+``, ``-`` and ``scalar * M`` are native).

    ``asmatrix`` and ``scalar`` take float64 numbers exactly (fixed point: unless they have bits below
    its 2^{-F}, then as a ball around them), so ball backends certify results about the float64 inputs.
    """

    name: str

    def active(self) -> contextlib.AbstractContextManager: ...
    def asmatrix(self, a: np.ndarray) -> Any: ...
    def scalar(self, x: float) -> Any: ...
    def to_numpy(self, a: Any) -> np.ndarray: ...
    def matmul(self, a: Any, b: Any) -> Any: ...
    def transpose(self, a: Any) -> Any: ...
    def inner(self, a: Any, b: Any) -> Any: ...
    def to_float(self, x: Any) -> float: ...


class Float64Backend:
    """numpy float64; matrices may carry leading batch axes."""

    name = "float64"
    digits = 15.95

    def active(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def asmatrix(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float64)

    def scalar(self, x: float) -> float:
        return float(x)

    def to_numpy(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float64)

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a @ b

    def transpose(self, a: np.ndarray) -> np.ndarray:
        return a.swapaxes(-1, -2)   # the method, not np.swapaxes: ~2 µs less per call, six calls per layer step

    def inner(self, a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
        return np.einsum("...ij,...ij->...", a, b)

    def to_float(self, x: Any) -> float:
        return float(x)


FLOAT64 = Float64Backend()


@dataclass(frozen=True)
class _DecimalPrecision:
    """A working precision of ``dps`` significant decimal digits (16..10000)."""

    dps: int = 50
    label = ""

    def __post_init__(self) -> None:
        check_type(self.dps, int, "dps")
        check_range(self.dps, "dps", low=16, high=10_000)

    @property
    def name(self) -> str:
        return f"{self.label}({self.dps} digits)"

    @property
    def digits(self) -> float:
        return float(self.dps)


@dataclass(frozen=True)
class ArbBackend(_DecimalPrecision):
    """python-flint ``arb_mat`` at ``dps`` significant decimal digits (ball arithmetic)."""

    label = "arb"

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        from flint import ctx

        saved = ctx.dps
        ctx.dps = self.dps
        try:
            yield
        finally:
            ctx.dps = saved

    def asmatrix(self, a: np.ndarray) -> Any:
        from flint import arb_mat

        a = np.asarray(a, dtype=np.float64)
        if a.ndim != 2:
            raise ValueError(f"arb matrices are 2-D; got an array of shape {a.shape}")
        return arb_mat(a.tolist())

    def scalar(self, x: float) -> Any:
        """x as an exact arb (radius 0)."""
        from flint import arb

        return arb(float(x))

    def to_numpy(self, a: Any) -> np.ndarray:
        return np.array([[float(e.mid()) for e in row] for row in a.tolist()], dtype=np.float64)

    def matmul(self, a: Any, b: Any) -> Any:
        return a * b

    def transpose(self, a: Any) -> Any:
        return a.transpose()

    def inner(self, a: Any, b: Any) -> Any:
        from flint import arb

        total = arb(0)
        for x, y in zip(a.entries(), b.entries()):
            total += x * y
        return total

    def to_float(self, x: Any) -> float:
        return float(x.mid())

    @staticmethod
    def radius(a: Any) -> float:
        """Largest certified error radius over the entries of an arb matrix (or of one arb)."""
        entries = a.entries() if hasattr(a, "entries") else [a]
        return max((float(e.rad()) for e in entries), default=0.0)


@dataclass(frozen=True)
class FixedPointBackend(_DecimalPrecision):
    """`FixedMatrix` balls with midpoints of at least ``dps`` decimal digits after the point.

    Entries must stay below 2^21 in magnitude (overflow raises DataError); each product rounds its
    midpoint once, by ≤ (K·n/4 + 1)·2^{-F} per entry, and the radius accounts for it and for the
    input radii (`verify.engine.fixedpoint`), so results are certified like arb's: for the exact
    computation on the float64 inputs it is given (a `QuadraticLoss` forms its statistics from the data).
    At most ``fixedpoint.MAX_DIGITS`` (282) digits.
    """

    label = "fixed"

    def __post_init__(self) -> None:
        super().__post_init__()
        from .fixedpoint import limbs_for_digits

        limbs_for_digits(self.dps)        # refuses more digits than float64 radii can follow

    def active(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def asmatrix(self, a: np.ndarray) -> Any:
        from .fixedpoint import FixedMatrix, limbs_for_digits

        a = np.asarray(a, dtype=np.float64)
        if a.ndim != 2:
            raise ValueError(f"fixed-point matrices are 2-D; got an array of shape {a.shape}")
        return FixedMatrix.from_float(a, limbs_for_digits(self.dps))

    def scalar(self, x: float) -> Any:
        """x as a 1×1 FixedMatrix (a scalar in products and sums; exact unless it has bits below 2^{-F})."""
        from .fixedpoint import FixedMatrix, limbs_for_digits

        return FixedMatrix.from_float(np.float64(x), limbs_for_digits(self.dps))

    def to_numpy(self, a: Any) -> np.ndarray:
        return a.to_numpy()

    def matmul(self, a: Any, b: Any) -> Any:
        return a @ b

    def transpose(self, a: Any) -> Any:
        return a.transpose()

    def inner(self, a: Any, b: Any) -> Any:
        return a.inner(b)

    def to_float(self, x: Any) -> float:
        return float(x)

    @staticmethod
    def radius(a: Any) -> float:
        """Largest certified error radius over the entries of a fixed-point matrix."""
        return a.max_radius()


@dataclass(frozen=True)
class MpmathBackend(_DecimalPrecision):
    """``mpmath.matrix`` at ``dps`` decimal digits (pure-Python reference, no error bound)."""

    label = "mpmath"

    def active(self) -> contextlib.AbstractContextManager:
        import mpmath

        return mpmath.workdps(self.dps)

    def asmatrix(self, a: np.ndarray) -> Any:
        import mpmath

        a = np.asarray(a, dtype=np.float64)
        if a.ndim != 2:
            raise ValueError(f"mpmath matrices are 2-D; got an array of shape {a.shape}")
        return mpmath.matrix(a.tolist())

    def scalar(self, x: float) -> Any:
        import mpmath

        return mpmath.mpf(float(x))

    def to_numpy(self, a: Any) -> np.ndarray:
        return np.array(a.tolist(), dtype=np.float64)

    def matmul(self, a: Any, b: Any) -> Any:
        return a * b

    def transpose(self, a: Any) -> Any:
        return a.T

    def inner(self, a: Any, b: Any) -> Any:
        import mpmath

        return mpmath.fsum(a[i, j] * b[i, j] for i in range(a.rows) for j in range(a.cols))

    def to_float(self, x: Any) -> float:
        return float(x)


def backend_named(name: str, dps: int = 50) -> Backend:
    """Backend from a user-facing name: ``float64``, ``arb``, ``fixed`` or ``mpmath``."""
    if name == "float64":
        return FLOAT64
    if name == "arb":
        return ArbBackend(dps)
    if name == "mpmath":
        return MpmathBackend(dps)
    if name == "fixed":
        return FixedPointBackend(dps)
    from ..errors import InvalidArgument

    raise InvalidArgument(f"precision={name!r} must be one of 'float64', 'arb', 'fixed', 'mpmath'")
