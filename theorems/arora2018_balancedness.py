"""arora2018.balancedness — gradient flow conserves W_{j+1}ᵀW_{j+1} − W_jW_jᵀ; GD drifts by O(η²) per step.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §4: the balancedness condition (eq. (7)) that
Theorem 1 assumes, and the lemma that gradient flow preserves it (with weight decay λ = 0).

Checked three ways:
(a) sympy, exactly, for the layer sizes in ``SYMBOLIC_DIMS`` and a generic loss gradient G:
    d/dt D_j = 0 under the flow, and one GD step changes D_j by a polynomial in η with no η¹ term
    (indeed exactly η²(g_{j+1}ᵀg_{j+1} − g_jg_jᵀ), g_j = ∂L/∂W_j);
(b) numerically on hypothesis-generated networks and data: ‖D_j(K) − D_j(0)‖ after a fixed number
    K of GD steps scales like η^2 (fitted log-log slope), measured in arb ball arithmetic because at
    small η the drift falls below float64 rounding; and gradient flow (DOP853) keeps D_j constant;
(c) balanced initialisations (Arora et al. 2019, Procedure 1) stay balanced to O(η²).

Not checked: the weight-decay version (D_j decays like e^{−2λt}); the paper's λ is not in the engine.
Finding reported with the results: after a fixed *time* T = Kη the drift is O(η), not O(η²)
(K = T/η steps of O(η²) each); only the per-step (fixed-K) drift is second order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.checking.context import Context
from verify.checking.property import PropertyFailure, run_property
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import loglog_slope
from verify.checking.strategies import NetworkCase, build_network_case, depths, network_cases
from verify.engine.backends import FLOAT64, ArbBackend, Backend
from verify.engine.dynamics import gradient_flow
from verify.engine.losses import QuadraticLoss
from verify.engine.network import balancedness_defects, gd_step, layer_gradients, to_backend
from verify.engine.symbolic import is_zero_matrix, symbol_matrix, symbolic_layer_gradients, symbolic_network
from verify.output import plots

SYMBOLIC_DIMS = ((2, 3, 2), (2, 2, 2, 2), (1, 2, 3, 1), (3, 2, 2, 2, 1))
STEPS = 5                      # K: GD steps per drift measurement
ETA_DECADES = 5.0              # the η grid spans η_0·10^{-5} .. η_0 (float64 loses the drift at the low end)
ETA_POINTS = 11
SLOPE_TOLERANCE = 0.1          # |fitted exponent − claimed exponent| allowed
HIGH_PRECISION = ArbBackend(40)
BROKEN_FACTOR = 1.1


# ---------------------------------------------------------------- (a) symbolic

def symbolic_conservation(dims: Sequence[int], layer_scales: Sequence[sp.Rational] | None = None) -> dict[str, bool]:
    """Exact: is d/dt D_j = 0 under dW_j/dt = −s_j ∂L/∂W_j, and is one GD step's change of D_j free of η¹?"""
    layers = symbolic_network(dims)
    grads = symbolic_layer_gradients(layers, symbol_matrix("g", dims[-1], dims[0]))
    if layer_scales is not None:
        grads = [s * g for s, g in zip(layer_scales, grads)]
    eta = sp.Symbol("eta", positive=True)
    flow_ok, first_order_ok = True, True
    for j in range(len(layers) - 1):
        w, v = layers[j], layers[j + 1]
        dw, dv = -grads[j], -grads[j + 1]
        flow_ok &= is_zero_matrix(dv.T * v + v.T * dv - dw * w.T - w * dw.T)
        w1, v1 = w + eta * dw, v + eta * dv
        change = (v1.T * v1 - w1 * w1.T) - (v.T * v - w * w.T)
        first_order_ok &= all(sp.expand(e).coeff(eta, 1) == 0 for e in change)
    return {"flow derivative is 0": bool(flow_ok), "GD step has no η¹ term": bool(first_order_ok)}


# ---------------------------------------------------------------- (b, c) numeric

@dataclass(frozen=True)
class DriftClaim:
    """‖quantity after K GD steps‖ = Θ(η^exponent), where quantity is D_j(K) − D_j(0) ("drift")
    or D_j(K) itself ("defect"); ``broken`` scales layer 2's gradient by BROKEN_FACTOR."""

    exponent: float = 2.0
    quantity: str = "drift"
    inits: tuple[str, ...] = ("gaussian", "balanced")
    broken: bool = False

    def layer_scales(self, depth: int) -> list[float] | None:
        return [1.0, BROKEN_FACTOR] + [1.0] * (depth - 2) if self.broken else None


