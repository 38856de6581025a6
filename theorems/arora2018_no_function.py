"""arora2018.no_function — the single-output end-to-end update is not the gradient of any function.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §5, Theorem 2: for a single output (W ∈ R^{1×d})
and ∇L(0) ≠ 0, no function has gradient F(W) = ‖W‖^{2−2/N}(∇L(W) + (N−1) Pr_W ∇L(W)); the proof
shows that the line integral of F around the closed curve Γ_{r,R} (segment r·e → R·e, half-circle
of radius R to −R·e, segment −R·e → −r·e, half-circle of radius r back, in span{e, f}, e =
∇L(0)/‖∇L(0)‖, f ⊥ e a unit vector) is non-zero for small r < R.

Checked, for hypothesis-generated losses (linear ⟨g, W⟩; ℓ2 regression ½‖WX − y‖²; ℓp regression
Σ_m (x_mᵀW − y_m)^p/p, p ∈ {4, 6}; data on a dyadic grid so that float64 and sympy hold the same
numbers), depths N and dimensions d:
(a) **certified** (python-flint acb.integral, `verify.engine.certify`): an enclosure of ∮_Γ F that excludes
    0 proves F is not a gradient. The integrand is the field F evaluated at γ(t) dotted with γ'(t),
    with the branch of ‖W‖^{2−2/N} = (Σ W_i²)^{1−1/N} checked analytic along the path;
(b) **symbolic**: sympy's exact test of the Jacobian's symmetry on W ≠ 0. A symmetric Jacobian plus
    continuity of F at 0 makes F a gradient (for d = 2 the punctured plane is not simply connected,
    but a loop integral around 0 is independent of the loop and tends to 0 with its radius);
    an asymmetric one proves it is not;
(c) cross-checks: mpmath quadrature of the float64 field (`verify.engine.end_to_end_rule`), and for a linear
    loss the closed form 2‖g‖(N²/(3N−2) − 1)(R^{3−2/N} − r^{3−2/N}), which sympy derives here.

Boundary findings (reported, not hidden): the statement needs N ≥ 3 and d ≥ 2. At N = 2, sympy proves
F = ∇(‖W‖⟨g, W⟩) for a linear loss; at d = 1 every continuous field is a gradient. N = 2 with
non-linear losses is measured and reported. Ours, not the paper's: the radii R = RADIUS_FRACTION ·
min(1, ‖∇L(0)‖/‖∇²L(0)‖), r = INNER_RATIO · R ("small enough" in the paper), and the precision.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Sequence

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.checking.context import Context
from verify.checking.property import PropertyFailure, run_property
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.engine.certify import Enclosure, PathPiece, loop_integral
from verify.engine.end_to_end_rule import single_output_direction
from verify.errors import InvalidArgument
from verify.output import plots

LOSS_KINDS = ("linear", "quadratic", "lp")
LP_POWERS = (4, 6)
GRID = 8                       # data entries are integers/GRID in [−1, 1] (exact in float64 and sympy)
RADIUS_FRACTION = 0.1          # R = RADIUS_FRACTION · min(1, ‖∇L(0)‖/‖∇²L(0)‖)
INNER_RATIO = 0.5              # r = INNER_RATIO · R
PRECISION_BITS = 96            # working precision of acb.integral
ABS_TOL = 1e-20                # acb.integral accuracy goal, relative to ‖∇L(0)‖·R^{3−2/N}
MPMATH_AGREEMENT = 1e-9        # |mpmath − enclosure midpoint| ≤ this · (1 + |closed-form scale|)
LEADING_RATIO_TOLERANCE = 0.5  # |∮F / leading linear term − 1| reported against this (not gated)
CURVE_DEPTHS = tuple(range(1, 9))


# ---------------------------------------------------------------- losses of a row vector W ∈ R^{1×d}

@dataclass(frozen=True)
class RowLoss:
    """A loss of W ∈ R^{1×d} with a polynomial gradient, evaluable in any ring (float, acb, sympy).

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

    def gradient(self, w: Sequence[Any], const: Callable[[float], Any]) -> list[Any]:
        """∇L(W) with the data converted by ``const`` (e.g. acb, sympy.Rational, float)."""
        if self.kind == "linear":
            return [const(v) for v in self.g]
        power = 1 if self.kind == "quadratic" else self.p - 1
        d, n = self.x.shape
        residuals = [sum((const(self.x[k, m]) * w[k] for k in range(1, d)), const(self.x[0, m]) * w[0])
                     - const(self.y[m]) for m in range(n)]
        weights = [res ** power for res in residuals]
        return [sum((weights[m] * const(self.x[i, m]) for m in range(1, n)), weights[0] * const(self.x[i, 0]))
                for i in range(d)]

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
    """A depth N, a loss, the plane direction f ⊥ e and the radii of Γ_{r,R}."""

    depth: int
    loss: RowLoss
    f: np.ndarray | None
    r: float
    radius: float
    seed: int

    def describe(self) -> dict[str, Any]:
        return {"N": self.depth, "loss": self.loss.describe(), "f": None if self.f is None else self.f.tolist(),
                "r": self.r, "R": self.radius, "seed": self.seed}


