"""du_hu2019.narrow_vs_wide — "width provably matters": exp(L) iterations at width 1, poly(L) when wide.

Du & Hu, "Width Provably Matters in Optimization for Deep Linear Neural Networks", ICML 2019
(arXiv 1901.08572), §1 and the talk's "narrow network → exp(L) time, wide network → poly(L) time"
(seed 000): Theorem 4.1 (wide: O(κ log 1/ε) iterations, independent of L) against Shamir's
exp(Ω(L)) lower bound for width 1 (arXiv 1809.08587, Thm 1).

Checked (statistical, float64): one sweep over depth L on one data set (d_x = d_y = 1, X from
`make_dataset`, Y = W*X with W* = ``W_STAR`` so the minimiser is away from 0), Du–Hu's setting
(N(0,1) init, α = 1/√(m^{L−1} d_y), η = d_y/(2Lλ_max)), counting GD iterations until
ℓ − ℓ* ≤ ``EPS_REL``·½‖Y‖². Width 1 runs as a batched scalar chain (`verify.engine.scalar_chains`, the
same objective: a width-1 net with d_x = d_y = 1 is f(Π w_i)); width m = ``WIDE_PER_LAYER``·L runs in
the matrix engine with the seeds on a batch axis. The median over seeds is fitted per width with
`scalar_chains.growth_fit`: narrow must be exponential, wide polynomial. Censored runs (cap reached)
count as not converged; a depth enters a fit only if its median is exact.
Not checked: data with d_x, d_y > 1 for the narrow line (a width-1 net is then no scalar chain).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import GrowthFit, growth_fit
from verify.checking.strategies import make_dataset
from verify.engine.dynamics import run_gd, seed_batches
from verify.engine.inits import du_hu_alpha, scalar_chains
from verify.engine.losses import QuadraticLoss
from verify.engine.scalar_chains import ChainLoss, iterations_to_eps, median_iterations
from verify.output import plots

W_STAR = 1.0                  # Y = W*X: the minimiser of the end-to-end problem, away from 0
SAMPLES = 4                   # n
EPS_REL = 1e-3                # converged when ℓ − ℓ* ≤ EPS_REL·½‖Y‖²
WIDE_PER_LAYER = 8            # wide width m = 8·L (≥ m*(L) measured by du_hu2019.width)
MIN_RATE = 0.05               # as in shamir2018: smallest excess rate called exponential


@dataclass(frozen=True)
class GrowthClaim:
    """Iterations to ε grow ``narrow`` in L at width 1 and ``wide`` at width WIDE_PER_LAYER·L."""

    narrow: str = "exponential"
    wide: str = "polynomial"


@dataclass(frozen=True)
class SweepPoint:
    depth: int
    seeds: int          # wide nets (matrix engine)
    chains: int         # width-1 nets (scalar chains: cheap, so more of them)
    cap: int
    seed: int


def sweep_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X (1×n) from make_dataset and Y = W_STAR·X."""
    x = make_dataset(1, 1, SAMPLES, seed=seed).x
    return x, W_STAR * x


