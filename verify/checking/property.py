"""Run a hypothesis property inside a check and keep what it measured.

`run_property(ctx, strategy, prop)` draws cases from ``strategy`` (seeded by the run's seed, no
example database), calls ``prop(case)`` on each, and returns every passing example's measurements
plus, if the property failed, the *shrunk* counterexample and its message. ``prop`` returns a dict
of measured numbers and signals failure by raising `PropertyFailure` (or AssertionError).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from .context import Context

__all__ = ["PropertyFailure", "PropertyRun", "run_property", "describe_case"]


class PropertyFailure(AssertionError):
    """Raised by a property: ``measured`` holds the numbers that broke it."""

    def __init__(self, message: str, measured: dict[str, Any] | None = None):
        super().__init__(message)
        self.measured = measured or {}


@dataclass
class PropertyRun:
    """Passing examples' measurements and the shrunk failure (if any)."""

    examples: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    failure: dict[str, Any] | None = None

    @property
    def holds(self) -> bool:
        return self.failure is None

    def column(self, key: str) -> list[Any]:
        return [e[key] for e in self.examples if key in e]


def describe_case(case: Any) -> dict[str, Any]:
    """A JSON-friendly description of a generated case: its ``describe()``, NamedTuple fields or repr."""
    if hasattr(case, "describe"):
        return case.describe()
    if hasattr(case, "_asdict"):
        return {k: describe_case(v) if hasattr(v, "_asdict") or hasattr(v, "describe") else _plain(v)
                for k, v in case._asdict().items()}
    return {"value": repr(case)}


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float, str)) for v in value):
        return list(value)
    return repr(value) if len(repr(value)) < 200 else f"<{type(value).__name__}>"


def run_property(ctx: Context, strategy: SearchStrategy, prop: Callable[[Any], dict[str, Any]],
                 *, max_examples: int | None = None) -> PropertyRun:
    """Check ``prop`` on cases drawn from ``strategy`` with the profile's hypothesis settings."""
    result = PropertyRun()
    last_failure: dict[str, Any] = {}

    @hypothesis_seed(ctx.seed)
    @ctx.profile.hypothesis_settings(max_examples)
    @given(strategy)
    def property_test(case: Any) -> None:
        try:
            measured = prop(case)
        except AssertionError as exc:
            last_failure.clear()
            last_failure.update(case=describe_case(case), message=str(exc),
                                measured=getattr(exc, "measured", {}))
            raise
        result.examples.append(measured)
        result.cases.append(describe_case(case))
        ctx.status(f"examples passed: {len(result.examples)}")

    try:
        property_test()
    except AssertionError:
        result.failure = dict(last_failure)
    return result
