"""Run selected theorems and their negative controls; collect a results document.

A check that raises is an ``error`` (with the one-line exception), not a crash of the run. Ctrl-C or
SIGTERM abandons the current check and the results are marked ``partial`` with the signal's name
(`verify.checking.interruption` makes sure the signal is not lost). A control that is refuted
only by re-reading sweeps another check computed is ``dependent``, not ``refuted`` (provenance:
`verify.checking.context`). The first confidence intervals each check computes are recomputed
independently (`verify.checking.stats_oracle`); a disagreement makes the check an ``error``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from . import interruption, stats, stats_oracle
from .context import Context
from .document import SCHEMA, SCHEMA_VERSION, jsonable, summarise
from .profiles import Profile
from .spec import Control, ControlVerdict, Evidence, Theorem, Verdict

__all__ = ["CheckOutcome", "run_check", "run_theorems", "results_document", "environment", "PACKAGES"]

PACKAGES = ("dlverify", "numpy", "scipy", "hypothesis", "sympy", "mpmath", "python-flint", "matplotlib",
            "torch", "scikit-learn", "dask", "distributed")


@dataclass
class CheckOutcome:
    """One theorem check or control check: its evidence, or the error it raised, its wall time, and
    the sweeps it read (``reads``; ``dependent`` if it computed none of them itself)."""

    evidence: Evidence | None
    error: str | None
    seconds: float
    reads: tuple[dict[str, Any], ...] = ()
    dependent: bool = False

    def kind(self) -> str:
        """error, skipped (a missing optional extra), inconclusive, holds, or fails."""
        if self.error is not None:
            return "error"
        if self.evidence.holds is None:
            return "skipped" if self.evidence.skipped else "inconclusive"
        return "holds" if self.evidence.holds else "fails"

    def theorem_verdict(self) -> Verdict:
        return THEOREM_VERDICTS[self.kind()]

    def control_verdict(self) -> ControlVerdict:
        verdict = CONTROL_VERDICTS[self.kind()]
        return ControlVerdict.DEPENDENT if verdict is ControlVerdict.REFUTED and self.dependent else verdict


THEOREM_VERDICTS = {"error": Verdict.ERROR, "skipped": Verdict.SKIPPED, "inconclusive": Verdict.INCONCLUSIVE,
                    "holds": Verdict.VERIFIED, "fails": Verdict.FALSIFIED}
CONTROL_VERDICTS = {"error": ControlVerdict.ERROR, "skipped": ControlVerdict.SKIPPED,
                    "inconclusive": ControlVerdict.INCONCLUSIVE, "holds": ControlVerdict.NOT_REFUTED,
                    "fails": ControlVerdict.REFUTED}


class OracleDisagreement(Exception):
    """An interval the check used is not reproduced by `verify.checking.stats_oracle`."""


def run_check(check: Callable[[Context], Evidence], ctx: Context) -> CheckOutcome:
    """Call ``check(ctx)``; exceptions (but not Ctrl-C) become an error outcome, and so does a
    sample of the check's confidence intervals that an independent computation does not reproduce."""
    start = time.perf_counter()
    try:
        with stats.recording() as intervals:
            evidence = check(ctx)
        if not isinstance(evidence, Evidence):
            raise TypeError(f"check returned {type(evidence).__name__}, not Evidence")
        if problems := stats_oracle.audit(intervals):
            raise OracleDisagreement("; ".join(problems))
        return CheckOutcome(evidence, None, time.perf_counter() - start, tuple(ctx.reads), ctx.computed_nothing_itself())
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a failing check is a result to report, not a crash ...
        if interruption.pending():  # ... unless a signal caused it (a C extension's import turns the
            raise KeyboardInterrupt from exc  # interrupt into "ImportError: initialization failed")
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
        return CheckOutcome(None, message, time.perf_counter() - start, tuple(ctx.reads))


def _evidence_fields(outcome: CheckOutcome) -> dict[str, Any]:
    ev = outcome.evidence
    return {
        "summary": outcome.error if ev is None else ev.summary,
        "seconds": round(outcome.seconds, 3),
        "error": outcome.error,
        "measurements": [] if ev is None else [m.to_dict() for m in ev.measurements],
        "run": {} if ev is None else jsonable(ev.run),
        "counterexample": None if ev is None else jsonable(ev.counterexample),
        "examples": [] if ev is None else jsonable(ev.examples),
        "plots": [] if ev is None else list(ev.plots),
        "unresolved": 0 if ev is None else ev.unresolved,
        "provenance": {"sweeps": jsonable(list(outcome.reads)), "dependent": outcome.dependent},
    }


def theorem_record(theorem: Theorem, outcome: CheckOutcome, controls: list[tuple[Control, CheckOutcome]],
                   profile: Profile, seed: int) -> dict[str, Any]:
    ev = outcome.evidence
    return {
        "id": theorem.id, "title": theorem.title, "source": theorem.source, "statement": theorem.statement,
        "hypotheses": list(theorem.hypotheses), "conclusion": theorem.conclusion,
        "certification": theorem.certification.value, "constants": {k: c.to_dict() for k, c in theorem.constants.items()},
        "headline": theorem.headline, "verdict": outcome.theorem_verdict().value,
        "expected_failure": theorem.expected_failure,
        **_evidence_fields(outcome),
        "findings": [] if ev is None else list(ev.findings),
        "reproduce": f"verify run {theorem.id} --profile {profile.name} --seed {seed}",
        "controls_declared": len(theorem.controls),
        "controls": [{"id": c.id, "statement": c.statement, "verdict": o.control_verdict().value,
                      **_evidence_fields(o)} for c, o in controls],
    }


