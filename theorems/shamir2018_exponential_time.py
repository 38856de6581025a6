"""shamir2018.exponential_time — GD on 1-D deep linear nets needs exp(Ω(k)) iterations from random init.

Shamir, "Exponential Convergence Time of Gradient Descent for One-Dimensional Deep Linear Neural
Networks", COLT 2019 (arXiv 1809.08587), Theorem 1: for F(w_1..w_k) = f(Π_i w_i) and a standard
random init (i.i.d. N(0,1), or near 1), w.p. ≥ 1 − exp(−Ω(k)) GD with a step size at most
exponential in k needs ≥ exp(Ω(k)) iterations before F − inf F ≤ ε.

Checked (numeric/statistical, float64 with an arb path; `verify.engine.scalar_chains`):
(a) growth: for every depth k of a sweep, ``runs`` i.i.d. N(0,1) inits are trained together
    (one (runs, k) array) with f(p) = ½(p − 1)², η = 0.1, until F − inf F ≤ ε = 0.01 or an
    iteration cap. The median iteration count T_k is fitted: log T_k = a + c·k with a 95% CI, and
    the nested model log T = a + b log k + c k decides exponential (c's CI above ``MIN_RATE``) vs
    polynomial growth. Censored runs (cap reached) and diverged runs count as "not yet converged":
    a depth enters the fit only if its median is exact (< half of the runs censored or diverged);
    deeper depths are reported as lower bounds (median ≥ cap).
(b) the slow event E_k = {T_k ≥ e^{SLOW_RATE·k}}: its empirical probability per depth with a
    Clopper–Pearson interval (censored runs count as slow: the cap exceeds the threshold).
(c) mechanism: log|Π w_i(0)| and log max_j|∂F/∂w_j(0)| averaged over runs decay linearly in k
    (fitted rate c with CI), at depths up to ``MECHANISM_DEPTHS[-1]``, where the products underflow
    float64; runs below the switch point 2^-970 are computed in arb (`scalar_chains.init_mechanism`).

Not checked: the near-1 init of the theorem (1 + small noise has E log|w| ≈ −σ²/2, so its
exponential regime needs k ≫ 1/σ², far beyond a float64 iteration count); the exact assumptions on
f (only the square loss is run); the step-size condition's sign (docs/theorems.md leaves it unverified;
η = 0.1 ≤ 1 is used). Constants C, ε, Ω(·) are unspecified by the paper: the fitted rate is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import GrowthFit, clopper_pearson, growth_fit, linear_fit
from verify.engine.inits import scalar_chains
from verify.engine.scalar_chains import FLOAT64_FLOOR, ChainLoss, init_mechanism, iterations_to_eps, median_iterations
from verify.output import plots

TARGET = 1.0                    # y in f(p) = ½(p − y)² (slow regime)
ETA = 0.1                       # step size in the slow regime
EPS = 0.01                      # F − inf F ≤ ε counts as converged
IDENTITY_TARGET = 2.0           # control: identity init, positive target (Bartlett et al. regime)
IDENTITY_ETA = 0.5              # control step η_k = IDENTITY_ETA / (k·y²) (stable for w_i = 1, y = 2)
MIN_RATE = 0.05                 # growth faster than e^{0.05 k} beyond any power of k is "exponential"
SLOW_RATE = 0.3                 # slow event: T_k ≥ e^{SLOW_RATE·k}
GAUSSIAN_DECAY = (np.euler_gamma + np.log(2.0)) / 2   # −E log|N(0,1)| ≈ 0.635 (our derivation)
MECHANISM_DEPTHS = (10, 50, 200, 800, 1200, 1600)
MECHANISM_RUNS = 32


@dataclass(frozen=True)
class ShamirClaim:
    """GD iterations to ε grow ``growth`` ("exponential"/"polynomial") in depth from ``init``
    ("gaussian": N(0,1), y = TARGET, η = ETA; "identity": w_i = 1, y = IDENTITY_TARGET, η ∝ 1/k)."""

    init: str = "gaussian"
    growth: str = "exponential"


@dataclass(frozen=True)
class DepthPoint:
    """One sweep point: ``runs`` chains of depth k, seeded."""

    init: str
    depth: int
    runs: int
    cap: int
    seed: int


def regime(init: str, depth: int) -> tuple[ChainLoss, float]:
    """(loss, step size) of the regime: Shamir's square loss with η = ETA, or the identity control."""
    if init == "gaussian":
        return ChainLoss.square(TARGET), ETA
    return ChainLoss.square(IDENTITY_TARGET), IDENTITY_ETA / (depth * IDENTITY_TARGET ** 2)


