"""arora2018.no_function — the single-output end-to-end update is not the gradient of any function.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §5, Theorem 2: for a single output (W ∈ R^{1×d},
d ≥ 2), depth N ≥ 3 and ∇L(0) ≠ 0, no function has gradient

    F(W) = ‖W‖^{2−2/N} (∇L(W) + (N−1) Pr_W ∇L(W)),    Pr_W v = ⟨v, W⟩ W/‖W‖²;

the proof shows that the line integral of F around the closed curve Γ_{r,R} (segment r·e → R·e,
half-circle of radius R through +f to −R·e, segment −R·e → −r·e, half-circle of radius r back;
e = ∇L(0)/‖∇L(0)‖, f ⊥ e a unit vector) is non-zero for small r < R.

Checked, for hypothesis-generated losses (linear ⟨g, W⟩; ℓ2 regression ½‖WX − y‖²; ℓp regression
Σ_m (x_mᵀW − y_m)^p/p, p ∈ {4, 6}; data on a dyadic grid so that float64, arb and QQ hold the
same numbers), depths N and dimensions d:
(a) **certified** (python-flint acb.integral, `verify.engine.certify.line_integral`): an enclosure of
    ∮_Γ F that excludes 0 proves F is not a gradient. Γ is built in arb at the working precision
    (e = ∇L(0)/‖∇L(0)‖ and f orthonormalised as balls, so Γ is the paper's curve, not a float64
    rounding of it), and so are the exponent (N−1)/N of ‖W‖² and the sum of the four pieces: the
    enclosures are ≲ 1e-22 of the integral wide (96 bits, accuracy goal ABS_TOL = 1e-24), not ~1e-14 as when
    those were built at 53 bits.
    The branch of (Σ W_i²)^{(N−1)/N} is checked analytic along the path.
(b) **sign and leading term** [our derivation, proved by sympy here]: along the arcs ⟨W, dW⟩ = 0 and
    ∫ ∇L·dW is a difference of L, so ∮_Γ F depends only on the odd Taylor coefficients a_n of
    φ(t) = L(t·e):  with β = 2 − 2/N and projection factor c (= N − 1),

        ∮_Γ F = Σ_{n odd} 2 a_n (c n − β)/(β + n) · (R^{β+n} − r^{β+n}),      a_1 = ‖∇L(0)‖.

    sympy proves this identity for every polynomial L of degree ≤ LAW_DEGREE in the plane span{e, f}
    (symbolic coefficients, β and c). Its n = 1 term is the leading term 2‖∇L(0)‖((1+c)/(β+1) − 1)
    (R^{β+1} − r^{β+1}) (the closed form for a linear loss), whose coefficient (N−1)(N−2)/(N(β+1))
    is > 0 exactly when N ≥ 3. Gated: every enclosure is **positive** (not just non-zero), and
    contains the series value (a ball at the working precision); for ℓp losses the ratio ∮F/leading
    → 1 as R → 0 (r = R/2) with |ratio − 1| ∝ R^2 (a_3 ≠ 0): the exponent is fitted over
    RADIUS_HALVINGS halvings of R (certified points) and must be LEADING_EXPONENT within
    EXPONENT_TOLERANCE (equivalence test on its 95% CI). For linear and ℓ2 losses φ has no odd term
    beyond t, so the ratio is exactly 1 at every R (checked by containment).
(c) **symbolic**: an exact test of the Jacobian's symmetry on W ≠ 0 (polynomials over QQ, python-flint).
    A symmetric Jacobian plus continuity of F at 0 makes F a gradient; an asymmetric one proves it is not.
(d) cross-check: mpmath quadrature of the float64 engine field (`verify.engine.end_to_end_rule.
    single_output_direction`) must agree with the enclosure within MPMATH_AGREEMENT.

Controls (each refuted by the exact symmetric Jacobian, its loop enclosure containing 0):
- ``depth-1``: N = 1, F = ∇L; ``depth-2-linear``: N = 2 and a linear loss, F = ∇(‖W‖⟨g, W⟩);
- ``projection-factor-gradient`` (near the boundary): N ≥ 3 and linear losses with the projection
  factor N − 1 replaced by 2 − 2/N — the one value at which the leading coefficient (c − β) vanishes:
  F = ∇(‖W‖^{2−2/N}⟨g, W⟩) is then a gradient, so the claim is false; the certified enclosure has to
  resolve a zero where the theorem's field gives (N−1)(N−2)/N·(…) ≠ 0.

Boundary findings (reported): at N = 2 the series has c n − β = n − 1, so Γ_{r,R} sees only a_3, a_5…:
ℓp losses give a certified non-zero loop (F is not a gradient at N = 2 either), ℓ2 losses give exactly
0 although their Jacobian is exactly asymmetric (Γ is blind to their curl). d = 1 is not a control
any more: in one dimension every continuous field is a gradient and Γ does not exist (no f ⊥ e), so a
"check" there computed nothing (issue 15, item 10).

Constants (chosen before the measured run): R = RADIUS_FRACTION · min(1, ‖∇L(0)‖/‖∇²L(0)‖), r =
INNER_RATIO · R ("small enough" in the paper), PRECISION_BITS, ABS_TOL, MPMATH_AGREEMENT,
LEADING_EXPONENT (our derivation), EXPONENT_TOLERANCE, RADIUS_HALVINGS, LAW_DEGREE.

History: the exponent (N−1)/N and the sum of the pieces were built at 53 bits (enclosures ~1e-14 wide);
the curve used float64 e, f; the sign and the leading term were reported, not gated; the control
``dimension-1`` was vacuous (the Jacobian test returns True at d = 1 without evaluating F and no
integral was computed). Changed as described above (issue 15, item 10; issue 14).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.checking.context import Context
from verify.checking.property import PropertyFailure, run_property
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import linear_fit
from verify.engine.certify import Enclosure, PathPiece, line_integral
from verify.engine.end_to_end_rule import single_output_direction
from verify.errors import InvalidArgument
from verify.output import plots

LOSS_KINDS = ("linear", "quadratic", "lp")
LP_POWERS = (4, 6)
FACTORS = ("N-1", "2-2/N")     # the projection factor: the paper's, and the one that makes F a gradient
GRID = 8                       # data entries are integers/GRID in [−1, 1] (exact in float64, arb and QQ)
RADIUS_FRACTION = 0.1          # R = RADIUS_FRACTION · min(1, ‖∇L(0)‖/‖∇²L(0)‖)
INNER_RATIO = 0.5              # r = INNER_RATIO · R
PRECISION_BITS = 96            # working precision of Γ, F, acb.integral and the sums
ABS_TOL = 1e-24                # acb.integral accuracy goal, relative to ‖∇L(0)‖·R^{3−2/N}
MPMATH_AGREEMENT = 1e-9        # |mpmath − enclosure midpoint| ≤ this · (1 + |leading term|)
LEADING_EXPONENT = 2.0         # |∮F/leading − 1| ∝ R^2 for ℓp losses (our derivation, (b))
EXPONENT_TOLERANCE = 0.2       # equivalence margin for the fitted exponent
LAW_DEGREE_CI, LAW_DEGREE = 4, 6   # degree of the polynomials for which sympy proves the series law
CURVE_DEPTHS = tuple(range(1, 9))


@contextlib.contextmanager
def working_precision(bits: int = PRECISION_BITS) -> Iterator[None]:
    """Set python-flint's precision for the block (balls built inside carry ``bits`` bits)."""
    from flint import ctx

    saved = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = saved


