"""Steady J2 power-law creep flow as a generalised Newtonian fluid: the viscosity of the law
``p_dot = A sigma_eq^n`` and its solution by Picard then Newton iterations with continuation in
``n`` (shared by :mod:`ssbx.problems.slot_flow` and :mod:`ssbx.problems.squeeze_flow`).

In units where ``A = 1`` and the strain rate is scaled, the law is the viscosity
``eta = sigma_eq / (3 p_dot) = p_dot^(1/n - 1) / 3`` of the equivalent strain rate
``p_dot = sqrt(2/3 D:D)`` (regularised by :data:`REGULARISATION`: below it the solid is a rigid
plug to that accuracy). Newton alone fails for ``n > 4`` from a poor start (the stress
``~ rate^(1/n)`` is a root function whose Newton steps overshoot), so each continuation stage
first runs Picard iterations (the viscosity of the current iterate frozen) to a loose tolerance,
then Newton with the exact tangent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.problems.lifetime import destroy_nonlinear_problem

#: Smallest strain rate of the viscosity, in units of the problem's rate scale.
REGULARISATION = 1e-4

#: Stress exponents of the continuation (those below the target ``n``, then ``n``).
STAGES = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)


def power_law_viscosity(D: Any, exponent: Any) -> Any:
    """``eta = p_dot^(1/n - 1) / 3`` of the rate-of-deformation tensor ``D`` (UFL; ``A = 1``)."""
    rate = ufl.sqrt(2.0 / 3.0 * ufl.inner(D, D) + REGULARISATION ** 2)
    return rate ** (1.0 / exponent - 1.0) / 3.0


def axisymmetric_rate(a: Any, r: Any) -> Any:
    """The 3x3 rate-of-deformation tensor of the axisymmetric velocity ``a = (u_r, u_z)`` at
    the radius ``r`` (UFL), with the hoop rate ``u_r / r``."""
    g = ufl.grad(a)
    shear = 0.5 * (g[0, 1] + g[1, 0])
    return ufl.as_tensor([[g[0, 0], shear, 0.0], [shear, g[1, 1], 0.0], [0.0, 0.0, a[0] / r]])


@dataclass
class AxisymmetricFlow:
    """The axisymmetric Taylor–Hood (P2 velocity, P1 pressure) power-law flow on a mesh in
    ``(r, z)``: the mixed space ``W``, the solution ``w`` = (velocity ``u``, pressure ``p``), the
    rate ``D`` and viscosity ``eta`` of ``u``, the residual ``F`` and the Picard Jacobian
    ``J_picard`` (viscosity frozen) of ``2 eta D(u):D(v) - p div v - q div u`` weighted by
    ``r``, and the continuation's stress exponent ``exponent``."""

    W: Any
    w: Any
    u: Any
    p: Any
    v: Any
    du: Any
    r: Any
    D: Any
    eta: Any
    F: Any
    J_picard: Any
    exponent: Any


def taylor_hood_space(msh: Any) -> fem.FunctionSpace:
    """The Taylor–Hood space of ``msh``: P2 velocity (2 components) x P1 pressure."""
    cell = msh.basix_cell()
    return fem.functionspace(msh, basix.ufl.mixed_element(
        [basix.ufl.element("Lagrange", cell, 2, shape=(2,)),
         basix.ufl.element("Lagrange", cell, 1)]))


def axisymmetric_flow(msh: Any, dx: Any = None) -> AxisymmetricFlow:
    """Build :class:`AxisymmetricFlow` on ``msh`` (``dx``: the cell measure, e.g. with a
    quadrature degree; default ``ufl.dx``)."""
    dx = ufl.dx(domain=msh) if dx is None else dx
    W = taylor_hood_space(msh)
    w = fem.Function(W)
    u, p = ufl.split(w)
    v, q = ufl.TestFunctions(W)
    du, dp = ufl.split(ufl.TrialFunction(W))
    r = ufl.SpatialCoordinate(msh)[0]
    exponent = fem.Constant(msh, 1.0)
    D = axisymmetric_rate(u, r)
    eta = power_law_viscosity(D, exponent)
    Dv = axisymmetric_rate(v, r)
    F = (2.0 * eta * ufl.inner(D, Dv) - p * ufl.tr(Dv) - q * ufl.tr(D)) * r * dx
    J_picard = (2.0 * eta * ufl.inner(axisymmetric_rate(du, r), Dv) - dp * ufl.tr(Dv)
                - q * ufl.tr(axisymmetric_rate(du, r))) * r * dx
    return AxisymmetricFlow(W, w, u, p, v, du, r, D, eta, F, J_picard, exponent)


