"""The end-to-end update rule of Arora, Cohen & Hazan (2018), its preconditioner and single-output form.

ACH18 (arXiv 1802.06509) §4–5. For a depth-N linear net with balanced weights, GD on the factors moves
the end-to-end matrix W_e (k×d) by −η·E(W_e, ∇L(W_e)) + O(η²), where (Theorem 1)

    E(W, G) = Σ_{j=1}^{N} [W Wᵀ]^{(j−1)/N} · G · [Wᵀ W]^{(N−j)/N}                      (rule)

with PSD powers and 0^0 := 1. Column-major vectorisation turns this into vec(E) = P_W vec(G) with
(Claim 1, vec(A G B) = (Bᵀ ⊗ A) vec G)

    P_W = Σ_j [WᵀW]^{(N−j)/N} ⊗ [WWᵀ]^{(j−1)/N},

whose eigenvectors are vec(u_r v_{r'}ᵀ) with eigenvalues Σ_j σ_r^{2(N−j)/N} σ_{r'}^{2(j−1)/N}
(σ_r := 0 past min(k, d)). For k = 1 (Claim 2) E(w, g) = ‖w‖^{2−2/N}(g + (N−1) Pr_w g).

Exponents are passed explicitly (``exponents``) so that negative controls can evaluate deliberately
wrong rules with the same code.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import InvalidArgument, check_range

__all__ = [
    "ExponentRule", "paper_exponents", "gram_powers", "end_to_end_direction", "preconditioner", "vec", "unvec",
    "full_singular_values", "preconditioner_eigenpairs", "paper_eigenvalue", "single_output_direction",
]

# (N, j) -> (left exponent a_j on WWᵀ, right exponent b_j on WᵀW)
ExponentRule = Callable[[int, int], tuple[float, float]]


def paper_exponents(depth: int, j: int) -> tuple[float, float]:
    """ACH18 Theorem 1: a_j = (j−1)/N on [W Wᵀ], b_j = (N−j)/N on [Wᵀ W]."""
    return (j - 1) / depth, (depth - j) / depth


def _check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise InvalidArgument(f"depth={depth!r} must be an int")
    check_range(int(depth), "depth", low=1)


def _check_pair(w: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(w, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    if w.ndim != 2 or w.shape != g.shape:
        raise InvalidArgument(f"W_e and ∇L must be matrices of one shape; got {w.shape} and {g.shape}")
    return w, g


def gram_powers(w_e: np.ndarray) -> Callable[[str, float], np.ndarray]:
    """``power(side, a)`` = [W Wᵀ]^a (side "left") or [Wᵀ W]^a (side "right"), 0^0 := 1, from one full SVD.

    Singular values below max(k, d)·ε·σ_max count as 0 (numerical rank), so that a rank-deficient
    W_e gives exact zeros rather than rounding noise raised to a fractional power: an eigenvalue
    1e-17 of a Gram matrix would become 1e-17^{1/4} ≈ 6e-5 (why `verify.engine.linalg.psd_power`, which
    keeps tiny positive eigenvalues, is used here only to cross-check full-rank cases).
    """
    u, v, sl, sr = full_singular_values(w_e)
    bases = {"left": (u, sl), "right": (v, sr)}

    def power(side: str, a: float) -> np.ndarray:
        basis, sigma = bases[side]
        return (basis * _power(sigma ** 2, a)) @ basis.T

    return power


def end_to_end_direction(w_e: np.ndarray, grad: np.ndarray, depth: int,
                         exponents: ExponentRule = paper_exponents) -> np.ndarray:
    """E(W_e, ∇L) = Σ_j [W_eW_eᵀ]^{a_j} ∇L [W_eᵀW_e]^{b_j} (ACH18 Thm 1; GD moves W_e by −η E + O(η²))."""
    _check_depth(depth)
    w, g = _check_pair(w_e, grad)
    power = gram_powers(w)
    total = np.zeros_like(g)
    for j in range(1, depth + 1):
        a, b = exponents(depth, j)
        total += power("left", a) @ g @ power("right", b)
    return total


def vec(a: np.ndarray) -> np.ndarray:
    """Column-major vectorisation (stack the columns), the convention of vec(AXB) = (Bᵀ ⊗ A) vec X."""
    return np.asarray(a).reshape(-1, order="F")


def unvec(v: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Inverse of `vec`."""
    return np.asarray(v).reshape(shape, order="F")


