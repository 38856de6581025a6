"""What a theorem is, to dlverify: statement, hypotheses, conclusion, a check, negative controls.

A `Theorem`'s ``check(ctx)`` returns `Evidence`: whether the conclusion held on everything that was
generated (``holds=True``), was refuted (``False``) or could not be decided here (``None``), with
the measurements behind that and a record of exactly what was run. Each `Control` is a *nearby
false statement* (a wrong exponent, a broken dynamics, a violated hypothesis) checked by the same
code; it must come out refuted (``holds=False``). A control that is not refuted is a defect of the
check: a check that cannot fail proves nothing. A control must also be its own computation: one that
only re-reads the theorem's cached sweep is ``dependent`` and does not count (see `verify.checking.context`).

Every gated `Measurement` says how much it can see: its *acceptance band* is the set of claimed values
the check would not refute on the same data, and ``ruled_out`` names a value the theorem's own
statement excludes; a band that contains it (or is unbounded for a point claim) makes the check
*weak*. Every constant a verdict depends on is a `Constant` with its source (paper / chosen /
measured), recorded in results.json so that `verify gate --baseline` can refuse a silent change.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InvalidArgument

if TYPE_CHECKING:
    from .context import Context

__all__ = ["Verdict", "ControlVerdict", "Certification", "Measurement", "Evidence", "Constant", "Control", "Theorem",
           "band_text"]


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
    DEPENDENT = "dependent"        # refuted, but only by re-reading the theorem's own cached sweep
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

    Resolution. ``band`` is the acceptance band: the claimed values c the check would *not* refute
    on this data (for "≈": c with |value − c| within the rule; for "≥"/"≤": the bounds c the value
    still meets). Give it when the decision rule is more than value ± tolerance (e.g. re-evaluate
    the decision on a grid of perturbed claims, or CI ± tolerance), and say how in ``band_note``;
    otherwise `acceptance_band` derives it from value, tolerance and comparison. ``ruled_out`` is a
    value the theorem's statement excludes (exponent 1 for an O(η²) claim, a rate 2× slower than the
    convex one): a band containing it makes the measurement `weakness` non-None.
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
    band: tuple[float, float] | None = None
    ruled_out: float | None = None
    band_note: str = ""

    def __post_init__(self) -> None:
        if self.comparison not in ("≈", "≥", "≤"):
            raise InvalidArgument(f"comparison={self.comparison!r} must be '≈', '≥' or '≤' (measurement {self.name!r})")
        if self.band is not None and not (len(self.band) == 2 and self.band[0] <= self.band[1]):
            raise InvalidArgument(f"band={self.band!r} must be a pair (low, high) with low ≤ high (measurement {self.name!r})")

    @property
    def is_claim(self) -> bool:
        """Whether the theorem makes a claim about this quantity (a prediction or a bound)."""
        return self.predicted is not None

    def acceptance_band(self) -> tuple[float, float] | None:
        """The claimed values this measurement would not refute (``band`` if given, else derived:
        "≈" value ± tolerance; "≥" claims c ≤ value + tolerance; "≤" claims c ≥ value − tolerance)."""
        if self.band is not None:
            return (float(self.band[0]), float(self.band[1]))
        if self.predicted is None or not _finite(self.value):
            return None
        slack = float(self.tolerance) if self.tolerance is not None else 0.0
        if self.comparison == "≈":
            return None if self.tolerance is None else (self.value - slack, self.value + slack)
        if self.comparison == "≥":
            return (-math.inf, self.value + slack)
        return (self.value - slack, math.inf)

    def weakness(self) -> str | None:
        """Why this claim is checked weakly here (None if it is not): the band contains the value
        the theorem rules out, or a point claim's band is unbounded."""
        band = self.acceptance_band()
        if band is None:
            return None
        low, high = band
        if self.comparison == "≈" and not (math.isfinite(low) and math.isfinite(high)):
            return f"{self.name}: the acceptance band is unbounded"
        if self.ruled_out is not None and low <= self.ruled_out <= high:
            return f"{self.name}: accepts {self.ruled_out:g}, which the theorem rules out"
        return None

    def to_dict(self) -> dict[str, Any]:
        band = self.acceptance_band()
        return {"name": self.name, "value": _num(self.value), "predicted": _num(self.predicted),
                "comparison": self.comparison,
                "tolerance": _num(self.tolerance),
                "interval": None if self.interval is None else [_num(v) for v in self.interval],
                "kind": self.kind, "unit": self.unit, "gate_tolerance": _num(self.gate_tolerance),
                "band": None if band is None else [_num(v) for v in band],
                "band_note": self.band_note or ("" if band is None or self.band is not None else "derived"),
                "ruled_out": _num(self.ruled_out), "weak": self.weakness()}


