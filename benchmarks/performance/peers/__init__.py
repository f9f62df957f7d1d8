"""The reference current problem written for other finite-element codes (the peers of the
``peer_comparison`` benchmark): plain dolfinx, scikit-fem and NGSolve.

Each peer is a script run as a process of its own (``python SCRIPT.py --problem JSON
--degree P --level K``) that imports nothing of ssbx's solver (the dolfinx script imports only
the ``ssbx`` package root, the one place that loads the ``dolfinx_solver`` wheel), solves the
problem as a user of that code would write it, and prints one JSON line: DOFs, cell voltage and
the time of each phase. :mod:`ssbx.benchmarks.performance.peer_comparison` launches them.
"""
