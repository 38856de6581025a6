"""Ball backends contain the exact result (issue 17): arb and fixed-point balls vs exact rationals.

Every ball operation a check uses is run on float64 inputs and compared with `fractions.Fraction`
arithmetic on the same float64 values (α and η included: the balls certify the computation on the
numbers the caller passed, e.g. the binary float64 0.1, not the decimal 1/10). A result passes when
|exact − midpoint| ≤ radius in every entry. The precisions are low (16 digits) as well as high (50)
so that the backends really round. The negative controls show that the same checker flags balls
made unsound the way issue 17 found them: a float64-rounded product entered with radius 0.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from verify.engine.backends import ArbBackend, Backend, FixedPointBackend
from verify.engine.fixedpoint import MAX_INNER, FixedMatrix
from verify.engine.losses import LinearLoss, QuadraticLoss, SufficientStats
from verify.engine.network import gd_step, to_backend
from verify.errors import DataError, InvalidArgument

CHECK = settings(max_examples=50, deadline=None, derandomize=True)
BACKENDS = [ArbBackend(16), ArbBackend(50), FixedPointBackend(16), FixedPointBackend(50)]
IDS = ["arb16", "arb50", "fixed16", "fixed50"]
per_backend = pytest.mark.parametrize("backend", BACKENDS, ids=IDS)

VALUES = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)     # full-mantissa and subnormal float64s
DIM = st.integers(1, 3)
ALPHA = st.one_of(st.just(0.1), st.floats(0.05, 3.0))
ETA = st.one_of(st.just(0.01), st.floats(1e-3, 0.1))


def matrices(rows: int, cols: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(VALUES, min_size=rows * cols, max_size=rows * cols).map(
        lambda v: np.array(v, dtype=np.float64).reshape(rows, cols))


@st.composite
def matrix_pairs(draw, same_shape: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r, n, c = draw(DIM), draw(DIM), draw(DIM)
    return draw(matrices(r, n)), draw(matrices(r, n) if same_shape else matrices(n, c))


@st.composite
def regressions(draw) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(W, X, Y, α) with W d_out×d_in, X d_in×n, Y d_out×n."""
    d_in, d_out, n = draw(DIM), draw(DIM), draw(st.integers(1, 4))
    return draw(matrices(d_out, d_in)), draw(matrices(d_in, n)), draw(matrices(d_out, n)), draw(ALPHA)


@st.composite
def networks(draw) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, float, float]:
    """(weights W_1..W_N with N ≤ 3, X, Y, α, η)."""
    dims = draw(st.lists(DIM, min_size=2, max_size=4))
    n = draw(st.integers(1, 3))
    weights = [draw(matrices(dims[j + 1], dims[j])) for j in range(len(dims) - 1)]
    return weights, draw(matrices(dims[0], n)), draw(matrices(dims[-1], n)), draw(ALPHA), draw(ETA)


# -- exact reference: Fractions on the float64 inputs ---------------------------------------------
Exact = list[list[Fraction]]


def exact(a: np.ndarray | float) -> Exact:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(np.asarray(a, dtype=np.float64))]


def e_matmul(a: Exact, b: Exact) -> Exact:
    return [[sum((a[i][k] * b[k][j] for k in range(len(b))), Fraction(0)) for j in range(len(b[0]))]
            for i in range(len(a))]


def e_transpose(a: Exact) -> Exact:
    return [list(col) for col in zip(*a)]


def e_inner(a: Exact, b: Exact) -> Fraction:
    return sum((x * y for ra, rb in zip(a, b) for x, y in zip(ra, rb)), Fraction(0))


