"""arora2018.identity_init — deep linear nets from near-zero init stall beyond a crossover depth that shrinks as the
init scale ε shrinks (vanishing gradients); identity init does not stall.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §Experiments ("going deeper": near-zero vs
identity init, i.e. linear residual networks). The mechanism (Claim 2): the end-to-end step is
scaled by ‖W_e‖^{2−2/N}, and with near-zero init W_e = W_N⋯W_1 is tiny, so steps vanish as N grows.

Setting. Square d×d linear regression ½‖W_e X − Y‖² (`verify.engine.losses.QuadraticLoss`) with X from
`verify.checking.strategies.make_dataset` (condition number GRAM_COND) and Y = W* X for a near-identity target
W* = I + TARGET_OFFSET·G/‖G‖₂ (G Gaussian). Hidden width d. Near-zero init: entries N(0, ε²); identity init:
W_j = I. A run "works" if it reaches ℓ ≤ TARGET_FRACTION·ℓ(0) (ℓ(0): the zero map's loss; ℓ* = 0) within the
step budget B at the fastest step size of a grid (identity: ETA_GRID; near-zero: CROSSOVER_ETAS, the large
end of ETA_GRID, where escaping the origin is fastest).

What is claimed and checked (statistical over seeds):
(1) identity init works at every depth of the grid, on every seed;
(2) near-zero init over a log-spaced scan of ε (EPS_SCAN, one batch per depth and seed): every ε works at N = 2
    and every ε ≤ NEAR_ZERO_MAX fails at N = 6; the crossover depth N*(ε, B) — midway between the deepest
    depth that works and the shallowest that fails — falls as log(1/ε) grows: the slope of N* against
    log(1/ε) (OLS over ε × seeds, points with N* inside the depth grid) has a 95% CI below 0 (ruled out:
    slope 0, "depth alone is the obstacle");
(3) mechanism: at near-zero init the layer gradients shrink with depth by e^{λ_1} per layer, λ_1 = log ε +
    ½(log 2 + ψ(d/2)) the top Lyapunov exponent of products of d×d Gaussian matrices with entries N(0, ε²)
    (Newman 1986): the fitted slope of mean_j log‖∂ℓ/∂W_j‖ against N (depths 4…12, GRADIENT_SEEDS seeds) is
    within a factor 1 ± GRADIENT_TOL of λ_1 for every ε (ruled out: an exponent off by 10%).
Reported (findings): N*(ε) along the scan and the fitted slope (measured: N* falls with log(1/ε) but sits
at its floor 2.5 for ε ≲ 0.1 at B = 500 — there the budget runs out already at N = 3); identity init on
targets far from I, W* = I − r·uuᵀ (λ_min(W*) = 1 − r, symmetric), r ∈ FAR_OFFSETS: the success counts per r
and depth and the largest r up to which every seed works, i.e. where identity init stops working.

Controls (each its own seeds and runs, both near a boundary): the gradient exponent 10% steeper than λ_1
(through the same gradient computation); near-zero init with ε = SMALL_EPS works at N = 3, one depth past
its crossover N*(SMALL_EPS) = 2.5.

History. Until 2026-12 the check fixed ε = 1e-2 and asked near-zero init to fail at N ≥ 8, where the initial
gradient is ≈ 2e-11 by construction, and its two controls negated the theorem's own sub-statements on the
same runs (dependent). The crossover, its ε-dependence and the Lyapunov-rate mechanism replace it. Design
fixed after an exploratory run of the crossover grid (B = 500/1500, ε = 0.3 … 0.0125, depths 2…8): N = 8
fails for every ε, so the crossover grid stops at 6; N* on integer depths saturates at 2.5 for ε ≤ 0.05 (N = 2
always works, N = 3 fails), so three ε values left the slope unresolved on ci — hence a fine scan of 12 ε
values in one batch (the same Gaussian directions scaled), which resolves where N* leaves 2.5. Changed after
the 10-seed stability run: the gradient-exponent fit first included ε = 0.2 with 16 seeds; there the
ruled-out 1.1λ_1 is only 0.08 from λ_1 while the slope's standard error was 0.019, and seed 5 missed the 5%
tolerance (slope −0.758 vs λ_1 = −0.801, a common shift of all ε from the shared draws). The exponent claim
is about near-zero init, so the fit now uses ε ≤ NEAR_ZERO_MAX (the 10% alternative ≥ 0.15 away) and 24 seeds
(standard error ≈ 0.016, tolerance 0.05|λ_1| ≥ 0.075 ≈ 4.7 standard errors); the tolerance is unchanged.
Changed after the first thorough run (2026-12-02): the near-zero control asked every seed to work and
was refuted only when none did; at the thorough budget B = 3000, N = 3 is at the crossover for
ε = 0.0125 (4/10 seeds work at seed 0, 2/10 at seeds 1 and 2), so the control came out inconclusive
although its claim is false. Its claim is now "works in ≥ CONTROL_WORKS_FRACTION of the seeds",
decided by a 95% Clopper–Pearson interval (refuted when its upper end is below the fraction); the
ci/default outcomes (0/2, 0/3 seeds) are unchanged.
Constants (ours; the paper's are unspecified): d, n, GRAM_COND, TARGET_OFFSET, grids, budgets, target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import digamma

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import clopper_pearson, linear_fit
from verify.checking.strategies import make_dataset
from verify.engine.losses import QuadraticLoss
from verify.engine.network import layer_gradients
from verify.experiments.optim_baselines import GridRun, gd_update, train_grid
from verify.output import plots

DIM = 6                              # d = d_in = d_out = hidden width
SAMPLES = 60                         # n
GRAM_COND = 10.0                     # condition number of X Xᵀ
TARGET_OFFSET = 0.5                  # ‖W* − I‖₂
TARGET_FRACTION = 1e-3               # works: ℓ ≤ 1e-3·ℓ(0)
ETA_GRID = 2.0 ** np.arange(-6.0, 1.0)
CROSSOVER_ETAS = 2.0 ** np.arange(-2.0, 1.0)
EPS_GRID = (0.1, 0.05, 0.025, 0.0125)   # the gradient-exponent fits (near zero: ε ≤ NEAR_ZERO_MAX)
EPS_SCAN = tuple(float(e) for e in np.geomspace(0.4, 0.01, 12))   # the crossover scan (ratio ≈ 0.715)
NEAR_ZERO_MAX = 0.1                  # ε√d ≤ 0.25: "near zero"; these must fail at the deepest crossover depth
CROSSOVER_DEPTHS = (2, 3, 4, 5, 6)
IDENTITY_DEPTHS = (2, 3, 4, 6, 8)
GRADIENT_DEPTHS = tuple(range(4, 13))   # from 4: W_e(0) is negligible against W* for every ε of the grid
GRADIENT_SEEDS = 24                  # seeds of the gradient fit (no training: cheap); slope SE ≈ 0.016
GRADIENT_TOL = 0.05                  # |fitted per-layer log-gradient slope / λ_1 − 1| allowed
EXPONENT_EXCESS = 1.1                # control: the exponent 10% steeper
SMALL_EPS = 0.0125                   # control: near-zero at N = 3 with this ε
CONTROL_WORKS_FRACTION = 0.9         # control claim: near-zero works in ≥ 90% of the seeds (as identity init does)
FAR_OFFSETS = (0.5, 0.9, 1.1, 1.5, 2.5)


# ---------------------------------------------------------------- the math

def regression(seed: int, far: float = 0.0) -> QuadraticLoss:
    """½‖W_e X − Y‖² with Y = W* X: W* = I + TARGET_OFFSET·G/‖G‖₂, or (``far`` = r > 0) W* = I − r·uuᵀ with a
    random unit u (the realizable case: ℓ* = 0)."""
    data = make_dataset(DIM, DIM, SAMPLES, gram_cond=GRAM_COND, seed=seed)
    g = np.random.default_rng([seed, 31]).standard_normal((DIM, DIM))
    if far > 0:
        u = g[:, 0] / np.linalg.norm(g[:, 0])
        w_star = np.eye(DIM) - far * np.outer(u, u)
    else:
        w_star = np.eye(DIM) + TARGET_OFFSET * g / np.linalg.norm(g, 2)
    return QuadraticLoss.from_data(data.x, w_star @ data.x)


def lyapunov_exponent(eps: float, d: int = DIM) -> float:
    """λ_1 = log ε + ½(log 2 + ψ(d/2)): E log‖W x‖ − log‖x‖ for W with i.i.d. N(0, ε²) entries (exact: ‖Wx‖²/ε²‖x‖²
    is χ²_d), hence the per-layer growth rate of products of such matrices."""
    return math.log(eps) + 0.5 * (math.log(2.0) + float(digamma(d / 2)))


def gaussian_layers(depth: int, seed: int) -> list[np.ndarray]:
    """N standard Gaussian d×d matrices from ``seed`` (scaled by ε by the caller)."""
    rng = np.random.default_rng([seed, 11, depth])
    return [rng.standard_normal((DIM, DIM)) for _ in range(depth)]


def best_runs(run: GridRun) -> tuple[np.ndarray, np.ndarray]:
    """Per batch member: (reached the target at some η, iterations at the fastest η; budget if never)."""
    _, iterations, reached = run.best()
    return reached, iterations


# ---------------------------------------------------------------- sweep points

def identity_point(item: tuple[int, int, int, float]) -> dict[str, Any]:
    """Identity init at depth N on the seed's target (``far`` r: W* = I − r uuᵀ), tuned over ETA_GRID."""
    depth, seed, budget, far = item
    loss = regression(seed, far)
    zero = float(loss.value(np.zeros((DIM, DIM))))
    weights = [np.broadcast_to(np.eye(DIM), (len(ETA_GRID), DIM, DIM)).copy() for _ in range(depth)]
    run = train_grid(weights, loss, ETA_GRID, gd_update(ETA_GRID), budget, target_loss=TARGET_FRACTION * zero)
    reached, iterations = best_runs(run)
    index = int(run.best()[0])
    return {"depth": depth, "seed": seed, "far": far, "works": bool(reached), "iterations": int(iterations),
            "curve": (run.losses[:, index] / zero).tolist()}