def check_factor(factor: str) -> str:
    if factor not in FACTORS:
        raise InvalidArgument(f"factor={factor!r} must be one of {', '.join(FACTORS)}")
    return factor


def projection_factor(factor: str, depth: int) -> tuple[int, int]:
    """c as a fraction (numerator, denominator): N − 1, or 2 − 2/N."""
    check_factor(factor)
    return (depth - 1, 1) if factor == "N-1" else (2 * depth - 2, depth)


# ---------------------------------------------------------------- losses of a row vector W ∈ R^{1×d}

@dataclass(frozen=True)
class RowLoss:
    """A loss of W ∈ R^{1×d} with a polynomial gradient, evaluable in any ring (float, acb, flint polynomials).

    ``linear``: ⟨g, W⟩. ``quadratic``: ½‖W X − y‖². ``lp``: Σ_m (x_mᵀW − y_m)^p / p (p even).
    """

    kind: str
    g: np.ndarray | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    p: int = 2

    @property
    def dim(self) -> int:
        return int(self.g.size if self.kind == "linear" else self.x.shape[0])

    @property
    def power(self) -> int:
        """The degree p of the residual terms (2 for ℓ2, 1 for linear)."""
        return {"linear": 1, "quadratic": 2, "lp": self.p}[self.kind]

    def gradient(self, w: Sequence[Any], const: Callable[[float], Any]) -> list[Any]:
        """∇L(W) with the data converted by ``const`` (e.g. acb, fmpq, float)."""
        if self.kind == "linear":
            return [const(v) for v in self.g]
        d, n = self.x.shape
        residuals = [sum((const(self.x[k, m]) * w[k] for k in range(1, d)), const(self.x[0, m]) * w[0])
                     - const(self.y[m]) for m in range(n)]
        weights = [res ** (self.power - 1) for res in residuals]
        return [sum((weights[m] * const(self.x[i, m]) for m in range(1, n)), weights[0] * const(self.x[i, 0]))
                for i in range(d)]

    def line_coefficients(self, e: Sequence[Any], const: Callable[[float], Any]) -> dict[int, Any]:
        """The odd Taylor coefficients a_n of φ(t) = L(t·e): {1: ⟨g, e⟩} for a linear loss, and
        a_n = Σ_m C(p, n) u_m^n (−y_m)^{p−n} / p with u_m = x_mᵀe for ℓ2 (p = 2) and ℓp."""
        if self.kind == "linear":
            return {1: sum((const(v) * ei for v, ei in zip(self.g[1:], e[1:])), const(self.g[0]) * e[0])}
        d, n_samples = self.x.shape
        u = [sum((const(self.x[k, m]) * e[k] for k in range(1, d)), const(self.x[0, m]) * e[0]) for m in range(n_samples)]
        out = {}
        for n in range(1, self.power + 1, 2):
            binom = math.comb(self.power, n)
            out[n] = sum((binom * u[m] ** n * (-const(self.y[m])) ** (self.power - n) for m in range(1, n_samples)),
                         binom * u[0] ** n * (-const(self.y[0])) ** (self.power - n)) / self.power
        return out

    def gradient_at_zero(self) -> np.ndarray:
        return np.array(self.gradient([0.0] * self.dim, float), dtype=np.float64)

    def hessian_at_zero(self) -> np.ndarray:
        """∇²L(0): 0, X Xᵀ, or (p−1) Σ_m y_m^{p−2} x_m x_mᵀ."""
        if self.kind == "linear":
            return np.zeros((self.dim, self.dim))
        weights = np.ones(self.y.size) if self.kind == "quadratic" else (self.p - 1) * self.y ** (self.p - 2)
        return (self.x * weights) @ self.x.T

    def describe(self) -> dict[str, Any]:
        if self.kind == "linear":
            return {"kind": "linear", "g": self.g.tolist()}
        out = {"kind": self.kind, "X": self.x.tolist(), "y": self.y.tolist()}
        if self.kind == "lp":
            out["p"] = self.p
        return out

    @classmethod
    def from_description(cls, kind: str, g: Sequence[float] | None = None, X: Sequence[Sequence[float]] | None = None,
                         y: Sequence[float] | None = None, p: int = 2) -> RowLoss:
        """The inverse of `describe` (the data are dyadic, so the JSON numbers are exact)."""
        return cls(check_kind(kind), g=None if g is None else np.array(g, dtype=np.float64),
                   x=None if X is None else np.array(X, dtype=np.float64),
                   y=None if y is None else np.array(y, dtype=np.float64), p=p)


def check_kind(kind: str) -> str:
    """``kind`` if it is one of LOSS_KINDS; InvalidArgument otherwise."""
    if kind not in LOSS_KINDS:
        raise InvalidArgument(f"kind={kind!r} must be one of {', '.join(LOSS_KINDS)}")
    return kind


def make_row_loss(kind: str, dim: int, samples: int, p: int, seed: int) -> RowLoss:
    """A loss of ``kind`` on R^{1×dim} with data i.i.d. uniform on {−GRID..GRID}/GRID from ``seed``."""
    check_kind(kind)
    rng = np.random.default_rng(seed)
    if kind == "linear":
        return RowLoss("linear", g=rng.integers(-GRID, GRID + 1, dim) / GRID)
    x = rng.integers(-GRID, GRID + 1, (dim, samples)) / GRID
    y = rng.integers(-GRID, GRID + 1, samples) / GRID
    return RowLoss(kind, x=x, y=y, p=p)


class LoopCase(NamedTuple):
    """A depth N, a loss, the plane direction f ⊥ e, the radii of Γ_{r,R} and the projection factor."""

    depth: int
    loss: RowLoss
    f: np.ndarray
    r: float
    radius: float
    seed: int
    factor: str = "N-1"

    def describe(self) -> dict[str, Any]:
        return {"N": self.depth, "loss": self.loss.describe(), "f": self.f.tolist(), "r": self.r, "R": self.radius,
                "seed": self.seed, "factor": self.factor}


