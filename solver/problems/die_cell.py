"""A creeping metal foil in a pellet die, by finite elements: the axisymmetric Taylor–Hood
(P2 velocity, P1 pressure) J2 power-law flow of the foil squeezed by the plunger and extruded
into the plunger clearance, at one instant. Verifies the reduced die law of
:func:`ssbx.physics.squeeze_flow.die_extrusion_thinning_rate` (the foil's squeeze film and the
clearance's slot flow in series) and supplies the stack model with the FE thinning law
(:class:`DieCellThinning`).

The section of :mod:`ssbx.meshes.die_cell`: the foil ``0 <= r <= R, 0 <= z <= h`` bonded to the
electrolyte pellet below (``u = 0``) and to the plunger face above (``u = (0, -V)``); the die wall
``r = R`` holds the metal (``u = 0``), the plunger's side ``r = R - δ`` moves with the plunger;
the clearance's top ``z = h + L`` is traction-free (the metal leaves there); ``u_r = 0`` on the
axis. The plunger force is the dissipation divided by the plunger's speed,
``F = 2π ∫ σ:D r dA / V`` (the fixed walls and the free exit do no work), and the mean pressure
is ``F / (π R²)`` on the bore's area, as the stack model's pressure.

Solved in units of the foil thickness ``h``, the rate ``V / h`` and the stress
``(V / (h A))^(1/n)``. For the power law the mean pressure is then one number ``P*`` of the
geometry and ``n``: ``p̄ = P* (V / (h A))^(1/n)``, i.e. ``V = h A (p̄ / P*)^n`` at any pressure and
temperature (``A(T)``), so one solve per geometry gives the whole law.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from ssbx.meshes.die_cell import DieCellGeometry, build_die_cell_mesh
from ssbx.physics.creep_laws import PowerLawCreep
from ssbx.problems.power_law_flow import (
    STAGES,
    axisymmetric_flow,
    boundary_measure,
    solve_by_continuation,
    velocity_conditions,
)

QUADRATURE_DEGREE = 4
"""Quadrature degree of the flow forms (UFL's estimate for the power-law viscosity is 9, which
makes a Newton step ~5x dearer for no change of ``P*`` beyond 1e-3; see the tests)."""


@dataclass(frozen=True)
class DieCellFlowResult:
    """The scaled mean pressure ``P*`` [-] (module docstring), the mean pressure [Pa] at the
    requested rate, the metal's volume flux out of the clearance relative to the plunger's
    displaced volume rate ``π (R - δ)² V`` [-] (1 up to the discretisation's mass error), the
    cells, the DOFs and the Newton iterations of the last continuation stage."""

    scaled_pressure: float
    mean_pressure: float
    exit_flux_ratio: float
    cells: int
    dofs: int
    newton_iterations: int


def die_cell_flow(comm: MPI.Comm, geometry: DieCellGeometry, thinning_rate: float,
                  A_eff: float, n: float, *, foil_layers: int = 8,
                  cells_across_clearance: int = 6,
                  stages: tuple[float, ...] = STAGES) -> DieCellFlowResult:
    """Solve the die cell of the module docstring (``geometry`` in m, ``thinning_rate`` =
    the plunger's speed V [m/s], the law ``A_eff σ^n`` [1/(s Pa^n)]); mesh keywords as
    :func:`ssbx.meshes.die_cell.die_cell_grid`. Collective."""
    if not (thinning_rate > 0.0 and A_eff > 0.0 and n >= 1.0):
        raise ValueError(f"die_cell_flow needs a positive thinning rate and A and n >= 1 (got "
                         f"{thinning_rate!r}, {A_eff!r}, {n!r})")
    h = geometry.thickness
    g = DieCellGeometry(geometry.radius / h, 1.0, geometry.clearance / h,
                        geometry.clearance_length / h)
    msh = build_die_cell_mesh(comm, g, foil_layers=foil_layers,
                              cells_across_clearance=cells_across_clearance)
    dx = ufl.dx(domain=msh, metadata={"quadrature_degree": QUADRATURE_DEGREE})
    flow = axisymmetric_flow(msh, dx)
    W, u, r, D, eta = flow.W, flow.u, flow.r, flow.D, flow.eta
    bcs = _boundary_conditions(msh, W, g)
    iterations = solve_by_continuation(flow.F, flow.J_picard, flow.w, bcs, flow.exponent, n,
                                       prefix="ssbx_die_cell_", what="die cell flow",
                                       stages=stages)
    dissipation = comm.allreduce(fem.assemble_scalar(fem.form(
        2.0 * eta * ufl.inner(D, D) * r * dx)), op=MPI.SUM)   # per radian, speed 1
    scaled = dissipation / (0.5 * g.radius ** 2)
    exit_flux = comm.allreduce(fem.assemble_scalar(fem.form(
        u[1] * r * boundary_measure(msh, lambda x: np.isclose(
            x[1], g.top, rtol=0.0, atol=1e-9 * g.radius)))), op=MPI.SUM)
    stress = (thinning_rate / (h * A_eff)) ** (1.0 / n)
    return DieCellFlowResult(
        scaled_pressure=scaled, mean_pressure=scaled * stress,
        exit_flux_ratio=exit_flux / (0.5 * g.plunger_radius ** 2),
        cells=msh.topology.index_map(msh.topology.dim).size_global,
        dofs=W.dofmap.index_map.size_global * W.dofmap.index_map_bs, newton_iterations=iterations)


def _boundary_conditions(msh: dmesh.Mesh, W: fem.FunctionSpace,
                         g: DieCellGeometry) -> list[fem.DirichletBC]:
    """Axis, pellet, die wall, plunger face and side (module docstring; plunger speed 1)."""
    def near(a: np.ndarray, b: float) -> np.ndarray:
        return np.isclose(a, b, rtol=0.0, atol=1e-9 * g.radius)

    def plunger(x: np.ndarray) -> np.ndarray:
        face = near(x[1], g.thickness) & (x[0] <= g.plunger_radius + 1e-9 * g.radius)
        side = near(x[0], g.plunger_radius) & (x[1] >= g.thickness - 1e-9 * g.radius)
        return face | side

    def fixed(x: np.ndarray) -> np.ndarray:
        return near(x[1], 0.0) | near(x[0], g.radius)

    return velocity_conditions(msh, W, ((0, lambda x: near(x[0], 0.0), 0.0),
                                        (0, fixed, 0.0), (1, fixed, 0.0),
                                        (0, plunger, 0.0), (1, plunger, -1.0)))


class DieCellThinning:
    """The FE thinning law ``V(p̄, h, T)`` [m/s] of a power-law foil in a die, for
    :class:`ssbx.physics.stack_elements.MetalFoil` (``thinning_law``): ``V = h A(T) (p̄ / P*(h))^n``
    with ``P*`` solved at each of ``thicknesses`` [m] (the range the run will see) and
    interpolated linearly in ``ln h`` (the module docstring's homogeneity: exact in pressure and
    temperature). ``law``: a power law without yield stress; geometry in m."""

    def __init__(self, comm: MPI.Comm, law: PowerLawCreep, radius: float, clearance: float,
                 clearance_length: float, thicknesses: Sequence[float], *, foil_layers: int = 8,
                 cells_across_clearance: int = 6) -> None:
        if not isinstance(law, PowerLawCreep) or law.yield_stress != 0.0:
            raise ValueError("DieCellThinning needs a power law without yield stress (the FE "
                             "solve at one rate then serves every pressure)")
        self.law = law
        self.thicknesses = np.sort(np.asarray(thicknesses, dtype=float))
        self.results = [die_cell_flow(comm, DieCellGeometry(radius, h, clearance,
                                                            clearance_length),
                                      1e-9, 1.0, law.n, foil_layers=foil_layers,
                                      cells_across_clearance=cells_across_clearance)
                        for h in self.thicknesses]
        self.scaled_pressures = np.array([res.scaled_pressure for res in self.results])

    def scaled_pressure(self, height: float) -> float:
        """``P*`` [-] at the foil thickness ``height`` [m] (log interpolation, clamped)."""
        if len(self.thicknesses) == 1:
            return float(self.scaled_pressures[0])
        return float(np.exp(np.interp(math.log(height), np.log(self.thicknesses),
                                      np.log(self.scaled_pressures))))

    def __call__(self, pressure: float, height: float, temperature: float) -> float:
        """``V`` [m/s] under the mean pressure ``pressure`` [Pa] at thickness ``height`` [m]
        and ``temperature`` [K]."""
        if pressure <= 0.0:
            return 0.0
        return (height * self.law.A_eff(temperature)
                * (pressure / self.scaled_pressure(height)) ** self.law.n)


__all__ = ["DieCellFlowResult", "DieCellThinning", "die_cell_flow"]
