"""Progress display for `verify run`: a rich progress bar on a terminal, one line per check otherwise."""

from __future__ import annotations

import sys
import time

from rich.markup import escape

from ..checking.runner import Progress

__all__ = ["make_progress", "BarProgress", "LineProgress", "QuietProgress"]


class QuietProgress(Progress):
    """Prints nothing."""


class LineProgress(Progress):
    """One line per finished check on stderr (CI logs, pipes)."""

    def start(self, total: int) -> None:
        self.total, self.done, self.t0 = total, 0, time.perf_counter()

    def end(self, label: str, verdict: str, seconds: float) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        print(f"[{self.done}/{self.total}] {label}: {verdict} ({seconds:.1f} s; elapsed {elapsed:.0f} s, "
              f"ETA {eta:.0f} s)", file=sys.stderr, flush=True)


class BarProgress(Progress):
    """A rich bar with the overall count, ETA and the current check's status text."""

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                TextColumn("{task.fields[status]}"), transient=False)
        self.bar.start()
        self.task = self.bar.add_task("checks", total=total, status="")

    def begin(self, label: str) -> None:
        self.bar.update(self.task, description=escape(label), status="")

    def status(self, message: str) -> None:
        self.bar.update(self.task, status=escape(message))

    def end(self, label: str, verdict: str, seconds: float) -> None:
        self.bar.console.print(escape(f"{label}: {verdict} ({seconds:.1f} s)"))
        self.bar.advance(self.task)

    def finish(self) -> None:
        self.bar.stop()


def make_progress(quiet: bool) -> Progress:
    if quiet:
        return QuietProgress()
    return BarProgress() if sys.stderr.isatty() else LineProgress()
