"""Tests for the arora2018 balancedness / end_to_end / preconditioner / single_output checks and for
verify.engine.factor_rule (the end-to-end update computed from the factors, their independent side)."""

import functools
import math
import sys

import numpy as np
import pytest

from theorems import arora2018_balancedness as bal
from theorems import arora2018_end_to_end as e2e
from theorems import arora2018_preconditioner as pre
from theorems import arora2018_single_output as single
from verify.checking import registry
from verify.checking.context import Context
from verify.checking.mutation import applied, mutant
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure, PropertyRun
from verify.checking.spec import Evidence
from verify.engine.end_to_end_rule import end_to_end_direction, preconditioner, vec
from verify.engine.factor_rule import balanced_factors, factor_preconditioner, factor_products, factor_rule
from verify.engine.inits import balanced
from verify.engine.losses import QuadraticLoss
from verify.engine.network import balancedness_defects, end_to_end, gd_step
from verify.errors import InvalidArgument

from replay_helpers import as_read_back, recorded_property_runs

THEOREMS = ("arora2018.balancedness", "arora2018.end_to_end", "arora2018.preconditioner", "arora2018.single_output")


def ctx(check_id: str, seed: int = 0) -> Context:
    return Context(get_profile("ci"), seed, check_id)


@functools.cache
def checked(theorem_id: str, control_id: str | None = None) -> tuple[Evidence, PropertyRun]:
    """The ci-profile evidence of a check and the PropertyRun its run_property call returned (run once)."""
    theorem = registry.get(theorem_id)
    target = theorem if control_id is None else theorem.control(control_id)
    with recorded_property_runs(sys.modules[target.check.__module__]) as runs:
        evidence = target.check(ctx(theorem_id if control_id is None else f"{theorem_id}.{control_id}"))
    return evidence, runs[0]


def all_checks():
    return [(t, None) for t in THEOREMS] + [(t, c.id) for t in THEOREMS for c in registry.get(t).controls]


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------- verify.engine.factor_rule

def random_svd(rng, k, d, rank):
    u = np.linalg.qr(rng.standard_normal((k, k)))[0]
    v = np.linalg.qr(rng.standard_normal((d, d)))[0]
    return u, rng.uniform(0.2, 3.0, rank), v


@pytest.mark.parametrize("k, d, rank, depth", [(3, 4, 2, 3), (2, 2, 2, 1), (4, 1, 1, 5), (2, 3, 0, 3), (4, 4, 2, 5)])
def test_balanced_factors_multiply_to_w_and_are_balanced(rng, k, d, rank, depth):
    u, sigma, v = random_svd(rng, k, d, rank)
    factors = balanced_factors(u, sigma, v, [rank + 1] * (depth - 1), rng)
    assert np.allclose(end_to_end(factors), (u[:, :rank] * sigma) @ v[:, :rank].T, atol=1e-13)
    assert all(np.allclose(defect, 0.0, atol=1e-13) for defect in balancedness_defects(factors))


@pytest.mark.parametrize("k, d, rank, depth", [(3, 4, 2, 3), (2, 2, 2, 1), (4, 1, 1, 5), (4, 4, 2, 5)])
def test_factor_preconditioner_equals_the_kronecker_formula_and_the_rule(rng, k, d, rank, depth):
    u, sigma, v = random_svd(rng, k, d, rank)
    w = (u[:, :rank] * sigma) @ v[:, :rank].T
    factors = balanced_factors(u, sigma, v, [rank + 1] * (depth - 1), rng)
    p = factor_preconditioner(factors)
    g = rng.standard_normal((k, d))
    assert np.allclose(p, preconditioner(w, depth), atol=1e-12 * np.abs(p).max())
    assert np.allclose(p @ vec(g), vec(factor_rule(factors, g)), atol=1e-12)
    assert np.allclose(factor_rule(factors, g), end_to_end_direction(w, g, depth), atol=1e-11)


