"""Use cases: authorize, load, apply a domain rule, save, emit events."""
