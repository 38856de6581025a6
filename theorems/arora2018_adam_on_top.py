"""arora2018.adam_on_top — overparameterization "applied on top" of Adam accelerates ℓ_4 regression.

Source: Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §Experiments (ℓ_p regression), as shown in the
authors' talk slides (seed 002, "Overparameterization vs. Explicit Accelerators (con't)"):
"Overparameterization was slower than Adam, but when applied on top: [plot] — Overparameterization may
help not only gradient descent, but also state-of-the-art algorithms." [S] The paper's text was not
available; the slide names no data set, p, depth or learning rates. Reconstructed statement (ours):
in the ℓ_p regression setting of `arora2018.lp_acceleration` (p = 4), Adam on the depth-N factorization
w = W_N⋯W_1 (hidden width 1, near-zero init) reaches the target loss in fewer iterations than Adam on w
itself, each with its best learning rate from a stated grid, by at least MIN_SPEEDUP (1.25×, the
minimum effect `arora2018.lp_acceleration` requires of "accelerates"), for N = 2 and N = 3 (the depths
that theorem gates). Caveat (claims_2026_12.md item 3): a 2024 student replication
(github clementw168/Implicit-acceleration-by-overparametrization) found overparameterization on top of
Adam only "slightly faster"; this check measures the effect and reports it either way.

Setting (as `arora2018.lp_acceleration`, built from `verify.experiments`): L(w) = Σ_i |x_iᵀw − y_i|^p /(p n)
(`verify.experiments.optim_baselines.LpLoss`) on scikit-learn's diabetes data
(`verify.experiments.datasets_real.diabetes_regression`: per seed an 80% row subsample, z-scored features
plus intercept, target/std); depth-N chains start from N(0, ε²) entries (per seed), depth 1 from w = 0;
gradients from the engine's `layer_gradients`; `optim_baselines.train_grid` trains every learning rate of
the grid at once and stops once each seed's fastest rate is known. Iterations to target: first step with
L ≤ L* + TARGET_FRACTION·(L(0) − L*), L* by Newton (`lp_minimum`).

Adam. The runs use `adam_update`, Adam vectorised over the whole grid and all seeds in numpy, because
`torch.optim.Adam` (via `optim_baselines.torch_update`, one parameter group per learning rate) costs
~20× more per step than the budget allows. It follows torch's update line by line (defaults β = (0.9, 0.999),
ε = 1e-8, no weight decay, no amsgrad), and every run cross-checks it against `torch_update("adam")`
itself: ``TORCH_CHECK_STEPS`` steps of a depth-2 chain at two learning rates and two seeds, relative gap
of every weight ≤ ``TORCH_CHECK_TOL`` — torch remains the reference, numpy the fast copy.

Statistics (fixed before the measured run). Per seed the effect is log10(T_Adam,depth 1 / T_Adam,depth N),
paired (same subsample). Seeds come in looks of ``look_size`` fresh seeds, at most ``looks`` looks
(group-sequential): after each look every undecided comparison gets a Student-t CI of its mean at level
1 − 0.05/K (Bonferroni over the K planned looks, so the chance of any wrong decision over all looks is
≤ 5% per comparison); a comparison is *verified* once its CI lies above log10 MIN_SPEEDUP, *refuted*
once it lies below, and sampling stops when every comparison is decided (else inconclusive at the last
look). A seed is *unresolved* (counted, excluded from the effect) if some method never reached the
target in MAX_STEPS or its best rate sits at an end of the grid (the tuning is then censored).
Resolution: each gated quantity is a lower bound, so its acceptance band is the set of bounds s that the
data do not refute, s ≤ CI high. A lower-bound claim never excludes smaller values, so resolution is
judged from above: ruled_out = log10 2, a 2× speed-up (the ``adam-depth2-halves`` control's claim); a band
containing it would mean the CI is too wide to tell a 1.25× gain from a 2× one.

Controls (own computations, fresh runs):
- ``gd-depth2-beats-adam``: overparameterization alone — GD on the depth-2 chain, tuned η — is ≥ 1.25×
  faster than Adam on w at p = 4 (the slide's premise says it is slower; GD runs, not Adam).
- ``adam-depth2-halves``: Adam on the depth-2 chain is ≥ 2× faster than Adam on w at p = 4, on a fresh seed
  stream (a stronger claim than the theorem's, the size of gain "significant acceleration" would suggest).
Reported, not gated: the same comparison at p = 2 (``REPORTED``). It was requested as the control "at p = 2,
where overparameterization should not help, 'helps' must be refuted", but it is not a false statement here:
Adam on the depth-2 chain is ≈ 1.05–1.2× faster than Adam on w at p = 2 too (a 30-seed prototype: ×1.20, CI
1.12–1.30 on 24 resolved seeds; as a control in a 10-seed ci stability run: refuted on 6 seeds,
inconclusive on 4), so its
CI straddles 1.25× and the verdict would flip with the seed. That the gain on top of Adam does not need
p > 2 is itself a finding: it is not ACH18's ℓ_p acceleration mechanism.
Rejected control (prototype): Adam on w started from the depth-2 chain's product w_e(0) vs from w = 0 —
the iteration counts came out equal on every seed (Adam's first steps erase a 1e-4 difference), a
quantity fixed by construction rather than a computation that could fail.

Finding (ci, seeds 0–9; hence ``expected_failure``): falsified on every seed. Depth 3 on top of Adam is
slower than Adam on w (mean ×0.86–1.00); depth 2 is faster (×1.12–1.30, CI above 1 on 7 of 10 seeds) but
never decidably by 1.25×; at p = 2 depth 2 gains ×1.03–1.20 as well.

What changed: the design (depths 2 and 3, MIN_SPEEDUP, grids, target, looks) was fixed after a 12-seed
prototype with torch's Adam that showed depth 2 ≈ 1.28× (spread 0.11 decades) and depth 3 ≈ 0.91×; the
depths and the threshold are those of `arora2018.lp_acceleration`, not chosen from these numbers. After
the first ci runs: (1) the band was the two-sided CI with ruled_out = 0, and stopping waited for the CI to
exclude 0 — that flagged every near-zero effect as weak although the claim itself was refuted, and cost
two extra looks; it is now the lower-bound band with ruled_out = 2× (above); (2) the p = 2 control became a
reported measurement (above); (3) the ci grid grew to 2^-4.5..2^0.5 because depth-2 runs were tuned at
2^-4, the old grid's end (censored seeds).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import mean_ci
from verify.engine.network import Gradients, layer_gradients
from verify.errors import InvalidArgument
from verify.experiments.optim_baselines import (
    NN_EXTRA_SKIP,
    LpLoss,
    Update,
    gd_update,
    lp_minimum,
    nn_extra_missing,
    torch_update,
    train_grid,
)
from verify.output import plots

P = 4.0                                   # the ℓ_p of the claim
CONTROL_P = 2.0                           # reported: the boundary of "p > 2"
DEPTHS = (2, 3)                           # overparameterization depths gated (as arora2018.lp_acceleration)
INIT_SCALE = 1e-2                         # ε: depth-N entries N(0, ε²) (as arora2018.lp_acceleration)
TARGET_FRACTION = 1e-6                    # target: L ≤ L* + 1e-6·(L(0) − L*)
MAX_STEPS = 4000                          # Adam settles in ≈ 600–1000 steps here
LR_GRID = 2.0 ** np.arange(-7.0, 2.25, 0.5)   # Adam learning rates 2^-7 .. 2^2 in half-octaves (ci: 2^-4.5 .. 2^0.5)
MIN_SPEEDUP = 1.25                        # a gain counts if ≥ 1.25× (log10 ≈ 0.097), as arora2018.lp_acceleration
HALVING = 2.0                             # control: a speed-up of 2× (a stronger claim than the theorem's)
LEVEL = 0.05                              # total error rate per comparison over all looks (Bonferroni)
BETAS, ADAM_EPS = (0.9, 0.999), 1e-8      # torch.optim.Adam defaults
SUBSAMPLE = 0.8
TORCH_CHECK_STEPS = 40
TORCH_CHECK_TOL = 1e-9                    # relative gap numpy Adam vs torch.optim.Adam (float64 rounding, 40 steps)
LOG_MIN = float(np.log10(MIN_SPEEDUP))
EXPECTED_FAILURE = ("documented non-reproduction: on ci seeds 0–9 Adam on the depth-3 chain is not faster than Adam on "
                    "w (mean ×0.86–1.00, every CI below 1.25×) and depth 2 gains ×1.12–1.30 (no CI above 1.25×); the "
                    "2024 replication clementw168/Implicit-acceleration-by-overparametrization likewise found "
                    "Adam-on-top only 'slightly faster'; the slide's own setting (data, p, depth, rates) is unknown")
GD_GRID = 2.0 ** np.arange(-7.0, 1.25, 0.5)   # GD step sizes for the control (ci: 2^-5 .. 2^-2)
METHODS = ("adam", "adam-depth2", "adam-depth3", "gd-depth2")


# ---------------------------------------------------------------- the math

def adam_update(etas: np.ndarray, betas: tuple[float, float] = BETAS, eps: float = ADAM_EPS) -> Update:
    """torch.optim.Adam's update (defaults, no weight decay, no amsgrad) for every step size at once:
    m ← m + (1 − β₁)(g − m), v ← β₂v + (1 − β₂)g², W ← W − (η/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε),
    with η_g broadcast along the leading (step-size) axis; state kept per layer."""
    etas = np.asarray(etas, dtype=np.float64)
    if etas.ndim != 1 or not np.all(etas > 0):
        raise InvalidArgument(f"etas={etas!r} must be a 1-D array of positive step sizes")
    beta1, beta2 = betas
    state: dict[str, Any] = {"t": 0}

    def update(weights: list[np.ndarray], grads: Gradients) -> None:
        if "m" not in state:
            state["m"] = [np.zeros_like(w) for w in weights]
            state["v"] = [np.zeros_like(w) for w in weights]
        state["t"] += 1
        t = state["t"]
        step = (etas / (1.0 - beta1 ** t)).reshape((-1,) + (1,) * (weights[0].ndim - 1))
        root = math.sqrt(1.0 - beta2 ** t)
        for w, g, m, v in zip(weights, grads.layers, state["m"], state["v"]):
            m += (1.0 - beta1) * (g - m)
            v *= beta2
            v += (1.0 - beta2) * g * g
            w -= step * (m / (np.sqrt(v) / root + eps))
    return update


def near_zero_chain(depth: int, d: int, grid: int, seeds: tuple[int, ...]) -> list[np.ndarray]:
    """Hidden-width-1 factors W_1 (1×d), W_2..W_N (1×1), entries N(0, ε²), one draw per seed, copied across the grid."""
    layers = []
    for j in range(depth):
        cols = d if j == 0 else 1
        draws = np.stack([np.random.default_rng([s, 77, j]).standard_normal((1, cols)) for s in seeds])
        layers.append(np.broadcast_to(INIT_SCALE * draws, (grid, len(seeds), 1, cols)).copy())
    return layers


class MemoLpLoss(LpLoss):
    """`LpLoss` whose residuals W_eX − Y are memoised for the last W_e: `train_grid` evaluates L at W_{t+1}
    and the next step's gradient at the same W_{t+1} (bitwise), so each step forms the residuals once
    (≈ 20% of a step). Same numbers as `LpLoss`."""

    def residuals(self, w_e: np.ndarray) -> np.ndarray:
        memo = self.__dict__.setdefault("_memo", {})
        key = np.ascontiguousarray(w_e).tobytes()
        if memo.get("key") != key:
            memo["key"], memo["residuals"] = key, super().residuals(w_e)
        return memo["residuals"]


@dataclass(frozen=True)
class Problem:
    """ℓ_p regression on a diabetes subsample per seed (stacked), with L* and the target per seed."""

    loss: LpLoss
    optimum: np.ndarray
    target: np.ndarray


@functools.lru_cache(maxsize=8)
def build_problem(p: float, seeds: tuple[int, ...]) -> Problem:
    from verify.experiments.datasets_real import diabetes_regression

    pairs = [diabetes_regression(s, SUBSAMPLE) for s in seeds]
    loss = MemoLpLoss(np.stack([x for x, _ in pairs]), np.stack([y for _, y in pairs]), p)
    optima = np.array([lp_minimum(LpLoss(x, y, p))[1] for x, y in pairs])
    initial = np.asarray(loss.value(np.zeros((len(seeds), 1, loss.shape[1]))))
    return Problem(loss, optima, optima + TARGET_FRACTION * (initial - optima))


def start_weights(method: str, d: int, grid: int, seeds: tuple[int, ...]) -> list[np.ndarray]:
    """adam-depthN, gd-depth2: the near-zero chain of that depth; adam: w = 0."""
    if method in METHODS[1:]:
        return near_zero_chain(int(method[-1]), d, grid, seeds)
    if method == "adam":
        return [np.zeros((grid, len(seeds), 1, d))]
    raise InvalidArgument(f"method={method!r} must be one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class MethodRun:
    """Train ``method`` on ℓ_p data of ``seeds`` at every learning rate of ``grid`` (a sweep point)."""

    p: float
    method: str
    seeds: tuple[int, ...]
    grid: tuple[float, ...]


def method_iterations(item: MethodRun) -> dict[str, Any]:
    """Per seed: iterations to target at the fastest rate, whether reached, the rate index (edge = censored
    tuning), and the excess-loss curve at that rate (for the plot)."""
    problem = build_problem(item.p, item.seeds)
    grid = np.array(item.grid)
    weights = start_weights(item.method, problem.loss.shape[1], len(grid), item.seeds)
    update = gd_update(grid) if item.method.startswith("gd") else adam_update(grid)
    run = train_grid(weights, problem.loss, grid, update, MAX_STEPS, target_loss=problem.target)
    index, its, reached = run.best()
    curves = [((run.curve((s,)) - problem.optimum[s]) / (run.curve((s,))[0] - problem.optimum[s])).tolist()
              for s in range(len(item.seeds))]
    return {"iterations": its.astype(float).tolist(), "reached": reached.tolist(), "index": index.tolist(),
            "edge": [bool(i in (0, len(grid) - 1)) for i in index], "curves": curves}


# ---------------------------------------------------------------- comparisons, sequential over looks

@dataclass(frozen=True)
class Comparison:
    """The claim: mean over seeds of log10(T_slow/T_fast) at ``p`` is ≥ ``threshold`` (decades); ``stream`` picks
    the seeds (0: the theorem's; a control on the theorem's own comparison uses another, fresh stream)."""

    fast: str
    slow: str
    p: float
    threshold: float = LOG_MIN
    stream: int = 0

    def label(self) -> str:
        return f"log10 T_{self.slow}/T_{self.fast}, p={self.p:g}"


CLAIM = tuple(Comparison(f"adam-depth{n}", "adam", P) for n in DEPTHS)
REPORTED = (Comparison("adam-depth2", "adam", CONTROL_P),)     # the same comparison at p = 2, measured


@dataclass(frozen=True)
class Budget:
    look_size: int
    looks: int
    adam_grid: tuple[float, ...]
    gd_grid: tuple[float, ...]

    def grid(self, method: str) -> tuple[float, ...]:
        return self.gd_grid if method.startswith("gd") else self.adam_grid


def budget(ctx: Context) -> Budget:
    """ci: looks of 10 seeds, ≤ 3 looks, Adam rates 2^-4.5..2^0.5, GD 2^-5..2^-2; default: 24 × ≤ 4, full grids;
    thorough: 32 × ≤ 6."""
    ci = ctx.profile.name == "ci"
    adam, gd = (LR_GRID[5:16], GD_GRID[4:11]) if ci else (LR_GRID, GD_GRID)
    return Budget(ctx.pick(ci=10, default=24, thorough=32), ctx.pick(ci=3, default=4, thorough=6),
                  tuple(float(g) for g in adam), tuple(float(g) for g in gd))


def look_seeds(ctx: Context, b: Budget, look: int, stream: int = 0) -> tuple[int, ...]:
    """Seeds of one look: run seed·1000 + 500·stream + look·size + k (data subsample and init per seed)."""
    start = ctx.seed * 1000 + 500 * stream + look * b.look_size
    return tuple(range(start, start + b.look_size))


def paired_effect(fast: dict[str, Any], slow: dict[str, Any]) -> tuple[np.ndarray, int]:
    """log10(T_slow/T_fast) on the resolved seeds (both reached, neither tuned at a grid end), and how many were not."""
    ok = (np.array(fast["reached"]) & np.array(slow["reached"]) & ~np.array(fast["edge"]) & ~np.array(slow["edge"]))
    values = np.log10(np.array(slow["iterations"])[ok] / np.array(fast["iterations"])[ok])
    return values, int((~ok).sum())


def decide(values: np.ndarray, looks: int, threshold: float = LOG_MIN) -> tuple[bool | None, float, tuple[float, float]]:
    """True if the (1 − LEVEL/looks) t-CI of the mean lies above ``threshold``, False if below, None otherwise."""
    if values.size < 2:
        return None, float(np.mean(values)) if values.size else math.nan, (-math.inf, math.inf)
    mean, (low, high) = mean_ci(values, level=1.0 - LEVEL / looks)
    if np.ptp(values) == 0:
        low = high = mean
    return (True if low > threshold else False if high < threshold else None), mean, (low, high)


@dataclass
class Outcome:
    """A comparison's state over the looks."""

    comparison: Comparison
    values: np.ndarray
    unresolved: int = 0
    verdict: bool | None = None
    mean: float = math.nan
    ci: tuple[float, float] = (-math.inf, math.inf)
    looks_used: int = 0