def sweep_point(point: DepthPoint) -> dict[str, float]:
    """Iterations to ε for one depth: median (exact or a lower bound), censoring, slow-event counts."""
    rng = np.random.default_rng([point.seed, point.depth])
    runs = point.runs if point.init == "gaussian" else 1
    w0 = scalar_chains(runs, point.depth, rng, kind=point.init)
    loss, eta = regime(point.init, point.depth)
    counts = iterations_to_eps(w0, loss, eta, EPS, point.cap)
    median, exact = median_iterations(counts)
    slow = counts.censored | counts.diverged | (counts.iterations >= np.exp(SLOW_RATE * point.depth))
    return {"depth": point.depth, "runs": runs, "median": median, "exact": exact,
            "censored": int(counts.censored.sum()), "diverged": int(counts.diverged.sum()),
            "unresolved_in_float64": int((~counts.resolved).sum()), "slow": int(slow.sum()),
            "eta": eta}


def mechanism(ctx: Context, init: str) -> dict[str, object]:
    """Mean log|Π w_i(0)| and mean log max_j |∂F/∂w_j(0)| per depth, and their fitted decay rates."""
    loss, _ = regime(init, 1)
    rows = []
    for k in MECHANISM_DEPTHS:
        w0 = scalar_chains(MECHANISM_RUNS if init == "gaussian" else 1, k, ctx.rng("mechanism", k), kind=init)
        m = init_mechanism(w0, loss)
        rows.append((k, float(np.mean(m.log_product)), float(np.mean(m.log_max_partial)), int(m.used_arb.sum())))
    ks = [r[0] for r in rows]
    return {"rows": rows, "product": linear_fit(ks, [r[1] for r in rows]),
            "partial": linear_fit(ks, [r[2] for r in rows])}


