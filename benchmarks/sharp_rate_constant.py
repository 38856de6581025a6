"""How large must sharp2023.rate's RATE_C be, and does the rate error shrink like √(L/m)?

Not a speed benchmark: a measurement behind a constant. At depth L = 2 (cheap at any width: the
network is d_x → m → d_y) it trains ``--seeds`` nets per (step rule, init, width) with the theorem's
own `measure_point` and prints, per row, the worst and median of

    |log ρ_deep / log ρ_convex − 1| / √(L/m)      (what RATE_C bounds; ρ_convex from the same V(0))
    |log ρ_convex / log ρ − 1| / √(L/m)           (the convex path's own fit vs max_i|1 − η_eff λ_i|²)

The first column staying bounded as m grows is the O(√(L/m)) claim; its maximum is the RATE_C the
sweep needs. Usage: ``python benchmarks/sharp_rate_constant.py [--seeds 16] [--widths 64,256,...]``
(a few seconds with the defaults).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from theorems import sharp2023_rate as sharp  # noqa: E402

DEPTH = 2


def widths_argument(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--widths {text!r} must be comma-separated integers") from None
    if not widths or min(widths) < sharp.MIN_WIDTH_PER_LAYER * DEPTH:
        raise argparse.ArgumentTypeError(f"--widths {text!r}: every width must be ≥ {sharp.MIN_WIDTH_PER_LAYER * DEPTH}")
    return widths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=16, help="inits per row (default: %(default)s)")
    parser.add_argument("--widths", type=widths_argument, default=(64, 256, 1024, 4096, 16384),
                        help="comma-separated widths m (default: 64,256,1024,4096,16384)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds} must be ≥ 1")
    print(f"sharp2023.rate at L = {DEPTH}, {args.seeds} seeds per row; ratios are divided by √(L/m); "
          f"RATE_C = {sharp.RATE_C}")
    print(f"{'step':8} {'init':10} {'m':>6} | {'deep vs convex: worst':>21} {'median':>7} | {'convex vs ρ: worst':>18}")
    worst_overall = 0.0
    for rule in sharp.STEP_RULES:
        for init in sharp.INIT_KINDS:
            for m in args.widths:
                scale = np.sqrt(DEPTH / m)
                rows = [sharp.measure_point(sharp.SweepPoint(init, DEPTH, m, rule, seed), True)
                        for seed in range(args.seeds)]
                deep = np.array([r["rate_error"] for r in rows]) / scale
                convex = np.array([abs(np.log(r["rho_convex"]) / np.log(r["rho_pred"]) - 1) for r in rows]) / scale
                worst_overall = max(worst_overall, float(deep.max()))
                print(f"{rule:8} {init:10} {m:6d} | {deep.max():21.2f} {np.median(deep):7.2f} | {convex.max():18.2f}",
                      flush=True)
    print(f"largest deep-vs-convex ratio: {worst_overall:.2f} (RATE_C = {sharp.RATE_C})")


if __name__ == "__main__":
    main()
