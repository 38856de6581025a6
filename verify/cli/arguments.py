"""The command line's grammar: argument types that reject bad values in one line, and the parser."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__

__all__ = ["EXIT_OK", "EXIT_GATE_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED", "build_parser"]

EXIT_OK, EXIT_GATE_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROFILE_NAMES = ("ci", "default", "thorough")   # verify.checking.profiles.PROFILES (not imported: start-up stays fast)


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
                                   "Writes DIR/report.md, DIR/results.json and DIR/plots/ (replacing an earlier run's "
                                   "report and plots in DIR, with a notice). Ctrl-C or SIGTERM abandons the running "
                                   "check within seconds and writes a report of what finished, marked PARTIAL. "
                                   "Exit code: 0 if the run completed (use `verify gate` to judge it), 130 if "
                                   "interrupted.")
    p.add_argument("theorems", nargs="*", metavar="ID", help="theorem ids or globs (default: all)")
    p.add_argument("--profile", default="default", choices=PROFILE_NAMES,
                   help="evidence budget: ci: few examples, small sweeps, derandomized, for CI gates (≈ 3 min); "
                        "default: the report to read (≈ 15 min); thorough: full sweeps and many seeds (≈ 1 h on 2 "
                        "cores) (default: %(default)s)")
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
    p.add_argument("--jobs", type=positive_int, metavar="N",
                   help="run N theorems at a time in separate processes (default: one per available core; 1 with "
                        "--workers/--scheduler, which spread sweep points instead); results equal the serial run's")
    p.add_argument("--threads", type=positive_int, metavar="N",
                   help="BLAS/OpenMP/torch threads per process (default: 1 when jobs or dask workers share the "
                        "cores, else one per available core)")

    p = sub.add_parser("mutate", help="plant the catalogue's mathematical bugs and show which checks see them",
                       description="Mutation analysis: each catalogued mutant (a layer gradient ×1.01, an exponent "
                                   "shifted by 1/N, arb at 53 bits, divergence detection off, a CI halved, …) is "
                                   "planted in-process and the theorems that execute the mutated code are re-run "
                                   "(found by a probe run), plus the mutant's unit-test files. Writes "
                                   "DIR/mutation.md (the kill matrix and scores) and DIR/mutation.json. Exit 0 if "
                                   "every mutant is killed by a check or a test, 1 if one survives, 130 if "
                                   "interrupted. Add a theorem? Run `verify mutate YOUR.ID` and read its column.")
    p.add_argument("theorems", nargs="*", metavar="ID", help="theorem ids or globs (default: all)")
    p.add_argument("--mutants", type=lambda t: [x for x in t.split(",") if x], metavar="M1,M2",
                   help="only these mutants (default: the whole catalogue; see --list)")
    p.add_argument("--list", action="store_true", help="print the catalogue and exit")
    p.add_argument("--profile", default="ci", choices=PROFILE_NAMES, help="profile of the re-runs (default: %(default)s)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed (default: %(default)s)")
    p.add_argument("--workers", type=positive_int, default=2, metavar="N",
                   help="mutants run in N worker processes at a time (default: %(default)s)")
    p.add_argument("--no-tests", action="store_true", help="do not run the mutants' unit-test files")
    p.add_argument("--out", type=Path, default=Path("reports/mutation"), metavar="DIR",
                   help="output directory (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--full-matrix", action="store_true",
                   help="run every theorem that executes a mutant (default: stop at the first theorem that sees it, "
                        "cheapest first; the matrix then shows – for the skipped ones)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--limits", help=argparse.SUPPRESS)
    p.add_argument("--baseline-outcomes", help=argparse.SUPPRESS)

    p = sub.add_parser("replay", help="re-run a theorem's property on one recorded example",
                       description="Re-run the property on one example from a results file: TARGET is ID@K (the "
                                   "K-th generated example, numbered in the report), ID@counterexample (the shrunk "
                                   "counterexample), or the same for a control: 'ID[control:CID]@K'. --case gives "
                                   "the example's description as JSON instead: the same keys as the report's example "
                                   "table (for network cases dims, data and seeds; edit a value to explore). Exit 0 if "
                                   "the property holds on the example, 1 if it fails — which is the expected outcome "
                                   "when replaying a control's counterexample.")
    p.add_argument("target", metavar="TARGET", help="ID@K, ID@counterexample, 'ID[control:CID]@K', or ID with --case")
    p.add_argument("--results", type=Path, default=Path("reports/results.json"), metavar="FILE",
                   help="results file holding the examples (default: %(default)s)")
    p.add_argument("--case", metavar="JSON", help="the example's description as JSON (instead of @K)")

    p = sub.add_parser("report", help="re-render report.md from a results.json without re-running",
                       description="Re-render the markdown report from a results file (plots are referenced "
                                   "relative to it).")
    p.add_argument("results", type=Path, metavar="RESULTS_JSON")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="where to write (default: report.md beside the results; never the results file itself)")
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


