"""Lensgraph's benchmark suite: a dataset generator and GraphQL workloads timed beside a raw baseline.

``python -m bench generate`` writes the dataset, ``python -m bench run`` prints the table of figures.
Speed targets live here, never in timed tests (DESIGN 7).
"""
