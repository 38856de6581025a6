"""Real data that ships inside scikit-learn (no network access needed), in the engine's layout.

- `diabetes_regression`: scikit-learn's bundled diabetes data (Efron et al. 2004, "Least Angle
  Regression": 442 patients, 10 baseline variables, a disease-progression target), the stand-in for
  ACH18's UCI scalar regression. Features are z-scored and a constant 1 is appended (intercept);
  the target is divided by its standard deviation but *not* centred, so a model started near zero
  has to learn the offset too.
- `digit_images`: scikit-learn's bundled 8×8 handwritten digits (UCI "Optical Recognition of
  Handwritten Digits" test set, 1797 images, 10 classes), a laptop-scale stand-in for MNIST;
  pixel values 0..16 are scaled to [0, 1].

Each call can draw a seeded subsample (rows without replacement), so that effects measured over
seeds include the variation due to the sample. scikit-learn is part of the nn extra.
"""

from __future__ import annotations

import numpy as np

from ..errors import check_range

__all__ = ["diabetes_regression", "digit_images"]


def _subsample(n: int, fraction: float, seed: int | None) -> np.ndarray:
    """Row indices: all of them if ``seed`` is None, else a seeded subset of ⌈fraction·n⌉ rows."""
    check_range(float(fraction), "fraction", low=0.0, high=1.0, low_open=True)
    if seed is None:
        return np.arange(n)
    rng = np.random.default_rng([seed, 4421])
    return np.sort(rng.choice(n, size=int(np.ceil(fraction * n)), replace=False))


def diabetes_regression(seed: int | None = None, fraction: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) with X of shape (11, n) (10 z-scored features and a row of ones), Y of shape (1, n)."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    rows = _subsample(len(data.target), fraction, seed)
    feats = data.data[rows]
    feats = (feats - feats.mean(axis=0)) / feats.std(axis=0)
    target = data.target[rows].astype(np.float64)
    x = np.vstack([feats.T, np.ones((1, len(rows)))])
    return x, (target / target.std())[None, :]


def digit_images(seed: int | None = None, fraction: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(images of shape (n, 1, 8, 8) in [0, 1], float32; integer labels of shape (n,))."""
    from sklearn.datasets import load_digits

    data = load_digits()
    rows = _subsample(len(data.target), fraction, seed)
    return (data.images[rows] / 16.0).astype(np.float32)[:, None, :, :], data.target[rows].astype(np.int64)