def base_step(case: NetworkCase, loss: QuadraticLoss) -> float:
    """η_0 = 0.01 / (1 + N (λ_max(Sxx) + ‖∇L^1‖) max(1, max_i ‖W_i‖)^{2(N−1)}): safely inside the stable range."""
    grad = layer_gradients(case.weights, loss).loss_gradient
    biggest = max(1.0, max(float(np.linalg.norm(w, 2)) for w in case.weights))
    curvature = case.depth * (np.linalg.eigvalsh(loss.stats.sxx)[-1] + np.linalg.norm(grad, 2))
    return float(0.01 / (1.0 + curvature * biggest ** (2 * (case.depth - 1))))


def defect_change(case: NetworkCase, eta: float, steps: int, backend: Backend,
                  claim: DriftClaim) -> tuple[float, float]:
    """(max_j ‖Q_j‖_F, its certified radius or 0), Q_j = D_j(K) − D_j(0) or D_j(K)."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y, backend=backend)
    weights = to_backend(case.weights, backend)
    start = balancedness_defects(weights, backend)
    for _ in range(steps):
        weights = gd_step(weights, loss, eta, claim.layer_scales(case.depth))
    end = balancedness_defects(weights, backend)
    worst, radius = 0.0, 0.0
    with backend.active():
        for d0, d1 in zip(start, end):
            q = d1 - d0 if claim.quantity == "drift" else d1
            if backend is FLOAT64:
                worst = max(worst, float(np.linalg.norm(q)))
            else:
                norm = backend.inner(q, q).sqrt()
                if backend.to_float(norm) >= worst:
                    worst, radius = backend.to_float(norm), float(norm.rad())
    return worst, radius


def measure_case(case: NetworkCase, claim: DriftClaim) -> dict[str, object]:
    """The η grid, the drift in arb and in float64, the fitted exponent, and the fixed-time slope."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    eta0 = base_step(case, loss)
    etas = eta0 * np.logspace(0.0, -ETA_DECADES, ETA_POINTS)
    arb = [defect_change(case, eta, STEPS, HIGH_PRECISION, claim) for eta in etas]
    values = np.array([v for v, _ in arb])
    radii = np.array([r for _, r in arb])
    f64 = np.array([defect_change(case, eta, STEPS, FLOAT64, claim)[0] for eta in etas])
    resolved = values > 100.0 * radii + 1e-300
    result: dict[str, object] = {"eta0": eta0, "etas": etas.tolist(), "arb": values.tolist(),
                                 "arb_radius": radii.tolist(), "float64": f64.tolist(),
                                 "resolved": int(resolved.sum())}
    if resolved.sum() >= 3:
        result["slope"] = loglog_slope(etas[resolved], values[resolved]).slope
        worst = float(np.max(np.abs(f64[resolved] - values[resolved]) / values[resolved]))
        result["float64_worst_rel_error"] = worst
    return result


def fixed_time_slope(case: NetworkCase) -> float:
    """Fitted exponent of the drift after a fixed time T = STEPS·η_0 (T/η steps), in float64."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    eta0 = base_step(case, loss)
    etas = eta0 / 2.0 ** np.arange(5)
    drifts = [defect_change(case, eta, int(round(STEPS * eta0 / eta)), FLOAT64, DriftClaim())[0] for eta in etas]
    return loglog_slope(etas, drifts).slope if min(drifts) > 0 else float("nan")


def flow_drift(case: NetworkCase, layer_scales: Sequence[float] | None) -> float:
    """max_j ‖D_j(T) − D_j(0)‖_F / (1 + ‖D_j(0)‖_F) under gradient flow to T = 100·η_0 (DOP853, rtol 1e-11)."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    end = gradient_flow(case.weights, loss, 100.0 * base_step(case, loss), layer_scales=layer_scales)
    return max(float(np.linalg.norm(d1 - d0) / (1.0 + np.linalg.norm(d0)))
               for d0, d1 in zip(balancedness_defects(case.weights), balancedness_defects(end)))


def cases(claim: DriftClaim):
    return network_cases(depth=depths(min_depth=2, max_depth=4), d_in=st.integers(1, 3),
                         d_out=st.integers(1, 3), max_width=4, init=claim.inits,
                         init_scale=st.floats(0.5, 1.5), n=st.integers(1, 10))