def velocity_conditions(msh: Any, W: Any,
                        conditions: Sequence[tuple[int, Callable[[Any], Any], float]]) -> list:
    """Dirichlet conditions ``u[component] = value`` on the boundary facets where ``where(x)``
    holds, for each ``(component, where, value)`` (the velocity is ``W.sub(0)``)."""
    fdim = msh.topology.dim - 1
    bcs = []
    for component, where, value in conditions:
        sub = W.sub(0).sub(component)
        collapsed, _ = sub.collapse()
        facets = dmesh.locate_entities_boundary(msh, fdim, where)
        dofs = fem.locate_dofs_topological((sub, collapsed), fdim, facets)
        g = fem.Function(collapsed)
        g.x.array[:] = value
        bcs.append(fem.dirichletbc(g, dofs, sub))
    return bcs


def boundary_measure(msh: Any, where: Callable[[Any], Any]) -> Any:
    """``ds`` restricted to the boundary facets where ``where(x)`` holds."""
    fdim = msh.topology.dim - 1
    facets = np.sort(dmesh.locate_entities_boundary(msh, fdim, where)).astype(np.int32)
    tags = dmesh.meshtags(msh, fdim, facets, np.ones(len(facets), dtype=np.int32))
    return ufl.ds(domain=msh, subdomain_data=tags, subdomain_id=1)


def solve_by_continuation(F: Any, J_picard: Any, w: fem.Function, bcs: list[Any],
                          exponent: fem.Constant, n: float, *, prefix: str, what: str,
                          stages: tuple[float, ...] = STAGES) -> int:
    """Solve ``F(w) = 0`` for the stress exponents of ``stages`` below ``n`` and then ``n``
    (setting ``exponent``), each by Picard (Jacobian ``J_picard``) then Newton; returns the
    Newton iterations of the last stage. ``SolverDivergedError`` naming ``what`` if one fails."""
    common = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    picard = fem_petsc.NonlinearProblem(
        F, w, J=J_picard, bcs=bcs, petsc_options_prefix=f"{prefix}picard_",
        petsc_options=common | {"snes_type": "newtonls", "snes_linesearch_type": "basic",
                                "snes_rtol": 1e-4, "snes_atol": 1e-12, "snes_max_it": 400})
    newton = fem_petsc.NonlinearProblem(
        F, w, bcs=bcs, petsc_options_prefix=f"{prefix}newton_",
        petsc_options=common | {"snes_type": "newtonls", "snes_linesearch_type": "bt",
                                "snes_rtol": 1e-10, "snes_atol": 1e-12, "snes_max_it": 40})
    iterations = 0
    try:
        for stage in (*[s for s in stages if s < n], n):
            exponent.value = stage
            for problem, name in ((picard, "Picard"), (newton, "Newton")):
                problem.solve()
                reason = problem.solver.getConvergedReason()
                iterations = problem.solver.getIterationNumber()
                if reason <= 0:
                    raise SolverDivergedError(f"{what}: {name} failed at n = {stage:g} "
                                              f"(SNES reason {reason})")
    finally:
        destroy_nonlinear_problem(picard)
        destroy_nonlinear_problem(newton)
    return iterations


__all__ = ["REGULARISATION", "STAGES", "AxisymmetricFlow", "axisymmetric_flow",
           "axisymmetric_rate", "boundary_measure", "power_law_viscosity", "solve_by_continuation",
           "velocity_conditions"]