def build_loop_case(N: int, loss: dict[str, Any], f: Sequence[float] | None, r: float, R: float,
                    seed: int) -> LoopCase:
    """The case recorded by `LoopCase.describe` (the inverse of it: f, r, R as recorded, not re-derived)."""
    return LoopCase(N, RowLoss.from_description(**loss), None if f is None else np.array(f, dtype=np.float64),
                    r, R, seed)


def build_case(depth: int, loss: RowLoss, seed: int) -> LoopCase:
    """Choose f ⊥ e at random (seeded) and the radii R = RADIUS_FRACTION·min(1, ‖g₀‖/‖H₀‖), r = INNER_RATIO·R."""
    g0 = loss.gradient_at_zero()
    e = g0 / np.linalg.norm(g0)
    f = None
    if loss.dim >= 2:
        v = np.random.default_rng(seed).standard_normal(loss.dim)
        v -= (v @ e) * e
        f = v / np.linalg.norm(v)
    curvature = float(np.linalg.norm(loss.hessian_at_zero(), 2))
    radius = RADIUS_FRACTION * min(1.0, float(np.linalg.norm(g0)) / curvature if curvature > 0 else 1.0)
    return LoopCase(depth, loss, f, INNER_RATIO * radius, radius, seed)


def loop_cases(depths: tuple[int, int], dims: tuple[int, int], kinds: tuple[str, ...]) -> st.SearchStrategy:
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
        return build_case(depth, loss, draw(st.integers(0, 2**32 - 1), label="plane seed"))

    return build()


# ---------------------------------------------------------------- (a) certified loop integral

def acb_field(loss: RowLoss, depth: int) -> Callable[[list[Any], bool], list[Any]]:
    """F(W) = (Σ W_i²)^{1−1/N} (∇L + (N−1)⟨∇L, W⟩ W / Σ W_i²) in acb, branch checked when ``analytic``."""
    from flint import acb, fmpq

    exponent = acb(fmpq(depth - 1, depth))

    def field(w: list[Any], analytic: bool) -> list[Any]:
        grad = loss.gradient(w, acb)
        s = sum((wi * wi for wi in w[1:]), w[0] * w[0])
        along = sum((gi * wi for gi, wi in zip(grad[1:], w[1:])), grad[0] * w[0])
        scale = s.pow(exponent, analytic=analytic)
        return [scale * (gi + (depth - 1) * along * wi / s) for gi, wi in zip(grad, w)]

    return field


def gamma_pieces(e: np.ndarray, f: np.ndarray, r: float, radius: float) -> list[PathPiece]:
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


def certified_loop(case: LoopCase) -> tuple[Enclosure, dict[str, Enclosure]]:
    """Rigorous enclosure of ∮_{Γ_{r,R}} F (and of each piece)."""
    g0 = case.loss.gradient_at_zero()
    pieces = gamma_pieces(g0 / np.linalg.norm(g0), case.f, case.r, case.radius)
    scale = float(np.linalg.norm(g0)) * case.radius ** (3.0 - 2.0 / case.depth)
    return loop_integral(acb_field(case.loss, case.depth), pieces, bits=PRECISION_BITS, abs_tol=ABS_TOL * scale)


