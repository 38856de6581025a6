"""B2: one GD step at 50 significant digits, python-flint arb (ArbBackend) vs mpmath (MpmathBackend).

Both run the same engine code (`verify.network.gd_step` with `QuadraticLoss` in the backend), each
keeping the whole trajectory in its own representation. The network is square (d_in = d_out = m)
with near-identity layers (float64 GD converges at this η). The certified error radius of arb's ball
arithmetic along a 1000-step trajectory is reported: when and how fast it grows.
"""

from __future__ import annotations

import math
import time

import numpy as np

from common import Check, Report, Timing, fmt_ratio, fmt_time, interleaved_medians
from verify.backends import ArbBackend, MpmathBackend
from verify.losses import QuadraticLoss, SufficientStats
from verify.network import gd_step, to_backend

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
        radii.append(max(ArbBackend.radius(w) for w in weights))
        if not math.isfinite(radii[-1]):
            break
    return radii, time.perf_counter() - start


def max_difference(arb_weights: list, mp_weights: list) -> float:
    """max |arb midpoint − mpmath entry| over all layers, evaluated at DIGITS + 10 digits."""
    import mpmath

    with mpmath.workdps(DIGITS + 10):
        return max(float(abs(mpmath.mpf(a.mid().str(DIGITS + 10, radius=False)) - b))
                   for wa, wm in zip(arb_weights, mp_weights)
                   for a, b in zip(wa.entries(), (wm[i, j] for i in range(wm.rows) for j in range(wm.cols))))


def first_step_above(radii: list[float], level: float) -> str:
    return next((str(i + 1) for i, r in enumerate(radii) if not r <= level), "never")


def run(timing: Timing, trajectory_steps: int) -> Report:
    """Time one step in each backend (interleaved), check agreement, run the certified trajectory."""
    weights, stats = problem()
    arb, mp = ArbBackend(DIGITS), MpmathBackend(DIGITS)
    arb_loss, mp_loss = QuadraticLoss(stats, backend=arb), QuadraticLoss(stats, backend=mp)
    arb_w, mp_w = to_backend(weights, arb), to_backend(weights, mp)
    warm, _ = trajectory(arb_w, arb_loss, 3)          # full-length midpoints, as inside a trajectory
    warm_mp, _ = trajectory(mp_w, mp_loss, 3)
    agree = max_difference(warm, warm_mp)
    t = interleaved_medians({"arb": lambda: gd_step(warm, arb_loss, ETA),
                             "mpmath": lambda: gd_step(warm_mp, mp_loss, ETA)},
                            Timing(max(3, timing.repeats // 2), timing.min_time))
    speedup = t["mpmath"] / t["arb"]
    radii, seconds = radius_history(arb_w, arb_loss, trajectory_steps)
    growth = (radii[min(len(radii), 10) - 1] / radii[0]) ** (1 / max(min(len(radii), 10) - 1, 1))
    report = Report(f"B2: one GD step at {DIGITS} digits (L={DEPTH}, m={WIDTH}, d_in=d_out={WIDTH}) — arb vs mpmath",
                    ["backend", "one step", "× vs mpmath"])
    report.rows += [[arb.name, fmt_time(t["arb"]), fmt_ratio(speedup)], [mp.name, fmt_time(t["mpmath"]), "1×"]]
    report.notes += [
        f"arb midpoints and mpmath weights after 3 steps differ by at most {agree:.1e}",
        f"certified radius over a {trajectory_steps}-step arb trajectory ({len(radii)} steps run, {seconds:.1f} s): "
        f"after step 1 {radii[0]:.1e}, at the end {radii[-1]:.1e}; growth ≈ {growth:.3g}× per step; "
        f"radius > 1e-16 from step {first_step_above(radii, 1e-16)}, > 1 from step {first_step_above(radii, 1.0)} "
        "(entries are O(1); plain ball arithmetic suffers the wrapping effect)",
    ]
    report.checks.append(Check(f"arb step vs mpmath step ({DIGITS} digits)", fmt_ratio(speedup),
                               f"≥ {SPEEDUP_TARGET:g}×", speedup >= SPEEDUP_TARGET))
    report.checks.append(Check("arb and mpmath agree after 3 steps", f"{agree:.1e}", f"≤ 1e-{DIGITS - 5}",
                               agree <= 10.0 ** (5 - DIGITS)))
    return report
