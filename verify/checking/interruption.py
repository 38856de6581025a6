"""Signals that always stop a run: SIGINT (Ctrl-C) and SIGTERM (a CI timeout, `kill`).

Raising KeyboardInterrupt from a signal handler is not enough: Python runs the handler between
two bytecodes of *whatever* code is running, and if that is a callback whose exceptions the
interpreter swallows (a gc callback — hypothesis installs one — or a ``__del__``), the exception
is printed as "Exception ignored in …" and the run goes on as if never signalled. So a signal is a
*request* that stays pending until the runner acknowledges it:

1. the handler records the signal, and raises KeyboardInterrupt at once;
2. `checkpoint()`, called at safe points (every `Context.status`, every sweep point of
   `Context.map`, between checks), raises it again while the request is pending;
3. a watchdog thread re-sends the signal to the process once a second while it is pending, so
   that even code that never reaches a checkpoint (a long engine loop) is interrupted within about
   a second of the swallowed one;
4. the runner, once it has caught the interrupt, calls `acknowledge()`: no more raising, and the
   partial report is written undisturbed (a second signal while it is written is recorded only);
5. inside `shielded()` (writing the outputs of a finished run) a signal is recorded, not raised,
   and raised when the block ends — the files are complete either way.

`install()` must run in the main thread, as early as possible (the CLI calls it before it imports
the theorems, so a signal during start-up also ends in a partial report).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import Any, Iterator

__all__ = ["install", "uninstall", "checkpoint", "acknowledge", "pending", "signal_name", "reset", "shielded"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
RESEND_SECONDS = 1.0

_state: dict[str, Any] = {"signum": None, "acknowledged": False, "shielded": False, "previous": {}, "watchdog": None}
_lock = threading.RLock()   # re-entrant: the handler may run in the main thread while it holds the lock


def install() -> None:
    """Handle SIGINT and SIGTERM as a pending interruption (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    reset()
    for signum in SIGNALS:
        _state["previous"][signum] = signal.signal(signum, _handler)


def uninstall(until_exit: bool = False) -> None:
    """Restore the previous handlers — or, when the process is about to exit (``until_exit``),
    ignore SIGINT/SIGTERM instead: the outputs are written, and a signal arriving during the
    interpreter's teardown (≈ 1 s with torch and dask loaded) would otherwise kill a finished run
    with status −15 (seen once in 20 trials of tests/test_signals.py under load)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum, previous in _state["previous"].items():
        signal.signal(signum, signal.SIG_IGN if until_exit else previous)
    _state["previous"] = {}
    acknowledge()


def reset() -> None:
    """Forget any earlier request (a new run starts)."""
    with _lock:
        _state["signum"], _state["acknowledged"] = None, False


def pending() -> bool:
    """A signal arrived and the runner has not yet acknowledged it."""
    return _state["signum"] is not None and not _state["acknowledged"]


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Record, do not raise, signals inside the block; raise a pending one when it ends."""
    with _lock:
        _state["shielded"] = True
    try:
        yield
    finally:
        with _lock:
            _state["shielded"] = False
    checkpoint()


def signal_name() -> str | None:
    """'SIGINT' or 'SIGTERM' if a signal arrived during this run, else None."""
    return None if _state["signum"] is None else signal.Signals(_state["signum"]).name


def checkpoint() -> None:
    """Raise KeyboardInterrupt if a signal is pending (call this at safe points of long work)."""
    if pending() and not _state["shielded"]:
        raise KeyboardInterrupt


def acknowledge() -> None:
    """The interrupt was caught: stop raising and re-sending."""
    with _lock:
        _state["acknowledged"] = True


def _handler(signum: int, frame: object) -> None:
    with _lock:
        first = _state["signum"] is None
        if first:
            _state["signum"] = signum
        if _state["acknowledged"] or _state["shielded"]:
            return
    if first:
        watchdog = threading.Thread(target=_resend, args=(signum,), name="dlverify-interrupt", daemon=True)
        _state["watchdog"] = watchdog
        watchdog.start()
    raise KeyboardInterrupt


def _resend(signum: int) -> None:
    """Re-send while pending; under the lock, so that no signal is sent after `acknowledge` returns
    (the caller may then restore the default handlers, which would kill the process)."""
    while True:
        time.sleep(RESEND_SECONDS)
        with _lock:
            if not pending():
                return
            if not _state["shielded"]:
                os.kill(os.getpid(), signum)