def mpmath_loop(case: LoopCase) -> float:
    """The same loop integral by mpmath.quad of the float64 field `single_output_direction` (cross-check)."""
    g0 = case.loss.gradient_at_zero()
    e, f = g0 / np.linalg.norm(g0), case.f

    def field_dot(point: np.ndarray, velocity: np.ndarray) -> float:
        grad = np.array(case.loss.gradient(list(point), float))
        return float(single_output_direction(point, grad, case.depth).ravel() @ velocity)

    def arc(rho: float, a: float, b: float) -> Any:
        return mpmath.quad(lambda th: field_dot(rho * (np.cos(float(th)) * e + np.sin(float(th)) * f),
                                                rho * (np.cos(float(th)) * f - np.sin(float(th)) * e)), [a, b])

    segment = mpmath.quad(lambda t: field_dot(float(t) * e, e), [case.r, case.radius])
    back = mpmath.quad(lambda t: field_dot(float(t) * e, e), [-case.radius, -case.r])
    return float(segment + back + arc(case.radius, 0.0, np.pi) + arc(case.r, np.pi, 0.0))


# ---------------------------------------------------------------- (b), (c) symbolic

def _rational(x: float) -> sp.Rational:
    return sp.Rational(float(x))


def jacobian_symmetric(loss: RowLoss, depth: int) -> bool:
    """Exact: is ∂_jF_i = ∂_iF_j on W ≠ 0?  With s = Σ W_k², c = 1 − 1/N, F = s^{c−1}·K and the
    polynomial K = s∇L + (N−1)⟨∇L, W⟩W: s^{2−c}·curl_ij = 2(c−1)(W_jK_i − W_iK_j) + s(∂_jK_i − ∂_iK_j),
    a polynomial (sympy Poly over QQ) that vanishes identically iff the Jacobian is symmetric."""
    w = sp.symbols(f"w0:{loss.dim}", real=True)
    wp = [sp.Poly(wi, *w, domain="QQ") for wi in w]
    poly = [sp.Poly(gi, *w, domain="QQ") for gi in loss.gradient(wp, _rational)]
    s = sum((wi ** 2 for wi in wp[1:]), wp[0] ** 2)
    along = sum((gi * wi for gi, wi in zip(poly[1:], wp[1:])), poly[0] * wp[0])
    k = [s * gi + (depth - 1) * along * wi for gi, wi in zip(poly, wp)]
    c_minus_1 = -sp.Rational(1, depth)
    for i in range(loss.dim):
        for j in range(i + 1, loss.dim):
            curl = 2 * c_minus_1 * (wp[j] * k[i] - wp[i] * k[j]) + s * (k[i].diff(w[j]) - k[j].diff(w[i]))
            if not curl.is_zero:
                return False
    return True


@functools.lru_cache(maxsize=None)
def sympy_closed_form() -> tuple[bool, str]:
    """sympy integrates F·dγ piece by piece for L = ⟨g, W⟩ (g = γ e, symbolic N, r, R, γ) and compares
    with 2γ(N²/(3N−2) − 1)(R^{3−2/N} − r^{3−2/N}); returns (equal, the derived expression)."""
    n = sp.Symbol("N", positive=True, integer=True)
    r, big, gam = sp.symbols("r R gamma", positive=True)
    t, th = sp.symbols("t theta", real=True)

    def piece(px: sp.Expr, py: sp.Expr, norm2: sp.Expr, var: sp.Symbol, lo: Any, hi: Any) -> sp.Expr:
        scale = norm2 ** (1 - 1 / n)
        fx = scale * (gam + (n - 1) * gam * px * px / norm2)
        fy = scale * ((n - 1) * gam * px * py / norm2)
        return sp.integrate(sp.simplify(fx * sp.diff(px, var) + fy * sp.diff(py, var)), (var, lo, hi))

    total = (piece(t, sp.S.Zero, t ** 2, t, r, big)
             + piece(big * sp.cos(th), big * sp.sin(th), big ** 2, th, 0, sp.pi)
             + piece(-t, sp.S.Zero, t ** 2, t, big, r)
             + piece(r * sp.cos(th), r * sp.sin(th), r ** 2, th, sp.pi, 0))
    expected = 2 * gam * (n ** 2 / (3 * n - 2) - 1) * (big ** (3 - 2 / n) - r ** (3 - 2 / n))
    return sp.simplify(total - expected) == 0, str(sp.factor(sp.simplify(total)))


def closed_form(norm_g: float, depth: int, r: float, radius: float) -> float:
    """2‖g‖(N²/(3N−2) − 1)(R^{3−2/N} − r^{3−2/N}): the loop integral for a linear loss."""
    a = 3.0 - 2.0 / depth
    return 2.0 * norm_g * (depth ** 2 / (3 * depth - 2) - 1.0) * (radius ** a - r ** a)


