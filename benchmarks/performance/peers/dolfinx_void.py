"""The reference current problem in plain dolfinx (I. A. Baratta et al., "DOLFINx: the next
generation FEniCS problem solving environment", Zenodo (2023), doi:10.5281/zenodo.10447666), on
the graded tensor mesh of :mod:`tensor_mesh` (the same mesh as the scikit-fem peer): what a
dolfinx user writes without ssbx — a linear problem, MUMPS LU, no Gmsh.

Equations as in :mod:`skfem_void`. Runs under ``mpirun`` too (rank 0 holds the mesh until
dolfinx distributes it).
"""

from __future__ import annotations

import importlib
import time

from _common import arguments, report

t0 = time.perf_counter()
# only the ssbx package root: the one place that loads the dolfinx_solver wheel before dolfinx
importlib.import_module("ssbx")

from mpi4py import MPI  # noqa: E402

import basix.ufl  # noqa: E402
import dolfinx  # noqa: E402
import dolfinx.fem.petsc  # noqa: E402
import numpy as np  # noqa: E402
import ufl  # noqa: E402
from dolfinx import fem  # noqa: E402
from tensor_mesh import rectangle_mesh  # noqa: E402

t_import = time.perf_counter() - t0
CONTACT, TOP = 1, 2


def main() -> None:
    """Mesh, assemble, solve, print the result line."""
    args = arguments("plain-dolfinx peer of the reference current problem")
    pb = args.problem
    w, h, xa, xb = pb["width"], pb["height"], pb["void_start"], pb["void_end"]
    kappa, asr, i = pb["conductivity"], pb["asr"], pb["current_density"]
    comm = MPI.COMM_WORLD

    t = time.perf_counter()
    if comm.rank == 0:
        points, triangles = rectangle_mesh(w, h, xa, xb, args.h_min, args.h_max,
                                           pb["grading_distance"])
        x, cells = np.ascontiguousarray(points.T), np.ascontiguousarray(triangles.T)
    else:
        x, cells = np.zeros((0, 2)), np.zeros((0, 3), dtype=np.int64)
    element = ufl.Mesh(basix.ufl.element("Lagrange", "triangle", 1, shape=(2,)))
    msh = dolfinx.mesh.create_mesh(comm, cells, element, x)
    tol = 1e-9 * w
    fdim = msh.topology.dim - 1
    contact = dolfinx.mesh.locate_entities_boundary(
        msh, fdim, lambda p: (np.abs(p[1]) < tol) & ((p[0] < xa + tol) | (p[0] > xb - tol)))
    top = dolfinx.mesh.locate_entities_boundary(msh, fdim, lambda p: np.abs(p[1] - h) < tol)
    facets = np.concatenate([contact, top])
    values = np.concatenate([np.full(contact.size, CONTACT, np.int32),
                             np.full(top.size, TOP, np.int32)])
    order = np.argsort(facets)
    tags = dolfinx.mesh.meshtags(msh, fdim, facets[order], values[order])
    t_mesh = time.perf_counter() - t

    t = time.perf_counter()
    V = fem.functionspace(msh, ("Lagrange", args.degree))
    phi, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
    a = kappa * ufl.inner(ufl.grad(phi), ufl.grad(v)) * ufl.dx + phi * v / asr * ds(CONTACT)
    L = i * v * ds(TOP)
    problem = dolfinx.fem.petsc.LinearProblem(
        a, L, petsc_options_prefix="plain_",
        petsc_options={"ksp_type": "preonly", "pc_type": "lu",
                       "pc_factor_mat_solver_type": "mumps"})
    t_setup = time.perf_counter() - t

    t = time.perf_counter()
    solution = problem.solve()
    t_solve = time.perf_counter() - t  # assembly + factorisation + solve

    mean = fem.form(solution * ds(TOP))
    voltage = comm.allreduce(fem.assemble_scalar(mean), op=MPI.SUM) / w
    dofs = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
    if comm.rank == 0:
        report(dofs, voltage, {"import": t_import, "mesh": t_mesh, "setup": t_setup,
                               "solve": t_solve},
               num_cells=msh.topology.index_map(2).size_global, ranks=comm.size)


if __name__ == "__main__":
    main()
