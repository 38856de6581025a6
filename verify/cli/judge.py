"""`verify report` and `verify gate`: judging a results file without re-running anything."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import InvalidArgument
from .arguments import EXIT_GATE_FAILED, EXIT_OK

__all__ = ["cmd_report", "cmd_gate", "diff_lines"]


def diff_lines(results: dict, baseline_path: Path | None) -> list[str] | None:
    """The gate's change table against a baseline file, for the report (None without one)."""
    if baseline_path is None:
        return None
    from ..output.gate import evaluate
    from ..output.results import read_results

    return evaluate(results, read_results(baseline_path)).table()


def cmd_report(args: argparse.Namespace) -> int:
    from ..output.files import atomic_write_text, check_target
    from ..output.report import Links, render
    from ..output.results import read_results

    results = read_results(args.results)
    target = check_target(args.out or args.results.with_name("report.md"), "--out")
    if target.resolve() == args.results.resolve():
        raise InvalidArgument(f"--out {target} is the results file itself; the report goes to another file")
    here = target.resolve().parent
    plots = os.path.relpath(args.results.resolve().parent, here).replace(os.sep, "/")
    links = Links(plots="" if plots == "." else plots,
                  results=os.path.relpath(args.results.resolve(), here).replace(os.sep, "/"))
    atomic_write_text(target, render(results, diff_lines(results, args.baseline), links), "report")
    print(f"wrote {target}")
    return EXIT_OK


def cmd_gate(args: argparse.Namespace) -> int:
    from ..output.files import check_target
    from ..output.gate import evaluate
    from ..output.results import read_results, write_json

    results = read_results(args.results)
    baseline = read_results(args.baseline) if args.baseline else None
    if args.accept_change and baseline is None:
        raise InvalidArgument("--accept-change needs --baseline: changes are judged against a baseline")
    if args.update_baseline is not None:
        check_target(args.update_baseline, "--update-baseline")   # refuse before judging, not after
    report = evaluate(results, baseline, allow_skipped=args.allow_skipped, allow_inconclusive=args.allow_inconclusive,
                      accept_changes=frozenset(args.accept_change))
    if baseline is not None:
        print("\n".join(report.table()))
    s = results["summary"]
    print(f"gate: {s['verified']}/{s['theorems']} verified, controls refuted {s['controls_refuted']}/{s['controls_total']}")
    for notice in report.notices:
        print(f"NOTE {notice}")
    for problem in report.problems:
        print(f"FAIL {problem}")
    if not report.passed:
        print(f"gate: FAILED ({len(report.problems)} problem{'s' if len(report.problems) != 1 else ''})")
        return EXIT_GATE_FAILED
    if args.update_baseline is not None:
        write_json(results, args.update_baseline, "baseline")
        print(f"gate: baseline updated: {args.update_baseline}")
    print("gate: passed")
    return EXIT_OK
