"""The rigid-body modes of a displacement space: the near-nullspace that algebraic multigrid
(PETSc GAMG) needs for elasticity and creep.

Smoothed-aggregation AMG builds its coarse spaces from the near-nullspace of the operator; for
a vector displacement field that is the rigid-body motions (Vaněk, Mandel & Brezina, Computing
56 (1996) 179-196): two translations and one rotation in plane strain, three translations and
three rotations in 3-D. Without them the aggregates cannot represent rotations and the
iteration count grows with refinement (shown in ``tests/test_elastic_3d.py``).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import numpy as np
from dolfinx import fem

#: PETSc options of CG + smoothed-aggregation GAMG (Jacobi-Chebyshev smoothing) for elasticity
#: and creep, as in the dolfinx elasticity demo; the caller adds tolerances and sets the modes
GAMG_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg", "pc_type": "gamg", "pc_gamg_type": "agg", "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev", "mg_levels_pc_type": "jacobi"}


def rigid_body_modes(V: fem.FunctionSpace) -> PETSc.NullSpace:
    """The rigid-body modes of a 2-D (3 modes) or 3-D (6 modes) vector space as an orthonormal
    PETSc near-nullspace; rotations about the body's centroid."""
    index_map = V.dofmap.index_map
    bs = V.dofmap.index_map_bs
    gdim = V.mesh.geometry.dim
    if bs != gdim or gdim not in (2, 3):
        raise ValueError(f"rigid-body modes need a 2-D or 3-D vector space, got block size {bs} "
                         f"on a {gdim}-D mesh")
    count_modes = 3 if gdim == 2 else 6
    vectors = [dolfinx.la.vector(index_map, bs=bs, dtype=PETSc.ScalarType)
               for _ in range(count_modes)]
    basis = [v.array for v in vectors]
    dofs = [V.sub(i).dofmap.list.flatten() for i in range(gdim)]
    x = V.tabulate_dof_coordinates()
    nodes = V.dofmap.list.flatten()
    # rotations about the body's centroid (one point for every rank, else each rank's part
    # would turn about its own point and the modes would not be rigid) keep the modes well
    # scaled against the translations
    comm = V.mesh.comm
    owned = x[: index_map.size_local]
    count = comm.allreduce(owned.shape[0], op=MPI.SUM)
    x = x - comm.allreduce(owned.sum(axis=0), op=MPI.SUM) / max(count, 1)
    x0, x1, x2 = x[nodes, 0], x[nodes, 1], x[nodes, 2]
    for i in range(gdim):
        basis[i][dofs[i]] = 1.0
    if gdim == 2:
        basis[2][dofs[0]], basis[2][dofs[1]] = -x1, x0
    else:
        basis[3][dofs[0]], basis[3][dofs[1]] = -x1, x0
        basis[4][dofs[0]], basis[4][dofs[2]] = x2, -x0
        basis[5][dofs[2]], basis[5][dofs[1]] = x1, -x2
    dolfinx.la.orthonormalize(vectors)
    local = bs * index_map.size_local
    petsc = [PETSc.Vec().createWithArray(b[:local], bsize=bs, comm=comm) for b in basis]
    return PETSc.NullSpace().create(vectors=petsc, comm=comm)


def rigid_body_modes_of_dofs(coordinates: np.ndarray, components: np.ndarray,
                             comm: MPI.Comm) -> PETSc.NullSpace:
    """The six rigid-body modes of 3-D displacement dofs listed in any order (this rank's
    owned ones: their ``coordinates`` (n, 3) [any unit] and ``components`` (n,) in 0-2), as an
    orthonormal PETSc near-nullspace laid out in that order: for a displacement block of a
    mixed system (a field split's index set). Rotations about the dofs' centroid."""
    count = comm.allreduce(coordinates.shape[0], op=MPI.SUM)
    x = coordinates - comm.allreduce(coordinates.sum(axis=0), op=MPI.SUM) / max(count, 1)
    unit = [(components == i).astype(float) for i in range(3)]
    modes = [unit[0], unit[1], unit[2],
             -x[:, 1] * unit[0] + x[:, 0] * unit[1],
             x[:, 2] * unit[0] - x[:, 0] * unit[2],
             x[:, 1] * unit[2] - x[:, 2] * unit[1]]
    vectors: list[PETSc.Vec] = []
    for mode in modes:  # modified Gram-Schmidt, collective
        v = PETSc.Vec().createWithArray(np.ascontiguousarray(mode), comm=comm)
        for q in vectors:
            v.axpy(-v.dot(q), q)
        v.normalize()
        vectors.append(v)
    return PETSc.NullSpace().create(vectors=vectors, comm=comm)


__all__ = ["GAMG_OPTIONS", "rigid_body_modes", "rigid_body_modes_of_dofs"]
