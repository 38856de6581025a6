"""arora2018.end_to_end — from balanced weights, GD on the factors moves W_e by the end-to-end rule.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §4, Theorem 1 (λ = 0): with balanced weights
(W_{j+1}ᵀW_{j+1} = W_jW_jᵀ), GD on W_1..W_N moves the end-to-end matrix W_e = W_N⋯W_1 by

    W_e ← W_e − η Σ_{j=1}^{N} [W_eW_eᵀ]^{(j−1)/N} ∇L(W_e) [W_eᵀW_e]^{(N−j)/N}   + O(η²)

(the theorem is about gradient flow; for discrete GD the rule is exact to first order in η).

Checked numerically (float64) on hypothesis-generated depths 2..4, widths ≥ min(d_in, d_out), ℓ2
regression data and balanced inits (Procedure 1 of Arora et al. 2019, `verify.checking.strategies`):
(a) one factor-GD step vs the rule differ by Θ(η²): fitted log-log exponent of ‖error‖_F over an η grid,
    within SLOPE_TOLERANCE of 2 (errors count only above RESOLUTION·ε·‖W_e‖);
(b) whole trajectories to a fixed time T = TRAJECTORY_STEPS·η_0 stay close: their largest gap shrinks
    like η¹ (fitted exponent within TRAJECTORY_TOLERANCE of 1: T/η steps of O(η²) each);
(c) oracle: on every example the engine's layer gradients, ∇L(W_e) (the rule's input) and one GD step
    equal `verify.engine.oracles` (back-propagation through the samples, no sufficient statistics, no
    shared products) to ORACLE_TOLERANCE — both sides of (a), (b) use the engine's gradient, so a
    gradient bug shared by both (e.g. ∇L doubled) would otherwise pass.
An example resolves only if both exponents are fitted (enough errors above rounding); unresolved
examples are counted, never passed; none resolved → inconclusive.
Resolution: the bands are the exponents every resolved example accepts ([max s_i − tol, min s_i + tol]);
they must exclude exponent 1 (a first-order error, one step) and 0 (trajectories that do not converge).
Controls (same checker): the wrong exponents j/N on the left or (N−j+1)/N on the right (another formula:
first-order error); and, near the boundary, a δ-balanced init: every layer of the balanced init moved by
δ = DEFECT_RATIO·η_0 relative (‖D_j‖ = O(η_0): first order, just past the O(η²) defects GD itself
creates), where the rule's first-order error is only as large as the defect. Calibration (40 random
cases, before the measured run): the fitted exponent leaves 2 ± 0.15 on 2.5%, 20%, 37.5%, 62.5%, 75%
of the cases at δ/η_0 = 0.003, 0.01, 0.03, 0.1, 0.3 (k = d = 1 cases never do: there the rule
N|w_e|^{2−2/N} is the AM–GM minimum of the factor sum Σ_j Π_{i≠j} w_i², so a defect enters at second
order) — the check resolves defects down to ~0.01·η_0, and 0.1 refutes on some example of every seed.
Changed in issue 14 (before the measured run): the trajectory rule was one-sided (exponent ≥ 0.7) and
skipped examples without a fitted trajectory exponent (a silent pass); it is now two-sided around the
predicted 1 and unresolved examples are counted; the oracle comparison is new; the Gaussian-init
control (far from the hypothesis) is replaced by the δ-balanced one.
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
from verify.checking.strategies import NetworkCase, build_network_case, make_dataset, seeds
from verify.engine import oracles
from verify.engine.end_to_end_rule import ExponentRule, end_to_end_direction, paper_exponents
from verify.engine.losses import QuadraticLoss
from verify.engine.network import balancedness_defects, end_to_end, gd_step, layer_gradients
from verify.output import plots

STEP_SCALE = 0.05              # η_0 = STEP_SCALE / (1 + N(λ_max(XXᵀ) + ‖∇L‖)·max(1, max‖W_i‖)^{2(N−1)})
ETA_DECADES = 3.0              # one-step grid η_0·10^{-3} .. η_0
ETA_POINTS = 7
SLOPE_TOLERANCE = 0.15         # |fitted one-step exponent − claimed| allowed
RESOLUTION = 1e3               # an error counts only above RESOLUTION·ε·‖W_e‖_F (float64 rounding)
TRAJECTORY_STEPS = 10          # T = TRAJECTORY_STEPS·η_0; η = η_0/2^k with K = TRAJECTORY_STEPS·2^k steps
TRAJECTORY_HALVINGS = 3
TRAJECTORY_TOLERANCE = 0.3     # |fitted fixed-time gap exponent − 1| allowed
ORACLE_TOLERANCE = 1e-9        # engine vs chain-rule oracle, relative (rounding is ~1e-15)
DEFECT_RATIO = 0.1             # δ-balanced control: layers moved by δ = DEFECT_RATIO·η_0 (relative)
UNBALANCE_FACTOR = 2.0         # plot only: W_1·2, W_2/2 (same W_e, unbalanced)

RULES: dict[str, ExponentRule] = {
    "paper": paper_exponents,
    "left j/N": lambda n, j: (j / n, (n - j) / n),
    "right (N-j+1)/N": lambda n, j: ((j - 1) / n, (n - j + 1) / n),
}


@dataclass(frozen=True)
class RuleClaim:
    """From balanced inits moved by δ = ``defect_ratio``·η_0 (0: exactly balanced), one factor-GD step
    differs from the end-to-end rule ``rule`` by Θ(η^exponent), and fixed-time trajectories of the two
    converge like η."""

    rule: str = "paper"
    exponent: float = 2.0
    defect_ratio: float = 0.0


def base_step(case: NetworkCase, loss: QuadraticLoss) -> float:
    """η_0: STEP_SCALE over a curvature bound of L^N along the factors (our choice of 'small')."""
    grad = layer_gradients(case.weights, loss).loss_gradient
    biggest = max(1.0, max(float(np.linalg.norm(w, 2)) for w in case.weights))
    curvature = case.depth * (np.linalg.eigvalsh(loss.stats.sxx)[-1] + np.linalg.norm(grad, 2))
    return float(STEP_SCALE / (1.0 + curvature * biggest ** (2 * (case.depth - 1))))


def unbalance(weights: list[np.ndarray], delta: float, seed: int) -> list[np.ndarray]:
    """W_j + δ‖W_j‖_F E_j/‖E_j‖_F with E_j ~ N(0, I) from ``seed``: a δ-balanced init (‖D_j‖ = O(δ‖W‖²))."""
    if delta == 0.0:
        return list(weights)
    rng = np.random.default_rng(seed)
    moved = []
    for w in weights:
        e = rng.standard_normal(w.shape)
        moved.append(w + delta * float(np.linalg.norm(w)) / max(float(np.linalg.norm(e)), 1e-300) * e)
    return moved


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


def oracle_gap(weights: list[np.ndarray], case: NetworkCase, loss: QuadraticLoss, eta: float) -> float:
    """Largest relative gap between the engine and `verify.engine.oracles` (back-propagation through the
    samples): every layer gradient, ∇L(W_e) (the rule's input, as the gradient of a one-layer net) and
    one GD step of size η."""
    x, y = case.data.x, case.data.y
    grads = layer_gradients(weights, loss)
    return max(oracles.relative_gap(grads.layers, oracles.chain_rule_gradients(weights, x, y)),
               oracles.relative_gap([loss.gradient(end_to_end(weights))],
                                    oracles.chain_rule_gradients([end_to_end(weights)], x, y)),
               oracles.relative_gap(gd_step(weights, loss, eta), oracles.gd_step(weights, x, y, eta)))


def measure_step(case: NetworkCase, claim: RuleClaim) -> dict[str, Any]:
    """One-step errors on the η grid and their fitted exponent, the oracle gap and the init's defect."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    eta0 = base_step(case, loss)
    weights = unbalance(case.weights, claim.defect_ratio * eta0, case.init_seed)
    etas = eta0 * np.logspace(0.0, -ETA_DECADES, ETA_POINTS)
    errors, floors = step_errors(weights, loss, etas, RULES[claim.rule])
    resolved = errors > floors
    size = max(1.0, max(float(np.linalg.norm(w)) ** 2 for w in weights))
    out: dict[str, Any] = {"dims": list(case.dims), "eta0": eta0, "etas": etas.tolist(), "errors": errors.tolist(),
                           "resolved_points": int(resolved.sum()), "oracle_gap": oracle_gap(weights, case, loss, eta0),
                           "defect": max((float(np.linalg.norm(d)) for d in balancedness_defects(weights)),
                                         default=0.0) / size}
    if resolved.sum() >= 3:
        out["slope"] = loglog_slope(etas[resolved], errors[resolved]).slope
    return out


def measure_trajectories(case: NetworkCase, claim: RuleClaim, eta0: float) -> dict[str, Any]:
    """Fixed-time trajectory gaps at η_0/2^k and their fitted exponent in η (if all above rounding)."""
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    weights = unbalance(case.weights, claim.defect_ratio * eta0, case.init_seed)
    etas = eta0 / 2.0 ** np.arange(TRAJECTORY_HALVINGS)
    gaps = np.array([trajectory_gap(weights, loss, eta, TRAJECTORY_STEPS * 2 ** k, RULES[claim.rule])
                     for k, eta in enumerate(etas)])
    out: dict[str, Any] = {"trajectory_gaps": gaps.tolist()}
    if np.all(gaps > RESOLUTION * np.finfo(np.float64).eps):
        out["trajectory_slope"] = loglog_slope(etas, gaps).slope
    return out


@st.composite
def cases(draw: Any) -> NetworkCase:
    """Balanced networks of depth 2..4 (d_in, d_out ≤ 3, hidden widths min(d_in, d_out)..4, init scale 0.5..1.5)
    on ℓ2 data (n ≤ 10 samples, drawn rank, gram condition ≤ 10) — what `verify.checking.strategies.network_cases`
    draws, as one module-level composite: building that strategy's nested composites on every draw costs
    ~6 ms of source inspection per example, which dominates the controls' shrinking."""
    depth = draw(st.integers(2, 4), label="depth")
    d_in, d_out = draw(st.integers(1, 3), label="d_in"), draw(st.integers(1, 3), label="d_out")
    widths = draw(st.lists(st.integers(min(d_in, d_out), 4), min_size=depth - 1, max_size=depth - 1), label="widths")
    n = draw(st.integers(1, 10), label="n")
    rank = draw(st.integers(1, min(d_in, n)), label="rank")
    cond = draw(st.floats(1.0, 10.0), label="gram_cond") if rank > 1 else 1.0
    data = make_dataset(d_in, d_out, n, rank=rank, gram_cond=cond, seed=draw(seeds(), label="data seed"))
    scale = draw(st.floats(0.5, 1.5), label="init_scale")
    return build_network_case((d_in, *widths, d_out), "balanced", draw(seeds(), label="init seed"), data, scale)


def rule_property(claim: RuleClaim, seen: list[dict[str, Any]] | None = None,
                  passed: list[NetworkCase] | None = None) -> Callable[[NetworkCase], dict[str, Any]]:
    """The property for one generated case: the engine agrees with the oracle, the one-step error exponent
    matches ``claim`` and the fixed-time gap exponent is 1 (each within its tolerance, when fitted).
    ``resolved`` says whether both exponents were fitted. Every evaluated example's measurements go to
    ``seen``, the passing cases to ``passed``."""

    def prop(case: NetworkCase) -> dict[str, Any]:
        m = measure_step(case, claim)
        if seen is not None:
            seen.append(m)
        if m["oracle_gap"] > ORACLE_TOLERANCE:
            raise PropertyFailure(f"engine and chain-rule oracle differ by {m['oracle_gap']:.2e} (relative; "
                                  f"tolerance {ORACLE_TOLERANCE})", m)
        if "slope" in m and abs(m["slope"] - claim.exponent) > SLOPE_TOLERANCE:
            raise PropertyFailure(f"one-step error exponent {m['slope']:.3f}, claimed {claim.exponent} "
                                  f"(tolerance {SLOPE_TOLERANCE})", m)
        m.update(measure_trajectories(case, claim, m["eta0"]))
        if "trajectory_slope" in m and abs(m["trajectory_slope"] - 1.0) > TRAJECTORY_TOLERANCE:
            raise PropertyFailure(f"fixed-time trajectory gap shrinks like η^{m['trajectory_slope']:.2f}, "
                                  f"predicted η^1 (tolerance {TRAJECTORY_TOLERANCE})", m)
        m["resolved"] = "slope" in m and "trajectory_slope" in m
        if passed is not None:
            passed.append(case)
        return m

    return prop


def replay(claim: RuleClaim) -> ReplayFn:
    """Re-run the property on one case described by `NetworkCase.describe()`."""
    return lambda description: rule_property(claim)(build_network_case(**description))


def common_band(values: list[float], tolerance: float) -> tuple[float, float] | None:
    """Claims c with |v − c| ≤ tolerance for every v: [max v − tol, min v + tol] (None if empty)."""
    if not values:
        return None
    low, high = max(values) - tolerance, min(values) + tolerance
    return (low, high) if low <= high else None


def check_claim(ctx: Context, claim: RuleClaim) -> Evidence:
    """Oracle agreement on every example, the fitted one-step exponent against ``claim.exponent`` and the
    fixed-time gap exponent against 1, on the resolved examples."""
    seen: list[dict[str, Any]] = []
    passed: list[NetworkCase] = []
    budget = ctx.pick(ci=8, default=25, thorough=100)
    outcome = run_property(ctx, cases(), rule_property(claim, seen, passed), max_examples=budget)
    examples = outcome.examples
    resolved = [e for e in examples if e["resolved"]]
    unresolved = len(examples) - len(resolved)
    slopes = [e["slope"] for e in seen if "slope" in e]
    traj = [e["trajectory_slope"] for e in seen if "trajectory_slope" in e]
    theorem = claim == RuleClaim()
    measurements = []
    if slopes:
        band = common_band(slopes, SLOPE_TOLERANCE)
        measurements.append(Measurement(
            "one-step error exponent in η", float(np.mean(slopes)), predicted=claim.exponent, tolerance=SLOPE_TOLERANCE,
            interval=(min(slopes), max(slopes)), kind="mean; min..max over examples", gate_tolerance=SLOPE_TOLERANCE,
            band=band or (float(np.mean(slopes)), float(np.mean(slopes))), ruled_out=1.0 if theorem else None,
            band_note=f"claims c with |s_i − c| ≤ {SLOPE_TOLERANCE} for every fitted example s_i" if band else
            "empty: no claim is within the tolerance of every example (shown as the mean)"))
    if traj:
        band = common_band(traj, TRAJECTORY_TOLERANCE)
        measurements.append(Measurement(
            "fixed-time trajectory gap exponent in η", float(np.mean(traj)), predicted=1.0,
            tolerance=TRAJECTORY_TOLERANCE, interval=(min(traj), max(traj)), kind="mean; min..max over examples",
            band=band or (float(np.mean(traj)), float(np.mean(traj))), ruled_out=0.0 if theorem else None,
            band_note=f"claims c with |t_i − c| ≤ {TRAJECTORY_TOLERANCE} for every fitted example t_i" if band else
            "empty: no claim is within the tolerance of every example (shown as the mean)"))
    if seen:
        measurements.append(Measurement("max relative gap, engine vs chain-rule oracle",
                                        max(e["oracle_gap"] for e in seen),
                                        kind=f"gradients, ∇L(W_e), one GD step; decides at ≤ {ORACLE_TOLERANCE:g}"))
        measurements.append(Measurement("init defect max_j ‖D_j‖_F / max‖W_j‖²", max(e["defect"] for e in seen),
                                        kind="max over examples"))
    if resolved:
        measurements.append(Measurement("largest trajectory gap at the smallest η (relative)",
                                        max(e["trajectory_gaps"][-1] for e in resolved), kind="max over examples"))
    if outcome.failure:
        summary, holds = f"counterexample: {outcome.failure['message']}", False
    elif resolved:
        summary, holds = (f"one-step exponent {np.mean(slopes):.3f} (claimed {claim.exponent}), trajectory gap "
                          f"exponent {np.mean(traj):.2f} over {len(resolved)} resolved example(s); "
                          f"{unresolved} unresolved"), True
    else:
        summary, holds = f"no example resolved both exponents above float64 rounding ({unresolved} unresolved)", None
    plot_files = plot_errors(ctx, passed[0], examples[0]) if passed and theorem else []
    return Evidence(
        holds=holds, summary=summary, measurements=measurements, counterexample=outcome.failure, plots=plot_files,
        unresolved=unresolved,
        run={"rule exponents": claim.rule, "init": "balanced" + (f", every layer moved by δ = {claim.defect_ratio}·η_0"
                                                                  if claim.defect_ratio else ""),
             "depths": "2..4", "d_in, d_out": "1..3", "hidden widths": "min(d_in,d_out)..4", "samples n": "1..10",
             "init scale": "0.5..1.5", "η grid": f"{ETA_POINTS} points η_0·10^-{ETA_DECADES:g}..η_0",
             "trajectories": f"T = {TRAJECTORY_STEPS}·η_0 at η = η_0/2^k, k < {TRAJECTORY_HALVINGS}",
             "oracle": "verify.engine.oracles on every example", "precision": "float64",
             "examples passed": len(examples), "examples resolved": len(resolved),
             "examples evaluated (incl. shrinking)": len(seen), "seed": ctx.seed, "hypothesis max_examples": budget},
        findings=["The rule is first-order exact for discrete GD: the one-step error is O(η²), and at a fixed time "
                  "the accumulated gap is O(η) (T/η steps)."] if theorem and holds else [],
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
    # references through 5× each curve's largest-η point, so that they stay visible beside the data
    ax.loglog(etas, 5 * errors[-1] * (etas / etas[-1]) ** 2, "k:", label="slope 2 (theorem), 5× offset")
    ax.loglog(etas, 5 * skewed[-1] * (etas / etas[-1]), "r:", label="slope 1, 5× offset")
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
    conclusion="‖one GD step − rule‖ = Θ(η²) (fitted exponent 2), fixed-time trajectories converge like η, and the "
               "engine's gradients equal an independent chain-rule oracle.",
    certification=Certification.NUMERIC,
    check=lambda ctx: check_claim(ctx, RuleClaim()),
    replay=replay(RuleClaim()),
    controls=(
        Control("left-exponent-j-over-n", "The rule with [W_eW_eᵀ]^{j/N} on the left matches balanced GD to O(η²).",
                lambda ctx: check_claim(ctx, RuleClaim(rule="left j/N")), replay(RuleClaim(rule="left j/N"))),
        Control("right-exponent-shifted", "The rule with [W_eᵀW_e]^{(N−j+1)/N} on the right matches balanced GD to "
                "O(η²).", lambda ctx: check_claim(ctx, RuleClaim(rule="right (N-j+1)/N")),
                replay(RuleClaim(rule="right (N-j+1)/N"))),
        Control("delta-balanced-init", f"From a δ-balanced init (every layer moved by δ = {DEFECT_RATIO}·η_0, "
                "relative) GD matches the end-to-end rule to O(η²) (balancedness violated just past what GD "
                "itself keeps).",
                lambda ctx: check_claim(ctx, RuleClaim(defect_ratio=DEFECT_RATIO)),
                replay(RuleClaim(defect_ratio=DEFECT_RATIO))),
    ),
    constants={"η_0": Constant(f"{STEP_SCALE}/(1 + N(λ_max(XXᵀ) + ‖∇L‖)·max(1, max‖W_i‖)^(2(N−1)))", "chosen"),
               "η grid": Constant(f"{ETA_POINTS} points over {ETA_DECADES:g} decades", "chosen"),
               "slope tolerance": Constant(SLOPE_TOLERANCE, "chosen", "|fitted one-step exponent − 2|; 1 is ruled out"),
               "resolution": Constant(RESOLUTION, "chosen",
                                      "errors count above this multiple of ε·‖W_e‖ (float64 rounding)"),
               "trajectory": Constant(f"T = {TRAJECTORY_STEPS}·η_0, {TRAJECTORY_HALVINGS} halvings of η", "chosen"),
               "trajectory tolerance": Constant(TRAJECTORY_TOLERANCE, "chosen",
                                                "|fitted gap exponent − 1|; 0 is ruled out"),
               "oracle tolerance": Constant(ORACLE_TOLERANCE, "chosen", "engine vs verify.engine.oracles, relative"),
               "δ-balanced control": Constant(DEFECT_RATIO, "chosen", "δ/η_0 for the near-boundary control")},
    headline="one-step error exponent in η",
    tags=frozenset({"dynamics"}),
))