def crossover_point(item: tuple[int, int, int, tuple[float, ...]]) -> dict[str, Any]:
    """Near-zero init at depth N with every ε of ``eps`` (one batch: the same Gaussian directions scaled by ε),
    tuned over CROSSOVER_ETAS; which ε reach the target within ``budget``."""
    depth, seed, budget, eps = item
    loss = regression(seed)
    zero = float(loss.value(np.zeros((DIM, DIM))))
    scales = np.asarray(eps)[:, None, None]
    weights = [np.broadcast_to(scales * w, (len(CROSSOVER_ETAS), len(eps), DIM, DIM)).copy()
               for w in gaussian_layers(depth, seed)]
    run = train_grid(weights, loss, CROSSOVER_ETAS, gd_update(CROSSOVER_ETAS[:, None]), budget,
                     target_loss=TARGET_FRACTION * zero)
    reached, iterations = best_runs(run)
    return {"depth": depth, "seed": seed, "eps": list(eps), "works": reached.tolist(),
            "iterations": iterations.tolist()}


def gradient_point(item: tuple[tuple[float, ...], int]) -> dict[str, Any]:
    """mean_j log‖∂ℓ/∂W_j‖_F at near-zero init for every depth in GRADIENT_DEPTHS and every ε (one seed)."""
    eps, seed = item
    loss = regression(seed)
    logs = {e: [] for e in eps}
    for depth in GRADIENT_DEPTHS:
        layers = gaussian_layers(depth, seed)
        for e in eps:
            grads = layer_gradients([e * w for w in layers], loss).layers
            logs[e].append(float(np.mean([np.log(np.linalg.norm(g)) for g in grads])))
    return {"seed": seed, "log_gradient": {e: logs[e] for e in eps}}


