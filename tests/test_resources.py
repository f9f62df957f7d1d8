"""Long-lived processes (a sweep running hundreds of cases, a critical-current search building a
problem per trial) must give back what each problem took: PETSc objects and MPI communicators.

MPICH has about 2046 communicators per process; a problem that is never freed keeps ~20 of them
(PETSc and MUMPS duplicate the communicator). Before the fix a stripping problem was never freed
(its SNES held callbacks referring to it, a cycle Python's garbage collector cannot see) and a
sweep or a long test session crashed after about 100 of them.
"""

from __future__ import annotations

import gc
import weakref

from mpi4py import MPI

from ssbx.runs.stripping import build_problem


def free_communicators(limit: int = 4000) -> int:
    """How many more communicators this process can create (all freed again)."""
    comms = []
    try:
        while len(comms) < limit:
            comms.append(MPI.COMM_SELF.Dup())
    except MPI.Exception:
        pass
    for c in comms:
        c.Free()
    return len(comms)


def test_problems_are_freed_with_their_communicators(tiny_stripping_case):
    case = tiny_stripping_case
    problem = build_problem(case, MPI.COMM_SELF)
    problem.mechanics.solve_step(1e-6)  # the creep callbacks have run
    gone = [weakref.ref(problem), weakref.ref(problem.mechanics)]
    del problem
    gc.collect()
    assert all(ref() is None for ref in gone)
    before = free_communicators()
    for _ in range(3):
        p = build_problem(case, MPI.COMM_SELF)
        del p
        gc.collect()
    assert free_communicators() == before