def build_loop_case(N: int, loss: dict[str, Any], f: Sequence[float], r: float, R: float, seed: int,
                    factor: str = "N-1") -> LoopCase:
    """The case recorded by `LoopCase.describe` (the inverse of it: f, r, R as recorded, not re-derived)."""
    if f is None or len(f) < 2:
        raise InvalidArgument(f"f={f!r}: Γ_r,R needs a direction f ⊥ e, so d ≥ 2")
    return LoopCase(N, RowLoss.from_description(**loss), np.array(f, dtype=np.float64), r, R, seed, check_factor(factor))


def build_case(depth: int, loss: RowLoss, seed: int, factor: str = "N-1") -> LoopCase:
    """Choose f ⊥ e at random (seeded) and the radii R = RADIUS_FRACTION·min(1, ‖g₀‖/‖H₀‖), r = INNER_RATIO·R."""
    if loss.dim < 2:
        raise InvalidArgument(f"dimension {loss.dim}: Γ_r,R needs a direction f ⊥ e, so d ≥ 2")
    g0 = loss.gradient_at_zero()
    e = g0 / np.linalg.norm(g0)
    v = np.random.default_rng(seed).standard_normal(loss.dim)
    v -= (v @ e) * e
    curvature = float(np.linalg.norm(loss.hessian_at_zero(), 2))
    radius = RADIUS_FRACTION * min(1.0, float(np.linalg.norm(g0)) / curvature if curvature > 0 else 1.0)
    return LoopCase(depth, loss, v / np.linalg.norm(v), INNER_RATIO * radius, radius, seed, check_factor(factor))


def loop_cases(depths: tuple[int, int], dims: tuple[int, int], kinds: tuple[str, ...], factor: str) -> st.SearchStrategy:
    """Hypothesis: N, d, loss kind, sample count, p, seed; cases with ∇L(0) = 0 are rejected."""

    @st.composite
    def build(draw: Any) -> LoopCase:
        depth = draw(st.integers(*depths), label="N")
        dim = draw(st.integers(*dims), label="d")
        kind = draw(st.sampled_from(kinds), label="loss")
        samples = draw(st.integers(1, 4), label="samples")
        p = draw(st.sampled_from(LP_POWERS), label="p")
        loss = make_row_loss(kind, dim, samples, p, draw(st.integers(0, 2**32 - 1), label="data seed"))
        if not np.any(loss.gradient_at_zero()):
            return draw(st.nothing())
        return build_case(depth, loss, draw(st.integers(0, 2**32 - 1), label="plane seed"), factor)

    return build()


# ---------------------------------------------------------------- (a) certified loop integral

def acb_field(loss: RowLoss, depth: int, factor: str) -> Callable[[list[Any], bool], list[Any]]:
    """F(W) = (Σ W_i²)^{(N−1)/N} (∇L + c⟨∇L, W⟩ W / Σ W_i²) in acb; the exponent and c are built at the
    precision in force when F is evaluated (acb.integral's), the branch checked when ``analytic``."""
    from flint import acb, fmpq

    num, den = projection_factor(factor, depth)

    def field(w: list[Any], analytic: bool) -> list[Any]:
        exponent = acb(fmpq(depth - 1, depth))
        c = acb(fmpq(num, den))
        grad = loss.gradient(w, acb)
        s = sum((wi * wi for wi in w[1:]), w[0] * w[0])
        along = sum((gi * wi for gi, wi in zip(grad[1:], w[1:])), grad[0] * w[0])
        scale = s.pow(exponent, analytic=analytic)
        return [scale * (gi + c * along * wi / s) for gi, wi in zip(grad, w)]

    return field


def plane(case: LoopCase) -> tuple[list[Any], list[Any]]:
    """(e, f) as arb balls at the current precision: e = ∇L(0)/‖∇L(0)‖ from the exact data, f the recorded
    direction re-orthonormalised against that e (so Γ is the paper's curve up to the ball radius)."""
    from flint import arb

    g = [arb(float(v)) for v in case.loss.gradient_at_zero()]
    norm = sum((v * v for v in g[1:]), g[0] * g[0]).sqrt()
    e = [v / norm for v in g]
    f = [arb(float(v)) for v in case.f]
    along = sum((a * b for a, b in zip(f[1:], e[1:])), f[0] * e[0])
    f = [a - along * b for a, b in zip(f, e)]
    f_norm = sum((v * v for v in f[1:]), f[0] * f[0]).sqrt()
    return e, [v / f_norm for v in f]


def gamma_pieces(e: list[Any], f: list[Any], r: float, radius: float) -> list[PathPiece]:
    """Γ_{r,R}: r·e → R·e, the half-circle through +f to −R·e, −R·e → −r·e, the half-circle back (acb)."""
    from flint import acb, arb

    ev, fv = [acb(v) for v in e], [acb(v) for v in f]

    def segment_point(t: Any) -> list[Any]:
        return [t * a for a in ev]

    def arc(rho: float) -> tuple[Callable, Callable]:
        """θ = π·u for u in [0, 1] (π evaluated inside, at the integration precision)."""
        return (lambda u: [rho * ((arb.pi() * u).cos() * a + (arb.pi() * u).sin() * b) for a, b in zip(ev, fv)],
                lambda u: [arb.pi() * rho * ((arb.pi() * u).cos() * b - (arb.pi() * u).sin() * a)
                           for a, b in zip(ev, fv)])

    outer, inner = arc(radius), arc(r)
    return [PathPiece("segment +e", segment_point, lambda _t: ev, r, radius),
            PathPiece("arc R", outer[0], outer[1], 0, 1),
            PathPiece("segment -e", segment_point, lambda _t: ev, -radius, -r),
            PathPiece("arc r", inner[0], inner[1], 1, 0)]


def certified_loop(case: LoopCase) -> tuple[Any, dict[str, Any]]:
    """Rigorous enclosure of ∮_{Γ_{r,R}} F and of each piece, as arb balls at PRECISION_BITS."""
    g0 = case.loss.gradient_at_zero()
    scale = float(np.linalg.norm(g0)) * case.radius ** (3.0 - 2.0 / case.depth)
    field = acb_field(case.loss, case.depth, case.factor)
    with working_precision():
        e, f = plane(case)
        parts = {p.name: line_integral(field, p, bits=PRECISION_BITS, abs_tol=ABS_TOL * scale)
                 for p in gamma_pieces(e, f, case.r, case.radius)}
        total = sum(list(parts.values())[1:], next(iter(parts.values())))
    return total, parts


def series_terms(case: LoopCase) -> dict[int, Any]:
    """The terms 2 a_n (c n − β)/(β + n)(R^{β+n} − r^{β+n}) of (b)'s law, as arb balls (n odd)."""
    from flint import arb, fmpq

    num, den = projection_factor(case.factor, case.depth)
    with working_precision():
        e, _ = plane(case)
        beta = arb(fmpq(2 * case.depth - 2, case.depth))
        c = arb(fmpq(num, den))
        big, small = arb(float(case.radius)), arb(float(case.r))
        return {n: 2 * a * (c * n - beta) / (beta + n) * (big ** (beta + n) - small ** (beta + n))
                for n, a in case.loss.line_coefficients(e, arb).items()}


