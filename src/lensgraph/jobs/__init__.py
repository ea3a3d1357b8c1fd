"""Background work: a dramatiq broker chosen by ``LENSGRAPH_BROKER`` and the actors that run on it."""
