"""Writing output files safely: atomically, and only over regular files.

Every file the suite writes (results.json, report.md, stability files, baselines, plots) goes
through `atomic_write`: a temporary file in the target's directory, then `os.replace`, so a
reader (or a run interrupted while writing) never sees half a file. `check_target` refuses to
replace anything that is not a regular file — a device such as /dev/full, a directory, a FIFO —
because `os.replace` would silently turn it into a regular file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import InvalidArgument

__all__ = ["check_target", "atomic_write", "atomic_write_text"]


def check_target(path: Path, what: str = "output file") -> Path:
    """``path`` if it may be (re)written: absent, or an existing regular file; else InvalidArgument."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise InvalidArgument(f"{what} {path}: cannot be inspected ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InvalidArgument(f"{what} {path} is a directory; give a file name inside it")
    if not stat.S_ISREG(mode):
        raise InvalidArgument(f"{what} {path} exists and is not a regular file; refusing to replace it")
    return path


def atomic_write(path: Path, write: Callable[[str], None], what: str = "output file") -> None:
    """Call ``write(temporary path)`` and move the result onto ``path`` in one step (mode 0644)."""
    path = check_target(Path(path), what)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, what: str = "output file") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), what)