def mpmath_loop(case: LoopCase) -> float:
    """The same loop integral by mpmath.quad of the float64 engine field `single_output_direction` (with the
    engine's default factor N − 1 for the paper's field, so that a bug in that default is seen)."""
    g0 = case.loss.gradient_at_zero()
    e, f = g0 / np.linalg.norm(g0), case.f

    num, den = projection_factor(case.factor, case.depth)
    override = None if case.factor == "N-1" else num / den     # the paper's factor: the engine's own default

    def field_dot(point: np.ndarray, velocity: np.ndarray) -> float:
        grad = np.array(case.loss.gradient(list(point), float))
        return float(single_output_direction(point, grad, case.depth, projection_factor=override).ravel() @ velocity)

    def arc(rho: float, a: float, b: float) -> Any:
        return mpmath.quad(lambda th: field_dot(rho * (np.cos(float(th)) * e + np.sin(float(th)) * f),
                                                rho * (np.cos(float(th)) * f - np.sin(float(th)) * e)), [a, b])

    segment = mpmath.quad(lambda t: field_dot(float(t) * e, e), [case.r, case.radius])
    back = mpmath.quad(lambda t: field_dot(float(t) * e, e), [-case.radius, -case.r])
    return float(segment + back + arc(case.radius, 0.0, np.pi) + arc(case.r, np.pi, 0.0))


# ---------------------------------------------------------------- (b), (c) symbolic

def jacobian_symmetric(loss: RowLoss, depth: int, factor: str = "N-1") -> bool:
    """Exact: is ∂_jF_i = ∂_iF_j on W ≠ 0?  With s = Σ W_k², γ = 1 − 1/N, F = s^{γ−1}·K and the
    polynomial K = s∇L + c⟨∇L, W⟩W: s^{2−γ}·curl_ij = 2(γ−1)(W_jK_i − W_iK_j) + s(∂_jK_i − ∂_iK_j),
    a polynomial over QQ (exact: python-flint fmpq_mpoly) that vanishes identically iff the Jacobian is
    symmetric."""
    return _jacobian_symmetric(json.dumps(loss.describe(), sort_keys=True), int(depth), check_factor(factor))


@functools.lru_cache(maxsize=4096)
def _jacobian_symmetric(loss_key: str, depth: int, factor: str) -> bool:
    from flint import fmpq, fmpq_mpoly_ctx

    loss = RowLoss.from_description(**json.loads(loss_key))
    ring = fmpq_mpoly_ctx.get(tuple(f"w{i}" for i in range(loss.dim)), "lex")
    w = list(ring.gens())
    grad = loss.gradient(w, lambda v: fmpq(*float(v).as_integer_ratio()))
    s = sum((wi * wi for wi in w[1:]), w[0] * w[0])
    along = sum((gi * wi for gi, wi in zip(grad[1:], w[1:])), grad[0] * w[0])
    c = fmpq(*projection_factor(factor, depth))
    k = [s * gi + c * along * wi for gi, wi in zip(grad, w)]
    gamma_minus_1 = -fmpq(1, depth)
    for i in range(loss.dim):
        for j in range(i + 1, loss.dim):
            curl = 2 * gamma_minus_1 * (w[j] * k[i] - w[i] * k[j]) + s * (k[i].derivative(j) - k[j].derivative(i))
            if curl != 0:
                return False
    return True


def _half_circle_moment(a: int, m: int) -> sp.Expr:
    """∫_0^π cos^a θ sin^m θ dθ = B((a+1)/2, (m+1)/2) for even a, 0 for odd a."""
    if a % 2:
        return sp.S.Zero
    return sp.gamma(sp.Rational(a + 1, 2)) * sp.gamma(sp.Rational(m + 1, 2)) / sp.gamma(sp.Rational(a + m + 2, 2))


@functools.cache
def sympy_series_law(degree: int) -> tuple[bool, str]:
    """sympy: for L(w1, w2) = γ w1 + Σ_{2 ≤ i+j ≤ degree} c_ij w1^i w2^j (∇L(0) = γ e₁, all coefficients
    symbolic), symbolic β > 0 and c, the loop integral of
    ‖W‖^β(∇L + c Pr_W ∇L) around Γ_{r,R} (e = e₁, f = e₂) equals Σ_{n odd} 2 c_n0 (c n − β)/(β + n)
    (R^{β+n} − r^{β+n}). Pieces integrated exactly: segments term by term in t^{β+k}, arcs through
    `_half_circle_moment`. Returns (proved, the law as text)."""
    beta = sp.Symbol("beta", positive=True)
    c = sp.Symbol("c", real=True)
    r, big, gam, t = sp.symbols("r R gamma t", positive=True)
    cs, sn, w1, w2 = sp.symbols("C S w1 w2", real=True)
    coef = {(i, j): sp.Symbol(f"c{i}{j}") for i in range(degree + 1) for j in range(degree + 1) if 1 <= i + j <= degree}
    coef[(1, 0)], coef[(0, 1)] = gam, sp.S.Zero
    loss = sum(v * w1 ** i * w2 ** j for (i, j), v in coef.items())
    g1, g2 = sp.diff(loss, w1), sp.diff(loss, w2)

    def segment(sign: int) -> sp.Expr:      # W = sign·t·e₁ travelled outward (+) or inward (−)
        grad = g1.subs({w1: sign * t, w2: 0})
        inner = sp.expand(sign * sp.cancel(grad + c * grad * (sign * t) ** 2 / t ** 2))   # × t^β, dW = sign·e₁ dt
        total = sum(a * (big ** (beta + k + 1) - r ** (beta + k + 1)) / (beta + k + 1)
                    for (k,), a in sp.Poly(inner, t).terms())
        return total if sign > 0 else -total

    def arc(rho: sp.Expr, orientation: int) -> sp.Expr:
        p1, p2 = rho * cs, rho * sn
        h1, h2 = g1.subs({w1: p1, w2: p2}), g2.subs({w1: p1, w2: p2})
        along = h1 * p1 + h2 * p2
        integrand = sp.expand((h1 + c * along * p1 / rho ** 2) * (-rho * sn) + (h2 + c * along * p2 / rho ** 2) * (rho * cs))
        return orientation * rho ** beta * sum(a * _half_circle_moment(i, j) for (i, j), a in sp.Poly(integrand, cs, sn).terms())

    total = segment(1) + arc(big, 1) + segment(-1) + arc(r, -1)
    law = sum(2 * coef[(n, 0)] * (c * n - beta) / (beta + n) * (big ** (beta + n) - r ** (beta + n))
              for n in range(1, degree + 1, 2))
    proved = sp.cancel(sp.together(sp.expand(total - law))) == 0
    return bool(proved), f"∮F = {law} (degree ≤ {degree})"