def test_factor_rule_is_the_first_order_change_of_a_gd_step(rng):
    """ACH18 §4: W_e(η) = W_e − η·factor_rule + O(η²) for GD on any factors (here unbalanced)."""
    x, y = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))
    loss = QuadraticLoss.from_data(x, y)
    weights = [rng.standard_normal(s) for s in ((4, 3), (3, 4), (2, 3))]
    rule = factor_rule(weights, loss.gradient(end_to_end(weights)))
    errors = [np.linalg.norm(end_to_end(gd_step(weights, loss, eta)) - end_to_end(weights) + eta * rule)
              for eta in (1e-5, 1e-6)]
    assert errors[0] / errors[1] == pytest.approx(100.0, rel=0.05)


def test_factor_products_are_suffixes_and_prefixes(rng):
    weights = [rng.standard_normal(s) for s in ((4, 3), (5, 4), (2, 5))]
    lefts, rights = factor_products(weights)
    assert np.allclose(lefts[0], weights[2] @ weights[1]) and np.allclose(lefts[2], np.eye(2))
    assert np.allclose(rights[0], np.eye(3)) and np.allclose(rights[2], weights[1] @ weights[0])


@pytest.mark.parametrize("call", [
    lambda: factor_rule([], np.zeros((1, 1))),
    lambda: factor_rule([np.zeros((2, 3)), np.zeros((2, 3))], np.zeros((2, 3))),
    lambda: factor_rule([np.zeros((2, 3))], np.zeros((3, 2))),
    lambda: factor_preconditioner([np.zeros(3)]),
    lambda: balanced_factors(np.eye(2), np.array([1.0, -1.0]), np.eye(2), [2]),
    lambda: balanced_factors(np.eye(2), np.array([1.0, 1.0]), np.eye(2), [1]),
])
def test_factor_rule_rejects_bad_input(call):
    with pytest.raises(InvalidArgument):
        call()


# ---------------------------------------------------------------- the checks' building blocks

def test_wrong_rule_exponents_break_the_one_step_slope(rng):
    x, y = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    loss = QuadraticLoss.from_data(x, y)
    weights = balanced((2, 3, 2), rng.standard_normal((2, 2)), rng)
    etas = np.logspace(-3, -5, 5)
    slopes = {}
    for name, rule in e2e.RULES.items():
        errors, _ = e2e.step_errors(weights, loss, etas, rule)
        slopes[name] = np.polyfit(np.log(etas), np.log(errors), 1)[0]
    assert slopes["paper"] == pytest.approx(2.0, abs=0.05)
    assert slopes["left j/N"] == pytest.approx(1.0, abs=0.05)
    assert slopes["right (N-j+1)/N"] == pytest.approx(1.0, abs=0.05)


def test_unbalance_moves_every_layer_by_delta_and_breaks_balance(rng):
    weights = balanced((2, 3, 3, 2), rng.standard_normal((2, 2)), rng)
    moved = e2e.unbalance(weights, 1e-3, seed=7)
    for w, m in zip(weights, moved):
        assert np.linalg.norm(m - w) == pytest.approx(1e-3 * np.linalg.norm(w))
    assert max(np.linalg.norm(d) for d in balancedness_defects(moved)) > 1e-5
    assert e2e.unbalance(weights, 0.0, seed=7) == weights


def test_symbolic_building_blocks():
    assert pre.symbolic_eigen_identity(2, 3, 2, 3, pre.EigenClaim())
    assert not pre.symbolic_eigen_identity(2, 3, 2, 3, pre.EigenClaim(relative_scale=pre.NEAR_SCALE))
    assert pre.symbolic_eigen_identity(3, 2, 1, 2, pre.EigenClaim())      # zero singular values, k ≠ d
    u = pre.rational_rotation(3, 1)
    assert u.T * u == pre.sp.eye(3) and u != pre.sp.eye(3)
    assert all(single.symbolic_identity(2, 3, single.FormClaim()).values())
    assert not single.symbolic_identity(2, 3, single.FormClaim(extra=1))["rule = claimed form"]
    assert not single.symbolic_identity(2, 3, single.FormClaim(exponent_scale=1.1))["rule = claimed form"]
    assert all(bal.symbolic_conservation((2, 3, 2)).values())
    assert not any(bal.symbolic_conservation((2, 3, 2), decay=True).values())
    assert not any(bal.symbolic_conservation((2, 3, 2), pre.sp.Rational(11, 10)).values())


