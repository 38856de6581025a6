"""Tests for arora2018.no_function (certified loop integrals at the working precision, the series law,
the exact Jacobian test), its controls, and planted bugs that must turn the check red."""

import json

import numpy as np
import pytest

from theorems import arora2018_no_function as nf
from verify.checking import registry
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure
from verify.errors import InvalidArgument

from replay_helpers import as_read_back, recorded_property_runs


def ctx(check_id: str, seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, check_id)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
def test_linear_loss_closed_form_inside_a_narrow_enclosure(depth):
    loss = nf.RowLoss("linear", g=np.array([0.75, -0.5, 0.25]))
    case = nf.build_case(depth, loss, seed=3)
    total, _ = nf.certified_loop(case)
    expected = nf.closed_form(float(np.linalg.norm(loss.g)), depth, case.r, case.radius)
    assert abs(float(total.mid()) - expected) <= float(total.rad()) + 1e-15 * abs(expected) + 1e-300
    assert (not total.contains(0)) == (depth >= 3)
    if depth >= 3:
        assert float(total.rad()) < 1e-22 * abs(expected)      # built at the working precision, not 53 bits
    assert nf.mpmath_loop(case) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_enclosure_width_needs_the_working_precision(monkeypatch):
    """Planted bug: the exponent (N−1)/N built at 53 bits (as before issue 15.10) widens the enclosure ~1e8-fold."""
    from flint import acb, fmpq

    case = nf.build_case(3, nf.make_row_loss("lp", 3, 3, 4, seed=2), seed=5)
    narrow, _ = nf.certified_loop(case)
    coarse_exponent = acb(fmpq(2, 3))          # a 53-bit ball (2/3 is not dyadic), built outside the integration
    original = nf.acb_field

    def field_53(loss, depth, factor):
        inner = original(loss, depth, factor)

        def field(w, analytic):
            s = sum((wi * wi for wi in w[1:]), w[0] * w[0])
            exact = s.pow(acb(fmpq(depth - 1, depth)), analytic=analytic)
            return [v / exact * s.pow(coarse_exponent, analytic=analytic) for v in inner(w, analytic)]

        return field

    monkeypatch.setattr(nf, "acb_field", field_53)
    wide, _ = nf.certified_loop(case)
    assert float(wide.rad()) > 1e6 * float(narrow.rad())


def test_series_law_proved_and_contained():
    ok, text = nf.sympy_series_law(nf.LAW_DEGREE_CI)
    assert ok and "beta" in text
    for kind, depth in (("quadratic", 3), ("lp", 4), ("lp", 2)):
        case = nf.build_case(depth, nf.make_row_loss(kind, 3, 3, 6, seed=11), seed=12)
        total, _ = nf.certified_loop(case)
        terms = nf.series_terms(case)
        series = sum(list(terms.values())[1:], terms[1])
        with nf.working_precision():
            assert (total - series).contains(0)
        if kind == "quadratic":
            assert set(terms) == {1}                  # φ(t) = L(te) has no odd term beyond t


def test_series_law_fails_for_a_wrong_formula(monkeypatch):
    """Planted bug in the law (β + n → β + n + 1 in the denominator): the enclosure no longer contains it."""
    case = nf.build_case(3, nf.make_row_loss("lp", 3, 2, 4, seed=4), seed=9)
    total, _ = nf.certified_loop(case)
    from flint import arb, fmpq

    with nf.working_precision():
        e, _ = nf.plane(case)
        beta, c = arb(fmpq(4, 3)), arb(2)
        wrong = sum(2 * a * (c * n - beta) / (beta + n + 1) * (arb(case.radius) ** (beta + n) - arb(case.r) ** (beta + n))
                    for n, a in case.loss.line_coefficients(e, arb).items())
        assert not (total - wrong).contains(0)


def test_depth_two_potential_and_exact_jacobian_test():
    assert nf.depth2_linear_potential(2) and nf.depth2_linear_potential(3)
    linear = nf.RowLoss("linear", g=np.array([0.5, -0.25]))
    assert nf.jacobian_symmetric(linear, 1) and nf.jacobian_symmetric(linear, 2)
    assert not nf.jacobian_symmetric(linear, 3)
    assert nf.jacobian_symmetric(linear, 3, "2-2/N") and nf.jacobian_symmetric(linear, 5, "2-2/N")
    quad = nf.make_row_loss("quadratic", 2, 3, 4, seed=5)
    assert nf.jacobian_symmetric(quad, 1) and not nf.jacobian_symmetric(quad, 2)
    assert not nf.jacobian_symmetric(quad, 3, "2-2/N")         # the gradient factor fixes linear losses only


def test_projection_factor_control_is_near_the_boundary():
    """At factor 2 − 2/N the loop integral of a linear loss is 0 (enclosure contains 0); at N − 1 it is not."""
    loss = nf.RowLoss("linear", g=np.array([0.5, 0.25, -0.75]))
    gradient_case = nf.build_case(3, loss, seed=1, factor="2-2/N")
    total, _ = nf.certified_loop(gradient_case)
    assert total.contains(0) and float(total.rad()) < 1e-20
    assert not nf.certified_loop(gradient_case._replace(factor="N-1"))[0].contains(0)
    assert nf.mpmath_loop(gradient_case) == pytest.approx(0.0, abs=1e-12)


