"""The context a check runs in: profile, seed, where plots go, deterministic random streams, and a
record of the sweeps the check used.

Provenance. Every `Context.map` and `Context.cached_map` call is recorded in ``ctx.reads`` as
``{"sweep": module.function, "points": n, "computed_by": check id, "seconds", "slowest_point"}``
(CPU-side seconds summed over the points, and the slowest one: where a run's time goes). A sweep
served from the memo that another check computed names that check and has no times. A negative control whose every read was
computed by another check (its theorem) produced no evidence of its own: the runner calls it
*dependent* and does not count it as refuted. A control that trains or evaluates anything itself
should do so through `map`/`cached_map` (with its own function or items), so that it is seen.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import numpy as np

from . import interruption
from .profiles import Profile

__all__ = ["Context"]

T = TypeVar("T")

_SWEEP_CACHE_SIZE = 16
_SWEEPS: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}   # key → (computed by, results)


@dataclass
class Context:
    """Passed to every `Theorem.check` and `Control.check`.

    ``out_dir`` is where plots are written (``None``: no plots, e.g. under pytest). ``report_status``
    receives the progress messages of `status`.
    """

    profile: Profile
    seed: int
    check_id: str
    out_dir: Path | None = None
    report_status: Callable[[str], None] = field(default=lambda _msg: None)
    mapper: Callable[[Callable[[Any], Any], list[Any]], list[Any]] | None = None
    reads: list[dict[str, Any]] = field(default_factory=list)

    def status(self, message: str) -> None:
        """Progress text for long runs; also a safe point where a pending Ctrl-C/SIGTERM stops the check."""
        interruption.checkpoint()
        self.report_status(message)

    def pick(self, *, ci: T, default: T, thorough: T) -> T:
        """The budget for the current profile."""
        return {"ci": ci, "default": default, "thorough": thorough}[self.profile.name]

    def map(self, fn: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        """``[fn(item) for item in items]``, on the run's scheduler if one is configured (dask).

        Use it for independent sweep points (depths, widths, seed replicates); ``fn`` must be a
        picklable module-level function and each item must carry its own seed, so that the result
        is the same however the work is distributed.
        """
        items = list(items)
        results, seconds = self._run(fn, items)
        self._record(fn, len(items), self.check_id, seconds)
        return results

    def cached_map(self, fn: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        """`map`, memoised per process on (theorem, fn, items): a theorem and its controls that need
        the same sweep run it once, serially or on the scheduler alike; other checks (another
        theorem, a test's ad-hoc context) never share it. Items must be hashable. The read is
        recorded with the check that computed it (see the module docstring)."""
        items = tuple(items)
        key = (self.check_id.split("[control:")[0], fn.__module__, fn.__qualname__, items)
        if key not in _SWEEPS:
            if len(_SWEEPS) >= _SWEEP_CACHE_SIZE:
                _SWEEPS.pop(next(iter(_SWEEPS)))
            results, seconds = self._run(fn, list(items))
            _SWEEPS[key] = (self.check_id, tuple(results))
            self._record(fn, len(items), self.check_id, seconds)
            return list(results)
        owner, results = _SWEEPS[key]
        self._record(fn, len(items), owner, [])
        return list(results)

    def computed_nothing_itself(self) -> bool:
        """True if this check read sweeps and every one of them was computed by another check."""
        return bool(self.reads) and all(r["computed_by"] != self.check_id for r in self.reads)

    def _run(self, fn: Callable[[Any], T], items: list[Any]) -> tuple[list[T], list[float]]:
        """The results and each point's seconds (measured where the point ran)."""
        timed = _Timed(fn)
        if self.mapper is None:
            pairs = []
            for item in items:
                interruption.checkpoint()
                pairs.append(timed(item))
        else:
            pairs = self.mapper(timed, items)
        return [result for result, _ in pairs], [seconds for _, seconds in pairs]

    def _record(self, fn: Callable[[Any], Any], points: int, computed_by: str, seconds: list[float]) -> None:
        """One provenance entry; the time of the points this check computed (none for a memo read)."""
        entry: dict[str, Any] = {"sweep": f"{fn.__module__}.{fn.__qualname__}", "points": points,
                                 "computed_by": computed_by}
        if seconds:
            entry.update(seconds=round(sum(seconds), 3), slowest_point=round(max(seconds), 3))
        self.reads.append(entry)

    def rng(self, *labels: object) -> np.random.Generator:
        """A generator determined by (seed, check id, labels): same inputs, same stream."""
        key = "/".join([self.check_id, *map(str, labels)])
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def plot_path(self, name: str) -> Path | None:
        """Path for a plot file named after the check, or None if plots are off."""
        if self.out_dir is None:
            return None
        directory = self.out_dir / "plots"
        directory.mkdir(parents=True, exist_ok=True)
        stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in f"{self.check_id}.{name}")
        return directory / f"{stem}.png"

    def relative(self, path: Path) -> str:
        """``path`` relative to the report directory (how the report embeds it)."""
        assert self.out_dir is not None
        return path.relative_to(self.out_dir).as_posix()


class _Timed:
    """``fn`` returning ``(result, seconds)``; picklable when ``fn`` is (module-level), for dask."""

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn

    def __call__(self, item: Any) -> tuple[Any, float]:
        start = time.perf_counter()
        result = self.fn(item)
        return result, time.perf_counter() - start
