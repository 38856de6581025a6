"""The `verify` command line: list, show, run, mutate, replay, report, gate.

`main` installs the signal handling for `verify run` before it imports anything heavy (so a
SIGTERM during start-up still ends in a partial report), sets the thread counts before numpy
is imported, and turns every user error into one line on stderr with exit code 2.
"""

from __future__ import annotations

import sys
from typing import Sequence

from ..checking import interruption
from .arguments import EXIT_INTERRUPTED, EXIT_USAGE, build_parser

__all__ = ["main", "build_parser"]


def main(argv: Sequence[str] | None = None) -> int:
    """The program (``argv=None``: the process's own arguments; after a run the process is about
    to exit, so late signals are ignored), or one command called in-process (handlers restored)."""
    as_program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    running = bool(argv) and argv[0] in ("run", "mutate")
    if running:
        interruption.install()
    try:
        return _dispatch(argv, running)
    except BrokenPipeError:   # `verify list | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    except KeyboardInterrupt:
        print(f"verify {argv[0] if argv else ''}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if running:
            interruption.uninstall(until_exit=as_program)


def _dispatch(argv: list[str], running: bool) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "run":
            from .run import cmd_run, set_threads

            set_threads(args)   # before numpy or torch is imported
            return cmd_run(args, argv)
        if args.command == "mutate":
            from .mutate import cmd_mutate

            return cmd_mutate(args)
        if args.command in ("list", "show", "replay"):
            from . import inspect

            return {"list": inspect.cmd_list, "show": inspect.cmd_show, "replay": inspect.cmd_replay}[args.command](args)
        from . import judge

        return {"report": judge.cmd_report, "gate": judge.cmd_gate}[args.command](args)
    except Exception as exc:   # user errors are one line; imported here so that start-up stays light
        from ..errors import DataError, InvalidArgument
        from ..output.results import ResultsError

        if isinstance(exc, BrokenPipeError) or not isinstance(exc, (InvalidArgument, DataError, ResultsError, OSError)):
            raise
        print(f"verify {args.command}: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return EXIT_USAGE
