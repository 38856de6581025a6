"""B7: `verify mutate --profile ci` end to end — wall time (issue 18: ≤ 20 min on 2 cores) and the
mutation scores it reports."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from common import Check, Report

LIMIT_MIN = 20
REPO = Path(__file__).resolve().parent.parent


def run(out: Path) -> Report:
    command = [sys.executable, "-m", "verify", "mutate", "--profile", "ci", "--workers", "2", "--out", str(out)]
    print(f"  running: {' '.join(command[1:])}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    report = Report("B7: `verify mutate --profile ci --workers 2`", ["wall time", "exit status", "result"])
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-300:]
    report.rows.append([f"{seconds / 60:.1f} min", str(done.returncode), summary])
    if (out / "mutation.json").exists():
        doc = json.loads((out / "mutation.json").read_text())
        report.notes.append(f"{len(doc['mutants'])} mutants × {len(doc['theorems'])} theorems; matrix in "
                            f"{out / 'mutation.md'}")
    report.checks.append(Check("`verify mutate --profile ci` wall time", f"{seconds / 60:.1f} min", f"≤ {LIMIT_MIN} min",
                               done.returncode in (0, 1) and seconds <= LIMIT_MIN * 60))
    return report