# ---------------------------------------------------------------- the claims

def crossover_depths(points: list[dict[str, Any]]) -> dict[tuple[float, int], float | None]:
    """N*(ε) per (ε, seed): midway between the deepest depth that works and the shallowest that fails, if the
    works/fails pattern over CROSSOVER_DEPTHS is monotone with both present (else None: undecided)."""
    out: dict[tuple[float, int], float | None] = {}
    for seed in sorted({p["seed"] for p in points}):
        rows = sorted((p for p in points if p["seed"] == seed), key=lambda p: p["depth"])
        depths = [p["depth"] for p in rows]
        for i, e in enumerate(rows[0]["eps"]):
            works = [p["works"][i] for p in rows]
            k = works.index(False) if False in works else len(works)
            monotone = all(works[:k]) and not any(works[k:])
            out[(e, seed)] = (depths[k - 1] + depths[k]) / 2 if monotone and 0 < k < len(works) else None
    return out


def gradient_slopes(points: list[dict[str, Any]], eps: tuple[float, ...]) -> dict[float, tuple[float, tuple[float, float]]]:
    """Per ε: the fitted slope (and 95% CI) of mean_j log‖∂ℓ/∂W_j‖ against N, pooled over seeds."""
    out = {}
    for e in eps:
        fit = linear_fit(np.tile(GRADIENT_DEPTHS, len(points)), np.concatenate([p["log_gradient"][e] for p in points]))
        out[e] = (fit.slope, fit.ci)
    return out


