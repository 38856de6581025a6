"""arora2018.single_output — for one output the end-to-end rule is ‖W‖^{2−2/N}(∇L + (N−1) Pr_W ∇L).

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §5, Claim 2 (λ = 0): for W_e = w ∈ R^{1×d},
Σ_j [wwᵀ]^{(j−1)/N} g [wᵀw]^{(N−j)/N} = ‖w‖^{2−2/N}(g + (N−1)⟨g, w⟩w/‖w‖²).

Checked:
(a) sympy, exactly, for a symbolic row vector w (d = 2, 3), symbolic g and N = 1..SYMBOLIC_MAX_DEPTH:
    with s = ‖w‖², the candidate powers [wwᵀ]^a = s^a and M_b = s^{b−1}wᵀw (b > 0; I for b = 0) are
    verified to be *the* PSD powers (M_b symmetric, M_b wᵀ = s^b wᵀ, M_b(I − wᵀw/s) = 0), and the
    general rule built from them minus the claimed form simplifies to 0;
(b) numerically on generated w (d = 1..6, including w = 0) and gradients: the general rule
    (`verify.engine.end_to_end_rule.end_to_end_direction`) equals the single-output form to TOLERANCE.
Control (same checker): the factor (N − 1) replaced by N.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.checking.context import Context
from verify.checking.property import PropertyFailure, run_property
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, ReplayFn, Theorem
from verify.engine.end_to_end_rule import end_to_end_direction, single_output_direction
from verify.output import plots

TOLERANCE = 1e-10             # relative to max(1, ‖w‖^{2−2/N}‖g‖)
SYMBOLIC_DIMS = (2, 3)
SYMBOLIC_MAX_DEPTH = 5


@dataclass(frozen=True)
class FormClaim:
    """The rule equals ‖w‖^{2−2/N}(g + c·Pr_w g) with c = N − 1 + ``extra`` (extra = 1: the control's N)."""

    extra: int = 0

    def factor(self, depth: int) -> int:
        return depth - 1 + self.extra


def symbolic_identity(dim: int, depth: int, claim: FormClaim) -> dict[str, bool]:
    """Exact: the rank-one PSD powers are what we use, and rule − claimed form = 0 (w ≠ 0)."""
    w = sp.Matrix(1, dim, sp.symbols(f"w0:{dim}", real=True))
    g = sp.Matrix(1, dim, sp.symbols(f"g0:{dim}", real=True))
    s = (w * w.T)[0, 0]
    outer = w.T * w

    def right_power(b: sp.Rational) -> sp.Matrix:
        return sp.eye(dim) if b == 0 else s ** (b - 1) * outer

    powers_ok = all(
        (right_power(b) - right_power(b).T).is_zero_matrix
        and sp.simplify(right_power(b) * w.T - s ** b * w.T).is_zero_matrix
        and sp.simplify(right_power(b) * (sp.eye(dim) - outer / s)).is_zero_matrix
        for b in (sp.Rational(depth - j, depth) for j in range(1, depth)))  # b = 0: A^0 = I by convention
    rule = sp.zeros(1, dim)
    for j in range(1, depth + 1):
        rule += s ** sp.Rational(j - 1, depth) * g * right_power(sp.Rational(depth - j, depth))
    along = (g * w.T)[0, 0]
    claimed = s ** (1 - sp.Rational(1, depth)) * (g + claim.factor(depth) * along / s * w)
    identity_ok = all(sp.simplify(e) == 0 for e in rule - claimed)
    return {"PSD powers": bool(powers_ok), "rule = claimed form": bool(identity_ok)}


class RowCase(dict):
    """A generated row vector w ∈ R^{1×d} (zero or scale·N(0, I)), a gradient g and the depth N."""

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.items() if k not in ("w", "g")}


def build_row_case(d: int, N: int, w_zero: bool, scale: float, seed: int) -> RowCase:
    """w = 0 or scale·N(0, I_d), then g ~ N(0, I_d), from ``seed`` (the inverse of `RowCase.describe`)."""
    rng = np.random.default_rng(seed)
    w = np.zeros((1, d)) if w_zero else scale * rng.standard_normal((1, d))
    return RowCase(d=d, N=N, w_zero=w_zero, scale=scale, seed=seed, w=w, g=rng.standard_normal((1, d)))


def row_cases() -> st.SearchStrategy:
    @st.composite
    def build(draw: Any) -> RowCase:
        dim = draw(st.integers(1, 6), label="d")
        depth = draw(st.integers(1, 6), label="N")
        zero = draw(st.booleans(), label="w = 0")
        scale = draw(st.floats(0.1, 3.0), label="scale")
        return build_row_case(dim, depth, zero, scale, draw(st.integers(0, 2**32 - 1), label="seed"))

    return build()


def relative_gap(case: RowCase, claim: FormClaim) -> float:
    """‖general rule − single-output form‖ / max(1, ‖w‖^{2−2/N}‖g‖)."""
    w, g, depth = case["w"], case["g"], case["N"]
    general = end_to_end_direction(w, g, depth)
    form = single_output_direction(w, g, depth, projection_factor=claim.factor(depth))
    size = float(np.sum(w * w)) ** (1.0 - 1.0 / depth) * float(np.linalg.norm(g))
    return float(np.linalg.norm(general - form)) / max(1.0, size)


