"""verify.checking.mutation: every catalogued mutant applies and is undone exactly, reaches every
reference to its function (also `from ... import` copies), and the probe counts calls."""

import time

import numpy as np
import pytest

from verify.checking import mutation as M
from verify.engine import end_to_end_rule, inits, losses, network
from verify.output.mutation_report import scores


def problem():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    return inits.gaussian((3, 4, 2), rng), losses.QuadraticLoss.from_data(x, y)


def test_the_catalogue_has_at_least_20_mutants_and_each_applies_once():
    assert len(M.CATALOGUE) >= 20
    for m in M.CATALOGUE:
        func = M._resolve(m.target)
        code = func.__code__
        with M.applied(m):
            assert func.__code__ is not code, m.id
        assert func.__code__ is code, m.id


def test_a_mutant_reaches_imported_copies_and_is_undone():
    weights, loss = problem()
    before = network.layer_gradients(weights, loss).layers[0]
    from verify.engine.network import layer_gradients as copy_of_the_name

    with M.applied(M.mutant("grad-layer1-x1.01")):
        mutated = copy_of_the_name(weights, loss).layers[0]
        in_place = [w.copy() for w in weights]
        network.gd_step_in_place(in_place, loss, 0.1)
    np.testing.assert_allclose(mutated, 1.01 * before, rtol=1e-14)
    np.testing.assert_array_equal(network.layer_gradients(weights, loss).layers[0], before)
    expected = [w.copy() for w in weights]
    network.gd_step_in_place(expected, loss, 0.1)
    assert not np.allclose(in_place[0], expected[0], rtol=1e-6)


def test_mutants_of_defaults_and_methods():
    w, g = np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]])
    before = end_to_end_rule.single_output_direction(w, g, 3)
    with M.applied(M.mutant("single-output-factor-n")):
        assert not np.allclose(end_to_end_rule.single_output_direction(w, g, 3), before)
    weights, loss = problem()
    w_e = network.end_to_end(weights)
    base = loss.gradient(w_e)
    with M.applied(M.mutant("loss-gradient-x2")):
        np.testing.assert_allclose(loss.gradient(w_e), 2 * base, rtol=1e-15)
    np.testing.assert_array_equal(loss.gradient(w_e), base)


def test_the_probe_counts_calls_and_restores():
    weights, loss = problem()
    targets = ["verify.engine.network:_chain_factors", "verify.engine.inits:du_hu_alpha"]
    with M.probe(targets) as counts:
        network.gd_step(weights, loss, 0.01)
        network.gd_step(weights, loss, 0.01)
    assert counts == {targets[0]: 2, targets[1]: 0}
    assert network._chain_factors.__code__.co_name == "_chain_factors"


def test_a_stale_snippet_is_a_clear_error():
    stale = M.Mutant("stale", "x", "verify.engine.network:end_to_end", "no such code", "x")
    with pytest.raises(M.InvalidArgument, match="occurs 0 times"):
        with M.applied(stale):
            pass


def test_a_theorem_past_its_time_limit_is_a_timeout_not_a_kill(monkeypatch):
    monkeypatch.setattr(M, "_run_theorem", lambda theorem_id, profile, seed: time.sleep(30) or "survived")
    started = time.perf_counter()
    assert M.run_mutant(None, ["slow"], "ci", 0, limits={"slow": 0.2}) == {"slow": "timeout"}
    assert time.perf_counter() - started < 5
    assert not M.is_kill("timeout", "survived") and not M.is_kill("not run", "survived")


def test_theorems_after_the_first_changed_outcome_are_not_run(monkeypatch):
    mutated = {"a": "falsified", "b": "survived", "c": "falsified", "d": "survived"}
    unmutated = {"a": "falsified", "b": "survived", "c": "survived", "d": "survived"}   # a: an expected failure
    monkeypatch.setattr(M, "_run_theorem", lambda theorem_id, profile, seed: mutated[theorem_id])
    outcome = M.run_mutant(None, list("abcd"), "ci", 0, stop_on_change_from=unmutated)
    assert outcome == {"a": "falsified", "b": "survived", "c": "falsified", "d": "not run"}


def test_the_score_counts_changed_outcomes_only():
    def doc(theorems):
        return {"mutants": [{"id": "m", "executed_by": list(theorems), "theorems": theorems, "tests": "survived"}],
                "baseline": {"t": "falsified", "u": "survived"}}
    assert scores(doc({"t": "falsified", "u": "timeout"}))["killed_by_theorems"] == 0
    assert scores(doc({"t": "survived", "u": "not run"}))["killed_by_theorems"] == 1   # an expected failure now passes
    assert scores(doc({"t": "falsified", "u": "error"}))["killed_by_theorems"] == 1
