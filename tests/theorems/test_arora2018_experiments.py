"""Tests for issue 6: the ℓ_p loss and optimizer adapters, real-data loaders, and the three ACH18 experiment checks."""

from __future__ import annotations

import numpy as np
import pytest

from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.registry import get
from verify.experiments.optim_baselines import (
    NN_EXTRA_SKIP,
    LpLoss,
)

from extras import needs_nn


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


def lp_problem(p: float = 4.0, seed: int = 0) -> LpLoss:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 40))
    return LpLoss(x, np.array([[1.0, -2.0, 0.5]]) @ x + 1.0 + 0.1 * rng.standard_normal((1, 40)), p)


# ---------------------------------------------------------------- building blocks


def test_e2e_rule_tracks_depth2_gd_and_fails_without_preconditioner():
    """One step of ACH18's end-to-end rule matches one GD step on a balanced depth-2 chain to O(η²); dropping
    the preconditioner leaves an O(η) error."""
    from theorems.arora2018_lp_acceleration import e2e_update
    from verify.engine.network import layer_gradients

    loss = lp_problem(4.0)
    w = np.array([[0.6, -0.3, 0.2]])
    norm = np.linalg.norm(w)
    chain = [w / np.sqrt(norm), np.array([[np.sqrt(norm)]])]                 # balanced: ‖W_1‖² = W_2²
    errors = {}
    for precondition in (True, False):
        errs = []
        for eta in (1e-3, 5e-4):
            gd = [c - eta * g for c, g in zip(chain, layer_gradients(chain, loss).layers)]
            e2e = [w[None].copy()]
            e2e_update(np.array([eta]), 2, precondition)(e2e, layer_gradients(e2e, loss))
            errs.append(np.linalg.norm(gd[1] * gd[0] - e2e[0][0]))
        errors[precondition] = np.log2(errs[0] / errs[1])                    # observed order in η
    assert errors[True] > 1.8 and errors[False] < 1.2


# ---------------------------------------------------------------- the checks and controls

def run_theorem(theorem_id: str) -> tuple:
    theorem = get(theorem_id)
    evidence = theorem.check(ctx(theorem_id))
    controls = {c.id: c.check(ctx(f"{theorem_id}.{c.id}")).holds for c in theorem.controls}
    return evidence, controls


def test_identity_init_check_and_controls():
    evidence, controls = run_theorem("arora2018.identity_init")
    assert evidence.holds is True, evidence.summary
    assert all(v is False for v in controls.values()), controls
    assert not [m.name for m in evidence.measurements if m.weakness()]


def test_identity_init_lyapunov_exponent_matches_gaussian_products():
    """λ_1 = log ε + ½(log 2 + ψ(d/2)) is the mean log growth of ‖W x‖ for W with N(0, ε²) entries."""
    from theorems.arora2018_identity_init import lyapunov_exponent

    rng = np.random.default_rng(0)
    w = 0.1 * rng.standard_normal((20000, 6, 6))
    x = rng.standard_normal(6)
    growth = np.log(np.linalg.norm(w @ x, axis=1) / np.linalg.norm(x))
    assert abs(growth.mean() - lyapunov_exponent(0.1)) < 4 * growth.std() / np.sqrt(growth.size)


def test_identity_init_crossover_depths_need_a_monotone_pattern():
    from theorems.arora2018_identity_init import CROSSOVER_DEPTHS, crossover_depths

    works = {2: [True, True, True], 3: [True, True, False], 4: [True, False, True], 5: [False, False, False],
             6: [False, False, False]}
    points = [{"depth": n, "seed": 7, "eps": [0.3, 0.1, 0.03], "works": works[n]} for n in CROSSOVER_DEPTHS]
    stars = crossover_depths(points)
    assert stars[(0.3, 7)] == 4.5 and stars[(0.1, 7)] == 3.5 and stars[(0.03, 7)] is None   # 0.03: not monotone


def test_identity_init_breaks_when_the_step_is_too_small(monkeypatch):
    """Breaking the dynamics (step-size grids 1000× too small) makes the identity-init claim fail."""
    import theorems.arora2018_identity_init as mod

    monkeypatch.setattr(mod, "ETA_GRID", mod.ETA_GRID * 1e-3)
    monkeypatch.setattr(mod, "CROSSOVER_ETAS", mod.CROSSOVER_ETAS * 1e-3)
    evidence = mod.check_theorem(ctx("broken"))
    assert evidence.holds is False and "identity works in 0/" in evidence.summary


def test_identity_init_planted_init_scale_is_caught(monkeypatch):
    """Layers drawn with standard deviation 1.1ε instead of ε shift the log-gradient slope by log 1.1 per layer:
    the Lyapunov-exponent check must turn red."""
    import theorems.arora2018_identity_init as mod

    true_layers = mod.gaussian_layers
    monkeypatch.setattr(mod, "gaussian_layers", lambda depth, seed: [1.1 * w for w in true_layers(depth, seed)])
    evidence = mod.check_theorem(ctx("planted"))
    assert evidence.holds is False and "gradient exponent off" in evidence.summary


