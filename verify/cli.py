"""The `verify` command line: list, show, run, report, gate."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Iterator, Sequence

from . import __version__
from .errors import DataError, InvalidArgument
from .output.results import ResultsError, read_results, write_json

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_GATE_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports bad flags in one line (plus where to get help), exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def seed_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed {text!r} is not an integer") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"--seed {value} must be in [0, 2^32)")
    return value


def seed_range(text: str) -> list[int]:
    """'0-9' or '3,5,8' or '0-4,10' → sorted distinct seeds."""
    seeds: set[int] = set()
    for part in text.split(","):
        low, sep, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high if sep else low)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--seeds {text!r} must look like 0-9 or 1,4,7") from None
        if not 0 <= first <= last < 2**32 or last - first >= 1000:
            raise argparse.ArgumentTypeError(f"--seeds {part.strip()!r} must be an increasing range within [0, 2^32) "
                                             "of at most 1000 seeds")
        seeds.update(range(first, last + 1))
    if len(seeds) > 1000:
        raise argparse.ArgumentTypeError(f"--seeds {text!r} names {len(seeds)} seeds; at most 1000")
    return sorted(seeds)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be ≥ 1")
    return value


def accepted_change(text: str) -> str:
    theorem, sep, name = text.partition(":")
    if not sep or not theorem or not name:
        raise argparse.ArgumentTypeError(f"--accept-change {text!r} must be ID:NAME, e.g. 'sharp2023.rate:RATE_C'")
    return text


def build_parser() -> argparse.ArgumentParser:
    from .checking.profiles import PROFILES

    parser = OneLineParser(
        prog="verify",
        description="dlverify: check theorems about gradient descent on deep linear networks as falsifiable "
                    "properties, with negative controls, and write a markdown report plus results.json.",
        epilog="Typical use: `verify run` (default profile, writes reports/report.md and reports/results.json), "
               "then `verify gate reports/results.json`. Each command has --help.")
    parser.add_argument("--version", action="version", version=f"dlverify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    p = sub.add_parser("list", help="list the registered theorems and their negative controls",
                       description="List registered theorems (id, certification level, paper) and their controls.")
    p.add_argument("patterns", nargs="*", metavar="ID", help="theorem ids or globs, e.g. 'arora2018.*'")
    p.add_argument("--controls", action="store_true", help="also list each negative control's false statement")

    p = sub.add_parser("show", help="print one theorem's statement, hypotheses, conclusion and controls")
    p.add_argument("theorem", metavar="ID")

    p = sub.add_parser("run", help="run theorems and controls; write DIR/report.md and DIR/results.json",
                       description="Run the selected theorems (all if none given) with their negative controls. "
                                   "Writes DIR/report.md, DIR/results.json and DIR/plots/. Ctrl-C (or SIGTERM) "
                                   "abandons the running check and writes a report of what finished, marked PARTIAL. "
                                   "Exit code: "
                                   "0 if the run completed (use `verify gate` to judge it), 130 if interrupted.")
    p.add_argument("theorems", nargs="*", metavar="ID", help="theorem ids or globs (default: all)")
    p.add_argument("--profile", default="default", choices=sorted(PROFILES),
                   help="evidence budget: " + "; ".join(f"{k}: {v.description}" for k, v in PROFILES.items())
                        + " (default: %(default)s)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed for every random choice (default: %(default)s)")
    p.add_argument("--seeds", type=seed_range, metavar="LIST",
                   help="run the selection once per seed (e.g. 0-9 or 1,4,7), each into DIR/seed-K/, and write "
                        "DIR/stability.md: how many seeds verified each theorem and refuted each control")
    p.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="output directory (default: %(default)s)")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="a previous results.json: add a 'changes against the baseline' section to the report")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="run sweep points on a local dask cluster of N single-threaded worker processes "
                        "(needs the dask extra); results are identical to the serial run")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run sweep points on an existing dask cluster, e.g. tcp://host:8786")

    p = sub.add_parser("replay", help="re-run a theorem's property on one recorded example",
                       description="Re-run the property on one example from a results file: TARGET is ID@K (the "
                                   "K-th generated example, numbered in the report), ID@counterexample (the shrunk "
                                   "counterexample), or the same for a control: 'ID[control:CID]@K'. --case gives "
                                   "the example's description as JSON instead (edit it to explore). Exit 0 if the "
                                   "property holds on the example, 1 if it fails.")
    p.add_argument("target", metavar="TARGET", help="ID@K, ID@counterexample, 'ID[control:CID]@K', or ID with --case")
    p.add_argument("--results", type=Path, default=Path("reports/results.json"), metavar="FILE",
                   help="results file holding the examples (default: %(default)s)")
    p.add_argument("--case", metavar="JSON", help="the example's description as JSON (instead of @K)")

    p = sub.add_parser("report", help="re-render report.md from a results.json without re-running",
                       description="Re-render the markdown report from a results file (plots are referenced "
                                   "relative to it).")
    p.add_argument("results", type=Path, metavar="RESULTS_JSON")
    p.add_argument("--out", type=Path, metavar="FILE", help="where to write (default: report.md beside the results)")
    p.add_argument("--baseline", type=Path, metavar="FILE", help="add a diff section against this results file")

    p = sub.add_parser("gate", help="exit non-zero if the results should block a merge",
                       description="Fail (exit 1) if the run is partial, a theorem is falsified or errored, a "
                                   "negative control was not refuted, is dependent (only re-read its theorem's sweep) "
                                   "or is missing, a check was skipped (unless --allow-skipped) or inconclusive "
                                   "(unless --allow-inconclusive), or — with --baseline — a verdict regressed, a check "
                                   "disappeared, a gated measurement moved beyond its tolerance, or the ratchet "
                                   "tripped: a constant or tolerance changed value or an acceptance band widened "
                                   "by more than 10%% (accept one with --accept-change ID:NAME, as the message says). "
                                   "Prints what changed. Exit 2 on unreadable or malformed input (the whole file is "
                                   "validated against the results schema); the summary counts are recomputed, never "
                                   "trusted.")
    p.add_argument("results", type=Path, metavar="RESULTS_JSON")
    p.add_argument("--baseline", type=Path, metavar="FILE", help="results.json of a known-good run")
    p.add_argument("--update-baseline", type=Path, metavar="FILE",
                   help="if the gate passes, write RESULTS_JSON to FILE atomically as the new baseline")
    p.add_argument("--allow-skipped", action="store_true",
                   help="accept checks skipped for a missing optional extra (listed, not failed)")
    p.add_argument("--allow-inconclusive", action="store_true",
                   help="accept inconclusive theorems and controls (listed, not failed)")
    p.add_argument("--accept-change", action="append", default=[], metavar="ID:NAME", type=accepted_change,
                   help="accept a changed constant, tolerance or widened band against the baseline "
                        "(repeatable; the gate prints the exact flag to use)")
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    from .checking.registry import select
    from .output.report import short_source

    for t in select(args.patterns):
        print(f"{t.id:34s} {t.certification.value:11s} {len(t.controls)} controls  {short_source(t.source)}")
        if args.controls:
            for c in t.controls:
                print(f"    control {c.id}: {c.statement}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .checking.registry import get

    t = get(args.theorem)
    print(f"{t.id}: {t.title}\nsource: {t.source}\ncertification: {t.certification.value}\n")
    print(f"statement: {t.statement}\n\nhypotheses:")
    for h in t.hypotheses:
        print(f"  - {h}")
    print(f"\nconclusion checked: {t.conclusion}\n\nnegative controls (false statements that must be refuted):")
    for c in t.controls:
        print(f"  - {c.id}: {c.statement}")
    if t.constants:
        print("\nunspecified constants (our choices):")
        for k, v in t.constants.items():
            print(f"  - {k}: {v}")
    return EXIT_OK


def _diff_lines(results: dict, baseline_path: Path | None) -> list[str] | None:
    if baseline_path is None:
        return None
    from .output.gate import evaluate

    return evaluate(results, read_results(baseline_path)).table()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a CI timeout, `kill`) like Ctrl-C while a run is going: the report of what
    finished is still written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .checking.profiles import get_profile
    from .checking.registry import select
    from .checking.runner import run_theorems
    from .output.progress import make_progress
    from .output.report import render

    theorems = select(args.theorems)
    if args.baseline is not None:
        read_results(args.baseline)  # fail early on a bad baseline, before a long run
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise InvalidArgument(f"--out {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    command = "verify " + " ".join(shlex.quote(a) for a in argv)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_sigterm_as_interrupt())
        mapper, executor = None, "serial"
        if args.workers is not None or args.scheduler is not None:
            from .checking.parallel import dask_mapper

            mapper = stack.enter_context(dask_mapper(args.workers, args.scheduler))
            executor = f"dask scheduler {args.scheduler}" if args.scheduler else f"dask LocalCluster, {args.workers} workers"
        runs = {}
        for seed in args.seeds or [args.seed]:
            where = out / f"seed-{seed}" if args.seeds else out
            where.mkdir(parents=True, exist_ok=True)
            results = run_theorems(theorems, get_profile(args.profile), seed, where, progress=make_progress(args.quiet),
                                   command=command, mapper=mapper, executor=executor)
            write_json(results, where / "results.json")
            (where / "report.md").write_text(render(results, _diff_lines(results, args.baseline)), encoding="utf-8")
            _print_summary(results, where / "report.md", seed if args.seeds else None)
            runs[seed] = results
            if results["partial"]:
                break
    if args.seeds:
        from .output.stability import render_stability, stability

        table = stability(runs)
        write_json(table, out / "stability.json")
        (out / "stability.md").write_text(render_stability(table), encoding="utf-8")
        print(f"seed stability: {out / 'stability.md'}")
    return EXIT_INTERRUPTED if any(r["partial"] for r in runs.values()) else EXIT_OK


def _print_summary(results: dict, report: Path, seed: int | None) -> None:
    s = results["summary"]
    print(f"{'PARTIAL: ' if results['partial'] else ''}{'' if seed is None else f'seed {seed}: '}"
          f"{s['verified']}/{s['theorems']} verified, {s['falsified']} falsified, {s['inconclusive']} inconclusive, "
          f"{s['error']} errors, {s['skipped']} skipped; controls refuted {s['controls_refuted']}/{s['controls_total']}"
          f"{' (' + str(s['controls_dependent']) + ' dependent)' if s.get('controls_dependent') else ''}. "
          f"Report: {report}")


def parse_target(target: str) -> tuple[str, str | None, str | None]:
    """'ID[control:CID]@K' → (ID, CID or None, K or None)."""
    check, _, example = target.partition("@")
    control = None
    if check.endswith("]") and "[control:" in check:
        check, _, control = check[:-1].partition("[control:")
    return check, control, example or None


def cmd_replay(args: argparse.Namespace) -> int:
    import json

    from .checking.property import PropertyFailure
    from .checking.registry import get

    theorem_id, control_id, example = parse_target(args.target)
    theorem = get(theorem_id)
    control = theorem.control(control_id) if control_id else None
    replay = (control or theorem).replay
    label = theorem_id + (f"[control:{control_id}]" if control_id else "")
    if replay is None:
        raise InvalidArgument(f"{label} has no single-example replay; its whole check is deterministic: re-run it "
                              f"with `verify run {theorem_id} --profile P --seed S` (see the report's Reproduce line)")
    if args.case is not None:
        try:
            case = json.loads(args.case)
        except json.JSONDecodeError as exc:
            raise InvalidArgument(f"--case is not valid JSON ({exc})") from None
    else:
        if example is None:
            raise InvalidArgument(f"target {args.target!r} names no example: use ID@K, ID@counterexample or --case")
        case = recorded_example(read_results(args.results), theorem_id, control_id, example, args.results)
    print(f"replaying {label} on {json.dumps(case)}")
    try:
        measured = replay(case)
    except PropertyFailure as exc:
        print(f"property FAILS on this example: {exc}")
        print(json.dumps(exc.measured, default=repr, indent=2))
        return EXIT_GATE_FAILED
    except TypeError as exc:
        raise InvalidArgument(f"the example description does not fit {label}: {exc}") from None
    print(json.dumps(measured, default=repr, indent=2))
    print("property holds on this example")
    return EXIT_OK


def recorded_example(results: dict, theorem_id: str, control_id: str | None, example: str, path: Path) -> dict:
    """The description of example ``example`` (an index or 'counterexample') of a check in ``results``."""
    record = next((t for t in results["theorems"] if t["id"] == theorem_id), None)
    if record is None:
        raise InvalidArgument(f"{path} has no results for {theorem_id!r}")
    if control_id is not None:
        record = next((c for c in record["controls"] if c["id"] == control_id), None)
        if record is None:
            raise InvalidArgument(f"{path} has no results for control {control_id!r} of {theorem_id!r}")
    if example == "counterexample":
        if not record.get("counterexample") or "case" not in record["counterexample"]:
            raise InvalidArgument(f"{path}: this check recorded no counterexample")
        return record["counterexample"]["case"]
    examples = record.get("examples", [])
    if not examples:
        raise InvalidArgument(f"{path}: this check recorded no examples; try @counterexample or --case")
    if not re.fullmatch(r"[0-9]+", example) or int(example) >= len(examples):
        raise InvalidArgument(f"example {example!r} must be 'counterexample' or an index 0..{len(examples) - 1}")
    return examples[int(example)]


def cmd_report(args: argparse.Namespace) -> int:
    from .output.report import Links, render

    results = read_results(args.results)
    target = args.out or args.results.with_name("report.md")
    here = target.resolve().parent
    plots = os.path.relpath(args.results.resolve().parent, here).replace(os.sep, "/")
    links = Links(plots="" if plots == "." else plots,
                  results=os.path.relpath(args.results.resolve(), here).replace(os.sep, "/"))
    target.write_text(render(results, _diff_lines(results, args.baseline), links), encoding="utf-8")
    print(f"wrote {target}")
    return EXIT_OK


def cmd_gate(args: argparse.Namespace) -> int:
    from .output.gate import evaluate

    results = read_results(args.results)
    baseline = read_results(args.baseline) if args.baseline else None
    if args.accept_change and baseline is None:
        raise InvalidArgument("--accept-change needs --baseline: changes are judged against a baseline")
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
        print(f"gate: FAILED ({len(report.problems)} problem(s))")
        return EXIT_GATE_FAILED
    if args.update_baseline is not None:
        write_json(results, args.update_baseline)
        print(f"gate: baseline updated: {args.update_baseline}")
    print("gate: passed")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "list":
            return cmd_list(args)
        if args.command == "show":
            return cmd_show(args)
        if args.command == "run":
            return cmd_run(args, argv)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "replay":
            return cmd_replay(args)
        return cmd_gate(args)
    except (InvalidArgument, DataError, ResultsError, OSError) as exc:
        print(f"verify {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"verify {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