def narrow_and_wide(point: SweepPoint) -> dict[str, object]:
    """Iterations to ε at width 1 (scalar chain) and at width WIDE_PER_LAYER·L (matrix engine)."""
    x, y = sweep_data(point.seed)
    lam_max = float(np.sum(x * x))
    eta = 1.0 / (2 * point.depth * lam_max)                       # d_y/(2Lλ_max), d_y = 1
    eps = EPS_REL * 0.5 * float(np.sum(y * y))
    rng = np.random.default_rng([point.seed, point.depth])
    chain = ChainLoss.regression(x, y, alpha=du_hu_alpha((1,) * (point.depth + 1)))
    narrow = iterations_to_eps(scalar_chains(point.chains, point.depth, rng), chain, eta, eps, point.cap)
    m = WIDE_PER_LAYER * point.depth
    dims = (1,) + (m,) * (point.depth - 1) + (1,)
    loss = QuadraticLoss.from_data(x, y, alpha=du_hu_alpha(dims))
    hits, diverged = [], []
    for weights in seed_batches(dims, rng, point.seeds):  # bounded memory (512 seeds at m = 176, L = 22: 2.3 GiB)
        traj = run_gd(weights, loss, eta, point.cap, target_loss=loss.minimum() + eps)
        hits.append(traj.hit_at)
        diverged.append(traj.diverged_at)
    wide_hit, wide_diverged = np.concatenate(hits), np.concatenate(diverged)
    wide_slow = wide_hit < 0
    n_med, n_exact = median_iterations(narrow)
    w_values = np.where(wide_slow, np.inf, wide_hit.astype(float))
    w_exact = 2 * int(wide_slow.sum()) < wide_slow.size
    return {"depth": point.depth, "width": m, "narrow": n_med, "narrow_exact": n_exact,
            "narrow_censored": int(narrow.censored.sum()), "narrow_diverged": int(narrow.diverged.sum()),
            "wide": float(np.median(w_values)) if w_exact else float(point.cap), "wide_exact": w_exact,
            "wide_not_converged": int(wide_slow.sum()), "wide_diverged": int(np.count_nonzero(wide_diverged >= 0))}


def fit_line(points: list[dict[str, object]], key: str) -> GrowthFit | None:
    exact = [p for p in points if p[f"{key}_exact"]]
    return growth_fit([p["depth"] for p in exact], [p[key] for p in exact]) if len(exact) >= 4 else None


def check_claim(ctx: Context, claim: GrowthClaim) -> Evidence:
    """One depth sweep; growth of the median iterations at width 1 and when wide, each fitted."""
    depths = ctx.pick(ci=tuple(range(2, 13)), default=tuple(range(2, 17)), thorough=tuple(range(2, 23)))
    seeds = ctx.pick(ci=32, default=128, thorough=512)
    chains = ctx.pick(ci=256, default=1024, thorough=4096)
    cap = ctx.pick(ci=20_000, default=200_000, thorough=2_000_000)
    points = ctx.cached_map(narrow_and_wide, [SweepPoint(L, seeds, chains, cap, ctx.seed) for L in depths])
    fits = {key: fit_line(points, key) for key in ("narrow", "wide")}
    run = {"depths L": list(depths), "seeds per depth": f"{chains} at width 1, {seeds} wide", "iteration cap": cap,
           "widths": f"1 and {WIDE_PER_LAYER}·L", "data": f"d_x = d_y = 1, n = {SAMPLES}, Y = {W_STAR}·X",
           "ε": f"{EPS_REL}·½‖Y‖²", "η": "d_y/(2Lλ_max)", "init": "N(0,1), α = 1/√(m^{L−1} d_y)",
           "per depth": points, "precision": "float64", "seed": ctx.seed}
    if any(f is None for f in fits.values()):
        return Evidence(None, "fewer than 4 depths with an exact median on one of the lines: no fit", run=run)
    kinds = {key: fit.kind(MIN_RATE) for key, fit in fits.items()}
    decided = "inconclusive" not in kinds.values()
    holds = kinds["narrow"] == claim.narrow and kinds["wide"] == claim.wide if decided else None
    measurements = []
    for key, fit in fits.items():
        measurements += [
            Measurement(f"{key}: growth rate of log T in L", fit.exponential.slope, interval=fit.exponential.ci,
                        kind="95% CI", gate_tolerance=0.15),
            Measurement(f"{key}: excess rate beyond any power of L (nested fit)", fit.nested_c,
                        interval=fit.nested_ci, kind=f"95% CI; exponential if lower end > {MIN_RATE}, polynomial if upper end < {MIN_RATE}"),
        ]
    summary = (f"width 1: {kinds['narrow']} (log T slope {fits['narrow'].exponential.slope:.3f}/layer); "
               f"width {WIDE_PER_LAYER}L: {kinds['wide']} (slope {fits['wide'].exponential.slope:.3f}/layer); "
               f"claimed {claim.narrow} / {claim.wide}")
    lower = [p["depth"] for p in points if not p["narrow_exact"]]
    findings = [f"Width-1 depths {lower} have ≥ half the runs censored at the cap: lower bounds only."] if lower else []
    return Evidence(holds, summary, measurements, run=run, plots=plot_sweep(ctx, points, fits), findings=findings)


