"""Scale-out of sweeps on dask.distributed: a mapper for `Context.map` (issue 8, part 2).

`dask_mapper` starts a ``LocalCluster`` of single-threaded worker *processes* (or connects to an
existing scheduler) and yields ``mapper(fn, items) -> list``: ``client.map`` + ``gather``, results
in the order of ``items``. Every sweep point carries its own seed (see `Context.map`), so the
results are the same as the serial ``[fn(item) for item in items]``.

Workers run with one BLAS/OpenMP thread each (dask's default pre-spawn environment), but *without*
dask's ``MALLOC_TRIM_THRESHOLD_=65536``: that setting also switches off glibc's dynamic mmap
threshold, so every array ≥ 128 KiB (one 128×128 float64 layer) is mmapped and page-faulted back
on each GD step, which makes the engine up to 2× slower (measured by ``benchmarks/run.py``).

dask is an optional extra (``pip install 'dlverify[dask]'``) imported only when a mapper starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
from typing import Any, Callable, Iterator

from ..errors import InvalidArgument, check_range, check_type

__all__ = ["Mapper", "DaskMissing", "dask_mapper", "worker_environment", "scheduler_address"]

Mapper = Callable[[Callable[[Any], Any], list[Any]], list[Any]]

DASK_EXTRA = "pip install 'dlverify[dask]'"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class DaskMissing(InvalidArgument, ImportError):
    """dask.distributed is not installed (the CLI prints this as one line)."""


CONNECT_SECONDS = 10
PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
_ADDRESS = re.compile(r"(?:(?P<protocol>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")


def scheduler_address(text: str) -> str:
    """``text`` if it is a dask scheduler address PROTOCOL://HOST:PORT (or HOST:PORT, meaning tcp), else a
    one-line InvalidArgument naming it: distributed's own parser raises tracebacks on malformed input."""
    check_type(text, str, "scheduler")
    match = _ADDRESS.fullmatch(text.strip()) if len(text) <= 255 else None
    shown = text if len(text) <= 80 else text[:77] + "..."
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise InvalidArgument(f"scheduler={shown!r} must be an address such as tcp://host:8786 (host and a port in "
                              "1..65535)")
    protocol = match["protocol"] or "tcp"
    if protocol not in PROTOCOLS:
        raise InvalidArgument(f"scheduler={shown!r}: protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return f"{protocol}://{match['host']}:{int(match['port'])}"


def worker_environment() -> dict[str, int]:
    """Environment for worker processes: one thread per BLAS/OpenMP pool, glibc malloc defaults."""
    return {name: 1 for name in THREAD_VARIABLES}


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise DaskMissing(f"dask.distributed is not installed ({exc.name} missing): {DASK_EXTRA}") from None
    return distributed


@contextlib.contextmanager
def _sigint_ignored_by_new_processes() -> Iterator[None]:
    """Ignore SIGINT while worker processes start: they inherit SIG_IGN across exec, so Ctrl-C
    (sent to the whole foreground process group) reaches only this process, which closes the
    cluster, instead of printing a KeyboardInterrupt traceback from every worker."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# The workers' statistical profiler samples every thread's stack every 10 ms and the GIL monitor
# polls every 1 ms, both inside the worker process, so they take CPU from the sweep points
# themselves (B5: tasks cost ×1.126 the serial CPU on dask against ×1.085 on two plain processes).
QUIET_WORKERS = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.gil.enabled": False}


@contextlib.contextmanager
def dask_mapper(workers: int | None = None, scheduler: str | None = None) -> Iterator[Mapper]:
    """Yield ``mapper(fn, items)`` running ``fn`` on a dask cluster, results in input order.

    ``scheduler=None``: a LocalCluster of ``workers`` processes (default: one per available core),
    one thread each, closed on exit. ``scheduler="tcp://host:port"``: connect to that cluster
    (its own workers; ``workers`` must then be None). ``fn`` must be picklable (module-level).
    """
    if workers is not None:
        check_type(workers, int, "workers")
        check_range(workers, "workers", low=1)
    if scheduler is not None:
        scheduler = scheduler_address(scheduler)
        if workers is not None:
            raise InvalidArgument(f"workers={workers!r} cannot be combined with scheduler={scheduler!r}: "
                                  "an existing cluster brings its own workers")
    distributed = _distributed()
    import dask

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environment(), **QUIET_WORKERS}), \
                    _sigint_ignored_by_new_processes():
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=workers or _default_workers(), threads_per_worker=1, processes=True,
                    dashboard_address=":0", scheduler_kwargs={"dashboard": False},  # any free port, no UI
                    silence_logs=logging.ERROR))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout=CONNECT_SECONDS))
            except (OSError, TimeoutError) as exc:   # refused, unreachable, timed out
                raise InvalidArgument(f"scheduler={scheduler!r}: cannot reach a dask scheduler there within "
                                      f"{CONNECT_SECONDS} s ({type(exc).__name__})") from None

        def mapper(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
            """``[fn(item) for item in items]`` on the cluster (order kept; a task's error is re-raised)."""
            futures = client.map(fn, list(items), pure=False)
            try:
                return client.gather(futures)
            except KeyboardInterrupt:
                # Closing the client fails the interrupted gather's pending waits; asyncio would
                # print each as "Task exception was never retrieved" with a traceback. Nothing is lost.
                logging.getLogger("asyncio").setLevel(logging.CRITICAL)
                raise

        yield mapper
