"""`verify list`, `verify show` and `verify replay`: what is registered, and one example re-run."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from ..errors import DataError, InvalidArgument
from .arguments import EXIT_GATE_FAILED, EXIT_OK

__all__ = ["cmd_list", "cmd_show", "cmd_replay", "parse_target", "recorded_example"]

MAX_CASE_CHARS = 10_000   # a replay description is a few hundred characters


def cmd_list(args: argparse.Namespace) -> int:
    from ..checking.registry import select
    from ..output.report import plural, short_source

    for t in select(args.patterns):
        print(f"{t.id:38s} {t.certification.value:11s} {plural(len(t.controls), 'control'):11s} {short_source(t.source)}")
        if args.controls:
            for c in t.controls:
                print(f"    control {c.id}: {c.statement}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from ..checking.registry import get

    t = get(args.theorem)
    print(f"{t.id}: {t.title}\nsource: {t.source}\ncertification: {t.certification.value}\n")
    print(f"statement: {t.statement}\n\nhypotheses:")
    for h in t.hypotheses:
        print(f"  - {h}")
    print(f"\nconclusion checked: {t.conclusion}\n\nnegative controls (false statements that must be refuted):")
    for c in t.controls:
        print(f"  - {c.id}: {c.statement}")
    if t.constants:
        print("\nconstants and tolerances the verdict uses (value, source):")
        for k, c in t.constants.items():
            print(f"  - {k}: {c.value} ({c.source}{'; ' + c.note if c.note else ''})")
    return EXIT_OK


def parse_target(target: str) -> tuple[str, str | None, str | None]:
    """'ID[control:CID]@K' → (ID, CID or None, K or None)."""
    check, _, example = target.partition("@")
    control = None
    if check.endswith("]") and "[control:" in check:
        check, _, control = check[:-1].partition("[control:")
    return check, control, example or None


def cmd_replay(args: argparse.Namespace) -> int:
    from ..checking.property import PropertyFailure
    from ..checking.registry import get
    from ..output.results import read_results

    theorem_id, control_id, example = parse_target(args.target)
    theorem = get(theorem_id)
    control = theorem.control(control_id) if control_id else None
    replay = (control or theorem).replay
    label = theorem_id + (f"[control:{control_id}]" if control_id else "")
    if replay is None:
        raise InvalidArgument(f"{label} has no single-example replay; its whole check is deterministic: re-run it "
                              f"with `verify run {theorem_id} --profile P --seed S` (see the report's Reproduce line)")
    if args.case is not None:
        case = parse_case(args.case)
    else:
        if example is None:
            raise InvalidArgument(f"target {args.target!r} names no example: use ID@K, ID@counterexample or --case")
        case = recorded_example(read_results(args.results), theorem_id, control_id, example, args.results)
    print(f"replaying {label} on {json.dumps(case)}")
    try:
        measured = replay(case)
    except PropertyFailure as exc:
        print(f"property FAILS on this example: {exc}")
        print(json.dumps(exc.measured, default=repr, indent=2))
        return EXIT_GATE_FAILED
    except (InvalidArgument, DataError):
        raise
    except MemoryError:
        raise InvalidArgument(f"the example description asks {label} for more memory than this machine has; "
                              "use smaller sizes") from None
    except Exception as exc:  # any other failure to build the example is a bad description, not a crash
        raise InvalidArgument(f"the example description does not fit {label}: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    print(json.dumps(measured, default=repr, indent=2))
    print("property holds on this example")
    return EXIT_OK


def parse_case(text: str) -> dict[str, Any]:
    """The --case JSON: an object of at most `MAX_CASE_CHARS` characters."""
    if len(text) > MAX_CASE_CHARS:
        raise InvalidArgument(f"--case has {len(text)} characters; an example description has at most {MAX_CASE_CHARS}")
    try:
        case = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgument(f"--case is not valid JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(case, dict):
        raise InvalidArgument(f"--case must be a JSON object of the example's fields, not {type(case).__name__}")
    return case


def recorded_example(results: dict, theorem_id: str, control_id: str | None, example: str, path: Path) -> dict:
    """The description of example ``example`` (an index or 'counterexample') of a check in ``results``."""
    record = next((t for t in results["theorems"] if t["id"] == theorem_id), None)
    if record is None:
        raise InvalidArgument(f"{path} has no results for {theorem_id!r}")
    if control_id is not None:
        record = next((c for c in record["controls"] if c["id"] == control_id), None)
        if record is None:
            raise InvalidArgument(f"{path} has no results for control {control_id!r} of {theorem_id!r}")
    if example == "counterexample":
        counterexample = record.get("counterexample")
        if not counterexample or not isinstance(counterexample.get("case"), dict):
            raise InvalidArgument(f"{path}: this check recorded no counterexample")
        return counterexample["case"]
    examples = record.get("examples", [])
    if not examples:
        raise InvalidArgument(f"{path}: this check recorded no examples; try @counterexample or --case")
    if not re.fullmatch(r"[0-9]{1,9}", example) or int(example) >= len(examples):
        raise InvalidArgument(f"example {example!r} must be 'counterexample' or an index 0..{len(examples) - 1}")
    return examples[int(example)]