def gradient_seeds(ctx: Context, offset: int) -> list[int]:
    return [1000 * ctx.seed + offset + i for i in range(GRADIENT_SEEDS)]


@dataclass(frozen=True)
class Budget:
    seeds: list[int]
    steps: int


def budget(ctx: Context, offset: int = 0) -> Budget:
    seeds = ctx.pick(ci=2, default=3, thorough=10)
    return Budget([1000 * ctx.seed + offset + i for i in range(seeds)], ctx.pick(ci=500, default=1500, thorough=3000))


def check_theorem(ctx: Context) -> Evidence:
    """(1) identity works everywhere, (2) the near-zero crossover and its ε-dependence, (3) the gradient exponent."""
    b = budget(ctx)
    identity = ctx.map(identity_point, [(n, s, b.steps, 0.0) for n in IDENTITY_DEPTHS for s in b.seeds])
    crossover = ctx.map(crossover_point, [(n, s, b.steps, EPS_SCAN) for n in CROSSOVER_DEPTHS for s in b.seeds])
    gradients = ctx.map(gradient_point, [(EPS_GRID, s) for s in gradient_seeds(ctx, 200)])
    far_offsets = ctx.pick(ci=(0.9, 1.5), default=FAR_OFFSETS, thorough=FAR_OFFSETS)
    far_depths = ctx.pick(ci=(4,), default=(2, 4, 8), thorough=(2, 4, 8))
    far = ctx.map(identity_point, [(n, s, b.steps, r) for r in far_offsets for n in far_depths for s in b.seeds[:2]])

    identity_ok = sum(p["works"] for p in identity)
    shallow = [w for p in crossover if p["depth"] == CROSSOVER_DEPTHS[0] for w in p["works"]]
    deep = [w for p in crossover if p["depth"] == CROSSOVER_DEPTHS[-1]
            for e, w in zip(p["eps"], p["works"]) if e <= NEAR_ZERO_MAX]
    stars = crossover_depths(crossover)
    resolved = {k: v for k, v in stars.items() if v is not None}
    slopes = gradient_slopes(gradients, EPS_GRID)
    measurements, lines = [], []
    measurements.append(Measurement(f"fraction of (depth, seed) where identity init works (N ≤ {IDENTITY_DEPTHS[-1]})",
                                    identity_ok / len(identity), predicted=1.0, tolerance=0.0, ruled_out=0.0,
                                    interval=clopper_pearson(identity_ok, len(identity)), kind="95% Clopper–Pearson",
                                    band_note="derived (exact count)"))
    measurements.append(Measurement(f"near-zero: fraction of (ε, seed) that work at N = {CROSSOVER_DEPTHS[0]}",
                                    sum(shallow) / len(shallow), predicted=1.0, tolerance=0.0, ruled_out=0.0,
                                    interval=clopper_pearson(sum(shallow), len(shallow)), kind="95% Clopper–Pearson"))
    measurements.append(Measurement(f"near-zero: fraction of (ε ≤ {NEAR_ZERO_MAX:g}, seed) that fail at N = "
                                    f"{CROSSOVER_DEPTHS[-1]}", 1 - sum(deep) / len(deep), predicted=1.0, tolerance=0.0,
                                    ruled_out=0.0, interval=clopper_pearson(len(deep) - sum(deep), len(deep)),
                                    kind="95% Clopper–Pearson"))
    slope_fit = None
    if len({k[0] for k in resolved}) >= 3:
        slope_fit = linear_fit([math.log(1.0 / k[0]) for k in resolved], list(resolved.values()))
        measurements.append(Measurement(
            "slope of the crossover depth N*(ε, B) in log(1/ε)", slope_fit.slope, predicted=0.0, comparison="≤",
            band=slope_fit.ci, ruled_out=0.0, interval=slope_fit.ci, kind="95% CI (OLS over ε × seeds)",
            band_note="the CI: slopes the data do not exclude; rules out 0 (depth alone decides)"))
    for e in EPS_SCAN[::3]:
        values = [v for (ee, _), v in resolved.items() if ee == e]
        measurements.append(Measurement(f"N*(ε = {e:.3g}, B = {b.steps}) median over seeds",
                                        float(np.median(values)) if values else math.nan,
                                        interval=(min(values), max(values)) if values else None, kind="min..max",
                                        unit=f"depth ({len(values)}/{len(b.seeds)} seeds resolved)"))
    ratios = {e: slopes[e][0] / lyapunov_exponent(e) for e in EPS_GRID}
    worst_eps = max(EPS_GRID, key=lambda e: abs(ratios[e] - 1.0))
    lam, ci = lyapunov_exponent(worst_eps), slopes[worst_eps][1]
    measurements.append(Measurement(
        f"log-gradient slope per layer / λ_1 (worst ε = {worst_eps:g})", ratios[worst_eps], predicted=1.0,
        tolerance=GRADIENT_TOL, ruled_out=EXPONENT_EXCESS, interval=(ci[1] / lam, ci[0] / lam),
        kind=f"95% CI of the fitted slope; {GRADIENT_SEEDS} seeds", band_note="derived; rules out the exponent 10% "
        "steeper (1.1 λ_1)"))
    gradient_ok = all(abs(ratios[e] - 1.0) <= GRADIENT_TOL for e in EPS_GRID)
    slope_ok = slope_fit is not None and slope_fit.ci[1] < 0
    lines.append(f"identity works in {identity_ok}/{len(identity)} (depth, seed)")
    lines.append(f"near-zero works at N = {CROSSOVER_DEPTHS[0]} in {sum(shallow)}/{len(shallow)} and fails at N = "
                 f"{CROSSOVER_DEPTHS[-1]} in {len(deep) - sum(deep)}/{len(deep)} (ε ≤ {NEAR_ZERO_MAX:g}, seed)")
    lines.append("N*(ε) falls with log(1/ε) (slope CI < 0)" if slope_ok else "N*(ε) not shown to fall with log(1/ε)" + (
        f" (slope CI [{slope_fit.ci[0]:.3g}, {slope_fit.ci[1]:.3g}])" if slope_fit else " (fewer than 3 resolved ε)"))
    lines.append("gradient exponent within tolerance of λ_1 for every ε" if gradient_ok else
                 "gradient exponent off λ_1")
    if identity_ok < len(identity) or not all(shallow) or any(deep) or not gradient_ok:
        holds: bool | None = False
    elif slope_fit is None or not slope_ok:
        holds = None
    else:
        holds = True
    unresolved = len(stars) - len(resolved)
    findings = [crossover_finding(resolved, b, slope_fit), far_finding(far, far_offsets, far_depths),
                (f"vanishing gradients: per-layer log-gradient slopes {', '.join(f'{slopes[e][0]:.3f}' for e in EPS_GRID)} "
                f"for ε = {', '.join(f'{e:g}' for e in EPS_GRID)}; λ_1 = log ε + ½(log 2 + ψ({DIM}/2)) gives "
                f"{', '.join(f'{lyapunov_exponent(e):.3f}' for e in EPS_GRID)}.")]
    return Evidence(
        holds=holds, summary="; ".join(lines), measurements=measurements, unresolved=unresolved,
        run={"data": f"make_dataset(d={DIM}, n={SAMPLES}, gram_cond={GRAM_COND}); Y = W*X, ‖W* − I‖₂ = {TARGET_OFFSET}",
             "seeds": b.seeds, "step budget B": b.steps, "identity depths": list(IDENTITY_DEPTHS),
             "identity η grid": ETA_GRID.tolist(), "near-zero ε scan": [round(e, 4) for e in EPS_SCAN],
             "crossover depths": list(CROSSOVER_DEPTHS), "near-zero η grid": CROSSOVER_ETAS.tolist(),
             "gradient depths": list(GRADIENT_DEPTHS), "far targets": f"W* = I − r uuᵀ, r ∈ {list(far_offsets)}, "
             f"N ∈ {list(far_depths)}, 2 seeds", "tuning": "per run: the grid η reaching the target first",
             "target": f"ℓ ≤ {TARGET_FRACTION:g}·ℓ(0)"},
        plots=plot_runs(ctx, identity, crossover, gradients), findings=findings)


