"""arora2018.adam_on_top: the numpy Adam against torch.optim.Adam, the memoised ℓ_p loss, the sequential decision,
the check (a documented non-reproduction) and its controls on the ci profile, and planted bugs."""

import math

import numpy as np
import pytest

from theorems import arora2018_adam_on_top as adam
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.engine.network import layer_gradients
from verify.errors import InvalidArgument
from verify.experiments.optim_baselines import NN_EXTRA_SKIP, LpLoss

from extras import needs_nn


def ctx(check_id):
    return Context(get_profile("ci"), 0, check_id)


def small_loss(p=4.0, memo=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 30))
    y = rng.standard_normal((2, 1, 30))
    return (adam.MemoLpLoss if memo else LpLoss)(x, y, p)


def test_memoised_loss_gives_the_same_numbers():
    plain, memo = small_loss(), small_loss(memo=True)
    w = np.random.default_rng(1).standard_normal((4, 2, 1, 3))
    for _ in range(2):                                              # second pass: served from the memo
        np.testing.assert_array_equal(memo.value(w), plain.value(w))
        np.testing.assert_array_equal(memo.gradient(w), plain.gradient(w))
    np.testing.assert_array_equal(memo.gradient(2 * w), plain.gradient(2 * w))


def test_adam_first_step_is_a_signed_step_of_size_eta():
    """At t = 1, m̂ = g and v̂ = g², so every coordinate moves by η·g/(|g| + ε) ≈ η·sign(g)."""
    loss = small_loss()
    etas = np.array([0.1, 0.01])
    w = [np.full((2, 2, 1, 3), 0.3)]
    before = w[0].copy()
    grads = layer_gradients(w, loss)
    adam.adam_update(etas)(w, grads)
    g = grads.layers[0]
    np.testing.assert_allclose(before - w[0], etas[:, None, None, None] * g / (np.abs(g) + adam.ADAM_EPS), rtol=1e-12)
    with pytest.raises(InvalidArgument):
        adam.adam_update(np.array([0.1, -1.0]))


@needs_nn
def test_numpy_adam_matches_torch_adam():
    assert adam.torch_gap(0) <= adam.TORCH_CHECK_TOL


@needs_nn
def test_planted_adam_bug_is_caught_by_the_torch_check(monkeypatch):
    """A wrong second-moment decay (β₂ = 0.99 instead of torch's 0.999) differs from torch far beyond rounding."""
    monkeypatch.setattr(adam.adam_update, "__defaults__", ((0.9, 0.99), adam.ADAM_EPS))
    assert adam.torch_gap(0) > 1e3 * adam.TORCH_CHECK_TOL


def test_paired_effect_leaves_out_censored_seeds():
    fast = {"iterations": [100.0, 50.0, 80.0], "reached": [True, True, False], "edge": [False, True, False]}
    slow = {"iterations": [200.0, 100.0, 4000.0], "reached": [True, True, True], "edge": [False, False, False]}
    values, bad = adam.paired_effect(fast, slow)
    np.testing.assert_allclose(values, [math.log10(2.0)])
    assert bad == 2


def test_decide_is_three_valued_with_bonferroni_looks():
    rng = np.random.default_rng(0)
    assert adam.decide(0.4 + 0.05 * rng.standard_normal(20), 3)[0] is True
    assert adam.decide(-0.1 + 0.05 * rng.standard_normal(20), 3)[0] is False
    assert adam.decide(adam.LOG_MIN + 0.2 * rng.standard_normal(6), 3)[0] is None
    wide = adam.decide(np.array([0.0, 0.3, 0.1]), 3)[2]
    narrow = adam.decide(np.array([0.0, 0.3, 0.1]), 1)[2]
    assert wide[1] - wide[0] > narrow[1] - narrow[0]                 # more looks, wider per-look intervals


def test_missing_nn_extra_is_a_clean_skip(monkeypatch):
    monkeypatch.setattr(adam, "nn_extra_missing", lambda *modules: True)
    evidence = adam.check_claim(ctx("skip"), adam.CLAIM, theorem=True)
    assert evidence.holds is None and evidence.summary == NN_EXTRA_SKIP and evidence.skipped


@needs_nn
def test_check_is_a_documented_non_reproduction_and_controls_are_refuted():
    theorem = adam.THEOREM
    assert theorem.expected_failure
    evidence = theorem.check(ctx(theorem.id))
    assert evidence.holds is False, evidence.summary
    depth3 = next(m for m in evidence.measurements if "adam-depth3" in m.name)
    assert depth3.interval[1] < adam.LOG_MIN                        # refuted by its CI, not by a crash
    for control in theorem.controls:
        result = control.check(ctx(f"{theorem.id}.{control.id}"))
        assert result.holds is False, (control.id, result.summary)


@needs_nn
def test_a_planted_speedup_would_be_verified(monkeypatch):
    """The check is not stuck on 'falsified': doubling the depth-1 iteration counts (a planted 2× effect) verifies
    both comparisons — so the measured verdict comes from the data."""
    true_effect = adam.paired_effect

    def doubled(fast, slow):
        values, unresolved = true_effect(fast, slow)
        return values + math.log10(2.0), unresolved

    monkeypatch.setattr(adam, "paired_effect", doubled)
    evidence = adam.check_claim(ctx("planted"), adam.CLAIM, theorem=True)
    assert evidence.holds is True, evidence.summary
