"""Whole theorems in parallel processes: `verify run` uses every core by default.

A sweep mapper (`Context.map` on dask) only helps theorems that sweep; most checks are serial
chains of small linear algebra, so a 2-core machine runs one at a time. Here each job is one
theorem with all its controls (they share the theorem's sweep memo, as in a serial run), in a
forked worker that ignores SIGINT; the parent collects the records in completion order, reports
progress per check as each theorem finishes, and on Ctrl-C/SIGTERM terminates the workers: the
theorems that finished are kept, the running ones are reported as not run (a partial result).
Records are the same as the serial run's: every check is seeded by its own id.
"""

from __future__ import annotations

import multiprocessing
import signal
from pathlib import Path
from typing import Any

from . import interruption
from .profiles import Profile, get_profile
from .spec import Theorem

__all__ = ["run_in_processes"]


def run_in_processes(theorems: list[Theorem], profile: Profile, seed: int, out_dir: Path | None, jobs: int,
                     progress: Any, records: dict[str, dict[str, Any]],
                     expected: dict[str, float] | None = None) -> bool:
    """Fill ``records`` (theorem id → record) running ``jobs`` theorems at a time; True if interrupted.
    ``expected``: seconds per theorem from an earlier run, to start the longest first (less idle
    time at the end); without it, theorems with more controls go first."""
    context = multiprocessing.get_context("fork")   # workers inherit the loaded theorems; no re-import
    pool = context.Pool(jobs, initializer=_worker_start, maxtasksperchild=1)
    order = sorted(theorems, key=lambda t: -(expected or {}).get(t.id, len(t.controls)))
    try:
        for theorem_id, record, checks in pool.imap_unordered(_job, [(t.id, profile.name, seed, out_dir)
                                                                     for t in order]):
            for label, verdict, seconds in checks:
                progress.end(label, verdict, seconds)
            if record is not None:
                records[theorem_id] = record
        pool.close()
        return False
    except KeyboardInterrupt:
        interruption.acknowledge()
        return True
    finally:
        pool.terminate()
        pool.join()


def _worker_start() -> None:
    """Workers leave signals to the parent: Ctrl-C reaches the whole process group."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _job(args: tuple[str, str, int, Path | None]) -> tuple[str, dict[str, Any] | None, list[tuple[str, str, float]]]:
    from .registry import get
    from .runner import Progress, run_theorem

    theorem_id, profile_name, seed, out_dir = args
    finished: list[tuple[str, str, float]] = []

    class Collect(Progress):
        def end(self, label: str, verdict: str, seconds: float) -> None:
            finished.append((label, verdict, seconds))

    record, _ = run_theorem(get(theorem_id), get_profile(profile_name), seed, out_dir, None, Collect())
    return theorem_id, record, finished
