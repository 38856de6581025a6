"""Shared helper for tests that interrupt a `verify run` subprocess."""

import signal


def default_sigint() -> None:
    """Child-process setup: restore Ctrl-C. A shell that starts pytest in the background (`&`,
    nohup) hands SIGINT down ignored, and the interrupted run would never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
