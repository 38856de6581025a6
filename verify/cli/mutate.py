"""`verify mutate`: plant each catalogued bug and see which checks notice (the kill matrix).

1. A probe run of the selected theorems on the unmutated code (split over the workers) records,
   per theorem, which mutant targets it executes, its outcome (expected failures stay falsified)
   and its time.
2. Each mutant runs in a fresh worker process against the theorems that execute its target,
   cheapest first, each with a time limit of max(20 s, 4× its unmutated time), stopping at the
   first theorem that sees it (``--full-matrix``: all of them); its unit-test files run under
   pytest with ``--dlverify-mutant``. Workers share the cores: one BLAS thread each.
3. mutation.json and mutation.md (`verify.output.mutation_report`) are written to --out.

Workers are this same command with the hidden ``--worker`` flag; each prints one JSON line.
Exit 0 when every mutant is killed by some check or test, 1 if one survives everything.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..checking import interruption
from ..errors import InvalidArgument
from .arguments import EXIT_GATE_FAILED, EXIT_INTERRUPTED, EXIT_OK
from .run import THREAD_VARIABLES

__all__ = ["cmd_mutate"]

ROOT = Path(__file__).resolve().parents[2]
_LIVE: set[subprocess.Popen] = set()   # worker processes, terminated on Ctrl-C/SIGTERM
MIN_LIMIT_SECONDS, LIMIT_FACTOR = 20.0, 4.0   # a mutated theorem's time limit: max(20 s, 4× unmutated)


def _run(command: list[str]) -> tuple[int, str, str]:
    """Run a worker process; it is killed if this process is interrupted meanwhile."""
    env = {**os.environ, **{name: "1" for name in THREAD_VARIABLES}}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    _LIVE.add(proc)
    try:
        out, err = proc.communicate()
    finally:
        _LIVE.discard(proc)
    return proc.returncode, out, err


def cmd_mutate(args: argparse.Namespace) -> int:
    from ..checking.mutation import CATALOGUE, mutant

    if args.list:
        for m in CATALOGUE:
            print(f"{m.id:28s} {m.description}  [{m.target}]")
        return EXIT_OK
    if args.worker is not None:
        return _worker(args)
    from ..checking.registry import select

    started = time.perf_counter()
    theorems = [t.id for t in select(args.theorems)]
    mutants = [mutant(i) for i in args.mutants] if args.mutants else list(CATALOGUE)
    doc: dict[str, Any] = {"schema": "dlverify.mutation", "profile": args.profile, "seed": args.seed, "seconds": 0.0,
                           "partial": False, "theorems": theorems, "baseline": {}, "mutants": []}
    pool = concurrent.futures.ThreadPoolExecutor(args.workers)
    try:
        with pool:
            calls = _probe(pool, theorems, args)
            doc["baseline"] = {t: calls[t]["verdict"] for t in theorems}
            doc["baseline_seconds"] = {t: calls[t]["seconds"] for t in theorems}
            limits = {t: round(max(MIN_LIMIT_SECONDS, LIMIT_FACTOR * calls[t]["seconds"]), 1) for t in theorems}
            by_cost = sorted(theorems, key=lambda t: calls[t]["seconds"])
            jobs = {}
            for m in mutants:
                executed_by = [t for t in by_cost if calls[t]["calls"].get(m.target, 0) > 0]
                record = {"id": m.id, "description": m.description, "target": m.target, "executed_by": executed_by,
                          "theorems": {}, "tests": "not run", "tests_run": list(m.tests) if not args.no_tests else []}
                doc["mutants"].append(record)
                if executed_by:
                    extra = ["--worker", m.id, "--limits", json.dumps({t: limits[t] for t in executed_by}), *executed_by]
                    if not args.full_matrix:
                        extra[2:2] = ["--baseline-outcomes", json.dumps({t: doc["baseline"][t] for t in executed_by})]
                    jobs[pool.submit(_worker_call, args, extra)] = (record, "theorems")
                if record["tests_run"]:
                    jobs[pool.submit(_pytest_call, m.id, record["tests_run"])] = (record, "tests")
            for done, job in enumerate(concurrent.futures.as_completed(jobs), 1):
                record, part = jobs[job]
                if part == "theorems":
                    record["theorems"] = job.result()["theorems"]
                else:
                    record["tests"] = job.result()
                if not args.quiet:
                    print(f"[{done}/{len(jobs)}] {record['id']} {part}: "
                          f"{record['theorems'] if part == 'theorems' else record['tests']}", file=sys.stderr)
    except KeyboardInterrupt:
        interruption.acknowledge()
        doc["partial"] = True
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(_LIVE):
            proc.kill()
    doc["seconds"] = round(time.perf_counter() - started, 1)
    return _write(doc, args.out)


def _write(doc: dict[str, Any], out: Path) -> int:
    from ..output.files import atomic_write_text
    from ..output.mutation_report import render_mutation, scores
    from ..output.results import write_json

    out.mkdir(parents=True, exist_ok=True)
    write_json(doc, out / "mutation.json", "mutation results")
    atomic_write_text(out / "mutation.md", render_mutation(doc), "mutation report")
    s = scores(doc)
    print(f"{'PARTIAL: ' if doc['partial'] else ''}mutation score {s['killed']}/{s['mutants']}; theorem checks alone "
          f"{s['killed_by_theorems']}/{s['exercised']} of the exercised mutants; {doc['seconds']:.0f} s. "
          f"Report: {out / 'mutation.md'}")
    if doc["partial"]:
        return EXIT_INTERRUPTED
    return EXIT_GATE_FAILED if s["survivors"] else EXIT_OK


def _probe(pool: concurrent.futures.Executor, theorems: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """theorem → {verdict, calls{target: n}} on the unmutated code, the theorems split over the workers."""
    shares = [theorems[k::args.workers] for k in range(args.workers)]
    results: dict[str, Any] = {}
    for part in pool.map(lambda share: _worker_call(args, ["--worker", "probe", *share]) if share else {"probe": {}},
                         shares):
        results.update(part["probe"])
    return results


def _worker_call(args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "verify", "mutate", "--profile", args.profile, "--seed", str(args.seed), *extra]
    code, out, err = _run(command)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if code != 0 or not lines:
        raise RuntimeError(f"mutation worker {' '.join(extra[:2])} failed (exit {code}): "
                           f"{err.strip().splitlines()[-1] if err.strip() else ''}")
    return json.loads(lines[-1])


def _pytest_call(mutant_id: str, tests: list[str]) -> str:
    code, _, _ = _run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                       f"--dlverify-mutant={mutant_id}", *tests])
    return {0: "survived", 1: "killed"}.get(code, f"pytest exit {code}")


def _worker(args: argparse.Namespace) -> int:
    """One worker: ``probe THEOREM...`` or ``MUTANT THEOREM...``; prints one JSON line."""
    from ..checking.mutation import CATALOGUE, mutant, probe, run_mutant
    from .run import hypothesis_home

    hypothesis_home()
    if args.worker == "probe":
        found = {}
        targets = sorted({m.target for m in CATALOGUE})
        for theorem_id in args.theorems:
            started = time.perf_counter()
            with probe(targets) as counts:
                verdict = run_mutant(None, [theorem_id], args.profile, args.seed)[theorem_id]
            found[theorem_id] = {"verdict": verdict, "calls": {t: n for t, n in counts.items() if n},
                                 "seconds": round(time.perf_counter() - started, 2)}
        print(json.dumps({"probe": found}))
        return EXIT_OK
    limits = _json_object(args.limits, "--limits") if args.limits else None
    if limits is not None and not all(isinstance(v, (int, float)) and v > 0 for v in limits.values()):
        raise InvalidArgument(f"--limits needs positive seconds per theorem; got {args.limits[:80]!r}")
    unmutated = _json_object(args.baseline_outcomes, "--baseline-outcomes") if args.baseline_outcomes else None
    print(json.dumps({"theorems": run_mutant(mutant(args.worker), args.theorems, args.profile, args.seed,
                                             limits=limits, stop_on_change_from=unmutated)}))
    return EXIT_OK


def _json_object(text: str, flag: str) -> dict[str, Any]:
    """A worker flag's JSON object (theorem id → value), or a one-line error naming the flag."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidArgument(f"{flag} needs a JSON object of theorem id → value; got {text[:80]!r}")
    return value