def test_leading_term_exponent_is_two():
    point = nf.LeadingPoint(depth=3, p=4, dim=2, samples=3, seed=7, halvings=4)
    sweep = nf.leading_sweep(point)
    fit = nf.exponent_fit(sweep)
    assert fit is not None and fit.band[0] <= nf.LEADING_EXPONENT <= fit.band[1]
    assert fit.band[1] < nf.LEADING_EXPONENT + 0.25 and fit.band[0] > 1.0
    excess = [abs(sum(row["excess"])) for row in sweep["rows"]]
    assert excess[-1] < excess[0] / 20                      # the ratio tends to 1


def test_gradient_at_zero_hessian_and_line_coefficients():
    loss = nf.RowLoss("lp", x=np.array([[1.0, 0.5], [0.0, -1.0]]), y=np.array([1.0, -0.5]), p=4)
    g0 = loss.gradient_at_zero()
    assert np.allclose(g0, sum((-y) ** 3 * loss.x[:, m] for m, y in enumerate(loss.y)))
    h = loss.hessian_at_zero()
    assert np.allclose(h, 3 * sum(y ** 2 * np.outer(loss.x[:, m], loss.x[:, m]) for m, y in enumerate(loss.y)))
    e = np.array([0.6, 0.8])
    coeffs = loss.line_coefficients(e, float)
    t = 1e-3
    phi = lambda s: sum((s * (loss.x[:, m] @ e) - y) ** 4 / 4 for m, y in enumerate(loss.y))
    assert coeffs[1] == pytest.approx((phi(t) - phi(-t)) / (2 * t), rel=1e-5)
    assert coeffs[1] == pytest.approx(g0 @ e)
    with pytest.raises(InvalidArgument):
        nf.make_row_loss("cubic", 2, 2, 4, 0)
    with pytest.raises(InvalidArgument):
        nf.build_case(3, nf.RowLoss("linear", g=np.array([1.0])), seed=0)
    with pytest.raises(InvalidArgument):
        nf.NoGradientClaim(dims=(1, 1))
    with pytest.raises(InvalidArgument):
        nf.NoGradientClaim(factor="N")


def test_row_loss_and_loop_case_descriptions_round_trip():
    for kind in nf.LOSS_KINDS:
        loss = nf.make_row_loss(kind, 3, 2, 6, seed=7)
        case = nf.build_case(4, loss, seed=8, factor="N-1")
        again = nf.build_loop_case(**json.loads(json.dumps(case.describe())))
        assert again.describe() == case.describe() and np.array_equal(again.f, case.f)
        assert np.array_equal(again.loss.gradient_at_zero(), case.loss.gradient_at_zero())
        assert nf.jacobian_symmetric(again.loss, 2) == nf.jacobian_symmetric(case.loss, 2)
    with pytest.raises(InvalidArgument):
        nf.RowLoss.from_description("cubic", g=[1.0])


def test_theorem_certified_and_controls_refuted_and_replayed():
    """The check (ci) holds with every enclosure positive and every control is refuted; replaying example 0
    reproduces its measurements and replaying each control's shrunk counterexample fails again."""
    theorem = registry.get("arora2018.no_function")
    with recorded_property_runs(nf) as runs:
        evidence = theorem.check(ctx(theorem.id))
        results = [control.check(ctx(f"{theorem.id}.{control.id}")) for control in theorem.controls]
    assert evidence.holds is True, evidence.summary
    positive = next(m for m in evidence.measurements if m.name == "certified positive loop integrals")
    assert positive.value == positive.predicted > 0
    exponents = [m for m in evidence.measurements if m.name.startswith("exponent κ")]
    assert exponents and all(m.weakness() is None for m in exponents)
    assert evidence.examples == runs[0].cases
    assert theorem.replay(as_read_back(evidence.examples[0])) == runs[0].examples[0]
    assert {c.id for c in theorem.controls} == {"depth-1", "depth-2-linear", "projection-factor-gradient"}
    for control, result in zip(theorem.controls, results):
        assert result.holds is False, control.id
        assert "gradient" in result.summary
        assert result.counterexample["measured"]["series_inside"]
        with pytest.raises(PropertyFailure) as failure:
            control.replay(as_read_back(result.counterexample["case"]))
        assert failure.value.measured == {"jacobian_symmetric": True}
        assert result.counterexample["message"].startswith(str(failure.value))


def test_planted_wrong_projection_factor_in_the_jacobian_test_is_caught(monkeypatch):
    """Planted bug: the exact test uses c = N (the single_output mutant) — the theorem's cases stay asymmetric, but
    the projection-factor control is no longer refuted (its field is not a gradient with that factor)."""
    monkeypatch.setattr(nf, "projection_factor", lambda factor, depth: (depth, 1))
    nf._jacobian_symmetric.cache_clear()
    try:
        result = nf.check_claim(ctx("arora2018.no_function.projection-factor-gradient"),
                                nf.NoGradientClaim(kinds=("linear",), factor="2-2/N"))
        assert result.holds is not False
    finally:
        nf._jacobian_symmetric.cache_clear()


def test_planted_engine_field_bug_is_caught_by_the_certified_cross_check(monkeypatch):
    """Planted bug in the engine's float64 field (projection factor N instead of N − 1, the catalogue's
    single-output mutant): mpmath of the engine field no longer agrees with the independent acb enclosure."""
    original = nf.single_output_direction
    monkeypatch.setattr(nf, "single_output_direction",
                        lambda w, g, depth, projection_factor=None: original(
                            w, g, depth, projection_factor=depth if projection_factor is None else projection_factor))
    case = nf.build_case(3, nf.make_row_loss("quadratic", 2, 3, 4, seed=5), seed=6)
    with pytest.raises(ArithmeticError, match="mpmath"):
        nf.measure(case, symmetric=False)
