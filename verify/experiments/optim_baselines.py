"""The ℓ_p regression loss of ACH18 §"Experiments" and thin adapters around `torch.optim` baselines.

`LpLoss` is L^1(W_e) = (1/(p·n)) Σ_i |W_e x_i − y_i|^p (the paper's Σ (xᵀw − y)^p / p divided by
the sample count n, which only rescales the step size), with the `verify.engine.losses.Loss` interface so
that the engine's `layer_gradients` / `run_gd` train depth-N factorisations of it, batch axes
included. `lp_minimum` finds min L^1 by damped Newton (the loss is convex for p ≥ 2).

`train_grid` runs a whole grid of step sizes at once (the leading batch axis of the weights indexes
the grid) with an update rule fed the engine's gradients: plain GD (`gd_update`), a reference
optimizer from `torch.optim` (`torch_update`: Adagrad, Adadelta, Adam; the update rule is torch's,
not re-implemented), or the same three optimizers vectorised in numpy (`adaptive_update`: torch's
update written out line by line, ~20–50× cheaper per step than one torch parameter group per step
size; `adaptive_gap` measures how far it is from `torch_update` on a given problem, so that a check
can keep torch as the reference). Step sizes may be one per grid point (shape (G,)) or one per grid
point and batch member (shape (G, *batch)): a refinement grid centred on each run's own best step.
torch is an optional extra (``pip install 'dlverify[nn]'``) imported only by `torch_update` /
`adaptive_gap`. `GridRun.best` picks each run's fastest step size: the per-method tuning of ACH18.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.backends import FLOAT64, Backend
from ..engine.network import Gradients, end_to_end, layer_gradients
from ..errors import DataError, InvalidArgument, check_finite_array, check_range, check_type

__all__ = ["NN_EXTRA_SKIP", "TORCH_OPTIMIZERS", "GridRun", "LpLoss", "adaptive_gap", "adaptive_update", "gd_update",
           "lp_minimum", "nn_extra_missing", "torch_update", "train_grid"]

NN_EXTRA_SKIP = "skipped: needs the nn extra (pip install 'dlverify[nn]')"
TORCH_OPTIMIZERS = ("adagrad", "adadelta", "adam")


def nn_extra_missing(*modules: str) -> bool:
    """True if any of ``modules`` (default: torch and sklearn) cannot be imported."""
    return any(importlib.util.find_spec(m) is None for m in (modules or ("torch", "sklearn")))


@dataclass(frozen=True)
class LpLoss:
    """L^1(W_e) = Σ_i |W_e x_i − y_i|^p / (p n) for X (d_in×n), Y (d_out×n); float64.

    ∇L^1(W_e) = (1/n) Σ_i sign(r_i)|r_i|^{p−1} x_iᵀ with r_i = W_e x_i − y_i. W_e may carry batch
    axes; so may X and Y (one data set per trailing batch index, broadcast against W_e's).
    """

    x: np.ndarray
    y: np.ndarray
    p: float
    backend: Backend = field(default=FLOAT64, init=False)
    _xt: np.ndarray = field(init=False, repr=False, compare=False)
    _last: list = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_range(float(self.p), "p", low=2.0)
        x, y = np.asarray(self.x, dtype=np.float64), np.asarray(self.y, dtype=np.float64)
        if x.ndim < 2 or y.ndim != x.ndim or x.shape[-1] != y.shape[-1] or x.shape[-1] == 0:
            raise DataError(f"X and Y must be (batches of) matrices with the same positive number of columns; "
                            f"got shapes {x.shape}, {y.shape}")
        check_finite_array(x, "X")
        check_finite_array(y, "Y")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "_xt", np.ascontiguousarray(np.swapaxes(x, -1, -2)))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.y.shape[-2], self.x.shape[-2])

    def residuals(self, w_e: np.ndarray) -> np.ndarray:
        """W_e X − Y, as one GEMM per data set (numpy's broadcast matmul of many thin products is slow).

        The last (W_e, residuals) pair is remembered (read-only): a training loop evaluates the loss and then
        the gradient at the same weights, and W_e is tiny next to the residuals, so an exact equality test
        saves one of the two GEMMs per step."""
        w_e = np.asarray(w_e, dtype=np.float64)
        if self._last and self._last[0].shape == w_e.shape and np.array_equal(self._last[0], w_e):
            return self._last[1]
        r = _per_dataset(w_e, self.x, self.x.ndim - 2) - self.y
        r.flags.writeable = False
        self._last[:] = [w_e.copy(), r]
        return r

    def value(self, w_e: np.ndarray) -> np.ndarray:
        r = self.residuals(w_e)
        return np.sum(r * _signed_power(r, self.p - 1), axis=(-1, -2)) / (self.p * self.x.shape[-1])

    def gradient(self, w_e: np.ndarray) -> np.ndarray:
        r = self.residuals(w_e)
        return _per_dataset(_signed_power(r, self.p - 1), self._xt, self.x.ndim - 2) / self.x.shape[-1]

    def hessian(self, w_e: np.ndarray) -> np.ndarray:
        """For d_out = 1, no batch: ∇²L^1 = (p − 1)/n · X diag(|r|^{p−2}) Xᵀ."""
        r = np.abs(self.residuals(w_e))[0]
        return (self.p - 1) * (self.x * r ** (self.p - 2)) @ self.x.T / self.x.shape[1]


def _per_dataset(a: np.ndarray, b: np.ndarray, batch: int) -> np.ndarray:
    """a @ b where b's ``batch`` leading axes match a's last-but-two axes and a may have more in front:
    the extra axes of a are stacked as rows, so each data set costs one GEMM."""
    if batch == 0:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + (b.shape[-1],))
    lead = a.ndim - 2 - batch
    moved = np.moveaxis(a, tuple(range(lead)), tuple(range(batch, batch + lead)))   # (*B, *lead, k, d)
    stacked = moved.reshape(moved.shape[:batch] + (-1, a.shape[-1])) @ b
    out = stacked.reshape(moved.shape[:-1] + (b.shape[-1],))
    return np.moveaxis(out, tuple(range(batch, batch + lead)), tuple(range(lead)))


def _signed_power(r: np.ndarray, q: float) -> np.ndarray:
    """sign(r)|r|^q; for integer q ≥ 1 by repeated multiplication (numpy's pow is ~10× slower): odd q as
    r·(r²)^{(q−1)/2} (no absolute values), even q as r·|r|^{q−1}."""
    if float(q).is_integer() and q >= 1:
        q = int(q)
        if q % 2:
            out = r.copy()
            if q > 1:
                square = r * r
                for _ in range((q - 1) // 2):
                    out *= square
            return out
        out = r.copy()
        for _ in range(q - 1):
            out *= np.abs(r)
        return out
    return np.sign(r) * np.abs(r) ** q


def lp_minimum(loss: LpLoss, iterations: int = 200, tol: float = 1e-13) -> tuple[np.ndarray, float]:
    """(w*, L*) for d_out = 1 by damped Newton with backtracking (L^1 is convex and smooth for p ≥ 2)."""
    if loss.x.ndim != 2 or loss.shape[0] != 1:
        raise InvalidArgument(f"lp_minimum needs one data set with a scalar output; got X {loss.x.shape}, "
                              f"Y {loss.y.shape}")
    w = np.linalg.lstsq(loss.x.T, loss.y[0], rcond=None)[0][None, :]
    value = float(loss.value(w))
    for _ in range(iterations):
        g = loss.gradient(w)[0]
        step = np.linalg.lstsq(loss.hessian(w), g, rcond=None)[0]
        t = 1.0
        while t > 1e-12 and float(loss.value(w - t * step)) > value - 0.25 * t * float(g @ step):
            t *= 0.5
        w = w - t * step
        new = float(loss.value(w))
        if value - new <= tol * max(abs(value), 1e-300):
            value = min(value, new)
            break
        value = new
    return w, value


Update = Callable[[list[np.ndarray], Gradients], None]


@dataclass
class GridRun:
    """A sweep of step sizes: the leading batch axis of the weights indexes ``etas``.

    ``losses[k]`` is L after k steps (shape (steps+1, G, *batch)); ``hit_at`` / ``diverged_at`` the first
    step with L ≤ target / with L non-finite or > divergence_factor·L(0) (−1: never), shape (G, *batch).
    ``etas`` has shape (G,) or (G, *batch) (per-run step sizes).
    """

    etas: np.ndarray
    losses: np.ndarray
    hit_at: np.ndarray
    diverged_at: np.ndarray

    @property
    def steps(self) -> int:
        return self.losses.shape[0] - 1

    def best(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per run: (index of the fastest η, iterations to target, reached?). A run where no η reached the
        target counts ``steps`` iterations (censored: a lower bound) at the η with the lowest final loss."""
        reached = self.hit_at >= 0
        hits = np.where(reached, self.hit_at, np.iinfo(np.int64).max)
        final = np.where(self.diverged_at >= 0, np.inf, self.losses[-1])
        index = np.where(reached.any(axis=0), hits.argmin(axis=0), np.nan_to_num(final, nan=np.inf).argmin(axis=0))
        iterations = np.where(reached.any(axis=0), hits.min(axis=0), self.steps)
        return index, iterations, reached.any(axis=0)

    def curve(self, run: tuple[int, ...]) -> np.ndarray:
        """Loss per step of the fastest η for batch member ``run``."""
        return self.losses[(slice(None), int(self.best()[0][run])) + run]


def _step_sizes(etas: np.ndarray | Sequence[float]) -> np.ndarray:
    """Positive finite step sizes, one per grid point (G,) or per grid point and batch member (G, *batch)."""
    etas = np.asarray(etas, dtype=np.float64)
    if etas.ndim == 0 or etas.shape[0] == 0 or not np.all(np.isfinite(etas)) or not np.all(etas > 0):
        raise InvalidArgument(f"etas={etas.ravel()[:4]!r}… (shape {etas.shape}) must be a non-empty array of "
                              f"positive finite step sizes")
    return etas


def _broadcast(etas: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``etas`` of shape (G,) or (G, *batch) (size-1 batch axes broadcast) with trailing unit axes to
    broadcast against w (G, *batch, k, d)."""
    lead = w.shape[:etas.ndim]
    if etas.ndim > w.ndim - 2 or etas.shape[0] != lead[0] or any(e not in (1, n) for e, n in zip(etas.shape, lead)):
        raise InvalidArgument(f"step sizes of shape {etas.shape} do not match the leading axes of a weight of "
                              f"shape {w.shape}")
    return etas.reshape(etas.shape + (1,) * (w.ndim - etas.ndim))


def gd_update(etas: np.ndarray) -> Update:
    """W_j ← W_j − η ∂L/∂W_j, with η of shape (G,) or (G, *batch) broadcast along the leading axes."""
    etas = _step_sizes(etas)

    def update(weights: list[np.ndarray], grads: Gradients) -> None:
        for w, g in zip(weights, grads.layers):
            w -= _broadcast(etas, w) * g
    return update


ADAGRAD_EPS = 1e-10                     # torch.optim.Adagrad defaults (lr_decay 0, initial accumulator 0)
ADADELTA_RHO, ADADELTA_EPS = 0.9, 1e-6  # torch.optim.Adadelta defaults
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam defaults (no amsgrad)


def adaptive_update(optimizer: str, etas: np.ndarray) -> Update:
    """torch.optim's Adagrad / Adadelta / Adam (default hyper-parameters, no weight decay) in numpy, for every
    step size at once (η of shape (G,) or (G, *batch)); state per layer, coordinate-wise as torch's:

    - adagrad:  s ← s + g²;  W ← W − η g/(√s + 1e-10)
    - adadelta: a ← ρa + (1−ρ)g²;  δ = √(u + ε)/√(a + ε)·g;  u ← ρu + (1−ρ)δ²;  W ← W − ηδ   (ρ = 0.9, ε = 1e-6)
    - adam:     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  W ← W − (η/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε)
                (β = (0.9, 0.999), ε = 1e-8)
    """
    if optimizer not in TORCH_OPTIMIZERS:
        raise InvalidArgument(f"optimizer={optimizer!r} must be one of {', '.join(TORCH_OPTIMIZERS)}")
    etas = _step_sizes(etas)
    state: dict[str, Any] = {"t": 0}

    def update(weights: list[np.ndarray], grads: Gradients) -> None:
        if "a" not in state:
            state["a"] = [np.zeros_like(w) for w in weights]
            state["b"] = [np.zeros_like(w) for w in weights]
        state["t"] += 1
        t = state["t"]
        for w, g, a, b in zip(weights, grads.layers, state["a"], state["b"]):
            eta = _broadcast(etas, w)
            if optimizer == "adagrad":
                a += g * g
                w -= eta * (g / (np.sqrt(a) + ADAGRAD_EPS))
            elif optimizer == "adadelta":
                a *= ADADELTA_RHO
                a += (1.0 - ADADELTA_RHO) * g * g
                delta = np.sqrt(b + ADADELTA_EPS) / np.sqrt(a + ADADELTA_EPS) * g
                b *= ADADELTA_RHO
                b += (1.0 - ADADELTA_RHO) * delta * delta
                w -= eta * delta
            else:
                beta1, beta2 = ADAM_BETAS
                a *= beta1
                a += (1.0 - beta1) * g
                b *= beta2
                b += (1.0 - beta2) * g * g
                w -= (eta / (1.0 - beta1 ** t)) * (a / (np.sqrt(b) / np.sqrt(1.0 - beta2 ** t) + ADAM_EPS))
    return update


def adaptive_gap(optimizer: str, weights: Sequence[np.ndarray], loss: Any, etas: np.ndarray, steps: int) -> float:
    """max_j ‖W_j(numpy) − W_j(torch)‖_F / ‖W_j(torch)‖_F after ``steps`` steps of `adaptive_update` and of
    `torch_update` (the reference) from the same ``weights`` (leading axis: one entry per η of the 1-D ``etas``)."""
    check_type(steps, int, "steps")
    check_range(steps, "steps", low=1)
    etas = _step_sizes(etas)
    if etas.ndim != 1:
        raise InvalidArgument(f"adaptive_gap needs one step size per grid point (1-D etas); got shape {etas.shape}")
    ours = [np.array(w, dtype=np.float64) for w in weights]
    theirs = [np.array(w, dtype=np.float64) for w in weights]
    mine, reference = adaptive_update(optimizer, etas), torch_update(optimizer, etas)
    for _ in range(steps):
        mine(ours, layer_gradients(ours, loss))
        reference(theirs, layer_gradients(theirs, loss))
    return max(float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(b)), np.finfo(float).tiny)
               for a, b in zip(ours, theirs))


def torch_update(optimizer: str, etas: np.ndarray) -> Update:
    """``torch.optim.<optimizer>`` with one parameter group per step size η_g (lr = η_g, other
    hyper-parameters torch's defaults), built on the first call over tensors that share memory with
    ``weights[j][g]``; the optimizers act coordinate-wise, so runs stacked in one tensor stay independent."""
    import torch

    if optimizer not in TORCH_OPTIMIZERS:
        raise InvalidArgument(f"optimizer={optimizer!r} must be one of {', '.join(TORCH_OPTIMIZERS)}")
    cls = {"adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam}[optimizer]
    etas = _step_sizes(etas)
    if etas.ndim != 1:
        raise InvalidArgument(f"torch_update needs one step size per grid point (1-D etas); got shape {etas.shape}")
    state: dict[str, Any] = {}

    def update(weights: list[np.ndarray], grads: Gradients) -> None:
        if "opt" not in state:
            state["opt"] = cls([{"params": [torch.from_numpy(w[g]) for w in weights], "lr": float(eta)}
                                for g, eta in enumerate(etas)])
        for g, group in enumerate(state["opt"].param_groups):
            for p, grad in zip(group["params"], grads.layers):
                p.grad = torch.from_numpy(np.ascontiguousarray(grad[g]))
        state["opt"].step()
    return update


def train_grid(weights: Sequence[np.ndarray], loss: Any, etas: np.ndarray, update: Update, steps: int, *,
               target_loss: float | np.ndarray, divergence_factor: float = 1e10, until: str = "settled") -> GridRun:
    """Iterate ``update`` (fed the engine's gradients) for at most ``steps`` steps on float64 weights whose
    leading axis has one entry per step size in ``etas`` (shape (G,) or (G, *batch); copied; modified in place
    by ``update``). ``target_loss`` may be an array broadcasting against the batch axes after the first.

    ``until="settled"`` stops once every run's fastest η is known (some η hit the target, or all
    diverged): later steps cannot change `GridRun.best`. ``until="all"`` runs all ``steps``."""
    check_type(steps, int, "steps")
    check_range(steps, "steps", low=1)
    if until not in ("settled", "all"):
        raise InvalidArgument(f"until={until!r} must be 'settled' or 'all'")
    etas = _step_sizes(etas)
    current = [np.array(w, dtype=np.float64) for w in weights]
    if any(w.shape[:etas.ndim] != etas.shape or w.ndim < etas.ndim + 2 for w in current):
        raise InvalidArgument(f"every weight needs leading axes matching the step sizes' shape {etas.shape}; got "
                              f"{[w.shape for w in current]}")
    first = np.asarray(loss.value(end_to_end(current)), dtype=np.float64)
    limit = divergence_factor * np.maximum(np.abs(first), 1e-300)
    hit_at = np.where(first <= target_loss, 0, -1)
    diverged_at = np.full(first.shape, -1)
    losses = [first]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(1, steps + 1):
            update(current, layer_gradients(current, loss))
            value = np.asarray(loss.value(end_to_end(current)), dtype=np.float64)
            losses.append(value)
            bad = (~np.isfinite(value) | (value > limit)) & (diverged_at < 0)
            diverged_at[bad] = step
            for w in current:                       # freeze diverged runs so they stay finite
                w[bad] = 0.0
            hit_at[(value <= target_loss) & (hit_at < 0) & (diverged_at < 0)] = step
            settled = np.any(hit_at >= 0, axis=0) | np.all(diverged_at >= 0, axis=0)
            if until == "settled" and np.all(settled):
                break
    return GridRun(etas, np.array(losses), hit_at, diverged_at)
