"""dlverify: theorems about gradient descent on deep linear networks, as falsifiable properties.

The engine (`verify.engine.network`, `verify.engine.backends`, `verify.engine.losses`, `verify.engine.inits`) trains deep linear
networks x -> W_N ... W_1 x in float64 or in arbitrary precision; `verify.checking.strategies` generates the
objects theorems quantify over; `verify.checking.spec` and `verify.checking.registry` describe and collect theorems
(`theorems/`); `verify.checking.runner`, `verify.output.report`, `verify.output.gate` and `verify.cli` run them and
publish the verdicts.
"""

__version__ = "0.1.0"
