"""The end-to-end update computed from the factors themselves: an oracle for the end-to-end rule.

Arora, Cohen & Hazan 2018 (arXiv 1802.06509), §4, proof of Theorem 1: one GD step of size η on the
factors W_1..W_N of W_e = W_N⋯W_1 with loss gradient G = ∇L^1(W_e) moves W_e by

    W_e(η) − W_e = −η Σ_{j=1}^{N} W_{N:j+1} (∂L/∂W_j) W_{j−1:1} + O(η²)
                 = −η Σ_{j=1}^{N} (W_{N:j+1} W_{N:j+1}ᵀ) G (W_{j−1:1}ᵀ W_{j−1:1}) + O(η²),

with W_{b:a} = W_b⋯W_a (the identity when b < a). Only for *balanced* factors does
W_{N:j+1}W_{N:j+1}ᵀ equal [W_eW_eᵀ]^{(N−j)/N} and W_{j−1:1}ᵀW_{j−1:1} equal [W_eᵀW_e]^{(j−1)/N}, which
turns the sum into the rule of `verify.engine.end_to_end_rule` — so evaluating the sum from real
(balanced) factors gives the rule, its preconditioner P (vec E = P vec G, column-major) and P's
spectrum by a route that shares nothing with that module: no SVD, no fractional matrix powers,
only products of the factors.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InvalidArgument

__all__ = ["balanced_factors", "factor_products", "factor_rule", "factor_preconditioner"]


def _check_chain(weights: Sequence[np.ndarray]) -> list[np.ndarray]:
    if len(weights) == 0:
        raise InvalidArgument("weights=[] must hold at least one layer")
    arrays = [np.asarray(w, dtype=np.float64) for w in weights]
    for j, w in enumerate(arrays):
        if w.ndim != 2:
            raise InvalidArgument(f"weights[{j}] has shape {w.shape}; every layer must be a matrix")
        if j and w.shape[1] != arrays[j - 1].shape[0]:
            raise InvalidArgument(f"weights[{j}] has shape {w.shape} but follows a layer with "
                                  f"{arrays[j - 1].shape[0]} outputs")
    return arrays


def balanced_factors(u: np.ndarray, sigma: np.ndarray, v: np.ndarray, widths: Sequence[int],
                     rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Balanced factors of W_e = U_r diag(σ) V_rᵀ from its (thin) SVD, r = len(σ) (Procedure 1 of
    Arora, Cohen, Golowich & Hu 2019 with the SVD given, not computed):

        W_1 = Q_1 [Σ^{1/N}; 0] V_rᵀ,  W_j = Q_j [Σ^{1/N} 0; 0 0] Q_{j−1}ᵀ,  W_N = U_r [Σ^{1/N} 0] Q_{N−1}ᵀ,

    so W_N⋯W_1 = W_e and W_{j+1}ᵀW_{j+1} = W_jW_jᵀ; Q_j is a Haar-random rotation of hidden space j if
    ``rng`` is given, else the identity. A zero σ stays an exact zero (an SVD of the product would
    return a rounding-level σ ≈ 1e-16, whose 1/N-th power is not small). ``widths`` are the N − 1
    hidden widths, each ≥ r.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    rank = sigma.size
    if sigma.ndim != 1 or np.any(sigma < 0) or not np.all(np.isfinite(sigma)):
        raise InvalidArgument(f"sigma={sigma!r} must be a vector of finite values ≥ 0")
    if u.ndim != 2 or v.ndim != 2 or u.shape[1] < rank or v.shape[1] < rank:
        raise InvalidArgument(f"u {u.shape} and v {v.shape} need at least len(sigma)={rank} columns")
    widths = [int(n) for n in widths]
    if any(n < rank for n in widths):
        raise InvalidArgument(f"widths={widths} must all be ≥ len(sigma)={rank}")
    depth = len(widths) + 1
    dims = [v.shape[0], *widths, u.shape[0]]
    root = sigma ** (1.0 / depth)
    rotations = [np.linalg.qr(rng.standard_normal((n, n)))[0] if rng is not None else np.eye(n) for n in widths]
    layers = []
    for j in range(depth):
        core = np.zeros((dims[j + 1] if j < depth - 1 else rank, dims[j] if j else rank))
        core[np.arange(rank), np.arange(rank)] = root
        left = rotations[j] if j < depth - 1 else u[:, :rank]
        right = rotations[j - 1].T if j else v[:, :rank].T
        layers.append(left @ core @ right)
    return layers


def factor_products(weights: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(L_j, R_j) for j = 1..N: L_j = W_{N:j+1} (k × n_j, I_k for j = N) and R_j = W_{j−1:1}
    (n_{j−1} × d, I_d for j = 1), by plain prefix and suffix products."""
    arrays = _check_chain(weights)
    rights = [np.eye(arrays[0].shape[1])]
    for w in arrays[:-1]:
        rights.append(w @ rights[-1])
    lefts = [np.eye(arrays[-1].shape[0])]
    for w in arrays[:0:-1]:
        lefts.append(lefts[-1] @ w)
    lefts.reverse()
    return lefts, rights


def factor_rule(weights: Sequence[np.ndarray], grad: np.ndarray) -> np.ndarray:
    """Σ_j (W_{N:j+1}W_{N:j+1}ᵀ) G (W_{j−1:1}ᵀW_{j−1:1}): minus the η-derivative at η = 0 of the
    end-to-end matrix after one factor-GD step with loss gradient G (ACH18 §4)."""
    lefts, rights = factor_products(weights)
    g = np.asarray(grad, dtype=np.float64)
    shape = (lefts[0].shape[0], rights[0].shape[1])
    if g.shape != shape:
        raise InvalidArgument(f"grad has shape {g.shape}; the end-to-end matrix is {shape}")
    return sum((left @ left.T) @ g @ (right.T @ right) for left, right in zip(lefts, rights))


def factor_preconditioner(weights: Sequence[np.ndarray]) -> np.ndarray:
    """P = Σ_j (W_{j−1:1}ᵀW_{j−1:1}) ⊗ (W_{N:j+1}W_{N:j+1}ᵀ) (kd × kd), so that
    P vec(G) = vec(`factor_rule`(weights, G)) with column-major vec (vec(AGB) = (Bᵀ ⊗ A) vec G)."""
    lefts, rights = factor_products(weights)
    return sum(np.kron(right.T @ right, left @ left.T) for left, right in zip(lefts, rights))