def crossover_finding(resolved: dict[tuple[float, int], float], b: Budget, fit: Any) -> str:
    """N*(ε) along the scan and the fitted slope."""
    per = "; ".join(f"{e:.3g}: {'/'.join(f'{v:g}' for (ee, _), v in sorted(resolved.items()) if ee == e) or '–'}"
                    for e in EPS_SCAN)
    slope = (f"slope {fit.slope:.3g} per unit of log(1/ε), 95% CI [{fit.ci[0]:.3g}, {fit.ci[1]:.3g}]" if fit
             else "no fit")
    floor = []
    for e in sorted(EPS_SCAN):                                   # from the smallest ε up, while every seed sits at 2.5
        values = [v for (ee, _), v in resolved.items() if ee == e]
        if not values or any(v != 2.5 for v in values):
            break
        floor.append(e)
    where = (f"N* sits at its floor 2.5 (N = 2 works, N = 3 does not) on every seed for ε ≤ {max(floor):.3g}: there the "
             "budget runs out already at N = 3, so below that scale depth and budget, not ε, set the stall"
             if floor else "N* is above its floor 2.5 for every ε of the scan")
    return (f"Crossover depth N*(ε, B = {b.steps}) of near-zero init (per seed; – = outside the depth grid): {per}; "
            f"{slope}. {where}.")


