"""Provenance: a control that only re-reads its theorem's cached sweep is dependent, not refuted;
one that computes its own sweep (or computes inline) is independent."""

from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.runner import run_check
from verify.checking.spec import ControlVerdict, Evidence


def square(x):
    return x * x


def cube(x):
    return x ** 3


def ctx(check_id):
    return Context(get_profile("ci"), 0, check_id)


def theorem_check(c):
    return Evidence(holds=sum(c.cached_map(square, (1, 2, 3))) == 14, summary="sum of squares")


def relabelling_control(c):
    return Evidence(holds=sum(c.cached_map(square, (1, 2, 3))) == 15, summary="the same sweep, another claim")


def own_sweep_control(c):
    return Evidence(holds=sum(c.cached_map(square, (1, 2, 3))) == sum(c.map(cube, (1, 2, 3))), summary="own sweep")


def inline_control(c):
    return Evidence(holds=False, summary="computed inline")


def test_a_relabelling_control_is_dependent_and_an_own_computation_is_not():
    theorem = run_check(theorem_check, ctx("toy"))
    assert theorem.theorem_verdict().value == "verified" and not theorem.dependent
    relabel = run_check(relabelling_control, ctx("toy[control:relabel]"))
    assert relabel.kind() == "fails" and relabel.dependent
    assert relabel.control_verdict() is ControlVerdict.DEPENDENT
    assert relabel.reads[0]["computed_by"] == "toy"
    own = run_check(own_sweep_control, ctx("toy[control:own]"))
    assert own.control_verdict() is ControlVerdict.REFUTED and not own.dependent
    assert run_check(inline_control, ctx("toy[control:inline]")).control_verdict() is ControlVerdict.REFUTED


def test_a_check_that_raises_is_an_error_for_theorems_and_controls():
    def broken(c):
        raise ZeroDivisionError("planted")

    outcome = run_check(broken, ctx("toy"))
    assert outcome.theorem_verdict().value == "error" and outcome.control_verdict().value == "error"
    assert "ZeroDivisionError: planted" in outcome.error
