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

import numpy as np
from dolfinx import fem

#: PETSc options of CG + smoothed-aggregation GAMG (Jacobi-Chebyshev smoothing) for elasticity
#: and creep, as in the dolfinx elasticity demo; the caller adds tolerances and sets the modes
GAMG_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg", "pc_type": "gamg", "pc_gamg_type": "agg", "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev", "mg_levels_pc_type": "jacobi"}


def rigid_body_modes(V: fem.FunctionSpace) -> PETSc.NullSpace:
    """The rigid-body modes of a 2-D (3 modes) or 3-D (6 modes) vector space as an orthonormal
    PETSc near-nullspace (:func:`rigid_body_modes_of_dofs` on its owned nodes, blocked);
    rotations about the body's centroid."""
    bs = V.dofmap.index_map_bs
    gdim = V.mesh.geometry.dim
    if bs != gdim or gdim not in (2, 3):
        raise ValueError(f"rigid-body modes need a 2-D or 3-D vector space, got block size {bs} "
                         f"on a {gdim}-D mesh")
    owned = V.dofmap.index_map.size_local
    nodes = V.tabulate_dof_coordinates()[:owned]
    return rigid_body_modes_of_dofs(np.repeat(nodes, bs, axis=0), np.tile(np.arange(bs), owned),
                                    V.mesh.comm, dim=gdim, block_size=bs)


def rigid_body_modes_of_dofs(coordinates: np.ndarray, components: np.ndarray,
                             comm: MPI.Comm, *, dim: int = 3,
                             block_size: int = 1) -> PETSc.NullSpace:
    """The rigid-body modes (``dim`` = 2: two translations and a rotation; 3: three and
    three) of displacement dofs listed in any order (this rank's owned ones: their
    ``coordinates`` (n, 3) [any unit] and ``components`` (n,) in 0 to dim - 1), as an
    orthonormal PETSc near-nullspace laid out in that order: a vector space's blocked dofs
    (:func:`rigid_body_modes`) or the displacement block of a mixed system (a field split's
    index set). Rotations about the dofs' centroid: one point for every rank, else each rank's
    part would turn about its own point and the modes would not be rigid; it also keeps the
    modes well scaled against the translations."""
    count = comm.allreduce(coordinates.shape[0], op=MPI.SUM)
    x = coordinates - comm.allreduce(coordinates.sum(axis=0), op=MPI.SUM) / max(count, 1)
    unit = [(components == i).astype(PETSc.ScalarType) for i in range(dim)]
    if dim == 2:
        rotations = [-x[:, 1] * unit[0] + x[:, 0] * unit[1]]
    else:
        rotations = [-x[:, 1] * unit[0] + x[:, 0] * unit[1],
                     x[:, 2] * unit[0] - x[:, 0] * unit[2],
                     x[:, 1] * unit[2] - x[:, 2] * unit[1]]
    vectors: list[PETSc.Vec] = []
    for mode in unit + rotations:  # modified Gram-Schmidt, collective
        v = PETSc.Vec().createWithArray(np.ascontiguousarray(mode, dtype=PETSc.ScalarType),
                                        bsize=block_size, comm=comm)
        for q in vectors:
            v.axpy(-v.dot(q), q)
        v.normalize()
        vectors.append(v)
    return PETSc.NullSpace().create(vectors=vectors, comm=comm)


__all__ = ["GAMG_OPTIONS", "rigid_body_modes", "rigid_body_modes_of_dofs"]
