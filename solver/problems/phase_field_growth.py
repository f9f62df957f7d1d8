"""Phase-field growth of Li-filled cracks on a general (non-symmetric) 2-D plane-strain domain: AT1
(default) or AT2, the damage as a bound-constrained problem, alternate minimisation with the
displacement (:mod:`ssbx.physics.phase_field`).

The domain is a rectangle (any mesh of it, e.g.
:func:`ssbx.meshes.phase_field.build_refined_rectangle`); its sides are found from the mesh's
bounding box: ``bottom`` (``y = y_min``) is the Li/electrolyte interface, ``top`` the
counter-electrode side, ``left``/``right`` the sides. Loads (:class:`PhaseFieldLoads`): the Li
pressure ``p`` acting wherever the material is broken (``-∫ w(d) p div v``, the Li follows the
crack; its boundary term ``∮ w p v·n`` is cancelled, so that a flaw open at the interface feels no
force on its mouth: there the Li is the electrode's), an in-plane stress ``sigma_xx`` on the sides
(traction ``sigma_xx n_x e_x``), a stack pressure on the interface (``-p_s n``), and a remote
stress tensor on every side. Support: ``"roller"`` (``u_y = 0`` on the top) or ``"free"``; every
side also carries a weak spring (``1e-8 E / L``) against rigid-body modes, as
:class:`ssbx.problems.fracture.CrackProblem`.

Initial flaws are segments (``(x0, y0), (x1, y1)``) with ``d = 1`` on the nodes within
``half_width`` of them (a band one to two elements wide, so that the broken material opens like a
cut): they enter as the lower bound of the damage. The damage problem at fixed driving history ``H
= max_t (ψ⁺ + <p div u>₊)`` per cell (default ``pressure_driving=True``: the pressure work's share,
the derivative of the energy's ``-∫ w(d) p div u`` as in
:class:`ssbx.problems.phase_field.PhaseFieldCrack`; ``False``: ``max_t ψ⁺`` alone, which ignores
the work of the pressure on the diffuse crack's end and runs 10-18 % late at every l, Griffith
and edge cracks alike, against LEFM in the same plate; with the pressure work AT1 converges to
LEFM from below as l shrinks: ``benchmarks/results/phase_field_growth/PROVENANCE.md``) is solved
by PETSc SNES
``vinewtonrsls`` with the bounds ``d_old <= d <= 1`` (``d_old``: the damage at the end of the
previous load step: irreversibility; AT1 needs the lower bound 0 for its elastic phase). Each load
step alternates the displacement solve (Newton, piecewise linear through the split) and the damage
solve until the damage changes by less than ``tolerance`` (max norm), or until the broken region
reaches ``stop_radius`` from the initial flaws (a running crack leaving the refined zone).
Residuals are scaled (by ``1/(E L)`` and ``l/(G_c L²)``, ``L`` the domain's size) so that the
solver tolerances are dimensionless.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.physics.phase_field import (
    crack_indicator,
    crack_length,
    damage_driving,
    damage_residual,
    displacement_residual,
)
from ssbx.problems.lifetime import destroy_nonlinear_problem

Segment = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class PhaseFieldLoads:
    """Loads of a phase-field step [Pa]: Li pressure in the broken material, in-plane stress
    ``sigma_xx`` on the sides (negative: compression), stack pressure on the interface, remote
    stress ``(sigma_xx, sigma_yy, sigma_xy)`` on every side."""

    li_pressure: float = 0.0
    in_plane_stress: float = 0.0
    stack_pressure: float = 0.0
    remote_stress: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class GrowthState:
    """The state after one load step: Li pressure [Pa]; crack length Γ(d) [m]; ``tip``: the
    broken node (d >= 0.95) farthest from the initial flaws (x, y) [m] and that distance
    ``reach`` [m]; staggered ``iterations``, the last damage ``change``
    (max norm), ``stopped``: the broken region reached ``stop_radius``."""

    li_pressure: float
    crack_length: float
    tip: tuple[float, float]
    reach: float
    iterations: int
    change: float
    stopped: bool


def _segment_distance(x: np.ndarray, segment: Segment) -> np.ndarray:
    (x0, y0), (x1, y1) = segment
    a, b = np.array([x0, y0]), np.array([x1, y1])
    ab = b - a
    t = np.clip(((x[:, :2] - a) @ ab) / max(float(ab @ ab), 1e-300), 0.0, 1.0)
    return np.linalg.norm(x[:, :2] - (a + t[:, None] * ab), axis=1)


class PhaseFieldGrowth:
    """The general-mesh phase-field problem of the module docstring."""

    def __init__(self, mesh: dmesh.Mesh, E: float, nu: float, toughness: float, length: float,
                 flaws: Sequence[Segment], half_width: float, *,
                 model: Literal["AT1", "AT2"] = "AT1", support: str = "roller",
                 residual: float = 1e-6, pressure_driving: bool = True,
                 options_prefix: str = "ssbx_pf_growth_") -> None:
        self.mesh = mesh
        self.comm: MPI.Comm = mesh.comm
        self.model = model
        self.length = length
        self.toughness = toughness
        self.flaws = [tuple(map(tuple, f)) for f in flaws]
        x = mesh.geometry.x
        lo = [self.comm.allreduce(float(np.min(x[:, k], initial=math.inf)), op=MPI.MIN)
              for k in range(2)]
        hi = [self.comm.allreduce(float(np.max(x[:, k], initial=-math.inf)), op=MPI.MAX)
              for k in range(2)]
        self.bounds = (lo[0], hi[0], lo[1], hi[1])
        span = max(hi[0] - lo[0], hi[1] - lo[1])
        self.span = span
        self.V = fem.functionspace(mesh, ("Lagrange", 1, (2,)))
        self.Q = fem.functionspace(mesh, ("Lagrange", 1))
        self.W0 = fem.functionspace(mesh, ("DG", 0))
        self.u = fem.Function(self.V, name="displacement")
        self.d = fem.Function(self.Q, name="damage")
        self.d_old = fem.Function(self.Q, name="damage_previous_step")
        self.d_upper = fem.Function(self.Q)
        self.d_upper.x.array[:] = 1.0
        self.history = fem.Function(self.W0, name="history")
        self.pressure = fem.Constant(mesh, 0.0)
        self.sigma_side = fem.Constant(mesh, 0.0)
        self.p_stack = fem.Constant(mesh, 0.0)
        self.sigma_remote = fem.Constant(mesh, np.zeros((2, 2)))
        E_c, nu_c = fem.Constant(mesh, E), fem.Constant(mesh, nu)

        fdim = mesh.topology.dim - 1
        tol = 1e-9 * span
        sides = {
            1: lambda p: np.isclose(p[0], lo[0], atol=tol) | np.isclose(p[0], hi[0], atol=tol),
            2: lambda p: np.isclose(p[1], lo[1], atol=tol),
            3: lambda p: np.isclose(p[1], hi[1], atol=tol),
        }
        facets, values = [], []
        for tag, where in sides.items():
            found = dmesh.locate_entities_boundary(mesh, fdim, where)
            facets.append(found)
            values.append(np.full(found.size, tag, dtype=np.int32))
        order = np.argsort(np.concatenate(facets))
        tags = dmesh.meshtags(mesh, fdim, np.concatenate(facets)[order],
                              np.concatenate(values)[order])
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=tags)
        n = ufl.FacetNormal(mesh)
        v = ufl.TestFunction(self.V)
        scale_u = 1.0 / (E * span)
        F = displacement_residual(self.u, v, self.d, E_c, nu_c, self.pressure, residual)
        F += 1e-8 * E / span * ufl.dot(self.u, v) * ds
        # a flaw open at the boundary (its mouth at the Li interface) has no electrolyte face
        # there: cancel the boundary term of -∫ w p div v (the pressure acts as -p ∇w only)
        F += crack_indicator(self.d) * self.pressure * ufl.dot(v, n) * ds
        F -= ufl.dot(self.sigma_side * n[0] * ufl.as_vector((1.0, 0.0)), v) * ds(1)
        F -= ufl.dot(-self.p_stack * n, v) * ds(2)
        F -= ufl.dot(self.sigma_remote * n, v) * ds
        bcs_u = []
        if support == "roller":
            top = dmesh.locate_entities_boundary(mesh, fdim, sides[3])
            bcs_u.append(fem.dirichletbc(0.0, fem.locate_dofs_topological(
                self.V.sub(1), fdim, top), self.V.sub(1)))
        elif support != "free":
            raise ValueError(f"unknown support {support!r} (roller or free)")
        self.u_problem = fem_petsc.NonlinearProblem(
            scale_u * F, self.u, bcs=bcs_u, petsc_options_prefix=options_prefix + "u_",
            petsc_options={"snes_type": "newtonls", "snes_linesearch_type": "basic",
                           "snes_rtol": 1e-10, "snes_atol": 1e-14, "snes_max_it": 60,
                           "ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        # the split switches between Newton iterates: a residual may grow on the way
        self.u_problem.solver.setDivergenceTolerance(1e300)
        q = ufl.TestFunction(self.Q)
        scale_d = length / (toughness * span * span)
        F_d = scale_d * damage_residual(self.d, q, self.history, toughness, length, model)
        self.d_problem = fem_petsc.NonlinearProblem(
            F_d, self.d, petsc_options_prefix=options_prefix + "d_",
            petsc_options={"snes_type": "vinewtonrsls", "snes_linesearch_type": "basic",
                           "snes_rtol": 1e-9, "snes_atol": 1e-14, "snes_stol": 0.0,
                           "snes_max_it": 50, "ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        self.d_problem.solver.setVariableBounds(self.d_old.x.petsc_vec,
                                                self.d_upper.x.petsc_vec)
        self._psi = fem.Expression(damage_driving(self.u, E_c, nu_c, self.pressure,
                                                  pressure_work=pressure_driving),
                                   self.W0.element.interpolation_points)
        self._psi_now = fem.Function(self.W0)
        self._gamma = fem.form(crack_length(self.d, length, model))
        # the initial flaws: d = 1 within half_width of a segment (lower bound)
        self.x_nodes = self.Q.tabulate_dof_coordinates()
        self.flaw_distance = np.min([_segment_distance(self.x_nodes, f) for f in self.flaws],
                                    axis=0) if self.flaws else np.full(len(self.x_nodes),
                                                                       math.inf)
        flaw = self.flaw_distance <= half_width * (1.0 + 1e-9)
        self.d.x.array[flaw] = 1.0
        self.d.x.scatter_forward()
        self.d_old.x.array[:] = self.d.x.array
        self.half_width = half_width
        self.origin = np.array(self.flaws[0][0]) if self.flaws else np.zeros(2)
        self.flaw_tip = np.array(self.flaws[0][1]) if self.flaws else np.zeros(2)
        self.staggered_total = 0

    def close(self) -> None:
        """Destroy the solvers (collective)."""
        destroy_nonlinear_problem(self.u_problem)
        destroy_nonlinear_problem(self.d_problem)

    def set_loads(self, loads: PhaseFieldLoads) -> None:
        """Set the loads of the next solves."""
        self.pressure.value = loads.li_pressure
        self.sigma_side.value = loads.in_plane_stress
        self.p_stack.value = loads.stack_pressure
        sxx, syy, sxy = loads.remote_stress
        self.sigma_remote.value = np.array([[sxx, sxy], [sxy, syy]])

    def crack_length(self) -> float:
        """Γ(d) [m]: the crack length the damage field represents."""
        return self.comm.allreduce(fem.assemble_scalar(self._gamma), op=MPI.SUM)

    def broken(self, threshold: float = 0.95) -> np.ndarray:
        """Coordinates (n, 2) of this rank's owned nodes with d >= ``threshold``."""
        owned = self.Q.dofmap.index_map.size_local
        mask = self.d.x.array[:owned] >= threshold
        return self.x_nodes[:owned][mask, :2]

    def grown(self, threshold: float = 0.95) -> np.ndarray:
        """Every rank's broken nodes farther than ``2 half_width`` from the initial flaws,
        gathered on every rank (n, 2) [m]."""
        owned = self.Q.dofmap.index_map.size_local
        mask = ((self.d.x.array[:owned] >= threshold)
                & (self.flaw_distance[:owned] > 2.0 * self.half_width))
        local = self.x_nodes[:owned][mask, :2]
        parts = self.comm.allgather(local)
        return np.concatenate(parts, axis=0) if parts else np.zeros((0, 2))

    def max_damage_beyond(self, distance: float) -> float:
        """The largest damage at nodes farther than ``distance`` from the initial flaws."""
        owned = self.Q.dofmap.index_map.size_local
        far = self.flaw_distance[:owned] > distance
        return self.comm.allreduce(float(np.max(self.d.x.array[:owned][far], initial=0.0)),
                                   op=MPI.MAX)

    def _tip(self) -> tuple[tuple[float, float], float]:
        owned = self.Q.dofmap.index_map.size_local
        mask = self.d.x.array[:owned] >= 0.95
        dist = self.flaw_distance[:owned][mask]
        points = self.x_nodes[:owned][mask, :2]
        k = int(np.argmax(dist)) if dist.size else -1
        best = (float(dist[k]) if k >= 0 else -1.0, self.comm.rank)
        far, owner = self.comm.allreduce(best, op=MPI.MAXLOC)
        if far < 0.0:
            return (float(self.flaw_tip[0]), float(self.flaw_tip[1])), 0.0
        tip = points[k] if owner == self.comm.rank else None
        tip = self.comm.bcast(tip, root=owner)
        return (float(tip[0]), float(tip[1])), max(far, 0.0)

    def _reach(self) -> float:
        owned = self.Q.dofmap.index_map.size_local
        mask = self.d.x.array[:owned] >= 0.95
        local = float(np.max(self.flaw_distance[:owned][mask], initial=0.0))
        return self.comm.allreduce(local, op=MPI.MAX)

    def _solve_displacement(self) -> None:
        """Newton (full steps); if the split's switching makes it cycle, again from the same
        start with a backtracking line search."""
        start = self.u.x.array.copy()
        self.u_problem.solve()
        snes = self.u_problem.solver
        if snes.getConvergedReason() <= 0:
            self.u.x.array[:] = start
            self.u.x.scatter_forward()
            snes.getLineSearch().setType("bt")
            try:
                self.u_problem.solve()
            finally:
                snes.getLineSearch().setType("basic")
            if snes.getConvergedReason() <= 0:
                raise SolverDivergedError("phase field: displacement solve failed (SNES reason "
                                          f"{snes.getConvergedReason()})")
        self.u.x.scatter_forward()

    def step(self, loads: PhaseFieldLoads, *, tolerance: float = 1e-3,
             max_iterations: int = 400, stop_radius: float = math.inf) -> GrowthState:
        """Apply ``loads`` and iterate to a staggered equilibrium (module docstring)."""
        self.set_loads(loads)
        change = math.inf
        iterations = 0
        stopped = False
        for iterations in range(1, max_iterations + 1):  # noqa: B007
            self._solve_displacement()
            self._psi_now.interpolate(self._psi)
            np.maximum(self.history.x.array, self._psi_now.x.array, out=self.history.x.array)
            previous = self.d.x.array.copy()
            self.d_problem.solve()
            if self.d_problem.solver.getConvergedReason() <= 0:
                raise SolverDivergedError(
                    "phase field: damage solve (SNES VI) failed (reason "
                    f"{self.d_problem.solver.getConvergedReason()})")
            self.d.x.scatter_forward()
            local = float(np.max(np.abs(self.d.x.array - previous), initial=0.0))
            change = self.comm.allreduce(local, op=MPI.MAX)
            self.staggered_total += 1
            if change < tolerance:
                break
            if math.isfinite(stop_radius) and self._reach() > stop_radius:
                stopped = True
                break
        self.d_old.x.array[:] = self.d.x.array
        tip, reach = self._tip()
        return GrowthState(loads.li_pressure, self.crack_length(), tip, reach, iterations,
                           change, stopped)


__all__ = ["GrowthState", "PhaseFieldGrowth", "PhaseFieldLoads"]
