"""Helpers for the experiment-style theorems (the ACH18 §7 `nn` checks): real datasets and optimizer
baselines (AdaGrad, AdaDelta, Adam via torch).

May import the engine and `verify.errors` only. Optional extras (torch, scikit-learn) are imported lazily.
"""
