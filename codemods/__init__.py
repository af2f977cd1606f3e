"""One module per fault code: the rule (detection, candidate repairs, rewrites, examples).
`graphfix.registry.discover()` finds and validates them."""
