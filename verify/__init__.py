"""dlverify: theorems about gradient descent on deep linear networks, as falsifiable properties.

The engine (`verify.network`, `verify.backends`, `verify.losses`, `verify.inits`) trains deep linear
networks x -> W_N ... W_1 x in float64 or in arbitrary precision; `verify.strategies` generates the
objects theorems quantify over; `verify.spec` and `verify.registry` describe and collect theorems
(`theorems/`); `verify.runner`, `verify.report`, `verify.gate` and `verify.cli` run them and
publish the verdicts.
"""

__version__ = "0.1.0"
