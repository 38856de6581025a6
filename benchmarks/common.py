"""Shared pieces of the benchmark suite: interleaved timing, target checks, tables, environment."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Check:
    """One target: what was measured, the target, and whether it was met (None: not measured)."""

    name: str
    measured: str
    target: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]


@dataclass
class Report:
    """A benchmark's output: a title, a table (header + rows of strings), notes and target checks."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass(frozen=True)
class Timing:
    """How hard to time: ``repeats`` interleaved rounds, each at least ``min_time`` seconds per function."""

    repeats: int = 7
    min_time: float = 0.1


def interleaved_medians(fns: dict[str, Callable[[], object]], timing: Timing) -> dict[str, float]:
    """Median seconds per call of each function, timed in interleaved rounds (A B C A B C ...).

    Interleaving puts the engine and its references under the same background load, so their ratio
    is meaningful on a shared machine even when absolute times drift.
    """
    loops = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        loops[name] = max(1, int(timing.min_time / max(once, 1e-7)))
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(timing.repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(loops[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / loops[name])
    return {name: statistics.median(s) for name, s in samples.items()}


def fmt_time(seconds: float) -> str:
    """Seconds with a readable unit."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(x: float) -> str:
    return f"{x:.3g}×"


def print_report(report: Report) -> None:
    """The report as a plain-text table followed by its notes and target checks."""
    print(f"\n## {report.title}\n")
    print(table([report.header] + report.rows))
    for note in report.notes:
        print(f"  note: {note}")
    if report.checks:
        print()
        print(table([["target", "measured", "required", "verdict"]]
                    + [[c.name, c.measured, c.target, c.verdict] for c in report.checks]))


def table(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by ' | ', with a rule under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def peak_rss_mib() -> tuple[float, float]:
    """(peak RSS of this process, of its largest finished child process) in MiB (Linux ru_maxrss is KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def cpu_model() -> str:
    """CPU model name and SIMD level from /proc/cpuinfo (platform.processor() elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return platform.processor() or "unknown"
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")),
                 "unknown")
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    simd = next((s for s in ("avx512f", "avx2", "avx", "sse4_2") if s in flags), "none")
    return f"{model} (best SIMD: {simd})"


def versions() -> dict[str, str]:
    """Versions of python and of the numerical packages involved (missing ones say so)."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("numpy", "scipy", "torch", "python-flint", "mpmath", "dask", "distributed", "dlverify"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def blas_info() -> list[str]:
    """One line per BLAS/OpenMP library loaded in this process (threadpoolctl), or numpy's build config."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return [f"numpy BLAS: {blas.get('name')} {blas.get('version')} (threadpoolctl not installed)"]
    return [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture', '?')}, "
            f"{i.get('num_threads')} threads) {os.path.basename(i.get('filepath', ''))}"
            for i in threadpool_info()]


def environment_lines(threads: int) -> list[str]:
    """The environment block printed before the benchmarks."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [f"CPU: {cpu_model()}", f"cores available: {cores}; load average (1, 5, 15 min): {load}",
             f"threads used by numpy/torch in B1-B3: {threads}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in versions().items())]
    return lines + [f"BLAS: {line}" for line in blas_info()]
