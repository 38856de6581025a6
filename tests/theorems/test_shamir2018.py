"""shamir2018.exponential_time and its engine, verify.engine.scalar_chains: building blocks and broken math."""

import numpy as np
import pytest

from theorems import shamir2018_exponential_time as shamir
from verify.checking.context import Context
from verify.checking.profiles import get_profile


def brute_gradients(w, target):
    p = np.prod(w, axis=1)
    return np.array([[(p[r] - target) * np.prod(np.delete(w[r], j)) for j in range(w.shape[1])]
                     for r in range(w.shape[0])])


def test_mechanism_rate_matches_gaussian_log_moment():
    ctx = Context(get_profile("ci"), 0, "test")
    mech = shamir.mechanism(ctx, "gaussian")
    assert mech["product"].ci[0] <= -shamir.GAUSSIAN_DECAY * 0.98
    assert -mech["product"].slope == pytest.approx(shamir.GAUSSIAN_DECAY, rel=0.05)


def test_check_verifies_and_controls_are_refuted():
    ctx = Context(get_profile("ci"), 0, "shamir2018.exponential_time")
    evidence = shamir.check_claim(ctx, shamir.ShamirClaim())
    assert evidence.holds is True
    slope = next(m for m in evidence.measurements if m.name.startswith("growth rate"))
    assert slope.interval[0] > 0
    assert shamir.check_claim(ctx, shamir.ShamirClaim(growth="polynomial")).holds is False
    assert shamir.check_claim(ctx, shamir.ShamirClaim(init="identity")).holds is False
    assert shamir.check_claim(ctx, shamir.ShamirClaim(init="identity", growth="polynomial")).holds is True
