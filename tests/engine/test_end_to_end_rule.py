"""verify.engine.end_to_end_rule: the end-to-end rule, its Kronecker preconditioner and eigenpairs, the single-output form."""

import numpy as np
import pytest

from verify.engine.end_to_end_rule import (
    end_to_end_direction,
    gram_powers,
    paper_eigenvalue,
    preconditioner,
    preconditioner_eigenpairs,
    single_output_direction,
    unvec,
    vec,
)
from verify.engine.inits import balanced
from verify.engine.linalg import psd_power
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, gd_step
from verify.errors import InvalidArgument


@pytest.fixture
def rng():
    return np.random.default_rng(1234)

def test_gram_powers_match_psd_power_on_full_rank(rng):
    w = rng.standard_normal((3, 3))
    power = gram_powers(w)
    for a in (0.0, 0.25, 0.5, 1.0):
        assert np.allclose(power("left", a), psd_power(w @ w.T, a), atol=1e-12)
        assert np.allclose(power("right", a), psd_power(w.T @ w, a), atol=1e-12)

def test_gram_powers_zero_singular_values_are_exact(rng):
    w = np.outer(rng.standard_normal(3), rng.standard_normal(4))  # rank 1
    right = gram_powers(w)("right", 0.25)
    # rank one: [WᵀW]^{1/4} = ‖W‖^{1/2} v vᵀ exactly, no rounding noise raised to 1/4
    v = w[0] / np.linalg.norm(w[0])
    assert np.allclose(right, np.linalg.norm(w) ** 0.5 * np.outer(v, v), atol=1e-12)
    assert np.allclose(gram_powers(w)("left", 0.0), np.eye(3))

def test_rule_at_depth_one_is_the_gradient(rng):
    w, g = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    assert np.allclose(end_to_end_direction(w, g, 1), g)

def test_rule_matches_first_order_expansion_of_balanced_gd(rng):
    x, y = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))
    loss = QuadraticLoss.from_data(x, y)
    weights = balanced((3, 4, 4, 2), rng.standard_normal((2, 3)), rng)
    w_e = end_to_end(weights)
    rule = end_to_end_direction(w_e, loss.gradient(w_e), 3)
    errs = [np.linalg.norm(end_to_end(gd_step(weights, loss, eta)) - (w_e - eta * rule)) for eta in (1e-3, 5e-4)]
    assert errs[0] / errs[1] == pytest.approx(4.0, rel=0.02)

def test_preconditioner_kronecker_and_vec(rng):
    w, g = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    assert np.allclose(unvec(vec(g), g.shape), g)
    for n in (1, 2, 3, 5):
        p = preconditioner(w, n)
        assert np.allclose(p @ vec(g), vec(end_to_end_direction(w, g, n)), atol=1e-12)
        assert np.allclose(p, p.T, atol=1e-12)

def test_eigenvalue_formula_with_zero_singular_values():
    w = np.array([[2.0, 0.0, 0.0]])  # σ = (2), right σ padded (2, 0, 0)
    vectors, sl, sr = preconditioner_eigenpairs(w)
    lam = paper_eigenvalue(sl, sr, 3)
    # (σ, σ): N σ^{2(N−1)/N}; (σ, 0): only j = 1 survives (0^0 = 1): σ^{2(N−1)/N}
    assert lam[0, 0] == pytest.approx(3 * 4.0 ** (2 / 3))
    assert lam[0, 1] == pytest.approx(4.0 ** (2 / 3))
    p = preconditioner(w, 3)
    for v, l in zip(vectors, lam.ravel()):
        assert np.allclose(p @ v, l * v, atol=1e-12)

def test_wrong_exponent_formula_fails_eigenpairs(rng):
    w = rng.standard_normal((2, 3))
    vectors, sl, sr = preconditioner_eigenpairs(w)
    wrong = paper_eigenvalue(sl, sr, 3, exponent_scale=1.0).ravel()
    p = preconditioner(w, 3)
    assert max(np.linalg.norm(p @ v - l * v) for v, l in zip(vectors, wrong)) > 1e-2

def test_single_output_form_and_zero_vector(rng):
    w, g = rng.standard_normal((1, 4)), rng.standard_normal((1, 4))
    for n in range(1, 6):
        assert np.allclose(single_output_direction(w, g, n), end_to_end_direction(w, g, n), atol=1e-12)
    zero = np.zeros((1, 4))
    assert np.allclose(single_output_direction(zero, g, 1), g)
    assert np.allclose(single_output_direction(zero, g, 3), 0.0)
    assert np.allclose(end_to_end_direction(zero, g, 3), 0.0)
    assert not np.allclose(single_output_direction(w, g, 3, projection_factor=3), end_to_end_direction(w, g, 3))

def test_bad_arguments_raise():
    with pytest.raises(InvalidArgument):
        end_to_end_direction(np.ones((2, 2)), np.ones((2, 3)), 2)
    with pytest.raises(InvalidArgument):
        end_to_end_direction(np.ones((2, 2)), np.ones((2, 2)), 0)
    with pytest.raises(InvalidArgument):
        single_output_direction(np.ones((2, 2)), np.ones((2, 2)), 2)
