"""Reproductions of published results: each with its reference data, source, metric and
tolerance, and a plot comparing ssbx with the reference."""
