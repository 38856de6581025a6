"""`verify run`: run theorems and controls, write results.json, report.md and plots (or, with
--seeds, one such directory per seed and a stability table).

Interruption: `verify.checking.interruption` is installed by `verify.cli.main` before anything heavy
is imported; a signal at any moment — during start-up, a check, a dask gather — ends in a
report marked PARTIAL naming the signal (exit 130).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import time
from pathlib import Path
from typing import Any, Sequence

from ..checking import interruption
from ..errors import InvalidArgument
from .arguments import EXIT_INTERRUPTED, EXIT_OK

__all__ = ["cmd_run", "set_threads", "hypothesis_home"]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def set_threads(args: argparse.Namespace) -> int:
    """Jobs and threads, decided before numpy or torch is imported. Jobs: --jobs, else 1 if sweep
    points go to dask workers, else one per available core. Threads per process: --threads, else 1
    when jobs or workers share the cores, else one per core. An explicit environment variable wins
    over the default thread count."""
    distributed = args.workers is not None or args.scheduler is not None
    cores = available_cores()
    args.jobs = args.jobs or (1 if distributed else cores)
    threads = args.threads or (1 if distributed or args.jobs > 1 else cores)
    for name in THREAD_VARIABLES:
        if args.threads is not None or name not in os.environ:
            os.environ[name] = str(threads)
    return threads


def cache_dir() -> Path:
    """~/.cache/dlverify (or $XDG_CACHE_HOME/dlverify): hypothesis' database and the timing memory."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlverify"


def hypothesis_home() -> None:
    """Keep hypothesis' cache out of the user's working directory (it would create ./.hypothesis)."""
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(cache_dir() / "hypothesis")


def cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Everything heavy is imported inside the ``try``: a signal during start-up is a partial report too."""
    started = time.perf_counter()
    out: Path = args.out
    command = "verify " + " ".join(shlex.quote(a) for a in argv)
    selection: list[str] = list(args.theorems) or ["(all theorems: interrupted before they were loaded)"]
    runs: dict[int, dict[str, Any]] = {}   # filled by run_seeds as each seed finishes
    try:
        from ..checking.registry import select
        from ..errors import InvalidArgument
        from ..output.results import read_results

        if out.exists() and not out.is_dir():
            raise InvalidArgument(f"--out {out} exists and is not a directory")

        hypothesis_home()
        theorems = select(args.theorems)
        selection = [t.id for t in theorems]
        if args.baseline is not None:
            read_results(args.baseline)  # fail early on a bad baseline, before a long run
        run_seeds(args, theorems, out, command, runs)
    except Exception:
        if interruption.signal_name() is None:
            raise
        interrupted_start(args, out, runs, selection, command, started)   # a signal turned into another exception
    except KeyboardInterrupt:   # during start-up or between runs: the seed that did not run gets a partial report
        interrupted_start(args, out, runs, selection, command, started)
    if args.seeds:
        write_stability(runs, out)
    return EXIT_INTERRUPTED if any(r["partial"] for r in runs.values()) else EXIT_OK


def interrupted_start(args: argparse.Namespace, out: Path, runs: dict[int, dict[str, Any]], selection: list[str],
                      command: str, started: float) -> None:
    """A signal outside a run (start-up, between seeds): the seed that did not run gets a partial report.
    (A signal during an import may surface as another exception: a C extension's module init turns
    the KeyboardInterrupt into "ImportError: initialization failed".)"""
    interruption.acknowledge()
    from ..checking.runner import results_document

    seed = next((s for s in args.seeds or [args.seed] if s not in runs), None)
    if seed is not None:
        where = out / f"seed-{seed}" if args.seeds else out
        results = results_document(selection, [], profile=args.profile, seed=seed, partial=True, command=command,
                                   seconds=time.perf_counter() - started)
        write_outputs(results, where, args.baseline)
        runs[seed] = results


def run_seeds(args: argparse.Namespace, theorems: list, out: Path, command: str, runs: dict[int, dict[str, Any]]) -> None:
    """Run the selection once per seed (one seed without --seeds) into ``runs``; stop after a partial run."""
    from ..checking.profiles import get_profile
    from ..checking.runner import run_theorems
    from ..output.progress import make_progress

    with contextlib.ExitStack() as stack:
        mapper, executor = None, "serial"
        if args.workers is not None or args.scheduler is not None:
            from ..checking.parallel import dask_mapper

            mapper = stack.enter_context(dask_mapper(args.workers, args.scheduler))
            executor = f"dask scheduler {args.scheduler}" if args.scheduler else f"dask LocalCluster, {args.workers} workers"
        for seed in args.seeds or [args.seed]:
            where = out / f"seed-{seed}" if args.seeds else out
            where.mkdir(parents=True, exist_ok=True)
            previous = earlier_results(where)
            history = check_times(previous, args.profile) or remembered_times(args.profile)
            results = run_theorems(theorems, get_profile(args.profile), seed, where,
                                   progress=make_progress(args.quiet, history), command=command, mapper=mapper,
                                   executor=executor, jobs=args.jobs, expected=history)
            with interruption.shielded():   # a finished run's files are written whole; a signal stops the next seed
                write_outputs(results, where, args.baseline, previous)
                remember_times(results, args.profile)
                runs[seed] = results
            if results["partial"]:
                break


def earlier_results(where: Path) -> dict[str, Any] | None:
    """The results.json an earlier run left in ``where`` (None if absent or unreadable)."""
    from ..output.results import ResultsError, read_results

    try:
        return read_results(where / "results.json") if (where / "results.json").is_file() else None
    except ResultsError:
        return None


def check_times(results: dict[str, Any] | None, profile: str) -> dict[str, float] | None:
    """check id → seconds from an earlier run of the same profile (for the ETA)."""
    if results is None or results["run"].get("profile") != profile or results.get("partial"):
        return None
    times = {}
    for t in results["theorems"]:
        times[t["id"]] = float(t["seconds"])
        times.update({f"{t['id']}[control:{c['id']}]": float(c["seconds"]) for c in t["controls"]})
    return times


def remembered_times(profile: str) -> dict[str, float] | None:
    """check id → seconds of this profile's last complete run on this machine, in any output
    directory: a first run into a new directory still starts its longest theorems first."""
    try:
        times = json.loads((cache_dir() / f"timings-{profile}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(times, dict) and all(isinstance(v, (int, float)) for v in times.values())
    return {str(k): float(v) for k, v in times.items()} if valid and times else None


def remember_times(results: dict[str, Any], profile: str) -> None:
    """Merge a complete run's check times into the machine's timing memory (best effort)."""
    times = check_times(results, profile)
    if not times:
        return
    try:
        from ..output.files import atomic_write_text

        cache_dir().mkdir(parents=True, exist_ok=True)
        merged = {**(remembered_times(profile) or {}), **times}
        atomic_write_text(cache_dir() / f"timings-{profile}.json", json.dumps(merged, indent=0), "timing memory")
    except (OSError, InvalidArgument):
        pass   # an unwritable cache only costs the scheduling order of the next first run


def write_outputs(results: dict[str, Any], where: Path, baseline: Path | None,
                  previous: dict[str, Any] | None = None) -> None:
    """results.json and report.md, atomically; an earlier run's plots that this run did not
    redraw are removed, and replacing a report of other theorems is said aloud."""
    import sys

    from ..output.files import atomic_write_text
    from ..output.report import plural, render
    from ..output.results import write_json
    from .judge import diff_lines

    write_json(results, where / "results.json")
    atomic_write_text(where / "report.md", render(results, diff_lines(results, baseline)), "report")
    if previous is not None:
        old_ids = [t["id"] for t in previous["theorems"]]
        if sorted(old_ids) != sorted(results["run"]["selection"]):
            print(f"note: replaced the report of {plural(len(old_ids), 'theorem')} in {where} with this run's "
                  f"{len(results['run']['selection'])}", file=sys.stderr)
        for stale in sorted(plot_files(previous) - plot_files(results)):
            (where / stale).unlink(missing_ok=True)
    print_summary(results, where / "report.md")


def plot_files(results: dict[str, Any]) -> set[str]:
    """Every plot path a results document references (relative to its directory)."""
    return {p for t in results["theorems"] for p in [*t.get("plots", []),
                                                    *(q for c in t["controls"] for q in c.get("plots", []))]}


def print_summary(results: dict[str, Any], report: Path) -> None:
    s = results["summary"]
    seed = results["run"]["seed"]
    signal_name = results.get("interrupted_by") or "a signal"
    print(f"{f'PARTIAL (interrupted by {signal_name}): ' if results['partial'] else ''}seed {seed}: "
          f"{s['verified']}/{s['theorems']} verified, {s['falsified']} falsified, {s['inconclusive']} inconclusive, "
          f"{s['error']} errors, {s['skipped']} skipped; controls refuted {s['controls_refuted']}/{s['controls_total']}"
          f"{' (' + str(s['controls_dependent']) + ' dependent)' if s.get('controls_dependent') else ''}. "
          f"Report: {report}")


def write_stability(runs: dict[int, dict[str, Any]], out: Path) -> None:
    from ..output.files import atomic_write_text
    from ..output.results import write_json
    from ..output.stability import render_stability, stability

    table = stability(runs)
    write_json(table, out / "stability.json", "stability file")
    atomic_write_text(out / "stability.md", render_stability(table), "stability report")
    print(f"seed stability: {out / 'stability.md'}")