def test_scalar_band_solves_the_quadratic():
    r, p = np.array([1.0, 0.0]), np.array([1.0, 0.0])
    low, high = single.scalar_band(r, p, 0.5)
    assert (low, high) == pytest.approx((0.5, 1.5))
    assert single.scalar_band(np.array([0.0, 1.0]), p, 0.5) is None          # the orthogonal part is too big
    assert single.scalar_band(r, np.zeros(2), 2.0) == (-math.inf, math.inf)   # no direction: any claim
    assert single.intersect([(0.0, 2.0), (1.0, 3.0)]) == (1.0, 2.0)
    assert single.intersect([(0.0, 1.0), (2.0, 3.0)]) is None
    # ‖w‖² = e: μ = e^{(e−1)(1−1/N)}; μ ∈ [1, e^{1/2}] at N = 2 ⇒ e ∈ [1, 2]
    assert single.exponent_band((0.0, math.e ** 0.5 - 1.0), math.e, 2) == pytest.approx((1.0, 2.0))


def test_decay_rate_puts_the_crossover_where_asked():
    """The near-boundary control's first-order drift (weight decay) equals plain GD's at η = c·η_0."""
    case = bal.build_network_case((2, 3, 2), "gaussian", 5, {"d_in": 2, "d_out": 2, "n": 6, "seed": 3})
    loss = QuadraticLoss.from_data(case.data.x, case.data.y)
    eta0 = bal.base_step(case, loss)
    crossover = 1e-2
    decay = bal.decay_rate(case, eta0, crossover)
    eta = crossover * eta0
    plain, _ = bal.defect_change(case, eta, bal.STEPS, bal.HIGH_PRECISION, bal.DriftClaim())
    tiny = 1e-4 * eta   # where the first-order part dominates: drift ≈ decay part alone
    decayed, _ = bal.defect_change(case, tiny, bal.STEPS, bal.HIGH_PRECISION, bal.DriftClaim(), decay)
    assert decayed * (eta / tiny) == pytest.approx(plain, rel=0.3)


# ---------------------------------------------------------------- verdicts, bands, controls

@pytest.mark.parametrize("theorem_id", THEOREMS)
def test_theorem_holds_with_a_band_that_excludes_what_it_rules_out(theorem_id):
    evidence, _ = checked(theorem_id)
    assert evidence.holds is True, evidence.summary
    gated = [m for m in evidence.measurements if m.is_claim]
    assert gated and all(m.ruled_out is not None for m in gated), [m.name for m in gated]
    assert all(m.weakness() is None for m in gated), [m.weakness() for m in gated]
    assert evidence.unresolved == 0 or evidence.unresolved < len(evidence.examples)


@pytest.mark.parametrize("theorem_id, control_id", [c for c in all_checks() if c[1] is not None])
def test_every_control_is_refuted_by_its_numeric_property(theorem_id, control_id):
    """Refuted by a generated counterexample, not only by sympy: the numeric check itself can fail."""
    evidence, run = checked(theorem_id, control_id)
    assert evidence.holds is False, evidence.summary
    assert run.failure is not None and evidence.counterexample == run.failure


def test_broken_layer_control_is_seen_by_the_drift_exponent():
    evidence, _ = checked("arora2018.balancedness", "broken-layer-gradient")
    assert evidence.counterexample["measured"]["slope"] == pytest.approx(1.0, abs=0.1)


