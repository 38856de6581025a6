"""bartlett2018.identity_init: building blocks, the certificates, the scaling fits, both halves, the controls, and
planted bugs (a ×1.01 layer gradient, an exponent off by one in the scalar recursion) that the check must catch."""

import numpy as np
import pytest

from theorems import bartlett2018_identity_init as B
from verify.checking.context import Context
from verify.checking.convergence import whitened_inputs
from verify.checking.profiles import get_profile
from verify.engine import network


def ctx(label: str = "t", seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, f"bartlett2018.identity_init.{label}")


def test_whitened_inputs():
    x = whitened_inputs(3, 7, np.random.default_rng(0))
    np.testing.assert_allclose(x @ x.T, np.eye(3), atol=1e-14)


def test_target_eigenvalues():
    phi, lam, _q = B.target(B.TargetCase(3, 2, 4), negative=-0.5)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(phi)), np.sort(lam), atol=1e-12)
    assert lam[0] == -0.5


def test_scalar_recursion_converges_for_positive_and_not_for_negative():
    theta = B.scalar_recursion(np.array([0.5, 2.0, -0.5]), 4, 0.1 / 4, 3000)[-1]
    np.testing.assert_allclose(theta[:2] ** 4, [0.5, 2.0], rtol=1e-8)
    assert 0 < theta[2] < 1


def test_iterations_to_matches_a_plain_loop():
    lam, depth = np.array(B.kappa_eigenvalues(8.0)), 4
    theta = B.scalar_recursion(lam, depth, B.ETA_SCALE / depth, 3000)
    loss = 0.5 * np.sum((theta ** depth - lam) ** 2, axis=1)
    expected = [int(np.flatnonzero(loss <= e)[0]) for e in (1e-6, 1e-9)]
    assert B.iterations_to(lam[None, :], np.array([depth]), np.array([1e-6, 1e-9]), 10_000)[0].tolist() == expected


def test_measure_matches_scalar_mechanism():
    m = B.measure((B.TargetCase(2, 4, 3), B.IdentityClaim(), B.MAX_STEPS))
    assert m["failure"] is None and m["scalar_mismatch"] < 1e-10 and m["invariance"] < 1e-12
    assert m["steps"] == m["scalar_steps"] and m["oracle_gap"] < B.ORACLE_TOL


def test_scalar_certificate_holds_inside_and_fails_past_the_overshoot_threshold():
    for depth in (2, 3, 16, 64):   # 64 (thorough) needs a bisected piece next to θ = 1
        assert B.scalar_certificate((depth, B.ETA_SCALE / depth, -0.5))["certified"]
    star = 1 / 1.5
    assert B.scalar_certificate((3, 0.9 * star, -0.5))["certified"]
    for factor in (1.01, 1.1):     # past the threshold no partition certifies it
        assert not B.scalar_certificate((3, factor * star, -0.5))["certified"]


def test_ball_run_certifies_depth_two():
    r = B.ball_run((2, 2, 0.05, -0.5))
    assert r["certified"] and r["lowest_margin"] > 0 and r["offdiagonal_zero"]


def test_float64_escape_at_depth_two_matches_prediction():
    measured, predicted = B.float64_escape()
    assert abs(measured - predicted) < 0.15 * predicted


def test_scaling_is_polynomial_and_linear_in_log_eps():
    measurements, _, ok, _, unresolved = B.check_scaling(ctx("scaling"))
    assert ok and unresolved < 10                       # the fastest runs cannot resolve their ε-slope
    assert not [m.name for m in measurements if m.weakness()]


def test_exponential_growth_is_flagged():
    """The polynomial gate refutes an exponential T(L)."""
    depths = np.array(B.SWEEP_DEPTHS, dtype=float)
    _, _, passed = B.polynomial_measurement("fake", depths, 50.0 * depths ** 0.2 * np.exp(0.05 * depths))
    assert not passed


def test_check_and_controls():
    evidence = B.THEOREM.check(ctx())
    assert evidence.holds is True, evidence.summary
    for control in B.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_broken_gradient_breaks_the_invariance():
    m = B.measure((B.TargetCase(2, 3, 1), B.IdentityClaim(broken=True), B.MAX_STEPS))
    assert m["failure"] is not None and "symmetric" in m["failure"]


def test_planted_gradient_mutant_is_caught(monkeypatch):
    """A ×1.01 factor in the engine's layer gradients is seen by the chain-rule oracle comparison."""
    true_gradients = network.layer_gradients

    def scaled(weights, loss, layer_scales=None):
        g = true_gradients(weights, loss, layer_scales)
        return network.Gradients([1.01 * x for x in g.layers], g.end_to_end, g.loss_gradient)

    monkeypatch.setattr(network, "layer_gradients", scaled)          # the dynamics (gd_step) ...
    monkeypatch.setattr(B, "layer_gradients", scaled)                # ... and the check's own comparison
    evidence, _ = B.check_claim(ctx("mutant"), B.IdentityClaim(), [B.TargetCase(2, 4, 3)])
    assert evidence.holds is False and "oracle" in evidence.summary


def test_planted_exponent_mutant_is_caught(monkeypatch):
    """The scalar recursion with θ^{L−2} instead of θ^{L−1} no longer predicts the engine's iteration count."""
    def wrong(lam, depth, eta, steps):
        theta = np.ones((steps + 1, lam.size))
        for t in range(steps):
            th = theta[t]
            theta[t + 1] = th - eta * th ** (depth - 2) * (th ** depth - lam)
        return theta

    monkeypatch.setattr(B, "scalar_recursion", wrong)
    evidence, _ = B.check_claim(ctx("mutant-exp"), B.IdentityClaim(), [B.TargetCase(2, 4, 3)])
    assert evidence.holds is False


def test_bad_claim_is_rejected():
    with pytest.raises(Exception, match="conclusion"):
        B.IdentityClaim(conclusion="maybe")
    with pytest.raises(Exception, match="negative"):
        B.IdentityClaim(negative=0.5)
