"""verify.checking.stats_oracle: the intervals a check computes are recomputed independently; the
real routines agree with the oracle on generated data, and each CI-halving mutant turns a check
that uses the halved routine into an error (red without the oracle: the verdict stays 'verified')."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.checking import mutation, stats
from verify.checking.context import Context
from verify.checking.profiles import get_profile
from verify.checking.runner import run_check
from verify.checking.spec import Evidence
from verify.checking.stats_oracle import audit

finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=30), st.sampled_from([0.9, 0.95, 0.99]))
def test_linear_fit_agrees_with_the_oracle(points, level):
    x, y = map(np.array, zip(*points))
    if np.ptp(x) < 1e-3 * max(1.0, np.abs(x).max()):   # (nearly) equal x: no slope to fit
        return
    with stats.recording() as records:
        stats.linear_fit(x, y, level)
    assert audit(records) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.sampled_from([0.9, 0.95]))
def test_clopper_pearson_agrees_with_the_oracle(counts, level):
    with stats.recording() as records:
        stats.clopper_pearson(*counts, level)
    assert audit(records) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.sampled_from([0.9, 0.95, 0.99]))
def test_mean_ci_agrees_with_the_oracle(values, level):
    with stats.recording() as records:
        stats.mean_ci(values, level)
    assert audit(records) == []


def test_only_a_sample_is_kept_and_nothing_outside_a_recording():
    stats.mean_ci([1.0, 2.0, 4.0])                        # no recording open: nothing kept, nothing fails
    with stats.recording() as records:
        for k in range(20):
            stats.clopper_pearson(k, 20)
    assert len(records["clopper_pearson"]) == stats.SAMPLE_PER_FUNCTION


def uses_every_interval(ctx):
    rng = np.random.default_rng(0)
    x = np.arange(10.0)
    fit = stats.linear_fit(x, 2 * x + rng.standard_normal(10))
    _, mean_interval = stats.mean_ci(rng.standard_normal(12) + 5)
    low, _ = stats.clopper_pearson(19, 20)
    return Evidence(holds=fit.contains(2.0) and mean_interval[0] > 0 and low > 0.5, summary="toy statistical check")


def test_the_unmutated_check_is_verified():
    outcome = run_check(uses_every_interval, Context(get_profile("ci"), 0, "toy.stats"))
    assert outcome.error is None and outcome.theorem_verdict().value == "verified"


@pytest.mark.parametrize("mutant_id", ["linear-fit-ci-halved", "clopper-pearson-halved", "mean-ci-halved"])
def test_a_halved_interval_is_an_error_of_the_check_that_used_it(mutant_id):
    with mutation.applied(mutation.mutant(mutant_id)):
        outcome = run_check(uses_every_interval, Context(get_profile("ci"), 0, "toy.stats"))
    assert outcome.theorem_verdict().value == "error"
    assert "statistics oracle" in outcome.error


def test_fits_over_many_points_are_not_copied_into_the_sample():
    x = np.arange(stats.SAMPLE_MAX_POINTS + 1.0)
    with stats.recording() as records:
        stats.linear_fit(x, 2 * x)
        stats.linear_fit(x[:10], 2 * x[:10])
    assert len(records["linear_fit"]) == 1 and records["linear_fit"][0][0][0].size == 10
