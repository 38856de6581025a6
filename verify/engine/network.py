"""Deep linear networks x -> W_N ... W_1 x: end-to-end matrix, layer gradients, one GD step.

For L^N(W_1..W_N) = L^1(W_e), W_e = W_{N:1}, the chain rule gives (ACH18 §4, Du & Hu 2019 §3)

    ∂L^N/∂W_j = W_{N:j+1}ᵀ · ∇L^1(W_e) · W_{j-1:1}ᵀ.

`layer_gradients` computes all N of them from the prefix products P_j = W_{j:1} (one forward sweep)
and the back-propagated factors A_j = W_{N:j+1}ᵀ ∇L^1(W_e) (one backward sweep, A_{j-1} = W_jᵀ A_j),
so a step costs about 6·N·m²·d_in flops for hidden width m and never re-multiplies the chain per
layer. With `QuadraticLoss` nothing depends on the number of samples n.

Weights are a list ``[W_1, ..., W_N]`` with W_j of shape (n_j, n_{j-1}); in float64 each may carry
the same leading batch axes (independent networks trained in one vectorised step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import DataError, InvalidArgument, check_finite_array
from .backends import FLOAT64, Backend
from .losses import Loss

__all__ = [
    "Gradients", "layer_dims", "validate_weights", "to_backend", "to_numpy", "end_to_end",
    "layer_gradients", "gd_step", "gd_step_in_place", "balancedness_defects",
]


@dataclass(frozen=True)
class Gradients:
    """∂L/∂W_j for j = 1..N, with the end-to-end matrix and ∇L^1(W_e) they were computed at."""

    layers: list[Any]
    end_to_end: Any
    loss_gradient: Any


def layer_dims(weights: Sequence[np.ndarray]) -> tuple[int, ...]:
    """(n_0, n_1, ..., n_N) of float64 weights: input dimension, hidden widths, output dimension."""
    return (int(np.shape(weights[0])[-1]),) + tuple(int(np.shape(w)[-2]) for w in weights)


def validate_weights(weights: Sequence[np.ndarray], loss: Loss | None = None) -> None:
    """Raise InvalidArgument/DataError unless the float64 weights form a finite chain (matching ``loss``)."""
    if len(weights) == 0:
        raise InvalidArgument("weights is empty: a network needs at least one layer")
    for j, w in enumerate(weights, start=1):
        if np.ndim(w) < 2:
            raise InvalidArgument(f"W_{j} has shape {np.shape(w)}; every layer must be a matrix")
        check_finite_array(w, f"W_{j}")
    for j in range(1, len(weights)):
        if np.shape(weights[j])[-1] != np.shape(weights[j - 1])[-2]:
            raise InvalidArgument(
                f"W_{j + 1} has shape {np.shape(weights[j])} but W_{j} has {np.shape(weights[j - 1])}: "
                f"W_{j + 1} must have {np.shape(weights[j - 1])[-2]} columns")
    if loss is not None:
        dims = layer_dims(weights)
        if (dims[-1], dims[0]) != tuple(loss.shape):
            raise DataError(f"the network maps R^{dims[0]} -> R^{dims[-1]} but the loss expects "
                            f"a {loss.shape[0]}×{loss.shape[1]} end-to-end matrix")


def to_backend(weights: Sequence[np.ndarray], backend: Backend) -> list[Any]:
    """Convert float64 weights to ``backend`` matrices (exactly: every float64 is representable)."""
    with backend.active():
        return [backend.asmatrix(w) for w in weights]


def to_numpy(weights: Sequence[Any], backend: Backend) -> list[np.ndarray]:
    """float64 copies (midpoints, for arb) of backend matrices."""
    return [backend.to_numpy(w) for w in weights]


def end_to_end(weights: Sequence[Any], backend: Backend = FLOAT64) -> Any:
    """W_e = W_N ⋯ W_1."""
    with backend.active():
        product = weights[0]
        for w in weights[1:]:
            product = backend.matmul(w, product)
        return product


def _chain_factors(weights: Sequence[Any], loss: Loss) -> tuple[list[Any], list[Any], Any]:
    """Prefixes P_j = W_{j:1}, back-propagated factors A_j = W_{N:j+1}ᵀ ∇L^1(W_e) and ∇L^1(W_e), so that
    ∂L^N/∂W_j = A_j P_{j-1}ᵀ (A_1 alone for j = 1); one forward and one backward sweep."""
    b = loss.backend
    with b.active():
        prefixes = [weights[0]]
        for w in weights[1:]:
            prefixes.append(b.matmul(w, prefixes[-1]))
        g = loss.gradient(prefixes[-1])
        backs = [g]                                     # A_N, A_{N-1}, ..., A_1
        for w in weights[:0:-1]:
            backs.append(b.matmul(b.transpose(w), backs[-1]))
    backs.reverse()
    return prefixes, backs, g


def layer_gradients(weights: Sequence[Any], loss: Loss,
                    layer_scales: Sequence[float] | None = None) -> Gradients:
    """∂L^N/∂W_j = W_{N:j+1}ᵀ ∇L^1(W_e) W_{j-1:1}ᵀ for every j, from prefix products and backprop.

    ``layer_scales`` multiplies layer j's gradient by a factor: a deliberately *broken* dynamics
    used by negative controls (e.g. ``(1, 1.1, 1)``); leave it ``None`` for the true gradient.
    """
    b = loss.backend
    prefixes, backs, g = _chain_factors(weights, loss)
    with b.active():
        grads = [backs[0]] + [b.matmul(a, b.transpose(p)) for a, p in zip(backs[1:], prefixes)]
        if layer_scales is not None:
            if len(layer_scales) != len(weights):
                raise InvalidArgument(f"layer_scales has {len(layer_scales)} entries for {len(weights)} layers")
            grads = [s * gr if s != 1 else gr for s, gr in zip(layer_scales, grads)]
        return Gradients(grads, prefixes[-1], g)


def gd_step(weights: Sequence[Any], loss: Loss, eta: float,
            layer_scales: Sequence[float] | None = None) -> list[Any]:
    """One simultaneous GD step W_j ← W_j − η ∂L^N/∂W_j on every layer.

    In float64 the update is written into the freshly computed gradient arrays (same bits as
    w − η·g, no temporaries): large temporaries make glibc hand memory back to the OS and
    page-fault it in again on every step (benchmarks/run.py, B1).
    """
    gradients = layer_gradients(weights, loss, layer_scales)
    if loss.backend is not FLOAT64:
        with loss.backend.active():
            return [w - eta * gr for w, gr in zip(weights, gradients.layers)]
    updated = []
    for w, gr in zip(weights, gradients.layers):
        if gr is gradients.loss_gradient or gr.shape != np.shape(w):  # shared with the loss, or broadcast
            updated.append(w - eta * gr)
            continue
        gr *= -eta
        gr += w
        updated.append(gr)
    return updated


def gd_step_in_place(weights: list[np.ndarray], loss: Loss, eta: float) -> np.ndarray:
    """`gd_step` in float64, writing W_j ← W_j − η A_j P_{j-1}ᵀ into the given arrays; returns the
    end-to-end matrix W_e the gradient was taken at.

    Same bits as `gd_step`, but only the weights and one layer-sized buffer are held, not a second
    copy of every layer: all factors A_j (n_j × n_0) and P_{j-1} (n_{j-1} × n_0) are computed from the
    old weights first, then the layers are overwritten from the top down (P_1 is W_1 itself).
    """
    if loss.backend is not FLOAT64:
        raise InvalidArgument(f"gd_step_in_place works on float64 arrays, not the {loss.backend.name} backend")
    prefixes, factors, _ = _chain_factors(weights, loss)
    w_e = prefixes[-1] if len(weights) > 1 else weights[0].copy()   # W_1 itself is overwritten below
    buffers: dict[tuple[int, ...], np.ndarray] = {}
    for j in range(len(weights) - 1, 0, -1):
        w = weights[j]
        update = buffers.setdefault(w.shape, np.empty_like(w))
        np.matmul(factors[j], np.swapaxes(prefixes[j - 1], -1, -2), out=update)
        update *= eta
        w -= update
    weights[0] -= eta * factors[0]
    return w_e


def balancedness_defects(weights: Sequence[Any], backend: Backend = FLOAT64) -> list[Any]:
    """D_j = W_{j+1}ᵀ W_{j+1} − W_j W_jᵀ for j = 1..N−1 (zero for a balanced network, ACH18 eq. (7))."""
    b = backend
    with b.active():
        return [b.matmul(b.transpose(weights[j + 1]), weights[j + 1]) - b.matmul(weights[j], b.transpose(weights[j]))
                for j in range(len(weights) - 1)]