def far_finding(points: list[dict[str, Any]], offsets: tuple[float, ...], depths: tuple[int, ...]) -> str:
    """Where identity init stops working as W* = I − r uuᵀ moves past λ_min(W*) = 0 (r = 1): per depth, the success
    counts and the largest r up to which every seed worked."""
    parts = []
    for n in depths:
        cells, last_ok = [], None
        for r in offsets:
            rows = [p for p in points if p["far"] == r and p["depth"] == n]
            ok = sum(p["works"] for p in rows)
            cells.append(f"r = {r:g}: {ok}/{len(rows)}")
            if ok == len(rows) and last_ok == (offsets[offsets.index(r) - 1] if offsets.index(r) else None):
                last_ok = r
        boundary = f"all seeds work up to r = {last_ok:g}" if last_ok is not None else "fails already at the smallest r"
        parts.append(f"N = {n}: " + ", ".join(cells) + f" ({boundary})")
    return ("Identity init on far targets W* = I − r uuᵀ (λ_min(W*) = 1 − r; Bartlett et al. 2018 predict failure "
            "once it is negative, for whitened data): seeds reaching the target — " + "; ".join(parts) + ".")


# ---------------------------------------------------------------- controls

def check_gradient_exponent(ctx: Context, excess: float) -> Evidence:
    """The claim 'the per-layer log-gradient slope is excess·λ_1', on the control's own seeds."""
    slopes = gradient_slopes(ctx.map(gradient_point, [(EPS_GRID, s) for s in gradient_seeds(ctx, 400)]), EPS_GRID)
    ratios = {e: slopes[e][0] / (excess * lyapunov_exponent(e)) for e in EPS_GRID}
    off = [e for e in EPS_GRID if abs(ratios[e] - 1.0) > GRADIENT_TOL]
    return Evidence(holds=not off, summary=(f"slope / ({excess:g}λ_1) = " + ", ".join(f"{ratios[e]:.3f}" for e in EPS_GRID)
                                            + f" for ε = {', '.join(f'{e:g}' for e in EPS_GRID)} (tolerance "
                                              f"{GRADIENT_TOL})"),
                    measurements=[Measurement("max |slope / claimed exponent − 1|",
                                              max(abs(r - 1.0) for r in ratios.values()), predicted=0.0,
                                              tolerance=GRADIENT_TOL)],
                    run={"seeds": gradient_seeds(ctx, 400), "ε": list(EPS_GRID), "depths": list(GRADIENT_DEPTHS)})