def closed_form(norm_g: float, depth: int, r: float, radius: float, factor: str = "N-1") -> float:
    """The leading (n = 1) term 2‖g‖((1 + c)/(β + 1) − 1)(R^{β+1} − r^{β+1}), β = 2 − 2/N, in float64."""
    num, den = projection_factor(factor, depth)
    a = 3.0 - 2.0 / depth
    return 2.0 * norm_g * ((1.0 + num / den) / a - 1.0) * (radius ** a - r ** a)


@functools.cache
def depth2_linear_potential(dim: int) -> bool:
    """sympy: ∇(‖W‖⟨g, W⟩) = ‖W‖(g + Pr_W g) = F at N = 2 for symbolic g, W ∈ R^dim (W ≠ 0)."""
    w = sp.symbols(f"w0:{dim}", real=True)
    g = sp.symbols(f"g0:{dim}", real=True)
    squared = sum(wi ** 2 for wi in w)
    norm = sp.sqrt(squared)
    along = sum(gi * wi for gi, wi in zip(g, w))
    return all(sp.expand(sp.diff(norm * along, wi) - norm * (gi + along * wi / squared)) == 0 for gi, wi in zip(g, w))


# ---------------------------------------------------------------- the checker

@dataclass(frozen=True)
class NoGradientClaim:
    """"For N in ``depths``, d in ``dims`` and losses of ``kinds`` with ∇L(0) ≠ 0, the field with projection
    factor ``factor`` is not a gradient"."""

    depths: tuple[int, int] = (3, 6)
    dims: tuple[int, int] = (2, 4)
    kinds: tuple[str, ...] = LOSS_KINDS
    factor: str = "N-1"

    def __post_init__(self) -> None:
        check_factor(self.factor)
        if self.dims[0] < 2:
            raise InvalidArgument(f"dims={self.dims!r}: Γ_r,R needs d ≥ 2")


def ball_text(value: Any) -> str:
    """'mid ± radius' of an arb ball (the radius as arb holds it, not widened by printing)."""
    return f"{float(value.mid()):.12g} ± {float(value.rad()):.2e}"


def measure(case: LoopCase, symmetric: bool) -> dict[str, Any]:
    """Certified loop enclosure with the series, leading-term and mpmath cross-checks for one case
    (``symmetric``: the exact Jacobian verdict, which an enclosure excluding 0 would contradict)."""
    total, parts = certified_loop(case)
    terms = series_terms(case)
    enclosure = Enclosure.from_arb(total)
    with working_precision():
        series = sum(list(terms.values())[1:], terms[1])
        leading = terms[1]
        inside = (total - series).contains(0)
        ratio = total / leading if not leading.contains(0) else None
    quad = mpmath_loop(case)
    scale = abs(float(leading.mid()))
    if abs(quad - enclosure.mid) > MPMATH_AGREEMENT * (1.0 + scale) + enclosure.radius:
        raise ArithmeticError(f"mpmath.quad {quad:.15g} disagrees with the certified enclosure {ball_text(total)}")
    if symmetric and enclosure.excludes_zero:
        raise ArithmeticError(f"F is exactly a gradient but the loop enclosure {ball_text(total)} excludes 0")
    out: dict[str, Any] = {
        "N": case.depth, "d": case.loss.dim, "loss": case.loss.kind, "factor": case.factor, "r": case.r, "R": case.radius,
        "jacobian_symmetric": symmetric, "enclosure": [enclosure.lower, enclosure.upper], "enclosure_text": ball_text(total),
        "relative_width": float(total.rad()) / max(abs(float(total.mid())), 1e-300),
        "certified_nonzero": enclosure.excludes_zero, "positive": enclosure.lower > 0,
        "pieces": {k: ball_text(v) for k, v in parts.items()}, "mpmath": quad, "series": ball_text(series),
        "series_inside": bool(inside), "leading_term": float(leading.mid()),
    }
    if ratio is not None:
        out["ratio_to_leading"] = [float(ratio.lower()), float(ratio.upper())]
    return out


def loop_property(passed: list[LoopCase] | None = None,
                  failing: list[LoopCase] | None = None) -> Callable[[LoopCase], dict[str, Any]]:
    """The property for one generated case (claims differ only in what is generated): fails when the exact
    test proves F's Jacobian symmetric, else measures the loop integral. Passing cases are appended to
    ``passed``; ``failing`` is set to the last failing case."""

    def prop(case: LoopCase) -> dict[str, Any]:
        if jacobian_symmetric(case.loss, case.depth, case.factor):
            if failing is not None:
                failing[:] = [case]
            raise PropertyFailure(f"F is a gradient: its Jacobian is exactly symmetric on W ≠ 0 (N = {case.depth}, "
                                  f"d = {case.loss.dim}, {case.loss.kind} loss, projection factor {case.factor})",
                                  {"jacobian_symmetric": True})
        m = measure(case, symmetric=False)
        if passed is not None:
            passed.append(case)
        return m

    return prop


def replay(description: dict[str, Any]) -> dict[str, Any]:
    """Re-run the property on one case described by `LoopCase.describe()`."""
    return loop_property()(build_loop_case(**description))


# ---------------------------------------------------------------- (b) the leading term as R → 0

@dataclass(frozen=True)
class LeadingPoint:
    """An ℓp loss (seeded) at depth N whose ratio ∮F/leading is measured over ``halvings`` radii."""

    depth: int
    p: int
    dim: int
    samples: int
    seed: int
    halvings: int


def leading_sweep(point: LeadingPoint) -> dict[str, Any]:
    """For R_j = R·2^{−j}, r_j = R_j/2: certified (∮F/leading − 1) as [lower, upper], with the data drawn
    until a_3 is resolved away from 0 (the law's R² term is present)."""
    seed = point.seed
    while True:
        loss = make_row_loss("lp", point.dim, point.samples, point.p, seed)
        seed += 1
        if not np.any(loss.gradient_at_zero()):
            continue
        case = build_case(point.depth, loss, seed)
        if not series_terms(case)[3].contains(0):
            break
    rows = []
    for j in range(point.halvings):
        radius = case.radius * 2.0 ** -j
        scaled = case._replace(r=INNER_RATIO * radius, radius=radius)
        total, _ = certified_loop(scaled)
        terms = series_terms(scaled)
        with working_precision():
            excess = total / terms[1] - 1
            predicted = sum(list(terms.values())[1:], terms[1]) / terms[1] - 1
        rows.append({"R": radius, "excess": [float(excess.lower()), float(excess.upper())],
                     "predicted": float(predicted.mid()), "resolved": not excess.contains(0),
                     "enclosure": ball_text(total)})
    return {"case": case.describe(), "rows": rows}


