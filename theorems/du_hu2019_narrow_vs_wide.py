"""du_hu2019.narrow_vs_wide — "width provably matters": exp(L) iterations at width 1, poly(L) when wide.

Du & Hu, "Width Provably Matters in Optimization for Deep Linear Neural Networks", ICML 2019
(arXiv 1901.08572v3), §1 and the talk's "narrow network → exp(L) time, wide network → poly(L) time"
(seed 000): Theorem 4.1 (wide, m ≳ L: O(κ log 1/ε) iterations, independent of L) against Shamir's
exp(Ω(L)) lower bound for width 1 (arXiv 1809.08587, Thm 1; Hu, Xiao & Pennington 2020 Thm 5.1
extends it to all widths ≤ O(L^{1−γ})).

Checked (statistical, float64): one data set (d_x = d_y = 1, X from `make_dataset`, Y = W*X with
W* = ``W_STAR`` so the minimiser is away from 0), Du & Hu's setting (N(0,1) init, α = 1/√(m^{L−1}d_y),
η = d_y/(3Lλ_max): Du & Hu v3's largest step, as in du_hu2019.width). For each depth L of a sweep,
GD runs until ℓ(t) − ℓ* ≤ ``EPS_REL``·(ℓ(0) − ℓ*) (Du & Hu's rate is relative to ℓ(0) − ℓ*), and the
median iteration count over seeds is fitted with `verify.checking.stats.growth_fit` (log T = a + c·L,
and the nested log T = a + b·log L + c·L): ``kind(MIN_RATE)`` decides exponential / polynomial /
inconclusive.
- narrow: width 1 as batched scalar chains (`verify.engine.scalar_chains.chain_gradients`: a width-1
  net with d_x = d_y = 1 is f(Π w_i)); integer counts (they are large); must come out exponential.
- wide: width m = ``WIDE_PER_LAYER``·L in the matrix engine (`gd_step_in_place`, seeds batched);
  the excess is ½λ(αW_e − W*)² (no cancellation) and the crossing time is interpolated
  log-linearly between the two steps around ε (fractional iterations): must come out polynomial.
Runs stop once more than half have reached ε (the median is then known); a run that has not reached
ε at the cap is censored, and a depth enters a fit only if its median is exact. An oracle
(`verify.engine.oracles`: back-propagation through the samples) repeats a few GD steps of a wide net
and of a width-1 chain; the check fails if either engine differs beyond rounding.
Resolution: each line's growth rate of log T per layer has band = its 95% CI; ruled_out is 0
(polynomial) for the narrow line and the narrow line's measured rate for the wide one.

Controls (independent computations through the real dynamics; the theorem's sweep is not re-read):
- ``identity-narrow-exponential``: width-1 nets from the identity init w_i(0) = 1 with a positive
  target (W* = ``IDENTITY_TARGET``; Bartlett et al. 2018's regime, a violated hypothesis: not
  Gaussian) also need exp(Ω(L)) iterations — false: the counts stay O(1) (one deterministic run per
  depth, the matrix engine at width 1).
- ``constant-width-polynomial``: nets of constant width ``CONSTANT_WIDTH`` = 2 (below the wide law
  m ∝ L for every L > 2; Hu et al. Thm 5.1 with γ = 1 predicts exp(Ω(L))) reach ε in poly(L)
  iterations like the wide nets — false. Near the boundary: its exponential rate is about half
  the width-1 rate, so the check must resolve a weaker exponential, over deeper nets.

What changed (2026-12, issue 15.3/14) and why: (1) both old controls re-read the theorem's cached
sweep with the growth claim swapped (the runner reports them 'dependent'); they are replaced by the
two computations above. (2) At seed 1 (ci) the wide counts were 4–7 iterations at every depth
(ε = 1e-3·½‖Y‖², η = d_y/(2Lλ_max)) and the growth fits could not decide (nested CI up to 0.23
against 0.05): ε is now 1e-8 of ℓ(0) − ℓ* and the wide counts are fractional (≈ 20–30 iterations).
Their seed-to-seed spread (≈ 35%: P(0) fluctuates by √(L/m) = √(1/8)) is what limits the slope's
CI, so the wide line runs 32 seeds per depth at ci — a development run with 16 left the CI's upper
end at 0.050–0.054 (inconclusive) on 3 of 10 seeds; 128 seeds give slope 0.007 ± 0.009. MIN_RATE and
the fits are unchanged. (3) η is Du & Hu's d_y/(3Lλ_max) (was Hu et al.'s d_y/(2Lλ_max)). (4) Memory:
the thorough wide line ran 256 nets per depth in lockstep, 1.27 GB of weights at L = 22 (m = 176) and a
1.4 GB process per sweep point, so two workers took the thorough run past its 4 GiB budget (B6: Σ RSS
4.5 GiB); it runs 128 (2× default; 128 seeds resolve the slope to ± 0.009, see (2)).
Not checked: data with d_x, d_y > 1 for the narrow line (a width-1 net is then no scalar chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import GrowthFit, growth_fit
from verify.checking.strategies import make_dataset
from verify.engine import oracles
from verify.engine.inits import du_hu_alpha, gaussian, identity, scalar_chains
from verify.engine.losses import QuadraticLoss
from verify.engine.network import gd_step_in_place
from verify.engine.scalar_chains import ChainLoss, chain_gradients
from verify.errors import InvalidArgument
from verify.output import plots

W_STAR = 1.0                  # Y = W*X: the minimiser of the end-to-end problem, away from 0
SAMPLES = 4                   # n
EPS_REL = 1e-8                # converged when ℓ(t) − ℓ* ≤ EPS_REL·(ℓ(0) − ℓ*) (per run)
STEP_CONSTANT = 1 / 3         # η = d_y/(3Lλ_max) (Du & Hu v3 Thm 4.1's largest step)
WIDE_PER_LAYER = 8            # wide width m = 8·L (≈ 7× the threshold m*(L) ≈ 1.2 L of du_hu2019.width)
CONSTANT_WIDTH = 2            # control: width fixed at 2 for every depth
IDENTITY_TARGET = 2.0         # control: W* for the identity init (positive: Bartlett et al.'s easy case)
MIN_RATE = 0.05               # as in shamir2018: smallest excess rate called exponential
ORACLE_TOL = 1e-11            # relative gap allowed between the engines and verify.engine.oracles
ORACLE_STEPS = 3
DIVERGED = 1e10               # a run whose excess exceeds this × its initial excess never reaches ε


@dataclass(frozen=True)
class Line:
    """A family of nets swept over depth: hidden width (``per_layer``·L, or ``constant``), init, target W*."""

    label: str
    per_layer: int = 0
    constant: int = 0
    init: str = "gaussian"
    target: float = W_STAR

    def width(self, depth: int) -> int:
        return self.per_layer * depth if self.per_layer else self.constant


NARROW = Line("width 1", constant=1)
WIDE = Line(f"width {WIDE_PER_LAYER}L", per_layer=WIDE_PER_LAYER)
IDENTITY_NARROW = Line("width 1, identity init", constant=1, init="identity", target=IDENTITY_TARGET)
CONSTANT = Line(f"width {CONSTANT_WIDTH}", constant=CONSTANT_WIDTH)


@dataclass(frozen=True)
class SweepPoint:
    """One depth of one line: ``runs`` seeds (1 for a deterministic init), iteration cap, data seed."""

    line: Line
    depth: int
    runs: int
    cap: int
    seed: int


def sweep_data(seed: int, target: float = W_STAR) -> tuple[np.ndarray, np.ndarray]:
    """X (1×n) from make_dataset and Y = target·X."""
    x = make_dataset(1, 1, SAMPLES, seed=seed).x
    return x, target * x


def step_size(x: np.ndarray, depth: int) -> float:
    """η = STEP_CONSTANT·d_y/(Lλ_max) with d_y = 1, λ_max = ‖x‖²."""
    return STEP_CONSTANT / (depth * float(np.sum(x * x)))


def crossing_times(excess: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Per run (columns of the (steps+1, runs) ``excess``, thresholds ``eps`` per run): the first t with
    excess ≤ ε, interpolated log-linearly between t − 1 and t,
    t_frac = t − 1 + log(e_{t−1}/ε)/log(e_{t−1}/e_t); +∞ if never."""
    if np.ndim(excess) != 2 or excess.shape[0] < 1:
        raise InvalidArgument(f"excess has shape {np.shape(excess)}; expected (steps + 1, runs)")
    eps = np.broadcast_to(np.asarray(eps, dtype=np.float64), excess.shape[1:])
    below = excess <= eps
    hit = below.any(axis=0)
    t = np.argmax(below, axis=0)
    out = np.full(excess.shape[1], np.inf)
    runs = np.flatnonzero(hit)
    first = runs[t[runs] == 0]
    out[first] = 0.0
    later = runs[t[runs] > 0]
    before, after = excess[t[later] - 1, later], excess[t[later], later]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.log(before / eps[later]) / np.log(before / after)
    out[later] = t[later] - 1 + np.where(np.isfinite(frac), np.clip(frac, 0.0, 1.0), 1.0)
    return out


