"""verify.checking.parallel: a sweep on a 2-worker dask LocalCluster gives exactly the serial results."""

from __future__ import annotations

import os

import numpy as np
import pytest

from verify.checking.context import Context
from verify.checking.parallel import DaskMissing, dask_mapper
from verify.checking.profiles import get_profile
from verify.engine.inits import gaussian
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, gd_step
from verify.errors import InvalidArgument

from signal_helpers import default_sigint


def train(seed: int) -> tuple[float, list[float]]:
    """A seeded sweep point: 50 GD steps of a depth-4 network; (final loss, per-layer sums)."""
    rng = np.random.default_rng(seed)
    weights = [w / 4.0 for w in gaussian((8, 16, 16, 16, 3), rng)]
    loss = QuadraticLoss.from_data(rng.standard_normal((8, 40)), rng.standard_normal((3, 40)))
    for _ in range(50):
        weights = gd_step(weights, loss, 1e-3)
    return float(loss.value(end_to_end(weights))), [float(w.sum()) for w in weights]


def fails_on_three(seed: int) -> int:
    if seed == 3:
        raise ValueError("sweep point 3 is broken")
    return seed


def test_bad_arguments_are_rejected_before_dask_is_needed():
    with pytest.raises(InvalidArgument, match="workers=0"):
        with dask_mapper(0):
            pass
    with pytest.raises(InvalidArgument, match="cannot be combined"):
        with dask_mapper(2, scheduler="tcp://127.0.0.1:8786"):
            pass


def test_missing_dask_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(DaskMissing, match=r"pip install 'dlverify\[dask\]'") as info:
        with dask_mapper(2):
            pass
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ImportError) and isinstance(info.value, InvalidArgument)


@pytest.fixture(scope="module")
def mapper():
    pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'dlverify[dask]')")
    with dask_mapper(2) as m:
        yield m


def test_two_worker_sweep_equals_serial(mapper):
    seeds = list(range(12))
    serial = [train(s) for s in seeds]
    assert mapper(train, seeds) == serial          # bit-identical, in input order
    assert len({r[0] for r in serial}) == len(seeds)   # the points really differ


def test_context_map_uses_the_mapper_and_matches_serial(mapper):
    profile = get_profile("ci")
    serial_ctx = Context(profile, 0, "parallel.test")
    dask_ctx = Context(profile, 0, "parallel.test", mapper=mapper)
    seeds = [5, 1, 9, 1]
    assert dask_ctx.map(train, seeds) == serial_ctx.map(train, seeds)


def test_worker_error_is_reraised(mapper):
    with pytest.raises(ValueError, match="sweep point 3 is broken"):
        mapper(fails_on_three, list(range(6)))


def environment_variable(name: str) -> str | None:
    return os.environ.get(name)


def test_workers_have_one_blas_thread_and_default_malloc(mapper):
    assert mapper(environment_variable, ["OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_"]) == ["1", None]


def test_ctrl_c_on_a_dask_run_is_a_clean_partial_report(tmp_path):
    """Ctrl-C reaches the whole foreground process group: workers must stay quiet, the run exits 130."""
    import signal
    import subprocess
    import sys

    pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'dlverify[dask]')")
    # two theorems: after the first finished check several seconds of work remain, even on a loaded
    # machine (with one theorem the run once completed before the signal arrived)
    proc = subprocess.Popen([sys.executable, "-m", "verify", "run", "du_hu2019.*", "--profile", "ci",
                             "--workers", "2", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=default_sigint)
    first_line = proc.stderr.readline()  # the first theorem finished; its controls are still to run
    assert "du_hu2019." in first_line
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and out.startswith("PARTIAL")
    assert "Traceback" not in err and "never retrieved" not in err
