"""Reproductions of published results and performance measurements (``ssbx bench``)."""