def plot_sweep(ctx: Context, points: list[dict[str, object]], fits: dict[str, GrowthFit]) -> list[str]:
    if ctx.out_dir is None:
        return []
    fig, ax = plots.figure()
    ls = np.array([p["depth"] for p in points], dtype=float)
    grid = np.linspace(ls.min(), ls.max(), 50)
    for key, label, marker in (("narrow", "width 1", "o"), ("wide", f"width {WIDE_PER_LAYER}L", "s")):
        values = np.array([p[key] for p in points])
        exact = np.array([p[f"{key}_exact"] for p in points])
        ax.semilogy(ls[exact], values[exact], marker, label=f"{label}: median iterations")
        if (~exact).any():
            ax.semilogy(ls[~exact], values[~exact], "^", label=f"{label}: ≥ cap (lower bound)")
        fit = fits[key].exponential
        ax.semilogy(grid, np.exp(fit.intercept + fit.slope * grid), "--", label=f"{label}: slope {fit.slope:.2f}/layer")
    ax.set_xlabel("depth L")
    ax.set_ylabel(f"iterations to ℓ − ℓ* ≤ {EPS_REL}·½‖Y‖²")
    ax.set_title("Width provably matters: narrow vs wide")
    ax.legend(fontsize=8)
    return plots.save(fig, ctx, "narrow-vs-wide")


THEOREM = register(Theorem(
    id="du_hu2019.narrow_vs_wide",
    title="Width provably matters: exp(L) iterations at width 1, poly(L) when wide",
    source="Du & Hu 2019 (ICML; arXiv 1901.08572), §1 / Thm 4.1 vs Shamir 2019 (arXiv 1809.08587) Thm 1",
    statement="GD from Du–Hu's Gaussian init needs exp(Ω(L)) iterations to reach ε at width 1, but poly(L) "
              "(indeed O(κ log 1/ε)) iterations at width m ≳ L.",
    hypotheses=("d_x = d_y = 1, Y = W*X with W* = 1", "W_i(0) i.i.d. N(0,1), α = 1/√(m^{L−1} d_y)",
                "η = d_y/(2Lλ_max)", f"wide: m = {WIDE_PER_LAYER}·L"),
    conclusion="Median iterations to ε: exponential in L at width 1, polynomial in L at width 8L (fits).",
    certification=Certification.STATISTICAL,
    check=lambda ctx: check_claim(ctx, GrowthClaim()),
    controls=(
        Control("narrow-polynomial", "Width-1 nets also reach ε in poly(L) iterations.",
                lambda ctx: check_claim(ctx, GrowthClaim(narrow="polynomial"))),
        Control("wide-exponential", f"Width-{WIDE_PER_LAYER}L nets also need exp(Ω(L)) iterations.",
                lambda ctx: check_claim(ctx, GrowthClaim(wide="exponential"))),
    ),
    constants={"wide width": Constant(WIDE_PER_LAYER, "chosen", "m = this·L (paper: C·L·max{…}, C unspecified)"),
               "ε": Constant(EPS_REL, "chosen", "·½‖Y‖²"), "MIN_RATE": Constant(MIN_RATE, "chosen"),
               "iteration cap": Constant("ci 2e4, default 2e5, thorough 2e6", "chosen")},
    headline="narrow: growth rate of log T in L",
    tags=frozenset({"statistical"}),
))