def run_comparisons(ctx: Context, comparisons: tuple[Comparison, ...], reported: tuple[Comparison, ...] = ()
                    ) -> tuple[list[Outcome], list[Outcome], Budget, list[dict]]:
    """Group-sequential: fresh seeds look by look until every comparison is decided or the looks run out;
    ``reported`` comparisons are measured on every look taken and never stop or extend the sampling."""
    b = budget(ctx)
    outcomes = [Outcome(c, np.zeros(0)) for c in comparisons]
    extra = [Outcome(c, np.zeros(0)) for c in reported]
    first_runs: list[dict[str, Any]] = []
    for look in range(b.looks):
        open_ = [o for o in outcomes if o.verdict is None]
        if not open_:
            break
        ctx.status(f"look {look + 1}/{b.looks}: {b.look_size} seeds")
        measured = open_ + extra
        needed = sorted({(o.comparison.stream, o.comparison.p, m) for o in measured
                         for m in (o.comparison.fast, o.comparison.slow)})
        items = [MethodRun(p, m, look_seeds(ctx, b, look, stream), b.grid(m)) for stream, p, m in needed]
        runs = dict(zip(needed, ctx.cached_map(method_iterations, items)))
        if look == 0:
            first_runs = [dict(run, p=p, method=m) for (_, p, m), run in runs.items()]
        for o in measured:
            c = o.comparison
            values, bad = paired_effect(runs[(c.stream, c.p, c.fast)], runs[(c.stream, c.p, c.slow)])
            o.values, o.unresolved, o.looks_used = np.concatenate([o.values, values]), o.unresolved + bad, look + 1
            o.verdict, o.mean, o.ci = decide(o.values, b.looks, c.threshold)
    return outcomes, extra, b, first_runs


