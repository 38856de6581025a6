"""One module per theorem; each registers its `verify.spec.Theorem` with `verify.registry.register`."""
