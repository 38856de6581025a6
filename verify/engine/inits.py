"""Initialisations of deep linear networks (float64 numpy).

``dims = (n_0, n_1, ..., n_N)``: input dimension, hidden widths, output dimension; layer j has shape
(n_j, n_{j-1}). Random initialisations take a ``numpy.random.Generator`` and an optional ``batch``
shape of independent networks (leading axes). Every function returns ``[W_1, ..., W_N]``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InvalidArgument, check_finite_array, check_range

__all__ = [
    "check_dims", "gaussian", "du_hu_alpha", "orthogonal", "balanced", "identity", "near_zero",
    "scalar_chains",
]


def check_dims(dims: Sequence[int]) -> tuple[int, ...]:
    """Validate layer dimensions: at least two entries, all positive integers."""
    dims = tuple(dims)
    if len(dims) < 2:
        raise InvalidArgument(f"dims={dims!r} needs at least (d_in, d_out): a network has ≥ 1 layer")
    for i, d in enumerate(dims):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise InvalidArgument(f"dims[{i}]={d!r} must be a positive integer (dims={dims!r})")
    return tuple(int(d) for d in dims)


def gaussian(dims: Sequence[int], rng: np.random.Generator, std: float = 1.0,
             batch: tuple[int, ...] = ()) -> list[np.ndarray]:
    """Entries i.i.d. N(0, std²). ``std=1`` with output scale `du_hu_alpha` is Du & Hu (2019, §3)."""
    dims = check_dims(dims)
    check_range(float(std), "std", low=0.0, low_open=True)
    return [std * rng.standard_normal(batch + (dims[j + 1], dims[j])) for j in range(len(dims) - 1)]


def du_hu_alpha(dims: Sequence[int]) -> float:
    """α = 1/√(m^{L−1} d_y) for equal hidden widths m (Du & Hu 2019, §3; Hu et al. 2020, §4)."""
    dims = check_dims(dims)
    hidden = dims[1:-1]
    if len(set(hidden)) > 1:
        raise InvalidArgument(f"du_hu_alpha needs equal hidden widths; got {hidden}")
    m = hidden[0] if hidden else 1
    depth = len(dims) - 1
    return float(1.0 / np.sqrt(float(m) ** (depth - 1) * dims[-1]))


def _random_orthonormal(rng: np.random.Generator, rows: int, cols: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    """A uniformly random rows×cols matrix with orthonormal columns (rows ≥ cols) or rows: the sign-fixed
    reduced QR of a Gaussian, O(n k²) for n×k instead of the O(n³) of a full Haar n×n matrix."""
    tall = rows >= cols
    q, r = np.linalg.qr(rng.standard_normal(batch + ((rows, cols) if tall else (cols, rows))))
    signs = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    signs[signs == 0] = 1.0
    q = q * signs[..., None, :]
    return q if tall else np.swapaxes(q, -1, -2)


def orthogonal(dims: Sequence[int], rng: np.random.Generator, scale: float = 1.0,
               batch: tuple[int, ...] = ()) -> list[np.ndarray]:
    """Each W_j = scale · (a uniformly random matrix with orthonormal rows or columns, whichever fit).

    ``scale = √m`` gives Hu, Xiao & Pennington (2020, §4)'s W_jᵀW_j = m I.
    """
    dims = check_dims(dims)
    check_range(float(scale), "scale", low=0.0, low_open=True)
    return [scale * _random_orthonormal(rng, dims[j + 1], dims[j], batch) for j in range(len(dims) - 1)]


def balanced(dims: Sequence[int], end_to_end: np.ndarray,
             rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Exactly balanced factors of ``end_to_end`` (Arora, Cohen, Golowich & Hu 2019, Procedure 1).

    With A = U Σ Vᵀ (q = min(d_in, d_out) singular values): W_1 ≃ Σ^{1/N} Vᵀ, W_j ≃ Σ^{1/N},
    W_N ≃ U Σ^{1/N}, zero-padded to the layer shapes, so W_{N:1} = A and W_{j+1}ᵀW_{j+1} = W_jW_jᵀ.
    If ``rng`` is given, each hidden space is rotated by a Haar-random orthogonal O_j
    (W_j → O_j W_j O_{j−1}ᵀ), which keeps both properties and removes the block structure.
    Hidden widths must be ≥ q so that balancedness is realisable.
    """
    dims = check_dims(dims)
    a = np.asarray(end_to_end, dtype=np.float64)
    check_finite_array(a, "end_to_end")
    if a.shape != (dims[-1], dims[0]):
        raise InvalidArgument(f"end_to_end has shape {a.shape}; dims={dims} needs ({dims[-1]}, {dims[0]})")
    depth = len(dims) - 1
    q = min(dims[0], dims[-1])
    if min(dims[1:-1], default=q) < q:
        raise InvalidArgument(f"hidden widths {dims[1:-1]} must be ≥ min(d_in, d_out) = {q} for a balanced init")
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    root = np.diag(s ** (1.0 / depth))
    layers = []
    for j in range(depth):
        w = np.zeros((dims[j + 1], dims[j]))
        core = root
        if j == 0:
            core = core @ vt
        if j == depth - 1:
            core = u @ core
        w[: core.shape[0], : core.shape[1]] = core
        layers.append(w)
    if rng is not None:
        rotations = [None] + [_random_orthonormal(rng, n, n) for n in dims[1:-1]] + [None]
        for j in range(depth):
            left, right = rotations[j + 1], rotations[j]
            if left is not None:
                layers[j] = left @ layers[j]
            if right is not None:
                layers[j] = layers[j] @ right.T
    return layers


def identity(dims: Sequence[int]) -> list[np.ndarray]:
    """W_j = I (rectangular identity if the shapes differ): the linear residual init of ACH18 §6 and
    Bartlett, Helmbold & Long (2018)."""
    dims = check_dims(dims)
    return [np.eye(dims[j + 1], dims[j]) for j in range(len(dims) - 1)]


def near_zero(dims: Sequence[int], rng: np.random.Generator, eps: float = 1e-3,
              batch: tuple[int, ...] = ()) -> list[np.ndarray]:
    """Entries i.i.d. N(0, ε²): the near-zero init of ACH18 (approximately balanced for small ε)."""
    check_range(float(eps), "eps", low=0.0, low_open=True)
    return gaussian(dims, rng, std=eps, batch=batch)


def scalar_chains(runs: int, depth: int, rng: np.random.Generator, kind: str = "gaussian",
                  spread: float = 0.1) -> np.ndarray:
    """1-D deep linear nets (Shamir 2018): a (runs, depth) array of scalars w_i.

    ``kind``: ``"gaussian"`` i.i.d. N(0,1); ``"near_one"`` i.i.d. 1 + spread·N(0,1);
    ``"identity"`` all ones.
    """
    check_range(runs, "runs", low=1)
    check_range(depth, "depth", low=1)
    if kind == "gaussian":
        return rng.standard_normal((runs, depth))
    if kind == "near_one":
        check_range(float(spread), "spread", low=0.0)
        return 1.0 + spread * rng.standard_normal((runs, depth))
    if kind == "identity":
        return np.ones((runs, depth))
    raise InvalidArgument(f"kind={kind!r} must be one of 'gaussian', 'near_one', 'identity'")
