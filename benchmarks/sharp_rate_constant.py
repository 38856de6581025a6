"""Width scaling behind sharp2023.rate: how fast do the deviation and the rate error decay with m?

Not a speed benchmark: the measurement behind the theorem's width regime and its resolution. (It used
to measure RATE_C, the constant of the old |log ρ_fit/log ρ_convex − 1| ≤ RATE_C·√(L/m) gate; that gate
is gone.) For one (init, depth, step rule) it trains ``--nets`` nets per width with the theorem's own
`measure_point` and prints, per width, quantiles of

    ε   = |log ρ_deep / log ρ_convex − 1|            (ρ_deep from the final weights' kernel)
    dev = max_t ‖V_deep(t) − V_convex(t)‖ / ‖V(0) − V*‖

then the log-log exponents in m fitted over all (width, net) points with their 95% CIs (the
theorem's gate: CI below −½ + EXP_TOL), and with ``--replicates K`` K independent sweeps, to see
how often the gate would be decided. Examples (a few seconds each at L = 2)::

    python benchmarks/sharp_rate_constant.py --init gaussian --rule du_hu --widths 64,256,1024,4096,16384 --nets 48
    python benchmarks/sharp_rate_constant.py --init gaussian --rule optimal --widths 256,1024,4096,16384 --nets 48
    python benchmarks/sharp_rate_constant.py --init gaussian --rule optimal --widths 1024,4096,16384 --nets 32 --replicates 12
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from theorems import sharp2023_rate as sharp
from verify.checking.stats import loglog_slope

QUANTILES = (0.1, 0.5, 0.9)


def int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} must be comma-separated integers") from None
    if not values or min(values) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: every width must be ≥ 2")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--init", choices=sharp.INIT_KINDS, default="gaussian")
    parser.add_argument("--rule", choices=sharp.STEP_RULES, default="du_hu")
    parser.add_argument("--depth", type=int, default=2, help="L (default: %(default)s)")
    parser.add_argument("--widths", type=int_list, default=(64, 256, 1024, 4096))
    parser.add_argument("--nets", type=int, default=16, help="nets per width (default: %(default)s)")
    parser.add_argument("--replicates", type=int, default=1, help="independent sweeps (default: %(default)s)")
    args = parser.parse_args()
    for flag, value, low in (("--nets", args.nets, 2), ("--replicates", args.replicates, 1), ("--depth", args.depth, 2)):
        if value < low:
            parser.error(f"{flag} {value} must be ≥ {low}")
    margin = sharp.EXPONENT_CLAIM + sharp.EXP_TOL
    print(f"sharp2023.rate scaling: {args.init}, L={args.depth}, {args.rule}; {args.nets} nets per width; "
          f"gate: exponent CI below {margin:+.2f}")
    decided = 0
    for k in range(args.replicates):
        ms: list[int] = []
        eps: list[float] = []
        dev: list[float] = []
        for m in args.widths:
            seeds = tuple(range(10_000 * (k + 1), 10_000 * (k + 1) + args.nets))
            r = sharp.measure_point(sharp.SweepPoint(args.init, args.depth, m, args.rule, seeds), sharp.RateClaim())
            ok = ~r["diverged"]
            ms += [m] * int(ok.sum())
            eps += list(r["eps"][ok])
            dev += list(r["dev"][ok])
            if args.replicates == 1:
                print(f"  m={m:6d}  ε q10/50/90 {np.round(np.quantile(r['eps'][ok], QUANTILES), 4)}  "
                      f"dev q10/50/90 {np.round(np.quantile(r['dev'][ok], QUANTILES), 4)}  diverged {int((~ok).sum())}",
                      flush=True)
        fits = {name: loglog_slope(ms, values) for name, values in (("ε", eps), ("dev", dev))}
        decided += all(f.ci[1] < margin for f in fits.values())
        print(f"sweep {k}: " + "  ".join(f"{name} exponent {f.slope:.3f} CI [{f.ci[0]:.3f}, {f.ci[1]:.3f}]"
                                         for name, f in fits.items()), flush=True)
    print(f"both exponents verified in {decided} of {args.replicates} sweep(s)")


if __name__ == "__main__":
    main()
