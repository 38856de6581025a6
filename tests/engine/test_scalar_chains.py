"""verify.engine.scalar_chains: batched 1-D chains, their gradients, the arb switch and iteration counts."""

import numpy as np
import pytest

from verify.engine.scalar_chains import (
    FLOAT64_FLOOR,
    ChainLoss,
    chain_gradients,
    float64_resolves,
    init_mechanism,
    iterations_to_eps,
    median_iterations,
    to_arb,
)
from verify.errors import InvalidArgument


def brute_gradients(w, target):
    p = np.prod(w, axis=1)
    return np.array([[(p[r] - target) * np.prod(np.delete(w[r], j)) for j in range(w.shape[1])]
                     for r in range(w.shape[0])])

def test_chain_gradients_match_brute_force():
    w = np.random.default_rng(0).standard_normal((6, 9))
    grad, p = chain_gradients(w, ChainLoss.square(1.5))
    np.testing.assert_allclose(grad, brute_gradients(w, 1.5), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(p, np.prod(w, axis=1), rtol=1e-14)

def test_chain_gradients_depth_one_and_bad_shape():
    grad, p = chain_gradients(np.array([[3.0]]), ChainLoss.square(1.0))
    assert grad[0, 0] == 2.0 and p[0] == 3.0
    with pytest.raises(InvalidArgument):
        chain_gradients(np.ones(3), ChainLoss.square(1.0))

def test_arb_path_agrees_with_float64():
    w = np.random.default_rng(1).standard_normal((3, 5))
    grad, _ = chain_gradients(w, ChainLoss.square(1.0))
    hp, _ = chain_gradients(to_arb(w), ChainLoss.square(1.0))
    np.testing.assert_allclose([[float(v.mid()) for v in row] for row in hp], grad, rtol=1e-14)

def test_mechanism_switches_to_arb_where_float64_underflows():
    w = np.random.default_rng(2).standard_normal((4, 1500))
    assert np.all(np.prod(w, axis=1) == 0.0) or np.all(np.abs(np.prod(w, axis=1)) < FLOAT64_FLOOR)
    m = init_mechanism(w, ChainLoss.square(1.0))
    assert m.used_arb.all()
    np.testing.assert_allclose(m.log_product, np.sum(np.log(np.abs(w)), axis=1), rtol=1e-12)
    small = init_mechanism(w[:, :10], ChainLoss.square(1.0))
    assert not small.used_arb.any()

def test_regression_loss_is_a_width_one_network():
    x, y = np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]])
    loss = ChainLoss.regression(x, y, alpha=0.7)
    p = np.array([0.3])
    assert loss.excess(p)[0] + loss.minimum == pytest.approx(0.5 * np.sum((0.7 * p[0] * x - y) ** 2))

def test_iterations_to_eps_counts_exactly_and_censors():
    loss = ChainLoss.square(2.0)
    counts = iterations_to_eps(np.ones((1, 1)), loss, 0.5, 1e-6, 100)   # p ← p − ½(p − 2): error halves
    expected = int(np.ceil(np.log2(1.0 / np.sqrt(2e-6))))
    assert counts.iterations[0] == expected and not counts.censored[0]
    capped = iterations_to_eps(np.ones((1, 1)), loss, 0.5, 1e-6, 5)
    assert capped.censored[0] and capped.iterations[0] == 5
    assert median_iterations(capped) == (5.0, False)

def test_iterations_compaction_does_not_change_counts():
    w0 = np.random.default_rng(3).standard_normal((40, 6))
    a = iterations_to_eps(w0, ChainLoss.square(1.0), 0.1, 0.01, 3000, compact_every=7)
    b = iterations_to_eps(w0, ChainLoss.square(1.0), 0.1, 0.01, 3000, compact_every=10**6)
    np.testing.assert_array_equal(a.iterations, b.iterations)

def test_divergence_is_reported_not_raised():
    counts = iterations_to_eps(np.full((1, 4), 3.0), ChainLoss.square(1.0), 1.0, 0.01, 50)
    assert counts.diverged[0] and counts.iterations[0] == -1

def test_float64_resolves_flags_absorbed_updates():
    loss = ChainLoss.square(1.0)
    assert float64_resolves(np.ones((1, 3)) * 0.5, loss, 0.1)[0]
    assert not float64_resolves(np.full((1, 80), 0.5), loss, 0.1)[0]   # updates ~2^-79 ≪ ulp
