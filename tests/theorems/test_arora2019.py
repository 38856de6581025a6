"""arora2019.balanced_init: building blocks, the check, its controls, and a broken exponent."""

import numpy as np
import pytest

from theorems import arora2019_balanced_init as A
from verify.checking.context import Context
from verify.checking.profiles import get_profile


def ctx(label: str = "t") -> Context:
    return Context(get_profile("ci"), 0, f"arora2019.balanced_init.{label}")


def test_initial_weights_have_margin_and_are_delta_balanced():
    case = A.MarginCase(3, 3, 2, 1.0, 0.5, 5)
    phi = A.target(case)
    w = A.initial_weights(case, phi)
    c = A.margin(phi, np.linalg.multi_dot(w[::-1]))
    assert c > 0.4 * np.linalg.svd(phi, compute_uv=False).min()
    delta = A.balancedness(w)
    assert 0 < delta <= A.delta_bound(c, 3, np.linalg.norm(phi))


def test_step_size_formula():
    assert A.step_size(1.0, 2, 1.0) == pytest.approx(1.0 / (A.ETA_CONSTANT * 8))
    assert A.step_size(0.5, 2, 1.0) == pytest.approx(0.5 ** 3 / (A.ETA_CONSTANT * 8))


def test_run_case_bound_holds_at_theorem_step():
    r = A.run_case((A.MarginCase(2, 3, 1, 1.0, 0.8, 1), A.RateClaim(), 500))
    assert r["holds"] and r["worst_ratio"] <= 1 + A.ROUNDING and r["steps"] == 500


def test_flipped_init_cannot_cross_zero():
    r = A.run_case((A.MarginCase(2, 3, 1, 1.0, 0.5, 1, flip=True), A.RateClaim(flip=True), 10_000))
    phi_sq = np.linalg.norm(A.target(A.MarginCase(2, 3, 1, 1.0, 0.5, 1))) ** 2
    assert r["c"] < 0 and r["losses"].min() >= 0.5 * phi_sq * (1 - 1e-12)
    assert not r["holds"]


def test_check_and_controls():
    assert A.THEOREM.check(ctx()).holds is True
    for control in A.THEOREM.controls:
        assert control.check(ctx(control.id)).holds is False, control.id


def test_wrong_exponent_breaks_the_check():
    assert A.check_claim(ctx("exp"), A.RateClaim(exponent=2.0)).holds is False
