"""The framework takes its own medicine (issue 17.5): property-based tests over generated results
documents — they round-trip through results.json, the report renders every valid document, and the
gate is monotone (making a record worse never turns a failing gate into a passing one)."""

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from verify.checking.document import CONTROL_VERDICTS, SCHEMA, SCHEMA_VERSION, THEOREM_VERDICTS, summarise
from verify.output.gate import VERDICT_RANK, evaluate
from verify.output.report import render
from verify.output.results import read_results, write_json

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
numbers = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.integers(-10**6, 10**6),
                    st.sampled_from(["inf", "-inf", "nan"]))
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
ids = st.from_regex(r"[a-z][a-z0-9_.-]{0,15}", fullmatch=True)
pairs = st.one_of(st.none(), st.lists(numbers, min_size=2, max_size=2))
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), texts,
                                     st.floats(-1e6, 1e6, allow_nan=False)),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=8)


@st.composite
def measurements(draw):
    return {"name": draw(texts), "value": draw(numbers), "predicted": draw(st.one_of(st.none(), numbers)),
            "comparison": draw(st.sampled_from(["≈", "≥", "≤"])), "tolerance": draw(st.one_of(st.none(), numbers)),
            "interval": draw(pairs), "kind": draw(texts), "unit": draw(texts), "band": draw(pairs),
            "band_note": draw(texts), "ruled_out": draw(st.one_of(st.none(), numbers)),
            "weak": draw(st.one_of(st.none(), texts)), "gate_tolerance": draw(st.one_of(st.none(), numbers))}


def check_fields(draw, verdicts):
    return {"verdict": draw(st.sampled_from(verdicts)), "summary": draw(texts), "statement": draw(texts),
            "seconds": draw(st.floats(0, 1e4)), "error": draw(st.one_of(st.none(), texts)),
            "measurements": draw(st.lists(measurements(), max_size=3)),
            "run": draw(st.dictionaries(texts, json_values, max_size=3)),
            "examples": draw(st.lists(st.dictionaries(texts, json_values, max_size=2), max_size=2)),
            "unresolved": draw(st.integers(0, 5)), "plots": draw(st.lists(texts, max_size=2))}


@st.composite
def controls(draw):
    return {"id": draw(ids), **check_fields(draw, list(CONTROL_VERDICTS))}


@st.composite
def theorems(draw):
    cs = draw(st.lists(controls(), max_size=3, unique_by=lambda c: c["id"]))
    constants = draw(st.dictionaries(texts, st.fixed_dictionaries(
        {"value": st.one_of(numbers, texts), "source": st.sampled_from(["paper", "chosen", "measured"]),
         "note": texts}), max_size=3))
    return {"id": draw(ids), **check_fields(draw, list(THEOREM_VERDICTS)), "title": draw(texts),
            "source": draw(texts), "hypotheses": draw(st.lists(texts, max_size=2)), "constants": constants,
            "findings": draw(st.lists(texts, max_size=2)), "controls": cs,
            "controls_declared": len(cs) + draw(st.integers(0, 1)), "expected_failure": draw(st.one_of(st.none(), texts)),
            "headline": draw(st.one_of(st.none(), texts))}


@st.composite
def documents(draw):
    ts = draw(st.lists(theorems(), max_size=3, unique_by=lambda t: t["id"]))
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "created": draw(texts),
            "partial": draw(st.booleans()), "interrupted_by": draw(st.sampled_from([None, "SIGINT", "SIGTERM"])),
            "run": {"profile": "ci", "seed": draw(st.integers(0, 9)), "selection": [t["id"] for t in ts]},
            "environment": {"python": "3", "platform": "x", "cpu_count": 2, "packages": {}},
            "summary": {}, "theorems": ts}


@SETTINGS
@given(documents())
def test_results_round_trip(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("rt") / "results.json"
    write_json(document, path)
    once = read_results(path)
    write_json(once, path)
    assert read_results(path) == once
    assert once["summary"] == summarise(once["theorems"])
    assert [t["id"] for t in once["theorems"]] == [t["id"] for t in document["theorems"]]


@SETTINGS
@given(documents())
def test_the_report_renders_every_valid_document(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("rr") / "results.json"
    write_json(document, path)
    text = render(read_results(path), diff=["a", "b"])
    assert text.startswith("# dlverify report") and all(t["id"] in text for t in document["theorems"])


def worse(record, verdicts):
    """The record with its verdict replaced by a strictly worse one, if any."""
    rank = VERDICT_RANK.get(record["verdict"], 2)
    options = [v for v in verdicts if VERDICT_RANK.get(v, 2) > rank]
    return options


@SETTINGS
@given(documents(), st.data())
def test_the_gate_is_monotone(document, data):
    """Making any record worse (a worse verdict, a partial run, a dropped control) never turns a
    failing gate into a passing one."""
    document = json.loads(json.dumps(document))
    document["summary"] = summarise(document["theorems"])
    before = evaluate(document).passed
    changed = copy.deepcopy(document)
    records = [(t, THEOREM_VERDICTS) for t in changed["theorems"]] + \
              [(c, CONTROL_VERDICTS) for t in changed["theorems"] for c in t["controls"]]
    step = data.draw(st.sampled_from(["verdict", "partial", "drop-control"]))
    if step == "verdict" and records:
        record, verdicts = data.draw(st.sampled_from(records))
        options = worse(record, verdicts)
        if options:
            record["verdict"] = data.draw(st.sampled_from(options))
    elif step == "partial":
        changed["partial"] = True
    elif step == "drop-control":
        with_controls = [t for t in changed["theorems"] if t["controls"]]
        if with_controls:
            data.draw(st.sampled_from(with_controls))["controls"].pop()
    changed["summary"] = summarise(changed["theorems"])
    if not before:
        assert not evaluate(changed).passed
