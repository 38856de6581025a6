"""arora2018.end_to_end — from balanced weights, GD on the factors moves W_e by the end-to-end rule.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §4, Theorem 1 (λ = 0): with balanced weights
(W_{j+1}ᵀW_{j+1} = W_jW_jᵀ), GD on W_1..W_N moves the end-to-end matrix W_e = W_N⋯W_1 by

    W_e ← W_e − η Σ_{j=1}^{N} [W_eW_eᵀ]^{(j−1)/N} ∇L(W_e) [W_eᵀW_e]^{(N−j)/N}   + O(η²)

(the theorem is about gradient flow; for discrete GD the rule is exact to first order in η).

Checked numerically (float64) on hypothesis-generated depths 2..4, widths ≥ min(d_in, d_out), ℓ2
regression data and balanced inits (Procedure 1 of Arora et al. 2019, `verify.checking.strategies`):
(a) one factor-GD step vs the rule differ by Θ(η²): fitted log-log exponent of ‖error‖_F over an η grid;
(b) whole trajectories to a fixed time T = TRAJECTORY_STEPS·η_0 stay close: their largest gap shrinks
    like η (fitted exponent ≥ TRAJECTORY_MIN_SLOPE), i.e. both follow the same flow.
Controls (same checker): the wrong exponents j/N on the left or (N−j+1)/N on the right (first-order
error, exponent 1), and an unbalanced (Gaussian) init, where the rule has a first-order error.
Not checked: weight decay (the −ηλN W_e term). Ours: η_0, the η grid, the tolerances (constants).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from verify.checking.context import Context
from verify.checking.property import PropertyFailure, run_property
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, ReplayFn, Theorem
from verify.checking.stats import loglog_slope
from verify.checking.strategies import NetworkCase, build_network_case, depths, network_cases
from verify.engine.end_to_end_rule import ExponentRule, end_to_end_direction, paper_exponents
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, gd_step, layer_gradients
from verify.output import plots

STEP_SCALE = 0.05              # η_0 = STEP_SCALE / (1 + N(λ_max(XXᵀ) + ‖∇L‖)·max(1, max‖W_i‖)^{2(N−1)})
ETA_DECADES = 3.0              # one-step grid η_0·10^{-3} .. η_0
ETA_POINTS = 7
SLOPE_TOLERANCE = 0.15         # |fitted one-step exponent − claimed| allowed
RESOLUTION = 1e3               # an error counts only above RESOLUTION·ε·‖W_e‖_F (float64 rounding)
TRAJECTORY_STEPS = 10          # T = TRAJECTORY_STEPS·η_0; η = η_0/2^k with K = TRAJECTORY_STEPS·2^k steps
TRAJECTORY_HALVINGS = 3
TRAJECTORY_MIN_SLOPE = 0.7     # fixed-T gap must shrink at least like η^0.7 (predicted: η^1)
UNBALANCE_FACTOR = 2.0         # plot only: W_1·2, W_2/2 (same W_e, unbalanced)

RULES: dict[str, ExponentRule] = {
    "paper": paper_exponents,
    "left j/N": lambda n, j: (j / n, (n - j) / n),
    "right (N-j+1)/N": lambda n, j: ((j - 1) / n, (n - j + 1) / n),
}


@dataclass(frozen=True)
class RuleClaim:
    """From ``inits``, one factor-GD step differs from the end-to-end rule ``rule`` by Θ(η^exponent),
    and fixed-time trajectories of the two converge as η → 0."""

    rule: str = "paper"
    exponent: float = 2.0
    inits: tuple[str, ...] = ("balanced",)


def base_step(case: NetworkCase, loss: QuadraticLoss) -> float:
    """η_0: STEP_SCALE over a curvature bound of L^N along the factors (our choice of 'small')."""
    grad = layer_gradients(case.weights, loss).loss_gradient
    biggest = max(1.0, max(float(np.linalg.norm(w, 2)) for w in case.weights))
    curvature = case.depth * (np.linalg.eigvalsh(loss.stats.sxx)[-1] + np.linalg.norm(grad, 2))
    return float(STEP_SCALE / (1.0 + curvature * biggest ** (2 * (case.depth - 1))))


def step_errors(weights: list[np.ndarray], loss: QuadraticLoss, etas: np.ndarray,
                rule: ExponentRule) -> tuple[np.ndarray, np.ndarray]:
    """‖W_N(η)⋯W_1(η) − (W_e − η E(W_e, ∇L(W_e)))‖_F per η, and the float64 resolution floor of each."""
    depth = len(weights)
    w_e = end_to_end(weights)
    direction = end_to_end_direction(w_e, loss.gradient(w_e), depth, rule)
    errors, floors = [], []
    for eta in etas:
        predicted = w_e - eta * direction
        errors.append(float(np.linalg.norm(end_to_end(gd_step(weights, loss, eta)) - predicted)))
        floors.append(RESOLUTION * np.finfo(np.float64).eps * (np.linalg.norm(w_e) + eta * np.linalg.norm(direction)))
    return np.array(errors), np.array(floors)


def trajectory_gap(weights: list[np.ndarray], loss: QuadraticLoss, eta: float, steps: int,
                   rule: ExponentRule) -> float:
    """max_k ‖W_e^{GD}(k) − V(k)‖_F / ‖W_e(0)‖_F with V ← V − η E(V, ∇L(V)) from V(0) = W_e(0)."""
    depth = len(weights)
    current, v = list(weights), end_to_end(weights)
    scale = max(float(np.linalg.norm(v)), 1e-300)
    gap = 0.0
    for _ in range(steps):
        current = gd_step(current, loss, eta)
        v = v - eta * end_to_end_direction(v, loss.gradient(v), depth, rule)
        gap = max(gap, float(np.linalg.norm(end_to_end(current) - v)) / scale)
    return gap


def measure_step(case: NetworkCase, claim: RuleClaim) -> dict[str, Any]:
    """One-step errors on the η grid and their fitted exponent."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    eta0 = base_step(case, loss)
    etas = eta0 * np.logspace(0.0, -ETA_DECADES, ETA_POINTS)
    errors, floors = step_errors(case.weights, loss, etas, RULES[claim.rule])
    resolved = errors > floors
    out: dict[str, Any] = {"dims": list(case.dims), "eta0": eta0, "etas": etas.tolist(), "errors": errors.tolist(),
                           "resolved": int(resolved.sum())}
    if resolved.sum() >= 3:
        out["slope"] = loglog_slope(etas[resolved], errors[resolved]).slope
    return out


