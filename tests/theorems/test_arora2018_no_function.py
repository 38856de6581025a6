"""Tests for verify.engine.certify and arora2018.no_function (certified loop integrals, sympy Jacobian test)."""

import json

import numpy as np
import pytest

from theorems import arora2018_no_function as nf
from verify.checking import registry
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure
from verify.engine.certify import loop_integral
from verify.errors import InvalidArgument

from replay_helpers import as_read_back, recorded_property_runs


def ctx(check_id: str) -> Context:
    return Context(get_profile("ci"), 0, check_id)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
def test_linear_loss_closed_form_inside_enclosure(depth):
    loss = nf.RowLoss("linear", g=np.array([0.75, -0.5, 0.25]))
    case = nf.build_case(depth, loss, seed=3)
    total, _ = nf.certified_loop(case)
    expected = nf.closed_form(float(np.linalg.norm(loss.g)), depth, case.r, case.radius)
    assert abs(total.mid - expected) <= total.radius + 1e-15 * abs(expected) + 1e-300
    assert total.excludes_zero == (depth >= 3)
    assert nf.mpmath_loop(case) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_sympy_closed_form_and_depth_two_potential():
    ok, text = nf.sympy_closed_form()
    assert ok and "gamma" in text
    assert nf.depth2_linear_potential(2) and nf.depth2_linear_potential(3)


def test_jacobian_test_detects_curl():
    linear = nf.RowLoss("linear", g=np.array([0.5, -0.25]))
    assert nf.jacobian_symmetric(linear, 1) and nf.jacobian_symmetric(linear, 2)
    assert not nf.jacobian_symmetric(linear, 3)
    quad = nf.make_row_loss("quadratic", 2, 3, 4, seed=5)
    assert nf.jacobian_symmetric(quad, 1) and not nf.jacobian_symmetric(quad, 2)
    assert nf.jacobian_symmetric(nf.RowLoss("linear", g=np.array([1.0])), 4)  # d = 1: nothing to test


def test_wrong_projection_factor_breaks_the_loop_integral():
    """Breaking the math: F with factor N instead of N−1 at N = 2 is no longer the gradient of ‖W‖⟨g,W⟩."""
    loss = nf.RowLoss("linear", g=np.array([1.0, 0.0]))
    case = nf.LoopCase(2, loss, np.array([0.0, 1.0]), 0.5, 1.0, 0)
    good, _ = nf.certified_loop(case)
    assert not good.excludes_zero
    from flint import acb

    def wrong_field(w, analytic):
        s = w[0] * w[0] + w[1] * w[1]
        along = w[0]
        return [s.pow(acb(0.5), analytic=analytic) * (gi + 2 * along * wi / s) for gi, wi in zip([acb(1), acb(0)], w)]

    pieces = nf.gamma_pieces(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5, 1.0)
    bad, _ = loop_integral(wrong_field, pieces)
    assert bad.excludes_zero


def test_gradient_at_zero_and_hessian():
    loss = nf.RowLoss("lp", x=np.array([[1.0, 0.5], [0.0, -1.0]]), y=np.array([1.0, -0.5]), p=4)
    g0 = loss.gradient_at_zero()
    assert np.allclose(g0, sum((-y) ** 3 * loss.x[:, m] for m, y in enumerate(loss.y)))
    h = loss.hessian_at_zero()
    assert np.allclose(h, 3 * sum(y ** 2 * np.outer(loss.x[:, m], loss.x[:, m]) for m, y in enumerate(loss.y)))
    with pytest.raises(InvalidArgument):
        nf.make_row_loss("cubic", 2, 2, 4, 0)


def test_row_loss_and_loop_case_descriptions_round_trip():
    for kind in nf.LOSS_KINDS:
        loss = nf.make_row_loss(kind, 3, 2, 6, seed=7)
        case = nf.build_case(4, loss, seed=8)
        again = nf.build_loop_case(**json.loads(json.dumps(case.describe())))
        assert again.describe() == case.describe() and np.array_equal(again.f, case.f)
        assert np.array_equal(again.loss.gradient_at_zero(), case.loss.gradient_at_zero())
        assert nf.jacobian_symmetric(again.loss, 2) == nf.jacobian_symmetric(case.loss, 2)
    with pytest.raises(InvalidArgument):
        nf.RowLoss.from_description("cubic", g=[1.0])


def test_theorem_certified_and_controls_refuted_and_replayed():
    """The check (ci) holds and every control is refuted; replaying example 0 reproduces its measurements and
    replaying each control's shrunk counterexample fails again."""
    theorem = registry.get("arora2018.no_function")
    with recorded_property_runs(nf) as runs:
        evidence = theorem.check(ctx(theorem.id))
        results = [control.check(ctx(f"{theorem.id}.{control.id}")) for control in theorem.controls]
    assert evidence.holds is True, evidence.summary
    assert any("enclosure" in m.kind or "enclosures" in m.kind for m in evidence.measurements)
    assert evidence.examples == runs[0].cases
    assert theorem.replay(as_read_back(evidence.examples[0])) == runs[0].examples[0]
    for control, result in zip(theorem.controls, results):
        assert result.holds is False, control.id
        assert "gradient" in result.summary
        with pytest.raises(PropertyFailure) as failure:
            control.replay(as_read_back(result.counterexample["case"]))
        assert failure.value.measured == {"jacobian_symmetric": True}
        assert result.counterexample["message"].startswith(str(failure.value))
