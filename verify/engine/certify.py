"""Rigorous line integrals with python-flint ball arithmetic (arb/acb).

`certified_integral` wraps ``acb.integral`` (Arb's adaptive Gauss–Legendre/bisection integrator with
rigorous error bounds for integrands that are analytic on a neighbourhood of the path): the result is
an `Enclosure` [lower, upper] that contains the exact integral, rounding and truncation included.
Integrands receive an ``analytic`` flag and must return a non-finite ball where they are not analytic
(use ``z.pow(a, analytic=analytic)`` for branch cuts); see the python-flint ``acb.integral`` docs.

`line_integral` / `loop_integral` integrate a vector field F along parametrised paths γ:[a, b] → C^d,
∫ F(γ(t))·γ'(t) dt, summing the pieces of a closed curve with their enclosures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..errors import InvalidArgument, check_range

__all__ = ["Enclosure", "PathPiece", "certified_integral", "line_integral", "loop_integral"]

Field = Callable[[list[Any], bool], list[Any]]          # (point in C^d, analytic) -> F(point)
Curve = Callable[[Any], list[Any]]                        # t -> γ(t) or γ'(t)


@dataclass(frozen=True)
class Enclosure:
    """A rigorous real interval [lower, upper] (outward-rounded to float64) and arb's own text."""

    lower: float
    upper: float
    text: str

    @classmethod
    def from_arb(cls, value: Any) -> "Enclosure":
        """Outward-rounded float bounds of an arb ball (float() of arb rounds to nearest)."""
        low, high = float(value.lower()), float(value.upper())
        return cls(math.nextafter(low, -math.inf), math.nextafter(high, math.inf), value.str(radius=True))

    @property
    def mid(self) -> float:
        return 0.5 * (self.lower + self.upper)

    @property
    def radius(self) -> float:
        return 0.5 * (self.upper - self.lower)

    @property
    def excludes_zero(self) -> bool:
        """True iff the exact value is certainly non-zero."""
        return self.lower > 0 or self.upper < 0

    @property
    def finite(self) -> bool:
        return math.isfinite(self.lower) and math.isfinite(self.upper)


@dataclass(frozen=True)
class PathPiece:
    """γ on [a, b] (integrated from a to b; a > b reverses the direction) with its velocity γ'."""

    name: str
    point: Curve
    velocity: Curve
    a: float
    b: float


def certified_integral(integrand: Callable[[Any, bool], Any], a: Any, b: Any, *, bits: int = 96,
                       abs_tol: float | None = None) -> Any:
    """∫_a^b f(t) dt along the real segment [a, b] as an arb ball (the real part of acb.integral).

    ``abs_tol`` is the absolute accuracy goal (default 2^−bits): set it to a small multiple of the
    integral's natural scale, or an integral that is exactly 0 is refined towards 2^−bits at great cost.
    The enclosure is rigorous whatever the goal; only its width depends on it.

    The imaginary part of the acb result must contain 0 (a real integrand on a real path); otherwise
    ArithmeticError. A non-finite result (the integrand was not certified analytic) also raises.
    """
    from flint import acb, arb, ctx

    check_range(bits, "bits", low=53, high=4096)
    saved = ctx.prec
    ctx.prec = bits
    try:
        value = acb.integral(integrand, acb(a), acb(b), abs_tol=None if abs_tol is None else arb(abs_tol))
    finally:
        ctx.prec = saved
    if not value.is_finite():
        raise ArithmeticError(f"acb.integral returned a non-finite enclosure {value} (integrand not analytic?)")
    if not value.imag.contains(0):
        raise ArithmeticError(f"a real line integral has a non-zero imaginary part {value.imag}")
    return value.real


def line_integral(field: Field, piece: PathPiece, *, bits: int = 96, abs_tol: float | None = None) -> Any:
    """∫_γ F · dγ = ∫_a^b ⟨F(γ(t)), γ'(t)⟩ dt as an arb ball."""

    def integrand(t: Any, analytic: bool) -> Any:
        values = field(piece.point(t), analytic)
        velocity = piece.velocity(t)
        if len(values) != len(velocity):
            raise InvalidArgument(f"field has {len(values)} components but path {piece.name!r} has {len(velocity)}")
        total = values[0] * velocity[0]
        for v, w in zip(values[1:], velocity[1:]):
            total += v * w
        return total

    return certified_integral(integrand, piece.a, piece.b, bits=bits, abs_tol=abs_tol)


def loop_integral(field: Field, pieces: Sequence[PathPiece], *, bits: int = 96,
                  abs_tol: float | None = None) -> tuple[Enclosure, dict[str, Enclosure]]:
    """∮ F · dγ over a closed curve given as consecutive pieces: the total and each piece, certified."""
    if not pieces:
        raise InvalidArgument("loop_integral needs at least one path piece")
    parts = {p.name: line_integral(field, p, bits=bits, abs_tol=abs_tol) for p in pieces}
    total = sum(parts.values(), start=next(iter(parts.values())) * 0)
    return Enclosure.from_arb(total), {k: Enclosure.from_arb(v) for k, v in parts.items()}
