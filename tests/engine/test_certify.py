"""verify.engine.certify: certified path integrals with python-flint acb."""

import numpy as np
import pytest
from flint import arb

from verify.engine.certify import Enclosure, PathPiece, certified_integral, loop_integral
from verify.errors import InvalidArgument


def test_certified_integral_encloses_exact_value():
    value = certified_integral(lambda x, analytic: x.sqrt(analytic=analytic), 1, 4)
    enc = Enclosure.from_arb(value)
    assert enc.lower <= 14 / 3 <= enc.upper and enc.radius < 1e-14 and enc.excludes_zero

def test_branch_cut_is_refused():
    with pytest.raises(ArithmeticError):
        certified_integral(lambda x, analytic: x.sqrt(analytic=analytic), -1, 1)

def test_loop_integral_of_a_gradient_contains_zero():
    # F = ∇(x y) = (y, x) around the unit circle
    circle = PathPiece("circle", lambda t: [(2 * arb.pi() * t).cos(), (2 * arb.pi() * t).sin()],
                       lambda t: [-2 * arb.pi() * (2 * arb.pi() * t).sin(), 2 * arb.pi() * (2 * arb.pi() * t).cos()], 0, 1)
    total, _ = loop_integral(lambda w, _a: [w[1], w[0]], [circle])
    assert not total.excludes_zero
    rotation, _ = loop_integral(lambda w, _a: [-w[1], w[0]], [circle])  # ∮ = 2π
    assert rotation.lower <= 2 * np.pi <= rotation.upper
    with pytest.raises(InvalidArgument):
        loop_integral(lambda w, _a: w, [])