def matrix_iterations(point: SweepPoint) -> np.ndarray:
    """Fractional GD iterations to ε of ``runs`` nets of the point's width and init (matrix engine,
    in place); stops once more than half the runs have crossed (the median is then known) or at least
    half have diverged (excess above DIVERGED × its start, or not finite: the median is censored)."""
    x, y = sweep_data(point.seed, point.line.target)
    m = point.line.width(point.depth)
    dims = (1,) + (m,) * (point.depth - 1) + (1,)
    alpha = du_hu_alpha(dims)
    loss = QuadraticLoss.from_data(x, y, alpha=alpha)
    lam, eta = float(np.sum(x * x)), step_size(x, point.depth)
    if point.line.init == "identity":
        weights = [np.broadcast_to(w, (point.runs,) + w.shape).copy() for w in identity(dims)]
    else:
        weights = gaussian(dims, np.random.default_rng([point.seed, point.depth, m]), batch=(point.runs,))
    history = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(point.cap + 1):
            w_e = gd_step_in_place(weights, loss, eta)[..., 0, 0]
            history.append(0.5 * lam * (alpha * w_e - point.line.target) ** 2)
            reached = np.count_nonzero(np.min(history, axis=0) <= EPS_REL * history[0])
            diverged = np.count_nonzero(~(history[-1] <= DIVERGED * history[0]))
            if 2 * reached > point.runs or 2 * diverged >= point.runs:
                break
    return crossing_times(np.array(history), EPS_REL * history[0])