def torch_gap(seed: int) -> float:
    """Largest relative gap between `adam_update` and torch.optim.Adam (`optim_baselines.torch_update`) after
    TORCH_CHECK_STEPS steps on a depth-2 chain, two learning rates × two seeds, same gradients each step."""
    problem = build_problem(P, (seed, seed + 1))
    grid = np.array([2.0 ** -3, 2.0 ** -1])
    ours = start_weights("adam-depth2", problem.loss.shape[1], len(grid), (seed, seed + 1))
    ref = [w.copy() for w in ours]
    mine, theirs = adam_update(grid), torch_update("adam", grid)
    for _ in range(TORCH_CHECK_STEPS):
        mine(ours, layer_gradients(ours, problem.loss))
        theirs(ref, layer_gradients(ref, problem.loss))
    return max(float(np.linalg.norm(a - b) / np.linalg.norm(b)) for a, b in zip(ours, ref))


# ---------------------------------------------------------------- the check

def check_claim(ctx: Context, comparisons: tuple[Comparison, ...], theorem: bool = False) -> Evidence:
    """Each comparison's per-seed effect, its Bonferroni t-CI over looks, and the three-valued verdict; the theorem
    (``theorem``) also measures the p = 2 comparison (reported) and declares ruled-out values."""
    if nn_extra_missing():
        return Evidence(holds=None, summary=NN_EXTRA_SKIP)
    import torch

    torch.set_num_threads(1)
    gap = torch_gap(ctx.seed)
    outcomes, extra, b, first_runs = run_comparisons(ctx, comparisons, REPORTED if theorem else ())
    measurements, lines = [], []
    for o in outcomes:
        c = o.comparison
        measurements.append(Measurement(
            c.label(), o.mean, predicted=c.threshold, comparison="≥", interval=o.ci, unit="decades",
            kind=f"{1 - LEVEL / b.looks:.4g} t-CI over {o.values.size} seeds ({o.looks_used} look(s))",
            gate_tolerance=0.1, band=(-math.inf, o.ci[1]), ruled_out=float(np.log10(HALVING)) if theorem else None,
            band_note=f"bounds s not refuted: s ≤ CI high; rules out a {HALVING:g}× speed-up if it lies above"))
        mark = "≥" if o.verdict else "<" if o.verdict is False else "?"
        lines.append(f"{c.label()} = {o.mean:.3f} [{o.ci[0]:.3f}, {o.ci[1]:.3f}] ({mark} {c.threshold:.3f}; "
                     f"×{10 ** o.mean:.2f})")
    for o in extra:
        measurements.append(Measurement(f"{o.comparison.label()} (reported, not gated)", o.mean, interval=o.ci,
                                        unit="decades", kind=f"{1 - LEVEL / b.looks:.4g} t-CI over {o.values.size} seeds"))
    measurements.append(Measurement("numpy Adam vs torch.optim.Adam: relative gap", gap, predicted=0.0,
                                    tolerance=TORCH_CHECK_TOL, ruled_out=1e-4))
    verdicts = [o.verdict for o in outcomes]
    if not gap <= TORCH_CHECK_TOL:
        verdicts.append(False)
        lines.append(f"numpy Adam disagrees with torch.optim.Adam (relative gap {gap:.3g} > {TORCH_CHECK_TOL})")
    holds = False if False in verdicts else None if None in verdicts else True
    unresolved = sum(o.unresolved for o in outcomes)
    findings = [finding(o) for o in outcomes + extra]
    if extra:
        findings.append(P2_FINDING)
    if unresolved:
        findings.append(f"{unresolved} seed-comparison(s) unresolved (target not reached in {MAX_STEPS} steps or best "
                        "rate at a grid end) and left out of the effects.")
    return Evidence(
        holds=holds, summary="; ".join(lines), measurements=measurements,
        run={"data": f"sklearn load_diabetes, {SUBSAMPLE:.0%} row subsample per seed, z-scored features + intercept",
             "loss": "Σ|xᵀw − y|^p/(p n)", "target": f"L* + {TARGET_FRACTION:g}(L(0) − L*)",
             "seeds": f"looks of {b.look_size} (seed·1000 + k), ≤ {b.looks} looks",
             "Adam learning-rate grid": list(b.adam_grid), "GD step grid (control)": list(b.gd_grid),
             "step budget": MAX_STEPS,
             "Adam": f"numpy copy of torch.optim.Adam (β = {BETAS}, ε = {ADAM_EPS}), checked against torch "
                     f"({TORCH_CHECK_STEPS} steps, gap {gap:.2g})",
             "init": f"depth-N: entries N(0, {INIT_SCALE:g}²), hidden width 1; depth 1 from w = 0",
             "decision": f"Student-t CI at level 1 − {LEVEL}/{b.looks} after each look vs the threshold",
             "seed": ctx.seed},
        plots=plot_curves(ctx, first_runs) if theorem else [], findings=findings, unresolved=unresolved)


