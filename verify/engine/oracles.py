"""Independent oracles: the engine's quantities computed by a second, deliberately naive route.

Where both sides of a check come from one engine routine (factor GD against the end-to-end rule,
both built on `network.layer_gradients`), an engine bug hides in both. A check calls an oracle on a
sample of its cases and compares: a different algorithm, sharing no code with `network`/`losses`.

- `residual_loss`: ℓ = ½‖α W_N⋯W_1 X − Y‖²_F from the forward pass over the samples (not from the
  sufficient statistics Sxx, Syx, ‖Y‖²).
- `chain_rule_gradients`: ∂ℓ/∂W_j by back-propagation through the per-sample activations
  (no prefix/suffix products of weights, no statistics): δ_N = α(α W_{N:1}X − Y), ∂ℓ/∂W_j = δ_j a_{j−1}ᵀ,
  δ_{j−1} = W_jᵀ δ_j with a_j = W_j⋯W_1 X.
- `gd_step`: W_j ← W_j − η ∂ℓ/∂W_j with those gradients.

Float64 only, O(N·m²·n) per call: for samples of cases, not for training.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import DataError

__all__ = ["residual_loss", "chain_rule_gradients", "gd_step", "relative_gap"]


def _forward(weights: Sequence[np.ndarray], x: np.ndarray) -> list[np.ndarray]:
    activations = [np.asarray(x, dtype=np.float64)]
    for w in weights:
        if w.shape[1] != activations[-1].shape[0]:
            raise DataError(f"layer of shape {w.shape} cannot follow an activation with {activations[-1].shape[0]} rows")
        activations.append(w @ activations[-1])
    return activations


def residual_loss(weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray, alpha: float = 1.0) -> float:
    """½‖α W_N⋯W_1 X − Y‖²_F, from the samples."""
    residual = alpha * _forward(weights, x)[-1] - y
    return 0.5 * float(np.sum(residual * residual))


def chain_rule_gradients(weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray,
                         alpha: float = 1.0) -> list[np.ndarray]:
    """Every layer's gradient of `residual_loss` by back-propagation through the samples."""
    activations = _forward(weights, x)
    delta = alpha * (alpha * activations[-1] - y)
    grads: list[np.ndarray] = [np.empty(0)] * len(weights)
    for j in range(len(weights) - 1, -1, -1):
        grads[j] = delta @ activations[j].T
        delta = weights[j].T @ delta
    return grads


def gd_step(weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray, eta: float,
            alpha: float = 1.0) -> list[np.ndarray]:
    """One GD step on every layer with `chain_rule_gradients`."""
    return [w - eta * g for w, g in zip(weights, chain_rule_gradients(weights, x, y, alpha))]


def relative_gap(ours: Sequence[np.ndarray], oracle: Sequence[np.ndarray]) -> float:
    """max_j ‖A_j − B_j‖_F / max(‖B_j‖_F, tiny): how far the engine's arrays are from the oracle's."""
    return max(float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(b)), np.finfo(float).tiny)
               for a, b in zip(ours, oracle))