def check_claim(ctx: Context, claim: ShamirClaim) -> Evidence:
    """Sweep depths, fit the growth of the median iteration count, measure the mechanism."""
    depths = ctx.pick(ci=tuple(range(2, 17, 2)), default=tuple(range(2, 23, 2)), thorough=tuple(range(2, 31, 2)))
    runs = ctx.pick(ci=64, default=256, thorough=1024)
    cap = ctx.pick(ci=20_000, default=200_000, thorough=2_000_000)
    ctx.status(f"{claim.init}: depths {depths[0]}..{depths[-1]}, {runs} runs, cap {cap}")
    points = ctx.cached_map(sweep_point, [DepthPoint(claim.init, k, runs, cap, ctx.seed) for k in depths])
    exact = [p for p in points if p["exact"]]
    mech = mechanism(ctx, claim.init)
    decay = -mech["product"].slope, (-mech["product"].ci[1], -mech["product"].ci[0])
    measurements = [
        Measurement("decay rate c of |Π w_i(0)| ~ e^{−ck}", decay[0], interval=decay[1], kind="95% CI",
                    predicted=GAUSSIAN_DECAY if claim.init == "gaussian" else 0.0, gate_tolerance=0.05),
        Measurement("decay rate of max_j |∂F/∂w_j(0)|", -mech["partial"].slope,
                    interval=(-mech["partial"].ci[1], -mech["partial"].ci[0]), kind="95% CI"),
    ]
    if len(exact) < 4:
        return Evidence(None, f"only {len(exact)} depth(s) with an exact median (< half censored): no fit",
                        measurements, run=run_record(claim, depths, runs, cap, points, mech, ctx))
    fit = growth_fit([p["depth"] for p in exact], [p["median"] for p in exact])
    kind = fit.kind(MIN_RATE)
    mechanism_ok = claim.growth == "polynomial" or decay[1][0] > 0
    holds = None if kind == "inconclusive" else kind == claim.growth and mechanism_ok
    measurements += [
        Measurement("growth rate of log T_k in k (exponential fit)", fit.exponential.slope,
                    interval=fit.exponential.ci, kind="95% CI", gate_tolerance=0.1),
        Measurement("excess rate c beyond any power of k (nested fit)", fit.nested_c, predicted=None,
                    interval=fit.nested_ci, kind=f"95% CI; exponential if lower end > {MIN_RATE}, polynomial if upper end < {MIN_RATE}"),
        Measurement("power-law exponent of T_k in k (log-log fit)", fit.power.slope, interval=fit.power.ci,
                    kind="95% CI"),
    ]
    deepest = points[-1]
    p_slow = clopper_pearson(deepest["slow"], deepest["runs"])
    measurements.append(Measurement(f"P(T ≥ e^{{{SLOW_RATE}k}}) at k = {deepest['depth']}",
                                    deepest["slow"] / deepest["runs"], interval=p_slow, kind="Clopper–Pearson 95%"))
    findings = findings_for(claim, points, mech)
    summary = (f"T_k grows {kind} (log T slope {fit.exponential.slope:.3f}/layer, 95% CI "
               f"[{fit.exponential.ci[0]:.3f}, {fit.exponential.ci[1]:.3f}]; nested c ∈ "
               f"[{fit.nested_ci[0]:.3f}, {fit.nested_ci[1]:.3f}]); decay rate of |Π w(0)| {decay[0]:.3f}; "
               f"claimed {claim.growth}")
    return Evidence(holds, summary, measurements, run=run_record(claim, depths, runs, cap, points, mech, ctx),
                    plots=plot_sweep(ctx, claim, points, fit, mech), findings=findings)


def findings_for(claim: ShamirClaim, points: list[dict[str, float]], mech: dict[str, object]) -> list[str]:
    out = []
    lower = [p for p in points if not p["exact"]]
    if lower:
        out.append("Depths with ≥ half the runs censored/diverged enter only as lower bounds (median ≥ cap): "
                   + ", ".join(f"k={p['depth']}" for p in lower) + ".")
    diverged = sum(p["diverged"] for p in points)
    if diverged:
        out.append(f"{diverged} run(s) diverged (|p| > 1e100) and were counted as not converging.")
    unresolved = sum(p["unresolved_in_float64"] for p in points)
    out.append(f"{unresolved} run(s) had an initial GD update below 1024 ulps of w_j (float64 rounds it); "
               "such runs move the product by a relative factor ≤ k·2^-42 per step, so they cannot reach ε "
               "before the cap and are correctly censored.")
    arb_runs = sum(r[3] for r in mech["rows"])
    switch = [r[0] for r in mech["rows"] if r[3] > 0]
    out.append(f"Mechanism: {arb_runs} run(s) had a partial product below the float64 switch point "
               f"{FLOAT64_FLOOR:.1e} and were computed in arb (depths {switch}).")
    return out


def run_record(claim: ShamirClaim, depths: tuple[int, ...], runs: int, cap: int,
               points: list[dict[str, float]], mech: dict[str, object], ctx: Context) -> dict[str, object]:
    loss_target = TARGET if claim.init == "gaussian" else IDENTITY_TARGET
    return {"init": claim.init, "depths k": list(depths), "runs per depth": runs if claim.init == "gaussian" else 1,
            "iteration cap": cap, "loss": f"f(p) = ½(p − {loss_target:g})², ε = {EPS}",
            "step size": f"η = {ETA}" if claim.init == "gaussian" else f"η = {IDENTITY_ETA}/(k·y²)",
            "per depth (k, median T, exact, censored, diverged, slow)":
                [(p["depth"], p["median"], p["exact"], p["censored"], p["diverged"], p["slow"]) for p in points],
            "mechanism depths": list(MECHANISM_DEPTHS), "mechanism runs": MECHANISM_RUNS,
            "mechanism (k, mean log|Πw|, mean log max|∂F|, runs in arb)": mech["rows"],
            "precision": "float64 GD; arb (30 digits) for products below 2^-970", "seed": ctx.seed}