def check_near_zero_works(ctx: Context, eps: float, depth: int) -> Evidence:
    """The claim 'near-zero init with ``eps`` works at ``depth`` in ≥ CONTROL_WORKS_FRACTION of the seeds',
    on the control's own seeds, decided by a 95% Clopper–Pearson interval on the fraction that works."""
    b = budget(ctx, offset=600)
    points = ctx.map(crossover_point, [(depth, s, b.steps, (eps,)) for s in b.seeds])
    works = sum(p["works"][0] for p in points)
    low, high = clopper_pearson(works, len(points))
    verdict = True if low >= CONTROL_WORKS_FRACTION else False if high < CONTROL_WORKS_FRACTION else None
    return Evidence(holds=verdict, summary=f"near-zero init with ε = {eps:g} works at N = {depth} in {works}/{len(points)} "
                                           f"seeds (budget {b.steps}; 95% CI [{low:.2f}, {high:.2f}], claimed ≥ "
                                           f"{CONTROL_WORKS_FRACTION:g})",
                    measurements=[Measurement(f"fraction of seeds where near-zero (ε = {eps:g}) works at N = {depth}",
                                              works / len(points), predicted=CONTROL_WORKS_FRACTION, comparison="≥",
                                              interval=(low, high), kind="95% Clopper–Pearson")],
                    run={"seeds": b.seeds, "budget": b.steps, "η grid": CROSSOVER_ETAS.tolist()})


def plot_runs(ctx: Context, identity: list[dict[str, Any]], crossover: list[dict[str, Any]],
              gradients: list[dict[str, Any]]) -> list[str]:
    """Left: identity-init curves per depth; middle: near-zero success per (ε, depth); right: log-gradients vs N."""
    if ctx.out_dir is None:
        return []
    fig, _ = plots.figure(12.0, 4.0)
    fig.clf()
    left, mid, right = fig.subplots(1, 3)
    for n in IDENTITY_DEPTHS:
        curves = [np.array(p["curve"]) for p in identity if p["depth"] == n]
        length = min(len(c) for c in curves)
        left.semilogy(np.median([c[:length] for c in curves], axis=0), label=f"N={n}")
    left.axhline(TARGET_FRACTION, color="k", ls=":", label="target")
    left.set_title("identity init (median over seeds)")
    left.set_xlabel("iteration")
    left.set_ylabel("ℓ / ℓ(zero map)")
    left.legend(fontsize=7)
    for n in CROSSOVER_DEPTHS:
        frac = np.mean([p["works"] for p in crossover if p["depth"] == n], axis=0)
        mid.semilogx(EPS_SCAN, frac, "o-", ms=3, label=f"N={n}")
    mid.set_title("near-zero init: fraction of seeds reaching the target")
    mid.set_xlabel("init scale ε")
    mid.legend(fontsize=7)
    for e in EPS_GRID:
        rows = [p["log_gradient"][e] for p in gradients]
        (line,) = right.plot(GRADIENT_DEPTHS, np.mean(rows, axis=0), "o", label=f"ε={e:g}")
        base = np.mean(rows, axis=0)[0]
        right.plot(GRADIENT_DEPTHS, base + lyapunov_exponent(e) * (np.array(GRADIENT_DEPTHS) - GRADIENT_DEPTHS[0]),
                   ":", color=line.get_color())
    right.set_title("mean log‖∂ℓ/∂W_j‖ at init; dotted: slope λ_1")
    right.set_xlabel("depth N")
    right.legend(fontsize=7)
    return plots.save(fig, ctx, "curves")


