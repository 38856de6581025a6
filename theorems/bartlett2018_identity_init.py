"""bartlett2018.identity_init — GD from the identity learns symmetric PD maps, and fails with a negative eigenvalue.

Bartlett, Helmbold & Long, "Gradient descent with identity initialization efficiently learns positive
definite linear transformations by deep residual networks", ICML 2018 (arXiv 1802.06093): the results for
symmetric positive-definite targets (poly(L, κ(Φ), log(d/ε)) updates from Θ_i = I) and for symmetric targets
with a negative eigenvalue (GD from the identity fails to converge), abstract and docs/theorems.md §bartlett2018.

Setting: h(x) = Θ_L⋯Θ_1 x with Θ_i ∈ R^{d×d}, whitened inputs (X Xᵀ = I, Y = Φ X), so the loss is
ℓ = ½‖Θ_{L:1} − Φ‖²_F; Θ_i(0) = I; plain GD with η = ETA_SCALE/L (ours: the paper's step size was not
retrieved). Checked numerically (float64) on a seeded grid of d ∈ {1, 2, 4}, depths L and Φ = Q diag(λ) Qᵀ:
(a) PD target (λ ∈ EIGEN_RANGE): ℓ(t) ≤ EPS within MAX_STEPS, and the iteration count equals that of
    the scalar recursion θ ← θ − η θ^{L−1}(θ^L − λ_k), θ(0) = 1, run per eigenvalue (the mechanism);
(b) one eigenvalue λ_− = NEGATIVE_EIGENVALUE: ℓ(t) ≥ ½ λ_−² at every step up to STUCK_STEPS;
(c) in both: all Θ_i(t) stay equal and symmetric (max over t of ‖Θ_i − Θ_1‖_F, ‖Θ_i − Θ_iᵀ‖_F ≤ INVARIANCE_TOL).
(b) uses L ≥ 3 only: at L = 2 float64 rounding lets GD escape the strict saddle (measured, a finding).
Not checked: the paper's exact polynomial and the regularised variants; "fails" is checked over a finite
horizon (the mechanism — θ_− decreases to 0 without changing sign — is why it holds for all t).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from verify.checking.context import Context
from verify.checking.convergence import whitened_inputs
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.engine import inits
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, gd_step
from verify.errors import InvalidArgument
from verify.output import plots

ETA_SCALE = 0.1                 # η = ETA_SCALE / L (ours; docs/theorems.md's suggestion)
EIGEN_RANGE = (0.5, 2.0)        # eigenvalues of the PD target
NEGATIVE_EIGENVALUE = -0.5      # λ_− of the non-PD target
EPS = 1e-8                      # "converged": ℓ ≤ EPS
MAX_STEPS = 4_000
STUCK_STEPS = 2_000             # horizon of the "never reaches the minimum" check
INVARIANCE_TOL = 1e-9
LOSS_SLACK = 1e-12              # float64 rounding allowed in ℓ ≥ ½λ_−²
BROKEN_FACTOR = 1.1


class TargetCase(NamedTuple):
    """d, depth L and the seed of Φ's eigenbasis, eigenvalues and whitened inputs."""

    d: int
    depth: int
    seed: int


@dataclass(frozen=True)
class IdentityClaim:
    """From Θ_i = I: ``conclusion`` 'converges' (ℓ ≤ EPS) or 'stuck' (ℓ ≥ floor·λ_−² always), for a PD
    target or one with a negative eigenvalue; ``broken`` scales layer 2's gradient by BROKEN_FACTOR."""

    negative: bool = False
    conclusion: str = "converges"
    floor: float = 0.5
    broken: bool = False

    def __post_init__(self) -> None:
        if self.conclusion not in ("converges", "stuck"):
            raise InvalidArgument(f"conclusion={self.conclusion!r} must be 'converges' or 'stuck'")