def drift_property(claim: DriftClaim, keep: list[dict[str, object]] | None = None):
    """The property for one generated case: the fitted exponent matches ``claim`` and (for the drift)
    gradient flow conserves D_j. Measurements of passing cases are appended to ``keep``."""

    def prop(case: NetworkCase) -> dict[str, object]:
        m = measure_case(case, claim)
        m["flow_drift"] = flow_drift(case, claim.layer_scales(case.depth))
        if "slope" in m and abs(m["slope"] - claim.exponent) > SLOPE_TOLERANCE:
            raise PropertyFailure(f"fitted exponent {m['slope']:.3f}, claimed {claim.exponent} "
                                  f"(tolerance {SLOPE_TOLERANCE})", m)
        if claim.quantity == "drift" and m["flow_drift"] > 1e-7:
            raise PropertyFailure(f"gradient flow changed D_j by {m['flow_drift']:.2e} (relative)", m)
        if keep is not None:
            if not keep:
                m["fixed_time_slope"] = fixed_time_slope(case)
            m["case"] = case
            keep.append(m)
        return {k: v for k, v in m.items() if k != "case"}

    return prop


def replay(claim: DriftClaim):
    """Re-run the property on one case described by `NetworkCase.describe()`."""
    return lambda description: drift_property(claim)(build_network_case(**description))


def check_claim(ctx: Context, claim: DriftClaim) -> Evidence:
    """Symbolic conservation plus the fitted drift exponent on generated cases, against ``claim``."""
    scales = [sp.Integer(1), sp.Rational(11, 10)] if claim.broken else None
    symbolic = {str(d): symbolic_conservation(d, None if scales is None else scales + [1] * (len(d) - 3))
                for d in SYMBOLIC_DIMS}
    symbolic_ok = all(all(v.values()) for v in symbolic.values())
    examples: list[dict[str, object]] = []
    prop = drift_property(claim, examples)

    outcome = run_property(ctx, cases(claim), prop)
    slopes = [e["slope"] for e in outcome.examples if "slope" in e]
    holds = (symbolic_ok and outcome.holds) and (True if slopes else None)  # no resolved drift: undecided
    measurements = [Measurement("symbolic identities proved", sum(all(v.values()) for v in symbolic.values()),
                                predicted=len(SYMBOLIC_DIMS), kind="sympy")]
    if outcome.failure:
        failed = outcome.failure.get("measured", {})
        if "slope" in failed:
            measurements.append(Measurement("drift exponent (counterexample)", failed["slope"],
                                            predicted=claim.exponent, tolerance=SLOPE_TOLERANCE))
    if slopes:
        measurements.append(Measurement("drift exponent in η (fixed K steps)", float(np.mean(slopes)),
                                        predicted=claim.exponent, tolerance=SLOPE_TOLERANCE,
                                        interval=(min(slopes), max(slopes)), kind="min..max over examples",
                                        gate_tolerance=SLOPE_TOLERANCE))
    flows = outcome.column("flow_drift")
    if flows:
        measurements.append(Measurement("gradient-flow drift of D_j (relative, max)", max(flows), predicted=0.0,
                                        tolerance=1e-7, kind="DOP853 rtol 1e-11"))
    findings, plot_files = [], []
    first = examples[0] if examples else None
    if first is not None and claim == DriftClaim():
        measurements.append(Measurement("drift exponent after fixed time T (finding)", first["fixed_time_slope"],
                                        predicted=1.0, tolerance=SLOPE_TOLERANCE))
        findings.append("After a fixed time T the accumulated drift is O(η) (exponent ≈ 1 above): T/η steps of "
                        "O(η²) each. The per-step (fixed number of steps) drift is the O(η²) statement.")
        errs = [e["float64_worst_rel_error"] for e in examples if "float64_worst_rel_error" in e]
        if errs:
            findings.append(f"float64 vs arb at the η grid: worst relative error of the float64 drift "
                            f"{max(errs):.2e}; arb (40 digits) certifies every drift value used in the fits.")
        # plot the example where float64 is furthest from arb: it shows why the drift is measured in arb
        plot_files = plot_drift(ctx, max(examples, key=lambda e: e.get("float64_worst_rel_error", 0.0)))
    if outcome.failure:
        summary = f"counterexample: {outcome.failure['message']}"
    elif slopes:
        summary = f"exponent {np.mean(slopes):.3f} (claimed {claim.exponent}) over {len(slopes)} example(s)"
    else:
        summary = "no example resolved a drift above the arb error radius"
    return Evidence(
        holds=holds,
        summary=summary + ("" if symbolic_ok else "; sympy: D_j not conserved"),
        measurements=measurements,
        run={"symbolic sizes (dims)": [list(d) for d in SYMBOLIC_DIMS], "symbolic results": symbolic,
             "examples passed": len(outcome.examples), "inits": list(claim.inits), "depths": "2..4",
             "d_in, d_out": "1..3", "hidden widths": "min(d_in,d_out)..4", "samples n": "1..10",
             "GD steps per measurement K": STEPS, "η grid": f"{ETA_POINTS} points, η_0·10^-{ETA_DECADES:g}..η_0",
             "precision": f"{HIGH_PRECISION.name} for drifts, float64 for comparison and flow",
             "seed": ctx.seed, "hypothesis max_examples": ctx.profile.max_examples,
             "examples with no drift resolved above the arb radius (no exponent fitted)":
                 sum(1 for e in outcome.examples if "slope" not in e)},
        counterexample=outcome.failure,
        plots=plot_files,
        findings=findings,
        examples=outcome.cases,
    )


