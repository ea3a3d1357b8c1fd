"""Hand-written HTTP fakes of outside services that have no local server, at the network boundary."""
