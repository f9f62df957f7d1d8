"""A cathode particle embedded in a solid-electrolyte matrix (axisymmetric or 3-D): the particle's
chemical volume change, the matrix's elastic response to it and to a stack pressure, and
frictionless unilateral contact across the interface, so that a shrinking particle may pull away
from the electrolyte (the equations: :mod:`ssbx.physics.particle_contact`).

Formulation. The two materials are submeshes of one conforming mesh
(:mod:`ssbx.meshes.embedded_particle`), each with its own vector displacement (P2 on the
meridian, P1 in 3-D): u_m on the electrolyte's cells, u_p on the particle's. On the interface
each has its own nodal values, free to differ by the gap. The forms integrate over the parent
mesh's measures with the submeshes' entity maps (a blocked system); on the interface the
particle's cell is ``"+"`` and the electrolyte's ``"-"``. The contact pressure ``kappa <-g>_+``
is evaluated at the interface's nodes (a lumped, node-by-node contact); Newton (semi-smooth:
the active set changes where g changes sign) with MUMPS LU solves it.

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

import numpy as np
import ufl
from basix.ufl import element
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
from ssbx.problems.interface import nodal_facet_quadrature
from ssbx.problems.lifetime import destroy_nonlinear_problem, track
from ssbx.problems.submesh import TaggedSubmesh, tagged_submesh

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
    def copies(self) -> int:
        """How many mirror images of the meshed body make the whole one (2: the meridian's
        half z >= 0; 8: the octant)."""
        return 2 if self.mesh.geometry.dim == 2 else 8

    @property
    def particle_volume(self) -> float:
        """Volume of the whole particle [m^3]."""
        return 4.0 / 3.0 * math.pi * self.radius**3

    @property
    def body_volume(self) -> float:
        """Volume of the whole matrix body with the particle [m^3]: the shell's outer sphere,
        the cylinder's 2 pi W^2 H, the box's 8 W^2 H."""
        if self.shape == "shell":
            return 4.0 / 3.0 * math.pi * self.outer_radius**3
        if self.mesh.geometry.dim == 3:
            return 8.0 * self.width**2 * self.height
        return 2.0 * math.pi * self.width**2 * self.height

    @property
    def volume_fraction(self) -> float:
        """The particle's share of the body's volume."""
        return self.particle_volume / self.body_volume


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
        self.submeshes: dict[str, TaggedSubmesh] = {}
        self.fields: dict[str, fem.Function] = {}
        for name, tag, label in (("matrix", EmbeddedTag.MATRIX, "electrolyte"),
                                 ("particle", EmbeddedTag.PARTICLE, "particle")):
            self.submeshes[name], V = _region(geometry, tag, degree)
            self.fields[name] = fem.Function(V, name=f"{label}_displacement")
        self.u_m, self.u_p = self.fields["matrix"], self.fields["particle"]
        self.entity_maps = [sub.entity_map for sub in self.submeshes.values()]
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
        self._output_forms()
        track(self)

    def close(self) -> None:
        """Destroy the SNES and its matrices (collective: every rank at the same point)."""
        destroy_nonlinear_problem(self.problem)

    @property
    def dofs(self) -> int:
        """Unknowns of both displacements (global)."""
        return sum(u.function_space.dofmap.index_map.size_global
                   * u.function_space.dofmap.index_map_bs for u in self.fields.values())

    # -- measures, forms ------------------------------------------------------------------
    def _measures(self) -> None:
        g = self.geometry
        self.dx = ufl.Measure("dx", domain=g.mesh, subdomain_data=g.cell_tags)
        self.ds = ufl.Measure("ds", domain=g.mesh, subdomain_data=g.facet_tags)
        # the interface with the particle's cell as "+" and the electrolyte's as "-" (each
        # field lives on its own submesh), and the contact at the interface's nodes, so that
        # the contact operator is lumped node by node: Gauss-Lobatto points are the Lagrange
        # nodes of a meridian's facet (Simpson's rule for P2); a 3-D facet (linear triangle)
        # takes its vertices
        tag = int(EmbeddedTag.INTERFACE)
        self.gamma = ufl.Measure(
            "dS", domain=g.mesh, subdomain_data=[(tag, _particle_side_first(g))],
            metadata=nodal_facet_quadrature(self.dim, self.degree))(tag)
        self.weight = measure_weight(g.mesh, self.kind)
        # the weight on the interface (an interior facet: restricted, where it is a function)
        self.weight_on_interface = (self.weight("+") if isinstance(self.weight, ufl.core.expr.Expr)
                                    else self.weight)
        self.x = ufl.SpatialCoordinate(g.mesh)
        self.n = spherical_normal(self.x)("+")

    def matrix_stress(self, u: Any) -> Any:
        """``C_m : eps(u_m)`` [Pa] (Mandel)."""
        m = self.matrix
        return elastic_stress(mandel_strain(u, self.kind), m.lame_lambda, m.shear_modulus)

    def particle_stress(self, u: Any) -> Any:
        """``C_p : (eps(u_p) - eps* 1)`` [Pa] (Mandel)."""
        p = self.particle
        return elastic_stress(mandel_strain(u, self.kind)
                              - isotropic_eigenstrain(self.chemical_strain()),
                              p.lame_lambda, p.shear_modulus)

    def chemical_strain(self) -> Any:
        """The particle's linear chemical strain eps* (UFL): uniform here, set by
        :meth:`set_volume_change`; a subclass may make it a field (a charge by diffusion)."""
        return self.eigenstrain

    def _forms(self) -> None:
        u_m, u_p = self.u_m, self.u_p
        v_m = ufl.TestFunction(u_m.function_space)
        v_p = ufl.TestFunction(u_p.function_space)
        w, wg, gamma, n = self.weight, self.weight_on_interface, self.gamma, self.n
        self.gap = normal_gap(u_m("-"), u_p("+"), n)
        F_m = internal_work(self.matrix_stress(u_m), v_m, self.kind, w,
                            self.dx(int(EmbeddedTag.MATRIX)))
        F_p = internal_work(self.particle_stress(u_p), v_p, self.kind, w,
                            self.dx(int(EmbeddedTag.PARTICLE)))
        if self.interface == "contact":
            # traction -p_c n on the particle, +p_c n on the electrolyte
            self.contact = contact_pressure(self.gap, self.kappa)
            F_m -= self.contact * ufl.dot(v_m("-"), n) * wg * gamma
            F_p += self.contact * ufl.dot(v_p("+"), n) * wg * gamma
        else:
            self.contact = -self.kappa * self.gap
            jump = u_m("-") - u_p("+")
            F_m += self.kappa * ufl.dot(jump, v_m("-")) * wg * gamma
            F_p -= self.kappa * ufl.dot(jump, v_p("+")) * wg * gamma
        F_m += pressure_work(self.pressure, v_m, self._outer_normal(), w,
                             self.ds(int(EmbeddedTag.OUTER)))
        self.F = [F_m, F_p]

    def _outer_normal(self) -> Any:
        """The loaded boundary's outward normal: the shell's radius, the cell's z axis."""
        if self.geometry.shape == "shell":
            return spherical_normal(self.x)
        return ufl.as_vector([0.0] * (self.dim - 1) + [1.0])

    # -- constraints -----------------------------------------------------------------------
    def _boundary_conditions(self) -> list[Any]:
        planes = ((EmbeddedTag.AXIS, EmbeddedTag.EQUATOR) if self.dim == 2 else
                  (EmbeddedTag.SYMMETRY_X, EmbeddedTag.SYMMETRY_Y, EmbeddedTag.EQUATOR))
        held = [(region, comp, tag) for region in ("matrix", "particle")
                for comp, tag in enumerate(planes)]
        if self.geometry.shape == "cell":
            sides = ((EmbeddedTag.SIDE,) if self.dim == 2 else
                     (EmbeddedTag.SIDE_X, EmbeddedTag.SIDE_Y))
            held += [("matrix", comp, tag) for comp, tag in enumerate(sides)]
        bcs = []
        for name, comp, tag in held:
            space = self.fields[name].function_space.sub(comp)
            dofs = fem.locate_dofs_topological(space, self.dim - 1,
                                               self.submeshes[name].facet_tags.find(int(tag)))
            bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), dofs, space))
        return bcs

    # -- solver ----------------------------------------------------------------------------
    def _build(self, stiffest: float) -> None:
        force_scale = stiffest * self.geometry.radius**2
        self._prefix = f"ssbx_embedded_{id(self)}_"
        self.problem = fem_petsc.NonlinearProblem(
            self.F, [self.u_m, self.u_p], bcs=self._bcs, kind="mpi",
            entity_maps=self.entity_maps, petsc_options_prefix=self._prefix,
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
        for u in (self.u_m, self.u_p):
            u.x.scatter_forward()
        return self.state(snes.getIterationNumber())

    def run(self, volume_changes: Sequence[float]) -> list[EmbeddedState]:
        """Solve at each volume change in turn (each from the previous solution)."""
        states = []
        for dv in volume_changes:
            self.set_volume_change(dv)
            states.append(self.solve())
        return states

    def displacements(self) -> tuple[fem.Function, fem.Function]:
        """The electrolyte's and the particle's displacement [m], each on its own submesh."""
        return self.u_m, self.u_p

    # -- outputs ---------------------------------------------------------------------------
    def _output_forms(self) -> None:
        """The scalar forms of :meth:`state`, compiled once, the interface's area, and the
        interface's nodes paired between the two fields (for the largest gap)."""
        wg, gamma, n, gap = self.weight_on_interface, self.gamma, self.n, self.gap
        integrands = {
            "closed": ufl.conditional(ufl.lt(gap, 0.0), 1.0, 0.0) * wg * gamma,
            "gap": ufl.max_value(gap, 0.0) * wg * gamma,
            "contact": self.contact * wg * gamma,
            "particle_normal": ufl.dot(self.u_p("+"), n) * wg * gamma,
            "matrix_normal": ufl.dot(self.u_m("-"), n) * wg * gamma,
            "outer_normal": ufl.dot(self.u_m, self._outer_normal()) * self.weight
            * self.ds(int(EmbeddedTag.OUTER)),
        }
        self._outputs = {name: fem.form(f, entity_maps=self.entity_maps)
                         for name, f in integrands.items()}
        self._area = self._integral(fem.form(wg * gamma, entity_maps=self.entity_maps))
        self._interface_nodes = self._paired_interface_nodes()

    def _integral(self, form: Any) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def state(self, newton_iterations: int = 0) -> EmbeddedState:
        """The interface and cell measures of the current fields (collective)."""
        mean = {name: self._integral(form) / self._area for name, form in self._outputs.items()
                if name != "outer_normal"}
        g = self.geometry
        return EmbeddedState(
            volume_change=self.volume_change, pressure=float(self.pressure.value),
            contact_fraction=mean["closed"] if self.interface == "contact" else 1.0,
            mean_gap=mean["gap"], max_gap=self._largest_gap(),
            mean_contact_pressure=mean["contact"],
            particle_strain=mean["particle_normal"] / g.radius,
            matrix_displacement=mean["matrix_normal"],
            cell_volume_change=g.copies * self._integral(self._outputs["outer_normal"]),
            particle_volume_change=g.copies * mean["particle_normal"] * self._area,
            newton_iterations=int(newton_iterations))

    def interface_dofs_by_position(self, V: fem.FunctionSpace, region: str
                                   ) -> dict[tuple[float, ...], tuple[int, np.ndarray]]:
        """The dofs (blocks) of ``V``, a Lagrange space on the submesh of ``region``
        (``"matrix"`` or ``"particle"``), on the interface on this rank, keyed by their
        position rounded to 1e-9 R: key -> (dof, coordinates)."""
        dofs = fem.locate_dofs_topological(
            V, self.dim - 1, self.submeshes[region].facet_tags.find(int(EmbeddedTag.INTERFACE)))
        x = V.tabulate_dof_coordinates()[dofs, :self.dim]
        keys = (tuple(k) for k in np.round(x / self.geometry.radius, 9))
        return dict(zip(keys, zip(dofs, x, strict=True), strict=True))

    def _paired_interface_nodes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The interface's nodes on this rank as (block of u_m, block of u_p, unit normal):
        the Lagrange dofs of both fields there, matched by position."""
        found = {name: self.interface_dofs_by_position(u.function_space, name)
                 for name, u in self.fields.items()}
        shared = sorted(found["matrix"].keys() & found["particle"].keys())
        matrix = np.array([found["matrix"][k][0] for k in shared], dtype=np.int64)
        particle = np.array([found["particle"][k][0] for k in shared], dtype=np.int64)
        x = np.array([found["matrix"][k][1] for k in shared]).reshape(-1, self.dim)
        normal = x / np.linalg.norm(x, axis=1)[:, None] if len(shared) else x
        return matrix, particle, normal

    def nodal_gaps(self) -> np.ndarray:
        """The opening (u_m - u_p) . n [m] at each interface node on this rank, in the order
        of the paired nodes (:meth:`_paired_interface_nodes`)."""
        matrix, particle, normal = self._interface_nodes
        u_m = self.u_m.x.array.reshape(-1, self.dim)[matrix]
        u_p = self.u_p.x.array.reshape(-1, self.dim)[particle]
        return np.sum((u_m - u_p) * normal, axis=1)

    def _largest_gap(self) -> float:
        """The largest opening at the interface's nodes [m] (collective)."""
        gaps = self.nodal_gaps()
        largest = float(gaps.max()) if gaps.size else -np.inf
        return self.comm.allreduce(largest, op=MPI.MAX)


def _region(geometry: EmbeddedGeometry, tag: EmbeddedTag, degree: int
            ) -> tuple[TaggedSubmesh, fem.FunctionSpace]:
    """One material's submesh (owned and ghost cells tagged ``tag``) and a vector Lagrange
    space of ``degree`` on it (collective)."""
    sub = tagged_submesh(geometry.mesh, geometry.cell_tags, tag, geometry.facet_tags)
    return sub, fem.functionspace(sub.mesh, element("Lagrange", sub.mesh.basix_cell(), degree,
                                                    shape=(geometry.mesh.geometry.dim,)))


def _particle_side_first(geometry: EmbeddedGeometry) -> np.ndarray:
    """Interior-facet integration data of the interface, (cell, local facet) pairs with the
    particle's cell first, so that ``"+"`` is the particle's side and ``"-"`` the
    electrolyte's."""
    msh = geometry.mesh
    tdim = msh.topology.dim
    facets = geometry.facet_tags.find(int(EmbeddedTag.INTERFACE))
    data = fem.compute_integration_domains(fem.IntegralType.interior_facet, msh.topology,
                                           facets).reshape(-1, 4).copy()
    imap = msh.topology.index_map(tdim)
    in_particle = np.zeros(imap.size_local + imap.num_ghosts, dtype=bool)
    in_particle[geometry.cell_tags.find(int(EmbeddedTag.PARTICLE))] = True
    swap = ~in_particle[data[:, 0]]
    data[swap] = data[swap][:, [2, 3, 0, 1]]
    if not (in_particle[data[:, 0]].all() and not in_particle[data[:, 2]].any()):
        raise ValueError("every interface facet must lie between a particle and a matrix cell")
    return data.reshape(-1)


__all__ = [
    "INTERFACES",
    "EmbeddedGeometry",
    "EmbeddedParticleProblem",
    "EmbeddedState",
    "charge_path",
]
