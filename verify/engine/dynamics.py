"""Training: gradient descent with divergence detection, and gradient flow.

`run_gd` iterates `network.gd_step` and returns a `Trajectory`. A run that blows up (a loss that is
not finite, or exceeds ``divergence_factor`` × its initial value) is stopped and reported as
``diverged`` with the step where it happened: divergence is a result, not a crash. In float64 the
weights may carry leading batch axes; each network in the batch gets its own status.

`gradient_flow` integrates dW_j/dt = −∂L^N/∂W_j (ACH18 §4's continuous-time regime) with scipy's
adaptive DOP853 Runge–Kutta method at a stated tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..errors import check_range, check_type
from .backends import FLOAT64
from .inits import gaussian
from .losses import Loss
from .network import end_to_end, gd_step, layer_gradients

__all__ = ["Trajectory", "run_gd", "gradient_flow", "batch_sizes", "seed_batches", "BATCH_BYTES"]

BATCH_BYTES = 128 * 2 ** 20     # float64 weights per batch of independently trained networks


def batch_sizes(runs: int, dims: Sequence[int], budget: int = BATCH_BYTES) -> list[int]:
    """Split ``runs`` independent networks with layer dimensions ``dims`` into batches whose float64
    weights fit in ``budget`` bytes (at least one network per batch). A GD step holds about three
    times the weights (weights, gradients, products), so memory stays bounded whatever the sweep."""
    check_type(runs, int, "runs")
    check_range(runs, "runs", low=1)
    per_run = 8 * sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    size = max(1, min(runs, budget // per_run))
    return [min(size, runs - start) for start in range(0, runs, size)]


def seed_batches(dims: Sequence[int], rng: np.random.Generator, runs: int,
                 init: Callable[..., list[np.ndarray]] = gaussian) -> Iterator[list[np.ndarray]]:
    """Initial weights of ``runs`` networks drawn from ``rng``, one `batch_sizes` batch at a time
    (``init(dims, rng, batch=(size,))``, e.g. `verify.engine.inits.gaussian`)."""
    for size in batch_sizes(runs, dims):
        yield init(dims, rng, batch=(size,))


@dataclass
class Trajectory:
    """Result of `run_gd`.

    ``losses[k]`` is the loss after ``steps_recorded[k]`` steps (float64; shape (records, *batch)).
    ``hit_at`` is the first recorded step with loss ≤ ``target_loss`` (−1 if never), ``diverged_at``
    the step where a run blew up (−1 if never); both have the batch shape.
    """

    weights: list[Any]
    losses: np.ndarray
    steps_recorded: np.ndarray
    steps: int
    hit_at: np.ndarray
    diverged_at: np.ndarray

    @property
    def diverged(self) -> bool:
        return bool(np.any(self.diverged_at >= 0))

    @property
    def status(self) -> str:
        if np.all(self.diverged_at >= 0):
            return "diverged"
        if np.all((self.hit_at >= 0) | (self.diverged_at >= 0)) and np.any(self.hit_at >= 0):
            return "converged"
        return "diverged" if self.diverged else "completed"

    def describe(self) -> str:
        if self.diverged:
            first = int(self.diverged_at[self.diverged_at >= 0].min())
            count = int(np.count_nonzero(self.diverged_at >= 0))
            return f"diverged ({count} of {self.diverged_at.size} run(s); first at step {first})"
        return f"{self.status} after {self.steps} steps"


def run_gd(weights: Sequence[Any], loss: Loss, eta: float, steps: int, *,
           target_loss: float | None = None, record_every: int = 1,
           divergence_factor: float = 1e10, layer_scales: Sequence[float] | None = None,
           on_record: Callable[[int, np.ndarray], None] | None = None) -> Trajectory:
    """Run ``steps`` GD steps of size ``eta``, stopping early when every run has hit ``target_loss``
    or diverged. Losses are recorded every ``record_every`` steps (and at step 0)."""
    check_range(float(eta), "eta", low=0.0, low_open=True)
    check_type(steps, int, "steps")
    check_range(steps, "steps", low=0)
    check_type(record_every, int, "record_every")
    check_range(record_every, "record_every", low=1)
    backend = loss.backend

    def current_loss(ws: Sequence[Any]) -> np.ndarray:
        value = loss.value(end_to_end(ws, backend))
        return np.asarray(value if backend is FLOAT64 else backend.to_float(value), dtype=np.float64)

    loss0 = current_loss(weights)
    batch = loss0.shape
    hit_at = np.full(batch, -1, dtype=np.int64)
    diverged_at = np.full(batch, -1, dtype=np.int64)
    limit = divergence_factor * np.maximum(np.abs(loss0), 1e-300)
    losses, recorded = [], []

    def record(step: int, value: np.ndarray) -> None:
        bad = (~np.isfinite(value) | (value > limit)) & (diverged_at < 0)
        diverged_at[bad] = step
        if target_loss is not None:
            hit = (value <= target_loss) & (hit_at < 0) & (diverged_at < 0)
            hit_at[hit] = step
        losses.append(value)
        recorded.append(step)
        if on_record is not None:
            on_record(step, value)

    record(0, loss0)
    current = list(weights)
    step = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while step < steps:
            if np.all(diverged_at >= 0):
                break
            if target_loss is not None and np.all((hit_at >= 0) | (diverged_at >= 0)):
                break
            current = gd_step(current, loss, eta, layer_scales)
            step += 1
            if step % record_every == 0 or step == steps or target_loss is not None:
                record(step, current_loss(current))
    return Trajectory(current, np.array(losses), np.array(recorded), step, hit_at, diverged_at)


def gradient_flow(weights: Sequence[np.ndarray], loss: Loss, t_end: float, *,
                  rtol: float = 1e-11, atol: float = 1e-13,
                  layer_scales: Sequence[float] | None = None) -> list[np.ndarray]:
    """Weights at time ``t_end`` of dW_j/dt = −∂L^N/∂W_j (float64, adaptive DOP853)."""
    from scipy.integrate import solve_ivp

    check_range(float(t_end), "t_end", low=0.0)
    if loss.backend is not FLOAT64:
        raise ValueError("gradient_flow integrates in float64; pass a float64 loss")
    shapes = [np.shape(w) for w in weights]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(v: np.ndarray) -> list[np.ndarray]:
        parts = np.split(v, np.cumsum(sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, shapes)]

    def rhs(_t: float, v: np.ndarray) -> np.ndarray:
        grads = layer_gradients(unpack(v), loss, layer_scales).layers
        return -np.concatenate([g.ravel() for g in grads])

    start = np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in weights])
    sol = solve_ivp(rhs, (0.0, float(t_end)), start, method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise ArithmeticError(f"gradient flow integration failed at t={sol.t[-1]:.3g}: {sol.message}")
    return unpack(sol.y[:, -1])