@dataclass(frozen=True)
class ExponentFit:
    depth: int
    p: int
    slope: float
    ci: tuple[float, float]
    band: tuple[float, float]
    points: int
    unresolved: int


def exponent_fit(sweep: dict[str, Any]) -> ExponentFit | None:
    """Fit log|ratio − 1| = a + κ log R over the resolved points; the TOST band of claims κ' with
    CI ⊂ [κ' − tol, κ' + tol]: [CI_high − tol, CI_low + tol] (empty → a degenerate band at the value)."""
    rows = [row for row in sweep["rows"] if row["resolved"]]
    if len(rows) < 3:
        return None
    x = np.log([row["R"] for row in rows])
    y = np.log([abs(0.5 * (row["excess"][0] + row["excess"][1])) for row in rows])
    fit = linear_fit(x, y)
    low, high = fit.ci[1] - EXPONENT_TOLERANCE, fit.ci[0] + EXPONENT_TOLERANCE
    band = (low, high) if low <= high else (fit.slope, fit.slope)
    return ExponentFit(sweep["case"]["N"], sweep["case"]["loss"]["p"], fit.slope, fit.ci, band, len(rows),
                       len(sweep["rows"]) - len(rows))


def check_claim(ctx: Context, claim: NoGradientClaim) -> Evidence:
    """Run the claim on generated cases: refuted when the exact Jacobian test proves F a gradient for some case."""
    degree = ctx.pick(ci=LAW_DEGREE_CI, default=LAW_DEGREE, thorough=LAW_DEGREE)
    law_ok, law_text = sympy_series_law(degree)
    passed: list[LoopCase] = []
    failing: list[LoopCase] = []
    strategy = loop_cases(claim.depths, claim.dims, claim.kinds, claim.factor)
    outcome = run_property(ctx, strategy, loop_property(passed, failing))
    examples = outcome.examples
    if outcome.failure:  # the shrunk counterexample: its loop integral, for the report
        shrunk = measure(failing[0], symmetric=True)
        outcome.failure["measured"] = shrunk
        outcome.failure["message"] += f"; loop integral {shrunk['enclosure_text']} (series value {shrunk['series']})"
    uncertified = [e for e in examples if not e["certified_nonzero"]]
    negative = [e for e in examples if e["certified_nonzero"] and not e["positive"]]
    outside = [e for e in examples if not e["series_inside"]]
    fits: list[ExponentFit] = []
    sweeps: list[dict[str, Any]] = []
    if claim == NoGradientClaim():
        sweeps = ctx.map(leading_sweep, leading_points(ctx))
        fits = [f for f in (exponent_fit(s) for s in sweeps) if f is not None]
    exponent_ok = all(f.band[0] <= LEADING_EXPONENT <= f.band[1] for f in fits) and len(fits) == len(sweeps)
    if outcome.failure:
        holds, summary = False, f"refuted: {outcome.failure['message']}"
    elif outside:
        holds, summary = False, (f"{len(outside)} enclosure(s) exclude the series value of (b) (our derivation falsified): "
                                 + "; ".join(f"N={e['N']} {e['loss']}: {e['enclosure_text']} vs {e['series']}" for e in outside))
    elif negative:
        holds, summary = False, f"{len(negative)} loop integral(s) certified negative: the leading term's sign is wrong"
    elif uncertified:
        holds, summary = None, (f"{len(uncertified)} of {len(examples)} enclosure(s) contain 0 at the chosen r, R "
                                "(Jacobian not symmetric, so no refutation either)")
    elif not examples:
        holds, summary = None, "no case generated: undecided"
    elif not law_ok:
        holds, summary = None, "sympy could not prove the series law (b): the leading-term check is unsupported"
    elif not exponent_ok:
        holds, summary = None, ("ratio ∮F/leading − 1 does not scale like R^2 within the tolerance: "
                                + ", ".join(f"N={f.depth} p={f.p}: {f.slope:.3f} CI [{f.ci[0]:.3f}, {f.ci[1]:.3f}]" for f in fits))
    else:
        holds = True
        smallest = min(examples, key=lambda e: e["enclosure"][0])
        summary = (f"{len(examples)} certified positive loop integrals (N {claim.depths[0]}..{claim.depths[1]}, "
                   f"d {claim.dims[0]}..{claim.dims[1]}), each containing the series value; smallest {smallest['enclosure_text']}"
                   + ("; |∮F/leading − 1| ∝ R^κ with κ = " + ", ".join(f"{f.slope:.3f}" for f in fits) if fits else ""))
    measurements = _measurements(examples, outcome.failure, law_ok, degree, fits)
    run: dict[str, Any] = {
        "depths N": f"{claim.depths[0]}..{claim.depths[1]}", "dimensions d": f"{claim.dims[0]}..{claim.dims[1]}",
        "losses": list(claim.kinds), "projection factor": claim.factor, "ℓp powers": list(LP_POWERS),
        "samples per data set": "1..4", "data": f"entries uniform on {{−{GRID}..{GRID}}}/{GRID}",
        "radii": f"R = {RADIUS_FRACTION}·min(1, ‖∇L(0)‖/‖∇²L(0)‖), r = {INNER_RATIO}·R",
        "precision": f"Γ, F, acb.integral and sums at {PRECISION_BITS} bits (accuracy goal {ABS_TOL:g} of the scale); "
                     "mpmath.quad (15 digits) cross-check",
        "examples passed": len(examples), "hypothesis max_examples": ctx.profile.max_examples, "seed": ctx.seed,
        "sympy series law": f"{'proved' if law_ok else 'NOT proved'}: {law_text}",
        "enclosures": [f"N={e['N']} d={e['d']} {e['loss']}: {e['enclosure_text']} (series {e['series']})" for e in examples],
    }
    findings: list[str] = []
    plot_files: list[str] = []
    if claim == NoGradientClaim():
        run["leading-term sweeps"] = sweeps
        findings, extra, plot_files = _boundary_findings(ctx, passed[0] if passed else None, sweeps, fits)
        measurements.extend(extra)
    return Evidence(holds=holds, summary=summary, measurements=measurements, run=run,
                    counterexample=outcome.failure, plots=plot_files, findings=findings, examples=outcome.cases,
                    unresolved=len(uncertified) + sum(f.unresolved for f in fits))


def leading_points(ctx: Context) -> list[LeadingPoint]:
    """The ℓp cases of (b)'s R-sweep: one ℓ4 at N = 3, one ℓ6 at N = 4 (more on larger profiles), seeded."""
    rng = ctx.rng("leading-term")
    count = ctx.pick(ci=1, default=2, thorough=4)
    halvings = ctx.pick(ci=4, default=7, thorough=9)
    return [LeadingPoint(depth, p, int(rng.integers(2, 4)), int(rng.integers(1, 5)), int(rng.integers(2**31)), halvings)
            for _ in range(count) for depth, p in ((3, 4), (4, 6))]