def chain_iterations(point: SweepPoint) -> np.ndarray:
    """GD iterations until ℓ(t) − ℓ* ≤ EPS_REL·(ℓ(0) − ℓ*) of ``runs`` width-1 nets (scalar chains,
    N(0,1) init, α = 1), by
    `chain_gradients`; stops once more than half the runs have reached ε (the median is then known:
    the rest stay +∞) or at the cap; a run whose product leaves float64 (|p| > 1e100) never reaches ε."""
    x, y = sweep_data(point.seed, point.line.target)
    chain = ChainLoss.regression(x, y, alpha=du_hu_alpha((1,) * (point.depth + 1)))
    w = scalar_chains(point.runs, point.depth, np.random.default_rng([point.seed, point.depth]))
    eta = step_size(x, point.depth)
    counts = np.full(point.runs, np.inf)
    eps = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(point.cap + 1):
            grad, p = chain_gradients(w, chain)
            eps = EPS_REL * chain.excess(p) if eps is None else eps
            counts[np.isinf(counts) & (chain.excess(p) <= eps)] = t
            alive = np.abs(p) < 1e100
            if 2 * np.count_nonzero(np.isfinite(counts)) > point.runs or 2 * np.count_nonzero(~alive) >= point.runs:
                break
            w -= eta * np.where(alive[:, None], grad, 0.0)
    return counts


