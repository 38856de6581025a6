"""bartlett2018.identity_init: building blocks, both halves, controls, broken dynamics."""

import numpy as np

from theorems import bartlett2018_identity_init as B
from verify.checking.context import Context
from verify.checking.convergence import whitened_inputs
from verify.checking.profiles import get_profile


def ctx(label: str = "t") -> Context:
    return Context(get_profile("ci"), 0, f"bartlett2018.identity_init.{label}")


def test_whitened_inputs():
    x = whitened_inputs(3, 7, np.random.default_rng(0))
    np.testing.assert_allclose(x @ x.T, np.eye(3), atol=1e-14)


def test_target_eigenvalues():
    phi, lam, q = B.target(B.TargetCase(3, 2, 4), negative=True)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(phi)), np.sort(lam), atol=1e-12)
    assert lam[0] == B.NEGATIVE_EIGENVALUE


def test_scalar_recursion_converges_for_positive_and_not_for_negative():
    theta = B.scalar_recursion(np.array([0.5, 2.0, -0.5]), 4, 0.1 / 4, 3000)[-1]
    np.testing.assert_allclose(theta[:2] ** 4, [0.5, 2.0], rtol=1e-8)
    assert 0 < theta[2] < 1


def test_measure_matches_scalar_mechanism():
    m = B.measure((B.TargetCase(2, 4, 3), B.IdentityClaim()))
    assert m["failure"] is None and m["scalar_mismatch"] < 1e-10 and m["invariance"] < 1e-12


def test_check_and_controls():
    assert B.THEOREM.check(ctx()).holds is True
    for control in B.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_broken_gradient_breaks_the_invariance():
    m = B.measure((B.TargetCase(2, 3, 1), B.IdentityClaim(broken=True)))
    assert m["failure"] is not None and "symmetric" in m["failure"]


def test_float64_escape_at_depth_two_matches_prediction():
    measured, predicted = B.float64_escape()
    assert abs(measured - predicted) < 0.1 * predicted
