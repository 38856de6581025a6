"""dlverify: theorems about gradient descent on deep linear networks, as falsifiable properties.

Four layers, imports pointing down only (tests/test_layers.py): `verify.engine` trains deep linear
networks x -> W_N ... W_1 x in float64 or in ball arithmetic; `verify.experiments` adds real data
and optimizer baselines; `verify.checking` describes theorems (`spec`, `registry`), generates what
they quantify over (`strategies`) and runs them (`runner`, `pool`, `parallel`, `mutation`);
`verify.output` writes and judges the results (`results`, `report`, `gate`). The entry points
`verify.cli` and `verify.pytest_plugin` sit on top; the theorems live in the `theorems` package.
"""

__version__ = "0.1.0"