def target(case: TargetCase, negative: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Φ, its eigenvalues λ, eigenbasis Q): λ uniform in EIGEN_RANGE, λ_1 = NEGATIVE_EIGENVALUE if negative."""
    rng = np.random.default_rng(case.seed)
    q, _ = np.linalg.qr(rng.standard_normal((case.d, case.d)))
    lam = rng.uniform(*EIGEN_RANGE, size=case.d)
    if negative:
        lam[0] = NEGATIVE_EIGENVALUE
    return (q * lam) @ q.T, lam, q


def scalar_recursion(lam: np.ndarray, depth: int, eta: float, steps: int) -> np.ndarray:
    """θ_k(t), t = 0..steps, of θ ← θ − η θ^{L−1}(θ^L − λ_k), θ(0) = 1: the balanced scalar dynamics each
    eigendirection follows when every Θ_i = Q diag(θ) Qᵀ (docs/theorems.md, mechanism of results 3–4)."""
    theta = np.ones((steps + 1, lam.size))
    for t in range(steps):
        th = theta[t]
        theta[t + 1] = th - eta * th ** (depth - 1) * (th ** depth - lam)
    return theta


def invariance_defect(weights: list[np.ndarray]) -> float:
    """max_i max(‖Θ_i − Θ_1‖_F, ‖Θ_i − Θ_iᵀ‖_F)."""
    stack = np.stack(weights)
    return float(max(np.max(np.linalg.norm(stack - stack[0], axis=(1, 2))),
                     np.max(np.linalg.norm(stack - np.swapaxes(stack, 1, 2), axis=(1, 2)))))


def train(case: TargetCase, claim: IdentityClaim) -> dict[str, Any]:
    """GD from the identity; losses, the worst invariance defect and the final weights."""
    phi, lam, q = target(case, claim.negative)
    x = whitened_inputs(case.d, 2 * case.d, np.random.default_rng(case.seed + 1))
    loss = QuadraticLoss.from_data(x, phi @ x)
    eta = ETA_SCALE / case.depth
    scales = [1.0, BROKEN_FACTOR] + [1.0] * (case.depth - 2) if claim.broken else None
    steps = MAX_STEPS if claim.conclusion == "converges" else STUCK_STEPS
    weights = inits.identity((case.d,) * (case.depth + 1))
    losses, worst = [float(loss.value(end_to_end(weights)))], 0.0
    for _ in range(steps):
        if claim.conclusion == "converges" and losses[-1] <= EPS:
            break
        weights = gd_step(weights, loss, eta, scales)
        losses.append(float(loss.value(end_to_end(weights))))
        worst = max(worst, invariance_defect(weights))
        if not np.isfinite(losses[-1]):
            break
    return {"losses": np.array(losses), "invariance": worst, "weights": weights, "lam": lam, "q": q, "eta": eta}


def measure(item: tuple[TargetCase, IdentityClaim]) -> dict[str, Any]:
    """Train, compare with the scalar recursion, and record why ``claim`` is contradicted (``failure``)."""
    case, claim = item
    run = train(case, claim)
    losses = run["losses"]
    steps = losses.size - 1
    theta = scalar_recursion(run["lam"], case.depth, run["eta"], steps)[-1]
    predicted = (run["q"] * theta) @ run["q"].T
    m = {"case": case._asdict(), "d": case.d, "depth": case.depth, "steps": steps, "final_loss": float(losses[-1]),
         "min_loss": float(np.min(losses)), "invariance": run["invariance"],
         "scalar_mismatch": float(np.linalg.norm(run["weights"][0] - predicted)),
         "floor": claim.floor * NEGATIVE_EIGENVALUE ** 2, "losses": losses, "failure": None}
    if run["invariance"] > INVARIANCE_TOL:
        m["failure"] = f"Θ_i not all equal and symmetric: defect {run['invariance']:.2e} > {INVARIANCE_TOL:g}"
    elif claim.conclusion == "converges" and not losses[-1] <= EPS:
        m["failure"] = f"ℓ = {losses[-1]:.3e} > ε = {EPS:g} after {steps} steps"
    elif claim.conclusion == "stuck" and m["min_loss"] < m["floor"] - LOSS_SLACK:
        m["failure"] = f"ℓ fell to {m['min_loss']:.6f} < {claim.floor}·λ_−² = {m['floor']:.6f}"
    return m


def cases(ctx: Context, claim: IdentityClaim) -> list[TargetCase]:
    """d ∈ 1..4 × depths × seeds; the negative half uses L ≥ 3 (see ESCAPE in the findings)."""
    depths = ctx.pick(ci=(2, 4, 8, 16), default=(2, 3, 4, 8, 16, 32), thorough=(2, 3, 4, 8, 16, 32, 64))
    if claim.negative:
        depths = tuple(L for L in depths if L >= 3)
    seeds = ctx.pick(ci=1, default=3, thorough=10)
    return [TargetCase(d, L, 1000 * ctx.seed + 10 * d + k) for d in (1, 2, 4) for L in depths for k in range(seeds)]


def check_claim(ctx: Context, claim: IdentityClaim) -> tuple[Evidence, list[dict[str, Any]]]:
    """Train on every case; the evidence and the runs (for plots)."""
    runs = ctx.map(measure, [(c, claim) for c in cases(ctx, claim)])
    failed = [r for r in runs if r["failure"]]
    half = "negative-eigenvalue target" if claim.negative else "PD target"
    measurements = [Measurement(f"{half}: max invariance defect ‖Θ_i − Θ_1‖, ‖Θ_i − Θ_iᵀ‖",
                                max(r["invariance"] for r in runs), predicted=0.0, tolerance=INVARIANCE_TOL)]
    if claim.conclusion == "converges":
        measurements.append(Measurement(f"{half}: max final loss", max(r["final_loss"] for r in runs),
                                        predicted=0.0, tolerance=EPS))
        measurements.append(Measurement(f"{half}: max ‖Θ_1(T) − Q diag(θ_scalar(T)) Qᵀ‖_F",
                                        max(r["scalar_mismatch"] for r in runs), predicted=0.0, tolerance=1e-8,
                                        kind="mechanism"))
    else:
        measurements.append(Measurement(f"{half}: min over t and cases of ℓ(t) − {claim.floor}λ_−²",
                                        min(r["min_loss"] - r["floor"] for r in runs), predicted=0.0,
                                        comparison="≥"))
    summary = (f"{half}: {len(failed)} of {len(runs)} case(s) contradict '{claim.conclusion}'; first "
               f"{failed[0]['case']}: {failed[0]['failure']}" if failed
               else f"{half}: {claim.conclusion} on all {len(runs)} case(s)")
    evidence = Evidence(
        holds=not failed, summary=summary, measurements=measurements,
        run={f"{half}: cases": len(runs), f"{half}: depths L": sorted({r["depth"] for r in runs}),
             f"{half}: steps used (min..max)": [min(r["steps"] for r in runs), max(r["steps"] for r in runs)],
             "d": [1, 2, 4], "η": f"{ETA_SCALE}/L", "eigenvalues": f"U{EIGEN_RANGE}" + (
                 f", one = {NEGATIVE_EIGENVALUE}" if claim.negative else ""),
             "horizon": f"until ℓ ≤ {EPS:g} (≤ {MAX_STEPS} steps)" if claim.conclusion == "converges"
             else f"{STUCK_STEPS} steps", "data": "whitened X (XXᵀ = I, n = 2d), Y = ΦX", "precision": "float64",
             "seed": ctx.seed},
        counterexample={"case": failed[0]["case"], "message": failed[0]["failure"]} if failed else None)
    return evidence, runs


def float64_escape() -> tuple[int, float]:
    """(measured, predicted) step at which float64 GD at L = 2 leaves the saddle (ℓ < ½λ_−² − 1e-6).

    At L = 2 θ_− → 0 geometrically and the saddle is strict: the antisymmetric mode Θ_1 − Θ_2 grows
    by (1 + η|λ_−|) per step from rounding (2^−53), so escape is predicted near 53 ln 2 / ln(1 + η|λ_−|)."""
    run = train(TargetCase(2, 2, 0), IdentityClaim(negative=True, conclusion="stuck"))
    below = np.flatnonzero(run["losses"] < 0.5 * NEGATIVE_EIGENVALUE ** 2 - 1e-6)
    predicted = 53 * np.log(2.0) / np.log1p(run["eta"] * abs(NEGATIVE_EIGENVALUE))
    return (int(below[0]) if below.size else -1), float(predicted)


def check_theorem(ctx: Context) -> Evidence:
    """Both halves: PD target converges; negative eigenvalue stays ≥ ½λ_−²."""
    (pd, pd_runs), (neg, neg_runs) = (check_claim(ctx, IdentityClaim()),
                                      check_claim(ctx, IdentityClaim(negative=True, conclusion="stuck")))
    holds = None if pd.holds is None or neg.holds is None else pd.holds and neg.holds
    escape, predicted = float64_escape()
    return Evidence(holds=holds, summary=f"{pd.summary}; {neg.summary}",
                    measurements=pd.measurements + neg.measurements + [
                        Measurement("L=2, float64: step where GD escapes the saddle (finding)", escape,
                                    predicted=predicted, kind="rounding-driven; -1 = not within horizon")],
                    run={**pd.run, **neg.run},
                    counterexample=pd.counterexample or neg.counterexample,
                    plots=plot_losses(ctx, pd_runs, neg_runs),
                    findings=[f"L = 2 is excluded from the negative half: the saddle θ_− = 0 is strict there, and in "
                              f"float64 rounding seeds Θ_1 − Θ_2, which grows by (1 + η|λ_−|) per step; GD left the "
                              f"invariant manifold and went below ½λ_−² at step {escape} (predicted ≈ {predicted:.0f}). "
                              "The theorem is about exact GD; checking L = 2 needs high precision (not done).",
                              "The iteration counts equal those of the per-eigenvalue scalar recursion "
                              "(measured mismatch above): the invariance Θ_i = Q diag(θ) Qᵀ is exact up to rounding."])


def check_control(ctx: Context, claim: IdentityClaim) -> Evidence:
    """One half against a (false) claim: the evidence only."""
    return check_claim(ctx, claim)[0]


def plot_losses(ctx: Context, pd_runs: list[dict[str, Any]], neg_runs: list[dict[str, Any]]) -> list[str]:
    fig, ax = plots.figure()
    for runs, style, name in ((pd_runs, "-", "PD"), (neg_runs, "--", "λ_− < 0")):
        for r in runs[:4]:
            ax.semilogy(r["losses"], style, lw=1, label=f"{name}, d={r['d']}, L={r['depth']}")
    ax.axhline(0.5 * NEGATIVE_EIGENVALUE ** 2, color="k", ls=":", label="½λ_−² (floor)")
    ax.axhline(EPS, color="gray", ls=":", label="ε")
    ax.set_xlabel("GD step t")
    ax.set_ylabel("ℓ(t) = ½‖Θ_{L:1} − Φ‖²")
    ax.set_title("Identity init: PD target vs a negative eigenvalue")
    ax.legend(fontsize=6)
    return plots.save(fig, ctx, "losses")


THEOREM = register(Theorem(
    id="bartlett2018.identity_init",
    title="Identity init learns symmetric PD targets; a negative eigenvalue makes GD fail",
    source="Bartlett, Helmbold & Long, ICML 2018 (arXiv 1802.06093), abstract results for symmetric PD and "
           "negative-eigenvalue targets (docs/theorems.md §bartlett2018)",
    statement="For ℓ = ½‖Θ_L⋯Θ_1 − Φ‖²_F (whitened data) and GD from Θ_i = I: a symmetric PD Φ is learned to any "
              "ε; a symmetric Φ with an eigenvalue λ_− < 0 is never learned (ℓ(t) ≥ ½λ_−² for all t).",
    hypotheses=("square layers Θ_i ∈ R^{d×d}", "whitened inputs X Xᵀ = I", "Φ symmetric",
                f"η = {ETA_SCALE}/L (small enough that θ never overshoots)"),
    conclusion=f"PD: ℓ ≤ {EPS:g} within {MAX_STEPS} steps; negative eigenvalue: ℓ(t) ≥ ½λ_−² for t ≤ {STUCK_STEPS}; "
               "all Θ_i(t) stay equal and symmetric.",
    certification=Certification.NUMERIC,
    check=check_theorem,
    controls=(
        Control("negative-target-converges", "GD from the identity also learns a symmetric Φ with a negative "
                "eigenvalue (ℓ ≤ ε).", lambda ctx: check_control(ctx, IdentityClaim(negative=True))),
        Control("floor-without-half", "With a negative eigenvalue the loss stays ≥ λ_−² (not ½λ_−²).",
                lambda ctx: check_control(ctx, IdentityClaim(negative=True, conclusion="stuck", floor=1.0))),
        Control("broken-layer-gradient", f"The Θ_i stay equal and symmetric even when layer 2's gradient is scaled "
                f"by {BROKEN_FACTOR}.", lambda ctx: check_control(ctx, IdentityClaim(broken=True))),
    ),
    constants={"η": Constant(ETA_SCALE, "chosen", "η = this/L"), "ε": Constant(EPS, "chosen"),
               "horizon (negative case)": Constant(STUCK_STEPS, "chosen", "steps"),
               "invariance tolerance": Constant(INVARIANCE_TOL, "chosen"),
               "loss slack": Constant(LOSS_SLACK, "chosen", "float64 rounding allowed in ℓ ≥ ½λ_−²")},
    headline="PD target: max final loss",
))
