"""verify.output.stability: a verdict that flips with the seed is unstable; an expected failure is
stable when it shows the same falsified/inconclusive verdict on every seed."""

from verify.output.stability import render_stability, stability


def run(theorem_verdict, control_verdict, expected_verdict):
    return {"run": {"profile": "ci"}, "partial": False, "theorems": [
        {"id": "t", "verdict": theorem_verdict, "expected_failure": None,
         "controls": [{"id": "c", "verdict": control_verdict}]},
        {"id": "x", "verdict": expected_verdict, "expected_failure": "does not reproduce", "controls": []}]}


def rows(runs):
    return {r["check"]: r for r in stability(runs)["checks"]}


def test_stable_checks_and_a_stable_expected_failure():
    table = rows({0: run("verified", "refuted", "falsified"), 1: run("verified", "refuted", "falsified")})
    assert table["t"]["good"] == table["t[control:c]"]["good"] == table["x"]["good"] == 2
    assert table["x"]["wanted"] == "falsified (expected failure)"


def test_flips_are_counted_against_stability():
    table = rows({0: run("verified", "refuted", "inconclusive"), 1: run("inconclusive", "not refuted", "falsified"),
                  2: run("verified", "refuted", "verified")})
    assert table["t"]["good"] == 2 and table["t"]["others"] == {"1": "inconclusive"}
    assert table["t[control:c]"]["others"] == {"1": "not refuted"}
    assert table["x"]["wanted"] == "inconclusive (expected failure)" and table["x"]["good"] == 1
    assert "**0/3 checks stable**" in render_stability(stability({0: run("verified", "refuted", "inconclusive"),
                                                                  1: run("inconclusive", "not refuted", "falsified"),
                                                                  2: run("verified", "refuted", "verified")}))