@functools.lru_cache(maxsize=None)
def depth2_linear_potential(dim: int) -> bool:
    """sympy: ∇(‖W‖⟨g, W⟩) = ‖W‖(g + Pr_W g) = F at N = 2 for symbolic g, W ∈ R^dim (W ≠ 0)."""
    w = sp.symbols(f"w0:{dim}", real=True)
    g = sp.symbols(f"g0:{dim}", real=True)
    norm = sp.sqrt(sum(wi ** 2 for wi in w))
    along = sum(gi * wi for gi, wi in zip(g, w))
    potential = norm * along
    return all(sp.simplify(sp.diff(potential, wi) - norm * (gi + along * wi / norm ** 2)) == 0
               for gi, wi in zip(g, w))


# ---------------------------------------------------------------- the checker

@dataclass(frozen=True)
class NoGradientClaim:
    """"For N in ``depths``, d in ``dims`` and losses of ``kinds`` with ∇L(0) ≠ 0, F is not a gradient."""

    depths: tuple[int, int] = (3, 6)
    dims: tuple[int, int] = (2, 4)
    kinds: tuple[str, ...] = LOSS_KINDS


def measure(case: LoopCase, symmetric: bool) -> dict[str, Any]:
    """Certified loop enclosure with mpmath and closed-form cross-checks for one case (``symmetric``: the
    sympy Jacobian verdict, which an enclosure excluding 0 would contradict)."""
    g0 = case.loss.gradient_at_zero()
    out: dict[str, Any] = {"N": case.depth, "d": case.loss.dim, "loss": case.loss.kind, "r": case.r,
                           "R": case.radius, "jacobian_symmetric": symmetric}
    if case.f is None:
        out["loop"] = "Γ_{r,R} needs a unit vector f ⊥ e: none exists for d = 1"
        return out
    total, parts = certified_loop(case)
    leading = closed_form(float(np.linalg.norm(g0)), case.depth, case.r, case.radius)
    quad = mpmath_loop(case)
    if abs(quad - total.mid) > MPMATH_AGREEMENT * (1.0 + abs(leading)) + total.radius:
        raise ArithmeticError(f"mpmath.quad {quad:.15g} disagrees with the certified enclosure {total.text}")
    if symmetric and total.excludes_zero:
        raise ArithmeticError(f"sympy proves F is a gradient but the loop enclosure {total.text} excludes 0")
    out.update(enclosure=[total.lower, total.upper], enclosure_text=total.text, certified_nonzero=total.excludes_zero,
               pieces={k: v.text for k, v in parts.items()}, mpmath=quad, leading_term=leading,
               leading_ratio=total.mid / leading if leading != 0 else None)
    if case.loss.kind == "linear":
        out["closed_form_error"] = abs(total.mid - leading)
        out["closed_form_inside_enclosure"] = total.lower - 1e-15 * abs(leading) <= leading <= total.upper + 1e-15 * abs(leading)
    return out


def loop_property(passed: list[LoopCase] | None = None,
                  failing: list[LoopCase] | None = None) -> Callable[[LoopCase], dict[str, Any]]:
    """The property for one generated case (the same for every claim: claims differ only in what is
    generated): fails when sympy proves F's Jacobian symmetric, else measures the loop integral.
    Passing cases are appended to ``passed``; ``failing`` is set to the last failing case."""

    def prop(case: LoopCase) -> dict[str, Any]:
        if jacobian_symmetric(case.loss, case.depth):
            if failing is not None:
                failing[:] = [case]
            raise PropertyFailure(f"F is a gradient: sympy proves its Jacobian symmetric on W ≠ 0 (N = {case.depth}, "
                                  f"d = {case.loss.dim}, {case.loss.kind} loss)", {"jacobian_symmetric": True})
        m = measure(case, symmetric=False)
        if passed is not None:
            passed.append(case)
        return m

    return prop


def replay(description: dict[str, Any]) -> dict[str, Any]:
    """Re-run the property on one case described by `LoopCase.describe()`."""
    return loop_property()(build_loop_case(**description))


