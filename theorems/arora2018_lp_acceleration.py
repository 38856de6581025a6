"""arora2018.lp_acceleration — depth accelerates ℓ_4 (not ℓ_2) regression, through the Claim-2 preconditioner;
and (paper) beats AdaGrad and AdaDelta.

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §7 Experiments (ℓ_p regression; "Overparameterization
vs. explicit accelerators"), and Claim 2 (k = 1): GD on a balanced depth-N factorization moves w = W_N⋯W_1 by
−η‖w‖^{2−2/N}(∇L + (N−1)Pr_w ∇L) + O(η²). Statistical check: log10 speed-ups in iterations to a target,
paired per seed, group-sequential Student-t intervals.

Setting. Scalar linear regression L(w) = Σ_i |x_iᵀw − y_i|^p / (p n) (`verify.experiments.optim_baselines.LpLoss`)
on scikit-learn's bundled diabetes data (`verify.experiments.datasets_real.diabetes_regression`; the paper's UCI
gas-sensor set is not available offline), each seed a different 80% row subsample and init draw. Depth-N nets
w = W_N⋯W_1 with hidden width 1 (N = 2, 3; the paper's "size-1 hidden layers"), near-zero init (entries
N(0, ε²)), trained by GD on the factors through the engine's `layer_gradients`. Baselines from w = 0: GD on w and
AdaGrad, AdaDelta, Adam (torch.optim's update rules with their defaults, run vectorised in numpy by
`optim_baselines.adaptive_update` and cross-checked against torch.optim itself every run). Iterations to target:
first step with L ≤ L* + TARGET_FRACTION·(L(0) − L*), L* by Newton (`lp_minimum`).

Tuning ("learning rates chosen per configuration by grid search for fastest convergence"): per method and
seed, a coarse grid of 5 step sizes ½ octave apart around a stated centre (CENTRES, log2 η), then 4 more at
±⅛ and ±¼ octave around the coarse winner; the fastest of the 9 counts. A seed whose coarse winner sits at an
end of the coarse grid (tuning censored) or that never reaches the target in MAX_STEPS is *unresolved* for
the comparisons that need it: counted, excluded, never a pass.

Claims (all fixed before the measured runs; minimum effect MIN_SPEEDUP = 1.25×, i.e. log10 1.25 = 0.097):
  1. depth-2 GD reaches the ℓ_4 target ≥ 1.25× faster than GD (per seed log10 T_GD/T_depth-2);
  2. the same for depth 3;
  3. at p = 2 the gain is "little or none": depth-2's speed-up over GD is < 1.25×;
  4. depth-2 is ≥ 1.25× faster than AdaGrad, and
  5. than AdaDelta, at p = 4 (the paper's "faster than explicit acceleration of AdaGrad and AdaDelta");
  6. mechanism (Claim 2): the end-to-end rule w ← w − η‖w‖^{2−2/N}(∇ + (N−1)Pr_w∇), N = 2, started from the
     depth-2 chain's product w_e(0), reaches the target in the same number of iterations as the depth-2 chain
     started balanced from the same w_e(0) (W_1 = w/‖w‖^½, W_2 = ‖w‖^½: Claim 2's hypothesis) at the same step
     size η = η*_depth-2/4 (η*: that seed's tuned depth-2 step), within MECHANISM_TOL =
     0.015 decades (3.5%): |mean log10 T_depth-2(η)/T_rule(η)| ≤ τ with the CI inside [−τ, τ] (TOST), so the
     rule reproduces the depth-2 speed-up over tuned GD at that step. The rule's direction is computed batched
     here and compared every run with `verify.engine.end_to_end_rule.single_output_direction` (the engine's
     Claim-2 formula) on sample states.
Sequential design: seeds come in looks (ci 4, 4; default 6, 6, 12, 12, 24; thorough 10, 10, 20, 20, 40);
after each look every undecided comparison gets a Student-t CI of its mean at level 1 − 0.05/K (Bonferroni
over the K looks, so each comparison's chance of any wrong decision over all looks is ≤ 5%);
"≥" claims hold once the CI lies above log10 1.25 and are refuted once it lies below; claim 3 the other way
round; claim 6 holds once the CI lies inside [−τ, τ] and is refuted once it lies outside. Sampling stops when
every comparison is decided; undecided at the last look is inconclusive. The theorem is the conjunction
(an intersection–union test: no correction across claims is needed for "all hold").
Resolution: each effect's acceptance band is its CI (the mean effects the data do not refute); ruled_out = 0
(no acceleration) for claims 1, 2, 4, 5; log10 1.25 for claim 3 (the claimed gain at p = 2) and for claim 6
(a rule missing the speed-up by a whole minimum effect).
Oracles (every run, on sample states): the engine's ℓ_p layer gradients of depth-2/3 chains against torch
autograd (float64); the batched rule against `single_output_direction`; numpy AdaGrad/AdaDelta/Adam against
torch.optim (`optim_baselines.adaptive_gap`). A gap beyond rounding refutes the theorem's check.

Controls (each its own runs on a fresh seed stream, through the real dynamics):
- ``p2.2-gain`` (near the boundary p = 2, where the paper predicts little gain): depth-2 is ≥ 1.25× faster
  than GD on ℓ_2.2 regression. Pilot: gain 1.12× (log10 0.048, CI [0.043, 0.054]).
- ``exponent-0.9`` (near the boundary of the mechanism: the preconditioner's exponent 2 − 2/N off by 10%):
  the rule with ‖w‖^{0.9(2−2/N)} reproduces the depth-2 iteration count within τ. Pilot at η*/2: −0.021.
- ``no-preconditioner``: the rule with P = I (w ← w − η∇ from w_e(0)) reproduces it within τ. Pilot: −0.37.
- ``beats-adam``: depth-2 GD is ≥ 1.25× faster than Adam (the slides: "overparameterization was slower than
  Adam"). Pilot: Adam 2.3× faster.

Constants fixed before the measured runs, from a 24-seed pilot on seeds 90000–90023 (disjoint from every
profile's seeds for --seed < 89): the coarse-grid centres (the pilot's median tuned step per method), the
mechanism step η*/4 and τ = 0.015 (pilot at η*/2: rule vs chain +0.011 (sd 0.006), exponent ×1.1 +0.043,
×0.9 −0.021 — the offset of the rule is the O(η) discretisation, so the measured step was halved again to
η*/4 and τ set between the rule's expected offset and the exponent-±10% effects), p = 2.2 for the boundary
control. ε, the target and MIN_SPEEDUP are unchanged from the previous design.

What changed and why (issues 14, 15.6): (i) the step-size grids were 1 octave (torch methods) and ½ octave
(GD) wide and tuned on the grid only: the winner's grid error (up to a factor 2 for AdaDelta) dominated the
per-seed spread and favoured depth-2; with ⅛-octave refinement the pilot measured depth-2 vs AdaDelta at
1.09× (log10 0.037, CI [−0.002, 0.077]) — below the 1.25× the claim needs — where the coarse grid had given
1.29×; a 40-seed ci run at seed 0 gave 1.22× (CI 1.09–1.38×), and the ten ci runs (--seeds 0-9, 156 seeds in
all) pool to 1.15× (CI 1.11–1.20×). The AdaDelta comparison is kept as the paper states it, at the same 1.25×
threshold: per run it comes out inconclusive (7/10 ci seeds) or refuted (3/10), and ``expected_failure`` names
this measurement; the other five claims verify and the four controls are refuted on 10/10 ci seeds. The ci
looks were then cut from (4, 4, 8) to (4, 4): the third look served only the AdaDelta comparison, which no
ci budget can decide, and cost ≈ 4 s of the ≈ 35 s. (ii) Fixed 5-seed CIs became the
group-sequential design above (AdaDelta's CI straddled the threshold at seeds 2–4). (iii) Controls were
dependent (the theorem's cached sweep with the claim flipped; GD relabelled as "no preconditioner"): each now
trains its own runs on fresh seeds. (iv) Claim 3 was "gain(p=4) − gain(p=2) ≥ 1.25×"; it is now the paper's
"little or none at p = 2" directly. (v) The mechanism is gated (it was reported only). Its chain first started from the near-zero init itself;
the 10-seed ci run showed one outlier seed (9003: chain 1815 vs rule 2322 iterations at η*/4, leaving seed 9's
TOST undecided) — the near-zero init is far from balanced (‖W_1‖² ≈ d·W_2²) and the escape from it is where
chain and rule part; from a balanced start of the same w_e(0) the same seed gives 2259 vs 2322. The mechanism
chain now starts balanced (the claim's hypothesis); τ and the step are unchanged. (vi) AdaGrad/AdaDelta/
Adam run in numpy (≈ 20–50× cheaper than one torch parameter group per step size), torch.optim remains the
reference in the oracle check.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import mean_ci
from verify.engine.end_to_end_rule import single_output_direction
from verify.engine.network import Gradients, layer_gradients
from verify.errors import InvalidArgument
from verify.experiments.optim_baselines import (
    NN_EXTRA_SKIP,
    TORCH_OPTIMIZERS,
    LpLoss,
    Update,
    adaptive_gap,
    adaptive_update,
    gd_update,
    lp_minimum,
    nn_extra_missing,
    train_grid,
)
from verify.output import plots

INIT_SCALE = 1e-2                        # ε: near-zero init, entries N(0, ε²)
TARGET_FRACTION = 1e-6                   # target: L ≤ L* + 1e-6·(L(0) − L*)
SUBSAMPLE = 0.8                          # fraction of the 442 rows per seed
MAX_STEPS = 30000                        # a run not at the target by then is censored (unresolved)
MIN_SPEEDUP = 1.25                       # "accelerates": ≥ 1.25× fewer iterations
LOG_MIN = float(np.log10(MIN_SPEEDUP))   # 0.0969
COARSE_OCTAVES = (-1.0, -0.5, 0.0, 0.5, 1.0)     # coarse grid around the centre, log2 η
FINE_OCTAVES = (-0.25, -0.125, 0.125, 0.25)      # refinement around the coarse winner, log2 η
CENTRES = {("gd", 4.0): -4.25, ("depth2", 4.0): -3.5, ("depth3", 4.0): -3.5, ("adagrad", 4.0): -3.25,
           ("adadelta", 4.0): -1.25, ("adam", 4.0): -2.0, ("gd", 2.0): -1.0, ("depth2", 2.0): -2.0,
           ("gd", 2.2): -1.25, ("depth2", 2.2): -2.0}   # log2 η: the pilot's median tuned step (seeds 90000–90023)
MECHANISM_STEP = 0.25                    # the rule and the chain run at η = η*_depth-2 / 4
MECHANISM_TOL = 0.015                    # τ: |log10 T_depth-2(η)/T_rule(η)| ≤ 0.015 (3.5%)
NEAR_EXPONENT = 0.9                      # control: the exponent 2 − 2/N off by 10%
NEAR_P = 2.2                             # control: p just above 2
LEVEL = 0.05                             # per comparison, over all looks (Bonferroni)
LOOKS = {"ci": (4, 4), "default": (6, 6, 12, 12, 24), "thorough": (10, 10, 20, 20, 40)}
CONTROL_STREAM = 500                     # controls draw seeds run_seed·1000 + 500 + k (fresh subsamples)
ORACLE_TOL = 1e-12                       # engine vs torch autograd / vs single_output_direction, relative
TORCH_TOL = 1e-10                        # numpy optimizers vs torch.optim after TORCH_STEPS steps, relative
TORCH_STEPS = 50
NAMES = {"gd": "GD", "depth2": "depth-2 GD", "depth2-balanced": "depth-2 GD from a balanced start",
         "depth3": "depth-3 GD", "adagrad": "AdaGrad", "adadelta": "AdaDelta",
         "adam": "Adam", "rule": "the end-to-end rule (Claim 2)", "rule-0.9": "the rule with exponent ×0.9",
         "rule-noprec": "the rule without preconditioner"}


# ---------------------------------------------------------------- the math

def rule_direction(w: np.ndarray, g: np.ndarray, depth: int, exponent_scale: float = 1.0,
                   precondition: bool = True) -> np.ndarray:
    """ACH18 Claim 2 (k = 1), batched over leading axes: ‖w‖^{s(2−2/N)}(g + (N−1)⟨g, w⟩w/‖w‖²), s = ``exponent_scale``
    (1: the paper's); without the preconditioner just g. Pr_w g := 0 at w = 0."""
    if not precondition:
        return g
    norm2 = np.sum(w * w, axis=-1, keepdims=True)
    projection = np.sum(g * w, axis=-1, keepdims=True) / np.where(norm2 > 0, norm2, 1.0) * w
    return norm2 ** (exponent_scale * (1.0 - 1.0 / depth)) * (g + (depth - 1) * projection)


def rule_update(etas: np.ndarray, depth: int, exponent_scale: float = 1.0, precondition: bool = True) -> Update:
    """w ← w − η·`rule_direction`(w, ∇L(w)), η of shape (G,) or (G, *batch)."""
    etas = np.asarray(etas, dtype=np.float64)

    def update(weights: list[np.ndarray], grads: Gradients) -> None:
        (w,) = weights
        w -= etas.reshape(etas.shape + (1,) * (w.ndim - etas.ndim)) * rule_direction(
            w, grads.loss_gradient, depth, exponent_scale, precondition)
    return update


def near_zero_chain(depth: int, d: int, lead: tuple[int, ...], seeds: tuple[int, ...]) -> list[np.ndarray]:
    """Hidden-width-1 factors W_1 (1×d), W_2..W_N (1×1), entries N(0, ε²), one draw per seed, copied along ``lead``."""
    layers = []
    for j in range(depth):
        cols = d if j == 0 else 1
        draws = np.stack([np.random.default_rng([s, 77, j]).standard_normal((1, cols)) for s in seeds])
        layers.append(np.broadcast_to(INIT_SCALE * draws, lead + (len(seeds), 1, cols)).copy())
    return layers


def product(layers: list[np.ndarray]) -> np.ndarray:
    """W_N⋯W_1 for hidden-width-1 chains (the 1×1 factors are scalars), batch axes kept."""
    w = layers[0]
    for scalar in layers[1:]:
        w = scalar * w
    return w


@dataclass(frozen=True)
class Problem:
    """ℓ_p regression data for a batch of seeds (stacked), with L* and the target per seed."""

    loss: LpLoss
    optimum: np.ndarray
    target: np.ndarray


@functools.lru_cache(maxsize=16)
def build_problem(p: float, seeds: tuple[int, ...]) -> Problem:
    """Diabetes subsample per seed, L* (Newton) and the target."""
    from verify.experiments.datasets_real import diabetes_regression

    pairs = [diabetes_regression(s, SUBSAMPLE) for s in seeds]
    loss = LpLoss(np.stack([x for x, _ in pairs]), np.stack([y for _, y in pairs]), p)
    optima = np.array([lp_minimum(LpLoss(x, y, p))[1] for x, y in pairs])
    initial = np.asarray(loss.value(np.zeros((len(seeds), 1, loss.shape[1]))))
    return Problem(loss, optima, optima + TARGET_FRACTION * (initial - optima))


@dataclass(frozen=True)
class Method:
    """A training method: GD on w or on a depth-N chain, a torch.optim rule, or the end-to-end rule (variants)."""

    name: str
    exponent_scale: float = 1.0
    precondition: bool = True

    @property
    def depth(self) -> int:
        return int(self.name[5]) if self.name.startswith("depth") else 2 if self.name.startswith("rule") else 1

    def start(self, d: int, lead: tuple[int, ...], seeds: tuple[int, ...]) -> list[np.ndarray]:
        """Depth-N: the near-zero chain; depth2-balanced: the balanced factorization W_1 = w/‖w‖^½, W_2 = ‖w‖^½ of
        that chain's product w_e(0) (Claim 2's hypothesis); the rule: w_e(0); others: w = 0."""
        if self.name == "depth2-balanced":
            w = product(near_zero_chain(2, d, lead, seeds))
            root = np.sqrt(np.linalg.norm(w, axis=-1, keepdims=True))
            return [w / root, root]
        if self.name.startswith("depth"):
            return near_zero_chain(self.depth, d, lead, seeds)
        if self.name.startswith("rule"):
            return [product(near_zero_chain(2, d, lead, seeds))]
        return [np.zeros(lead + (len(seeds), 1, d))]

    def update(self, etas: np.ndarray) -> Update:
        if self.name in TORCH_OPTIMIZERS:
            return adaptive_update(self.name, etas)
        if self.name.startswith("rule"):
            return rule_update(etas, 2, self.exponent_scale, self.precondition)
        return gd_update(etas)


METHODS = {"gd": Method("gd"), "depth2": Method("depth2"), "depth2-balanced": Method("depth2-balanced"),
           "depth3": Method("depth3"), "adagrad": Method("adagrad"),
           "adadelta": Method("adadelta"), "adam": Method("adam"), "rule": Method("rule"),
           "rule-0.9": Method("rule-0.9", exponent_scale=NEAR_EXPONENT),
           "rule-noprec": Method("rule-noprec", precondition=False)}


@dataclass(frozen=True)
class Tuning:
    """A sweep point: tune ``method`` at ``p`` on ``seeds`` (coarse grid around CENTRES, then refined)."""

    method: str
    p: float
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class FixedStep:
    """A sweep point: train ``method`` at ``p`` on ``seeds`` with one step size per seed, ``log2_etas``."""

    method: str
    p: float
    seeds: tuple[int, ...]
    log2_etas: tuple[float, ...]


def tuned_iterations(item: Tuning) -> dict[str, Any]:
    """Per seed: fewest iterations to target over the 9 step sizes, its log2 η, reached?, coarse winner at a grid end?,
    and the excess-loss curve (L − L*)/(L(0) − L*) of the winning run (for the plots)."""
    method, problem = METHODS[item.method], build_problem(item.p, item.seeds)
    d, n = problem.loss.shape[1], len(item.seeds)
    coarse = 2.0 ** (CENTRES[(item.method, item.p)] + np.array(COARSE_OCTAVES))
    run = train_grid(method.start(d, (len(coarse),), item.seeds), problem.loss, coarse, method.update(coarse),
                     MAX_STEPS, target_loss=problem.target)
    index, its, reached = run.best()
    fine = coarse[index][None, :] * 2.0 ** np.array(FINE_OCTAVES)[:, None]
    horizon = int(its.max()) if reached.all() else MAX_STEPS     # a refined run slower than every coarse winner loses
    refined = train_grid(method.start(d, (len(FINE_OCTAVES),), item.seeds), problem.loss, fine, method.update(fine),
                         horizon, target_loss=problem.target)
    index2, its2, reached2 = refined.best()
    better = reached2 & (~reached | (its2 < its))
    seeds = np.arange(n)
    curves = []
    for s in seeds:
        c = refined.curve((s,)) if better[s] else run.curve((s,))
        c = c[: int(its2[s] if better[s] else its[s]) + 1]
        curves.append(((c - problem.optimum[s]) / (c[0] - problem.optimum[s])).tolist())
    return {"iterations": np.where(better, its2, its).astype(float).tolist(),
            "reached": (reached | reached2).tolist(),
            "edge": [bool(i in (0, len(coarse) - 1)) for i in index],
            "log2_eta": np.log2(np.where(better, fine[index2, seeds], coarse[index])).tolist(),
            "curves": curves}


def fixed_step_iterations(item: FixedStep) -> dict[str, Any]:
    """Per seed: iterations to target at the given step size, and whether it was reached in MAX_STEPS."""
    method, problem = METHODS[item.method], build_problem(item.p, item.seeds)
    etas = (2.0 ** np.array(item.log2_etas))[None, :]
    run = train_grid(method.start(problem.loss.shape[1], (1,), item.seeds), problem.loss, etas, method.update(etas),
                     MAX_STEPS, target_loss=problem.target)
    _, its, reached = run.best()
    return {"iterations": its.astype(float).tolist(), "reached": reached.tolist(),
            "edge": [False] * len(item.seeds)}


# ---------------------------------------------------------------- oracles

def oracle_gaps(seed: int) -> dict[str, float]:
    """Relative gaps on sample states of seed ``seed``'s data: engine ℓ_p layer gradients (depth 2, 3) vs torch
    autograd; batched rule vs `single_output_direction`; numpy AdaGrad/AdaDelta/Adam vs torch.optim."""
    import torch

    problem = build_problem(4.0, (seed,))
    x, y = problem.loss.x[0], problem.loss.y[0]
    loss = LpLoss(x, y, 4.0)
    rng = np.random.default_rng([seed, 31])
    gaps: dict[str, float] = {}
    for depth in (2, 3):
        chain = [0.3 * rng.standard_normal((1, x.shape[0]))] + [rng.standard_normal((1, 1)) for _ in range(depth - 1)]
        ours = layer_gradients(chain, loss).layers
        params = [torch.tensor(w, requires_grad=True) for w in chain]
        w_e = params[0]
        for scalar in params[1:]:
            w_e = scalar @ w_e
        r = w_e @ torch.from_numpy(x) - torch.from_numpy(y)
        (torch.sum(r ** 4) / (4.0 * x.shape[1])).backward()
        gaps[f"ℓ_4 layer gradients, depth {depth}, engine vs torch autograd"] = max(
            float(np.linalg.norm(a - p.grad.numpy()) / np.linalg.norm(p.grad.numpy())) for a, p in zip(ours, params))
    w = rng.standard_normal((3, 1, x.shape[0]))
    g = loss.gradient(w)
    batched = rule_direction(w, g, 2)
    gaps["rule direction, batched vs single_output_direction"] = max(
        float(np.linalg.norm(batched[i] - single_output_direction(w[i], g[i], 2))
              / np.linalg.norm(single_output_direction(w[i], g[i], 2))) for i in range(len(w)))
    start = near_zero_chain(2, x.shape[0], (2,), (seed,))
    etas = 2.0 ** np.array([-3.0, -1.0])
    for name in TORCH_OPTIMIZERS:
        gaps[f"numpy {NAMES[name]} vs torch.optim, {TORCH_STEPS} steps"] = adaptive_gap(
            name, start, problem.loss, etas, TORCH_STEPS)
    return gaps


# ---------------------------------------------------------------- comparisons, sequential over looks

@dataclass(frozen=True)
class Comparison:
    """Per seed, log10(T_slow/T_fast) at ``p``. ``kind``: "≥" (the mean is ≥ ``threshold``: acceleration), "≤" (the
    mean is ≤ ``threshold``: little or no gain) or "≈" (|mean| ≤ ``threshold``: the mechanism, both runs at the
    step MECHANISM_STEP·η*_depth-2 of each seed). ``stream`` 0: the theorem's seeds; 1: a control's fresh seeds."""

    fast: str
    slow: str
    p: float
    kind: str = "≥"
    threshold: float = LOG_MIN
    stream: int = 0

    def label(self, claimed: bool = True) -> str:
        if self.kind == "≈":
            return (f"iterations of {NAMES[self.slow]} over {NAMES[self.fast]} at η = η*_depth-2/4, p = {self.p:g}: "
                    f"log10 T_{self.slow}/T_{self.fast}" + (f" (|·| ≤ τ = {self.threshold:g} claimed)" if claimed else ""))
        return (f"speed-up of {NAMES[self.fast]} over {NAMES[self.slow]} to the target, p = {self.p:g}: "
                f"log10 T_{self.slow}/T_{self.fast}"
                + (f" ({self.kind} log10 {MIN_SPEEDUP:g} = {self.threshold:.3f} claimed)" if claimed else ""))

    def methods(self) -> tuple[str, ...]:
        return (self.fast, self.slow)


CLAIM = (Comparison("depth2", "gd", 4.0), Comparison("depth3", "gd", 4.0), Comparison("depth2", "gd", 2.0, "≤"),
         Comparison("depth2", "adagrad", 4.0), Comparison("depth2", "adadelta", 4.0),
         Comparison("rule", "depth2-balanced", 4.0, "≈", MECHANISM_TOL))
REPORTED = (Comparison("depth3", "adadelta", 4.0), Comparison("adam", "depth2", 4.0))


def decide(values: np.ndarray, comparison: Comparison, looks: int) -> tuple[bool | None, float, tuple[float, float]]:
    """The (1 − LEVEL/looks) t-CI of the mean and the three-valued decision of ``comparison`` on it."""
    if values.size < 2:
        return None, float(np.mean(values)) if values.size else math.nan, (-math.inf, math.inf)
    mean, (low, high) = mean_ci(values, level=1.0 - LEVEL / looks)
    if np.ptp(values) == 0:
        low = high = mean
    t = comparison.threshold
    if comparison.kind == "≥":
        return (True if low > t else False if high < t else None), mean, (low, high)
    if comparison.kind == "≤":
        return (True if high < t else False if low > t else None), mean, (low, high)
    return (True if -t < low and high < t else False if high < -t or low > t else None), mean, (low, high)


@dataclass
class Outcome:
    """A comparison's state over the looks."""

    comparison: Comparison
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unresolved: int = 0
    verdict: bool | None = None
    mean: float = math.nan
    ci: tuple[float, float] = (-math.inf, math.inf)
    looks_used: int = 0


def look_seeds(ctx: Context, sizes: tuple[int, ...], look: int, stream: int) -> tuple[int, ...]:
    """Seeds of one look: run_seed·1000 + CONTROL_STREAM·stream + (seeds of the earlier looks) + k."""
    start = ctx.seed * 1000 + CONTROL_STREAM * stream + sum(sizes[:look])
    return tuple(range(start, start + sizes[look]))


def paired(runs: dict[str, dict[str, Any]], c: Comparison) -> tuple[np.ndarray, int]:
    """log10(T_slow/T_fast) on the seeds where both runs are resolved, and how many were not."""
    fast, slow = runs[c.fast], runs[c.slow]
    ok = (np.array(fast["reached"]) & np.array(slow["reached"]) & ~np.array(fast["edge"]) & ~np.array(slow["edge"]))
    return np.log10(np.array(slow["iterations"])[ok] / np.array(fast["iterations"])[ok]), int((~ok).sum())


def look_runs(ctx: Context, comparisons: list[Comparison], seeds: tuple[int, ...]) -> dict[tuple, dict[str, Any]]:
    """All runs the comparisons need on ``seeds``: tuned methods first, then the fixed-step mechanism runs at
    MECHANISM_STEP·η*_depth-2 (which need the tuned depth-2 steps)."""
    tuned = sorted({(c.p, m) for c in comparisons if c.kind != "≈" for m in c.methods()}
                   | {(c.p, "depth2") for c in comparisons if c.kind == "≈"})
    runs = dict(zip(tuned, ctx.map(tuned_iterations, [Tuning(m, p, seeds) for p, m in tuned])))
    fixed = sorted({(c.p, m) for c in comparisons if c.kind == "≈" for m in c.methods()})
    if fixed:
        items = [FixedStep(m, p, seeds, tuple(float(e) + math.log2(MECHANISM_STEP)
                                              for e in runs[(p, "depth2")]["log2_eta"])) for p, m in fixed]
        for (p, m), run in zip(fixed, ctx.map(fixed_step_iterations, items)):
            runs[(p, f"{m}@step")] = run
    return runs


def run_comparisons(ctx: Context, claim: tuple[Comparison, ...], reported: tuple[Comparison, ...] = ()
                    ) -> tuple[list[Outcome], list[Outcome], dict[tuple, dict[str, Any]]]:
    """Group-sequential: fresh seeds look by look until every comparison of ``claim`` is decided or the looks run
    out; ``reported`` comparisons are measured on the first look only. Returns the outcomes and the first
    look's runs (for the plots)."""
    sizes = LOOKS[ctx.profile.name]
    outcomes, extra = [Outcome(c) for c in claim], [Outcome(c) for c in reported]
    first: dict[tuple, dict[str, Any]] = {}
    for look in range(len(sizes)):
        open_ = [o for o in outcomes if o.verdict is None]
        if not open_:
            break
        measured = open_ + (extra if look == 0 else [])
        ctx.status(f"look {look + 1}/{len(sizes)}: {sizes[look]} seeds, {len(open_)} comparison(s) open")
        for stream in sorted({o.comparison.stream for o in measured}):
            group = [o for o in measured if o.comparison.stream == stream]
            runs = look_runs(ctx, [o.comparison for o in group], look_seeds(ctx, sizes, look, stream))
            if look == 0 and not first:
                first = runs
            for o in group:
                c = o.comparison
                suffix = "@step" if c.kind == "≈" else ""
                values, bad = paired({m: runs[(c.p, m + suffix)] for m in c.methods()}, c)
                o.values, o.unresolved, o.looks_used = np.concatenate([o.values, values]), o.unresolved + bad, look + 1
                if o in extra:
                    if o.values.size >= 2:
                        o.mean, o.ci = mean_ci(o.values)
                else:
                    o.verdict, o.mean, o.ci = decide(o.values, c, len(sizes))
    return outcomes, extra, first


def measurement(o: Outcome, looks: int, theorem: bool) -> Measurement:
    """The comparison's mean effect with its CI as the acceptance band; ruled_out: no acceleration (0) for "≥",
    the claimed minimum gain for "≤" and for the mechanism."""
    c = o.comparison
    kind = f"{1 - LEVEL / looks:.0%} t-CI over {o.values.size} seeds ({o.looks_used} look(s); Bonferroni over {looks})"
    ruled = (0.0 if c.kind == "≥" else LOG_MIN) if theorem else None
    if c.kind == "≈":
        return Measurement(c.label(), o.mean, predicted=0.0, tolerance=c.threshold, interval=o.ci, kind=kind,
                           unit="log10 of a ratio", gate_tolerance=0.01, comparison="≈",
                           band=(o.ci[1] - c.threshold, o.ci[0] + c.threshold) if o.ci[1] - o.ci[0] <= 2 * c.threshold
                           else None, ruled_out=ruled,
                           band_note="claimed offsets c with CI ⊂ [c − τ, c + τ] (TOST)")
    return Measurement(c.label(), o.mean, predicted=c.threshold, interval=o.ci, kind=kind, comparison=c.kind,
                       unit="log10 of a ratio", gate_tolerance=0.15, band=o.ci if math.isfinite(o.ci[0]) else None,
                       ruled_out=ruled, band_note="the mean effects the CI does not refute")


def ratio_text(o: Outcome) -> str:
    """'3.4× (log10 0.53, CI [0.50, 0.56] = ×3.2–3.6)'."""
    if not math.isfinite(o.mean):
        return "not measured (fewer than 2 resolved seeds)"
    lo, hi = o.ci
    return (f"×{10 ** o.mean:.3g} (log10 {o.mean:.3f}, CI [{lo:.3f}, {hi:.3f}] = ×{10 ** lo:.3g}–×{10 ** hi:.3g}, "
            f"{o.values.size} seeds)")


def sentence(o: Outcome) -> str:
    """One comparison in words, with its verdict."""
    c = o.comparison
    verdict = {True: "holds", False: "refuted", None: "undecided"}[o.verdict]
    if c.kind == "≈":
        return (f"{NAMES[c.fast]} vs {NAMES[c.slow]} at the same step η*/4: iteration ratio T_{c.slow}/T_{c.fast} "
                f"{ratio_text(o)} — claimed within ×10^±{c.threshold:g} (±3.5%): {verdict}")
    want = f"≥ {MIN_SPEEDUP:g}×" if c.kind == "≥" else f"< {MIN_SPEEDUP:g}×"
    return (f"{NAMES[c.fast]} reaches the p = {c.p:g} target {ratio_text(o)} faster than {NAMES[c.slow]} "
            f"(T_{c.slow}/T_{c.fast}) — claimed {want}: {verdict}")


def check_claim(ctx: Context, claim: tuple[Comparison, ...], reported: tuple[Comparison, ...] = ()) -> Evidence:
    """Each comparison decided group-sequentially (`run_comparisons`); the theorem's run also checks the oracles."""
    if nn_extra_missing():
        return Evidence(holds=None, summary=NN_EXTRA_SKIP)
    import torch

    torch.set_num_threads(1)
    theorem = claim == CLAIM
    outcomes, extra, first = run_comparisons(ctx, claim, reported)
    looks = len(LOOKS[ctx.profile.name])
    measurements = [measurement(o, looks, theorem) for o in outcomes]
    measurements += [Measurement(f"{o.comparison.label(claimed=False)} (reported, not gated)", o.mean, interval=o.ci,
                                 kind=f"95% t-CI over {o.values.size} seeds", unit="log10 of a ratio")
                     for o in extra if math.isfinite(o.mean)]
    verdicts = [o.verdict for o in outcomes]
    holds = False if False in verdicts else None if None in verdicts else True
    lines = [sentence(o) for o in outcomes]
    findings = [s + "." for s in lines] + [sentence(o).split(" — ")[0] + " (reported, not gated)." for o in extra
                                           if math.isfinite(o.mean)]
    oracle_text = "not run (controls rely on the theorem's oracle checks)"
    if theorem:
        gaps = oracle_gaps(ctx.seed * 1000)
        worst = {k: v for k, v in gaps.items() if v > (TORCH_TOL if "torch.optim" in k else ORACLE_TOL)}
        measurements.append(Measurement("largest oracle gap (engine vs torch autograd / single_output_direction)",
                                        max(v for k, v in gaps.items() if "torch.optim" not in k), predicted=0.0,
                                        tolerance=ORACLE_TOL, ruled_out=1e-6, kind="relative, sample states"))
        measurements.append(Measurement("largest gap numpy optimizers vs torch.optim", max(
            v for k, v in gaps.items() if "torch.optim" in k), predicted=0.0, tolerance=TORCH_TOL, ruled_out=1e-6,
            kind=f"relative, after {TORCH_STEPS} steps"))
        oracle_text = "; ".join(f"{k}: {v:.1e}" for k, v in gaps.items())
        if worst:
            holds = False
            lines.insert(0, "oracle disagreement: " + "; ".join(f"{k} = {v:.2e}" for k, v in worst.items()))
        findings.append(tuned_rule_finding())
        if holds is not True and all(o.verdict for o in outcomes if o.comparison.slow != "adadelta"):
            findings.append("Only the AdaDelta comparison is not verified: with step sizes refined to ⅛ octave "
                            "depth-2 GD is ≈ 1.1–1.2× faster than AdaDelta (torch defaults ρ = 0.9, ε = 1e-6), at or "
                            "below 1.25×, with a per-seed spread of ≈ 0.1 decades; a 1-octave grid had made AdaDelta "
                            "look ≈ 1.3× slower (see the docstring).")
    unresolved = sum(o.unresolved for o in outcomes)
    if unresolved:
        findings.append(f"{unresolved} paired seed value(s) were unresolved (a run not at the target in {MAX_STEPS} "
                        "steps or a coarse winner at a grid end) and left out of the effects.")
    seeds_used = max(sum(LOOKS[ctx.profile.name][:o.looks_used]) for o in outcomes)
    return Evidence(
        holds=holds,
        summary="; ".join(lines),
        measurements=measurements,
        unresolved=unresolved,
        run={"data": f"sklearn load_diabetes, {SUBSAMPLE:.0%} row subsample per seed, z-scored features + intercept, "
                     "target / std (not centred)",
             "seeds": f"looks of {LOOKS[ctx.profile.name]} seeds (run seed·1000 + k; controls + {CONTROL_STREAM}); "
                      f"used up to {seeds_used}",
             "loss": "Σ|xᵀw − y|^p/(p n)", "target": f"L* + {TARGET_FRACTION:g}(L(0) − L*), L* by Newton",
             "tuning": f"per method and seed: 5 step sizes 2^(c + {COARSE_OCTAVES}) around the centre c (log2 η: "
                       f"{ {f'{m}@p={p:g}': v for (m, p), v in CENTRES.items()} }), then the coarse winner × 2^"
                       f"{FINE_OCTAVES}; fewest iterations wins; coarse winner at a grid end = unresolved",
             "step budget": MAX_STEPS,
             "init": f"depth-N: entries N(0, {INIT_SCALE:g}²), hidden width 1; GD/AdaGrad/AdaDelta/Adam from w = 0; "
                     "the rule from the depth-2 chain's product w_e(0)",
             "optimizers": "torch.optim's AdaGrad/AdaDelta/Adam update rules with default hyper-parameters except "
                           "lr, in numpy (verify.experiments.optim_baselines.adaptive_update)",
             "mechanism": f"the rule (ACH18 Claim 2, N = 2) from w_e(0) and the depth-2 chain started balanced from "
                          f"w_e(0), both at η = η*_depth-2·{MECHANISM_STEP:g} (η*: the seed's tuned depth-2 step)",
             "oracles": oracle_text},
        plots=plot_curves(ctx, first, 4.0) + plot_curves(ctx, first, 2.0) if theorem else [],
        findings=findings,
    )


def tuned_rule_finding() -> str:
    """At each method's own tuned step (the stability edge), not gated: the rule vs the chain (pilot numbers)."""
    return ("The mechanism is gated at η*/4, inside the stable range, where the rule is the small-step limit of the "
            "chain (Claim 2 holds to O(η²) per step). At each one's own tuned step the two differ: the pilot "
            "measured the rule ×1.31 faster than the tuned chain (log10 0.117, CI [0.086, 0.148]), the rule "
            "tolerating a larger step at the edge of stability, where the chain's O(η²) terms matter.")


def plot_curves(ctx: Context, runs: dict[tuple, dict[str, Any]], p: float) -> list[str]:
    """Excess loss (L − L*)/(L(0) − L*) vs iteration at each method's tuned step: median over the first look's
    seeds and the min–max band, with the target."""
    if ctx.out_dir is None:
        return []
    methods = [m for (q, m) in runs if q == p and "@" not in m]
    if not methods:
        return []
    fig, ax = plots.figure(7.0, 4.5)
    for method in methods:
        curves = runs[(p, method)]["curves"]
        length = max(len(c) for c in curves)
        stack = np.full((len(curves), length), np.nan)
        for row, c in zip(stack, curves):
            row[: len(c)] = c
        alive = np.sum(np.isfinite(stack), axis=0) * 2 > len(curves)
        steps = np.arange(length)[alive]
        (line,) = ax.semilogy(steps, np.nanmedian(stack[:, alive], axis=0), label=NAMES[method])
        ax.fill_between(steps, np.nanmin(stack[:, alive], axis=0), np.nanmax(stack[:, alive], axis=0),
                        color=line.get_color(), alpha=0.2)
    ax.axhline(TARGET_FRACTION, color="k", ls=":", label="target")
    ax.set_xlabel("iteration")
    ax.set_ylabel("(L − L*) / (L(0) − L*)")
    ax.set_title(f"ℓ_{p:g} regression (diabetes), each method at its tuned step: median, min–max over seeds")
    ax.legend(fontsize=7)
    return plots.save(fig, ctx, f"curves-p{p:g}")


def validate_claim(claim: tuple[Comparison, ...]) -> None:
    """Every method and (method, p) a comparison names must be known."""
    for c in claim:
        for m in c.methods():
            if m not in METHODS or (c.kind != "≈" and (m, c.p) not in CENTRES):
                raise InvalidArgument(f"comparison {c} names an unknown method/p {m!r} at p = {c.p}")


CONTROLS = {
    "p2.2-gain": (Comparison("depth2", "gd", NEAR_P, stream=1),),
    "exponent-0.9": (Comparison("rule-0.9", "depth2-balanced", 4.0, "≈", MECHANISM_TOL, stream=1),),
    "no-preconditioner": (Comparison("rule-noprec", "depth2-balanced", 4.0, "≈", MECHANISM_TOL, stream=1),),
    "beats-adam": (Comparison("depth2", "adam", 4.0, stream=1),),
}
for _claim in (CLAIM, REPORTED, *CONTROLS.values()):
    validate_claim(_claim)

EXPECTED_FAILURE = ("one part does not reproduce at its threshold: with step sizes refined to ⅛ octave, depth-2 GD is "
                    "only ≈ 1.15× faster than AdaDelta — pooled over 156 seeds (ten ci runs, --seeds 0-9, when ci took "
                    "up to 16 seeds): log10 0.062, 95% CI [0.043, 0.081] = ×1.11–×1.20, below the 1.25× (0.097) "
                    "minimum effect; the default run at seed 0 (60 seeds): 0.090, CI [0.052, 0.128] = ×1.13–×1.34. With "
                    "a per-seed spread of 0.12 decades one run's ≤ 8 (ci) or ≤ 60 (default) seeds leave it undecided "
                    "or refute it. The other five claims verify on every seed. The paper's "
                    "AdaDelta settings (framework, ρ, ε) are unknown; torch's defaults are used")

THEOREM = register(Theorem(
    id="arora2018.lp_acceleration",
    title="Depth (hidden width 1) accelerates ℓ_4 regression, not ℓ_2, through the Claim-2 preconditioner; "
          "beats AdaGrad and AdaDelta",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §7 Experiments, ℓ_p regression and explicit accelerators; "
           "Claim 2",
    statement="On scalar linear regression with ℓ_4 loss, GD on a depth-2 or depth-3 factorization w = W_N⋯W_1 "
              "(hidden width 1, near-zero init) reaches the target in ≥ 1.25× fewer iterations than GD on w, each "
              "with its best step size; at p = 2 the gain is below 1.25×; depth-2 is ≥ 1.25× faster than AdaGrad "
              "and AdaDelta; and the end-to-end rule of Claim 2 reproduces the depth-2 iteration count at the same "
              "step within 3.5%.",
    hypotheses=("scalar linear regression, ℓ_p loss, p ∈ {2, 4}, real data (diabetes, 80% subsamples per seed)",
                "near-zero init (entries N(0, 0.01²)), hidden width 1; baselines from w = 0",
                "step sizes tuned per method and seed: 5 coarse (½ octave) + 4 refined (⅛ octave)",
                "effects paired per seed; group-sequential Student-t CIs (Bonferroni over the looks)"),
    conclusion="each comparison's CI lies on the claimed side of its threshold (log10 1.25; τ = 0.015 for the "
               "mechanism).",
    certification=Certification.STATISTICAL,
    check=lambda ctx: check_claim(ctx, CLAIM, REPORTED),
    controls=(
        Control("p2.2-gain", f"Just above the boundary p = 2, depth-2 GD still reaches the ℓ_{NEAR_P:g} target "
                f"≥ {MIN_SPEEDUP:g}× faster than GD (own runs, fresh seeds).",
                lambda ctx: check_claim(ctx, CONTROLS["p2.2-gain"])),
        Control("exponent-0.9", "The end-to-end rule with its norm exponent 2 − 2/N off by 10% (×0.9) reproduces "
                "the depth-2 iteration count at η*/4 within τ (own runs, fresh seeds).",
                lambda ctx: check_claim(ctx, CONTROLS["exponent-0.9"])),
        Control("no-preconditioner", "The end-to-end rule with the preconditioner removed (w ← w − η∇ from w_e(0)) "
                "reproduces the depth-2 iteration count at η*/4 within τ (own runs, fresh seeds).",
                lambda ctx: check_claim(ctx, CONTROLS["no-preconditioner"])),
        Control("beats-adam", f"Depth-2 GD is also ≥ {MIN_SPEEDUP:g}× faster than Adam on ℓ_4 regression (the "
                "slides: it is slower; own runs, fresh seeds).", lambda ctx: check_claim(ctx, CONTROLS["beats-adam"])),
    ),
    constants={"ε (near-zero init scale)": Constant(INIT_SCALE, "chosen"),
               "target": Constant(TARGET_FRACTION, "chosen", "L* + this·(L(0) − L*)"),
               "MIN_SPEEDUP": Constant(MIN_SPEEDUP, "chosen", "a gain counts if ≥ this factor (log10 0.097)"),
               "subsample": Constant(SUBSAMPLE, "chosen", "fraction of rows per seed"),
               "step budget": Constant(MAX_STEPS, "chosen", "runs not at the target by then are unresolved"),
               "coarse/fine grid (octaves)": Constant(f"{COARSE_OCTAVES} / {FINE_OCTAVES}", "chosen"),
               "grid centres (log2 η)": Constant(str({f"{m}@{p:g}": v for (m, p), v in CENTRES.items()}), "chosen",
                                                 "pilot medians, seeds 90000–90023, before the measured runs"),
               "mechanism step": Constant(MECHANISM_STEP, "chosen", "× each seed's tuned depth-2 step"),
               "τ (mechanism tolerance, log10)": Constant(MECHANISM_TOL, "chosen", "fixed after the pilot, before "
                                                          "the measured runs (see docstring)"),
               "near-boundary p / exponent scale": Constant(f"{NEAR_P} / {NEAR_EXPONENT}", "chosen"),
               "level": Constant(LEVEL, "chosen", "per comparison over all looks (Bonferroni)"),
               "looks": Constant(str(LOOKS), "chosen"),
               "oracle tolerances": Constant(f"{ORACLE_TOL:g} (autograd, Claim-2 formula); {TORCH_TOL:g} "
                                             f"(torch.optim, {TORCH_STEPS} steps)", "chosen")},
    headline=CLAIM[0].label(),
    tags=frozenset({"statistical", "nn-extra"}),
    requires=("torch", "sklearn"),
    expected_failure=EXPECTED_FAILURE,
))