def line_point(point: SweepPoint) -> dict[str, object]:
    """Median iterations to ε at one depth (exact iff fewer than half the runs are censored)."""
    chains = point.line.width(point.depth) == 1 and point.line.init == "gaussian"
    counts = chain_iterations(point) if chains else matrix_iterations(point)
    slow = ~np.isfinite(counts)
    exact = 2 * int(slow.sum()) < counts.size
    return {"depth": point.depth, "width": point.line.width(point.depth), "median": float(np.median(counts))
            if exact else float(point.cap), "exact": exact, "open": int(slow.sum()), "runs": int(counts.size)}


def sweep_points(ctx: Context, line: Line) -> list[SweepPoint]:
    """The profile's depths, seeds and caps for a line."""
    if line == CONSTANT:
        depths = ctx.pick(ci=tuple(range(2, 21, 2)), default=tuple(range(2, 25, 2)), thorough=tuple(range(2, 33, 2)))
    else:
        depths = ctx.pick(ci=tuple(range(2, 13)), default=tuple(range(2, 17)), thorough=tuple(range(2, 23)))
    runs = {NARROW: ctx.pick(ci=256, default=1024, thorough=4096), IDENTITY_NARROW: 1,
            WIDE: ctx.pick(ci=32, default=64, thorough=128)}.get(line, ctx.pick(ci=64, default=128, thorough=256))
    cap = ctx.pick(ci=20_000, default=200_000, thorough=2_000_000)
    return [SweepPoint(line, L, runs, cap, ctx.seed) for L in depths]


def fit_line(points: list[dict[str, object]]) -> GrowthFit | None:
    exact = [p for p in points if p["exact"]]
    return growth_fit([p["depth"] for p in exact], [p["median"] for p in exact]) if len(exact) >= 4 else None


def oracle_gap(seed: int) -> float:
    """Largest relative gap, after ORACLE_STEPS GD steps, between `gd_step_in_place` (a width-8·3 net)
    or `chain_gradients` (a width-1 chain) and `verify.engine.oracles.gd_step` on the samples."""
    x, y = sweep_data(seed)
    gaps = []
    for dims in ((1, 24, 24, 1), (1, 1, 1, 1)):
        alpha = du_hu_alpha(dims)
        eta = step_size(x, len(dims) - 1)
        engine = gaussian(dims, np.random.default_rng(seed))
        naive = [w.copy() for w in engine]
        chain = np.array([[float(w[0, 0]) for w in engine]]) if dims[1] == 1 else None
        loss = QuadraticLoss.from_data(x, y, alpha=alpha)
        for _ in range(ORACLE_STEPS):
            naive = oracles.gd_step(naive, x, y, eta, alpha)
            if chain is None:
                gd_step_in_place(engine, loss, eta)
            else:
                grad, _ = chain_gradients(chain, ChainLoss.regression(x, y, alpha))
                chain = chain - eta * grad
        ours = engine if chain is None else [np.array([[v]]) for v in chain[0]]
        gaps.append(oracles.relative_gap(ours, naive))
    return float(max(gaps))


@dataclass(frozen=True)
class GrowthClaim:
    """Iterations to ε grow ``growth`` ("exponential"/"polynomial") in L along ``line``."""

    line: Line
    growth: str


def measure_line(ctx: Context, line: Line, cached: bool) -> tuple[list[dict[str, object]], GrowthFit | None]:
    points = sweep_points(ctx, line)
    rows = (ctx.cached_map if cached else ctx.map)(line_point, points)
    return rows, fit_line(rows)


def growth_measurements(line: Line, fit: GrowthFit, claim: str, ruled_out: float | None) -> list[Measurement]:
    """The growth rate of log T per layer (claim: ≥ MIN_RATE if exponential, ≤ if polynomial) with its
    CI as band, and the nested fit's excess rate beyond any power of L."""
    rate = fit.exponential
    return [
        Measurement(f"{line.label}: growth rate of log T in L", rate.slope, predicted=MIN_RATE,
                    comparison="≥" if claim == "exponential" else "≤", interval=rate.ci, kind="95% CI",
                    gate_tolerance=0.15, band=rate.ci, ruled_out=ruled_out,
                    band_note="rates in the 95% CI of the exponential fit"),
        Measurement(f"{line.label}: excess rate beyond any power of L (nested fit)", fit.nested_c,
                    interval=fit.nested_ci,
                    kind=f"95% CI; exponential if lower end > {MIN_RATE}, polynomial if upper end < {MIN_RATE}"),
    ]


