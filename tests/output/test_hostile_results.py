"""Hostile results files (valid JSON, wrong content) give one-line errors and exit 2 in every
command that reads them — never a traceback (issue 17.6's fuzz findings)."""

import copy
import json

import pytest

from verify.checking.document import SCHEMA, SCHEMA_VERSION
from verify.cli import main


def valid():
    control = {"id": "c", "verdict": "refuted", "summary": "", "seconds": 0.1, "measurements": []}
    theorem = {"id": "arora2018.balancedness", "verdict": "verified", "summary": "", "seconds": 1.0,
               "measurements": [{"name": "x", "value": 1.0, "predicted": 1.0, "tolerance": 0.1}],
               "controls_declared": 1, "controls": [control], "examples": [{"dims": [1, 1]}]}
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "created": "now", "partial": False,
            "run": {"profile": "ci", "seed": 0}, "environment": {}, "theorems": [theorem]}


def nested(depth):
    return "[" * depth + "]" * depth


HOSTILE = {
    "nested-100k": lambda d: json.dumps(valid()).replace('"run": {', f'"deep": {nested(100_000)}, "run": {{', 1),
    "5000-digit-int": lambda d: json.dumps(valid()).replace('"seconds": 1.0', '"seconds": ' + "9" * 5000, 1),
    "huge-value": lambda d: json.dumps(valid()).replace('"value": 1.0', '"value": 1e308', 1),
    "run-not-object": lambda d: d["theorems"][0].update(run=[1, 2]),
    "constants-list": lambda d: d["theorems"][0].update(constants=["a"]),
    "constant-bad-source": lambda d: d["theorems"][0].update(constants={"C": {"value": 1, "source": "vibes"}}),
    "plots-not-strings": lambda d: d["theorems"][0].update(plots=[1, None]),
    "findings-string": lambda d: d["theorems"][0].update(findings="oops"),
    "examples-strings": lambda d: d["theorems"][0].update(examples=["a", "b"]),
    "source-number": lambda d: d["theorems"][0].update(source=12),
    "error-list": lambda d: d["theorems"][0].update(error=["x"]),
    "seconds-string": lambda d: d["theorems"][0].update(seconds="fast"),
    "seconds-negative": lambda d: d["theorems"][0].update(seconds=-1),
    "controls-declared-string": lambda d: d["theorems"][0].update(controls_declared="3"),
    "packages-list": lambda d: d.update(environment={"packages": ["numpy"]}),
    "measurement-value-object": lambda d: d["theorems"][0]["measurements"][0].update(value={"a": 1}),
    "interval-three": lambda d: d["theorems"][0]["measurements"][0].update(interval=[1, 2, 3]),
    "counterexample-case-string": lambda d: d["theorems"][0].update(counterexample="boom"),
    "schema-version-bool": lambda d: d.update(schema_version=True),
    "not-an-object": lambda d: "[1, 2, 3]",
}


def write(tmp_path, name, mutate):
    data = valid()
    text = mutate(data)
    path = tmp_path / f"{name}.json"
    path.write_text(text if isinstance(text, str) else json.dumps(data))
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_reader_gives_one_line_and_exit_2(tmp_path, capsys, name):
    path = write(tmp_path, name, HOSTILE[name])
    good = write(tmp_path, "good", lambda d: None)
    commands = [["report", path, "--out", tmp_path / "r.md"], ["gate", path], ["gate", good, "--baseline", path],
                ["replay", "arora2018.balancedness@0", "--results", path],
                ["run", "arora2018.balancedness", "--profile", "ci", "--baseline", path, "--out", tmp_path / "o"]]
    for command in commands:
        code = main([str(a) for a in command])
        err = capsys.readouterr().err
        assert code == 2, (command[0], err)
        assert err.count("\n") == 1 and "Traceback" not in err and "error:" in err, (command[0], err)


def test_the_valid_document_is_accepted(tmp_path, capsys):
    assert main(["gate", str(write(tmp_path, "good", lambda d: None)), "--allow-inconclusive"]) == 0


def test_a_version_1_file_is_upgraded_not_rejected(tmp_path, capsys):
    def v1(d):
        d.update(schema_version=1)
        d["theorems"][0]["constants"] = {"C": "2.0 in the width formula"}

    path = write(tmp_path, "v1", v1)
    assert main(["report", str(path), "--out", str(tmp_path / "r.md")]) == 0
    assert "unrecorded" in (tmp_path / "r.md").read_text()


@pytest.mark.parametrize("case", ['{"k": -1, "d": 2, "rank": 1, "N": 2, "seed": 0}', '[1, 2]', '{"dims": "x"}',
                                  '{"dims": [2, 100000, 2], "init": "gaussian", "init_seed": 0, '
                                  '"data": {"d_in": 2, "d_out": 2, "n": 3}}', "{" * 5000, "x" * 20_000])
def test_replay_cases_out_of_bounds_are_one_line_errors(capsys, case):
    for target in ("arora2018.preconditioner", "arora2018.balancedness"):
        code = main(["replay", target, "--case", case])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, (target, case[:40], err)


def test_the_mutations_are_really_different_documents():
    """The fuzz cases are not no-ops (each changes the document)."""
    for name, mutate in HOSTILE.items():
        data = valid()
        text = mutate(data)
        assert (text if isinstance(text, str) else json.dumps(data)) != json.dumps(valid()), name
    assert copy.deepcopy(valid()) == valid()
