"""Scale-out on a real cluster, started the way a user would on several machines (issue 18.3): a
`dask scheduler` process and two `dask worker` processes from the command line. Sweeps give
bit-identical results to the serial run, through `dask_mapper` and through `verify run
--scheduler`; a worker killed mid-sweep loses nothing (its tasks are recomputed on the other)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verify.checking.parallel import dask_mapper

pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'dlverify[dask]')")
if shutil.which("dask") is None:
    pytest.skip("the `dask` command is not on PATH", allow_module_level=True)

from test_parallel import train  # noqa: E402  (the seeded sweep point shared with the LocalCluster tests)

THEOREM = "arora2018.identity_init"          # a theorem whose check maps its sweep points
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       # the scheduler and the workers unpickle this module's sweep functions, as on a real cluster
       # where the user's code is installed everywhere
       "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1]),
                                      os.environ.get("PYTHONPATH", "")])}


def slow_train(seed: int) -> tuple[float, list[float]]:
    """`train` plus a pause, so that a worker can be killed while it holds tasks."""
    time.sleep(0.3)
    return train(seed)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, [worker processes]) of a command-line cluster on this machine."""
    here = tmp_path_factory.mktemp("cluster")
    file = here / "scheduler.json"
    procs = [subprocess.Popen(["dask", "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen(["dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--no-nanny"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV))
        import distributed

        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_command_line_cluster_gives_the_serial_results(cluster):
    address, _ = cluster
    seeds = list(range(10))
    with dask_mapper(scheduler=address) as mapper:
        assert mapper(train, seeds) == [train(s) for s in seeds]


def test_verify_run_on_the_cluster_equals_the_serial_run(cluster, tmp_path):
    address, _ = cluster

    def run(*extra):
        out = tmp_path / ("cluster" if extra else "serial")
        proc = subprocess.run([sys.executable, "-m", "verify", "run", THEOREM, "--profile", "ci", "--quiet",
                               "--out", str(out), *extra], capture_output=True, text=True, timeout=600, env=ENV)
        assert proc.returncode == 0, proc.stderr
        return json.loads((out / "results.json").read_text())

    def numbers(results):
        ignore = {"seconds", "created", "environment", "command", "executor", "provenance"}

        def strip(x):
            if isinstance(x, dict):
                return {k: strip(v) for k, v in x.items() if k not in ignore}
            return [strip(v) for v in x] if isinstance(x, list) else x
        return strip(results)

    cluster_results = run("--scheduler", address)
    assert cluster_results["run"]["executor"].startswith("dask scheduler")
    assert numbers(cluster_results) == numbers(run())


def test_a_worker_killed_mid_sweep_loses_nothing(cluster):
    """The scheduler reassigns a lost worker's tasks: every point comes back, equal to serial."""
    address, workers = cluster
    seeds = list(range(16))
    with dask_mapper(scheduler=address) as mapper:
        import threading

        killer = threading.Timer(1.0, lambda: workers[0].send_signal(signal.SIGKILL))
        killer.start()
        try:
            results = mapper(slow_train, seeds)
        finally:
            killer.join()
    assert workers[0].wait(timeout=10) is not None       # the worker really died
    assert results == [train(s) for s in seeds]