def e_combine(ca: Fraction, a: Exact, cb: Fraction, b: Exact) -> Exact:
    """ca·a + cb·b."""
    return [[ca * x + cb * y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def e_quadratic_gradient(w: Exact, x: Exact, y: Exact, alpha: Fraction) -> Exact:
    """α (α W X − Y) Xᵀ."""
    residual = e_combine(alpha, e_matmul(w, x), Fraction(-1), y)
    return [[alpha * v for v in row] for row in e_matmul(residual, e_transpose(x))]


def e_quadratic_value(w: Exact, x: Exact, y: Exact, alpha: Fraction) -> Fraction:
    """½‖α W X − Y‖²_F."""
    residual = e_combine(alpha, e_matmul(w, x), Fraction(-1), y)
    return e_inner(residual, residual) / 2


def e_gd_step(weights: list[Exact], x: Exact, y: Exact, alpha: Fraction, eta: Fraction) -> list[Exact]:
    """W_j − η W_{N:j+1}ᵀ ∇ℓ(W_e) W_{j−1:1}ᵀ for every j, with ∇ℓ the quadratic loss's gradient."""
    prefixes = [weights[0]]
    for w in weights[1:]:
        prefixes.append(e_matmul(w, prefixes[-1]))
    factor = e_quadratic_gradient(prefixes[-1], x, y, alpha)
    updated = []
    for j in range(len(weights) - 1, -1, -1):
        grad = factor if j == 0 else e_matmul(factor, e_transpose(prefixes[j - 1]))
        updated.append(e_combine(Fraction(1), weights[j], -eta, grad))
        factor = e_matmul(e_transpose(weights[j]), factor)
    return updated[::-1]


# -- the containment checker ------------------------------------------------------------------------
def _arb_exact(x) -> Fraction:
    """The exact value of an arb with zero radius (a midpoint or a radius)."""
    man, exp = x.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def balls(value) -> list[list[tuple[Fraction, Fraction]]]:
    """(midpoint, radius) of every entry of an arb, arb_mat or FixedMatrix, exactly."""
    if isinstance(value, FixedMatrix):
        unit = Fraction(1, 2 ** value.fraction_bits)
        return [[(v * unit, Fraction(float(r))) for v, r in zip(row, radii)]
                for row, radii in zip(value.scaled_integers(), value.radius.tolist())]
    from flint import arb_mat

    rows = value.tolist() if isinstance(value, arb_mat) else [[value]]
    return [[(_arb_exact(e.mid()), _arb_exact(e.rad())) for e in row] for row in rows]


def excess(value, expected: Exact | Fraction) -> Fraction:
    """max over entries of |exact − midpoint| − radius: ≤ 0 exactly when every ball holds its entry."""
    expected = [[expected]] if isinstance(expected, Fraction) else expected
    got = balls(value)
    assert [len(r) for r in got] == [len(r) for r in expected], "shape differs from the exact result"
    return max(abs(e - mid) - rad for row, erow in zip(got, expected) for (mid, rad), e in zip(row, erow))


def assert_contains(backend: Backend, value, expected: Exact | Fraction) -> None:
    """Every ball holds its exact entry, and no radius is vacuously large (< 10^{12−dps})."""
    over = excess(value, expected)
    assert over <= 0, f"{backend.name}: the exact value lies {float(over):.3g} outside the ball"
    widest = max(rad for row in balls(value) for _, rad in row)
    assert widest < Fraction(10) ** (12 - backend.dps), f"{backend.name}: radius {float(widest):.3g}"


# -- conversions and matrix operations --------------------------------------------------------------
@per_backend
@CHECK
@given(a=st.integers(1, 3).flatmap(lambda r: DIM.flatmap(lambda c: matrices(r, c))), s=VALUES)
def test_asmatrix_scalar_and_to_numpy_round_trip(backend, a, s):
    with backend.active():
        ball = backend.asmatrix(a)
        assert_contains(backend, ball, exact(a))
        back = backend.to_numpy(ball)
        assert back.shape == a.shape
        if backend.radius(ball) == 0:                  # exact unless fixed point drops bits below 2^-F
            assert np.array_equal(back, a)
        scalar = backend.scalar(s)
        assert_contains(backend, scalar, Fraction(s))
        if backend.radius(scalar) == 0:
            assert backend.to_float(scalar) == s


@per_backend
@CHECK
@given(a=st.integers(1, 3).flatmap(lambda r: DIM.flatmap(lambda c: matrices(r, c))))
def test_transpose(backend, a):
    with backend.active():
        assert_contains(backend, backend.transpose(backend.asmatrix(a)), e_transpose(exact(a)))


def matmul_excess(backend: Backend, a: np.ndarray, b: np.ndarray, matmul) -> Fraction:
    with backend.active():
        return excess(matmul(backend.asmatrix(a), backend.asmatrix(b)), e_matmul(exact(a), exact(b)))


@per_backend
@CHECK
@given(pair=matrix_pairs())
def test_matmul(backend, pair):
    a, b = pair
    with backend.active():
        assert_contains(backend, backend.matmul(backend.asmatrix(a), backend.asmatrix(b)), e_matmul(exact(a), exact(b)))


@per_backend
@CHECK
@given(pair=matrix_pairs(same_shape=True))
def test_inner(backend, pair):
    a, b = pair
    with backend.active():
        assert_contains(backend, backend.inner(backend.asmatrix(a), backend.asmatrix(b)), e_inner(exact(a), exact(b)))


# -- losses -----------------------------------------------------------------------------------------
@per_backend
@CHECK
@given(problem=regressions())
def test_quadratic_loss_value_contains_the_exact_loss_of_the_data(backend, problem):
    w, x, y, alpha = problem
    loss = QuadraticLoss.from_data(x, y, alpha=alpha, backend=backend)
    with backend.active():
        value = loss.value(backend.asmatrix(w))
    assert_contains(backend, value, e_quadratic_value(exact(w), exact(x), exact(y), Fraction(alpha)))


@per_backend
@CHECK
@given(problem=regressions())
def test_quadratic_loss_gradient_contains_the_exact_gradient(backend, problem):
    w, x, y, alpha = problem
    loss = QuadraticLoss.from_data(x, y, alpha=alpha, backend=backend)
    with backend.active():
        grad = loss.gradient(backend.asmatrix(w))
    assert_contains(backend, grad, e_quadratic_gradient(exact(w), exact(x), exact(y), Fraction(alpha)))


@per_backend
@CHECK
@given(problem=regressions())
def test_given_statistics_are_taken_as_the_data(backend, problem):
    """Without the data, the balls certify ½α²⟨W Sxx, W⟩ − α⟨W, Syx⟩ + ½‖Y‖² on the float64 statistics."""
    w, x, y, alpha = problem
    stats = SufficientStats.from_data(x, y)
    given_stats = SufficientStats(stats.sxx, stats.syx, stats.yy, stats.n)
    loss = QuadraticLoss(given_stats, alpha=alpha, backend=backend)
    ew, sxx, syx, a = exact(w), exact(stats.sxx), exact(stats.syx), Fraction(alpha)
    expected = a * a / 2 * e_inner(e_matmul(ew, sxx), ew) - a * e_inner(ew, syx) + Fraction(stats.yy) / 2
    with backend.active():
        assert_contains(backend, loss.value(backend.asmatrix(w)), expected)
        assert_contains(backend, loss.gradient(backend.asmatrix(w)),
                        [[a * v for v in row] for row in e_combine(a, e_matmul(ew, sxx), Fraction(-1), syx)])


@pytest.mark.parametrize("backend", [ArbBackend(50), FixedPointBackend(50)], ids=["arb50", "fixed50"])
def test_issue_17_case_certifies_the_float64_alpha_not_the_decimal(backend):
    """W = X = [[1]], Y = [[0]], α = 0.1: ℓ = ½·fl(0.1)² = 0.0050000000000000005551…, not ½·(1/10)²."""
    loss = QuadraticLoss.from_data(np.ones((1, 1)), np.zeros((1, 1)), alpha=0.1, backend=backend)
    with backend.active():
        value = loss.value(backend.asmatrix(np.ones((1, 1))))
    assert_contains(backend, value, Fraction(0.1) ** 2 / 2)
    assert excess(value, Fraction(1, 200)) > 0


@per_backend
def test_statistics_over_more_samples_than_one_fixed_point_product_takes(backend):
    rng = np.random.default_rng(17)
    x, y, w = rng.uniform(-1, 1, (2, MAX_INNER + 5)), rng.uniform(-1, 1, (1, MAX_INNER + 5)), rng.uniform(-1, 1, (1, 2))
    loss = QuadraticLoss.from_data(x, y, alpha=0.3, backend=backend)
    with backend.active():
        value = loss.value(backend.asmatrix(w))
    assert_contains(backend, value, e_quadratic_value(exact(w), exact(x), exact(y), Fraction(0.3)))


@per_backend
@CHECK
@given(pair=matrix_pairs(same_shape=True))
def test_linear_loss(backend, pair):
    g, w = pair
    loss = LinearLoss(g, backend=backend)
    with backend.active():
        assert_contains(backend, loss.value(backend.asmatrix(w)), e_inner(exact(g), exact(w)))
        assert_contains(backend, loss.gradient(backend.asmatrix(w)), exact(g))


# -- one GD step (two, so that the second starts from balls with radii) -------------------------------
@per_backend
@CHECK
@given(problem=networks())
def test_gd_steps_contain_the_exact_steps(backend, problem):
    weights, x, y, alpha, eta = problem
    loss = QuadraticLoss.from_data(x, y, alpha=alpha, backend=backend)
    balls_now, exact_now = to_backend(weights, backend), [exact(w) for w in weights]
    for _ in range(2):
        balls_now = gd_step(balls_now, loss, eta)
        exact_now = e_gd_step(exact_now, exact(x), exact(y), Fraction(alpha), Fraction(eta))
        for ball, expected in zip(balls_now, exact_now):
            assert_contains(backend, ball, expected)


# -- negative controls: the checker catches unsound balls --------------------------------------------
@per_backend
def test_checker_catches_a_float64_product_with_radius_zero(backend):
    def rounded_matmul(a, b):        # deliberately unsound: fl(A·B) entered as an exact ball
        return backend.asmatrix(backend.to_numpy(a) @ backend.to_numpy(b))

    a, b = find(matrix_pairs(), lambda pair: matmul_excess(backend, *pair, rounded_matmul) > 0,
                settings=settings(max_examples=500, derandomize=True, database=None))
    assert matmul_excess(backend, a, b, backend.matmul) <= 0       # the real product holds the same case


@per_backend
def test_checker_catches_the_issue_17_loss_value(backend):
    """The pre-fix value: ½α² rounded in float64 (½·0.1·0.1 = 0.005000000000000001) times an exact ball."""
    with backend.active():
        one = backend.asmatrix(np.ones((1, 1)))
        unsound = 0.5 * 0.1 * 0.1 * backend.inner(one, one)
    assert excess(unsound, Fraction(0.1) ** 2 / 2) > 0


# -- bad input ------------------------------------------------------------------------------------------
def test_statistics_refuse_data_of_the_wrong_shape():
    stats = SufficientStats.from_data(np.ones((2, 3)), np.ones((1, 3)))
    with pytest.raises(DataError, match=r"data") as info:
        SufficientStats(stats.sxx, stats.syx, stats.yy, stats.n, data=(np.ones((3, 3)), np.ones((1, 3))))
    assert "\n" not in str(info.value)
    with pytest.raises(InvalidArgument, match="alpha=0.0"):
        QuadraticLoss(stats, alpha=0.0, backend=ArbBackend(20))