def check_claims(ctx: Context, claims: tuple[GrowthClaim, ...], cached: bool) -> Evidence:
    """Measure each claim's line over depth and decide its growth; the conjunction holds iff every
    decided kind matches (inconclusive if a kind is undecided or a fit lacks 4 exact depths)."""
    measured = {c.line: measure_line(ctx, c.line, cached) for c in claims}
    run = {"data": f"d_x = d_y = 1, n = {SAMPLES}, Y = W*·X", "ε": f"ℓ(t) − ℓ* ≤ {EPS_REL:g}·(ℓ(0) − ℓ*) per run",
           "η": "d_y/(3Lλ_max)",
           "init": "N(0,1) unless stated, α = 1/√(m^{L−1} d_y)", "precision": "float64", "seed": ctx.seed}
    for c in claims:
        rows = measured[c.line][0]
        run[f"{c.line.label} (W* = {c.line.target:g}, {c.line.init} init): L: median T (runs not at ε when the "
            "median was known or at the cap / runs)"] = "; ".join(
            f"{p['depth']}: {p['median']:.4g}{'' if p['exact'] else ' (≥ cap)'} ({p['open']}/{p['runs']})"
            for p in rows)
    fits = {c.line: measured[c.line][1] for c in claims}
    missing = [c.line.label for c in claims if fits[c.line] is None]
    if missing:
        return Evidence(None, f"fewer than 4 depths with an exact median: {', '.join(missing)}", run=run,
                        unresolved=len(missing))
    kinds = {c.line: fits[c.line].kind(MIN_RATE) for c in claims}
    narrow_rate = fits[NARROW].exponential.slope if NARROW in fits else None
    measurements = []
    for c in claims:
        ruled = 0.0 if c.growth == "exponential" else narrow_rate
        measurements += growth_measurements(c.line, fits[c.line], c.growth, ruled)
    undecided = [c for c in claims if kinds[c.line] == "inconclusive"]
    holds = None if undecided else all(kinds[c.line] == c.growth for c in claims)
    summary = "; ".join(f"{c.line.label}: {kinds[c.line]} (log T slope {fits[c.line].exponential.slope:.3f}/layer, "
                        f"claimed {c.growth})" for c in claims)
    return Evidence(holds, summary, measurements, run=run, unresolved=len(undecided),
                    plots=plot_lines(ctx, {c.line: measured[c.line] for c in claims}))


def check_theorem(ctx: Context) -> Evidence:
    """Narrow exponential and wide polynomial, plus the oracle comparison."""
    evidence = check_claims(ctx, (GrowthClaim(NARROW, "exponential"), GrowthClaim(WIDE, "polynomial")), cached=True)
    gap = oracle_gap(ctx.seed)
    evidence.measurements.append(Measurement("engines vs oracle: relative gap after 3 GD steps", gap, predicted=0.0,
                                             tolerance=ORACLE_TOL))
    evidence.run["oracle"] = f"{ORACLE_STEPS} GD steps: width-24 depth-3 net (gd_step_in_place) and a width-1 chain"
    if not gap <= ORACLE_TOL:
        evidence.holds = False
        evidence.summary = (f"engine disagrees with the oracle (relative gap {gap:.3g} > {ORACLE_TOL}); "
                            + evidence.summary)
    return evidence


