"""du_hu2019.width and du_hu2019.narrow_vs_wide: building blocks, the checks and broken math."""

import json

import numpy as np
import pytest

from theorems import du_hu2019_narrow_vs_wide as nvw
from theorems import du_hu2019_width as width
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.property import PropertyFailure
from verify.checking.strategies import make_dataset
from verify.engine.inits import gaussian
from verify.engine.losses import QuadraticLoss
from verify.engine.network import layer_gradients
from verify.engine.scalar_chains import ChainLoss, chain_gradients

from replay_helpers import as_read_back, recorded_property_runs


def ctx(check_id):
    return Context(get_profile("ci"), 0, check_id)


def test_theorem_width_formula():
    data = make_dataset(3, 1, 6, rank=3, gram_cond=2.0, seed=0)
    w_norm2 = np.linalg.norm(data.y @ np.linalg.pinv(data.x), 2) ** 2
    factor = max(3 * 8 * (1 + w_norm2), 3 * 8 * np.log(3 / width.DELTA), np.log(4))
    assert width.width_factor(data, 4) == pytest.approx(factor)
    assert width.theorem_width(data, 4, c=0.5) == int(np.ceil(0.5 * 4 * factor))


def test_gram_spectrum_recovers_condition_number():
    data = make_dataset(4, 2, 9, rank=3, gram_cond=5.0, seed=1)
    lam_max, lam_r = width.gram_spectrum(data)
    assert lam_max / lam_r == pytest.approx(5.0)


def test_wide_nets_obey_the_bound_and_narrow_ones_do_not():
    data = make_dataset(3, 1, 6, rank=3, gram_cond=2.0, seed=2)
    wide = width.rate_bound_holds(data, 3, 64, 20, seed=0)
    narrow = width.rate_bound_holds(data, 6, 1, 20, seed=0)
    assert wide["holds"] == 20 and narrow["holds"] < 10


def test_too_large_step_is_detected_as_divergence():
    data = make_dataset(3, 1, 6, rank=3, gram_cond=2.0, seed=3)
    r = width.rate_bound_holds(data, 3, 16, 20, seed=0, eta_factor=4.0)
    assert r["diverged"] > 0 and r["holds"] == 0


def test_binomial_test():
    assert width.binomial_rejects(40, 40) == 1.0
    assert width.binomial_rejects(30, 40) < width.TEST_LEVEL
    assert width.binomial_rejects(38, 40) > width.TEST_LEVEL


def test_breaking_the_rate_fails_the_bound():
    """A rate 8× the theorem's, (1 − 4ηLλ_r/d_y)^t, is violated at a wide width."""
    data = make_dataset(3, 1, 6, rank=3, gram_cond=3.0, seed=4)
    honest = width.rate_bound_holds(data, 2, 64, 20, seed=0)
    broken = width.rate_bound_holds(data, 2, 64, 20, seed=0, rate_scale=8.0)
    assert honest["holds"] == 20 and broken["holds"] < 20


def test_width_case_description_round_trips():
    case = width.WidthCase(make_dataset(2, 1, 5, rank=2, gram_cond=1.3, seed=6), 3, 20)
    again = width.build_width_case(**json.loads(json.dumps(case.describe())))
    assert again.describe() == case.describe() and again.depth == 3 and again.seeds == 20
    assert np.array_equal(again.data.x, case.data.x) and np.array_equal(again.data.y, case.data.y)


def test_width_check_and_controls_and_replay():
    """The check (ci) holds and its controls are refuted; replaying example 0 reproduces its measurements and
    replaying each control's shrunk counterexample fails again with the same numbers."""
    theorem = width.THEOREM
    with recorded_property_runs(width) as runs:
        evidence = theorem.check(ctx(theorem.id))
        results = [control.check(ctx(f"{theorem.id}.{control.id}")) for control in theorem.controls]
    assert evidence.holds is True
    exponent = next(m for m in evidence.measurements if m.name.startswith("exponent of m*"))
    assert exponent.interval[0] <= 1.0 <= exponent.interval[1]
    assert evidence.examples == runs[0].cases
    assert theorem.replay(as_read_back(evidence.examples[0])) == runs[0].examples[0]
    for control, result in zip(theorem.controls, results):
        assert result.holds is False, control.id
        with pytest.raises(PropertyFailure) as failure:
            control.replay(as_read_back(result.counterexample["case"]))
        assert failure.value.measured == result.counterexample["measured"]


def test_width_one_network_is_a_scalar_chain():
    x = make_dataset(1, 1, 4, seed=5).x
    y = 1.0 * x
    weights = gaussian((1, 1, 1, 1, 1), np.random.default_rng(0))
    engine = layer_gradients(weights, QuadraticLoss.from_data(x, y)).layers
    chain, _ = chain_gradients(np.array([[w[0, 0] for w in weights]]), ChainLoss.regression(x, y))
    np.testing.assert_allclose(chain[0], [g[0, 0] for g in engine], rtol=1e-12)


def test_narrow_vs_wide_check_and_controls():
    c = ctx("du_hu2019.narrow_vs_wide")
    evidence = nvw.check_claim(c, nvw.GrowthClaim())
    assert evidence.holds is True
    assert nvw.check_claim(c, nvw.GrowthClaim(narrow="polynomial")).holds is False
    assert nvw.check_claim(c, nvw.GrowthClaim(wide="exponential")).holds is False
