"""Progress display for `verify run`: a rich progress bar on a terminal, one line per check otherwise.

The ETA is honest about what it knows: with an earlier results.json of the same profile in the
output directory, each remaining check is expected to take its earlier time, scaled by how fast
this run has been so far relative to that one; without one, the ETA is the mean time per finished
check times the checks left, and says "rough".
"""

from __future__ import annotations

import sys
import time

from rich.markup import escape

from ..checking.runner import Progress

__all__ = ["make_progress", "BarProgress", "LineProgress", "QuietProgress", "Estimate"]


class Estimate:
    """Remaining seconds from per-check history (check id → seconds) and the checks done so far."""

    def __init__(self, labels: list[str], history: dict[str, float] | None = None):
        self.labels, self.history = labels, history or {}
        self.done: dict[str, float] = {}
        self.t0 = time.perf_counter()

    def finished(self, label: str, seconds: float) -> None:
        self.done[label] = seconds

    def remaining(self) -> tuple[float | None, str]:
        """(seconds left or None, how it was estimated)."""
        left = [label for label in self.labels if label not in self.done]
        elapsed = time.perf_counter() - self.t0
        known = [label for label in self.done if label in self.history and self.history[label] > 0]
        if self.history and all(label in self.history for label in left):
            speed = (sum(self.done[k] for k in known) / sum(self.history[k] for k in known)) if known else 1.0
            return speed * sum(self.history[label] for label in left), "from the last run"
        if not self.done:
            return None, "unknown yet"
        return elapsed / len(self.done) * len(left), "rough"


class QuietProgress(Progress):
    """Prints nothing."""


class LineProgress(Progress):
    """One line per finished check on stderr (CI logs, pipes)."""

    def __init__(self, history: dict[str, float] | None = None):
        self.history = history

    def start(self, labels: list[str]) -> None:
        self.estimate = Estimate(labels, self.history)

    def end(self, label: str, verdict: str, seconds: float) -> None:
        self.estimate.finished(label, seconds)
        done, total = len(self.estimate.done), len(self.estimate.labels)
        elapsed = time.perf_counter() - self.estimate.t0
        left, how = self.estimate.remaining()
        eta = f"ETA {left:.0f} s ({how})" if left is not None else "ETA unknown"
        print(f"[{done}/{total}] {label}: {verdict} ({seconds:.1f} s; elapsed {elapsed:.0f} s, {eta})",
              file=sys.stderr, flush=True)


class BarProgress(Progress):
    """A rich bar with the overall count, elapsed time, ETA and the current check's status text."""

    def __init__(self, history: dict[str, float] | None = None):
        self.history = history

    def start(self, labels: list[str]) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.estimate = Estimate(labels, self.history)
        self.bar = RichProgress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.fields[eta]}"),
                                TextColumn("{task.fields[status]}"), transient=False)
        self.bar.start()
        self.task = self.bar.add_task("checks", total=len(labels), status="", eta=self._eta())

    def _eta(self) -> str:
        left, how = self.estimate.remaining()
        return "ETA unknown" if left is None else f"ETA {left:.0f} s ({how})"

    def begin(self, label: str) -> None:
        self.bar.update(self.task, description=escape(label), status="")

    def status(self, message: str) -> None:
        self.bar.update(self.task, status=escape(message))

    def end(self, label: str, verdict: str, seconds: float) -> None:
        self.estimate.finished(label, seconds)
        self.bar.console.print(escape(f"{label}: {verdict} ({seconds:.1f} s)"))
        self.bar.update(self.task, advance=1, eta=self._eta())

    def finish(self) -> None:
        self.bar.stop()


def make_progress(quiet: bool, history: dict[str, float] | None = None) -> Progress:
    """Quiet, a bar on a terminal, or lines; ``history``: check id → seconds from an earlier run."""
    if quiet:
        return QuietProgress()
    return BarProgress(history) if sys.stderr.isatty() else LineProgress(history)
