"""Shared pytest fixtures.

``import ssbx`` must come first: it loads the dolfinx wheel's MPI library before anything imports
dolfinx. Tests marked ``mpi`` also run under ``mpirun -n 2 python -m pytest -m mpi tests``.
"""

from __future__ import annotations

import gc

# isort: off
import ssbx  # noqa: F401  (loads the dolfinx wheel's MPI library; must come first)

from mpi4py import MPI

# isort: on
import pytest

if MPI.COMM_WORLD.size > 1:
    # Destroying a parallel PETSc object (a solver's MUMPS factorisation, a communicator) is
    # collective. Python's automatic collection of reference cycles runs at points that differ
    # between ranks, so under MPI it is off and garbage is collected after every test, on all
    # ranks together (below). (ssbx's own runs close their solvers explicitly:
    # ssbx.problems.lifetime.)
    gc.disable()


@pytest.fixture(autouse=True)
def _collect_and_synchronise():
    """Destroy PETSc objects (collective) on all ranks together after every test."""
    yield
    gc.collect()
    MPI.COMM_WORLD.Barrier()


@pytest.fixture
def comm() -> MPI.Comm:
    """The world communicator (one rank serially, two under ``mpirun -n 2``)."""
    return MPI.COMM_WORLD


@pytest.fixture
def shared_tmp_path(tmp_path_factory, comm) -> str:
    """A temporary directory whose path is the same on every rank (rank 0's, broadcast)."""
    path = str(tmp_path_factory.mktemp("shared")) if comm.rank == 0 else None
    return comm.bcast(path, root=0)


# --------------------------------------------------------------------------------------------
# Shared cases (tests/cases.py holds the texts; resolved cases are frozen and can be shared)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tiny_stripping_case():
    """The resolved tiny strip / rest / plate case (:data:`cases.TINY`)."""
    from cases import tiny_stripping

    return tiny_stripping()


@pytest.fixture(scope="session")
def example_case():
    """``example_case("void_2d.toml")``: a resolved example case, read once per process."""
    from cases import example

    return example