def preconditioner(w_e: np.ndarray, depth: int, exponents: ExponentRule = paper_exponents) -> np.ndarray:
    """P_W = Σ_j [WᵀW]^{b_j} ⊗ [WWᵀ]^{a_j} (kd × kd), so that vec E(W, G) = P_W vec G (ACH18 Claim 1)."""
    _check_depth(depth)
    w = np.asarray(w_e, dtype=np.float64)
    if w.ndim != 2:
        raise InvalidArgument(f"W_e must be a matrix; got shape {w.shape}")
    power = gram_powers(w)
    k, d = w.shape
    total = np.zeros((k * d, k * d))
    for j in range(1, depth + 1):
        a, b = exponents(depth, j)
        total += np.kron(power("right", b), power("left", a))
    return total


def full_singular_values(w_e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Full SVD W = U D Vᵀ (U ∈ O(k), V ∈ O(d)); σ padded with zeros to length k (left) and d (right),
    values below the numerical-rank threshold max(k, d)·ε·σ_max set to 0."""
    w = np.asarray(w_e, dtype=np.float64)
    u, s, vt = np.linalg.svd(w, full_matrices=True)
    k, d = w.shape
    if s.size:
        s = np.where(s > max(k, d) * np.finfo(np.float64).eps * s[0], s, 0.0)
    left = np.zeros(k)
    right = np.zeros(d)
    left[: s.size] = s
    right[: s.size] = s
    return u, vt.T, left, right


def _power(base: np.ndarray, exponent: float) -> np.ndarray:
    """base^exponent elementwise with 0^0 := 1."""
    return np.where(exponent == 0, 1.0, np.power(base, exponent, where=base > 0, out=np.zeros_like(base)))


def paper_eigenvalue(sigma_left: np.ndarray, sigma_right: np.ndarray, depth: int,
                     exponent_scale: float | None = None) -> np.ndarray:
    """λ(r, r') = Σ_j σ_r^{2(N−j)/N} σ_{r'}^{2(j−1)/N} (ACH18 Claim 1; 0^0 = 1), as a k×d array.

    σ_r pairs with u_r, σ_{r'} with v_{r'}. ``exponent_scale`` replaces the 1/N in both exponents
    (a deliberately wrong formula for negative controls; ``None`` is the paper's 1/N).
    """
    _check_depth(depth)
    scale = 1.0 / depth if exponent_scale is None else exponent_scale
    sl = np.asarray(sigma_left, dtype=np.float64)[:, None]
    sr = np.asarray(sigma_right, dtype=np.float64)[None, :]
    return sum(_power(sl, 2 * (depth - j) * scale) * _power(sr, 2 * (j - 1) * scale)
               for j in range(1, depth + 1))


def preconditioner_eigenpairs(w_e: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The candidate eigenvectors vec(u_r v_{r'}ᵀ) (row-major over (r, r')) and the padded σ's."""
    u, v, sl, sr = full_singular_values(w_e)
    vectors = [vec(np.outer(u[:, r], v[:, rp])) for r in range(u.shape[1]) for rp in range(v.shape[1])]
    return vectors, sl, sr


def single_output_direction(w: np.ndarray, grad: np.ndarray, depth: int,
                            projection_factor: float | None = None) -> np.ndarray:
    """‖w‖^{2−2/N} (∇L + c·Pr_w ∇L) with c = N − 1 (ACH18 Claim 2); Pr_w g = ⟨g, w⟩ w/‖w‖², 0 at w = 0.

    ``projection_factor`` overrides c (negative controls).
    """
    _check_depth(depth)
    w, g = _check_pair(np.atleast_2d(w), np.atleast_2d(grad))
    if w.shape[0] != 1:
        raise InvalidArgument(f"single_output_direction needs a row vector (k = 1); got shape {w.shape}")
    c = depth - 1 if projection_factor is None else projection_factor
    norm2 = float(np.sum(w * w))
    projection = (float(np.sum(g * w)) / norm2) * w if norm2 > 0 else np.zeros_like(w)
    scale = norm2 ** (1.0 - 1.0 / depth) if norm2 > 0 else (1.0 if depth == 1 else 0.0)
    return scale * (g + c * projection)
