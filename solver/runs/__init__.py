"""Runs: drive a problem over a case's protocol and write its run folder (``registry`` maps a
problem kind to its runner; ``ccs`` and ``ccs_search`` find critical stripping currents)."""