def _measurements(examples: list[dict[str, Any]], failure: dict[str, Any] | None, law_ok: bool, degree: int,
                  fits: list[ExponentFit]) -> list[Measurement]:
    out = [Measurement(f"sympy series law for ∮F proved (polynomial L of degree ≤ {degree}, symbolic β, c)",
                       float(law_ok), predicted=1.0, tolerance=0.0, kind="sympy")]
    if examples:
        n = len(examples)
        out.append(Measurement("certified positive loop integrals", sum(bool(e["positive"]) for e in examples),
                               predicted=n, tolerance=0.0, kind="acb.integral enclosures with lower end > 0"))
        with_ratio = [e for e in examples if "ratio_to_leading" in e]
        if with_ratio:
            low = min(with_ratio, key=lambda e: e["ratio_to_leading"][0])
            out.append(Measurement(f"∮F / leading term, smallest (N={low['N']}, d={low['d']}, {low['loss']})",
                                   0.5 * sum(low["ratio_to_leading"]), predicted=0.0, comparison="≥",
                                   interval=tuple(low["ratio_to_leading"]), band=tuple(low["ratio_to_leading"]),
                                   ruled_out=0.0, kind="arb ball; the sign claim holds iff it lies above 0",
                                   band_note="the certified ball of the ratio; 0 (a vanishing loop integral) is ruled out"))
        out.append(Measurement("enclosures containing the series value of (b)", sum(bool(e["series_inside"]) for e in examples),
                               predicted=n, tolerance=0.0, kind="arb balls overlap"))
        out.append(Measurement("relative width of the loop enclosures (largest)", max(e["relative_width"] for e in examples),
                               kind=f"arb radius / |midpoint| at {PRECISION_BITS} bits"))
    for i, f in enumerate(fits, start=1):
        out.append(Measurement(f"exponent κ of |∮F/leading − 1| ∝ R^κ (case {i}: ℓ{f.p}, N = {f.depth})", f.slope,
                               predicted=LEADING_EXPONENT, tolerance=EXPONENT_TOLERANCE, interval=f.ci, band=f.band,
                               ruled_out=0.0, kind=f"95% CI over {f.points} certified radii (R halved each time)",
                               band_note=f"claims κ' with the CI inside κ' ± {EXPONENT_TOLERANCE} (equivalence test); "
                                         "κ = 0 (the ratio not tending to 1) is ruled out"))
    if failure:
        m = failure.get("measured", {})
        if "enclosure" in m:
            out.append(Measurement("counterexample loop integral", 0.5 * sum(m["enclosure"]), predicted=0.0,
                                   interval=tuple(m["enclosure"]), kind="arb enclosure (contains 0)"))
        out.append(Measurement("counterexample: Jacobian of F symmetric (F a gradient)", 1.0, predicted=0.0,
                               kind="exact polynomial arithmetic over QQ"))
    return out


def _boundary_findings(ctx: Context, case: LoopCase | None, sweeps: list[dict[str, Any]],
                       fits: list[ExponentFit]) -> tuple[list[str], list[Measurement], list[str]]:
    """N = 2: the linear-loss potential (sympy) and a certified sweep of non-linear losses, explained by the
    series law; the N-curve, ratio and field plots."""
    findings = []
    potential_ok = all(depth2_linear_potential(d) for d in (2, 3))
    findings.append(f"Boundary N = 2, linear loss: sympy {'proves' if potential_ok else 'FAILS to prove'} "
                    "F(W) = ‖W‖(g + Pr_W g) = ∇(‖W‖⟨g, W⟩) (d = 2, 3, symbolic g) — a certified counterexample to "
                    "the statement without N ≥ 3; the leading coefficient (c − β) = (N−1)(N−2)/N vanishes at N = 2.")
    rng = ctx.rng("depth-2-nonlinear")
    sweep = []
    for i in range(ctx.pick(ci=2, default=8, thorough=24)):
        kind = ("quadratic", "lp")[i % 2]
        loss = make_row_loss(kind, int(rng.integers(2, 4)), int(rng.integers(1, 5)), int(rng.choice(LP_POWERS)),
                             int(rng.integers(2**32)))
        if not np.any(loss.gradient_at_zero()):
            continue
        c = build_case(2, loss, int(rng.integers(2**32)))
        total, _ = certified_loop(c)
        sweep.append((c, total, jacobian_symmetric(loss, 2)))
    nonzero = sum(not t.contains(0) for _, t, _ in sweep)
    asymmetric = sum(not sym for _, _, sym in sweep)
    findings.append(f"Boundary N = 2, non-linear losses ({len(sweep)} generated ℓ2/ℓp losses, same radii): the Γ_r,R loop "
                    f"integral is certified non-zero for {nonzero}; the exact test finds an asymmetric Jacobian (F is not a gradient) "
                    f"for {asymmetric}. The series law explains which: at N = 2, c n − β = n − 1, so Γ sees only a_3, a_5, … "
                    "of L(t·e) — ℓp losses (a_3 ≠ 0) give a non-zero loop, ℓ2 losses exactly 0 although their Jacobian is "
                    "asymmetric (Γ is blind to their curl). Enclosures: "
                    + "; ".join(f"{c.loss.kind}{'' if c.loss.kind != 'lp' else f' p={c.loss.p}'} d={c.loss.dim}: "
                                f"{ball_text(t)} (Jacobian symmetric: {sym})" for c, t, sym in sweep))
    measurements = [Measurement("N = 2 non-linear: Γ loop certified non-zero (finding)", nonzero,
                                kind=f"count of {len(sweep)} acb enclosures excluding 0"),
                    Measurement("N = 2 non-linear: Jacobian asymmetric (finding)", asymmetric,
                                kind=f"count of {len(sweep)}, exact test"),
                    Measurement("N = 2 linear-loss potential ‖W‖⟨g,W⟩ proved (finding)", float(potential_ok),
                                predicted=1.0, tolerance=0.0, kind="sympy")]
    plot_files = _plot_depth_curve(ctx) + _plot_leading(ctx, sweeps, fits) + (_plot_field(ctx, case) if case else [])
    return findings, measurements, plot_files


def _plot_depth_curve(ctx: Context) -> list[str]:
    """Certified ∮F for L = ⟨e₁, W⟩ in R^2 against N, with the closed form."""
    if ctx.out_dir is None:
        return []
    loss = RowLoss("linear", g=np.array([1.0, 0.0]))
    values = [certified_loop(LoopCase(n, loss, np.array([0.0, 1.0]), 0.5, 1.0, 0))[0] for n in CURVE_DEPTHS]
    fig, ax = plots.figure()
    fine = np.linspace(1, CURVE_DEPTHS[-1], 200)
    ax.plot(fine, [closed_form(1.0, n, 0.5, 1.0) for n in fine], "-", label="closed form 2(N²/(3N−2)−1)(R^a−r^a)")
    ax.errorbar(CURVE_DEPTHS, [float(v.mid()) for v in values], yerr=[float(v.rad()) for v in values], fmt="o",
                label="certified enclosure (acb)")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("depth N")
    ax.set_ylabel("loop integral of F over Γ   (L = ⟨e₁, W⟩, r = 0.5, R = 1)")
    ax.set_title("Loop integral vanishes at N = 1, 2 only")
    ax.legend()
    return plots.save(fig, ctx, "loop-vs-depth")


