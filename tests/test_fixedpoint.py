"""Fixed-point multi-limb arithmetic (verify.fixedpoint) against exact Python-integer arithmetic."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from verify.backends import ArbBackend, FixedPointBackend, backend_named
from verify.errors import DataError, InvalidArgument
from verify.fixedpoint import LIMB_BITS, MAX_INNER, FixedMatrix, limbs_for_digits
from verify.losses import LinearLoss, QuadraticLoss
from verify.network import gd_step, to_backend

K = limbs_for_digits(50)
F = LIMB_BITS * (K - 1)
ENTRY = st.integers(-(2 ** (F + 4)), 2 ** (F + 4))      # |value| < 16, full-length fractions


def int_matrices(rows, cols):
    return st.lists(st.lists(ENTRY, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def product_operands(draw):
    r, n, c = (draw(st.integers(1, 6)) for _ in range(3))
    return draw(int_matrices(r, n)), draw(int_matrices(n, c))


def test_fifty_digits_need_nine_limbs_of_176_fractional_bits():
    assert (K, F) == (9, 176)
    assert F >= 50 * np.log2(10) + 8


@given(int_matrices(3, 4))
def test_scaled_integers_round_trip_exactly(a):
    assert FixedMatrix.from_scaled_integers(a, K).scaled_integers() == a


@given(product_operands())
def test_product_is_within_its_stated_bound_of_the_exact_product(operands):
    a, b = operands
    n = len(b)
    got = (FixedMatrix.from_scaled_integers(a, K) @ FixedMatrix.from_scaled_integers(b, K)).scaled_integers()
    for i, row in enumerate(a):
        for j in range(len(b[0])):
            exact = Fraction(sum(row[k] * b[k][j] for k in range(n)), 2 ** F)   # in units of 2^-F
            assert abs(got[i][j] - exact) <= K * n / 4 + 1


@given(int_matrices(2, 3), int_matrices(2, 3))
def test_sums_and_differences_are_exact(a, b):
    fa, fb = FixedMatrix.from_scaled_integers(a, K), FixedMatrix.from_scaled_integers(b, K)
    assert (fa + fb).scaled_integers() == [[x + y for x, y in zip(r, s)] for r, s in zip(a, b)]
    assert (fa - fb).scaled_integers() == [[x - y for x, y in zip(r, s)] for r, s in zip(a, b)]


@given(int_matrices(2, 3), st.floats(-100, 100, allow_nan=False))
def test_scalar_product_rounds_once(a, s):
    got = (s * FixedMatrix.from_scaled_integers(a, K)).scaled_integers()
    for row, out in zip(a, got):
        for x, y in zip(row, out):
            assert abs(y - Fraction(s) * x) <= K / 4 + 1


@given(int_matrices(3, 2), int_matrices(3, 2))
def test_inner_product_is_the_rounded_exact_sum(a, b):
    got = FixedMatrix.from_scaled_integers(a, K).inner(FixedMatrix.from_scaled_integers(b, K)).scaled_integers()
    exact = Fraction(sum(x * y for r, s in zip(a, b) for x, y in zip(r, s)), 2 ** F)
    assert abs(got[0][0] - exact) <= K / 4 + 1


def test_floats_convert_exactly_and_back():
    x = np.array([[0.1, -1.5, 3.0000001], [2.0 ** -60, -(2.0 ** 20), 0.0]])
    fx = FixedMatrix.from_float(x, K)
    assert [Fraction(v, 2 ** F) for v in fx.scaled_integers()[0]] == [Fraction(v) for v in x[0]]
    np.testing.assert_array_equal(fx.to_numpy(), x)


@pytest.mark.parametrize("bad, match", [(np.nan, "non-finite"), (np.inf, "non-finite"), (2.0 ** 21, "overflow")])
def test_unrepresentable_floats_are_rejected(bad, match):
    with pytest.raises(DataError, match=match):
        FixedMatrix.from_float(np.array([[1.0, bad]]), K)


def test_overflow_in_a_product_is_an_error_not_a_wrong_number():
    big = FixedMatrix.from_float(np.full((2, 2), 2000.0), K)
    with pytest.raises(DataError, match="overflow"):
        big @ big


def test_operands_must_agree_in_shape_and_precision():
    a = FixedMatrix.from_float(np.ones((2, 3)), K)
    with pytest.raises(InvalidArgument, match="cannot multiply"):
        a @ a
    with pytest.raises(InvalidArgument, match="limbs"):
        a + FixedMatrix.from_float(np.ones((2, 3)), K + 1)
    with pytest.raises(InvalidArgument, match=f"> {MAX_INNER}"):
        FixedMatrix.from_float(np.ones((1, MAX_INNER + 1)), K) @ FixedMatrix.from_float(np.ones((MAX_INNER + 1, 1)), K)


def test_backend_is_reachable_by_name():
    assert backend_named("fixed", 40) == FixedPointBackend(40)


def test_gd_trajectory_agrees_with_arb_to_fifty_digits():
    rng = np.random.default_rng(11)
    weights = [np.eye(4) + 0.2 * rng.standard_normal((4, 4)) for _ in range(4)]
    x, y = rng.standard_normal((4, 9)), rng.standard_normal((4, 9))
    runs = []
    for backend in (FixedPointBackend(50), ArbBackend(50)):
        loss, ws = QuadraticLoss.from_data(x, y, backend=backend), to_backend(weights, backend)
        for _ in range(20):
            ws = gd_step(ws, loss, 0.01)
        runs.append(ws)
    from flint import arb, ctx

    saved, ctx.dps = ctx.dps, 70
    try:
        gap = max(abs(float((e - arb(v) / arb(2) ** F).mid()))
                  for wf, wa in zip(*runs) for row, arow in zip(wf.scaled_integers(), wa.tolist())
                  for v, e in zip(row, arow))
    finally:
        ctx.dps = saved
    assert gap < 1e-47


def test_linear_loss_value_works_in_fixed_point():
    backend = FixedPointBackend(30)
    loss = LinearLoss(np.array([[1.0, -2.0]]), backend=backend)
    assert backend.to_float(loss.value(backend.asmatrix(np.array([[0.5, 0.25]])))) == 0.0
