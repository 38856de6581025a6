"""The deep-linear-network engine: gradients, precisions, training, divergence, inits."""

import numpy as np
import pytest

from verify.engine import inits, oracles
from verify.engine.backends import ArbBackend, FixedPointBackend, MpmathBackend
from verify.engine.dynamics import gradient_flow, run_gd
from verify.engine.linalg import psd_power
from verify.engine.losses import LinearLoss, QuadraticLoss, SufficientStats
from verify.engine.network import (
    balancedness_defects,
    end_to_end,
    gd_step,
    gd_step_in_place,
    layer_gradients,
    to_backend,
    to_numpy,
)
from verify.errors import DataError, InvalidArgument

SHAPES = [(3, 2), (3, 4, 2), (2, 5, 3, 4), (4, 3, 1, 2, 3), (1, 2, 2, 2, 2, 1), (5, 4, 3, 2, 1, 2, 3)]


def problem(dims, seed=0, n=7, alpha=1.0):
    rng = np.random.default_rng(seed)
    weights = [w / np.sqrt(w.shape[1]) for w in inits.gaussian(dims, rng)]
    x = rng.standard_normal((dims[0], n))
    y = rng.standard_normal((dims[-1], n))
    return weights, x, y, QuadraticLoss.from_data(x, y, alpha=alpha)


@pytest.mark.parametrize("dims", SHAPES)
@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_gradients_match_naive_chain_rule_on_every_layer(dims, alpha):
    weights, x, y, _ = problem(dims)
    loss = QuadraticLoss.from_data(x, y, alpha=alpha)
    ours = layer_gradients(weights, loss).layers
    for j, (g, ref) in enumerate(zip(ours, oracles.chain_rule_gradients(weights, x, y, alpha))):
        assert g.shape == weights[j].shape
        np.testing.assert_allclose(g, ref, rtol=1e-11, atol=1e-12, err_msg=f"layer {j + 1} of dims {dims}")


@pytest.mark.parametrize("dims", SHAPES[:4])
def test_gradients_match_central_finite_differences(dims):
    weights, x, y, loss = problem(dims, seed=1)
    grads = layer_gradients(weights, loss).layers
    h = 1e-6
    for j, w in enumerate(weights):
        for idx in np.ndindex(w.shape):
            plus = [v.copy() for v in weights]
            minus = [v.copy() for v in weights]
            plus[j][idx] += h
            minus[j][idx] -= h
            fd = (oracles.residual_loss(plus, x, y) - oracles.residual_loss(minus, x, y)) / (2 * h)
            assert abs(fd - grads[j][idx]) <= 1e-6 * (1 + abs(fd)), f"layer {j + 1} entry {idx}"


def test_loss_from_sufficient_statistics_equals_residual_form():
    weights, x, y, loss = problem((4, 3, 2), seed=2)
    assert loss.value(end_to_end(weights)) == pytest.approx(oracles.residual_loss(weights, x, y), rel=1e-12)


def test_loss_minimum_is_least_squares_value():
    _, x, y, loss = problem((4, 3, 2), seed=3, n=3)
    assert loss.minimum() == pytest.approx(0.0, abs=1e-12)  # n < d_in: interpolation
    _, x, y, loss = problem((2, 3, 2), seed=3, n=20)
    w_star = np.linalg.lstsq(x.T, y.T, rcond=None)[0].T
    assert loss.minimum() == pytest.approx(0.5 * np.sum((w_star @ x - y) ** 2), rel=1e-10)


