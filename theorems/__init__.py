"""One module per theorem; each registers its `verify.checking.spec.Theorem` with `verify.checking.registry.register`."""
