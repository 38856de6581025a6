"""Tests for issue 6: the ℓ_p loss and optimizer adapters, real-data loaders, and the three ACH18 experiment checks."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from verify.context import Context
from verify.dynamics import run_gd
from verify.errors import DataError, InvalidArgument
from verify.optim_baselines import (NN_EXTRA_SKIP, GridRun, LpLoss, gd_update, lp_minimum, torch_update,
                                    train_grid)
from verify.profiles import get_profile
from verify.registry import get

HAS_NN = all(importlib.util.find_spec(m) is not None for m in ("torch", "sklearn"))
needs_nn = pytest.mark.skipif(not HAS_NN, reason="needs the nn extra (torch, scikit-learn)")


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


def lp_problem(p: float = 4.0, seed: int = 0) -> LpLoss:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 40))
    return LpLoss(x, np.array([[1.0, -2.0, 0.5]]) @ x + 1.0 + 0.1 * rng.standard_normal((1, 40)), p)


# ---------------------------------------------------------------- building blocks

@pytest.mark.parametrize("p", [2.0, 3.0, 4.0])
def test_lp_gradient_matches_finite_differences(p):
    loss, w = lp_problem(p), np.array([[0.3, -0.2, 0.7]])
    fd = np.array([[(loss.value(w + h) - loss.value(w - h)) / 2e-6 for h in 1e-6 * np.eye(3)[:, None, :]]])
    assert np.allclose(loss.gradient(w), fd, rtol=1e-6, atol=1e-9)


def test_lp_wrong_exponent_is_detected():
    """Breaking the math (gradient exponent p instead of p − 1) fails the same finite-difference comparison."""
    loss, w = lp_problem(4.0), np.array([[0.3, -0.2, 0.7]])
    r = loss.residuals(w)
    wrong = (np.sign(r) * np.abs(r) ** 4.0) @ loss.x.T / loss.x.shape[1]
    fd = np.array([[(loss.value(w + h) - loss.value(w - h)) / 2e-6 for h in 1e-6 * np.eye(3)[:, None, :]]])
    assert not np.allclose(wrong, fd, rtol=1e-3)


def test_lp_batched_data_equals_per_dataset():
    a, b = lp_problem(4.0, 0), lp_problem(4.0, 1)
    both = LpLoss(np.stack([a.x, b.x]), np.stack([a.y, b.y]), 4.0)
    w = np.random.default_rng(2).standard_normal((5, 2, 1, 3))
    assert np.allclose(both.value(w)[:, 0], a.value(w[:, 0])) and np.allclose(both.value(w)[:, 1], b.value(w[:, 1]))
    assert np.allclose(both.gradient(w)[:, 1], b.gradient(w[:, 1]))


def test_lp_minimum_is_stationary_and_matches_least_squares_for_p2():
    loss = lp_problem(4.0)
    w, value = lp_minimum(loss)
    assert np.linalg.norm(loss.gradient(w)) < 1e-8 and value <= float(loss.value(w + 1e-3)) + 1e-15
    ls = lp_problem(2.0)
    w2, _ = lp_minimum(ls)
    assert np.allclose(w2, np.linalg.lstsq(ls.x.T, ls.y[0], rcond=None)[0][None, :], atol=1e-10)


def test_bad_arguments_raise():
    with pytest.raises(InvalidArgument):
        LpLoss(np.ones((2, 3)), np.ones((1, 3)), 1.5)
    with pytest.raises(DataError):
        LpLoss(np.ones((2, 3)), np.ones((1, 4)), 2.0)
    with pytest.raises(InvalidArgument):
        train_grid([np.zeros((2, 1, 3))], lp_problem(), np.ones(3), gd_update(np.ones(3)), 5, target_loss=0.0)


def test_train_grid_matches_engine_run_gd():
    """Each grid member follows exactly the engine's GD at its own step size."""
    loss, etas = lp_problem(4.0), np.array([0.01, 0.03])
    start = [0.1 * np.ones((1, 3)), 0.1 * np.ones((1, 1))]
    run = train_grid([np.broadcast_to(w, (2,) + w.shape).copy() for w in start], loss, etas, gd_update(etas), 50,
                     target_loss=0.0, until="all")
    for g, eta in enumerate(etas):
        ref = run_gd(start, loss, float(eta), 50)
        assert np.allclose(run.losses[:, g], ref.losses, rtol=1e-12)


def test_grid_best_picks_the_fastest_step_and_censors():
    losses = np.array([[3.0, 3.0], [2.0, 0.5], [0.5, 0.4]])[:, :, None]     # (steps+1, G=2, batch=1)
    run = GridRun(np.array([0.1, 0.2]), losses, np.array([[2], [1]]), np.array([[-1], [-1]]))
    index, its, reached = run.best()
    assert index[0] == 1 and its[0] == 1 and reached[0]
    never = GridRun(np.array([0.1, 0.2]), losses, np.array([[-1], [-1]]), np.array([[-1], [1]]))
    index, its, reached = never.best()
    assert index[0] == 0 and its[0] == 2 and not reached[0]


def test_e2e_rule_tracks_depth2_gd_and_fails_without_preconditioner():
    """One step of ACH18's end-to-end rule matches one GD step on a balanced depth-2 chain to O(η²); dropping
    the preconditioner leaves an O(η) error."""
    from theorems.arora2018_lp_acceleration import e2e_update
    from verify.network import layer_gradients

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


@needs_nn
def test_torch_update_runs_are_independent_and_decrease_the_loss():
    import torch

    torch.set_num_threads(1)
    loss, etas = lp_problem(4.0), np.array([0.01, 0.05])
    start = np.zeros((2, 3, 1, 3))                      # (grid, batch of 3 runs, 1, d)
    run = train_grid([start], loss, etas, torch_update("adam", etas), 100, target_loss=0.0, until="all")
    assert np.all(run.losses[-1] < run.losses[0])
    single = train_grid([np.zeros((2, 1, 1, 3))], loss, etas, torch_update("adam", etas), 100, target_loss=0.0,
                        until="all")
    assert np.allclose(run.losses[:, :, 2], single.losses[:, :, 0])
    with pytest.raises(InvalidArgument):
        torch_update("sgd", etas)


@needs_nn
def test_real_datasets_have_the_documented_layout():
    from verify.datasets_real import diabetes_regression, digit_images

    x, y = diabetes_regression(seed=3, fraction=0.5)
    assert x.shape == (11, 221) and y.shape == (1, 221) and np.allclose(x[-1], 1.0)
    assert np.allclose(x[:-1].mean(axis=1), 0.0, atol=1e-12) and np.isclose(y.std(), 1.0) and y.mean() > 1.0
    assert not np.array_equal(diabetes_regression(seed=4, fraction=0.5)[0], x)
    images, labels = digit_images()
    assert images.shape == (1797, 1, 8, 8) and images.max() <= 1.0 and set(labels.tolist()) == set(range(10))


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


def test_identity_init_breaks_when_the_step_is_too_small(monkeypatch):
    """Breaking the dynamics (a step-size grid 1000× too small) makes the identity-init claim fail."""
    import theorems.arora2018_identity_init as mod

    monkeypatch.setattr(mod, "ETA_GRID", mod.ETA_GRID * 1e-3)
    evidence = mod.check_claim(ctx("broken"), (mod.Statement("identity", 4, True),))
    assert evidence.holds is False


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