def environment() -> dict[str, Any]:
    """Interpreter, platform and versions of the packages that shape the numbers."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {"python": sys.version.split()[0], "platform": platform.platform(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "packages": versions}


class Progress:
    """What the runner reports while it works (the CLI draws a progress bar from these)."""

    def start(self, labels: list[str]) -> None: ...
    def begin(self, label: str) -> None: ...
    def status(self, message: str) -> None: ...
    def end(self, label: str, verdict: str, seconds: float) -> None: ...
    def finish(self) -> None: ...


def check_ids(theorem: Theorem) -> list[str]:
    """The theorem's check id followed by its controls' ids, in run order."""
    return [theorem.id] + [f"{theorem.id}[control:{c.id}]" for c in theorem.controls]


def run_theorems(theorems: list[Theorem], profile: Profile, seed: int, out_dir: Path | None, *,
                 progress: Progress | None = None, command: str = "",
                 mapper: Callable | None = None, executor: str = "serial", jobs: int = 1,
                 expected: dict[str, float] | None = None) -> dict[str, Any]:
    """Run every theorem's check and controls; return the results document (see `verify.output.results`).

    ``jobs > 1`` (and no ``mapper``): whole theorems (each with its controls, so that they share its
    sweep memo as in a serial run) run in that many forked processes at once, longest first by
    ``expected`` (check id → seconds of an earlier run); every check is seeded by its id, so the
    records are the same as a serial run's.
    """
    progress = progress or Progress()
    progress.start([label for t in theorems for label in check_ids(t)])
    started = time.perf_counter()
    records: dict[str, dict[str, Any]] = {}
    partial = False
    try:
        if jobs > 1 and mapper is None and len(theorems) > 1:
            from .pool import run_in_processes

            totals = None if expected is None else {t.id: sum(expected.get(c, 0.0) for c in check_ids(t)) for t in theorems}
            partial = run_in_processes(theorems, profile, seed, out_dir, jobs, progress, records, totals)
        else:
            for theorem in theorems:
                record, stopped = run_theorem(theorem, profile, seed, out_dir, mapper, progress)
                if record is not None:
                    records[theorem.id] = record
                if stopped:
                    partial = True
                    break
    except KeyboardInterrupt:  # a re-sent signal between a handler below and its acknowledgement
        interruption.acknowledge()
        partial = True
    finally:
        progress.finish()
    ordered = [records[t.id] for t in theorems if t.id in records]
    executor = executor if jobs <= 1 or mapper is not None else f"{jobs} processes"
    return results_document([t.id for t in theorems], ordered, profile=profile.name, seed=seed, partial=partial,
                            command=command, executor=executor, seconds=time.perf_counter() - started)


def run_theorem(theorem: Theorem, profile: Profile, seed: int, out_dir: Path | None, mapper: Callable | None,
                progress: Progress) -> tuple[dict[str, Any] | None, bool]:
    """(the theorem's record or None if it did not finish, whether a signal stopped it). The record
    keeps the theorem and the controls that finished before a signal."""
    outcome: CheckOutcome | None = None
    controls: list[tuple[Control, CheckOutcome]] = []

    def one(check: Callable[[Context], Evidence], check_id: str) -> CheckOutcome:
        progress.begin(check_id)
        return run_check(check, Context(profile, seed, check_id, out_dir, report_status=progress.status,
                                        mapper=mapper))

    stopped = False
    try:
        interruption.checkpoint()
        outcome = one(theorem.check, theorem.id)
        progress.end(theorem.id, outcome.theorem_verdict().value, outcome.seconds)
        for control in theorem.controls:
            check_id = f"{theorem.id}[control:{control.id}]"
            c_out = one(control.check, check_id)
            progress.end(check_id, c_out.control_verdict().value, c_out.seconds)
            controls.append((control, c_out))
    except KeyboardInterrupt:  # keep the finished theorem (even while its line is printed) and controls
        interruption.acknowledge()
        stopped = True
    record = None if outcome is None else theorem_record(theorem, outcome, controls, profile, seed)
    return record, stopped


def results_document(selection: list[str], records: list[dict[str, Any]], *, profile: str, seed: int, partial: bool,
                     command: str = "", executor: str = "serial", seconds: float = 0.0) -> dict[str, Any]:
    """The results document (schema in `verify.output.results`) for theorem records of a run."""
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "partial": partial, "interrupted_by": interruption.signal_name() if partial else None,
        "run": {"profile": profile, "seed": seed, "selection": selection, "command": command, "executor": executor,
                "seconds": round(seconds, 2)},
        "environment": environment(),
        "summary": summarise(records),
        "theorems": records,
    }
