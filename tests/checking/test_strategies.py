"""Strategies generate only objects meeting their promises, and reject bad arguments up front."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from verify.checking import strategies as S
from verify.engine.network import balancedness_defects, layer_dims


@given(S.datasets(d_in=st.integers(1, 6), d_out=st.integers(1, 3), n=st.integers(1, 12), max_gram_cond=50.0))
def test_datasets_have_the_promised_rank_and_condition_number(data):
    sv = np.linalg.svd(data.x, compute_uv=False)
    assert int(np.sum(sv > 1e-10 * sv[0])) == data.rank
    assert (sv[0] / sv[data.rank - 1]) ** 2 == pytest.approx(data.gram_cond, rel=1e-8)
    assert 1.0 <= data.gram_cond <= 50.0
    np.testing.assert_allclose(data.y, data.w_star @ data.x, atol=1e-12)


@given(S.network_cases(init=list(S.INIT_KINDS)))
def test_network_cases_meet_their_hypotheses(case):
    dims = layer_dims(case.weights)
    assert dims == case.dims
    assert (case.data.x.shape[0], case.data.y.shape[0]) == (dims[0], dims[-1])
    if case.init == "balanced":
        assert min(dims[1:-1], default=dims[0]) >= min(dims[0], dims[-1])
        assert all(np.max(np.abs(d)) < 1e-10 for d in balancedness_defects(case.weights))


@settings(max_examples=10)
@given(S.network_cases(init=["gaussian", "balanced"]))
def test_cases_rebuild_exactly_from_their_description(case):
    again = S.build_network_case(**{k: v for k, v in case.describe().items()})
    for a, b in zip(case.weights, again.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(case.data.x, again.data.x)


@given(S.layer_dims(depth=S.depths(min_depth=2, max_depth=5), d_in=3, d_out=2, min_width=2, max_width=4))
def test_layer_dims_respect_bounds(dims):
    assert dims[0] == 3 and dims[-1] == 2 and 3 <= len(dims) <= 6
    assert all(2 <= w <= 4 for w in dims[1:-1])


@given(S.step_sizes(low=1e-4, high=1e-1))
def test_step_sizes_in_range(eta):
    assert 1e-4 <= eta <= 1e-1


@pytest.mark.parametrize("make, match", [
    (lambda: S.depths(min_depth=5, max_depth=2), "min_depth"),
    (lambda: S.depths(min_depth=0), "min_depth"),
    (lambda: S.step_sizes(low=-1.0, high=1.0), "low"),
    (lambda: S.step_sizes(low=1.0, high=0.5), "larger"),
    (lambda: S.layer_dims(depth=2, d_in=1, d_out=1, min_width=9, max_width=3), "min_width"),
    (lambda: S.datasets(d_in=2, d_out=1, max_gram_cond=0.5), "max_gram_cond"),
    (lambda: S.network_cases(init="xavier"), "init"),
    (lambda: S.make_dataset(3, 1, 5, rank=4), "rank"),
    (lambda: S.make_dataset(3, 1, 5, gram_cond=float("nan")), "gram_cond"),
])
def test_bad_arguments_raise_invalid_argument_naming_the_value(make, match):
    with pytest.raises(InvalidArgument, match=match):
        make()
