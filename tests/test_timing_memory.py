"""The machine's timing memory: a complete run's check times are remembered per profile (merged
with earlier ones) and used to order the first run into a new directory; partial runs, other
profiles and a corrupt cache are ignored."""

from verify.cli.run import remember_times, remembered_times


def results(profile, partial=False, **seconds):
    theorems = [{"id": tid, "seconds": sec, "controls": [{"id": "c", "seconds": sec / 2}]} for tid, sec in seconds.items()]
    return {"run": {"profile": profile}, "partial": partial, "theorems": theorems}


def test_times_are_remembered_per_profile_and_merged(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert remembered_times("ci") is None
    remember_times(results("ci", a=10.0), "ci")
    remember_times(results("ci", b=4.0), "ci")
    remember_times(results("ci", partial=True, a=99.0), "ci")        # partial: not remembered
    remember_times(results("default", a=50.0), "default")
    assert remembered_times("ci") == {"a": 10.0, "a[control:c]": 5.0, "b": 4.0, "b[control:c]": 2.0}
    assert remembered_times("default")["a"] == 50.0


def test_a_corrupt_memory_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "dlverify").mkdir()
    for text in ("not json", "[1, 2]", '{"a": "slow"}', "{}"):
        (tmp_path / "dlverify" / "timings-ci.json").write_text(text)
        assert remembered_times("ci") is None
    remember_times(results("ci", a=1.0), "ci")                       # and is replaced by the next complete run
    assert remembered_times("ci")["a"] == 1.0