def measure_trajectories(case: NetworkCase, claim: RuleClaim, eta0: float) -> dict[str, Any]:
    """Fixed-time trajectory gaps at η_0/2^k and their fitted exponent in η."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    etas = eta0 / 2.0 ** np.arange(TRAJECTORY_HALVINGS)
    gaps = np.array([trajectory_gap(case.weights, loss, eta, TRAJECTORY_STEPS * 2 ** k, RULES[claim.rule])
                     for k, eta in enumerate(etas)])
    out: dict[str, Any] = {"trajectory_gaps": gaps.tolist()}
    if np.all(gaps > RESOLUTION * np.finfo(np.float64).eps):
        out["trajectory_slope"] = loglog_slope(etas, gaps).slope
    return out


def cases(claim: RuleClaim):
    return network_cases(depth=depths(min_depth=2, max_depth=4), d_in=st.integers(1, 3), d_out=st.integers(1, 3),
                         max_width=4, init=claim.inits, init_scale=st.floats(0.5, 1.5), n=st.integers(1, 10))


def rule_property(claim: RuleClaim,
                  passed: list[NetworkCase] | None = None) -> Callable[[NetworkCase], dict[str, Any]]:
    """The property for one generated case: the one-step error exponent matches ``claim`` and the
    fixed-time trajectory gap shrinks at least like η^TRAJECTORY_MIN_SLOPE. Passing cases go to ``passed``."""

    def prop(case: NetworkCase) -> dict[str, Any]:
        m = measure_step(case, claim)
        if "slope" in m and abs(m["slope"] - claim.exponent) > SLOPE_TOLERANCE:
            raise PropertyFailure(f"one-step error exponent {m['slope']:.3f}, claimed {claim.exponent} "
                                  f"(tolerance {SLOPE_TOLERANCE})", m)
        m.update(measure_trajectories(case, claim, m["eta0"]))
        if m.get("trajectory_slope", np.inf) < TRAJECTORY_MIN_SLOPE:
            raise PropertyFailure(f"fixed-time trajectory gap shrinks like η^{m['trajectory_slope']:.2f} "
                                  f"(needs ≥ {TRAJECTORY_MIN_SLOPE}): the trajectories do not converge", m)
        if passed is not None:
            passed.append(case)
        return m

    return prop


def replay(claim: RuleClaim) -> ReplayFn:
    """Re-run the property on one case described by `NetworkCase.describe()`."""
    return lambda description: rule_property(claim)(build_network_case(**description))


def check_claim(ctx: Context, claim: RuleClaim) -> Evidence:
    """The fitted one-step exponent must match ``claim.exponent`` and fixed-time gaps must vanish with η."""
    passed: list[NetworkCase] = []
    outcome = run_property(ctx, cases(claim), rule_property(claim, passed))
    examples = outcome.examples
    slopes = [e["slope"] for e in examples if "slope" in e]
    traj = [e["trajectory_slope"] for e in examples if "trajectory_slope" in e]
    measurements = []
    if slopes:
        measurements.append(Measurement("one-step error exponent in η", float(np.mean(slopes)), predicted=claim.exponent,
                                        tolerance=SLOPE_TOLERANCE, interval=(min(slopes), max(slopes)),
                                        kind="min..max over examples", gate_tolerance=SLOPE_TOLERANCE))
    if traj:
        measurements.append(Measurement("fixed-time trajectory gap exponent in η", float(np.mean(traj)), predicted=1.0,
                                        tolerance=round(1.0 - TRAJECTORY_MIN_SLOPE, 6), interval=(min(traj), max(traj)),
                                        kind="min..max over examples"))
        measurements.append(Measurement("largest trajectory gap at the smallest η (relative)",
                                        max(e["trajectory_gaps"][-1] for e in examples), predicted=0.0,
                                        kind="max over examples"))
    if outcome.failure:
        failed = outcome.failure.get("measured", {})
        if "slope" in failed:
            measurements.append(Measurement("one-step error exponent (counterexample)", failed["slope"],
                                            predicted=claim.exponent, tolerance=SLOPE_TOLERANCE))
        if "trajectory_slope" in failed:
            measurements.append(Measurement("trajectory gap exponent (counterexample)", failed["trajectory_slope"],
                                            predicted=1.0, tolerance=round(1.0 - TRAJECTORY_MIN_SLOPE, 6)))
        summary, holds = f"counterexample: {outcome.failure['message']}", False
    elif slopes:
        summary, holds = (f"one-step exponent {np.mean(slopes):.3f} (claimed {claim.exponent}), trajectory gap "
                          f"exponent {np.mean(traj):.2f} over {len(slopes)} example(s)" if traj else
                          f"one-step exponent {np.mean(slopes):.3f} over {len(slopes)} example(s)"), True
    else:
        summary, holds = "no example resolved a one-step error above float64 rounding", None
    plot_files = plot_errors(ctx, passed[0], examples[0]) if passed and claim == RuleClaim() else []
    return Evidence(
        holds=holds, summary=summary, measurements=measurements, counterexample=outcome.failure, plots=plot_files,
        run={"rule exponents": claim.rule, "inits": list(claim.inits), "depths": "2..4", "d_in, d_out": "1..3",
             "hidden widths": "min(d_in,d_out)..4", "samples n": "1..10", "init scale": "0.5..1.5",
             "η grid": f"{ETA_POINTS} points η_0·10^-{ETA_DECADES:g}..η_0",
             "trajectories": f"T = {TRAJECTORY_STEPS}·η_0 at η = η_0/2^k, k < {TRAJECTORY_HALVINGS}",
             "precision": "float64", "examples passed": len(outcome.examples), "seed": ctx.seed,
             "hypothesis max_examples": ctx.profile.max_examples,
             "examples without a resolved error": sum(1 for e in examples if "slope" not in e)},
        findings=["The rule is first-order exact for discrete GD: the one-step error is O(η²), and at a fixed time "
                  "the accumulated gap is O(η) (T/η steps)."] if claim == RuleClaim() and holds else [],
        examples=outcome.cases,
    )


def plot_errors(ctx: Context, case: NetworkCase, example: dict[str, Any]) -> list[str]:
    """Step error vs η (balanced, and the same W_e unbalanced) with slope-2 and slope-1 references."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    etas = np.array(example["etas"])
    unbalanced = [UNBALANCE_FACTOR * case.weights[0], case.weights[1] / UNBALANCE_FACTOR] + list(case.weights[2:])
    skewed, _ = step_errors(unbalanced, loss, etas, paper_exponents)
    fig, ax = plots.figure()
    errors = np.array(example["errors"])
    ax.loglog(etas, errors, "o-", label="balanced init")
    ax.loglog(etas, skewed, "s-", label=f"same W_e, W_1×{UNBALANCE_FACTOR:g}, W_2/{UNBALANCE_FACTOR:g}")
    ax.loglog(etas, errors[0] * (etas / etas[0]) ** 2, ":", label="slope 2 (theorem)")
    ax.loglog(etas, skewed[0] * (etas / etas[0]), ":", label="slope 1")
    ax.set_xlabel("step size η")
    ax.set_ylabel("‖W_e after one GD step − end-to-end rule‖_F")
    ax.set_title(f"One-step error of the end-to-end rule, dims {list(case.dims)}")
    ax.legend()
    return plots.save(fig, ctx, "step-error")


