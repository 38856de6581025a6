"""B4: wall time and peak memory of `verify run` on every registered theorem, per profile."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from common import Check, Report

LIMIT_SECONDS = {"ci": 3 * 60, "default": 15 * 60, "thorough": 60 * 60}   # issue 18's budgets on 2 cores
MEMORY_LIMIT_MIB = 4 * 1024


def slowest_checks(path: str, count: int = 3) -> str:
    """'id 41 s, id 20 s, …': the theorems (with their controls) that took longest in a results file."""
    if not os.path.exists(path):
        return "—"
    with open(path, encoding="utf-8") as handle:
        theorems = json.load(handle)["theorems"]
    times = sorted(((t["seconds"] + sum(c["seconds"] for c in t["controls"]), t["id"]) for t in theorems), reverse=True)
    return ", ".join(f"{tid} {sec:.0f} s" for sec, tid in times[:count])


def run(profiles: tuple[str, ...]) -> Report:
    """Run ``python -m verify run --profile P --out <tmp>`` per profile; time it, read its peak RSS.

    A run that does not complete (exit status ≠ 0) fails its wall-time target."""
    report = Report("B4: `verify run` wall time (all theorems)",
                    ["profile", "wall time", "limit", "exit status", "peak RSS (MiB)", "slowest checks"])
    for profile in profiles:
        with tempfile.TemporaryDirectory(prefix=f"dlverify-b4-{profile}-") as out:
            command = [sys.executable, "-m", "verify", "run", "--profile", profile, "--out", out, "--quiet"]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
            seconds = time.perf_counter() - start
            slowest = slowest_checks(os.path.join(out, "results.json"))
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # max over finished children
        limit = LIMIT_SECONDS.get(profile)
        report.rows.append([profile, f"{seconds:.0f} s", f"{limit} s" if limit else "—", str(done.returncode),
                            f"≤ {rss:.0f}", slowest])
        if done.returncode != 0:
            report.notes.append(f"{profile}: verify run exited {done.returncode}: {done.stderr.strip()[-300:]}")
        report.checks.append(Check(f"`verify run --profile {profile}` wall time", f"{seconds:.0f} s",
                                   f"≤ {limit} s" if limit else "—",
                                   None if limit is None else done.returncode == 0 and seconds <= limit))
        report.checks.append(Check(f"`verify run --profile {profile}` peak RSS", f"≤ {rss:.0f} MiB",
                                   f"< {MEMORY_LIMIT_MIB} MiB", rss < MEMORY_LIMIT_MIB))
    report.notes.append("peak RSS is the largest ru_maxrss among finished child processes so far (an upper bound "
                        "for each run)")
    return report
