"""What a theorem is, to dlverify: statement, hypotheses, conclusion, a check, negative controls.

A `Theorem`'s ``check(ctx)`` returns `Evidence`: whether the conclusion held on everything that was
generated (``holds=True``), was refuted (``False``) or could not be decided here (``None``), with
the measurements behind that and a record of exactly what was run. Each `Control` is a *nearby
false statement* (a wrong exponent, a broken dynamics, a violated hypothesis) checked by the same
code; it must come out refuted (``holds=False``). A control that is not refuted is a defect of the
check: a check that cannot fail proves nothing.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InvalidArgument

if TYPE_CHECKING:
    from .context import Context

__all__ = ["Verdict", "Certification", "Measurement", "Evidence", "Control", "Theorem"]


class Verdict(str, enum.Enum):
    """Outcome of a theorem's check."""

    VERIFIED = "verified"
    FALSIFIED = "falsified"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    SKIPPED = "skipped"


class ControlVerdict(str, enum.Enum):
    """Outcome of a negative control: ``refuted`` is the good outcome."""

    REFUTED = "refuted"
    NOT_REFUTED = "not refuted"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    SKIPPED = "skipped"


class Certification(str, enum.Enum):
    """How strong the evidence is, strongest first."""

    SYMBOLIC = "symbolic"          # an exact identity proved by sympy (for the sizes stated)
    CERTIFIED = "certified"        # interval arithmetic: a rigorous enclosure excludes the alternative
    NUMERIC = "numeric"            # float64/high-precision measurements against a tolerance
    STATISTICAL = "statistical"    # an effect with a confidence interval over seeds


@dataclass(frozen=True)
class Measurement:
    """A measured quantity, optionally with the theorem's prediction and the tolerance allowed.

    ``comparison`` says what the theorem claims about the value: ``"≈"`` (equals ``predicted``
    within ``tolerance``), ``"≥"`` or ``"≤"`` (``predicted`` is a bound, e.g. a minimum effect
    size or a failure probability). ``interval`` is a confidence interval or a certified enclosure
    (``kind`` says which: e.g. "95% CI", "arb enclosure"). ``gate_tolerance`` is how far the value
    may move against a baseline before `verify gate` calls it a regression (``None``: not gated).
    """

    name: str
    value: float
    predicted: float | None = None
    tolerance: float | None = None
    interval: tuple[float, float] | None = None
    kind: str = ""
    unit: str = ""
    gate_tolerance: float | None = None
    comparison: str = "≈"

    def __post_init__(self) -> None:
        if self.comparison not in ("≈", "≥", "≤"):
            raise InvalidArgument(f"comparison={self.comparison!r} must be '≈', '≥' or '≤' (measurement {self.name!r})")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": _num(self.value), "predicted": _num(self.predicted),
                "comparison": self.comparison,
                "tolerance": _num(self.tolerance),
                "interval": None if self.interval is None else [_num(v) for v in self.interval],
                "kind": self.kind, "unit": self.unit, "gate_tolerance": _num(self.gate_tolerance)}


@dataclass
class Evidence:
    """What a check found.

    ``holds``: True (the claim held on everything generated), False (refuted), None (undecided; a
    check that cannot run here, e.g. without an optional extra, says so with a ``summary`` starting
    "skipped:").
    ``summary``: one line for the summary table. ``run``: what was generated/run (counts, ranges,
    seeds, precision) as name → value. ``counterexample``: the shrunk falsifying example, if any.
    ``plots``: file names (relative to the report directory). ``findings``: remarks a reader must see
    (e.g. a hypothesis the paper leaves implicit). ``examples``: descriptions of the generated
    examples (e.g. `NetworkCase.describe()`), numbered in the results so that `verify replay
    ID@K` can re-run example K.
    """

    holds: bool | None
    summary: str
    measurements: list[Measurement] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    plots: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.holds is None and self.summary.lower().startswith("skipped")


CheckFn = Callable[["Context"], Evidence]
ReplayFn = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Control:
    """A nearby false statement that the theorem's checker must refute."""

    id: str
    statement: str
    check: CheckFn
    replay: ReplayFn | None = None

    def __post_init__(self) -> None:
        _check_slug(self.id, "control id")


@dataclass(frozen=True)
class Theorem:
    """A theorem as an executable, falsifiable property.

    ``source``: paper, arXiv id and section/equation. ``hypotheses``: the preconditions, in words,
    each of which the generators enforce. ``constants``: parameters the paper leaves unspecified
    that the check exposes (name → description of the value used). ``headline``: the measurement
    shown in the summary table. ``replay``: re-runs the property on one example from its
    description (as recorded in `Evidence.examples` or a counterexample's ``case``) and returns the
    measurements, raising `verify.checking.property.PropertyFailure` if the property fails on it.
    ``expected_failure``: a reviewed reason why the check is known not to verify on this hardware
    (e.g. an empirical claim that does not reproduce at laptop scale). The verdict is still measured
    and reported; the gate accepts *falsified*/*inconclusive* for it and flags an unexpected pass.
    Controls have no such escape: they must always be refuted.
    """

    id: str
    title: str
    source: str
    statement: str
    hypotheses: tuple[str, ...]
    conclusion: str
    certification: Certification
    check: CheckFn
    controls: tuple[Control, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    headline: str | None = None
    tags: frozenset[str] = frozenset()
    requires: tuple[str, ...] = ()
    replay: ReplayFn | None = None
    expected_failure: str | None = None

    def __post_init__(self) -> None:
        _check_slug(self.id, "theorem id")
        if not self.controls:
            raise InvalidArgument(f"theorem {self.id!r} has no negative controls; a check that cannot fail is a defect")
        ids = [c.id for c in self.controls]
        if len(set(ids)) != len(ids):
            raise InvalidArgument(f"theorem {self.id!r} has duplicate control ids {ids}")

    def control(self, control_id: str) -> Control:
        for c in self.controls:
            if c.id == control_id:
                return c
        raise InvalidArgument(f"theorem {self.id!r} has no control {control_id!r}; "
                              f"known: {', '.join(c.id for c in self.controls)}")


def _check_slug(value: str, what: str) -> None:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
    if not value or not set(value) <= allowed:
        raise InvalidArgument(f"{what} {value!r} must be a non-empty slug of [a-z0-9._-]")


def _num(x: float | None) -> float | str | None:
    """JSON-safe number: inf/nan become strings."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else str(x)