def plot_drift(ctx: Context, example: dict[str, object]) -> list[str]:
    fig, ax = plots.figure()
    etas = np.array(example["etas"])
    ax.loglog(etas, example["arb"], "o-", label="drift, arb 40 digits")
    ax.loglog(etas, example["float64"], "x--", label="drift, float64")
    ref = np.array(example["arb"])[0]
    ax.loglog(etas, ref * (etas / etas[0]) ** 2, ":", label="slope 2 (theorem)")
    ax.loglog(etas, ref * (etas / etas[0]), ":", label="slope 1 (control)")
    ax.set_xlabel("step size η")
    ax.set_ylabel(f"max_j ‖D_j({STEPS}) − D_j(0)‖_F")
    ax.set_title(f"Per-step balancedness drift, dims {list(example['case'].dims)}")
    ax.legend()
    return plots.save(fig, ctx, "drift")


THEOREM = register(Theorem(
    id="arora2018.balancedness",
    title="Gradient flow conserves balancedness; GD drifts by O(η²) per step",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §4, balancedness eq. (7) and the lemma behind Theorem 1",
    statement="Under gradient flow on L^N(W_1..W_N) = L^1(W_N⋯W_1), D_j = W_{j+1}ᵀW_{j+1} − W_jW_jᵀ is constant "
              "for every j; one GD step of size η changes D_j by O(η²), so balanced weights stay balanced to O(η²).",
    hypotheses=("any differentiable loss L^1 of the end-to-end matrix (sympy: generic gradient G; numeric: "
                "ℓ2 regression on generated data)", "no weight decay (λ = 0)",
                "depth N ≥ 2, any layer widths", "step size η small (η ≤ η_0 = 0.01/curvature bound)"),
    conclusion="d/dt D_j = 0 exactly; ‖D_j(K) − D_j(0)‖ = Θ(η²) for a fixed number K of steps.",
    certification=Certification.SYMBOLIC,
    check=lambda ctx: check_claim(ctx, DriftClaim()),
    replay=replay(DriftClaim()),
    controls=(
        Control("eta-slope-1", "The per-step drift of D_j under GD is first order: ‖D_j(K) − D_j(0)‖ = Θ(η).",
                lambda ctx: check_claim(ctx, DriftClaim(exponent=1.0)), replay(DriftClaim(exponent=1.0))),
        Control("broken-layer-gradient", f"D_j is still conserved (drift O(η²)) when layer 2's gradient is "
                f"scaled by {BROKEN_FACTOR}.", lambda ctx: check_claim(ctx, DriftClaim(broken=True)),
                replay(DriftClaim(broken=True))),
        Control("unbalanced-init-balanced", "Without a balanced init the weights are balanced to O(η²): "
                "‖D_j(K)‖ = O(η²) from a Gaussian init (violated hypothesis).",
                lambda ctx: check_claim(ctx, DriftClaim(quantity="defect", inits=("gaussian",))),
                replay(DriftClaim(quantity="defect", inits=("gaussian",)))),
    ),
    constants={"η_0": Constant("0.01/(1 + N(λ_max(XXᵀ) + ‖∇L^1‖)·max(1, max‖W_i‖)^{2(N−1)})", "chosen",
                               "our 'small' step: the drift exponent is asymptotic in η"),
               "K": Constant(STEPS, "chosen", "GD steps per drift measurement"),
               "η grid": Constant(f"{ETA_POINTS} points over {ETA_DECADES:g} decades below η_0", "chosen"),
               "slope tolerance": Constant(SLOPE_TOLERANCE, "chosen", "|fitted exponent − 2|; exponent 1 is the competitor"),
               "precision": Constant(HIGH_PRECISION.dps, "chosen", "arb digits for the drift")},
    headline="drift exponent in η (fixed K steps)",
    tags=frozenset({"symbolic", "high-precision"}),
))
