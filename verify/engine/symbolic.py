"""sympy building blocks: symbolic deep linear networks and their exact layer gradients."""

from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = ["symbol_matrix", "symbolic_network", "chain", "symbolic_layer_gradients", "is_zero_matrix"]


def symbol_matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """A rows×cols matrix of independent real symbols ``name_ij``."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def symbolic_network(dims: Sequence[int]) -> list[sp.Matrix]:
    """Symbolic layers W_1..W_N of shapes (n_j, n_{j−1}) for ``dims = (n_0, ..., n_N)``."""
    return [symbol_matrix(f"w{j + 1}", dims[j + 1], dims[j]) for j in range(len(dims) - 1)]


def chain(layers: Sequence[sp.Matrix], size: int) -> sp.Matrix:
    """The product of ``layers`` applied in order (last one leftmost); the identity of ``size`` if empty."""
    product = sp.eye(size)
    for w in layers:
        product = w * product
    return product


def symbolic_layer_gradients(layers: Sequence[sp.Matrix], loss_gradient: sp.Matrix) -> list[sp.Matrix]:
    """∂L/∂W_j = W_{N:j+1}ᵀ G W_{j−1:1}ᵀ with G = ∇L^1(W_e) left symbolic (any differentiable loss)."""
    d_in = layers[0].shape[1]
    return [chain(layers[j + 1:], layers[j].shape[0]).T * loss_gradient * chain(layers[:j], d_in).T
            for j in range(len(layers))]


def is_zero_matrix(m: sp.Matrix) -> bool:
    """True iff every entry expands to the zero polynomial."""
    return all(sp.expand(e) == 0 for e in m)
