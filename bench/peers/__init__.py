"""``python -m bench compare``: Lensgraph beside PostGraphile 5 and a plain Python server, as real processes.

The systems run as subprocesses on one PostgreSQL database holding the bench dataset, each pinned to the same
single core; a Python load driver on the other core sends each workload to each in alternating rounds.
"""
