"""Phase-field (AT2) growth of a Li-pressurised crack: staggered displacement / damage solves
under increasing Li pressure (:mod:`ssbx.physics.phase_field`).

The domain is the quarter ``x, y >= 0`` of a body with a crack of half-length ``a`` along
``y = 0`` centred at the origin (symmetric Griffith crack): ``u_x = 0`` on ``x = 0``,
``u_y = 0`` on ``y = 0`` (by symmetry the displacement of the diffuse crack is odd in y), and
``d = 1`` for ``y <= crack_width, x <= a`` (the initial crack: a band at least one element
wide, so that the broken material there, of stiffness ``k``, opens like a cut; with ``d = 1``
on the nodes of ``y = 0`` only, the first row of elements stays stiff, ``g ~ (h / 2l)^2``, and
holds the crack's opening to a fraction of Sneddon's). Each pressure step alternates the
displacement solve (Newton; the split makes it piecewise linear) and the damage solve (linear,
history field ``H = max (ψ⁺ + <p div u>₊)`` per cell, ``d`` never decreasing) until the damage
changes by less than ``tolerance``. The crack's
half-length is read from ``Γ(d)`` (the quarter holds half of
the crack's length and half of its band).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.physics.phase_field import (
    crack_length,
    damage_driving,
    damage_forms,
    displacement_residual,
)
from ssbx.problems.lifetime import destroy_nonlinear_problem


@dataclass(frozen=True)
class PressureStep:
    """One load step: Li pressure [Pa], the crack half-length 2 Γ of the quarter [m], the tip
    (the largest x on y = 0 where d >= 0.95) [m], the band's half-width (the largest y where
    d >= 0.95 behind the tip) [m], the staggered iterations and the last damage change."""

    pressure: float
    half_length: float
    tip: float
    band: float
    iterations: int
    change: float


class PhaseFieldCrack:
    """The pressurised phase-field crack of the module docstring."""

    def __init__(self, mesh: dmesh.Mesh, E: float, nu: float, toughness: float, length: float,
                 half_length: float, *, crack_width: float = 0.0,
                 options_prefix: str = "ssbx_phase_field_") -> None:
        self.mesh = mesh
        self.comm: MPI.Comm = mesh.comm
        self.length = length
        self.toughness = toughness
        self.V = fem.functionspace(mesh, ("Lagrange", 1, (2,)))
        self.Q = fem.functionspace(mesh, ("Lagrange", 1))
        self.W0 = fem.functionspace(mesh, ("DG", 0))
        self.u = fem.Function(self.V, name="displacement")
        self.d = fem.Function(self.Q, name="damage")
        self.d_old = fem.Function(self.Q)
        self.history = fem.Function(self.W0, name="history")
        self.pressure = fem.Constant(mesh, 0.0)
        E_c, nu_c = fem.Constant(mesh, E), fem.Constant(mesh, nu)
        fdim = mesh.topology.dim - 1
        left = dmesh.locate_entities_boundary(mesh, fdim, lambda x: np.isclose(x[0], 0.0))
        bottom = dmesh.locate_entities_boundary(mesh, fdim, lambda x: np.isclose(x[1], 0.0))
        crack_nodes = fem.locate_dofs_geometrical(
            self.Q, lambda x: (x[1] <= crack_width * (1 + 1e-9) + 1e-12 * half_length)
            & (x[0] <= half_length * (1 + 1e-9)))
        bcs_u = [fem.dirichletbc(0.0, fem.locate_dofs_topological(self.V.sub(0), fdim, left),
                                 self.V.sub(0)),
                 fem.dirichletbc(0.0, fem.locate_dofs_topological(self.V.sub(1), fdim, bottom),
                                 self.V.sub(1))]
        self.bcs_d = [fem.dirichletbc(1.0, crack_nodes, self.Q)]
        v = ufl.TestFunction(self.V)
        F = displacement_residual(self.u, v, self.d, E_c, nu_c, self.pressure)
        self.u_problem = fem_petsc.NonlinearProblem(
            F, self.u, bcs=bcs_u, petsc_options_prefix=options_prefix + "u_",
            petsc_options={"snes_type": "newtonls", "snes_linesearch_type": "basic",
                           "snes_rtol": 1e-9, "snes_atol": 1e-12, "snes_max_it": 30,
                           "ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        d_t, q = ufl.TrialFunction(self.Q), ufl.TestFunction(self.Q)
        a, L = damage_forms(d_t, q, self.history, toughness, length)
        self.d_problem = fem_petsc.LinearProblem(
            a, L, u=self.d, bcs=self.bcs_d, petsc_options_prefix=options_prefix + "d_",
            petsc_options={"ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        self._psi = fem.Expression(damage_driving(self.u, E_c, nu_c, self.pressure),
                                   self.W0.element.interpolation_points)
        self._psi_now = fem.Function(self.W0)
        self._gamma = fem.form(crack_length(self.d, length))
        for bc in self.bcs_d:
            bc.set(self.d.x.array)
        self.d.x.scatter_forward()
        self.d_old.x.array[:] = self.d.x.array

    def close(self) -> None:
        """Destroy the solvers (collective)."""
        destroy_nonlinear_problem(self.u_problem)
        for name in ("_solver", "_A", "_b", "_x", "_P_mat"):
            obj = getattr(self.d_problem, name, None)
            if obj is not None:
                obj.destroy()

    def half_length(self) -> float:
        """The crack half-length the damage field represents: 2 Γ of the quarter [m]."""
        return 2.0 * self.comm.allreduce(fem.assemble_scalar(self._gamma), op=MPI.SUM)

    def step(self, pressure: float, *, tolerance: float = 1e-3,
             max_iterations: int = 300) -> PressureStep:
        """Raise the Li pressure to ``pressure`` [Pa] and iterate to a staggered equilibrium."""
        self.pressure.value = pressure
        change = math.inf
        iterations = 0
        for iterations in range(1, max_iterations + 1):  # noqa: B007
            self.u_problem.solve()
            if self.u_problem.solver.getConvergedReason() <= 0:
                raise SolverDivergedError("phase field: displacement solve failed")
            self.u.x.scatter_forward()
            self._psi_now.interpolate(self._psi)
            np.maximum(self.history.x.array, self._psi_now.x.array, out=self.history.x.array)
            self.history.x.scatter_forward()
            previous = self.d.x.array.copy()
            self.d_problem.solve()
            # irreversibility: damage never heals (and stays in [0, 1])
            np.clip(np.maximum(self.d.x.array, self.d_old.x.array), 0.0, 1.0,
                    out=self.d.x.array)
            self.d.x.scatter_forward()
            local = float(np.max(np.abs(self.d.x.array - previous), initial=0.0))
            change = self.comm.allreduce(local, op=MPI.MAX)
            if change < tolerance:
                break
        self.d_old.x.array[:] = self.d.x.array
        tip, band = self.extent()
        return PressureStep(pressure, self.half_length(), tip, band, iterations, change)

    def extent(self, threshold: float = 0.95) -> tuple[float, float]:
        """(tip x on y = 0, band half-width) of the region where d >= ``threshold`` [m]."""
        x = self.Q.tabulate_dof_coordinates()
        owned = self.Q.dofmap.index_map.size_local
        x, d = x[:owned], self.d.x.array[:owned]
        broken = d >= threshold
        on_axis = broken & (x[:, 1] <= 1e-9 * max(float(np.max(x[:, 0], initial=1.0)), 1.0))
        tip = self.comm.allreduce(float(np.max(x[on_axis, 0], initial=0.0)), op=MPI.MAX)
        behind = broken & (x[:, 0] <= 0.5 * tip)
        band = self.comm.allreduce(float(np.max(x[behind, 1], initial=0.0)), op=MPI.MAX)
        return tip, band


def critical_pressure(steps: list[PressureStep], initial: float, jump: float) -> float:
    """The first pressure at which the crack half-length exceeds ``initial + jump`` [Pa], nan
    if none does."""
    for s in steps:
        if s.half_length > initial + jump:
            return s.pressure
    return math.nan


__all__ = ["PhaseFieldCrack", "PressureStep", "critical_pressure"]