THEOREM = register(Theorem(
    id="arora2018.identity_init",
    title="Deep linear nets: near-zero init stalls beyond a crossover depth that shrinks with ε; identity init does not",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §Experiments (near-zero vs identity init) and Claim 2",
    statement="GD on deep linear networks from near-zero init (entries N(0, ε²)) stops reaching the target within a "
              "budget beyond a crossover depth N*(ε, B) that decreases as log(1/ε) grows (the gradients vanish by "
              "e^{λ_1(ε)} per layer), while identity init (linear residual networks) reaches it at every depth.",
    hypotheses=(f"square {DIM}×{DIM} realizable regression, target ‖W* − I‖₂ ≤ {TARGET_OFFSET}",
                "hidden width d; GD with the fastest step size from a fixed grid",
                "near-zero init entries N(0, ε²), ε on a scan 0.4…0.01 (gradient law: ε ≤ 0.1); identity init W_j = I"),
    conclusion="identity init works at every depth on every seed; near-zero init works at N = 2 for every ε and fails "
               f"at N = 6 for every ε ≤ {NEAR_ZERO_MAX:g}; the slope of N*(ε, B) in log(1/ε) has a 95% CI below 0; "
               "the per-layer log-gradient "
               f"slope is within a factor 1 ± {GRADIENT_TOL} of λ_1 = log ε + ½(log 2 + ψ(d/2)).",
    certification=Certification.STATISTICAL,
    check=check_theorem,
    controls=(
        Control("gradient-exponent-10pct", f"At near-zero init the layer gradients shrink by e^{{{EXPONENT_EXCESS:g}λ_1}} "
                "per layer (the exponent 10% steeper than the Lyapunov exponent).",
                lambda ctx: check_gradient_exponent(ctx, EXPONENT_EXCESS)),
        Control("near-zero-just-past-crossover", f"Near-zero init with ε = {SMALL_EPS:g} still reaches the target at "
                f"N = 3 in ≥ {CONTROL_WORKS_FRACTION:.0%} of the seeds, one depth past its crossover N* = 2.5 (at B = 500; "
                "at the thorough budget N = 3 is the crossover itself).",
                lambda ctx: check_near_zero_works(ctx, SMALL_EPS, 3)),
    ),
    constants={"d": Constant(DIM, "chosen"), "n": Constant(SAMPLES, "chosen"), "gram_cond": Constant(GRAM_COND, "chosen"),
               "‖W* − I‖₂": Constant(TARGET_OFFSET, "chosen"), "η grid": Constant("2^k, k = −6..0", "chosen"),
               "near-zero η grid": Constant("2^k, k = −2..0", "chosen", "the large end of the η grid"),
               "ε grid (gradients)": Constant(str(EPS_GRID), "chosen"),
               "ε scan (crossover)": Constant("12 values geometric from 0.4 to 0.01", "chosen"),
               "near-zero bound": Constant(NEAR_ZERO_MAX, "chosen", "ε that must fail at N = 6"),
               "target": Constant(TARGET_FRACTION, "chosen", "fraction of ℓ(0)"),
               "step budget B": Constant("ci 500, default 1500, thorough 3000", "chosen"),
               "gradient tolerance": Constant(GRADIENT_TOL, "chosen", "|per-layer log-gradient slope / λ_1 − 1|"),
               "gradient seeds": Constant(GRADIENT_SEEDS, "chosen"),
               "control ε": Constant(SMALL_EPS, "chosen"),
               "control works fraction": Constant(CONTROL_WORKS_FRACTION, "chosen",
                                                  "claimed by the near-zero control; refuted by a 95% CP upper end below it"), "control exponent factor": Constant(EXPONENT_EXCESS, "chosen")},
    headline="slope of the crossover depth N*(ε, B) in log(1/ε)",
    tags=frozenset({"statistical"}),
))
