"""The `verify` command: listing, running, re-rendering, gating, and one-line errors on bad input."""

import copy
import json
import signal
import subprocess
import sys

import pytest

from verify.checking.registry import get
from verify.output.results import read_results, write_json

from signal_helpers import default_sigint

THEOREM = "arora2018.balancedness"            # a property-based theorem with replayable examples
CONTROLS = [c.id for c in get(THEOREM).controls]


def verify(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "verify", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = verify("run", THEOREM, "--profile", "ci", "--seed", "0", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_list_shows_the_theorem_and_its_controls():
    proc = verify("list", "--controls")
    assert proc.returncode == 0
    assert THEOREM in proc.stdout and f"control {CONTROLS[0]}" in proc.stdout


def test_show_prints_statement_and_controls():
    proc = verify("show", THEOREM)
    assert proc.returncode == 0 and "hypotheses:" in proc.stdout and "broken-layer-gradient" in proc.stdout


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["run"], ["report"], ["gate"]])
def test_every_command_has_help(command):
    proc = verify(*command, "--help")
    assert proc.returncode == 0 and "usage: verify" in proc.stdout


def test_run_writes_report_and_results(ci_run):
    results = read_results(ci_run / "results.json")
    theorem = results["theorems"][0]
    assert theorem["id"] == THEOREM and theorem["verdict"] == "verified"
    assert [c["verdict"] for c in theorem["controls"]] == ["refuted"] * len(CONTROLS)
    assert results["run"]["profile"] == "ci" and results["schema_version"] == 2
    report = (ci_run / "report.md").read_text()
    assert "| [`arora2018.balancedness`]" in report and f"{len(CONTROLS)}/{len(CONTROLS)}" in report
    assert "drift exponent" in report
    for plot in theorem["plots"]:
        assert (ci_run / plot).is_file() and f"]({plot})" in report


def test_same_seed_same_numbers(ci_run, tmp_path):
    again = verify("run", THEOREM, "--profile", "ci", "--seed", "0", "--out", tmp_path, "--quiet")
    assert again.returncode == 0
    first = read_results(ci_run / "results.json")["theorems"][0]
    second = read_results(tmp_path / "results.json")["theorems"][0]
    assert first["measurements"] == second["measurements"]
    assert [c["measurements"] for c in first["controls"]] == [c["measurements"] for c in second["controls"]]


def test_report_rerenders_from_json(ci_run):
    target = ci_run / "again.md"
    proc = verify("report", ci_run / "results.json", "--out", target)
    assert proc.returncode == 0
    assert target.read_text() == (ci_run / "report.md").read_text()


def test_gate_passes_on_a_good_run_and_updates_the_baseline(ci_run, tmp_path):
    baseline = tmp_path / "baseline.json"
    proc = verify("gate", ci_run / "results.json", "--update-baseline", baseline)
    assert proc.returncode == 0, proc.stdout
    assert read_results(baseline)["theorems"][0]["id"] == THEOREM
    proc = verify("gate", ci_run / "results.json", "--baseline", baseline)
    assert proc.returncode == 0 and "No changes" in proc.stdout


def _mutated(ci_run, tmp_path, mutate):
    data = copy.deepcopy(read_results(ci_run / "results.json"))
    mutate(data)
    path = tmp_path / "mutated.json"
    write_json(data, path)
    return path


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["theorems"][0]["controls"][1].update(verdict="not refuted"), "did not refute"),
    (lambda d: d["theorems"][0].update(verdict="falsified"), "falsified"),
    (lambda d: d["theorems"][0].update(verdict="error"), "error"),
    (lambda d: d["theorems"][0]["controls"][0].update(verdict="inconclusive"), "did not refute"),
    (lambda d: d.update(partial=True), "partial"),
    (lambda d: d.update(theorems=[]), "no theorems"),
], ids=["control-not-refuted", "falsified", "error", "control-inconclusive", "partial", "empty"])
def test_gate_fails_on_bad_results(ci_run, tmp_path, mutate, expected):
    proc = verify("gate", _mutated(ci_run, tmp_path, mutate))
    assert proc.returncode == 1 and expected in proc.stdout


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["theorems"][0].update(verdict="inconclusive"), "regressed from verified to inconclusive"),
    (lambda d: d["theorems"][0]["measurements"][1].update(value=d["theorems"][0]["measurements"][1]["value"] + 0.5),
     "moved from"),
    (lambda d: d["theorems"][0]["controls"].pop(), "missing"),
    (lambda d: d["theorems"][0]["measurements"].pop(1), "gated measurement missing"),
], ids=["verdict-regressed", "measurement-moved", "control-missing", "measurement-missing"])
def test_gate_fails_on_regressions_against_a_baseline(ci_run, tmp_path, mutate, expected):
    proc = verify("gate", _mutated(ci_run, tmp_path, mutate), "--baseline", ci_run / "results.json")
    assert proc.returncode == 1 and expected in proc.stdout and "| what | baseline | now | status |" in proc.stdout


