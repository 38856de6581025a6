"""The outputs: results.json (read, write, validate), the markdown report, the CI gate, plots and
progress display.

May import the checking framework, `verify.errors` and itself — never the engine, experiments or
theorems: everything it shows comes from the results document. Theorems use `plots` only.
"""