def check_claim(ctx: Context, claim: NoGradientClaim) -> Evidence:
    """Run the claim on generated cases: refuted when sympy proves F a gradient for some case."""
    closed_ok, closed_text = sympy_closed_form()
    passed: list[LoopCase] = []
    failing: list[LoopCase] = []
    outcome = run_property(ctx, loop_cases(claim.depths, claim.dims, claim.kinds), loop_property(passed, failing))
    examples = outcome.examples
    if outcome.failure:  # the shrunk counterexample: its loop integral, for the report
        shrunk = measure(failing[0], symmetric=True)
        outcome.failure["measured"] = shrunk
        outcome.failure["message"] += "; loop integral " + shrunk.get("enclosure_text", shrunk.get("loop", ""))
    certified = [e for e in examples if e.get("certified_nonzero")]
    uncertified = [e for e in examples if not e.get("certified_nonzero")]
    if outcome.failure:
        holds, summary = False, f"refuted: {outcome.failure['message']}"
    elif uncertified:
        holds, summary = None, (f"{len(uncertified)} of {len(examples)} enclosure(s) contain 0 at the chosen r, R "
                                "(Jacobian not symmetric, so no refutation either)")
    else:
        holds = (closed_ok if examples else None)  # nothing generated: undecided, not refuted
        summary = (f"{len(certified)} certified non-zero loop integrals (N {claim.depths[0]}..{claim.depths[1]}, "
                   f"d {claim.dims[0]}..{claim.dims[1]}); smallest |∮F|/radius "
                   f"{min(abs(0.5 * sum(e['enclosure'])) / (0.5 * (e['enclosure'][1] - e['enclosure'][0])) for e in certified):.2e}")
    measurements = _measurements(examples, outcome.failure, closed_ok)
    findings: list[str] = []
    plot_files: list[str] = []
    run: dict[str, Any] = {
        "depths N": f"{claim.depths[0]}..{claim.depths[1]}", "dimensions d": f"{claim.dims[0]}..{claim.dims[1]}",
        "losses": list(claim.kinds), "ℓp powers": list(LP_POWERS), "samples per data set": "1..4",
        "data": f"entries uniform on {{−{GRID}..{GRID}}}/{GRID}", "radii": f"R = {RADIUS_FRACTION}·min(1, ‖∇L(0)‖/‖∇²L(0)‖), "
        f"r = {INNER_RATIO}·R", "precision": f"acb.integral at {PRECISION_BITS} bits; mpmath.quad (15 digits) cross-check",
        "examples passed": len(outcome.examples), "hypothesis max_examples": ctx.profile.max_examples, "seed": ctx.seed,
        "sympy closed form (linear loss, symbolic N)": closed_text,
        "enclosures": [f"N={e['N']} d={e['d']} {e['loss']}: {e['enclosure_text']}" for e in examples if "enclosure_text" in e],
    }
    if claim == NoGradientClaim():
        findings, extra, plot_files = _boundary_findings(ctx, passed[0] if passed else None)
        measurements.extend(extra)
        run["N = 2 non-linear sweep"] = ctx.pick(ci=3, default=8, thorough=24)
    return Evidence(holds=holds, summary=summary, measurements=measurements, run=run,
                    counterexample=outcome.failure, plots=plot_files, findings=findings, examples=outcome.cases)


def _measurements(examples: list[dict[str, Any]], failure: dict[str, Any] | None,
                  closed_ok: bool) -> list[Measurement]:
    out = [Measurement("sympy closed form for linear L (symbolic N) proved", float(closed_ok), predicted=1.0,
                       kind="sympy")]
    with_loop = [e for e in examples if "enclosure" in e]
    if with_loop:
        out.append(Measurement("certified non-zero loop integrals", sum(bool(e["certified_nonzero"]) for e in with_loop),
                               predicted=len(with_loop), kind="acb.integral enclosures excluding 0"))
        smallest = min(with_loop, key=lambda e: abs(e["enclosure"][0] + e["enclosure"][1]))
        out.append(Measurement(f"∮F, smallest example (N={smallest['N']}, d={smallest['d']}, {smallest['loss']})",
                               0.5 * (smallest["enclosure"][0] + smallest["enclosure"][1]),
                               predicted=smallest["leading_term"], interval=tuple(smallest["enclosure"]),
                               kind="arb enclosure; predicted = linear-loss leading term"))
        ratios = [e["leading_ratio"] for e in with_loop if e.get("leading_ratio") is not None]
        if ratios:
            out.append(Measurement("∮F / leading term 2‖∇L(0)‖(N²/(3N−2)−1)(R^a−r^a)", float(np.mean(ratios)),
                                   predicted=1.0, tolerance=LEADING_RATIO_TOLERANCE, interval=(min(ratios), max(ratios)),
                                   kind="min..max over examples"))
        linear = [e for e in with_loop if "closed_form_error" in e]
        if linear:
            out.append(Measurement("linear loss: closed form inside the enclosure",
                                   sum(bool(e["closed_form_inside_enclosure"]) for e in linear), predicted=len(linear),
                                   kind="count"))
    if failure:
        m = failure.get("measured", {})
        if "enclosure" in m:
            out.append(Measurement("counterexample loop integral", 0.5 * sum(m["enclosure"]), predicted=0.0,
                                   interval=tuple(m["enclosure"]), kind="arb enclosure (contains 0)"))
        out.append(Measurement("counterexample: Jacobian of F symmetric (F a gradient)", 1.0, predicted=0.0,
                               kind="sympy"))
    return out


