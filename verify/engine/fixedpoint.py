"""Fixed-point ball arithmetic: about 50-digit matrices computed exactly by float64 BLAS, with radii.

A FixedMatrix stands for every matrix within ``radius`` (entrywise) of its midpoint. The midpoint
of an entry with K limbs is x = Σ_{k<K} x_k 2^{-k b} (b = ``LIMB_BITS`` = 22): integer limbs
|x_k| ≤ 2^{b-1} held in float64 arrays of shape (K, rows, cols), so x has F = (K−1)·b fractional
bits and |x| < 2^{b-1}. Midpoints use exact integer arithmetic on the limbs:

* ``A + B``, ``A − B``: limb-wise sums, carries propagated — exact.
* ``A @ B`` = Σ_{i,j} A_i B_j 2^{-(i+j) b}. Each block A_i B_j is one float64 GEMM and is exact
  because its entries are bounded by n·2^{2b−2} < 2^53 for inner dimension n ≤ ``MAX_INNER`` = 2048.
  The blocks with i + j ≤ K are summed per level in int64, carries propagated, the level-K
  remainder rounded to nearest; blocks with i + j > K are dropped. Error per entry ≤
  (K·n/4 + 1)·2^{-F} (dropped blocks: Σ_{s>K} K·n·2^{2b−2}·2^{-s b}; rounding ½·2^{-F}).
* scalar × matrix, element-wise and Frobenius inner products: the same limb convolution with
  n = 1 (inner: n = number of entries; the sum over entries is exact before rounding).

Radii are float64 and rounded up the midpoint-radius way (Rump, "Fast and parallel interval
arithmetic", BIT 1999): for C = A·B,

    rad C ≥ |mid A|·rad B + rad A·(|mid B| + rad B) + (K·n/4 + 2)·2^{-F},

where |mid A| is bounded from the limbs and the float64 evaluation (nonnegative terms only, at
most n + 8 roundings) is inflated by 1 + (n + 10)·2^{-50}. Sums add radii the same way. So the
exact result of the computation on any inputs inside the balls lies inside the output ball, as in
arb, at the cost of a few dozen small GEMMs per product instead of arb's classical product.
"""

from __future__ import annotations

import functools
import math
from numbers import Real
from typing import Any, Callable

import numpy as np

from ..errors import DataError, InvalidArgument

__all__ = ["LIMB_BITS", "MAX_INNER", "FixedMatrix", "limbs_for_digits"]

LIMB_BITS = 22
MAX_INNER = 2 ** (55 - 2 * LIMB_BITS)     # n·2^{2b−2} ≤ 2^53: every block GEMM is exact
GUARD_BITS = 9                            # covers the (K·n/4 + 1)-ulp product error for n ≤ 200 at K = 9
_HALF = 1 << (LIMB_BITS - 1)
_INT64_HEADROOM = 2 ** 62