@pytest.mark.parametrize("args, expected", [
    (["run", "--profile", "fast"], "invalid choice: 'fast'"),
    (["run", "--seed", "abc"], "--seed 'abc' is not an integer"),
    (["run", "--seed", "-3"], "must be in [0, 2^32)"),
    (["run", "no.such-theorem"], "unknown theorem 'no.such-theorem'"),
    (["show", "nope"], "unknown theorem 'nope'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["gate", "missing.json"], "missing.json: no such results file"),
    (["report", "missing.json"], "no such results file"),
])
def test_bad_input_gives_one_line_error_and_exit_2(args, expected):
    proc = verify(*args)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_gate_rejects_files_that_are_not_results(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = verify("gate", bad)
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "something.else"}))
    proc = verify("gate", other)
    assert proc.returncode == 2 and "not a dlverify results file" in proc.stderr
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema": "dlverify.results", "schema_version": 99, "theorems": []}))
    proc = verify("gate", newer)
    assert proc.returncode == 2 and "schema_version 99" in proc.stderr


def test_out_must_be_a_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = verify("run", THEOREM, "--out", blocker, "--profile", "ci")
    assert proc.returncode == 2 and "not a directory" in proc.stderr


def test_replay_an_example_and_a_counterexample(ci_run):
    results = ci_run / "results.json"
    proc = verify("replay", f"{THEOREM}@0", "--results", results)
    assert proc.returncode == 0 and "property holds on this example" in proc.stdout
    refuted_by_example = [c["id"] for c in read_results(results)["theorems"][0]["controls"]
                          if (c.get("counterexample") or {}).get("case")]
    assert refuted_by_example, "some control of the theorem is refuted by a shrunk counterexample"
    proc = verify("replay", f"{THEOREM}[control:{refuted_by_example[0]}]@counterexample", "--results", results)
    assert proc.returncode == 1 and "property FAILS on this example" in proc.stdout
    proc = verify("replay", f"{THEOREM}@99", "--results", results)
    assert proc.returncode == 2 and "must be 'counterexample' or an index" in proc.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_writes_a_partial_report(tmp_path, signum):
    proc = subprocess.Popen([sys.executable, "-m", "verify", "run", THEOREM, "--profile", "ci", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    first_line = proc.stderr.readline()  # the first finished check
    assert THEOREM in first_line
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130 and out.startswith("PARTIAL")
    results = read_results(tmp_path / "results.json")
    assert results["partial"] is True and len(results["theorems"][0]["controls"]) < len(CONTROLS)
    report = (tmp_path / "report.md").read_text()
    assert "PARTIAL RUN" in report and "did not run (the run was interrupted)" in report
    assert f"/{len(CONTROLS)} |" in report  # the summary counts refuted controls out of all declared
    gate = verify("gate", tmp_path / "results.json")
    assert gate.returncode == 1 and "controls ran" in gate.stdout


def test_gate_accepts_a_reviewed_expected_failure_and_flags_an_unexpected_pass(ci_run, tmp_path):
    def expected_falsified(d):
        d["theorems"][0].update(verdict="falsified", expected_failure="does not reproduce at this scale")

    proc = verify("gate", _mutated(ci_run, tmp_path, expected_falsified))
    assert proc.returncode == 0 and "NOTE arora2018.balancedness: falsified as expected" in proc.stdout
    proc = verify("gate", _mutated(ci_run, tmp_path, lambda d: d["theorems"][0].update(expected_failure="x")))
    assert proc.returncode == 0 and "unexpected pass" in proc.stdout

    def expected_but_error(d):
        d["theorems"][0].update(verdict="error", expected_failure="x")

    assert verify("gate", _mutated(ci_run, tmp_path, expected_but_error)).returncode == 1


def test_report_shows_bounds_as_claims_not_predictions():
    from verify.checking.spec import Measurement
    from verify.output.report import measurement_table

    rows = measurement_table([Measurement("effect", 0.5, predicted=0.1, comparison="≥").to_dict(),
                              Measurement("ratio", 1.2, predicted=1.0, comparison="≤").to_dict(),
                              Measurement("slope", 2.01, predicted=2.0, tolerance=0.1).to_dict()])
    assert "claimed ≥ 0.1" in rows[2] and "meets the bound" in rows[2]
    assert "claimed ≤ 1" in rows[3] and "violates the bound" in rows[3]
    assert "predicted 2" in rows[4] and "within tolerance" in rows[4]
    with pytest.raises(Exception, match="comparison"):
        Measurement("x", 1.0, comparison=">")


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["theorems"][0].update(verdict="FALSIFIED"), "theorems[0].verdict: 'FALSIFIED' is not one of"),
    (lambda d: d["theorems"][0]["controls"][0].update(verdict="banana"), "controls[0].verdict: 'banana' is not one of"),
    (lambda d: d["theorems"].append(copy.deepcopy(d["theorems"][0])), "appears twice"),
    (lambda d: d["theorems"][0].pop("controls"), "theorems[0]: 'controls' is a required property"),
    (lambda d: d["theorems"][0]["measurements"][0].pop("name"), "measurements[0]: 'name' is a required property"),
    (lambda d: d.pop("run"), "top level: 'run' is a required property"),
], ids=["uppercase-verdict", "unknown-control-verdict", "duplicate-theorem", "no-controls-key",
        "measurement-without-name", "no-run"])