def band_text(band: tuple[float, float] | list[Any] | None, fmt: Callable[[Any], str] = lambda v: f"{v:.4g}") -> str:
    """'c ∈ [1.87, 2.12]', 'c ≤ 2.3', 'c ≥ 0.91' for an acceptance band (c: the claimed value)."""
    if band is None:
        return "–"
    low, high = (float(v) for v in band)
    if math.isinf(low) and math.isinf(high):
        return "any c"
    if math.isinf(low):
        return f"c ≤ {fmt(high)}"
    if math.isinf(high):
        return f"c ≥ {fmt(low)}"
    return f"c ∈ [{fmt(low)}, {fmt(high)}]"


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
    ID@K` can re-run example K. ``unresolved``: how many generated examples or sweep points could
    not decide anything (e.g. a drift below the rounding level, a run that hit its cap); they are
    reported as inconclusive evidence, never counted as passes.
    """

    holds: bool | None
    summary: str
    measurements: list[Measurement] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    plots: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    unresolved: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.unresolved, int) or self.unresolved < 0:
            raise InvalidArgument(f"unresolved={self.unresolved!r} must be a count ≥ 0")

    @property
    def skipped(self) -> bool:
        return self.holds is None and self.summary.lower().startswith("skipped")


SOURCES = ("paper", "chosen", "measured")


@dataclass(frozen=True)
class Constant:
    """A constant or tolerance a verdict depends on, and where its value comes from.

    ``source``: ``"paper"`` (stated by the paper), ``"chosen"`` (ours, fixed before the measured run;
    say why in ``note``), or ``"measured"`` (determined by a measurement, e.g. the smallest C that
    works; ``note`` names the command). `verify gate --baseline` fails when a value changes unless
    the change is accepted explicitly.
    """

    value: float | int | str
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InvalidArgument(f"source={self.source!r} must be one of {', '.join(SOURCES)}")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise InvalidArgument(f"value={self.value!r} must be a number or a string")

    def to_dict(self) -> dict[str, Any]:
        return {"value": _num(self.value) if isinstance(self.value, float) else self.value,
                "source": self.source, "note": self.note}


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
    and every tolerance a verdict uses (name → `Constant`: value and source). ``headline``: the measurement
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
    constants: dict[str, Constant] = field(default_factory=dict)
    headline: str | None = None
    tags: frozenset[str] = frozenset()
    requires: tuple[str, ...] = ()
    replay: ReplayFn | None = None
    expected_failure: str | None = None

    def __post_init__(self) -> None:
        _check_slug(self.id, "theorem id")
        if not self.controls:
            raise InvalidArgument(f"theorem {self.id!r} has no negative controls; a check that cannot fail is a defect")
        for name, constant in self.constants.items():
            if not isinstance(constant, Constant):
                raise InvalidArgument(f"theorem {self.id!r}: constants[{name!r}] must be a Constant(value, source, note), "
                                      f"not {type(constant).__name__}")
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


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _num(x: float | None) -> float | str | None:
    """JSON-safe number: inf/nan become strings."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else str(x)
