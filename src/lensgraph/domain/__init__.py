"""Business rules: pure Python, no I/O, importing nothing else of Lensgraph's."""
