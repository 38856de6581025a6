"""Shared helpers for tests of single-example replay (`verify replay`)."""

import contextlib
import json
from types import ModuleType
from typing import Iterator
from unittest import mock

from verify.checking.document import jsonable
from verify.checking.property import PropertyRun, run_property


@contextlib.contextmanager
def recorded_property_runs(module: ModuleType) -> Iterator[list[PropertyRun]]:
    """Collect every PropertyRun that ``module``'s checks get from run_property while the block runs."""
    runs: list[PropertyRun] = []

    def spy(*args, **kwargs) -> PropertyRun:
        runs.append(run_property(*args, **kwargs))
        return runs[-1]

    with mock.patch.object(module, "run_property", spy):
        yield runs


def as_read_back(description: dict) -> dict:
    """A recorded description as `verify replay` reads it back from results.json."""
    return json.loads(json.dumps(jsonable(description)))