MAX_FRACTION_BITS = 960                   # 2^{-F} and every limb weight stay normal float64 numbers
MAX_DIGITS = math.floor((MAX_FRACTION_BITS // LIMB_BITS * LIMB_BITS - GUARD_BITS) / math.log2(10))


def limbs_for_digits(dps: int) -> int:
    """Limbs K such that (K−1)·b ≥ dps·log2(10) + GUARD_BITS fractional bits (dps ≤ ``MAX_DIGITS``)."""
    if dps > MAX_DIGITS:
        raise InvalidArgument(f"dps={dps} is too many digits for fixed point (at most {MAX_DIGITS}: radii are "
                              "float64); use the arb backend")
    return 1 + math.ceil((dps * math.log2(10) + GUARD_BITS) / LIMB_BITS)


def _weights(limbs: int) -> np.ndarray:
    """2^{-k b} for k = 0..K−1: the value of one unit of each limb."""
    return 2.0 ** (-LIMB_BITS * np.arange(limbs))


def _check_limbs(limbs: int) -> None:
    if not 1 <= limbs or (limbs - 1) * LIMB_BITS > MAX_FRACTION_BITS:
        raise InvalidArgument(f"limbs={limbs} must be between 1 and {1 + MAX_FRACTION_BITS // LIMB_BITS}")


def _normalize(levels: np.ndarray, limbs: int) -> np.ndarray:
    """int64 levels (L ≥ limbs, ...) of weights 2^{-k b} -> ``limbs`` float64 limbs in [−2^{b−1}, 2^{b−1}).

    Carries move up until every level below the top is balanced; levels ≥ ``limbs`` end up as a
    remainder of at most half a unit of the last kept limb, which is dropped (round to nearest).
    """
    while True:
        low = levels[1:]
        if low.size == 0 or (low.min() >= -_HALF and low.max() < _HALF):
            break
        carry = (low + _HALF) >> LIMB_BITS
        low -= carry << LIMB_BITS
        levels[:-1] += carry
    if levels.size and np.abs(levels[0]).max() > _HALF:
        raise DataError(f"fixed-point overflow: an entry reached magnitude > 2^{LIMB_BITS - 1}; "
                        "use the arb or mpmath backend for values this large")
    return levels[:limbs].astype(np.float64)


def _convolve(a: np.ndarray, b: np.ndarray, product: Callable[[np.ndarray, np.ndarray], np.ndarray],
              shape: tuple[int, ...], terms: int) -> np.ndarray:
    """int64 levels s = 0..K of Σ_{i+j=s} product(a_i, b_j) (blocks with i + j > K dropped).

    ``terms`` bounds how many limb products each block entry sums (the inner dimension); when all
    K+1 blocks of a level fit below 2^53 the levels are accumulated in float64, exactly.
    """
    limbs = a.shape[0]
    exact_in_float = (limbs + 1) * terms * 2 ** (2 * LIMB_BITS - 2) < 2 ** 53
    levels = np.zeros((limbs + 1,) + shape, dtype=np.float64 if exact_in_float else np.int64)
    for i in range(limbs):
        count = min(limbs, limbs + 1 - i)          # j = 0 .. min(K−1, K−i)
        block = product(a[i], b[:count])
        levels[i:i + count] += block if exact_in_float else block.astype(np.int64)
    return levels.astype(np.int64) if exact_in_float else levels


def _scale(a: np.ndarray, scalar: np.ndarray) -> np.ndarray:
    """int64 levels of scalar × a for a scalar's limbs (K,): one pass per non-zero scalar limb."""
    limbs = a.shape[0]
    levels = np.zeros((limbs + 1,) + a.shape[1:], dtype=np.int64)
    for j in np.flatnonzero(scalar):
        count = min(limbs, limbs + 1 - j)          # i = 0 .. min(K−1, K−j)
        levels[j:j + count] += (a[:count] * scalar[j]).astype(np.int64)
    return levels


def _round_up(value: np.ndarray, terms: int, ulps: float, ulp: float) -> np.ndarray:
    """Upper bound on (exact value + ulps·ulp) for ``value`` = a float64 evaluation of nonnegative
    sums and products with at most terms + 8 roundings; NaN (0·inf) becomes inf."""
    bound = (value + ulps * ulp) * (1.0 + (terms + 10) * 2.0 ** -50)
    return np.where(np.isnan(bound), np.inf, bound)


def _product_radius(a: "FixedMatrix", b: "FixedMatrix", product: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    terms: int) -> np.ndarray:
    """|mid a|·rad b + rad a·(|mid b| + rad b) + (K·terms/4 + 2) ulp, rounded up."""
    with np.errstate(over="ignore", invalid="ignore"):        # an infinite radius is an honest answer
        spread = product(a.magnitude(), b.radius) + product(a.radius, b.magnitude() + b.radius)
        return _round_up(spread, terms, a.limbs.shape[0] * terms / 4 + 2, a.ulp)


class FixedMatrix:
    """Real matrices as fixed-point balls (see the module docstring); immutable by convention."""

    __slots__ = ("limbs", "radius")
    __array_ufunc__ = None                        # numpy scalars and arrays defer to our operators

    def __init__(self, limbs: np.ndarray, radius: np.ndarray | None = None) -> None:
        self.limbs = limbs
        self.radius = np.zeros(limbs.shape[1:]) if radius is None else radius

    # -- conversions -------------------------------------------------------------------------
    @classmethod
    def from_float(cls, a: np.ndarray | float, limbs: int) -> "FixedMatrix":
        """Limbs of a float64 array, exact unless it has bits below 2^{-F} (then rounded to nearest,
        radius 2^{-F}); 0-d -> 1×1. Values that are not exactly float64 (fractions, long doubles) are refused."""
        _check_limbs(limbs)
        raw = np.asarray(a)
        x = np.array(raw, dtype=np.float64, ndmin=2)
        if (raw.dtype.kind not in "biuf" or raw.dtype.itemsize > 8) and not np.all(x == raw.reshape(x.shape)):
            raise InvalidArgument("fixed point converts float64 values exactly; this input is not float64 "
                                  "(convert it deliberately first)")
        if not np.all(np.isfinite(x)):
            raise DataError("cannot convert a non-finite value (NaN or inf) to fixed point")
        if x.size and np.abs(x).max() >= _HALF:
            raise DataError(f"fixed-point overflow: |{np.abs(x).max():.6g}| ≥ 2^{LIMB_BITS - 1}; "
                            "use the arb or mpmath backend for values this large")
        out = np.empty((limbs,) + x.shape)
        rest = x.copy()
        for k in range(limbs):
            out[k] = np.rint(rest)
            rest -= out[k]
            rest *= 2.0 ** LIMB_BITS
        return cls(_normalize(out.astype(np.int64), limbs), np.where(rest != 0, _weights(limbs)[-1], 0.0))

    @classmethod
    def from_scaled_integers(cls, rows: list[list[int]], limbs: int) -> "FixedMatrix":
        """The matrix with entries v / 2^F for Python integers v (exact; F = (K−1)·b)."""
        _check_limbs(limbs)
        mask = (1 << LIMB_BITS) - 1
        out = np.zeros((limbs, len(rows), len(rows[0]) if rows else 0), dtype=np.int64)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                sign, v = (-1 if v < 0 else 1), abs(v)
                for k in range(limbs - 1, 0, -1):
                    out[k, r, c] = sign * (v & mask)
                    v >>= LIMB_BITS
                if v >= _HALF:
                    raise DataError(f"fixed-point overflow: entry ({r}, {c}) ≥ 2^{LIMB_BITS - 1}")
                out[0, r, c] = sign * v
        return cls(_normalize(out, limbs))

    def scaled_integers(self) -> list[list[int]]:
        """Entries times 2^F as exact Python integers."""
        count = self.limbs.shape[0]
        ints = self.limbs.astype(np.int64).tolist()
        return [[sum(int(ints[k][r][c]) << (LIMB_BITS * (count - 1 - k)) for k in range(count))
                 for c in range(self.shape[1])] for r in range(self.shape[0])]

    def magnitude(self) -> np.ndarray:
        """float64 upper bound on |midpoint|, entrywise: |x_0 + x_1 2^{-b}| + Σ_{k≥2} |x_k| 2^{-k b},
        inflated for its ≤ K roundings (the head is exact in float64: ≤ 2b − 1 significant bits).
        Limbs are sign-balanced, so Σ_k |x_k| 2^{-k b} alone could be 3·|x| (0.5 = 1 − 2^21·2^{-22})."""
        limbs = self.limbs
        weights = _weights(limbs.shape[0])
        head = np.abs(limbs[0] + limbs[1] * weights[1]) if len(limbs) > 1 else np.abs(limbs[0])
        tail = np.tensordot(weights[2:], np.abs(limbs[2:]), axes=1) if len(limbs) > 2 else 0.0
        return (head + tail) * (1.0 + 2.0 ** -45)

    def max_radius(self) -> float:
        """The largest radius over the entries (0 for an exact matrix)."""
        return float(self.radius.max(initial=0.0))

    def to_numpy(self) -> np.ndarray:
        """Midpoints to float64 (limbs summed from the least significant)."""
        total = np.zeros(self.shape)
        for limb, weight in zip(self.limbs[::-1], _weights(self.limbs.shape[0])[::-1]):
            total += limb * weight
        return total

    @property
    def shape(self) -> tuple[int, int]:
        return self.limbs.shape[1], self.limbs.shape[2]

    @property
    def fraction_bits(self) -> int:
        """F = (K−1)·b: midpoints are integer multiples of 2^{-F}."""
        return LIMB_BITS * (self.limbs.shape[0] - 1)

    @property
    def ulp(self) -> float:
        """2^{-F}: the value of one unit of the last limb."""
        return 2.0 ** -self.fraction_bits

    # -- arithmetic --------------------------------------------------------------------------
    def _coerce(self, other: Any) -> "FixedMatrix":
        if isinstance(other, FixedMatrix):
            if other.limbs.shape[0] != self.limbs.shape[0]:
                raise InvalidArgument(f"fixed-point operands have {self.limbs.shape[0]} and "
                                      f"{other.limbs.shape[0]} limbs; convert both at one precision")
            return other
        if isinstance(other, Real):
            value = float(other)
            if value != other:
                raise InvalidArgument(f"{other!r} is not exactly a float64; fixed-point balls would not contain it")
            return _scalar(value, self.limbs.shape[0])
        return NotImplemented

    def _same_shape_or_scalar(self, other: "FixedMatrix", op: str) -> None:
        if self.shape != other.shape and (1, 1) not in (self.shape, other.shape):
            raise InvalidArgument(f"cannot {op} a {self.shape} and a {other.shape} fixed-point matrix")

    def __add__(self, other: Any) -> "FixedMatrix":
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        self._same_shape_or_scalar(other, "add")
        levels = self.limbs.astype(np.int64) + other.limbs.astype(np.int64)
        with np.errstate(over="ignore"):
            radius = _round_up(self.radius + other.radius, 1, 0, 0)
        return FixedMatrix(_normalize(levels, self.limbs.shape[0]), radius)

    __radd__ = __add__

    def __neg__(self) -> "FixedMatrix":
        return FixedMatrix(-self.limbs, self.radius)

    def __sub__(self, other: Any) -> "FixedMatrix":
        other = self._coerce(other)
        return other if other is NotImplemented else self + (-other)

    def __rsub__(self, other: Any) -> "FixedMatrix":
        return -self + other

    def __mul__(self, other: Any) -> "FixedMatrix":
        """Scalar or element-wise product, one rounding of the midpoint."""
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        self._same_shape_or_scalar(other, "multiply")
        if other.shape == (1, 1):
            levels = _scale(self.limbs, other.limbs[:, 0, 0])
        elif self.shape == (1, 1):
            levels = _scale(other.limbs, self.limbs[:, 0, 0])
        else:
            levels = _convolve(self.limbs, other.limbs, np.multiply, self.shape, 1)
        return FixedMatrix(_normalize(levels, self.limbs.shape[0]), _product_radius(self, other, np.multiply, 1))

    __rmul__ = __mul__

    def __matmul__(self, other: "FixedMatrix") -> "FixedMatrix":
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        inner = self.shape[1]
        if inner != other.shape[0]:
            raise InvalidArgument(f"cannot multiply a {self.shape} by a {other.shape} fixed-point matrix")
        if inner > MAX_INNER:
            raise InvalidArgument(f"inner dimension {inner} > {MAX_INNER}: fixed-point products would not be exact")
        levels = _convolve(self.limbs, other.limbs, np.matmul, (self.shape[0], other.shape[1]), inner)
        return FixedMatrix(_normalize(levels, self.limbs.shape[0]), _product_radius(self, other, np.matmul, inner))

    def transpose(self) -> "FixedMatrix":
        return FixedMatrix(self.limbs.swapaxes(1, 2), self.radius.T)

    def inner(self, other: "FixedMatrix") -> "FixedMatrix":
        """Frobenius ⟨self, other⟩ as a 1×1 fixed-point ball (exact sum, one rounding of the midpoint)."""
        other = self._coerce(other)
        if other is NotImplemented:
            raise InvalidArgument(f"inner product of a FixedMatrix and a {type(other).__name__}")
        if self.shape != other.shape:
            raise InvalidArgument(f"inner product of a {self.shape} and a {other.shape} matrix")
        count = self.limbs.shape[0]
        if (count + 1) * max(self.limbs[0].size, 1) * 2 ** (2 * LIMB_BITS - 2) >= _INT64_HEADROOM:
            raise InvalidArgument(f"{self.limbs[0].size} entries are too many for an exact fixed-point inner product")
        levels = _convolve(self.limbs, other.limbs, np.multiply, self.shape, 1)
        entries = self.limbs[0].size
        radius = _product_radius(self, other, lambda x, y: np.sum(x * y).reshape(1, 1), entries)
        return FixedMatrix(_normalize(levels.sum(axis=(1, 2)).reshape(count + 1, 1, 1), count), radius)

    def __float__(self) -> float:
        if self.shape != (1, 1):
            raise InvalidArgument(f"float() of a {self.shape} fixed-point matrix")
        return float(self.to_numpy()[0, 0])

    def __repr__(self) -> str:
        return (f"FixedMatrix({self.shape[0]}×{self.shape[1]}, {self.limbs.shape[0]} limbs, "
                f"max radius {self.max_radius():.2g})")


@functools.lru_cache(maxsize=64)
def _scalar(value: float, limbs: int) -> FixedMatrix:
    """A float as a 1×1 fixed-point matrix (cached: a step size is converted once, not per layer)."""
    scalar = FixedMatrix.from_float(value, limbs)
    scalar.limbs.flags.writeable = scalar.radius.flags.writeable = False
    return scalar
