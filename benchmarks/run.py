"""dlverify benchmark suite (issue 8): prints one table per benchmark with ratios, targets, PASS/FAIL.

    python benchmarks/run.py                 # B1-B3 (a few minutes)
    python benchmarks/run.py --quick         # fewer repeats, shorter trajectories
    python benchmarks/run.py --only B1,B3    # a selection; B4 and B5 (long) run only when named
    python benchmarks/run.py --full          # B1-B5
    python benchmarks/run.py --only B6       # the thorough profile: time (≤ 60 min), verdicts, peak memory, breakdown
    python benchmarks/run.py --only B7       # verify mutate --profile ci: wall time (≤ 20 min) and scores

Every ratio is measured in the same run, engine and reference interleaved. The exit status is 1 if
any target fails (after everything has been printed), 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from common import Report, Timing, environment_lines, peak_rss_mib, print_report, table  # noqa: E402

ALL = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
DEFAULT = ("B1", "B2", "B3")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs (noisier)")
    parser.add_argument("--only", help="comma-separated benchmarks, e.g. B1,B2 (B4/B5 run only when named or with "
                                       "--full; B6 (thorough, ~1 h) and B7 (mutation, ~20 min) only when named)")
    parser.add_argument("--full", action="store_true", help="also the long B4 (verify run wall time) and B5 (dask)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/torch threads for B1-B3 (default 1: per-core rates, stable on a shared machine)")
    parser.add_argument("--thorough-out", type=Path, default=Path("reports/thorough"),
                        help="where B6 writes the thorough run's report.md and results.json "
                             "(default: reports/thorough)")
    parser.add_argument("--thorough-ids", default="",
                        help="B6 only: comma-separated theorem ids or globs to run (default: all theorems)")
    args = parser.parse_args(argv)
    selected = ALL[:5] if args.full else DEFAULT
    if args.only:
        selected = tuple(s.strip().upper() for s in args.only.split(",") if s.strip())
        unknown = [s for s in selected if s not in ALL]
        if unknown:
            parser.error(f"--only {args.only!r}: unknown benchmark(s) {unknown}; choose from {', '.join(ALL)}")
    if args.threads < 1:
        parser.error(f"--threads {args.threads} must be ≥ 1")
    args.selected = selected
    return args


def limit_threads(threads: int) -> None:
    """Pin numpy's BLAS and torch to ``threads`` threads for the in-process benchmarks."""
    import numpy  # noqa: F401  (load the BLAS first: threadpoolctl limits only loaded libraries)

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("  note: threadpoolctl not installed; BLAS thread count left at its default")
    else:
        threadpool_limits(threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def run_one(name: str, args: argparse.Namespace) -> Report:
    """Run benchmark ``name`` with the budgets for --quick or the full settings."""
    quick = args.quick
    timing = Timing(3, 0.03) if quick else Timing(7, 0.1)
    if name == "B1":
        import float64_step
        return float64_step.run(timing, gemm_size=1024 if quick else 2048)
    if name == "B2":
        import high_precision
        return high_precision.run(timing, trajectory_steps=100 if quick else 1000)
    if name == "B3":
        import chains
        return chains.run(timing)
    if name == "B4":
        import wall_time
        return wall_time.run(("ci",) if quick else ("ci", "default"))
    if name == "B5":
        import scaleout
        return scaleout.run(quick)
    if name == "B7":
        import mutation
        return mutation.run(Path("reports/mutation").resolve())
    import thorough
    return thorough.run(args.thorough_out.resolve(),
                        tuple(s.strip() for s in args.thorough_ids.split(",") if s.strip()))


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    limit_threads(args.threads)
    print("# dlverify benchmarks")
    print(f"command: python benchmarks/run.py {' '.join(sys.argv[1:] if argv is None else argv)}".rstrip())
    for line in environment_lines(args.threads):
        print(line)
    reports, started = [], time.perf_counter()
    for name in args.selected:
        began = time.perf_counter()
        report = run_one(name, args)
        report.notes.append(f"{name} took {time.perf_counter() - began:.0f} s")
        print_report(report)
        reports.append(report)
        sys.stdout.flush()
    own, children = peak_rss_mib()
    checks = [c for r in reports for c in r.checks]
    failed = [c for c in checks if c.passed is False]
    print("\n## Summary\n")
    print(table([["benchmark", "targets", "passed", "failed"]]
                + [[r.title.split(":")[0], str(len(r.checks)), str(sum(c.passed is True for c in r.checks)),
                    str(sum(c.passed is False for c in r.checks))] for r in reports]))
    print(f"\npeak RSS: this process {own:.0f} MiB; largest child process {children:.0f} MiB "
          f"(resource.getrusage ru_maxrss)")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"total {time.perf_counter() - started:.0f} s")
    if failed:
        print(f"\nFAILED {len(failed)} of {len(checks)} targets: " + "; ".join(c.name for c in failed))
        return 1
    print(f"\nall {len(checks)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
