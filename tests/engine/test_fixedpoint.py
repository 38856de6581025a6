"""Fixed-point ball arithmetic (verify.engine.fixedpoint) against exact rational arithmetic."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.engine import fixedpoint
from verify.engine.backends import ArbBackend, FixedPointBackend, backend_named
from verify.engine.fixedpoint import LIMB_BITS, MAX_INNER, FixedMatrix, limbs_for_digits
from verify.engine.losses import LinearLoss, QuadraticLoss
from verify.engine.network import gd_step, to_backend
from verify.errors import DataError, InvalidArgument

K = limbs_for_digits(50)
F = LIMB_BITS * (K - 1)
MANY = settings(max_examples=100)   # cheap properties at the core of the high-precision path: more examples
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


@MANY
@given(int_matrices(3, 4))
def test_scaled_integers_round_trip_exactly(a):
    assert FixedMatrix.from_scaled_integers(a, K).scaled_integers() == a


@MANY
@given(product_operands())
def test_product_is_within_its_stated_bound_of_the_exact_product(operands):
    a, b = operands
    n = len(b)
    got = (FixedMatrix.from_scaled_integers(a, K) @ FixedMatrix.from_scaled_integers(b, K)).scaled_integers()
    for i, row in enumerate(a):
        for j in range(len(b[0])):
            exact = Fraction(sum(row[k] * b[k][j] for k in range(n)), 2 ** F)   # in units of 2^-F
            assert abs(got[i][j] - exact) <= K * n / 4 + 1


@MANY
@given(int_matrices(2, 3), int_matrices(2, 3))
def test_sums_and_differences_are_exact(a, b):
    fa, fb = FixedMatrix.from_scaled_integers(a, K), FixedMatrix.from_scaled_integers(b, K)
    assert (fa + fb).scaled_integers() == [[x + y for x, y in zip(r, s)] for r, s in zip(a, b)]
    assert (fa - fb).scaled_integers() == [[x - y for x, y in zip(r, s)] for r, s in zip(a, b)]


@MANY
@given(int_matrices(2, 3), st.floats(-100, 100, allow_nan=False))
def test_scalar_product_rounds_once(a, s):
    got = (s * FixedMatrix.from_scaled_integers(a, K)).scaled_integers()
    for row, out in zip(a, got):
        for x, y in zip(row, out):
            assert abs(y - Fraction(s) * x) <= K / 4 + 1


@MANY
@given(int_matrices(3, 2), int_matrices(3, 2))
def test_inner_product_is_the_rounded_exact_sum(a, b):
    got = FixedMatrix.from_scaled_integers(a, K).inner(FixedMatrix.from_scaled_integers(b, K)).scaled_integers()
    exact = Fraction(sum(x * y for r, s in zip(a, b) for x, y in zip(r, s)), 2 ** F)
    assert abs(got[0][0] - exact) <= K / 4 + 1


RADIUS = st.one_of(st.just(0.0), st.floats(1e-60, 1e-3))


@st.composite
def balls(draw, rows, cols):
    """A fixed-point ball and one exact point inside it (each entry at −1, +1 or a drawn t ∈ [−1, 1] of its radius)."""
    mid = draw(int_matrices(rows, cols))
    radius = np.array([[draw(RADIUS) for _ in range(cols)] for _ in range(rows)])
    where = st.one_of(st.sampled_from([Fraction(-1), Fraction(1)]),
                      st.fractions(min_value=-1, max_value=1, max_denominator=1000))
    point = [[Fraction(m, 2 ** F) + draw(where) * Fraction(radius[i, j]) for j, m in enumerate(row)]
             for i, row in enumerate(mid)]
    return FixedMatrix(FixedMatrix.from_scaled_integers(mid, K).limbs, radius), point


def assert_contains(ball: FixedMatrix, exact: list[list[Fraction]]) -> None:
    mids = ball.scaled_integers()
    for i, row in enumerate(exact):
        for j, value in enumerate(row):
            assert abs(value - Fraction(mids[i][j], 2 ** F)) <= Fraction(float(ball.radius[i, j])), (i, j)


@st.composite
def ball_pairs(draw, same_shape=False):
    r, n, c = (draw(st.integers(1, 4)) for _ in range(3))
    return draw(balls(r, n)), draw(balls(r, n) if same_shape else balls(n, c))


@MANY
@given(ball_pairs())
def test_product_ball_contains_the_product_of_any_points_inside(pair):
    (a, x), (b, y) = pair
    exact = [[sum(x[i][k] * y[k][j] for k in range(len(y))) for j in range(len(y[0]))] for i in range(len(x))]
    assert_contains(a @ b, exact)


@MANY
@given(ball_pairs(same_shape=True))
def test_sum_difference_and_inner_balls_contain_the_exact_results(pair):
    (a, x), (b, y) = pair
    assert_contains(a + b, [[p + q for p, q in zip(r, s)] for r, s in zip(x, y)])
    assert_contains(a - b, [[p - q for p, q in zip(r, s)] for r, s in zip(x, y)])
    assert_contains(a.inner(b), [[sum(p * q for r, s in zip(x, y) for p, q in zip(r, s))]])


@MANY
@given(balls(2, 3), st.floats(-100, 100, allow_nan=False))
def test_scalar_product_ball_contains_the_exact_result(ball, s):
    a, x = ball
    assert_contains(s * a, [[Fraction(s) * p for p in row] for row in x])


def test_containment_check_catches_a_radius_that_forgets_rounding(monkeypatch):
    """Negative control: drop the midpoint-rounding term from product radii and the check must fail."""
    import random

    rng = random.Random(3)
    a, b = ([[rng.randrange(-2 ** (F + 3), 2 ** (F + 3)) for _ in range(4)] for _ in range(4)] for _ in range(2))
    exact = [[Fraction(sum(a[i][k] * b[k][j] for k in range(4)), 2 ** (2 * F)) for j in range(4)] for i in range(4)]
    fa, fb = FixedMatrix.from_scaled_integers(a, K), FixedMatrix.from_scaled_integers(b, K)
    assert_contains(fa @ fb, exact)
    real_round_up = fixedpoint._round_up
    monkeypatch.setattr(fixedpoint, "_round_up", lambda value, terms, ulps, ulp: real_round_up(value, terms, 0, 0))
    with pytest.raises(AssertionError):
        assert_contains(fa @ fb, exact)


def test_floats_convert_exactly_and_back():
    x = np.array([[0.1, -1.5, 3.0000001], [2.0 ** -60, -(2.0 ** 20), 0.0]])
    fx = FixedMatrix.from_float(x, K)
    assert [Fraction(v, 2 ** F) for v in fx.scaled_integers()[0]] == [Fraction(v) for v in x[0]]
    np.testing.assert_array_equal(fx.to_numpy(), x)
    assert fx.max_radius() == 0.0
    tiny = FixedMatrix.from_float(np.array([[1.0 + 2.0 ** -52, 3.0 * 2.0 ** -190]]), K)   # bits below 2^-176
    assert tiny.radius.tolist() == [[0.0, 2.0 ** -F]]
    assert_contains(tiny, [[Fraction(1.0 + 2.0 ** -52), Fraction(3.0 * 2.0 ** -190)]])


@pytest.mark.parametrize("bad, match", [(np.nan, "non-finite"), (np.inf, "non-finite"), (2.0 ** 21, "overflow")])
def test_unrepresentable_floats_are_rejected(bad, match):
    with pytest.raises(DataError, match=match):
        FixedMatrix.from_float(np.array([[1.0, bad]]), K)


def test_overflow_in_a_product_is_an_error_not_a_wrong_number():
    big = FixedMatrix.from_float(np.full((2, 2), 2000.0), K)
    with pytest.raises(DataError, match="overflow"):
        big @ big


def test_values_that_are_not_float64_are_refused_not_rounded_silently():
    from verify.engine.fixedpoint import MAX_DIGITS

    a = FixedMatrix.from_float(np.array([[1.0, 3.0]]), K)
    with pytest.raises(InvalidArgument, match="not exactly a float64"):
        a * Fraction(1, 3)
    with pytest.raises(InvalidArgument, match="not float64"):
        FixedMatrix.from_float([[Fraction(1, 10)]], K)
    assert (a * Fraction(1, 2)).scaled_integers() == [[2 ** (F - 1), 3 * 2 ** (F - 1)]]
    with pytest.raises(InvalidArgument, match="too many digits"):
        FixedPointBackend(MAX_DIGITS + 1)


def test_magnitude_bounds_the_midpoint_tightly():
    half = FixedMatrix.from_float(np.array([[0.5, -0.75, 3.0]]), K)   # 0.5 is stored as 1 − 2^21·2^-22
    assert np.all(half.magnitude() >= np.abs(half.to_numpy()))
    np.testing.assert_allclose(half.magnitude(), [[0.5, 0.75, 3.0]], rtol=1e-12)


def test_operands_must_agree_in_shape_and_precision():
    a = FixedMatrix.from_float(np.ones((2, 3)), K)
    with pytest.raises(InvalidArgument, match="cannot multiply"):
        a @ a
    with pytest.raises(InvalidArgument, match="limbs"):
        a + FixedMatrix.from_float(np.ones((2, 3)), K + 1)
    with pytest.raises(InvalidArgument, match="cannot add"):
        a + FixedMatrix.from_float(np.ones((3, 1)), K)
    with pytest.raises(InvalidArgument, match=f"> {MAX_INNER}"):
        FixedMatrix.from_float(np.ones((1, MAX_INNER + 1)), K) @ FixedMatrix.from_float(np.ones((MAX_INNER + 1, 1)), K)


def test_backend_is_reachable_by_name():
    assert backend_named("fixed", 40) == FixedPointBackend(40)


def test_gd_trajectory_balls_intersect_arb_balls_and_stay_tight():
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
        for wf, wa in zip(*runs):
            for row, rad_row, arow in zip(wf.scaled_integers(), wf.radius, wa.tolist()):
                for v, rad, e in zip(row, rad_row, arow):
                    gap = abs(float((e.mid() - arb(v) / arb(2) ** F).mid()))
                    assert gap <= rad + float(e.rad())        # both balls hold the exact trajectory
                    assert gap < 1e-47 and 0 < rad < 1e-38   # 50 digits, 20 steps (measured 1.2e-40; arb 8.3e-40)
    finally:
        ctx.dps = saved


def test_linear_loss_value_works_in_fixed_point():
    backend = FixedPointBackend(30)
    loss = LinearLoss(np.array([[1.0, -2.0]]), backend=backend)
    assert backend.to_float(loss.value(backend.asmatrix(np.array([[0.5, 0.25]])))) == 0.0
