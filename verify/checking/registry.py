"""The theorem registry: one ordered map from id to `Theorem`, read by the CLI and by pytest.

Theorem modules call `register` at import. `load_all` discovers them as plugins: it imports every
module of the package named `THEOREM_PACKAGE` by name, so the framework depends on no theorem's code.
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import pkgutil
from typing import Iterable, Iterator

from ..errors import InvalidArgument
from .spec import Control, Theorem

__all__ = ["register", "load_all", "all_theorems", "get", "select", "iter_checks"]

THEOREM_PACKAGE = "theorems"
_REGISTRY: dict[str, Theorem] = {}
_LOADED = False


def register(theorem: Theorem) -> Theorem:
    """Add ``theorem``; a duplicate id is an error at import time."""
    if theorem.id in _REGISTRY and _REGISTRY[theorem.id] is not theorem:
        raise InvalidArgument(f"theorem id {theorem.id!r} is registered twice")
    _REGISTRY[theorem.id] = theorem
    return theorem


def load_all() -> None:
    """Import every module of the `THEOREM_PACKAGE` package (each registers its theorems)."""
    global _LOADED
    if _LOADED:
        return
    package = importlib.import_module(THEOREM_PACKAGE)
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{THEOREM_PACKAGE}.{module.name}")
    _LOADED = True


def all_theorems() -> list[Theorem]:
    load_all()
    return sorted(_REGISTRY.values(), key=lambda t: t.id)


def get(theorem_id: str) -> Theorem:
    """The theorem registered as ``theorem_id``: its own module is imported first (by the naming
    convention ``a.b`` → ``THEOREM_PACKAGE.a_b``), all modules only if that does not register it."""
    if theorem_id not in _REGISTRY and not _LOADED:
        module = f"{THEOREM_PACKAGE}.{theorem_id.replace('.', '_')}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    if theorem_id in _REGISTRY:
        return _REGISTRY[theorem_id]
    load_all()
    try:
        return _REGISTRY[theorem_id]
    except KeyError:
        close = [t for t in _REGISTRY if theorem_id.split(".")[0] in t]
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `verify list`"
        raise InvalidArgument(f"unknown theorem {theorem_id!r}{hint}") from None


def select(patterns: Iterable[str] = ()) -> list[Theorem]:
    """Theorems whose id equals or glob-matches any pattern (all theorems if none given)."""
    theorems = all_theorems()
    patterns = list(patterns)
    if not patterns:
        return theorems
    chosen = []
    for pattern in patterns:
        matched = [t for t in theorems if fnmatch.fnmatchcase(t.id, pattern) or t.id == pattern]
        if not matched:
            get(pattern)  # raises with a hint
        chosen.extend(t for t in matched if t not in chosen)
    return chosen


def iter_checks(patterns: Iterable[str] = ()) -> Iterator[tuple[Theorem, Control | None]]:
    """(theorem, None) for each selected theorem's own check, then (theorem, control) per control."""
    for theorem in select(patterns):
        yield theorem, None
        for control in theorem.controls:
            yield theorem, control
