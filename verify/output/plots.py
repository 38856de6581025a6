"""Matplotlib helpers: headless figures saved next to the report."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..checking.context import Context  # noqa: E402
from .files import atomic_write  # noqa: E402

__all__ = ["figure", "save"]


def figure(width: float = 6.0, height: float = 4.0) -> tuple[Any, Any]:
    """A new (figure, axes) pair."""
    return plt.subplots(figsize=(width, height), dpi=100)


def save(fig: Any, ctx: Context, name: str) -> list[str]:
    """Save ``fig`` as ``plots/<check id>.<name>.png`` under the report directory and close it.

    Returns ``[relative path]`` for `Evidence.plots`, or ``[]`` when plots are off (no ``out_dir``).
    """
    path = ctx.plot_path(name)
    try:
        if path is None:
            return []
        fig.tight_layout()
        atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"), "plot")
        return [ctx.relative(path)]
    finally:
        plt.close(fig)