@needs_nn
def test_lp_acceleration_check_and_controls():
    evidence, controls = run_theorem("arora2018.lp_acceleration")
    assert evidence.holds is True, evidence.summary
    assert all(v is False for v in controls.values()), controls
    assert any("Adam" in f for f in evidence.findings)


def test_nonlinear_first_hit_interpolates_in_log_loss():
    from theorems.arora2018_nonlinear_sanity import EVAL_EVERY, first_hit

    losses = np.array([2.3, 1.0, 0.1, 0.01])
    assert first_hit(losses, 0.1) == 2 * EVAL_EVERY
    assert first_hit(losses, 1e-3 ** 0.5) == pytest.approx(2.5 * EVAL_EVERY)
    assert first_hit(losses, 1e-3) == -1.0


def test_nonlinear_decide_respects_censoring():
    """Unreached targets make per-seed values one-sided bounds: they can block a verdict, never flip it."""
    from theorems.arora2018_nonlinear_sanity import Speedup, decide

    fast, slow = Speedup(np.array([0.3, 0.4]), 0.35, (0.2, 0.5), 0, 0), Speedup(np.zeros(2), 0.0, (0.0, 0.0), 0, 0)
    assert decide(fast, 0.1)[0] is True and decide(slow, 0.1)[0] is False
    assert decide(Speedup(fast.values, 0.35, (0.0, 0.5), 0, 0), 0.1)[0] is None
    assert decide(Speedup(fast.values, 0.35, (0.2, 0.5), 0, 1), 0.1)[0] is None
    assert decide(Speedup(slow.values, 0.0, (0.0, 0.0), 1, 0), 0.1)[0] is None


@needs_nn
def test_nonlinear_nets_share_weights_and_frozen_identity_is_the_base_function():
    import torch

    from theorems.arora2018_nonlinear_sanity import HIDDEN, INIT_STD, Variant, build_net, parameter_count

    base, over, frozen = (build_net(v, 7) for v in (Variant(extra=False), Variant(), Variant(frozen=True)))
    assert parameter_count(over) - parameter_count(base) == HIDDEN ** 2 + 100
    assert parameter_count(frozen) == parameter_count(base)
    assert torch.equal(base[4].weight, over[4].weight) and over[5].bias is None
    x = torch.rand(5, 1, 8, 8)
    with torch.no_grad():
        assert torch.equal(base.eval()(x), frozen.eval()(x))
    assert abs(float(over[5].weight.detach().std()) - INIT_STD) < 0.005           # the paper's N(0, 0.1²)


@needs_nn
def test_nonlinear_sanity_reproduced_and_control_refuted():
    evidence, controls = run_theorem("arora2018.nonlinear_sanity")
    assert evidence.holds is True, evidence.summary
    assert evidence.measurements[0].interval[0] > evidence.measurements[0].predicted
    assert controls == {"frozen-extra-layers": False}


@needs_nn
def test_nonlinear_frozen_run_is_the_base_trajectory_and_swapping_the_nets_refutes():
    """The frozen-identity net follows the base trajectory bit for bit; breaking the statistic (base and
    overparameterized swapped) or asking for the paper's orders of magnitude refutes the claim."""
    import theorems.arora2018_nonlinear_sanity as nl

    seeds, steps = [0, 1, 2], 600
    base = [nl.train_net(nl.Variant(extra=False), s, steps, nl.TARGET_LOSS) for s in seeds]
    over = [nl.train_net(nl.Variant(), s, steps, nl.TARGET_LOSS) for s in seeds]
    frozen = [nl.train_net(nl.Variant(frozen=True), s, steps, nl.TARGET_LOSS) for s in seeds]
    assert all(np.array_equal(b["losses"], f["losses"]) for b, f in zip(base, frozen))
    threshold = np.log10(nl.MIN_SPEEDUP)
    assert nl.decide(nl.speedup(base, over, nl.TARGET_LOSS, steps), threshold)[0] is True
    assert nl.decide(nl.speedup(over, base, nl.TARGET_LOSS, steps), threshold)[0] is False
    assert nl.decide(nl.speedup(base, over, nl.TARGET_LOSS, steps), nl.ORDERS_OF_MAGNITUDE)[0] is False


@pytest.mark.parametrize("theorem_id", ["arora2018.lp_acceleration", "arora2018.nonlinear_sanity"])
def test_nn_theorems_skip_without_the_extra(monkeypatch, theorem_id):
    import theorems.arora2018_lp_acceleration as lp
    import theorems.arora2018_nonlinear_sanity as nl

    monkeypatch.setattr(lp, "nn_extra_missing", lambda *m: True)
    monkeypatch.setattr(nl, "nn_extra_missing", lambda *m: True)
    evidence = get(theorem_id).check(ctx(theorem_id))
    assert evidence.holds is None and evidence.summary == NN_EXTRA_SKIP
