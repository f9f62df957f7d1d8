"""Steady creep flow of Li through a slot (the extrusion of Li out of a crack): Taylor–Hood
(P2 velocity, P1 pressure) J2 power-law flow, solved by Picard then Newton iterations with
continuation in the stress exponent. Verifies the lubrication flux of :mod:`ssbx.physics.extrusion`.

The slot ``0 <= x <= length``, ``0 <= y <= gap`` has no-slip faces (``y = 0, gap``) and the
pressures ``p_in`` at ``x = 0`` and ``p_out`` at ``x = length`` (normal tractions ``-p n``,
no transverse velocity at the ends). The law
``p_dot = A sigma_eq^n`` is the viscosity ``eta = sigma_eq / (3 p_dot) = A^(-1/n) p_dot^(1/n-1)
/ 3`` of the strain rate ``p_dot = sqrt(2/3 D:D)`` (:mod:`ssbx.problems.power_law_flow`; its
regularisation is 1e-4 of the wall rate: the plug in the middle shears ~n-th power less than
the faces).
The problem is solved in units of the half-gap ``h``, the wall shear stress ``tau_w = G h``
(``G = (p_in - p_out)/length``) and the rate ``A tau_w^n``, so any SI input is well scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from ssbx.problems.power_law_flow import (
    STAGES,
    power_law_viscosity,
    solve_by_continuation,
    taylor_hood_space,
)


@dataclass(frozen=True)
class SlotFlowResult:
    """Flux per unit depth [m^2/s] (mean of ``int v_x dy`` over the length) and the Newton
    iterations of the last continuation stage (after its Picard iterations)."""

    flux: float
    newton_iterations: int


def slot_flow(comm: MPI.Comm, length: float, gap: float, pressure_drop: float, A_eff: float,
              n: float, *, cells_across: int = 8, cells_along: int = 40,
              stages: tuple[float, ...] = STAGES) -> SlotFlowResult:
    """Solve the slot flow (see the module docstring) and return its flux. SI in and out."""
    h = 0.5 * gap
    gradient = pressure_drop / length
    tau_w = gradient * h
    rate_scale = A_eff * tau_w ** n
    velocity_scale = rate_scale * h
    L, H = length / h, 2.0
    msh = dmesh.create_rectangle(comm, [np.array([0.0, 0.0]), np.array([L, H])],
                                 [cells_along, cells_across], dmesh.CellType.triangle)
    W = taylor_hood_space(msh)
    w = fem.Function(W)
    v, p = ufl.split(w)
    z, q = ufl.TestFunctions(W)
    exponent = fem.Constant(msh, 1.0)
    D = ufl.sym(ufl.grad(v))
    eta = power_law_viscosity(D, exponent)
    n_facet = ufl.FacetNormal(msh)
    fdim = msh.topology.dim - 1
    ends = dmesh.locate_entities_boundary(msh, fdim, lambda x: np.isclose(x[0], 0.0)
                                          | np.isclose(x[0], L))
    markers = np.full(len(ends), 1, dtype=np.int32)
    inlet = dmesh.locate_entities_boundary(msh, fdim, lambda x: np.isclose(x[0], 0.0))
    markers[np.isin(ends, inlet)] = 2
    order = np.argsort(ends)
    tags = dmesh.meshtags(msh, fdim, ends[order], markers[order])
    ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
    p_in = L  # (p_in - p_out)/tau_w = G length / (G h)
    F = (2.0 * eta * ufl.inner(D, ufl.sym(ufl.grad(z))) - p * ufl.div(z) - q * ufl.div(v)) \
        * ufl.dx + p_in * ufl.dot(n_facet, z) * ds(2)
    walls = dmesh.locate_entities_boundary(msh, fdim, lambda x: np.isclose(x[1], 0.0)
                                           | np.isclose(x[1], H))
    V, _ = W.sub(0).collapse()
    zero = fem.Function(V)
    dofs = fem.locate_dofs_topological((W.sub(0), V), fdim, walls)
    bc = fem.dirichletbc(zero, dofs, W.sub(0))
    # fully developed flow leaves the ends without transverse velocity (v_y = 0 there): the
    # shear traction of the symmetric-gradient form is then a reaction, not a wrong zero
    Vy, _ = W.sub(0).sub(1).collapse()
    zero_y = fem.Function(Vy)
    end_dofs = fem.locate_dofs_topological((W.sub(0).sub(1), Vy), fdim, ends)
    bc_ends = fem.dirichletbc(zero_y, end_dofs, W.sub(0).sub(1))
    u_t = ufl.TrialFunction(W)
    v_t, p_t = ufl.split(u_t)
    J_picard = (2.0 * eta * ufl.inner(ufl.sym(ufl.grad(v_t)), ufl.sym(ufl.grad(z)))
                - p_t * ufl.div(z) - q * ufl.div(v_t)) * ufl.dx
    iterations = solve_by_continuation(F, J_picard, w, [bc, bc_ends], exponent, n,
                                       prefix="ssbx_slot_", what="slot flow", stages=stages)
    vx = w.sub(0).sub(0)
    flux_form = fem.form(vx / L * ufl.dx)
    flux = comm.allreduce(fem.assemble_scalar(flux_form), op=MPI.SUM)
    return SlotFlowResult(flux * velocity_scale * h, iterations)


__all__ = ["SlotFlowResult", "slot_flow"]
