"""Small linear-algebra routines with the conventions of the papers."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument

__all__ = ["psd_power"]


def psd_power(a: np.ndarray, power: float, *, tol: float = 1e-10) -> np.ndarray:
    """A^p for a symmetric PSD matrix by its eigendecomposition, with 0^0 := 1 (so A^0 = I).

    Eigenvalues with |λ| ≤ tol·‖A‖ are rounding noise and are set to exactly 0 (a fractional power
    of a 1e-16 noise eigenvalue would otherwise become a spurious 1e-4 at power 1/4); a more
    negative eigenvalue means A is not PSD and raises InvalidArgument (unlike a general fractional
    power, which would return complex garbage for non-PSD noise).
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InvalidArgument(f"psd_power needs a square matrix; got shape {a.shape}")
    if power == 0:
        return np.eye(a.shape[0])
    sym = 0.5 * (a + a.T)
    if not np.allclose(sym, a, atol=tol * max(1.0, float(np.max(np.abs(a))))):
        raise InvalidArgument("psd_power needs a symmetric matrix")
    vals, vecs = np.linalg.eigh(sym)
    scale = max(float(np.max(np.abs(vals))), 1e-300)
    if vals.min() < -tol * scale:
        raise InvalidArgument(f"psd_power needs a PSD matrix; smallest eigenvalue {vals.min():.3g}")
    vals = np.where(vals > tol * scale, vals, 0.0)
    if power < 0 and np.any(vals == 0):
        raise InvalidArgument(f"psd_power: negative power {power} of a singular matrix")
    powered = np.where(vals > 0, vals, 1.0) ** power * (vals > 0)
    return (vecs * powered) @ vecs.T