def test_near_boundary_controls_are_near_the_boundary():
    """The δ-balanced and weight-decay controls fail by a first-order term comparable to the second-order
    one (fitted exponents between the claims 1 and 2), not by a far break."""
    for theorem_id, control_id in (("arora2018.end_to_end", "delta-balanced-init"),
                                   ("arora2018.balancedness", "weight-decay-one-layer")):
        slope = checked(theorem_id, control_id)[0].counterexample["measured"]["slope"]
        assert 1.3 < slope < 2.3 and abs(slope - 2.0) > 0.1, (control_id, slope)


def test_end_to_end_oracle_agrees_with_the_engine():
    _, run = checked("arora2018.end_to_end")
    assert max(e["oracle_gap"] for e in run.examples) < 1e-12


# ---------------------------------------------------------------- no silent passes

def test_unresolved_examples_are_counted_and_decide_nothing(monkeypatch):
    monkeypatch.setattr(e2e, "RESOLUTION", 1e300)      # no error counts as resolved
    evidence = e2e.check_claim(ctx("arora2018.end_to_end.unresolved"), e2e.RuleClaim())
    assert evidence.holds is None and evidence.unresolved == len(evidence.examples) > 0
    monkeypatch.setattr(bal, "RESOLVED_RATIO", 1e300)
    evidence = bal.check_claim(ctx("arora2018.balancedness.unresolved"), bal.DriftClaim())
    assert evidence.holds is None and evidence.unresolved == len(evidence.examples) > 0


# ---------------------------------------------------------------- planted bugs (verify.checking.mutation)

@pytest.mark.parametrize("mutant_id, theorem_id", [
    ("power-exponents-x1.3", "arora2018.preconditioner"),     # passed at 6e-16 before issue 15.1
    ("power-exponents-x1.3", "arora2018.single_output"),
    ("single-output-factor-n", "arora2018.single_output"),
    ("loss-gradient-x2", "arora2018.end_to_end"),             # both sides used the doubled gradient
    ("e2e-exponent-shifted", "arora2018.end_to_end"),
    ("grad-layer1-x1.01", "arora2018.balancedness"),
    ("grad-layer1-x1.01", "arora2018.end_to_end"),
])
def test_planted_bug_falsifies_the_theorem(mutant_id, theorem_id):
    with applied(mutant(mutant_id)):
        evidence = registry.get(theorem_id).check(ctx(f"{theorem_id}.{mutant_id}"))
    assert evidence.holds is False, (mutant_id, evidence.summary)


def test_doubled_loss_gradient_is_caught_by_the_oracle():
    with applied(mutant("loss-gradient-x2")):
        evidence = e2e.check_claim(ctx("arora2018.end_to_end.oracle"), e2e.RuleClaim())
    assert "oracle" in evidence.counterexample["message"]


# ---------------------------------------------------------------- replay

@pytest.mark.parametrize("theorem_id, control_id", [("arora2018.end_to_end", "left-exponent-j-over-n"),
                                                    ("arora2018.preconditioner", "exponents-10pct-off"),
                                                    ("arora2018.single_output", "two-outputs"),
                                                    ("arora2018.balancedness", "weight-decay-one-layer")])
def test_replay_reproduces_an_example_and_the_counterexample(theorem_id, control_id):
    theorem = registry.get(theorem_id)
    evidence, run = checked(theorem_id)
    assert evidence.examples == run.cases and len(run.cases) == len(run.examples) > 0
    assert theorem.replay(as_read_back(evidence.examples[0])) == run.examples[0]
    refuted, _ = checked(theorem_id, control_id)
    with pytest.raises(PropertyFailure) as failure:
        theorem.control(control_id).replay(as_read_back(refuted.counterexample["case"]))
    assert str(failure.value) == refuted.counterexample["message"]


def test_bad_case_descriptions_are_rejected():
    with pytest.raises(InvalidArgument):
        pre.build_matrix_case(2, 2, 3, 2, [2], 0)
    with pytest.raises(InvalidArgument):
        single.build_row_case(1, 2, 3, [1], False, 1.0, 0)
