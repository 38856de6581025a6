"""User-facing errors and argument checks.

Every public entry point rejects bad input with one `InvalidArgument` whose message names the
argument, shows the value and states the rule (the style of hypothesis' `extra/numpy.py`).
The CLI prints such messages as a single line, never a traceback.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis.errors import InvalidArgument

__all__ = ["InvalidArgument", "DataError", "check_type", "check_range", "check_finite_array", "check_order"]


class DataError(ValueError):
    """A data file or array is unusable (wrong shape, NaN/inf, unreadable)."""


def check_type(value: Any, types: type | tuple[type, ...], name: str) -> None:
    """Raise InvalidArgument unless ``value`` is an instance of ``types`` (bool is not an int)."""
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise InvalidArgument(f"{name}={value!r} must be {_type_names(types)}, not bool")
    if not isinstance(value, types):
        raise InvalidArgument(f"{name}={value!r} must be {_type_names(types)}, not {type(value).__name__}")


def check_range(value: float, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> None:
    """Raise InvalidArgument unless ``low <= value <= high`` (open ends if asked) and finite."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgument(f"{name}={value!r} must be finite")
    if low is not None and (value < low or (low_open and value == low)):
        raise InvalidArgument(f"{name}={value!r} must be {'>' if low_open else '>='} {low}")
    if high is not None and (value > high or (high_open and value == high)):
        raise InvalidArgument(f"{name}={value!r} must be {'<' if high_open else '<='} {high}")


def check_order(name_low: str, low: float, name_high: str, high: float) -> None:
    """Raise InvalidArgument unless ``low <= high``."""
    if low > high:
        raise InvalidArgument(f"{name_low}={low!r} is larger than {name_high}={high!r}")


def check_finite_array(array: Any, name: str) -> None:
    """Raise DataError if a numpy array contains NaN or inf."""
    import numpy as np

    arr = np.asarray(array)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise DataError(f"{name} contains {bad} non-finite value(s) (NaN or inf); shape {arr.shape}")


def _type_names(types: type | tuple[type, ...]) -> str:
    if isinstance(types, tuple):
        return " or ".join(t.__name__ for t in types)
    return types.__name__