P2_FINDING = ("The p = 2 comparison above is reported, not gated: it was requested as a control ('helps' must be "
              "refuted at p = 2) but Adam on the depth-2 chain gains about as much at p = 2 as at p = 4, so it is not "
              "a false statement the data refute reliably (module docstring). The gain on top of Adam does not show "
              "the p > 2 signature of ACH18's acceleration mechanism.")


def finding(o: Outcome) -> str:
    c = o.comparison
    sign = "faster" if o.ci[0] > 0 else "slower" if o.ci[1] < 0 else "not significantly different"
    return (f"{c.fast} vs {c.slow} at p={c.p:g}: {c.fast} is {sign} (mean speed-up ×{10 ** o.mean:.2f}, CI "
            f"×{10 ** o.ci[0]:.2f}..×{10 ** o.ci[1]:.2f}; {int((o.values > 0).sum())}/{o.values.size} seeds faster; "
            f"claimed ≥ ×{MIN_SPEEDUP}).")


def plot_curves(ctx: Context, runs: list[dict[str, Any]]) -> list[str]:
    """Excess loss at each method's tuned rate: median over the first look's seeds, min–max band."""
    if ctx.out_dir is None or not runs:
        return []
    fig, ax = plots.figure(7.0, 4.5)
    for run in runs:
        length = max(len(c) for c in run["curves"])
        curves = np.full((len(run["curves"]), length), np.nan)
        for s, c in enumerate(run["curves"]):
            curves[s, : len(c)] = c
        alive = np.sum(np.isfinite(curves), axis=0) * 2 > curves.shape[0]
        steps = np.arange(length)[alive]
        (line,) = ax.semilogy(steps, np.nanmedian(curves[:, alive], axis=0), label=f"{run['method']}, p={run['p']:g}")
        ax.fill_between(steps, np.nanmin(curves[:, alive], axis=0), np.nanmax(curves[:, alive], axis=0),
                        color=line.get_color(), alpha=0.15)
    ax.axhline(TARGET_FRACTION, color="k", ls=":", label="target")
    ax.set_xlabel("iteration")
    ax.set_ylabel("(L − L*) / (L(0) − L*)")
    ax.set_title("Adam on w vs on depth-N chains, tuned rate: median, min–max over seeds", fontsize=10)
    ax.legend(fontsize=7)
    return plots.save(fig, ctx, "curves")


