"""kawaguchi2016.landscape: the closed forms against independent oracles, the exact sympy facts, the
classifier on critical points known in closed form, the check and its controls, and planted bugs that
must turn the check red."""

import math

import mpmath
import numpy as np
import pytest

from theorems import kawaguchi2016_landscape as K
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.engine import oracles
from verify.errors import InvalidArgument


def ctx(label: str = "t", seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, f"kawaguchi2016.landscape.{label}")


def least_squares(dims, seed=3):
    inst = K.Instance(tuple(dims), "least_squares", seed)
    loss, loss_mp = K.build_losses(inst)
    return inst, loss, loss_mp


def classify(weights, inst, loss, loss_mp, seed=0):
    with mpmath.workdps(K.DPS):
        opt, values = K.global_minimum(inst, loss_mp)
        return K.classify([K.to_mp(w) for w in weights], loss, loss_mp, inst, opt, values,
                          K.natural_scale(loss, inst.depth), np.random.default_rng(seed))


def test_gradient_matches_the_chain_rule_oracle():
    rng = np.random.default_rng(0)
    for dims in [(3, 2), (3, 2, 2), (2, 3, 1, 2), (3, 2, 2, 3, 2)]:
        inst, loss, _ = least_squares(dims)
        x, y = K.instance_data(inst)
        w = [rng.standard_normal((dims[j + 1], dims[j])) for j in range(len(dims) - 1)]
        assert oracles.relative_gap(K.layer_gradients(w, loss), oracles.chain_rule_gradients(w, x, y)) < 1e-14


def test_hessian_matches_sympy_and_central_differences():
    rng = np.random.default_rng(1)
    inst, _, _ = least_squares((3, 2, 2, 2))
    w = [np.round(rng.standard_normal((r, c)) * 8) / 8 for r, c in [(2, 3), (2, 2), (2, 2)]]
    x, y = (np.round(a * 64) / 64 for a in K.instance_data(inst))
    rounded = K.LeastSquares.from_data(x, y)
    np.testing.assert_allclose(K.hessian(w, rounded), K.sympy_hessian(w, rounded), rtol=0, atol=1e-12)
    gaps = K.oracle_gaps(K.Instance((3, 2, 2, 2), "double_well", 4), *K.build_losses(K.Instance((3, 2, 2, 2), "double_well", 4)),
                         np.random.default_rng(2))
    assert gaps["hessian_oracle_gap"] < K.ORACLE_TOL and gaps["gradient_oracle_gap"] < K.ORACLE_TOL


def test_sympy_hessian_at_zero_vanishes_from_depth_three_only():
    for dims in [(2, 2, 2, 2), (2, 2, 2, 2, 2)]:
        r = K.symbolic_zero_saddle(dims)
        assert r["hessian_nonzero_entries"] == 0 and r["vHv_is_zero"]
        assert r["lowest_order"] == len(dims) - 1 and r["lowest_coefficient_is_minus_norm_sq"]
    r = K.symbolic_zero_saddle((2, 2, 2))
    assert r["hessian_nonzero_entries"] > 0 and r["vHv_is_minus_2_norm_sq"] and r["lowest_order"] == 2
    assert K.symbolic_verdict([K.symbolic_zero_saddle((2, 2, 2, 2))])
    assert not K.symbolic_verdict([r])


def test_kawaguchi_appendix_point_is_a_strict_saddle_at_depth_three():
    assert K.symbolic_flaw((2, 2, 2, 2)) > 0          # W_1 = W_2 = 0, W_3 free: Hessian ≠ 0
    assert K.symbolic_flaw((2, 2, 2, 2, 2)) == 0       # N = 4: still zero


def test_classifier_on_closed_form_critical_points():
    inst, loss, loss_mp = least_squares((3, 2, 2))
    w_ls = np.linalg.solve(loss.sxx, loss.syx.T).T
    assert classify([w_ls, np.eye(2)], inst, loss, loss_mp)["kind"] == "global minimum"
    sigma = loss.syx @ np.linalg.solve(loss.sxx, loss.syx.T)
    _, u = np.linalg.eigh(sigma)
    second = u[:, :1]                                   # the smaller eigenvector: S = {2}, a saddle
    saddle = [np.vstack([second.T @ w_ls, np.zeros((1, 3))]), np.hstack([second, np.zeros((2, 1))])]
    assert np.linalg.norm(np.concatenate([g.ravel() for g in K.layer_gradients(saddle, loss)])) < 1e-12
    point = classify(saddle, inst, loss, loss_mp)
    assert point["kind"] == "strict saddle" and point["critical_value_distance"] < 1e-15
    inst3, loss3, loss3_mp = least_squares((3, 2, 2, 2))
    zero = classify([np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((2, 2))], inst3, loss3, loss3_mp)
    assert zero["kind"] == "higher-order saddle" and abs(zero["order"] - 3) < 0.01 and zero["lambda_min"] == 0