def _boundary_findings(ctx: Context, case: LoopCase | None) -> tuple[list[str], list[Measurement], list[str]]:
    """N = 2: the linear-loss potential (sympy) and a certified sweep of non-linear losses; the N-curve plot."""
    findings = []
    potential_ok = all(depth2_linear_potential(d) for d in (2, 3))
    findings.append(f"Boundary N = 2, linear loss: sympy {'proves' if potential_ok else 'FAILS to prove'} "
                    "F(W) = ‖W‖(g + Pr_W g) = ∇(‖W‖⟨g, W⟩) (d = 2, 3, symbolic g) — a certified counterexample to "
                    "the statement without N ≥ 3 (docs/theorems.md: 'N > 2'); the closed form vanishes at N = 2.")
    rng = ctx.rng("depth-2-nonlinear")
    sweep = []
    for i in range(ctx.pick(ci=3, default=8, thorough=24)):
        kind = ("quadratic", "lp")[i % 2]
        loss = make_row_loss(kind, int(rng.integers(2, 4)), int(rng.integers(1, 5)), int(rng.choice(LP_POWERS)),
                             int(rng.integers(2**32)))
        if not np.any(loss.gradient_at_zero()):
            continue
        c = build_case(2, loss, int(rng.integers(2**32)))
        total, _ = certified_loop(c)
        sweep.append((c, total, jacobian_symmetric(loss, 2)))
    nonzero = sum(t.excludes_zero for _, t, _ in sweep)
    asymmetric = sum(not sym for _, _, sym in sweep)
    findings.append(f"Boundary N = 2, non-linear losses ({len(sweep)} generated quadratic/ℓp losses, same radii): "
                    f"the Γ_r,R loop integral is certified non-zero for {nonzero}; sympy finds an asymmetric Jacobian "
                    f"(so F is not a gradient, exactly) for {asymmetric}. A loss whose Jacobian is asymmetric but whose "
                    "enclosure contains 0 is one where this particular curve does not detect the curl. Enclosures: "
                    + "; ".join(f"{c.loss.kind}{'' if c.loss.kind != 'lp' else f' p={c.loss.p}'} d={c.loss.dim}: "
                                f"{t.text} (Jacobian symmetric: {sym})" for c, t, sym in sweep))
    measurements = [Measurement("N = 2 non-linear: Γ loop certified non-zero (finding)", nonzero, predicted=None,
                                kind=f"count of {len(sweep)} acb enclosures excluding 0"),
                    Measurement("N = 2 non-linear: Jacobian asymmetric (finding)", asymmetric, predicted=None,
                                kind=f"count of {len(sweep)}, sympy"),
                    Measurement("N = 2 linear-loss potential ‖W‖⟨g,W⟩ proved (finding)", float(potential_ok),
                                predicted=1.0, kind="sympy")]
    plot_files = _plot_depth_curve(ctx) + (_plot_field(ctx, case) if case is not None else [])
    return findings, measurements, plot_files