def plot_sweep(ctx: Context, claim: ShamirClaim, points: list[dict[str, float]], fit: GrowthFit,
               mech: dict[str, object]) -> list[str]:
    if ctx.out_dir is None:
        return []
    fig, ax = plots.figure(11.0, 4.0)
    ax.remove()
    ax, bx = fig.subplots(1, 2)
    ks = np.array([p["depth"] for p in points])
    med = np.array([p["median"] for p in points])
    exact = np.array([p["exact"] for p in points])
    ax.semilogy(ks[exact], med[exact], "o", label="median iterations to ε")
    ax.semilogy(ks[~exact], med[~exact], "^", label="lower bound (≥ cap)")
    grid = np.linspace(ks.min(), ks.max(), 50)
    ax.semilogy(grid, np.exp(fit.exponential.intercept + fit.exponential.slope * grid), "--",
                label=f"exp fit, slope {fit.exponential.slope:.2f}/layer")
    ax.set_xlabel("depth k")
    ax.set_ylabel("iterations")
    ax.set_title(f"1-D chains, {claim.init} init")
    ax.legend()
    rows = np.array(mech["rows"])
    bx.plot(rows[:, 0], rows[:, 1], "o-", label="mean log|Π w_i(0)|")
    bx.plot(rows[:, 0], rows[:, 2], "x--", label="mean log max_j|∂F/∂w_j(0)|")
    bx.axhline(np.log(FLOAT64_FLOOR), color="gray", ls=":", label="float64 → arb switch")
    bx.set_xlabel("depth k")
    bx.set_ylabel("natural log")
    bx.legend()
    return plots.save(fig, ctx, f"sweep-{claim.init}")


THEOREM = register(Theorem(
    id="shamir2018.exponential_time",
    title="1-D deep linear nets: GD from random init needs exp(Ω(k)) iterations",
    source="Shamir 2019 (COLT; arXiv 1809.08587), Theorem 1",
    statement="For F(w_1..w_k) = f(Π w_i) with i.i.d. standard random init, w.p. ≥ 1 − exp(−Ω(k)) GD "
              "(step size at most exponential in k) needs ≥ exp(Ω(k)) iterations to reach F − inf F ≤ ε.",
    hypotheses=("scalar parameters w_1..w_k, f(p) = ½(p − 1)² (minimiser away from 0)",
                "w_i(0) i.i.d. N(0, 1)", f"step size η = {ETA} (≤ 1)", f"ε = {EPS}"),
    conclusion="The median iteration count T_k grows exponentially in k (fit with CI); |Π w_i(0)| and "
               "max_j|∂F/∂w_j(0)| decay like e^{−ck}.",
    certification=Certification.STATISTICAL,
    check=lambda ctx: check_claim(ctx, ShamirClaim()),
    controls=(
        Control("identity-init-exponential", "From identity init with a positive target (y = 2, η ∝ 1/k) GD "
                "also needs exp(Ω(k)) iterations.",
                lambda ctx: check_claim(ctx, ShamirClaim(init="identity", growth="exponential"))),
        Control("gaussian-polynomial", "From N(0,1) init GD reaches ε in poly(k) iterations.",
                lambda ctx: check_claim(ctx, ShamirClaim(init="gaussian", growth="polynomial"))),
    ),
    constants={"ε": Constant(EPS, "chosen"), "η": Constant(ETA, "chosen"),
               "MIN_RATE": Constant(MIN_RATE, "chosen", "smallest excess rate called exponential"),
               "SLOW_RATE": Constant(SLOW_RATE, "chosen", "slow event T_k ≥ e^(SLOW_RATE·k)"),
               "iteration cap": Constant("ci 2e4, default 2e5, thorough 2e6", "chosen", "censored runs are lower bounds")},
    headline="growth rate of log T_k in k (exponential fit)",
    tags=frozenset({"statistical", "high-precision"}),
))