def test_double_well_values_are_the_cubics_minima():
    loss = K.TiltedDoubleWell(np.array([[0.6, 0.8]]), 0.5)
    with mpmath.workdps(30):
        values = [float(v) for v in loss.well_values()]
    g = lambda s: (s * s - 1) ** 2 + 0.5 * s + 0.5 * s * s
    roots = [math.cos((math.acos(-0.5) + 2 * math.pi * k) / 3) for k in range(3)]   # 4s³ − 3s + τ = 0
    assert values == pytest.approx(sorted(g(s) for s in roots if 12 * s * s - 3 > 0), abs=1e-12)


def test_generated_instances_satisfy_the_hypotheses_and_repeated_eigenvalues_are_rejected():
    instances, _ = K.draw_instances(np.random.default_rng(5), 6, "least_squares")
    assert all(K.hypotheses_hold(K.kawaguchi_hypotheses(*K.instance_data(i))) for i in instances)
    x = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 3)))[0].T      # XXᵀ = I
    y = np.eye(2, 3) @ x                                                          # Σ = I: repeated eigenvalue
    assert not K.hypotheses_hold(K.kawaguchi_hypotheses(x, y))


def test_check_and_controls():
    evidence = K.THEOREM.check(ctx())
    assert evidence.holds is True, evidence.summary
    assert not [m.name for m in evidence.measurements if m.weakness()]
    depth2, double_well = (c.check(ctx(c.id)) for c in K.THEOREM.controls)
    assert depth2.holds is False and "negative eigenvalue" in depth2.summary
    assert double_well.holds is False and "(i) fails" in double_well.summary


def test_planted_hessian_factor_is_caught(monkeypatch):
    """A Hessian–vector product 1% too large must be seen by the sympy / central-difference oracles."""
    true_hvp = K.hessian_vector_products
    monkeypatch.setattr(K, "hessian_vector_products", lambda w, loss, v: [1.01 * h for h in true_hvp(w, loss, v)])
    evidence = K.check_claim(ctx("mutant-hessian"), K.LandscapeClaim(symbolic_dims=()))
    assert evidence.holds is False and "oracles" in evidence.summary


def test_planted_optimistic_optimum_is_caught(monkeypatch):
    """An OPT_p claimed 1e-6·L̄(0) lower than the truth: every minimum found looks non-global, (i) fails."""
    true_min = K.global_minimum

    def optimistic(inst, loss_mp):
        opt, values = true_min(inst, loss_mp)
        return opt - mpmath.mpf(1e-6) * values[-1], values

    monkeypatch.setattr(K, "global_minimum", optimistic)
    evidence = K.check_claim(ctx("mutant-opt"), K.LandscapeClaim(symbolic_dims=()))
    assert evidence.holds is False and "(i) fails" in evidence.summary


def test_blind_descent_search_is_caught(monkeypatch):
    """A sphere search that never finds a descent makes the zero-Hessian saddle W = 0 look like a local minimum."""
    monkeypatch.setattr(K, "RADII", (0.0,) * 4)
    evidence = K.check_claim(ctx("mutant-radii"), K.LandscapeClaim(symbolic_dims=()))
    assert evidence.holds is False


def test_double_well_control_is_decided_by_the_classifier(monkeypatch):
    """With the non-global local minima relabelled global the double-well control is no longer refuted:
    the refutation comes from the minima the search finds, not from the construction."""
    true_classify = K.classify

    def blind(*args, **kwargs):
        point = true_classify(*args, **kwargs)
        return {**point, "kind": "global minimum"} if point["kind"] == "local minimum, not global" else point

    monkeypatch.setattr(K, "classify", blind)
    evidence = K.check_claim(ctx("blind"), K.LandscapeClaim(family="double_well", symbolic_dims=()))
    assert evidence.holds is True, evidence.summary


def test_bad_arguments_are_rejected():
    with pytest.raises(InvalidArgument, match="family"):
        K.build_losses(K.Instance((2, 2, 1), "cubic", 0))
    with pytest.raises(InvalidArgument, match="dims"):
        K.symbolic_zero_saddle((2, 1, 2, 2))
