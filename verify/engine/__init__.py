"""The numerical engine: deep linear networks, losses, GD and gradient flow, inits, number systems
(float64, arb and fixed-point balls, mpmath), sympy and certified-integral helpers.

May import only `verify.engine` and `verify.errors` — nothing from the checking framework, the
outputs, the experiments or the theorems. Theorem authors call it for all the math they train.
"""