def _plot_depth_curve(ctx: Context) -> list[str]:
    """Certified ∮F for L = ⟨e₁, W⟩ in R^2 against N, with the closed form."""
    loss = RowLoss("linear", g=np.array([1.0, 0.0]))
    values = [certified_loop(LoopCase(n, loss, np.array([0.0, 1.0]), 0.5, 1.0, 0))[0] for n in CURVE_DEPTHS]
    fig, ax = plots.figure()
    fine = np.linspace(1, CURVE_DEPTHS[-1], 200)
    ax.plot(fine, [closed_form(1.0, n, 0.5, 1.0) for n in fine], "-", label="closed form 2(N²/(3N−2)−1)(R^a−r^a)")
    ax.errorbar(CURVE_DEPTHS, [v.mid for v in values], yerr=[v.radius for v in values], fmt="o",
                label="certified enclosure (acb)")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("depth N")
    ax.set_ylabel("∮_Γ F   (L = ⟨e₁, W⟩, r = 0.5, R = 1)")
    ax.set_title("Loop integral vanishes at N = 1, 2 only")
    ax.legend()
    return plots.save(fig, ctx, "loop-vs-depth")


def _plot_field(ctx: Context, case: LoopCase) -> list[str]:
    """The curve Γ_{r,R} and F projected on span{e, f}, for the first generated case."""
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
    ax.quiver(a, b, u, v, color="tab:blue", alpha=0.7)
    th = np.linspace(0, np.pi, 100)
    for rho in (case.radius, case.r):
        ax.plot(rho * np.cos(th), rho * np.sin(th), "k-")
    ax.plot([case.r, case.radius], [0, 0], "k-")
    ax.plot([-case.radius, -case.r], [0, 0], "k-")
    ax.set_aspect("equal")
    ax.set_xlabel("⟨W, e⟩")
    ax.set_ylabel("⟨W, f⟩")
    ax.set_title(f"Γ_r,R and F (N={case.depth}, {case.loss.kind} loss, d={case.loss.dim})")
    return plots.save(fig, ctx, "curve-and-field")


THEOREM = register(Theorem(
    id="arora2018.no_function",
    title="The single-output end-to-end update is not a gradient field",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §5, Theorem 2 and its proof via the curve Γ_{r,R}",
    statement="For W ∈ R^{1×d} and a loss with ∇L(0) ≠ 0, no function on a neighbourhood of 0 has gradient "
              "F(W) = ‖W‖^{2−2/N}(∇L(W) + (N−1) Pr_W ∇L(W)): its line integral around Γ_{r,R} is non-zero.",
    hypotheses=("single output (k = 1)", "∇L(0) ≠ 0, ∇L continuous (here: polynomial — linear, ℓ2, ℓp)",
                "depth N ≥ 3 (needed: false at N = 2 for linear losses)",
                "input dimension d ≥ 2 (needed: Γ requires a direction f ⊥ e)",
                "r < R small: R = 0.1·min(1, ‖∇L(0)‖/‖∇²L(0)‖), r = R/2"),
    conclusion="∮_{Γ_{r,R}} F ≠ 0, certified by an acb.integral enclosure that excludes 0; sympy also finds "
               "an asymmetric Jacobian.",
    certification=Certification.CERTIFIED,
    check=lambda ctx: check_claim(ctx, NoGradientClaim()),
    replay=replay,
    controls=(
        Control("depth-1", "For N = 1 (F = ∇L), d ≥ 2 and any loss with ∇L(0) ≠ 0, F is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(depths=(1, 1))), replay),
        Control("depth-2-linear", "For N = 2, d ≥ 2 and a linear loss ⟨g, W⟩ with g ≠ 0, F is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(depths=(2, 2), kinds=("linear",))), replay),
        Control("dimension-1", "For d = 1, N ≥ 3 and any loss with L'(0) ≠ 0, F is not a gradient.",
                lambda ctx: check_claim(ctx, NoGradientClaim(dims=(1, 1))), replay),
    ),
    constants={"R": Constant(f"{RADIUS_FRACTION}·min(1, ‖∇L(0)‖/‖∇²L(0)‖)", "chosen", "our 'small enough'"),
               "r": Constant(INNER_RATIO, "chosen", "r = this·R"),
               "precision": Constant(PRECISION_BITS, "chosen", "bits of acb.integral"),
               "accuracy goal": Constant(ABS_TOL, "chosen", "relative to ‖∇L(0)‖·R^(3−2/N)"),
               "data grid": Constant(GRID, "chosen", "data entries are integers/GRID"),
               "mpmath agreement": Constant(MPMATH_AGREEMENT, "chosen")},
    headline="certified non-zero loop integrals",
    tags=frozenset({"certified", "symbolic", "boundary-finding"}),
))
