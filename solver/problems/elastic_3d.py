"""Linear elasticity in 3-D with an algebraic-multigrid solver that scales.

``-div sigma(u) = f`` with ``sigma = lambda tr(eps) I + 2 mu eps``, ``eps = sym grad u``, one
isotropic material (:class:`ssbx.physics.elastic_material.ElasticMaterial`), displacement
components fixed on tagged facets (symmetry planes, clamps) and normal pressures on others
(``sigma n = -p n``), tractions on others and a body force f [N/m^3] (``load``; manufactured
solutions). Solved with CG + GAMG whose near-nullspace is the six rigid-body modes
(three translations, three rotations), as the dolfinx elasticity demo does: without them GAMG's
aggregates cannot represent the rotations and its iteration count grows with refinement.

Lifecycle: ``ElasticBody3D(mesh, facet_tags, material)`` → ``fix(tag, component)`` /
``press(tag, pressure)`` → ``solve()`` → :class:`ElasticSolution`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from ssbx.errors import SolverDivergedError
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.problems.rigid_modes import GAMG_OPTIONS, rigid_body_modes


@dataclass
class ElasticSolution:
    """Displacement [m] and solver statistics (CG iterations, DOFs, times [s])."""

    displacement: fem.Function
    iterations: int
    num_dofs: int
    time_assembly_and_setup: float
    time_solve: float


class ElasticBody3D:
    """One isotropic elastic body on a 3-D mesh (module docstring). degree: Lagrange degree;
    near_nullspace: give GAMG the rigid-body modes (``False`` only to show why they matter)."""

    def __init__(self, mesh: dolfinx.mesh.Mesh, facet_tags: dolfinx.mesh.MeshTags,
                 material: ElasticMaterial, *, degree: int = 2, near_nullspace: bool = True,
                 prefix: str = "ssbx_elastic3d_") -> None:
        if mesh.geometry.dim != 3:
            raise ValueError(f"ElasticBody3D needs a 3-D mesh, got dimension {mesh.geometry.dim}")
        self.mesh = mesh
        self.facet_tags = facet_tags
        self.material = material
        self.near_nullspace = near_nullspace
        self.prefix = prefix
        self.V = fem.functionspace(mesh, ("Lagrange", degree, (3,)))
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
        self._fixed: list[tuple[int, int]] = []
        self._pressures: list[tuple[int, float]] = []
        self._tractions: list[tuple[int, Any]] = []
        self._body_force: Any = None
        mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)

    def stress(self, u: Any) -> Any:
        """Cauchy stress [Pa] of the displacement ``u``: ``lambda tr(eps) I + 2 mu eps``."""
        m = self.material
        mu = m.E / (2.0 * (1.0 + m.nu))
        lam = m.E * m.nu / ((1.0 + m.nu) * (1.0 - 2.0 * m.nu))
        eps = ufl.sym(ufl.grad(u))
        return lam * ufl.tr(eps) * ufl.Identity(3) + 2.0 * mu * eps

    def fix(self, tag: int, component: int) -> ElasticBody3D:
        """Hold displacement component ``component`` (0, 1, 2) at 0 on the facets ``tag``."""
        self._fixed.append((int(tag), int(component)))
        return self

    def press(self, tag: int, pressure: float) -> ElasticBody3D:
        """Apply the normal pressure ``pressure`` [Pa] (compressive > 0) on the facets ``tag``."""
        self._pressures.append((int(tag), float(pressure)))
        return self

    def pull(self, tag: int, traction: Any) -> ElasticBody3D:
        """Apply the traction vector ``traction`` [Pa] (a UFL expression) on the facets ``tag``."""
        self._tractions.append((int(tag), traction))
        return self

    def load(self, body_force: Any) -> ElasticBody3D:
        """Apply the body force ``body_force`` [N/m^3] (a UFL vector expression)."""
        self._body_force = body_force
        return self

    def solve(self, rtol: float = 1e-10) -> ElasticSolution:
        """Assemble and solve with CG + GAMG; raise :class:`SolverDivergedError` if CG fails."""
        t0 = time.perf_counter()
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        n = ufl.FacetNormal(self.mesh)
        a = ufl.inner(self.stress(u), ufl.sym(ufl.grad(v))) * ufl.dx
        force = self._body_force if self._body_force is not None else fem.Constant(
            self.mesh, np.zeros(3))
        L = ufl.inner(force, v) * ufl.dx
        for tag, p in self._pressures:
            L += -fem.Constant(self.mesh, p) * ufl.inner(n, v) * self.ds(tag)
        for tag, traction in self._tractions:
            L += ufl.inner(traction, v) * self.ds(tag)
        bcs = []
        fdim = self.mesh.topology.dim - 1
        for tag, component in self._fixed:
            sub = self.V.sub(component)
            dofs = fem.locate_dofs_topological(sub, fdim, self.facet_tags.find(tag))
            bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), dofs, sub))
        options = GAMG_OPTIONS | {"ksp_rtol": rtol, "ksp_max_it": 2000}
        problem = dolfinx.fem.petsc.LinearProblem(a, L, bcs=bcs, petsc_options=options,
                                                  petsc_options_prefix=self.prefix)
        if self.near_nullspace:
            problem.A.setNearNullSpace(rigid_body_modes(self.V))
        t1 = time.perf_counter()
        uh = problem.solve()
        t2 = time.perf_counter()
        ksp = problem.solver
        if ksp.getConvergedReason() <= 0:
            raise SolverDivergedError(f"3-D elasticity: CG did not converge (reason "
                                      f"{ksp.getConvergedReason()}, {ksp.getIterationNumber()} "
                                      "iterations)")
        uh.name = "displacement"
        return ElasticSolution(uh, ksp.getIterationNumber(),
                               self.V.dofmap.index_map.size_global * 3, t1 - t0, t2 - t1)

    def integrate(self, expression: Any) -> float:
        """``∫ expression dx`` over the body, summed over the ranks."""
        form = fem.form(expression * ufl.dx(domain=self.mesh))
        return self.mesh.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


__all__ = ["ElasticBody3D", "ElasticSolution", "rigid_body_modes"]
