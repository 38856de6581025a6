"""B6: the thorough profile end to end — wall time, verdicts and peak memory of the whole process tree.

Runs ``python -m verify run --profile thorough --workers 2 --out DIR`` as a child process and
samples, every second, the resident memory (VmRSS from /proc) of that process and all of its
descendants (the dask nanny and worker processes included). The peak of that sum is the figure
issue 8 bounds by 4 GiB; it over-counts pages shared between processes (libraries), so it is an
upper bound on the run's physical memory. The largest single process (ru_maxrss) is reported too.
Takes hours on 2 cores; run it alone: ``python benchmarks/run.py --only B6``.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import Check, Report

MEMORY_LIMIT_MIB = 4 * 1024
TIME_LIMIT_MIN = 60          # issue 18: the thorough profile in under an hour on 2 cores
WORKERS = 2
REPO = Path(__file__).resolve().parent.parent


def _children_of() -> dict[int, list[int]]:
    """Parent pid -> child pids for every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next((l for l in f if l.startswith("VmRSS:")), "VmRSS: 0 kB")
    except OSError:
        return 0.0
    return int(line.split()[1]) / 1024


def tree_rss_mib(root: int) -> tuple[float, int]:
    """(Σ VmRSS of ``root`` and its descendants in MiB, number of processes)."""
    tree, stack, total, count = _children_of(), [root], 0.0, 0
    while stack:
        pid = stack.pop()
        total += _rss_mib(pid)
        count += 1
        stack.extend(tree.get(pid, []))
    return total, count


class _Progress:
    """The child's progress lines, echoed as they come, each with the peak Σ RSS seen while that check ran."""

    def __init__(self) -> None:
        self.tail: collections.deque = collections.deque(maxlen=5)
        self.check_peak = self.last = 0.0
        self.per_check: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def sample(self, rss: float) -> None:
        with self.lock:
            self.check_peak, self.last = max(self.check_peak, rss), rss

    def echo(self, stream) -> None:
        for line in stream:
            line = line.rstrip()
            with self.lock:                               # a check shorter than a sample gets the last sample
                peak, self.check_peak = max(self.check_peak, self.last), self.last
            self.tail.append(line)
            if line.startswith("["):                      # "[i/n] check: verdict (...)": one check finished
                self.per_check.append((peak, line.split("] ", 1)[1].split(": ", 1)[0]))
                line = f"{line}  [peak Σ RSS {peak:.0f} MiB]"
            print(f"    {line}", flush=True)


def time_breakdown(results: dict, count: int = 8) -> list[str]:
    """Where the time went: per check (theorem and each control), and the slowest sweeps with their
    points (from the provenance the runner records: seconds summed over points, slowest point)."""
    checks, sweeps = [], []
    for t in results["theorems"]:
        for label, record in [(t["id"], t)] + [(f"{t['id']}[control:{c['id']}]", c) for c in t["controls"]]:
            checks.append((record["seconds"], label))
            for read in record.get("provenance", {}).get("sweeps", []):
                if "seconds" in read:
                    sweeps.append((read["seconds"], read["sweep"], read["points"], read["slowest_point"], label))
    total = sum(s for s, _ in checks) or 1.0
    lines = ["time per check (largest first): " + "; ".join(f"{label} {sec:.0f} s ({sec / total:.0%})"
                                                             for sec, label in sorted(checks, reverse=True)[:count])]
    if sweeps:
        lines.append("slowest sweeps (CPU seconds over all points; slowest point): " + "; ".join(
            f"{name.rsplit('.', 1)[-1]} in {label}: {sec:.0f} s over {points} points, slowest {slow:.1f} s"
            for sec, name, points, slow, label in sorted(sweeps, reverse=True)[:count]))
    return lines


def run(out: Path, selection: tuple[str, ...] = ()) -> Report:
    """Run the thorough profile (all theorems, or ``selection``) on a 2-worker local cluster,
    sampling the process tree's memory."""
    command = [sys.executable, "-m", "verify", "run", *selection, "--profile", "thorough",
               "--workers", str(WORKERS), "--out", str(out)]
    print(f"  running: {' '.join(command[1:])} (progress below; hours on 2 cores)", flush=True)
    start, peak, peak_processes = time.perf_counter(), 0.0, 0
    progress = _Progress()
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as child:
        echo = threading.Thread(target=progress.echo, args=(child.stderr,), daemon=True)
        echo.start()
        while child.poll() is None:
            rss, processes = tree_rss_mib(child.pid)
            progress.sample(rss)
            if rss > peak:
                peak, peak_processes = rss, processes
            time.sleep(1.0)
        echo.join(timeout=10)
    seconds = time.perf_counter() - start
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    scope = " ".join(selection) if selection else "all theorems"
    report = Report(f"B6: `verify run --profile thorough --workers {WORKERS}` ({scope})",
                    ["wall time", "exit status", "verdicts", "peak Σ RSS of the process tree", "largest process"])
    verdicts = "—"
    results = out / "results.json"
    if results.exists():
        n = json.loads(results.read_text())["summary"]
        verdicts = (f"{n['verified']}/{n['theorems']} verified, {n['falsified']} falsified, "
                    f"{n['inconclusive']} inconclusive, {n['error']} errors; "
                    f"controls refuted {n['controls_refuted']}/{n['controls_total']}")
    report.rows.append([f"{seconds / 60:.1f} min", str(child.returncode), verdicts,
                        f"{peak:.0f} MiB ({peak_processes} processes)", f"{largest:.0f} MiB"])
    if child.returncode != 0:
        report.notes.append(f"verify run exited {child.returncode}: " + " / ".join(progress.tail))
    heaviest = sorted(progress.per_check, reverse=True)[:3]
    if heaviest:
        report.notes.append("largest Σ RSS while a check ran: "
                            + "; ".join(f"{name} {rss:.0f} MiB" for rss, name in heaviest))
    if results.exists():
        report.notes += time_breakdown(json.loads(results.read_text()))
    report.notes.append(f"report and results: {out}/report.md, {results}")
    report.notes.append("Σ RSS sampled every second from /proc (shared library pages counted once per process)")
    report.checks.append(Check("thorough run completes", f"exit {child.returncode}", "exit 0", child.returncode == 0))
    report.checks.append(Check("thorough run wall time", f"{seconds / 60:.1f} min", f"≤ {TIME_LIMIT_MIN} min",
                               child.returncode == 0 and seconds <= TIME_LIMIT_MIN * 60))
    report.checks.append(Check("thorough run peak memory (Σ RSS, process tree)", f"{peak:.0f} MiB",
                               f"< {MEMORY_LIMIT_MIB} MiB", peak < MEMORY_LIMIT_MIB))
    return report