THEOREM = register(Theorem(
    id="arora2018.adam_on_top",
    title="Overparameterization applied on top of Adam accelerates ℓ_4 regression",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §Experiments, as in the authors' slides (seed 002: "
           "'Overparameterization vs. Explicit Accelerators (con't)')",
    statement="On scalar ℓ_4 regression, Adam on a depth-N factorization w = W_N⋯W_1 (hidden width 1, near-zero "
              "init) reaches the target loss in fewer iterations than Adam on w, each with its best learning rate, "
              f"by ≥ {MIN_SPEEDUP}× for N = 2 and N = 3 (reconstructed from the slide 'when applied on top ... may help "
              "not only gradient descent, but also state-of-the-art algorithms').",
    hypotheses=("scalar linear regression, ℓ_p loss with p = 4 > 2, real data (diabetes, 80% subsamples)",
                f"near-zero init (entries N(0, {INIT_SCALE:g}²)), hidden width 1; depth 1 from w = 0",
                "learning rates tuned per method and seed from a stated grid; Adam with torch's defaults",
                "effects paired per seed; group-sequential Student-t CIs with Bonferroni over the looks"),
    conclusion=f"each depth's CI of the mean log10 speed-up lies above log10 {MIN_SPEEDUP}.",
    certification=Certification.STATISTICAL,
    check=lambda ctx: check_claim(ctx, CLAIM, theorem=True),
    controls=(
        Control("gd-depth2-beats-adam", f"Overparameterization alone (GD on the depth-2 chain, tuned η) is "
                f"≥ {MIN_SPEEDUP}× faster than Adam on w on ℓ_4 regression (the slide: it is slower).",
                lambda ctx: check_claim(ctx, (Comparison("gd-depth2", "adam", P),))),
        Control("adam-depth2-halves", f"On top of Adam the depth-2 chain halves the iterations: Adam on it is ≥ "
                f"{HALVING}× faster than Adam on w on ℓ_4 regression (fresh seeds).",
                lambda ctx: check_claim(ctx, (Comparison("adam-depth2", "adam", P, float(np.log10(HALVING)), 1),))),
    ),
    constants={"p": Constant(P, "chosen", "the slide gives no p; ACH18's acceleration experiments use p = 4"),
               "depths": Constant(str(DEPTHS), "chosen", "as arora2018.lp_acceleration's claim"),
               "ε (near-zero init scale)": Constant(INIT_SCALE, "chosen", "as arora2018.lp_acceleration"),
               "target": Constant(TARGET_FRACTION, "chosen", "L* + this·(L(0) − L*)"),
               "Adam lr grid": Constant("2^k, k = −7..2 step ½ (ci: k = −4.5..0.5)", "chosen"),
               "GD η grid (control)": Constant("2^k, k = −7..1 step ½ (ci: k = −5..−2)", "chosen"),
               "step budget": Constant(MAX_STEPS, "chosen", "runs that never reach the target are unresolved"),
               "MIN_SPEEDUP": Constant(MIN_SPEEDUP, "chosen", "as arora2018.lp_acceleration"),
               "control speed-up": Constant(HALVING, "chosen", "adam-depth2-halves: a 2× claim on fresh seeds"),
               "error rate": Constant(LEVEL, "chosen", "per comparison over all looks (Bonferroni)"),
               "looks": Constant("ci 10 seeds × ≤ 3, default 24 × ≤ 4, thorough 32 × ≤ 6", "chosen"),
               "Adam hyper-parameters": Constant(f"β = {BETAS}, ε = {ADAM_EPS}", "chosen", "torch.optim.Adam defaults"),
               "torch cross-check tolerance": Constant(TORCH_CHECK_TOL, "chosen", "relative, numpy Adam vs torch"),
               "subsample": Constant(SUBSAMPLE, "chosen", "fraction of rows per seed")},
    headline="log10 T_adam/T_adam-depth2, p=4",
    tags=frozenset({"statistical", "nn-extra"}),
    requires=("torch", "sklearn"),
    expected_failure=EXPECTED_FAILURE,
))
