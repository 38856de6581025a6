"""B3: batched 1-D deep linear chains (Shamir 2018), GD layer-updates per second in float64.

One GD step on a (runs, depth) array: `verify.engine.scalar_chains.chain_gradients` (exclusive prefix and
suffix cumprods into preallocated buffers) then w ← w − η ∇F in place. The reference is the same
step written with a Python loop over runs (numpy cumprods per run), timed in the same run.
"""

from __future__ import annotations

import numpy as np
from common import Check, Report, Timing, fmt_ratio, fmt_time, interleaved_medians

from verify.engine.scalar_chains import ChainBuffers, ChainLoss, chain_gradients

RUNS, DEPTH, ETA = 10_000, 50, 1e-3
TARGET = 1e8                      # layer-updates per second


def per_run_step(w: np.ndarray, loss: ChainLoss) -> None:
    """Reference: the same GD step, one run at a time."""
    for row in w:
        prefix = np.concatenate(([1.0], np.cumprod(row[:-1])))
        suffix = np.concatenate((np.cumprod(row[:0:-1])[::-1], [1.0]))
        p = prefix[-1] * row[-1]
        row -= ETA * loss.derivative(p) * prefix * suffix


def run(timing: Timing) -> Report:
    """Time the batched and the per-run step on 10⁴ runs of depth 50 (near-one init, square loss)."""
    rng = np.random.default_rng(0)
    w0 = 1.0 + 0.1 * rng.standard_normal((RUNS, DEPTH))
    loss = ChainLoss.square(2.0)
    w_batched, w_loop = w0.copy(), w0.copy()
    buf = ChainBuffers.like(w_batched)

    def batched() -> None:
        grad, _ = chain_gradients(w_batched, loss, buf)
        grad *= ETA
        np.subtract(w_batched, grad, out=w_batched)

    batched()
    per_run_step(w_loop, loss)
    diff = float(np.max(np.abs(w_batched - w_loop)))
    t = interleaved_medians({"batched": batched, "loop": lambda: per_run_step(w_loop, loss)}, timing)
    rate = RUNS * DEPTH / t["batched"]
    report = Report(f"B3: batched 1-D chains, {RUNS} runs × depth {DEPTH}, one float64 GD step",
                    ["implementation", "one step (all runs)", "layer-updates/s", "× vs per-run loop"])
    report.rows += [["verify.engine.scalar_chains.chain_gradients + in-place update", fmt_time(t["batched"]),
                     f"{rate:.3g}", fmt_ratio(t["loop"] / t["batched"])],
                    ["Python loop over runs (numpy per run)", fmt_time(t["loop"]),
                     f"{RUNS * DEPTH / t['loop']:.3g}", "1×"]]
    report.notes.append(f"both implementations agree after one step to {diff:.1e}")
    report.checks += [Check("layer-updates/s (float64)", f"{rate:.3g}", f"≥ {TARGET:.0e}", rate >= TARGET),
                      Check("batched = per-run step", f"{diff:.1e}", "≤ 1e-12", diff <= 1e-12)]
    return report
