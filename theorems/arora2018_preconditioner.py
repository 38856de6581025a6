"""arora2018.preconditioner — the end-to-end rule is a PSD preconditioner with an explicit eigenbasis.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §5, Claim 1: vec(W_e update) = −η P_{W_e}
vec(∇L(W_e)) with P_W = Σ_j [WᵀW]^{(N−j)/N} ⊗ [WWᵀ]^{(j−1)/N} (column-major vec) PSD; with the full
SVD W = U D Vᵀ its eigenvectors are vec(u_r v_{r'}ᵀ) and its eigenvalues
Σ_{j=1}^{N} σ_r^{2(N−j)/N} σ_{r'}^{2(j−1)/N} (σ_r := 0 past min(k, d), 0^0 := 1).

Checked:
(a) sympy, exactly, for W = diag(a, b) (a, b > 0 symbols) and W = diag(a, 0) (the 0^0 convention),
    N = 1..SYMBOLIC_MAX_DEPTH: P built from its definition has eigenvectors vec(e_r e_{r'}ᵀ) with the formula's
    eigenvalues;
(b) numerically on hypothesis-generated W_e (k, d ≤ 4, any rank, singular values 0.2..3), N = 1..5:
    P is symmetric, PSD, P vec(u_r v_{r'}ᵀ) = λ(r, r') vec(u_r v_{r'}ᵀ), its spectrum equals the formula's
    multiset, and P vec(G) = vec(end-to-end rule) for a random G — all to TOLERANCE (relative to ‖P‖).
Control (same checker): the formula with the 1/N dropped from the exponents.
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
from verify.engine.end_to_end_rule import (
    end_to_end_direction,
    paper_eigenvalue,
    preconditioner,
    preconditioner_eigenpairs,
    vec,
)
from verify.output import plots

TOLERANCE = 1e-10             # relative to max(1, ‖P‖₂)
SYMBOLIC_MAX_DEPTH = 4
SIGMA_RANGE = (0.2, 3.0)


@dataclass(frozen=True)
class EigenClaim:
    """P's eigenvalues are Σ_j σ_r^{2(N−j)s} σ_{r'}^{2(j−1)s} with s = ``exponent_scale`` (None: 1/N)."""

    exponent_scale: float | None = None

    def symbolic_scale(self, depth: int) -> sp.Rational:
        return sp.Rational(1, depth) if self.exponent_scale is None else sp.nsimplify(self.exponent_scale)


# ---------------------------------------------------------------- (a) symbolic

def symbolic_eigen_identity(depth: int, sigmas: tuple[sp.Expr, sp.Expr], claim: EigenClaim) -> bool:
    """Exact, for W = diag(σ_1, σ_2): P = Σ_j [WᵀW]^{(N−j)/N} ⊗ [WWᵀ]^{(j−1)/N} (powers of a diagonal PSD
    matrix are entrywise, 0^0 = 1) maps vec(e_r e_{r'}ᵀ) to the claimed λ(r, r') times itself."""
    gram = [s ** 2 for s in sigmas]

    def diag_power(p: sp.Expr) -> sp.Matrix:
        return sp.diag(*[sp.S.One if p == 0 else g ** p for g in gram])

    p_matrix = sp.zeros(4, 4)
    for j in range(1, depth + 1):
        p_matrix += sp.kronecker_product(diag_power(sp.Rational(depth - j, depth)),
                                         diag_power(sp.Rational(j - 1, depth)))
    scale = claim.symbolic_scale(depth)
    ok = True
    for r in range(2):
        for rp in range(2):
            basis = sp.zeros(2, 2)
            basis[r, rp] = 1
            v = sp.Matrix([basis[i, c] for c in range(2) for i in range(2)])  # column-major vec
            lam = sum(_sym_power(sigmas[r], 2 * (depth - j) * scale) * _sym_power(sigmas[rp], 2 * (j - 1) * scale)
                      for j in range(1, depth + 1))
            ok &= all(sp.simplify(e) == 0 for e in p_matrix * v - lam * v)
    return bool(ok)


def _sym_power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """base^exponent with 0^0 = 1."""
    return sp.S.One if exponent == 0 else base ** exponent


def symbolic_checks(claim: EigenClaim) -> dict[str, bool]:
    a, b = sp.symbols("a b", positive=True)
    return {f"N={n}, W={name}": symbolic_eigen_identity(n, sig, claim)
            for n in range(1, SYMBOLIC_MAX_DEPTH + 1) for name, sig in (("diag(a,b)", (a, b)), ("diag(a,0)", (a, sp.S.Zero)))}


# ---------------------------------------------------------------- (b) numeric

class MatrixCase(dict):
    """A generated W_e (k×d, rank, singular values) and a probe gradient G; rebuilt from its fields."""

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.items() if k not in ("w", "g")}


def build_matrix_case(k: int, d: int, rank: int, N: int, seed: int) -> MatrixCase:
    """W_e = U_{:r} diag(σ) V_{:r}ᵀ with Haar U, V and σ log-uniform in SIGMA_RANGE, and G ~ N(0, I), from ``seed``
    (the inverse of `MatrixCase.describe`)."""
    rng = np.random.default_rng(seed)
    u = np.linalg.qr(rng.standard_normal((k, k)))[0]
    v = np.linalg.qr(rng.standard_normal((d, d)))[0]
    sigma = np.exp(rng.uniform(*np.log(SIGMA_RANGE), rank))
    w = (u[:, :rank] * sigma) @ v[:, :rank].T
    return MatrixCase(k=k, d=d, rank=rank, N=N, seed=seed, w=w, g=rng.standard_normal((k, d)))


def matrix_cases() -> st.SearchStrategy:
    @st.composite
    def build(draw: Any) -> MatrixCase:
        k, d = draw(st.integers(1, 4), label="k"), draw(st.integers(1, 4), label="d")
        rank = draw(st.integers(0, min(k, d)), label="rank")
        depth = draw(st.integers(1, 5), label="N")
        return build_matrix_case(k, d, rank, depth, draw(st.integers(0, 2**32 - 1), label="seed"))

    return build()


def measure(case: MatrixCase, claim: EigenClaim) -> dict[str, float]:
    """Symmetry, PSD-ness, eigenpair residuals, spectrum match and P·vec(G) vs the rule (relative)."""
    w, depth = case["w"], case["N"]
    p = preconditioner(w, depth)
    scale = max(1.0, float(np.linalg.norm(p, 2)))
    vectors, sl, sr = preconditioner_eigenpairs(w)
    predicted = paper_eigenvalue(sl, sr, depth, claim.exponent_scale).ravel()
    spectrum = np.linalg.eigvalsh(0.5 * (p + p.T))
    rule = vec(end_to_end_direction(w, case["g"], depth))
    return {"asymmetry": float(np.max(np.abs(p - p.T))) / scale,
            "min_eigenvalue": float(spectrum[0]) / scale,
            "eigenpair_residual": max(float(np.linalg.norm(p @ v - lam * v)) for v, lam in zip(vectors, predicted)) / scale,
            "spectrum_error": float(np.max(np.abs(np.sort(predicted) - spectrum))) / scale,
            "rule_error": float(np.linalg.norm(p @ vec(case["g"]) - rule)) / (scale * max(1.0, np.linalg.norm(case["g"])))}


def eigen_property(claim: EigenClaim) -> Callable[[MatrixCase], dict[str, float]]:
    """The property for one generated W_e: every measured deviation of ``measure`` within TOLERANCE."""

    def prop(case: MatrixCase) -> dict[str, float]:
        m = measure(case, claim)
        bad = {k: v for k, v in m.items() if (v < -TOLERANCE if k == "min_eigenvalue" else v > TOLERANCE)}
        if bad:
            raise PropertyFailure(f"N = {case['N']}, W_e {case['k']}×{case['d']} rank {case['rank']}: "
                                  + ", ".join(f"{k} {v:.2e}" for k, v in bad.items()) + f" (tolerance {TOLERANCE})", m)
        return m

    return prop


def replay(claim: EigenClaim) -> ReplayFn:
    """Re-run the property on one W_e described by `MatrixCase.describe()`."""
    return lambda description: eigen_property(claim)(build_matrix_case(**description))


def check_claim(ctx: Context, claim: EigenClaim) -> Evidence:
    """Symbolic eigen-identity for 2×2 diagonal W and numeric eigenpairs on generated W_e, against ``claim``."""
    symbolic = symbolic_checks(claim)
    outcome = run_property(ctx, matrix_cases(), eigen_property(claim),
                           max_examples=ctx.pick(ci=30, default=200, thorough=1000))
    examples = outcome.examples
    symbolic_ok = all(symbolic.values())
    holds = symbolic_ok and outcome.holds and bool(examples)
    measurements = [Measurement("sympy eigen-identities proved (2×2 diagonal W)", sum(symbolic.values()),
                                predicted=len(symbolic), kind="sympy")]
    for key, name in (("eigenpair_residual", "max ‖P v − λ v‖ / ‖P‖"), ("spectrum_error", "max |spectrum − formula| / ‖P‖"),
                      ("asymmetry", "max |P − Pᵀ| / ‖P‖"), ("rule_error", "‖P vec G − vec rule‖ / (‖P‖‖G‖)")):
        values = [e[key] for e in examples]
        if values:
            measurements.append(Measurement(name, max(values), predicted=0.0, tolerance=TOLERANCE, kind="max over examples"))
    if examples:
        measurements.append(Measurement("min eigenvalue of P / ‖P‖", min(e["min_eigenvalue"] for e in examples),
                                        predicted=None, kind="≥ −tolerance: PSD"))
    if outcome.failure:
        failed = outcome.failure.get("measured", {})
        if "eigenpair_residual" in failed:
            measurements.append(Measurement("eigenpair residual (counterexample)", failed["eigenpair_residual"],
                                            predicted=0.0, tolerance=TOLERANCE))
        summary = f"counterexample: {outcome.failure['message']}"
    else:
        summary = f"{len(examples)} generated W_e: eigenpairs match the formula to ≤ {TOLERANCE:g}"
    if not symbolic_ok:
        summary += "; sympy: " + ", ".join(k for k, v in symbolic.items() if not v) + " fail"
    plot_files = plot_spectrum(ctx) if claim == EigenClaim() else []
    return Evidence(holds=holds, summary=summary, measurements=measurements, counterexample=outcome.failure,
                    plots=plot_files, examples=outcome.cases,
                    run={"symbolic": symbolic, "k, d": "1..4", "rank": "0..min(k,d)", "N": "1..5",
                         "singular values": f"log-uniform in {SIGMA_RANGE}", "eigenvalue exponent scale":
                         "1/N" if claim.exponent_scale is None else claim.exponent_scale,
                         "examples passed": len(outcome.examples), "seed": ctx.seed,
                         "hypothesis max_examples": ctx.pick(ci=30, default=200, thorough=1000), "precision": "float64"})


def plot_spectrum(ctx: Context) -> list[str]:
    """Spectrum of P (eigvalsh) against the formula for a fixed 3×4 rank-2 W_e and N = 1..5."""
    rng = np.random.default_rng(ctx.seed)
    u = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    v = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    w = (u[:, :2] * np.array([2.0, 0.5])) @ v[:, :2].T
    fig, ax = plots.figure()
    for depth in range(1, 6):
        _, sl, sr = preconditioner_eigenpairs(w)
        formula = np.sort(paper_eigenvalue(sl, sr, depth).ravel())
        spectrum = np.linalg.eigvalsh(preconditioner(w, depth))
        ax.plot(formula, spectrum, "o", label=f"N = {depth}")
    lim = ax.get_xlim()
    ax.plot(lim, lim, "k:", label="y = x")
    ax.set_xlabel("Σ_j σ_r^{2(N−j)/N} σ_r'^{2(j−1)/N} (sorted)")
    ax.set_ylabel("eigenvalues of P_W (sorted)")
    ax.set_title("P_W spectrum vs Claim 1, W 3×4 rank 2 (σ = 2, 0.5)")
    ax.legend()
    return plots.save(fig, ctx, "spectrum")


THEOREM = register(Theorem(
    id="arora2018.preconditioner",
    title="The end-to-end rule is a PSD preconditioner with eigenvectors vec(u_r v_r'ᵀ)",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §5, Claim 1",
    statement="vec(W_e update) = −η P_{W_e} vec ∇L(W_e) with P_W = Σ_j [WᵀW]^{(N−j)/N} ⊗ [WWᵀ]^{(j−1)/N} symmetric PSD, "
              "eigenvectors vec(u_r v_{r'}ᵀ) and eigenvalues Σ_j σ_r^{2(N−j)/N} σ_{r'}^{2(j−1)/N} (0^0 = 1).",
    hypotheses=("any W ∈ R^{k×d}, full SVD, σ_r := 0 past min(k, d)", "depth N ≥ 1", "column-major vec"),
    conclusion="P symmetric, PSD, eigenpairs as stated (sympy for 2×2 diagonal W; numeric to 1e-10 on generated W).",
    certification=Certification.SYMBOLIC,
    check=lambda ctx: check_claim(ctx, EigenClaim()),
    replay=replay(EigenClaim()),
    controls=(
        Control("exponent-1-over-n-dropped", "P_W's eigenvalues are Σ_j σ_r^{2(N−j)} σ_{r'}^{2(j−1)} (the 1/N dropped).",
                lambda ctx: check_claim(ctx, EigenClaim(exponent_scale=1.0)), replay(EigenClaim(exponent_scale=1.0))),
    ),
    constants={"tolerance": Constant(TOLERANCE, "chosen", "relative to max(1, ‖P‖₂)"),
               "singular values": Constant(str(SIGMA_RANGE), "chosen")},
    headline="max ‖P v − λ v‖ / ‖P‖",
    tags=frozenset({"symbolic", "linear-algebra"}),
))