def test_batched_networks_match_one_by_one():
    rng = np.random.default_rng(4)
    dims = (3, 4, 4, 2)
    batch = inits.gaussian(dims, rng, std=0.5, batch=(5,))
    _, x, y, loss = problem(dims)
    stacked = layer_gradients(batch, loss).layers
    for r in range(5):
        single = layer_gradients([w[r] for w in batch], loss).layers
        for g_stack, g_single in zip(stacked, single):
            np.testing.assert_allclose(g_stack[r], g_single, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("backend", [ArbBackend(50), FixedPointBackend(50), MpmathBackend(50)],
                         ids=["arb", "fixed", "mpmath"])
def test_high_precision_step_agrees_with_float64(backend):
    weights, x, y, loss = problem((3, 4, 4, 2), seed=5)
    f64 = gd_step(weights, loss, 0.05)
    hp = gd_step(to_backend(weights, backend), loss.with_backend(backend), 0.05)
    for a, b in zip(f64, to_numpy(hp, backend)):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_arb_step_carries_a_tiny_certified_radius():
    backend = ArbBackend(50)
    weights, x, y, loss = problem((3, 4, 2), seed=6)
    ws = to_backend(weights, backend)
    hp_loss = loss.with_backend(backend)
    for _ in range(20):
        ws = gd_step(ws, hp_loss, 0.05)
    assert 0 < max(backend.radius(w) for w in ws) < 1e-35  # 50 digits, 20 steps


def test_run_gd_reaches_target_and_records():
    weights, x, y, loss = problem((3, 3, 2), seed=7, n=2)
    traj = run_gd(weights, loss, 0.05, 5000, target_loss=1e-6)
    assert traj.status == "converged" and traj.hit_at[()] > 0
    assert traj.losses[-1] <= 1e-6 < traj.losses[0]


def test_run_gd_detects_divergence_without_warnings_or_exceptions():
    weights, x, y, loss = problem((3, 3, 2), seed=8)
    with np.errstate(all="raise"):
        traj = run_gd(weights, loss, 50.0, 1000)
    assert traj.diverged and traj.status == "diverged"
    assert 0 < traj.diverged_at[()] < 1000 and "diverged" in traj.describe()


def test_run_gd_batched_statuses_are_per_run():
    dims = (2, 3, 1)
    rng = np.random.default_rng(9)
    weights = inits.gaussian(dims, rng, std=0.5, batch=(2,))
    weights = [np.stack([w[0], 40 * w[1]]) for w in weights]  # run 1 starts huge and diverges
    _, x, y, loss = problem(dims)
    traj = run_gd(weights, loss, 0.05, 300)
    assert traj.diverged_at[0] == -1 and traj.diverged_at[1] > 0


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_run_gd_rejects_bad_step_sizes(bad):
    weights, x, y, loss = problem((2, 2))
    with pytest.raises(InvalidArgument, match="eta"):
        run_gd(weights, loss, bad, 10)


def test_gradient_flow_conserves_balancedness_and_decreases_loss():
    weights, x, y, loss = problem((3, 4, 3, 2), seed=10)
    end = gradient_flow(weights, loss, 2.0)
    for d0, d1 in zip(balancedness_defects(weights), balancedness_defects(end)):
        np.testing.assert_allclose(d1, d0, atol=1e-8)
    assert loss.value(end_to_end(end)) < loss.value(end_to_end(weights))


def test_linear_loss_gradient_is_constant():
    g = np.array([[1.0, -2.0, 0.5]])
    loss = LinearLoss(g)
    weights = inits.balanced((3, 2, 1), np.array([[0.3, 0.1, -0.2]]))
    grads = layer_gradients(weights, loss)
    np.testing.assert_array_equal(grads.loss_gradient, g)


def test_bad_data_is_rejected_with_a_message():
    with pytest.raises(DataError, match="non-finite"):
        SufficientStats.from_data(np.array([[1.0, np.nan]]), np.ones((1, 2)))
    with pytest.raises(DataError, match="samples"):
        SufficientStats.from_data(np.ones((2, 3)), np.ones((1, 4)))


@pytest.mark.parametrize("dims", [(3, 5, 4, 2), (2, 3, 3, 3, 4), (1, 1), (4, 1, 3)])
def test_balanced_init_factors_the_target_exactly(dims):
    rng = np.random.default_rng(11)
    target = rng.standard_normal((dims[-1], dims[0]))
    if min(dims[1:-1], default=9) < min(dims[0], dims[-1]):
        with pytest.raises(InvalidArgument, match="hidden widths"):
            inits.balanced(dims, target)
        return
    weights = inits.balanced(dims, target, rng)
    np.testing.assert_allclose(end_to_end(weights), target, atol=1e-12)
    for d in balancedness_defects(weights):
        assert np.max(np.abs(d)) < 1e-12


def test_orthogonal_init_has_orthonormal_rows_or_columns():
    weights = inits.orthogonal((3, 5, 5, 2), np.random.default_rng(12), scale=2.0)
    for w in weights:
        small = min(w.shape)
        gram = w @ w.T if w.shape[0] == small else w.T @ w
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


@pytest.mark.parametrize("dims", [(3, 6, 2), (6, 6, 6)])
def test_orthogonal_init_is_unbiased(dims):
    """Uniform on orthonormal frames: every entry has mean 0 and E[w²] = 1/n (n the longer side).
    Without QR's sign fix LAPACK's convention makes W[0, 0] negative in every draw."""
    draws = np.stack([np.stack([w[0, 0] for w in inits.orthogonal(dims, np.random.default_rng(s))])
                      for s in range(2000)])
    longer = np.array([max(dims[j], dims[j + 1]) for j in range(len(dims) - 1)])
    assert np.all(np.abs(draws.mean(axis=0)) < 4 / np.sqrt(2000 * longer))
    np.testing.assert_allclose((draws ** 2).mean(axis=0), 1 / longer, rtol=0.15)


def test_du_hu_alpha_and_identity_and_chains():
    assert inits.du_hu_alpha((5, 8, 8, 8, 2)) == pytest.approx(1 / np.sqrt(8**3 * 2))
    assert all(np.array_equal(w, np.eye(3)) for w in inits.identity((3, 3, 3)))
    chains = inits.scalar_chains(4, 6, np.random.default_rng(0), kind="near_one", spread=0.0)
    assert chains.shape == (4, 6) and np.all(chains == 1)
    with pytest.raises(InvalidArgument, match="kind"):
        inits.scalar_chains(4, 6, np.random.default_rng(0), kind="xavier")
    with pytest.raises(InvalidArgument, match="dims"):
        inits.gaussian((3, 0, 2), np.random.default_rng(0))


def test_psd_power_conventions():
    rng = np.random.default_rng(13)
    b = rng.standard_normal((4, 2))
    a = b @ b.T  # PSD of rank 2
    half = psd_power(a, 0.5)
    np.testing.assert_allclose(half @ half, a, atol=1e-12)
    np.testing.assert_array_equal(psd_power(np.zeros((3, 3)), 0.0), np.eye(3))  # 0^0 = 1
    np.testing.assert_allclose(psd_power(np.zeros((3, 3)), 0.7), np.zeros((3, 3)))
    with pytest.raises(InvalidArgument, match="PSD"):
        psd_power(-np.eye(2), 0.5)


def test_psd_power_zeroes_rounding_noise_eigenvalues():
    rng = np.random.default_rng(14)
    w = rng.standard_normal((2, 5))
    gram = w.T @ w  # rank 2 of 5: three eigenvalues are rounding noise
    quarter = psd_power(gram, 0.25)
    assert np.linalg.matrix_rank(quarter, tol=1e-8) == 2
    np.testing.assert_allclose(psd_power(quarter, 4.0), gram, atol=1e-10)


@pytest.mark.parametrize("dims", [(3, 2), (3, 4, 2), (2, 5, 3, 4)])
def test_gd_step_is_bitwise_w_minus_eta_g_and_leaves_inputs_alone(dims):
    weights, x, y, loss = problem(dims, seed=15)
    before = [w.copy() for w in weights]
    grads = layer_gradients(weights, loss).layers
    stepped = gd_step(weights, loss, 0.03)
    for w, g, new, old in zip(weights, grads, stepped, before):
        np.testing.assert_array_equal(new, w - 0.03 * g)
        np.testing.assert_array_equal(w, old)


@pytest.mark.parametrize("dims", SHAPES)
@pytest.mark.parametrize("batch", [(), (3,)])
def test_gd_step_in_place_matches_gd_step_bit_for_bit(dims, batch):
    weights, x, y, loss = problem(dims, seed=16)
    rng = np.random.default_rng(16)
    weights = [w + 0.1 * rng.standard_normal(batch + w.shape) for w in weights]
    reference, arrays = weights, [w.copy() for w in weights]
    for _ in range(3):
        w_e = end_to_end(reference)
        reference = gd_step(reference, loss, 0.02)
        np.testing.assert_array_equal(gd_step_in_place(arrays, loss, 0.02), w_e)
    for new, ref in zip(arrays, reference):
        np.testing.assert_array_equal(new, ref)


def test_gd_step_in_place_refuses_high_precision():
    weights, x, y, loss = problem((3, 4, 2))
    backend = FixedPointBackend(30)
    with pytest.raises(InvalidArgument, match="float64"):
        gd_step_in_place(to_backend(weights, backend), loss.with_backend(backend), 0.1)


def test_batch_sizes_cover_every_run_within_the_memory_budget():
    from verify.engine.dynamics import batch_sizes

    dims = (3, 512, 512, 512, 1)                      # 4 MiB of float64 weights per network
    sizes = batch_sizes(400, dims, budget=64 * 2 ** 20)
    assert sum(sizes) == 400 and max(sizes) == 15 and all(s >= 1 for s in sizes)
    assert batch_sizes(3, dims, budget=1) == [1, 1, 1]          # one network per batch at least
    assert batch_sizes(40, (2, 8, 1)) == [40]                   # small sweeps stay one batch
    with pytest.raises(InvalidArgument, match="runs"):
        batch_sizes(0, dims)


def test_the_oracle_sees_a_planted_gradient_bug():
    """Negative control for the oracle comparison: a layer gradient ×1.01 is 1e-2 away, not ~1e-15."""
    weights, x, y, loss = problem((3, 4, 2))
    ours = layer_gradients(weights, loss).layers
    assert oracles.relative_gap(ours, oracles.chain_rule_gradients(weights, x, y)) < 1e-12
    broken = [ours[0] * 1.01, *ours[1:]]
    assert oracles.relative_gap(broken, oracles.chain_rule_gradients(weights, x, y)) > 5e-3
    stepped = gd_step(weights, loss, 0.01)
    assert oracles.relative_gap(stepped, oracles.gd_step(weights, x, y, 0.01)) < 1e-12
