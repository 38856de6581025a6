"""Markers for tests that need an optional extra."""

import importlib.util

import pytest

HAS_NN = all(importlib.util.find_spec(m) is not None for m in ("torch", "sklearn"))
needs_nn = pytest.mark.skipif(not HAS_NN, reason="needs the nn extra (torch, scikit-learn)")
