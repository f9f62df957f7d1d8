"""Squeeze flow of a creeping foil between two plates, by finite elements: the axisymmetric
Taylor–Hood (P2 velocity, P1 pressure) J2 power-law flow of a disc, at one instant. Verifies
the thin-film, Coulomb-slab and frictionless limits of :mod:`ssbx.physics.squeeze_flow`.

The upper half of the foil, ``0 <= r <= R``, ``0 <= z <= h/2``: the mid-plane ``z = 0`` is a
symmetry plane (``u_z = 0``), the axis has ``u_r = 0``, the edge ``r = R`` is traction-free and
the plate ``z = h/2`` moves down at half the thinning rate ``V/2``; a *bonded* plate holds the
foil (``u_r = 0`` there), a *frictionless* one does not, a *Coulomb* one resists the slip with
the traction ``μ σ_n`` of the plate's own normal pressure (its dissipation joins the
foil's in the plate force; the continuation converges while the foil slides, e.g. μR/h <= 1,
not deep in the sticking regime). The law ``p_dot = A sigma_eq^n`` is the
viscosity ``eta = sigma_eq / (3 p_dot)`` of the strain rate ``p_dot = sqrt(2/3 D:D)`` (with the
hoop rate ``u_r / r``), solved by Picard then Newton iterations with continuation in ``n``
(:mod:`ssbx.problems.power_law_flow`). The plate force is the dissipation divided by the
plate's speed, ``F = 2π ∫ σ:D r dA / (V/2)`` (the other boundaries do no work; plus the
friction's ``2π ∫ μ σ_n |u_r| r ds / (V/2)``), so no stress
is differentiated; the mean pressure is ``F / (π R²)``.

The problem is solved in units of the half-thickness ``h/2``, the strain rate ``V / h`` and the
stress ``(V / (h A))^(1/n)``, so any SI input is well scaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from ssbx.problems.power_law_flow import (
    STAGES,
    axisymmetric_flow,
    boundary_measure,
    solve_by_continuation,
    velocity_conditions,
)


@dataclass(frozen=True)
class SqueezeFlowResult:
    """Mean plate pressure [Pa] that squeezes the foil at the requested thinning rate, the
    cells of the half-section and the Newton iterations of the last continuation stage."""

    mean_pressure: float
    cells: int
    newton_iterations: int


SLIP_REGULARISATION = 1e-3
"""Slip speed (in units of the plate's half speed) below which Coulomb friction is viscous:
the sign of the slip is ``u_r / sqrt(u_r² + ε²)``."""


def squeeze_flow(comm: MPI.Comm, radius: float, thickness: float, thinning_rate: float,
                 A_eff: float, n: float, *, bonded: bool = True, friction: float | None = None,
                 cells_across: int = 8, cells_per_thickness: float = 2.0,
                 stages: tuple[float, ...] = STAGES) -> SqueezeFlowResult:
    """Solve the squeeze flow of the module docstring; SI in and out. ``friction``: the
    Coulomb coefficient μ of the plate (then ``bonded`` is ignored): the foil slides on it
    against the traction ``μ σ_n`` (``σ_n = p - 2η D_zz`` the plate's normal pressure from the
    solution itself, sign of the slip regularised by :data:`SLIP_REGULARISATION`), and the
    plate force counts the friction's dissipation with the foil's. ``cells_across`` cells over
    the half-thickness, ``cells_per_thickness * cells_across`` per half-thickness along r (the
    aspect of the cells)."""
    if friction is not None and not friction >= 0.0:
        raise ValueError(f"squeeze_flow: the friction coefficient must be >= 0 (got "
                         f"{friction!r})")
    if not (radius > 0.0 and thickness > 0.0 and thinning_rate > 0.0 and A_eff > 0.0
            and n >= 1.0):
        raise ValueError("squeeze_flow needs positive radius, thickness, thinning rate, A and "
                         f"n >= 1 (got {radius!r}, {thickness!r}, {thinning_rate!r}, {A_eff!r}, "
                         f"{n!r})")
    half = 0.5 * thickness
    stress_scale = (thinning_rate / thickness / A_eff) ** (1.0 / n)
    rho = radius / half
    cells_along = max(math.ceil(rho * cells_across / cells_per_thickness), 1)
    msh = dmesh.create_rectangle(comm, [np.array([0.0, 0.0]), np.array([rho, 1.0])],
                                 [cells_along, cells_across], dmesh.CellType.triangle,
                                 diagonal=dmesh.DiagonalType.crossed)
    flow = axisymmetric_flow(msh)
    u, p, v, du_u, r, D, eta = flow.u, flow.p, flow.v, flow.du, flow.r, flow.D, flow.eta
    F, J_picard = flow.F, flow.J_picard
    bcs = velocity_conditions(msh, flow.W, (
        (0, lambda x: np.isclose(x[0], 0.0), 0.0),          # axis
        (1, lambda x: np.isclose(x[1], 0.0), 0.0),          # mid-plane
        (1, lambda x: np.isclose(x[1], 1.0), -1.0),         # plate, V/2 in units of h/2
        *(((0, lambda x: np.isclose(x[1], 1.0), 0.0),) if bonded and friction is None
          else ())))
    dissipation_density = 2.0 * eta * ufl.inner(D, D) * r * ufl.dx
    if friction is not None:
        ds_plate = boundary_measure(msh, lambda x: np.isclose(x[1], 1.0))
        normal_pressure = p - 2.0 * eta * D[1, 1]
        slip_scale = ufl.sqrt(u[0] ** 2 + SLIP_REGULARISATION ** 2)
        mu = fem.Constant(msh, float(friction))
        F += mu * normal_pressure * u[0] / slip_scale * v[0] * r * ds_plate
        J_picard += mu * normal_pressure * du_u[0] / slip_scale * v[0] * r * ds_plate
        dissipation_density += mu * normal_pressure * u[0] ** 2 / slip_scale * r * ds_plate
    iterations = solve_by_continuation(F, J_picard, flow.w, bcs, flow.exponent, n,
                                       prefix="ssbx_squeeze_", what="squeeze flow",
                                       stages=stages)
    # dissipation per radian = plate force per radian x plate speed (1 in these units)
    dissipation = fem.form(dissipation_density)
    force = comm.allreduce(fem.assemble_scalar(dissipation), op=MPI.SUM)
    mean = force / (0.5 * rho ** 2)
    cells = msh.topology.index_map(msh.topology.dim).size_global
    return SqueezeFlowResult(mean * stress_scale, cells, iterations)


__all__ = ["SqueezeFlowResult", "squeeze_flow"]
