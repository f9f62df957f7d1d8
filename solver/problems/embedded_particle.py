"""A cathode particle embedded in a solid-electrolyte matrix (axisymmetric or 3-D): the particle's
chemical volume change, the matrix's elastic response to it and to a stack pressure, and
frictionless unilateral contact across the interface, so that a shrinking particle may pull away
from the electrolyte (the equations: :mod:`ssbx.physics.particle_contact`).

Formulation. One conforming mesh (:mod:`ssbx.meshes.embedded_particle`) carries two vector
displacements (P2 on the meridian, P1 in 3-D): u_m, used on the matrix cells, and u_p, used on
the particle cells. Both are continuous over the whole mesh, so on the interface each has one
value: the matrix's side and the particle's side, free to differ by the gap. The dofs of u_m
that touch no matrix cell (and those of u_p that touch no particle cell) carry no equation and
are held at zero. The contact pressure ``kappa <-g>_+`` enters the residual as an
interior-facet integral over the interface, evaluated at the interface's nodes (a lumped,
node-by-node contact); Newton (semi-smooth: the active set changes where g changes sign) with
MUMPS LU solves it.

Lifecycle: ``EmbeddedGeometry`` (mesh) -> ``EmbeddedParticleProblem`` (spaces, measures,
residual, solver) -> ``set_volume_change`` / ``set_pressure`` -> ``solve`` -> ``state`` (or
``run`` over a list of volume changes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from basix.ufl import element, mixed_element
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from ssbx.meshes.embedded_particle import (
    EmbeddedTag,
    build_particle_in_box,
    build_particle_in_cell,
    build_particle_in_shell,
    build_particle_in_shell_3d,
)
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.mechanics import (
    elastic_stress,
    internal_work,
    mandel_strain,
    measure_weight,
    pressure_work,
)
from ssbx.physics.particle_contact import (
    contact_pressure,
    isotropic_eigenstrain,
    linear_strain,
    normal_gap,
    penalty_stiffness,
    spherical_normal,
)

INTERFACES = ("contact", "bonded")


@dataclass
class EmbeddedGeometry:
    """The meshed embedded particle (a meridian, or a 3-D octant): ``radius`` [m], the ``shape``
    (``"shell"`` with ``outer_radius``, or ``"cell"`` with ``width`` and ``height``) and the
    element size at the interface [m] (the penalty's length)."""

    mesh: Any
    cell_tags: Any
    facet_tags: Any
    radius: float
    shape: str
    interface_size: float
    outer_radius: float = math.nan
    width: float = math.nan
    height: float = math.nan

    @classmethod
    def shell(cls, comm: MPI.Comm, radius: float, outer_radius: float, size: float, *,
              interface_size: float | None = None, order: int = 2) -> EmbeddedGeometry:
        """A particle in a concentric spherical matrix shell
        (:func:`~ssbx.meshes.embedded_particle.build_particle_in_shell`)."""
        data = build_particle_in_shell(comm, radius, outer_radius, size,
                                       interface_size=interface_size, order=order)
        return cls(data.mesh, data.cell_tags, data.facet_tags, radius, "shell",
                   interface_size or size, outer_radius=outer_radius)

    @classmethod
    def cell(cls, comm: MPI.Comm, radius: float, width: float, height: float, size: float, *,
             interface_size: float | None = None, order: int = 2) -> EmbeddedGeometry:
        """A particle in a cylindrical unit cell of a composite layer
        (:func:`~ssbx.meshes.embedded_particle.build_particle_in_cell`)."""
        data = build_particle_in_cell(comm, radius, width, height, size,
                                      interface_size=interface_size, order=order)
        return cls(data.mesh, data.cell_tags, data.facet_tags, radius, "cell",
                   interface_size or size, width=width, height=height)

    @classmethod
    def box(cls, comm: MPI.Comm, radius: float, width: float, height: float, size: float, *,
            interface_size: float | None = None) -> EmbeddedGeometry:
        """3-D: the octant of a particle in a rectangular unit cell of half-widths ``width`` and
        half-height ``height`` (a simple-cubic array;
        :func:`~ssbx.meshes.embedded_particle.build_particle_in_box`)."""
        data = build_particle_in_box(comm, radius, width, height, size,
                                     interface_size=interface_size)
        return cls(data.mesh, data.cell_tags, data.facet_tags, radius, "cell",
                   interface_size or size, width=width, height=height)

    @classmethod
    def shell_3d(cls, comm: MPI.Comm, radius: float, outer_radius: float, size: float, *,
                 interface_size: float | None = None) -> EmbeddedGeometry:
        """3-D: the octant of a particle in a concentric spherical shell
        (:func:`~ssbx.meshes.embedded_particle.build_particle_in_shell_3d`)."""
        data = build_particle_in_shell_3d(comm, radius, outer_radius, size,
                                          interface_size=interface_size)
        return cls(data.mesh, data.cell_tags, data.facet_tags, radius, "shell",
                   interface_size or size, outer_radius=outer_radius)

    @property
    def volume_fraction(self) -> float:
        """The particle's share of the cell volume (the shell's: of the outer sphere)."""
        if self.shape == "shell":
            return (self.radius / self.outer_radius) ** 3
        if self.mesh.geometry.dim == 3:
            return math.pi * self.radius**3 / (6.0 * self.width**2 * self.height)
        return 2.0 * self.radius**3 / (3.0 * self.width**2 * self.height)


@dataclass(frozen=True)
class EmbeddedState:
    """The interface and the cell after a solve. Volumes are of the whole body (both halves
    about z = 0).

    volume_change: the particle's free volume change dV/V; pressure: the stack pressure [Pa];
    contact_fraction: the interface area in contact / all of it; mean_gap, max_gap [m]:
    the opening averaged over the interface and its largest value at the interface's nodes;
    mean_contact_pressure [Pa]: averaged over the interface; particle_strain: mean u_p . n / R;
    matrix_displacement [m]: mean u_m . n on the interface; cell_volume_change [m^3]: of the
    body (from the displacement of its loaded boundary); particle_volume_change [m^3];
    newton_iterations. A bonded interface is in contact everywhere (contact_fraction 1) and its
    "contact pressure" is the normal traction it carries (compressive +)."""

    volume_change: float
    pressure: float
    contact_fraction: float
    mean_gap: float
    max_gap: float
    mean_contact_pressure: float
    particle_strain: float
    matrix_displacement: float
    cell_volume_change: float
    particle_volume_change: float
    newton_iterations: int


def charge_path(volume_change: float, steps: int, *, smallest: float = 1e-5,
                back: bool = False) -> np.ndarray:
    """The volume changes of a charge from 0 to ``volume_change`` in ``steps`` states: 0, then
    geometric in |dV/V| from ``smallest`` (contact goes at ~1e-4 per MPa of an elastic
    sulfide); ``back``: and back to 0 through the same states."""
    if steps < 2:
        raise ValueError(f"need at least 2 steps, got {steps!r}")
    first = min(smallest, abs(volume_change))
    path = np.concatenate([[0.0], math.copysign(1.0, volume_change) * np.geomspace(
        first, abs(volume_change), steps - 1)])
    return np.concatenate([path, path[-2::-1]]) if back else path


class EmbeddedParticleProblem:
    """A particle of ``particle`` (elastic constants) in a matrix of ``matrix`` with a
    ``"contact"`` (frictionless, unilateral, no adhesion) or ``"bonded"`` interface.

    penalty: the penalty stiffness in units of E_max / h at the interface (1e3: an
    interpenetration of 1e-3 h per E_max of contact pressure). The loaded boundary (the shell's
    outer sphere, the cell's top) carries the stack pressure of :meth:`set_pressure`; the cell's
    side has rollers; the axis and the symmetry plane z = 0 hold their normal displacements."""

    def __init__(self, geometry: EmbeddedGeometry, particle: ElasticMaterial,
                 matrix: ElasticMaterial, *, interface: str = "contact", penalty: float = 1e3,
                 degree: int | None = None) -> None:
        if interface not in INTERFACES:
            raise ValueError(f"interface must be one of {INTERFACES}, got {interface!r}")
        self.geometry, self.particle, self.matrix = geometry, particle, matrix
        self.dim = geometry.mesh.geometry.dim
        self.kind = "axisymmetric" if self.dim == 2 else "3d"
        degree = (2 if self.dim == 2 else 1) if degree is None else degree
        if self.dim == 3 and degree != 1:
            raise ValueError(f"3-D contact is nodal on linear triangles: degree must be 1, got "
                             f"{degree!r}")
        if degree not in (1, 2):
            raise ValueError(f"degree must be 1 or 2, got {degree!r}")
        self.interface, self.degree = interface, degree
        msh = geometry.mesh
        self.comm = msh.comm
        cell = msh.basix_cell()
        vector = element("Lagrange", cell, degree, shape=(self.dim,))
        self.W = fem.functionspace(msh, mixed_element([vector, vector]))
        self.w = fem.Function(self.W, name="displacements")
        self.eigenstrain = fem.Constant(msh, PETSc.ScalarType(0.0))
        self.pressure = fem.Constant(msh, PETSc.ScalarType(0.0))
        self.volume_change = 0.0
        stiffest = max(particle.E, matrix.E)
        self.kappa = fem.Constant(msh, PETSc.ScalarType(
            penalty_stiffness(stiffest, geometry.interface_size, penalty)))
        self._measures()
        self._forms()
        self._bcs = self._boundary_conditions()
        self._build(stiffest)

    # -- measures, forms ------------------------------------------------------------------
    def _measures(self) -> None:
        g = self.geometry
        self.dx = ufl.Measure("dx", domain=g.mesh, subdomain_data=g.cell_tags)
        self.ds = ufl.Measure("ds", domain=g.mesh, subdomain_data=g.facet_tags)
        self.dS = ufl.Measure("dS", domain=g.mesh, subdomain_data=g.facet_tags)
        self.weight = measure_weight(g.mesh, self.kind)
        # the weight on the interface (an interior facet: restricted, where it is a function)
        self.weight_on_interface = (self.weight("+") if isinstance(self.weight, ufl.core.expr.Expr)
                                    else self.weight)
        self.x = ufl.SpatialCoordinate(g.mesh)
        self.n = spherical_normal(self.x)

    def matrix_stress(self, u: Any) -> Any:
        """``C_m : eps(u_m)`` [Pa] (Mandel)."""
        m = self.matrix
        return elastic_stress(mandel_strain(u, self.kind), m.lame_lambda, m.shear_modulus)

    def particle_stress(self, u: Any) -> Any:
        """``C_p : (eps(u_p) - eps* 1)`` [Pa] (Mandel)."""
        p = self.particle
        return elastic_stress(mandel_strain(u, self.kind)
                              - isotropic_eigenstrain(self.eigenstrain),
                              p.lame_lambda, p.shear_modulus)

    def _forms(self) -> None:
        u_m, u_p = ufl.split(self.w)
        v_m, v_p = ufl.TestFunctions(self.W)
        w, dx, dS = self.weight, self.dx, self.dS
        # contact at the interface's nodes, so that the contact operator is lumped (diagonal
        # per node): Gauss-Lobatto points are the Lagrange nodes of a meridian's facet
        # (Simpson's rule for P2); a 3-D facet (linear triangle) takes its vertices
        rule = "GLL" if self.dim == 2 else "vertex"
        self.gamma = gamma = dS(int(EmbeddedTag.INTERFACE), metadata={
            "quadrature_rule": rule, "quadrature_degree": self.degree})
        self.gap = normal_gap(u_m, u_p, self.n)
        wg = self.weight_on_interface
        F = (internal_work(self.matrix_stress(u_m), v_m, self.kind, w,
                           dx(int(EmbeddedTag.MATRIX)))
             + internal_work(self.particle_stress(u_p), v_p, self.kind, w,
                             dx(int(EmbeddedTag.PARTICLE))))
        if self.interface == "contact":
            self.contact = contact_pressure(self.gap, self.kappa)
            F -= self.contact("+") * normal_gap(v_m, v_p, self.n)("+") * wg * gamma
        else:
            self.contact = -self.kappa * self.gap
            F += self.kappa * ufl.dot(u_m - u_p, v_m - v_p)("+") * wg * gamma
        F += pressure_work(self.pressure, v_m, self._outer_normal(), w,
                           self.ds(int(EmbeddedTag.OUTER)))
        self.F = F
        self._u = (u_m, u_p)

    def _outer_normal(self) -> Any:
        """The loaded boundary's outward normal: the shell's radius, the cell's z axis."""
        if self.geometry.shape == "shell":
            return spherical_normal(self.x)
        return ufl.as_vector([0.0] * (self.dim - 1) + [1.0])

    # -- constraints -----------------------------------------------------------------------
    def _boundary_conditions(self) -> list[Any]:
        tags, tdim = self.geometry.facet_tags, self.geometry.mesh.topology.dim
        held: list[tuple[int, int, EmbeddedTag]] = []  # (field, component, facets)
        planes = ((EmbeddedTag.AXIS, EmbeddedTag.EQUATOR) if self.dim == 2 else
                  (EmbeddedTag.SYMMETRY_X, EmbeddedTag.SYMMETRY_Y, EmbeddedTag.EQUATOR))
        for field in (0, 1):
            held += [(field, comp, tag) for comp, tag in enumerate(planes)]
        if self.geometry.shape == "cell":
            sides = ((EmbeddedTag.SIDE,) if self.dim == 2 else
                     (EmbeddedTag.SIDE_X, EmbeddedTag.SIDE_Y))
            held += [(0, comp, tag) for comp, tag in enumerate(sides)]
        bcs = []
        for field, comp, tag in held:
            space = self.W.sub(field).sub(comp)
            dofs = fem.locate_dofs_topological(space, tdim - 1, tags.find(int(tag)))
            bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), dofs, space))
        for field, region in ((0, EmbeddedTag.MATRIX), (1, EmbeddedTag.PARTICLE)):
            for comp in range(self.dim):
                space = self.W.sub(field).sub(comp)
                bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0),
                                           self._dofs_outside(space, int(region)), space))
        return bcs

    def _dofs_outside(self, space: Any, region: int) -> np.ndarray:
        """The dofs (in the mixed space) of the scalar subspace ``space`` that belong to no cell
        of ``region``: counted on the owned cells and summed over the ranks, so every rank
        agrees on its shared dofs."""
        collapsed, to_mixed = space.collapse()
        to_mixed = np.asarray(to_mixed).reshape(-1)
        count = fem.Function(collapsed)
        owned = self.geometry.mesh.topology.index_map(self.geometry.mesh.topology.dim).size_local
        cells = self.geometry.cell_tags.find(region)
        cells = cells[cells < owned]
        np.add.at(count.x.array, collapsed.dofmap.list[cells].reshape(-1), 1.0)
        count.x.scatter_reverse(dolfinx.la.InsertMode.add)
        count.x.scatter_forward()
        return to_mixed[np.flatnonzero(count.x.array == 0.0)].astype(np.int32)

    # -- solver ----------------------------------------------------------------------------
    def _build(self, stiffest: float) -> None:
        force_scale = stiffest * self.geometry.radius**2
        self._prefix = f"ssbx_embedded_{id(self)}_"
        self.problem = fem_petsc.NonlinearProblem(
            self.F, self.w, bcs=self._bcs, petsc_options_prefix=self._prefix,
            petsc_options={"snes_type": "newtonls", "snes_linesearch_type": "basic",
                           "snes_rtol": 1e-10, "snes_atol": 1e-13 * force_scale,
                           "snes_stol": 0.0, "snes_max_it": 40,
                           "ksp_type": "preonly",
                           "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"})
        # a step that closes an open interface first penetrates (the linearisation of the
        # open state has no contact): the residual grows before the active set settles
        self.problem.solver.setDivergenceTolerance(1e300)

    def set_volume_change(self, volume_change: float) -> None:
        """The particle's free relative volume change dV/V (< 0: shrinking, e.g. a layered
        oxide on charge): the chemical strain ``(1 + dV/V)^(1/3) - 1``."""
        self.eigenstrain.value = linear_strain(volume_change)
        self.volume_change = float(volume_change)

    def set_pressure(self, pressure: float) -> None:
        """The stack pressure [Pa] (compressive +) on the loaded boundary."""
        self.pressure.value = float(pressure)

    def solve(self) -> EmbeddedState:
        """Newton to equilibrium from the current fields; raises ``RuntimeError`` if it fails."""
        self.problem.solve()
        snes = self.problem.solver
        reason = snes.getConvergedReason()
        if reason <= 0:
            raise RuntimeError(f"the embedded particle did not converge (SNES reason {reason}) "
                               f"at dV/V = {self.volume_change:.4g}, p = "
                               f"{float(self.pressure.value):.4g} Pa")
        self.w.x.scatter_forward()
        return self.state(snes.getIterationNumber())

    def run(self, volume_changes: Sequence[float]) -> list[EmbeddedState]:
        """Solve at each volume change in turn (each from the previous solution)."""
        states = []
        for dv in volume_changes:
            self.set_volume_change(dv)
            states.append(self.solve())
        return states

    @property
    def _copies(self) -> int:
        """How many mirror images of the meshed body make the whole one (2: the meridian's
        half z >= 0; 8: the octant)."""
        return 2 if self.dim == 2 else 8

    @property
    def body_volume(self) -> float:
        """Volume of the whole matrix body with the particle [m^3]: the cell's 2 pi W^2 H, the
        shell's outer sphere."""
        g = self.geometry
        if g.shape == "shell":
            return 4.0 / 3.0 * math.pi * g.outer_radius**3
        if self.dim == 3:
            return 8.0 * g.width**2 * g.height
        return 2.0 * math.pi * g.width**2 * g.height

    def displacements(self) -> tuple[fem.Function, fem.Function]:
        """Copies of the electrolyte's and the particle's displacement fields (collective)."""
        u_m, u_p = self.w.sub(0).collapse(), self.w.sub(1).collapse()
        u_m.name, u_p.name = "electrolyte_displacement", "particle_displacement"
        return u_m, u_p

    # -- outputs ---------------------------------------------------------------------------
    def _integral(self, form: Any) -> float:
        return self.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)

    def state(self, newton_iterations: int = 0) -> EmbeddedState:
        """The interface and cell measures of the current fields (collective)."""
        u_m, u_p = self._u
        w, wg, gamma = self.weight, self.weight_on_interface, self.gamma
        outer = self.ds(int(EmbeddedTag.OUTER))
        gap = self.gap("+")
        area = self._integral(wg * gamma)
        closed = ufl.conditional(ufl.lt(gap, 0.0), 1.0, 0.0)
        return EmbeddedState(
            volume_change=self.volume_change, pressure=float(self.pressure.value),
            contact_fraction=(self._integral(closed * wg * gamma) / area
                              if self.interface == "contact" else 1.0),
            mean_gap=self._integral(ufl.max_value(gap, 0.0) * wg * gamma) / area,
            max_gap=self._largest_gap(),
            mean_contact_pressure=self._integral(self.contact("+") * wg * gamma) / area,
            particle_strain=self._integral(ufl.dot(u_p, self.n)("+") * wg * gamma)
            / area / self.geometry.radius,
            matrix_displacement=self._integral(ufl.dot(u_m, self.n)("+") * wg * gamma)
            / area,
            cell_volume_change=self._copies * self._integral(
                ufl.dot(u_m, self._outer_normal()) * w * outer),
            particle_volume_change=self._copies * self._integral(
                ufl.dot(u_p, self.n)("+") * wg * gamma),
            newton_iterations=int(newton_iterations))

    def _largest_gap(self) -> float:
        """The largest opening at the interface's nodes [m] (both fields interpolate there).
        Collective: every rank builds the connectivity and collapses the fields."""
        msh = self.geometry.mesh
        tdim = msh.topology.dim
        msh.topology.create_connectivity(0, tdim)
        u_m, u_p = self.displacements()
        facets = self.geometry.facet_tags.find(int(EmbeddedTag.INTERFACE))
        vertices = dolfinx.mesh.compute_incident_entities(msh.topology, facets, tdim - 1, 0)
        points = msh.geometry.x[dolfinx.mesh.entities_to_geometry(msh, 0, vertices).reshape(-1)]
        tree = dolfinx.geometry.bb_tree(msh, tdim)
        largest = -np.inf
        if points.shape[0]:
            candidates = dolfinx.geometry.compute_collisions_points(tree, points)
            cells = dolfinx.geometry.compute_colliding_cells(msh, candidates, points)
            keep = [i for i in range(points.shape[0]) if len(cells.links(i)) > 0]
            if keep:
                first = np.array([cells.links(i)[0] for i in keep], dtype=np.int32)
                pts = points[keep]
                d = self.dim
                n = pts[:, :d] / np.linalg.norm(pts[:, :d], axis=1)[:, None]
                gaps = np.sum((u_m.eval(pts, first) - u_p.eval(pts, first)) * n, axis=1)
                largest = float(gaps.max())
        return self.comm.allreduce(largest, op=MPI.MAX)


__all__ = [
    "INTERFACES",
    "EmbeddedGeometry",
    "EmbeddedParticleProblem",
    "EmbeddedState",
    "charge_path",
]