def _plot_leading(ctx: Context, sweeps: list[dict[str, Any]], fits: list[ExponentFit]) -> list[str]:
    """|∮F/leading − 1| against R (log-log) with the series law's prediction and a slope-2 reference."""
    if ctx.out_dir is None or not sweeps:
        return []
    fig, ax = plots.figure()
    for s, f in zip(sweeps, fits):
        radii = np.array([row["R"] for row in s["rows"]])
        excess = np.array([abs(0.5 * sum(row["excess"])) for row in s["rows"]])
        ax.loglog(radii, excess, "o", label=f"certified, ℓ{f.p} N={f.depth} (κ = {f.slope:.3f})")
        ax.loglog(radii, [abs(row["predicted"]) for row in s["rows"]], "-", lw=0.8, label="series law (b)")
        ax.loglog(radii, excess[0] * (radii / radii[0]) ** LEADING_EXPONENT, ":", color="k", label="∝ R² reference")
    ax.set_xlabel("outer radius R (r = R/2)")
    ax.set_ylabel("|loop integral / leading term − 1|")
    ax.set_title("The loop integral tends to its leading term")
    ax.legend(fontsize=7)
    return plots.save(fig, ctx, "leading-term")


def _plot_field(ctx: Context, case: LoopCase) -> list[str]:
    """The curve Γ_{r,R} and F projected on span{e, f}, for the first generated case."""
    if ctx.out_dir is None:
        return []
    g0 = case.loss.gradient_at_zero()
    e, f = g0 / np.linalg.norm(g0), case.f
    fig, ax = plots.figure(5.0, 5.0)
    span = 1.3 * case.radius
    a, b = np.meshgrid(np.linspace(-span, span, 15), np.linspace(-0.3 * span, span, 12))
    u, v = np.zeros_like(a), np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        point = a[idx] * e + b[idx] * f
        field = single_output_direction(point, np.array(case.loss.gradient(list(point), float)), case.depth).ravel()
        u[idx], v[idx] = field @ e, field @ f
    ax.quiver(a, b, u, v, color="tab:blue", alpha=0.7, label="F projected on span{e, f}")
    th = np.linspace(0, np.pi, 100)
    for rho in (case.radius, case.r):
        ax.plot(rho * np.cos(th), rho * np.sin(th), "k-")
    ax.plot([case.r, case.radius], [0, 0], "k-", label=r"$\Gamma_{r,R}$")
    ax.plot([-case.radius, -case.r], [0, 0], "k-")
    ax.set_aspect("equal")
    ax.set_xlabel("⟨W, e⟩")
    ax.set_ylabel("⟨W, f⟩")
    ax.set_title(rf"$\Gamma_{{r,R}}$ and F (N={case.depth}, {case.loss.kind} loss, d={case.loss.dim})")
    ax.legend(fontsize=7)
    return plots.save(fig, ctx, "curve-and-field")


THEOREM = register(Theorem(
    id="arora2018.no_function",
    title="The single-output end-to-end update is not a gradient field",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §5, Theorem 2 and its proof via the curve Γ_{r,R}",
    statement="For W ∈ R^{1×d} (d ≥ 2), N ≥ 3 and a loss with ∇L(0) ≠ 0, no function on a neighbourhood of 0 has "
              "gradient F(W) = ‖W‖^{2−2/N}(∇L(W) + (N−1) Pr_W ∇L(W)): its line integral around Γ_{r,R} is non-zero "
              "(positive, with leading term 2‖∇L(0)‖(N²/(3N−2) − 1)(R^{3−2/N} − r^{3−2/N}) as r < R → 0).",
    hypotheses=("single output (k = 1)", "∇L(0) ≠ 0, ∇L continuous (here: polynomial — linear, ℓ2, ℓp)",
                "depth N ≥ 3 (needed: false at N = 2 for linear losses)",
                "input dimension d ≥ 2 (needed: Γ requires a direction f ⊥ e)",
                "r < R small: R = 0.1·min(1, ‖∇L(0)‖/‖∇²L(0)‖), r = R/2"),
    conclusion="∮_{Γ_{r,R}} F > 0, certified by acb.integral enclosures (96 bits) that exclude 0 and contain the "
               "series law's value; ∮F/leading → 1 like R^2 for ℓp losses; the exact test finds an asymmetric Jacobian.",
    certification=Certification.CERTIFIED,
    check=lambda ctx: check_claim(ctx, NoGradientClaim()),
    replay=replay,
    controls=(
        Control("depth-1", "For N = 1 (F = ∇L), d ≥ 2 and any loss with ∇L(0) ≠ 0, F is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(depths=(1, 1))), replay),
        Control("depth-2-linear", "For N = 2, d ≥ 2 and a linear loss ⟨g, W⟩ with g ≠ 0, F is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(depths=(2, 2), kinds=("linear",))), replay),
        Control("projection-factor-gradient", "For N ≥ 3, d ≥ 2 and a linear loss, the field with projection factor "
                "2 − 2/N in place of N − 1 is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(kinds=("linear",), factor="2-2/N")), replay),
    ),
    constants={"R": Constant(f"{RADIUS_FRACTION}·min(1, ‖∇L(0)‖/‖∇²L(0)‖)", "chosen", "our 'small enough'"),
               "r": Constant(INNER_RATIO, "chosen", "r = this·R"),
               "precision": Constant(PRECISION_BITS, "chosen", "bits of Γ, F, acb.integral and the sums"),
               "accuracy goal": Constant(ABS_TOL, "chosen", "relative to ‖∇L(0)‖·R^(3−2/N)"),
               "data grid": Constant(GRID, "chosen", "data entries are integers/GRID"),
               "mpmath agreement": Constant(MPMATH_AGREEMENT, "chosen"),
               "leading-term exponent": Constant(LEADING_EXPONENT, "chosen", "our derivation (series law, a_3 ≠ 0)"),
               "exponent tolerance": Constant(EXPONENT_TOLERANCE, "chosen", "equivalence margin"),
               "series law degree": Constant(f"ci {LAW_DEGREE_CI}, default/thorough {LAW_DEGREE}", "chosen",
                                             "sympy proves the law for polynomials up to this degree")},
    headline="certified positive loop integrals",
    tags=frozenset({"certified", "symbolic", "boundary-finding"}),
))