def test_malformed_results_are_rejected_with_exit_2(ci_run, tmp_path, mutate, expected):
    for command in ("gate", "report"):
        proc = verify(command, _mutated(ci_run, tmp_path, mutate))
        assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def test_gate_recomputes_the_summary_and_needs_the_controls(ci_run, tmp_path):
    def lie(d):
        d["theorems"][0].update(verdict="falsified")
        d["summary"] = {"theorems": 1, "verified": 1}

    proc = verify("gate", _mutated(ci_run, tmp_path, lie))
    assert proc.returncode == 1 and "gate: 0/1 verified" in proc.stdout
    def no_controls(d):
        d["theorems"][0].update(controls=[])
        d["theorems"][0].pop("controls_declared")

    proc = verify("gate", _mutated(ci_run, tmp_path, no_controls))
    assert proc.returncode == 1 and "no negative controls" in proc.stdout
    proc = verify("gate", _mutated(ci_run, tmp_path, lambda d: d["theorems"][0]["controls"].pop()))
    assert proc.returncode == 1 and f"only {len(CONTROLS) - 1} of its {len(CONTROLS)} controls ran" in proc.stdout
    minimal = tmp_path / "minimal.json"
    minimal.write_text(json.dumps({"schema": "dlverify.results", "schema_version": 1, "created": "now",
                                   "run": {}, "environment": {}, "theorems": []}))
    proc = verify("gate", minimal)
    assert proc.returncode == 1 and "no theorems" in proc.stdout


def test_gate_fails_on_skipped_checks_unless_allowed(ci_run, tmp_path):
    def skipped(d):
        d["theorems"][0].update(verdict="skipped", summary="skipped: needs the nn extra")
        for c in d["theorems"][0]["controls"]:
            c.update(verdict="skipped", summary="skipped: needs the nn extra")

    path = _mutated(ci_run, tmp_path, skipped)
    proc = verify("gate", path)
    assert proc.returncode == 1 and "a skipped check is not a pass" in proc.stdout
    proc = verify("gate", path, "--allow-skipped")
    assert proc.returncode == 0 and "NOTE arora2018.balancedness: skipped" in proc.stdout


def test_gate_reports_a_gated_value_that_became_nan(ci_run, tmp_path):
    def nan(d):
        d["theorems"][0]["measurements"][1]["value"] = "nan"

    proc = verify("gate", _mutated(ci_run, tmp_path, nan), "--baseline", ci_run / "results.json")
    assert proc.returncode == 1 and "became 'nan'" in proc.stdout


def test_report_written_elsewhere_keeps_its_links(ci_run, tmp_path):
    target = tmp_path / "sub" / "elsewhere.md"
    target.parent.mkdir()
    assert verify("report", ci_run / "results.json", "--out", target).returncode == 0
    text = target.read_text()
    plots = read_results(ci_run / "results.json")["theorems"][0]["plots"]
    assert plots
    for plot in plots:
        link = next(line for line in text.splitlines() if plot in line and line.startswith("!["))
        relative = link[link.index("](") + 2:-1]
        assert (target.parent / relative).resolve() == (ci_run / plot).resolve()
    assert "--results results.json" not in text and "results.json" in text
