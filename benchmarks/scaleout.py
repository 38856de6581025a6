"""B5: a seed sweep of independent GD training runs, serial vs `verify.checking.parallel.dask_mapper(2)`.

Each sweep point trains one deep linear network (float64 engine) from its own seed and returns its
final loss and a checksum of its weights, so serial and distributed results can be compared
exactly. The speedup is serial time / distributed map time on a running 2-worker LocalCluster;
the cluster's start-up time is reported separately.

Where the extra CPU of a parallel run goes: the same sweep also runs on two plain forked processes
(`multiprocessing`, no dask, no serialisation beyond pickling the points), which is the speedup this
machine gives two independent CPU-bound processes. If those two processes also spend more CPU per
task than the serial run, the extra CPU is the hardware's (shared caches, memory bandwidth, clock),
not dask's; dask's own cost is its wall time over the plain processes' wall time.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from dataclasses import dataclass

import numpy as np
from common import Check, Report, fmt_ratio
from threadpoolctl import threadpool_limits

from verify.engine.inits import gaussian
from verify.engine.losses import QuadraticLoss
from verify.engine.network import end_to_end, gd_step

WORKERS, SPEEDUP_TARGET, MIN_SERIAL_SECONDS = 2, 1.8, 60.0
DASK_OVER_PLAIN_TARGET = 0.97   # dask's speedup ≥ 97% of two plain processes': the scheduler costs ≤ 3%


@dataclass(frozen=True)
class Point:
    """One training run: its seed and budget."""

    seed: int
    steps: int
    depth: int = 8
    width: int = 96
    d_in: int = 32
    d_out: int = 8
    samples: int = 200


def train(point: Point) -> tuple[int, float, float]:
    """(seed, final loss, Σ of all final weights) after ``steps`` GD steps from a seeded init."""
    rng = np.random.default_rng(point.seed)
    dims = (point.d_in,) + (point.width,) * (point.depth - 1) + (point.d_out,)
    weights = [w / np.sqrt(w.shape[1]) for w in gaussian(dims, rng)]
    loss = QuadraticLoss.from_data(rng.standard_normal((point.d_in, point.samples)),
                                   rng.standard_normal((point.d_out, point.samples)))
    eta = 0.05 / (point.samples * point.depth)
    for _ in range(point.steps):
        weights = gd_step(weights, loss, eta)
    return point.seed, float(loss.value(end_to_end(weights))), float(sum(w.sum() for w in weights))


def timed_train(point: Point) -> tuple[tuple[int, float, float], float]:
    """(`train` result, CPU seconds this process spent on it): shows how much CPU a worker really got."""
    start = time.process_time()
    result = train(point)
    return result, time.process_time() - start


def _one_blas_thread() -> None:
    threadpool_limits(1)


def plain_processes(points: list[Point]) -> tuple[list, list, float]:
    """The sweep on WORKERS forked processes (1 BLAS thread each): results, CPU seconds, wall seconds."""
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS, initializer=_one_blas_thread) as pool:
        results, cpu = zip(*pool.map(timed_train, points, chunksize=1))
    return list(results), list(cpu), time.perf_counter() - start


def run(quick: bool) -> Report:
    """Serial sweep (1 BLAS thread, like each worker) then the same sweep on 2 dask workers."""
    import cloudpickle

    from verify.checking.parallel import dask_mapper

    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # workers need not import benchmarks/
    points = [Point(seed, 300 if quick else 4000) for seed in range(16 if quick else 64)]  # > 60 s serial
    start = time.perf_counter()
    with threadpool_limits(1):
        serial, serial_cpu = zip(*[timed_train(p) for p in points])
    serial_s = time.perf_counter() - start
    start = time.perf_counter()
    with dask_mapper(WORKERS) as mapper:
        startup_s = time.perf_counter() - start
        start = time.perf_counter()
        distributed, dask_cpu = zip(*mapper(timed_train, points))
        map_s = time.perf_counter() - start
    plain, plain_cpu, plain_s = plain_processes(points)
    speedup, plain_speedup = serial_s / map_s, serial_s / plain_s
    report = Report(f"B5: seed sweep ({len(points)} GD training runs, {points[0].steps} steps each), "
                    f"serial vs dask LocalCluster({WORKERS} workers × 1 thread)",
                    ["mode", "wall time", "speedup", "CPU s in tasks", "cores obtained (CPU s / wall s)"])
    report.rows += [["serial (1 process, 1 BLAS thread)", f"{serial_s:.1f} s", "1×", f"{sum(serial_cpu):.1f}",
                     f"{sum(serial_cpu) / serial_s:.2f}"],
                    [f"dask, {WORKERS} workers (cluster already up)", f"{map_s:.1f} s", fmt_ratio(speedup),
                     f"{sum(dask_cpu):.1f}", f"{sum(dask_cpu) / map_s:.2f}"],
                    [f"{WORKERS} plain forked processes (no dask)", f"{plain_s:.1f} s", fmt_ratio(plain_speedup),
                     f"{sum(plain_cpu):.1f}", f"{sum(plain_cpu) / plain_s:.2f}"],
                    ["dask cluster start-up", f"{startup_s:.1f} s", "", "", ""]]
    report.notes.append("cores obtained < workers means other processes on the machine took CPU: the speedup is "
                        "bounded by it, whatever the scheduler does")
    dask_extra, plain_extra = sum(dask_cpu) / sum(serial_cpu), sum(plain_cpu) / sum(serial_cpu)
    report.notes.append(f"CPU per task in parallel over serial: plain processes ×{plain_extra:.3f} (the hardware "
                        f"shared by two busy cores), dask ×{dask_extra:.3f} ({dask_extra / plain_extra:.3f}× the plain "
                        "processes'; the difference is dask's own work inside the worker processes)")
    report.checks += [Check("dask results identical to serial", "identical" if distributed == serial else "DIFFERENT",
                            "bit-identical", distributed == serial),
                      Check("plain-process results identical to serial", "identical" if plain == list(serial)
                            else "DIFFERENT", "bit-identical", plain == list(serial)),
                      Check(f"speedup on {WORKERS} workers", fmt_ratio(speedup), f"≥ {SPEEDUP_TARGET}×",
                            speedup >= SPEEDUP_TARGET),
                      Check("dask speedup / plain-process speedup", f"{speedup / plain_speedup:.3f}",
                            f"≥ {DASK_OVER_PLAIN_TARGET}", speedup / plain_speedup >= DASK_OVER_PLAIN_TARGET),
                      Check("serial sweep long enough", f"{serial_s:.0f} s", f"> {MIN_SERIAL_SECONDS:.0f} s",
                            None if quick else serial_s > MIN_SERIAL_SECONDS)]
    if quick:
        report.notes.append("--quick: the sweep is shorter than the 1-minute sweep the target is defined on")
    return report