THEOREM = register(Theorem(
    id="arora2018.end_to_end",
    title="Balanced GD on the factors follows the end-to-end update rule",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §4, Theorem 1 (end-to-end update rule, λ = 0)",
    statement="If W_{j+1}ᵀW_{j+1} = W_jW_jᵀ for all j, one GD step of size η on W_1..W_N changes W_e = W_N⋯W_1 by "
              "−η Σ_j [W_eW_eᵀ]^{(j−1)/N} ∇L(W_e) [W_eᵀW_e]^{(N−j)/N} + O(η²).",
    hypotheses=("exactly balanced initialisation", "hidden widths ≥ min(d_in, d_out)", "depth N ≥ 2",
                "differentiable loss (here ℓ2 regression on generated data)", "no weight decay (λ = 0)",
                "η ≤ η_0 (small)"),
    conclusion="‖one GD step − rule‖ = Θ(η²) (fitted exponent 2), and fixed-time trajectories converge as η → 0.",
    certification=Certification.NUMERIC,
    check=lambda ctx: check_claim(ctx, RuleClaim()),
    replay=replay(RuleClaim()),
    controls=(
        Control("left-exponent-j-over-n", "The rule with [W_eW_eᵀ]^{j/N} on the left matches balanced GD to O(η²).",
                lambda ctx: check_claim(ctx, RuleClaim(rule="left j/N")), replay(RuleClaim(rule="left j/N"))),
        Control("right-exponent-shifted", "The rule with [W_eᵀW_e]^{(N−j+1)/N} on the right matches balanced GD to "
                "O(η²).", lambda ctx: check_claim(ctx, RuleClaim(rule="right (N-j+1)/N")),
                replay(RuleClaim(rule="right (N-j+1)/N"))),
        Control("unbalanced-init", "From a Gaussian (unbalanced) init, GD matches the end-to-end rule to O(η²) "
                "(violated hypothesis).", lambda ctx: check_claim(ctx, RuleClaim(inits=("gaussian",))),
                replay(RuleClaim(inits=("gaussian",)))),
    ),
    constants={"η_0": Constant(f"{STEP_SCALE}/(1 + N(λ_max(XXᵀ) + ‖∇L‖)·max(1, max‖W_i‖)^(2(N−1)))", "chosen"),
               "η grid": Constant(f"{ETA_POINTS} points over {ETA_DECADES:g} decades", "chosen"),
               "slope tolerance": Constant(SLOPE_TOLERANCE, "chosen", "|fitted one-step exponent − 2|"),
               "resolution": Constant(RESOLUTION, "chosen", "errors count above this multiple of ε·‖W_e‖ (float64 rounding)"),
               "trajectory": Constant(f"T = {TRAJECTORY_STEPS}·η_0, {TRAJECTORY_HALVINGS} halvings of η", "chosen"),
               "trajectory minimum exponent": Constant(TRAJECTORY_MIN_SLOPE, "chosen", "predicted 1")},
    headline="one-step error exponent in η",
    tags=frozenset({"dynamics"}),
))