def plot_lines(ctx: Context, measured: dict[Line, tuple[list[dict[str, object]], GrowthFit | None]]) -> list[str]:
    if ctx.out_dir is None:
        return []
    fig, ax = plots.figure()
    for (line, (rows, fit)), marker in zip(measured.items(), "osd^"):
        ls = np.array([p["depth"] for p in rows], dtype=float)
        values = np.array([p["median"] for p in rows])
        exact = np.array([p["exact"] for p in rows])
        ax.semilogy(ls[exact], values[exact], marker, label=f"{line.label}: median iterations")
        if (~exact).any():
            ax.semilogy(ls[~exact], values[~exact], "^", label=f"{line.label}: ≥ cap (lower bound)")
        if fit is not None:
            grid = np.linspace(ls.min(), ls.max(), 50)
            e = fit.exponential
            ax.semilogy(grid, np.exp(e.intercept + e.slope * grid), "--",
                        label=f"{line.label}: slope {e.slope:.2f}/layer")
    ax.set_xlabel("depth L")
    ax.set_ylabel(f"iterations to ℓ − ℓ* ≤ {EPS_REL:g}·(ℓ(0) − ℓ*)")
    ax.set_title("Width provably matters: narrow vs wide")
    ax.legend(fontsize=8)
    name = "narrow-vs-wide" if NARROW in measured else "-".join(line.label.replace(" ", "") for line in measured)
    return plots.save(fig, ctx, name)


CONTROL_CLAIMS = {
    "identity-narrow-exponential": (GrowthClaim(IDENTITY_NARROW, "exponential"),
                                    (f"Width-1 nets from the identity init (w_i(0) = 1, W* = {IDENTITY_TARGET:g}) also "
                                     "need exp(Ω(L)) iterations.")),
    "constant-width-polynomial": (GrowthClaim(CONSTANT, "polynomial"),
                                  (f"Nets of constant width {CONSTANT_WIDTH} (below the wide law m ∝ L) reach ε in "
                                   "poly(L) iterations, like the wide nets.")),
}


def check_control(ctx: Context, kind: str) -> Evidence:
    if kind not in CONTROL_CLAIMS:
        raise InvalidArgument(f"control {kind!r} must be one of {', '.join(CONTROL_CLAIMS)}")
    return check_claims(ctx, (CONTROL_CLAIMS[kind][0],), cached=False)


THEOREM = register(Theorem(
    id="du_hu2019.narrow_vs_wide",
    title="Width provably matters: exp(L) iterations at width 1, poly(L) when wide",
    source="Du & Hu 2019 (ICML; arXiv 1901.08572v3), §1 / Thm 4.1 vs Shamir 2019 (arXiv 1809.08587) Thm 1",
    statement="GD from Du–Hu's Gaussian init needs exp(Ω(L)) iterations to reach ε at width 1, but poly(L) "
              "(indeed O(κ log 1/ε)) iterations at width m ≳ L.",
    hypotheses=(f"d_x = d_y = 1, Y = W*X with W* = {W_STAR:g}", "W_i(0) i.i.d. N(0,1), α = 1/√(m^{L−1} d_y)",
                "η = d_y/(3Lλ_max) (Du & Hu's largest step)", f"wide: m = {WIDE_PER_LAYER}·L"),
    conclusion="Median iterations to ε: exponential in L at width 1, polynomial in L at width 8L (fits).",
    certification=Certification.STATISTICAL,
    check=check_theorem,
    controls=tuple(Control(kind, statement, partial(check_control, kind=kind))
                   for kind, (_, statement) in CONTROL_CLAIMS.items()),
    constants={"wide width": Constant(WIDE_PER_LAYER, "chosen", "m = this·L (paper: C·L·max{…}, C unspecified)"),
               "ε": Constant(EPS_REL, "chosen", "ℓ(t) − ℓ* ≤ ε·(ℓ(0) − ℓ*) per run (Du & Hu's rate is relative)"),
               "MIN_RATE": Constant(MIN_RATE, "chosen"),
               "step constant": Constant(STEP_CONSTANT, "paper", "η = d_y/(3Lλ_max), Du & Hu v3 Thm 4.1"),
               "iteration cap": Constant("ci 2e4, default 2e5, thorough 2e6", "chosen"),
               "control width": Constant(CONSTANT_WIDTH, "chosen", "constant width below the wide law"),
               "identity target": Constant(IDENTITY_TARGET, "chosen", "W* for the identity-init control"),
               "oracle tolerance": Constant(ORACLE_TOL, "chosen", "relative gap, engines vs verify.engine.oracles"),
               "divergence": Constant(DIVERGED, "chosen", "excess above this × its start: the run never reaches ε")},
    headline="width 1: growth rate of log T in L",
    tags=frozenset({"statistical"}),
))
