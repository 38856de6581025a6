"""pytest integration: every registered theorem and every negative control is its own test item.

Enable with ``pytest_plugins = ["verify.pytest_plugin"]`` in a conftest. Item ids equal check ids
(``arora2018.balancedness``, ``arora2018.balancedness[control:broken-layer-gradient]``), so ``pytest -k du_hu``
and ``verify run 'du_hu*'`` select the same things. The profile comes from
``--dlverify-profile`` or the ``DLVERIFY_PROFILE`` environment variable (default ``ci``); the seed
from ``--dlverify-seed`` (default 0).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from .checking.context import Context
from .checking.profiles import PROFILES, get_profile
from .checking.runner import CheckOutcome, run_check
from .checking.spec import Control, Theorem

__all__ = ["theorem_params", "assert_theorem_verified", "assert_control_refuted", "pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dlverify")
    group.addoption("--dlverify-profile", choices=sorted(PROFILES), default=os.environ.get("DLVERIFY_PROFILE", "ci"),
                    help="evidence budget for theorem checks (default: $DLVERIFY_PROFILE or ci)")
    group.addoption("--dlverify-seed", type=int, default=0, help="seed for theorem checks (default: 0)")
    group.addoption("--dlverify-mutant", metavar="ID", default=None,
                    help="run the whole session with a catalogued mutant planted (`verify mutate --list`)")


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import settings

    from .checking.registry import all_theorems

    mutant_id = config.getoption("--dlverify-mutant", default=None)
    if mutant_id:
        import contextlib

        from .checking.mutation import applied, mutant

        stack = contextlib.ExitStack()
        stack.enter_context(applied(mutant(mutant_id)))
        config.add_cleanup(stack.close)
    name = config.getoption("--dlverify-profile", default="ci")
    settings.load_profile(f"dlverify-{name}")
    for tag in sorted({tag for theorem in all_theorems() for tag in theorem.tags}):
        config.addinivalue_line("markers", f"{_marker(tag)}: theorems tagged '{tag}' (select with -m)")


def theorem_params() -> list[Any]:
    """``pytest.param((theorem, control_or_None), id=check_id)`` for every registered check."""
    from .checking.registry import iter_checks

    params = []
    for theorem, control in iter_checks():
        check_id = theorem.id if control is None else f"{theorem.id}[control:{control.id}]"
        marks = [getattr(pytest.mark, _marker(tag)) for tag in sorted(theorem.tags)]
        params.append(pytest.param((theorem, control), id=check_id, marks=marks))
    return params


def _marker(tag: str) -> str:
    return tag.replace("-", "_").replace(".", "_")


def _context(config: pytest.Config, check_id: str) -> Context:
    return Context(get_profile(config.getoption("--dlverify-profile")), config.getoption("--dlverify-seed"), check_id)


def _explain(outcome: CheckOutcome) -> str:
    if outcome.error:
        return outcome.error
    ev = outcome.evidence
    lines = [ev.summary]
    for m in ev.measurements:
        lines.append(f"  {m.name}: measured={m.value!r}, predicted={m.predicted!r}, tolerance={m.tolerance!r}")
    if ev.counterexample:
        lines.append("  counterexample: " + json.dumps(ev.counterexample, default=repr))
    return "\n".join(lines)


def assert_theorem_verified(theorem: Theorem, config: pytest.Config) -> None:
    """Fail with measured vs predicted values and the shrunk counterexample unless the theorem verifies."""
    __tracebackhide__ = True
    outcome = run_check(theorem.check, _context(config, theorem.id))
    verdict = outcome.theorem_verdict().value
    if verdict == "skipped":
        pytest.skip(outcome.evidence.summary)
    if theorem.expected_failure and verdict in ("falsified", "inconclusive"):
        pytest.xfail(f"{verdict} as expected: {theorem.expected_failure}")
    if verdict != "verified":
        pytest.fail(f"{theorem.id}: {verdict}: {_explain(outcome)}", pytrace=False)


def assert_control_refuted(theorem: Theorem, control: Control, config: pytest.Config) -> None:
    """Fail unless the negative control (a false statement) is refuted by the theorem's checker."""
    __tracebackhide__ = True
    outcome = run_check(control.check, _context(config, f"{theorem.id}[control:{control.id}]"))
    verdict = outcome.control_verdict().value
    if verdict == "skipped":
        pytest.skip(outcome.evidence.summary)
    if verdict != "refuted":
        pytest.fail(f"{theorem.id}[control:{control.id}]: {verdict} — the check cannot tell this false statement "
                    f"({control.statement}) from the theorem: {_explain(outcome)}", pytrace=False)