def form_property(claim: FormClaim) -> Callable[[RowCase], dict[str, float]]:
    """The property for one generated (w, g, N): the general rule and ``claim``'s form agree to TOLERANCE."""

    def prop(case: RowCase) -> dict[str, float]:
        gap = relative_gap(case, claim)
        if gap > TOLERANCE:
            raise PropertyFailure(f"N = {case['N']}, d = {case['d']}: rule and form differ by {gap:.2e} "
                                  f"(tolerance {TOLERANCE})", {"gap": gap})
        return {"gap": gap}

    return prop


def replay(claim: FormClaim) -> ReplayFn:
    """Re-run the property on one case described by `RowCase.describe()`."""
    return lambda description: form_property(claim)(build_row_case(**description))


def check_claim(ctx: Context, claim: FormClaim) -> Evidence:
    """sympy identity for symbolic w and numeric agreement on generated w, against ``claim``."""
    symbolic = {f"d={d}, N={n}": symbolic_identity(d, n, claim)
                for d in SYMBOLIC_DIMS for n in range(1, SYMBOLIC_MAX_DEPTH + 1)}
    symbolic_ok = all(all(v.values()) for v in symbolic.values())
    budget = ctx.pick(ci=40, default=300, thorough=2000)
    outcome = run_property(ctx, row_cases(), form_property(claim), max_examples=budget)
    gaps = outcome.column("gap")
    holds = symbolic_ok and outcome.holds and bool(gaps)
    measurements = [Measurement("sympy identities proved", sum(all(v.values()) for v in symbolic.values()),
                                predicted=len(symbolic), kind="sympy")]
    if gaps:
        measurements.append(Measurement("max relative gap, rule vs single-output form", max(gaps), predicted=0.0,
                                        tolerance=TOLERANCE, kind="max over examples"))
    if outcome.failure:
        measurements.append(Measurement("relative gap (counterexample)", outcome.failure["measured"].get("gap", np.nan),
                                        predicted=0.0, tolerance=TOLERANCE))
        summary = f"counterexample: {outcome.failure['message']}"
    else:
        summary = f"{len(gaps)} generated (w, g): max relative gap {max(gaps):.1e}" if gaps else "no example ran"
    if not symbolic_ok:
        summary += "; sympy: identity fails for " + ", ".join(k for k, v in symbolic.items() if not all(v.values()))
    return Evidence(holds=holds, summary=summary, measurements=measurements, counterexample=outcome.failure,
                    plots=plot_factor(ctx) if claim == FormClaim() else [], examples=outcome.cases,
                    run={"symbolic": symbolic, "d": "1..6", "N": "1..6", "w": "scale·N(0, I) or 0",
                         "projection factor": "N − 1" if claim.extra == 0 else f"N − 1 + {claim.extra}",
                         "examples passed": len(outcome.examples), "hypothesis max_examples": budget,
                         "seed": ctx.seed, "precision": "float64"})


def plot_factor(ctx: Context) -> list[str]:
    """|⟨update, w/‖w‖⟩| / |⟨g, w/‖w‖⟩| against N for ‖w‖ = 1: the (N−1)+1 = N amplification along w."""
    rng = np.random.default_rng(ctx.seed)
    w = rng.standard_normal((1, 4))
    w /= np.linalg.norm(w)
    g = rng.standard_normal((1, 4))
    depths = np.arange(1, 9)
    ratios = [float(end_to_end_direction(w, g, int(n)).ravel() @ w.ravel()) / float(g.ravel() @ w.ravel())
              for n in depths]
    fig, ax = plots.figure()
    ax.plot(depths, ratios, "o", label="general rule (Σ_j powers)")
    ax.plot(depths, depths, "-", label="1 + (N−1) (Claim 2)")
    ax.plot(depths, depths + 1, ":", label="1 + N (control)")
    ax.set_xlabel("depth N")
    ax.set_ylabel("component along w / ⟨g, w⟩   (‖w‖ = 1)")
    ax.set_title("Single output: the projection term multiplies the w-component by N")
    ax.legend()
    return plots.save(fig, ctx, "projection-factor")


THEOREM = register(Theorem(
    id="arora2018.single_output",
    title="Single-output end-to-end rule: adaptive step ‖W‖^{2−2/N} plus (N−1)× projection",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §5, Claim 2",
    statement="For W_e ∈ R^{1×d}: Σ_j [W_eW_eᵀ]^{(j−1)/N} ∇L [W_eᵀW_e]^{(N−j)/N} = ‖W_e‖^{2−2/N}(∇L + (N−1) Pr_{W_e} ∇L).",
    hypotheses=("single output k = 1", "depth N ≥ 1", "Pr_W g = ⟨g, W⟩W/‖W‖², 0 at W = 0; 0^0 = 1"),
    conclusion="The two sides agree exactly (sympy, symbolic w and g) and to 1e-10 numerically.",
    certification=Certification.SYMBOLIC,
    check=lambda ctx: check_claim(ctx, FormClaim()),
    replay=replay(FormClaim()),
    controls=(
        Control("projection-factor-n", "The single-output rule is ‖W_e‖^{2−2/N}(∇L + N·Pr_{W_e} ∇L).",
                lambda ctx: check_claim(ctx, FormClaim(extra=1)), replay(FormClaim(extra=1))),
    ),
    constants={"tolerance": Constant(TOLERANCE, "chosen", "relative to max(1, ‖w‖^(2−2/N)‖g‖)")},
    headline="max relative gap, rule vs single-output form",
    tags=frozenset({"symbolic"}),
))
