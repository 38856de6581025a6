"""B2: one GD step at 50 digits: our two certified paths (fixed-point balls, arb) vs mpmath matrices.

All three run the same engine code (`verify.engine.network.gd_step` with `QuadraticLoss` in the backend),
each keeping the whole trajectory in its own representation:

* ``FixedPointBackend`` -- `verify.engine.fixedpoint`: midpoints in 9 limbs of 22 bits (176 fractional
  bits) by exact limb arithmetic on float64 BLAS, float64 radii rounded up. The target is on it.
* ``ArbBackend`` -- python-flint ball arithmetic (classical arb_mat products at 32×32).
* ``MpmathBackend`` -- the pure-Python reference (no error bound).

The network is square (d_in = d_out = m) with near-identity layers (float64 GD converges at this η).
The certified error radius of both ball arithmetics along a 1000-step trajectory is reported: when
and how fast it grows.
"""

from __future__ import annotations

import math
import time

import numpy as np
from common import Check, Report, Timing, fmt_ratio, fmt_time, interleaved_medians

from verify.engine.backends import ArbBackend, FixedPointBackend, MpmathBackend
from verify.engine.losses import QuadraticLoss, SufficientStats
from verify.engine.network import gd_step, to_backend

DEPTH, WIDTH, SAMPLES, DIGITS = 10, 32, 64, 50
ETA = 0.02                      # float64 GD converges to the minimum within 1000 steps at this η
SPEEDUP_TARGET = 50.0


def problem(seed: int = 0) -> tuple[list[np.ndarray], SufficientStats]:
    """Layers I + N(0, 0.1²/m) and whitened-scale data Y = T X + noise with T = I + N(0, 0.1²/m)."""
    rng = np.random.default_rng(seed)
    eye = np.eye(WIDTH)
    weights = [eye + 0.1 * rng.standard_normal((WIDTH, WIDTH)) / math.sqrt(WIDTH) for _ in range(DEPTH)]
    x = rng.standard_normal((WIDTH, SAMPLES)) / math.sqrt(SAMPLES)
    target = eye + 0.1 * rng.standard_normal((WIDTH, WIDTH)) / math.sqrt(WIDTH)
    y = target @ x + 0.01 * rng.standard_normal((WIDTH, SAMPLES)) / math.sqrt(SAMPLES)
    return weights, SufficientStats.from_data(x, y)


def trajectory(weights: list, loss: QuadraticLoss, steps: int) -> tuple[list, float]:
    """``steps`` GD steps in the loss's backend; (final weights, seconds)."""
    start = time.perf_counter()
    for _ in range(steps):
        weights = gd_step(weights, loss, ETA)
    return weights, time.perf_counter() - start


def radius_history(weights: list, loss: QuadraticLoss, steps: int) -> tuple[list[float], float]:
    """Largest certified radius over all entries after each arb GD step (stops once it is infinite)."""
    radii, start = [], time.perf_counter()
    for _ in range(steps):
        weights = gd_step(weights, loss, ETA)
        radii.append(max(loss.backend.radius(w) for w in weights))
        if not math.isfinite(radii[-1]):
            break
    return radii, time.perf_counter() - start


def exact_entries(weights: list, backend) -> list:
    """Every entry of every layer as an exact mpmath number (call inside a wide enough workdps)."""
    import mpmath

    if isinstance(backend, ArbBackend):
        return [mpmath.mpf(e.mid().str(DIGITS + 10, radius=False)) for w in weights for e in w.entries()]
    if isinstance(backend, FixedPointBackend):
        return [mpmath.ldexp(v, -w.fraction_bits) for w in weights for row in w.scaled_integers() for v in row]
    return [w[i, j] for w in weights for i in range(w.rows) for j in range(w.cols)]


def max_difference(weights: list, backend, reference: list) -> float:
    """max |entry − mpmath entry| over all layers, evaluated at DIGITS + 10 digits."""
    import mpmath

    mp = MpmathBackend(DIGITS)
    with mpmath.workdps(DIGITS + 10):
        return max(float(abs(a - b)) for a, b in zip(exact_entries(weights, backend), exact_entries(reference, mp)))


def first_step_above(radii: list[float], level: float) -> str:
    return next((str(i + 1) for i, r in enumerate(radii) if not r <= level), "never")


def run(timing: Timing, trajectory_steps: int) -> Report:
    """Time one step in each backend (interleaved), check agreement, run the certified trajectory."""
    weights, stats = problem()
    backends = {"fixed": FixedPointBackend(DIGITS), "arb": ArbBackend(DIGITS), "mpmath": MpmathBackend(DIGITS)}
    losses = {k: QuadraticLoss(stats, backend=b) for k, b in backends.items()}
    warm = {k: trajectory(to_backend(weights, b), losses[k], 3)[0]   # full-length values, as mid-trajectory
            for k, b in backends.items()}
    agree = {k: max_difference(warm[k], backends[k], warm["mpmath"]) for k in ("fixed", "arb")}
    t = interleaved_medians({k: (lambda k=k: gd_step(warm[k], losses[k], ETA)) for k in backends},
                            Timing(max(3, timing.repeats // 2), timing.min_time))
    speedup = {k: t["mpmath"] / t[k] for k in backends}
    report = Report(f"B2: one GD step at {DIGITS} digits (L={DEPTH}, m={WIDTH}, d_in=d_out={WIDTH}) — "
                    "fixed-point balls and arb vs mpmath", ["backend", "one step", "× vs mpmath", "error bound"])
    report.rows += [[backends["fixed"].name, fmt_time(t["fixed"]), fmt_ratio(speedup["fixed"]), "certified radius"],
                    [backends["arb"].name, fmt_time(t["arb"]), fmt_ratio(speedup["arb"]), "certified radius"],
                    [backends["mpmath"].name, fmt_time(t["mpmath"]), "1×", "none"]]
    report.notes.append(f"after 3 steps, max |midpoint − mpmath entry|: fixed point {agree['fixed']:.1e}, "
                        f"arb {agree['arb']:.1e}")
    for k in ("fixed", "arb"):
        radii, seconds = radius_history(to_backend(weights, backends[k]), losses[k], trajectory_steps)
        growth = (radii[min(len(radii), 10) - 1] / radii[0]) ** (1 / max(min(len(radii), 10) - 1, 1))
        report.notes.append(
            f"{k}: certified radius over a {trajectory_steps}-step trajectory ({len(radii)} steps run, "
            f"{seconds:.1f} s): after step 1 {radii[0]:.1e}, at the end {radii[-1]:.1e}; growth ≈ {growth:.3g}× "
            f"per step; > 1e-16 from step {first_step_above(radii, 1e-16)}, > 1 from step "
            f"{first_step_above(radii, 1.0)} (entries are O(1): ball arithmetic suffers the wrapping effect)")
    report.checks.append(Check(f"fixed-point ball step vs mpmath step ({DIGITS} digits)", fmt_ratio(speedup["fixed"]),
                               f"≥ {SPEEDUP_TARGET:g}×", speedup["fixed"] >= SPEEDUP_TARGET))
    report.checks.append(Check("arb step vs mpmath step (no target)", fmt_ratio(speedup["arb"]), "—", None))
    for k in ("fixed", "arb"):
        report.checks.append(Check(f"{k} and mpmath agree after 3 steps", f"{agree[k]:.1e}", f"≤ 1e-{DIGITS - 5}",
                                   agree[k] <= 10.0 ** (5 - DIGITS)))
    return report
