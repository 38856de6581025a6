"""The checking framework: what a theorem is (`spec`), the registry, profiles and context, hypothesis
strategies and properties, statistics (fits, intervals, sequential tests) and convergence fits, the
runner with its process pool and dask mapper, interruption handling, and mutation analysis.

May import the engine, `verify.errors` and itself — never the outputs, experiments or theorems.
Theorem authors build their `Theorem`, `Evidence` and `Measurement` from it.
"""
