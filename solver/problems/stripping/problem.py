"""Stripping and plating with an evolving Li/electrolyte contact (voids opening and closing).

Formulation (see :mod:`ssbx.physics.contact` for the kinematics). The Li and the electrolyte
mesh conform on the flat reference interface ``y = 0`` (:mod:`ssbx.meshes.flat_cell`); voids,
initial and grown, are a gap field on that interface; the unknowns are

- the electrolyte potential (electrolyte submesh, P2, :class:`CurrentDistributionProblem` with
  an *evolving contact*: Butler–Volmer times a contact mask, the contact pressure in the
  overpotential, Gauss–Lobatto (nodal) interface quadrature);
- the Li displacement (Li submesh, P2, :class:`MechanicsProblem` with the Li creep law) with the
  contact as an upper bound on the interface displacement, ``u_y <= g0 + r + w``, solved as a
  variational inequality: by PETSc SNES ``vinewtonrsls`` (the reduced-space active set, the
  default) or the fixed-sparsity active-set Newton of :mod:`ssbx.problems.active_set`
  (``settings.contact_solver``);
- the interface state, replicated on every rank (:class:`ssbx.problems.interface.InterfaceNodes`):
initial
  gap g0, removed Li thickness r, contact pressure p, contact set, nodal current.

Why a bound and not a penalty or a moving mesh: the bound makes the contact exact (no
penetration, no penalty parameter to converge), keeps the mesh fixed (interface fields live on
fixed nodes, the Li inventory is exact) and converges in a few semismooth Newton iterations; the
active-set form keeps the matrix's sparsity (one LU analysis per run; the reduced space builds a
new reduced matrix and redoes the analysis at every iteration). The flat reference needs
void depth ≪ width and ≪ Li thickness (checked at set-up and as Li is stripped).

Coupling in time (backward Euler in the removed Li, iterated to a consistent contact set): at
each step, pass k solves the current with the contact set and pressure of pass k-1 (the
committed ones for k = 1), updates ``r = r_n + Omega i dt / F`` (Omega: the anode metal's),
solves the mechanics with the new bound and finds the new contact set; the step has converged
when a pass returns the contact set it started from (the pressure in the kinetics lags one
pass). Step size: see :func:`advance`.

Electrolyte: ``rigid`` (flat, w = 0) or ``elastic``: the electrolyte's interface deflection w
under the contact pressure (linear elasticity on the electrolyte submesh, top fixed, rollers on
the sides) is added to the obstacle and iterated with the Li contact solve to a fixed point.

3-D (a box, x and y lateral, z vertical, the interface ``z = 0``): the same formulation with the
last coordinate vertical, rollers on the four sides, pores as gaps of revolution
(:func:`ssbx.meshes.voids.initial_gap`), and the Li creep in the mixed P2/P1 formulation of
:mod:`ssbx.problems.mechanics` (its blocked system bounded by :class:`ContactBounds`). The nodal
rule of the P2 triangle weighs only the edge midpoints (exact for quadratics: the consistent
load of a uniform traction), so the vertices' reaction forces are shared among their nearest
midpoints (the contact force stays whole) and the vertices take their mean pressure. Not yet in
3-D (refused): explicit voids.

Lifecycle: ``StrippingProblem(cell_mesh, settings)`` → ``initialize()`` (elastic contact under
the stack pressure) → ``try_step(dt, load)`` → ``commit()`` / ``reject()``; :func:`advance`
drives one protocol step with adaptive time steps.

Checkpoints (:mod:`ssbx.io.checkpoint`): :meth:`StrippingProblem.checkpoint_fields`,
``checkpoint_arrays`` and ``checkpoint_state`` give the committed state (Li displacement and
creep state, the potentials as Newton starts, the replicated interface state, counters);
a fresh problem (not initialised) takes it back with ``prepare_restore`` (builds the current
problems the checkpoint has), reading the fields, then ``restore_checkpoint``. :func:`advance`
exposes its stepping state (:class:`AdvanceResult`) to the ``on_step`` callback and continues
from it (``result=``, ``t_end=``), so that a protocol step can be resumed mid-way.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from ssbx.errors import StrippingError
from ssbx.meshes.roughness import roughness_gap, roughness_slope_check
from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.meshes.voids import initial_gap, small_slope_check
from ssbx.physics.constants import FARADAY
from ssbx.physics.contact import stripped_thickness_check
from ssbx.physics.kinetics import PrimaryKinetics
from ssbx.problems.current import CurrentDistributionProblem, electrolyte_domain
from ssbx.problems.interface import InterfaceNodes, LocalMap, retagged
from ssbx.problems.mechanics import (
    Displacement,
    MechanicsProblem,
    RigidPlate,
    Spring,
    Symmetry,
    Traction,
)
from ssbx.problems.stripping.deflection import ElectrolyteDeflection
from ssbx.problems.stripping.state import InterfaceState, Load, StepReport, StrippingSettings
from ssbx.problems.stripping.vacancy_coupling import LithiumVacancies
from ssbx.problems.submesh import tagged_submesh


# --------------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------------
def lithium_domain(cell_mesh: Any) -> tuple[dolfinx.mesh.Mesh, dolfinx.mesh.MeshTags]:
    """The Li submesh of a cell mesh with its facet tags (the contact becomes its top)."""
    sub = tagged_submesh(cell_mesh.mesh, cell_mesh.cell_tags, CellTag.LITHIUM,
                         cell_mesh.facet_tags)
    return sub.mesh, sub.facet_tags


class ContactBounds:
    """The bounds of the contact variational inequality on the Li mechanics' SNES.

    ``lower`` and ``upper`` are functions of the displacement space (the contact sets the
    vertical component's upper bound at the interface; ``lower`` is unbounded). In the mixed
    formulation (3-D creep: the displacement and a mean stress per creeping tag as one blocked
    system) the bounds cover the whole blocked vector: the mean stresses are unbounded and the
    displacement's bounds are copied into the blocked layout after every change
    (:meth:`update`).

    ``solver``: ``"reduced_space"`` gives the bounds to PETSc's ``vinewtonrsls``;
    ``"active_set"`` installs the fixed-sparsity semismooth Newton hooks of
    :class:`ssbx.problems.active_set.UpperBoundActiveSet` on a ``newtonls`` SNES.
    """

    def __init__(self, mechanics: MechanicsProblem, lower: fem.Function,
                 upper: fem.Function, solver: str = "reduced_space") -> None:
        self._upper = upper
        snes = mechanics.problem.solver
        fields = mechanics.mean_stress_fields()
        self._vectors: tuple[Any, Any] | None = None
        self._hook: Any = None
        if not fields:
            lower_vec, upper_vec = lower.x.petsc_vec, upper.x.petsc_vec
        else:
            free_lower, free_upper = [], []
            for f in fields:
                lo, hi = fem.Function(f.function_space), fem.Function(f.function_space)
                lo.x.array[:] = PETSc.NINFINITY
                hi.x.array[:] = PETSc.INFINITY
                free_lower.append(lo)
                free_upper.append(hi)
            self._free_upper = free_upper
            spaces = [upper.function_space, *(f.function_space for f in fields)]
            lower_vec = dolfinx.fem.petsc.create_vector(spaces, kind="mpi")
            upper_vec = dolfinx.fem.petsc.create_vector(spaces, kind="mpi")
            dolfinx.fem.petsc.assign([lower, *free_lower], lower_vec)
            dolfinx.fem.petsc.assign([upper, *free_upper], upper_vec)
            self._vectors = (lower_vec, upper_vec)
        if solver == "active_set":
            from ssbx.problems.active_set import UpperBoundActiveSet

            problem = mechanics.problem
            mats = [problem.A] if problem.P_mat is None else [problem.A, problem.P_mat]
            self._hook = UpperBoundActiveSet(mechanics.comm, upper_vec, mats)
            mechanics.bound_hook = self._hook
        elif solver == "reduced_space":
            snes.setVariableBounds(lower_vec, upper_vec)
        else:
            raise StrippingError(f"unknown contact solver {solver!r}")

    def update(self) -> None:
        """Pass a changed upper bound (``upper``'s values) to SNES (or the active set)."""
        if self._vectors is not None:
            dolfinx.fem.petsc.assign([self._upper, *self._free_upper], self._vectors[1])
        if self._hook is not None:
            self._hook.refresh()

    def destroy(self) -> None:
        """Free the blocked bound vectors (collective)."""
        if self._vectors is not None:
            for vec in self._vectors:
                vec.destroy()
            self._vectors = None


def _weighted_neighbours(nodes: InterfaceNodes) -> tuple[np.ndarray, list[np.ndarray]]:
    """Interface nodes without a lumped weight (the axis node of axisymmetric P2, the vertices
    of P2 triangles in 3-D, whose nodal rule weighs the edge midpoints only) and, for each, the
    weighted nodes nearest to it (within 1 % of the nearest distance): a contact pressure
    (force over weight) is defined at weighted nodes only, so such a node takes their mean
    pressure, and in 3-D its reaction force is shared among them (the whole contact force is
    kept; the axis node of an axisymmetric cell keeps the 2-D results' convention: its force
    is left out)."""
    w = nodes.weights
    ok = w > 1e-12 * np.max(w)
    idx = np.flatnonzero(ok)
    unweighted = np.flatnonzero(~ok)
    neighbours = []
    if idx.size:
        near = nearest_sets(nodes.coords[idx], nodes.coords[unweighted], slack=1.01)
        neighbours = [idx[n] for n in near]
    else:
        unweighted = np.zeros(0, dtype=np.int64)
    return unweighted, neighbours


def nearest_sets(points: np.ndarray, queries: np.ndarray, slack: float) -> list[np.ndarray]:
    """For each query point, the indices (ascending) of the ``points`` within ``slack`` times
    its nearest distance. A bucket grid of about one point per bucket: the search widens ring
    by ring until it holds a point, then takes every bucket that the ball of ``slack`` times
    the nearest distance touches, so the sets are exactly the brute-force ones at O(N + M)
    cost (a 3-D interface of 10^4 vertices against 3 x 10^4 midpoints: the all-pairs search
    took seconds)."""
    import itertools

    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = hi - lo
    # the interface plane's lateral axes (not a flat axis's round-off, ~1e-23 m: buckets sized
    # by it would make the rings endless)
    axes = np.flatnonzero(extent > 1e-9 * float(np.max(extent)))
    if axes.size == 0:
        return [np.arange(points.shape[0]) for _ in range(queries.shape[0])]
    h = (float(np.prod(extent[axes])) / points.shape[0]) ** (1.0 / axes.size)
    keys = np.floor((points[:, axes] - lo[axes]) / h).astype(np.int64)
    buckets: dict[tuple[int, ...], list[int]] = {}
    for i, key in enumerate(map(tuple, keys)):
        buckets.setdefault(key, []).append(i)
    reach = int(np.max(keys)) + 2  # a ring this wide covers every bucket

    def ring_members(centre: np.ndarray, radius: int) -> np.ndarray:
        found = [buckets.get(tuple(centre + off), ())
                 for off in itertools.product(range(-radius, radius + 1), repeat=axes.size)]
        return np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64)

    out = []
    for q in queries:
        centre = np.floor((q[axes] - lo[axes]) / h).astype(np.int64)
        radius, members = 1, ring_members(centre, 1)
        while members.size == 0 and radius <= reach + int(np.max(np.abs(centre))):
            radius += 1
            members = ring_members(centre, radius)
        dist = np.linalg.norm(points[members] - q, axis=1)
        bound = slack * float(np.min(dist))
        needed = int(np.ceil(bound / h)) + 1
        if needed > radius:  # a nearer point may lie beyond the first ring: look again
            members = ring_members(centre, needed)
            dist = np.linalg.norm(points[members] - q, axis=1)
            bound = slack * float(np.min(dist))  # no larger: the ring still covers its ball
        out.append(np.sort(members[dist <= bound]))
    return out


class StrippingProblem:
    """The coupled current / contact / Li creep problem of the module docstring."""

    def __init__(self, cell_mesh: Any, settings: StrippingSettings) -> None:
        t0 = time.perf_counter()
        if isinstance(settings.current.kinetics, PrimaryKinetics):
            raise StrippingError("stripping needs interface kinetics (linear or butler_volmer); "
                                 "primary kinetics has no current-overpotential law")
        self.settings = settings
        #: stripped thickness per charge and area [m/(C/m^2)], Omega / F of the anode metal; the
        #: same Omega / F [V/Pa] shifts the equilibrium potential per unit contact pressure
        self.thickness_per_charge = settings.current.molar_volume / FARADAY
        self.cell_mesh = cell_mesh
        geometry = cell_mesh.geometry
        self.geometry = geometry
        self.axisymmetric = geometry.kind == "axisymmetric"
        #: 2 (plane strain, axisymmetric) or 3 (a box); the vertical coordinate is the last
        self.dim = cell_mesh.mesh.topology.dim
        self.up = self.dim - 1
        self.comm: MPI.Comm = cell_mesh.comm
        #: voids cut into the Li mesh (``geometry.void_model = "explicit"``), not gap fields
        self.explicit_voids = geometry.explicit_voids
        if self.dim == 3 and self.explicit_voids:
            raise StrippingError("a 3-D stripping problem does not have explicit voids yet "
                                 "(geometry.void_model = \"explicit\"; its pores are initial "
                                 "gaps on the flat interface)")
        self.warnings: list[str] = ([] if self.explicit_voids
                                    else small_slope_check(settings.voids, geometry.h_li))
        self.warnings += roughness_slope_check(geometry)

        # electrolyte potential (galvanostatic; a potentiostatic twin is built on demand); with
        # explicit voids the electrolyte surface above them may come into contact too
        self.se_domain = electrolyte_domain(cell_mesh)
        if self.explicit_voids:
            merged = retagged(self.se_domain.mesh, self.se_domain.facet_tags,
                              {int(FacetTag.VOID_SE): int(FacetTag.CONTACT)})
            self.se_domain = dataclasses.replace(self.se_domain, facet_tags=merged)
        self._current_problems: dict[str, CurrentDistributionProblem] = {}
        from ssbx.problems.lifetime import track

        track(self)
        self._potential_maps: dict[int, LocalMap] = {}
        cp = self._current_problem("galvanostatic")
        v = ufl.TestFunction(cp.V)
        self.nodes = InterfaceNodes(cp.V, cp.contact_facets, v * cp.weight * cp.ds_contact,
                                    tolerance=1e-9 * max(geometry.width, geometry.h_li))
        self.area = self.nodes.area

        # Li mechanics with the contact bound
        self.li_mesh, self.li_tags = lithium_domain(cell_mesh)
        self.mechanics = self._mechanics_problem()
        Vm = self.mechanics.V
        bs = Vm.dofmap.index_map_bs
        fdim = self.li_mesh.topology.dim - 1
        li_contact = self.li_tags.find(int(FacetTag.CONTACT))
        if self.explicit_voids:  # every Li surface point facing the electrolyte
            li_contact = np.union1d(li_contact, self.li_tags.find(int(FacetTag.VOID_LI)))
        dofs = fem.locate_dofs_topological(Vm.sub(self.up), fdim, li_contact)
        coords = Vm.tabulate_dof_coordinates()[dofs // bs].copy()
        owned = dofs // bs < Vm.dofmap.index_map.size_local
        depth = -coords[:, self.up]  # distance to the electrolyte surface straight above
        coords[:, self.up] = 0.0
        self.li_map: LocalMap = self.nodes.local_map(dofs, coords, owned)
        self._lower = fem.Function(Vm)
        self._upper = fem.Function(Vm)
        self._lower.x.array[:] = PETSc.NINFINITY
        self._upper.x.array[:] = PETSc.INFINITY
        self._bounds = ContactBounds(self.mechanics, self._lower, self._upper,
                                     settings.contact_solver)
        #: nodes without a lumped weight (the vertices of P2 triangles in 3-D) and the weighted
        #: nodes whose mean contact pressure they take
        self._pressure_neighbours = _weighted_neighbours(self.nodes)
        self._electrolyte_elastic = None
        if settings.electrolyte_mechanics == "elastic":
            self._electrolyte_elastic = ElectrolyteDeflection(
                self.se_domain, settings.electrolyte, self.nodes, self.axisymmetric)

        # interface state
        n = self.nodes.size
        x = self.nodes.coords[:, 0]
        lateral = self.nodes.coords[:, : self.up]  # (x) or (x, y) of each node
        if self.explicit_voids:  # the meshed distance of each Li surface node
            self.g0 = self.nodes.gather(depth, self.li_map)
            self.g0[self.g0 < self.nodes.tolerance] = 0.0  # round-off of the contact's nodes
        else:
            self.g0 = initial_gap(lateral if self.dim == 3 else x, settings.voids,
                                  self.axisymmetric)
        # a rough electrolyte surface: the flat Li touches its highest asperity
        self.g0 = self.g0 + roughness_gap(x, geometry)
        # Z(x) = Z (1 + a cos(2 pi x / lambda)): the kinetic current scales with Z / Z(x)
        self.kinetic_factor = 1.0 / (1.0 + settings.asr_variation
                                     * np.cos(2.0 * math.pi * x / settings.asr_wavelength))
        zeros = np.zeros(n)
        self.state = InterfaceState(removed=zeros.copy(), deflection=zeros.copy(),
                                    uy=zeros.copy(), gap=self.g0.copy(), pressure=zeros.copy(),
                                    contact=self.g0 <= settings.contact_tolerance,
                                    current=zeros.copy(), opened=zeros.copy())
        self.vacancies = None
        if settings.vacancy is not None:
            self.vacancies = LithiumVacancies(
                self.li_mesh, self.li_tags, self.nodes, self.mechanics, settings.vacancy,
                settings.temperature, settings.current.degree, self.axisymmetric,
                explicit_voids=self.explicit_voids)
        #: the consistent lattice-site balance: the Li surface recedes by the sites the
        #: interface annihilates, not by Omega i / F (vacancy_coupling, point 6)
        self.site_sink = self.vacancies is not None and self.vacancies.interface_sink
        #: the last step's interface annihilation rate [m/s] per node: the predictor of the
        #: removed thickness within a step (site_sink)
        self.interface_sink_rate = np.zeros(n)
        #: the last step's annihilated sites over the stripped atoms (the predictor's factor)
        self.sink_fraction = 1.0
        self.time = 0.0
        self.charge = 0.0  # ∫ I dt [C] (per m depth in plane)
        self.charge_throughput = 0.0  # ∫ |I| dt [C]: the scale of the inventory error
        self.plate_displacement = 0.0
        self.plate_pressure = settings.pressure
        self.steps = 0
        self._pending: StepReport | None = None
        self.time_setup = time.perf_counter() - t0

    # -- construction ---------------------------------------------------------------------------
    def _current_problem(self, mode: str) -> CurrentDistributionProblem:
        if mode not in self._current_problems:
            s = dataclasses.replace(self.settings.current, mode=mode,
                                    counter_electrode="ideal")
            self._current_problems[mode] = CurrentDistributionProblem(
                self.se_domain, s, evolving_contact=True, prefix=f"ssbx_strip_{mode[:5]}_")
        return self._current_problems[mode]

    def _mechanics_problem(self) -> MechanicsProblem:
        s = self.settings
        bottom = int(FacetTag.LI_BOTTOM)
        if s.fixture == "pressure":
            plate: Any = Traction(bottom, s.pressure)
        elif s.fixture == "rigid_plate":
            plate = RigidPlate(bottom, self.up, s.pressure)
        elif s.fixture == "spring":
            plate = Spring(bottom, s.pressure, s.stiffness)
        elif s.fixture == "fixed_gap":
            plate = Displacement(bottom, self.up, self._uniaxial_strain() * -self.geometry.h_li)
        else:
            raise StrippingError(f"unknown fixture {s.fixture!r}")
        sides = [FacetTag.SIDE_LEFT, FacetTag.SIDE_RIGHT]
        if self.dim == 3:
            sides += [FacetTag.SIDE_FRONT, FacetTag.SIDE_BACK]
        bcs = [plate, *(Symmetry(int(tag)) for tag in sides)]
        li = int(CellTag.LITHIUM)
        options: dict[str, Any] = {
            # l2: ~2.6 residual evaluations (creep kernel + assembly) per iteration; basic:
            # one, 1.5-2.2x faster per step (contact.line_search; stripping_performance)
            "snes_linesearch_type": s.line_search,
        }
        if s.contact_solver == "reduced_space" and s.contact_factorization == "lagged":
            raise StrippingError("a lagged LU needs the active-set contact solver (the reduced "
                                 "space builds a new matrix at every Newton iteration)")
        if s.contact_solver == "reduced_space":
            # absolute, in metres: must be far below any gap that matters (default 1e-8 m)
            options |= {"snes_type": "vinewtonrsls", "snes_vi_zero_tolerance": 1e-16}
        else:  # the bounds by hooks on a plain Newton (ContactBounds, active_set)
            options |= {"snes_type": "newtonls"}
        kind = "3d" if self.dim == 3 else "axisymmetric" if self.axisymmetric else "plane_strain"
        return MechanicsProblem(
            self.li_mesh, None, self.li_tags, kind=kind, materials={li: s.li},
            creep={li: s.creep}, temperature=s.temperature, bcs=bcs, degree=2,
            plate_tag=bottom, stress_scale=s.pressure, rtol=s.mechanics_rtol,
            atol=s.mechanics_atol, max_iterations=15, predictor="linear",
            # lagged: the active set keeps the sparsity, so an LU can precondition GMRES in
            # later iterations (ssbx.problems.factor_reuse)
            linear_solver="lu_reuse" if s.contact_factorization == "lagged" else "lu",
            petsc_options=options, prefix="ssbx_strip_mech_")

    def _uniaxial_strain(self) -> float:
        """Vertical strain of the Li under the stack pressure with rollers (eps_yy < 0)."""
        li = self.settings.li
        return -self.settings.pressure / (li.lame_lambda + 2.0 * li.shear_modulus)

    def set_stack_pressure(self, pressure: float) -> None:
        """Change the stack pressure [Pa] of a ``pressure`` or ``rigid_plate`` (or the preload of
        a ``spring``) fixture from the next step on (pressure protocols, e.g. a high-pressure
        hold)."""
        bcs = self.mechanics.bcs_spec
        for k, bc in enumerate(bcs):
            if isinstance(bc, Traction | RigidPlate):
                bcs[k] = dataclasses.replace(bc, pressure=float(pressure))
            elif isinstance(bc, Spring):
                bcs[k] = dataclasses.replace(bc, preload=float(pressure))
            elif isinstance(bc, Displacement) and bc.tag == int(FacetTag.LI_BOTTOM):
                raise StrippingError("a fixed-gap fixture has no stack pressure to set")
        self.mechanics.set_stress_scale(float(pressure))

    def creep_step_estimate(self, max_dp: float) -> float:
        """A time step [s] in which the fastest-creeping point of the committed state gains at
        most ``max_dp`` of plastic strain (inf for elastic Li): ``max_dp / rate(sigma_eq max)``,
        the start of a run from the elastic contact, whose stress concentrations at contact
        edges make the first creep steps very short."""
        from ssbx.physics.creep_laws import AnandLi

        law = self.settings.creep
        if law is None or not self.mechanics.regions:
            return math.inf
        tag = next(iter(self.mechanics.regions))
        state = self.mechanics.quadrature_state(tag)
        n = self.mechanics.regions[tag].num_owned_points
        sig = state["stress"][:n]
        mean = (sig[:, 0] + sig[:, 1] + sig[:, 2]) / 3.0
        dev = sig.copy()
        dev[:, :3] -= mean[:, None]
        seq = float(np.max(np.sqrt(1.5 * np.sum(dev * dev, axis=1)), initial=0.0))
        seq = self.comm.allreduce(seq, op=MPI.MAX)
        T = self.settings.temperature
        if isinstance(law, AnandLi):
            rate = law.flow_rate(seq, law.S0, T)
        else:
            rate = law.rate(seq, T)
        return max_dp / rate if rate > 0.0 else math.inf

    # -- interface helpers ----------------------------------------------------------------------
    def _interface_uy(self) -> np.ndarray:
        return self.nodes.gather(self.mechanics.u.x.array[self.li_map.dofs], self.li_map)

    def _contact_pressure(self) -> np.ndarray:
        """Nodal contact pressure [Pa] = -residual / lumped weight at the interface y-dofs."""
        res = self.mechanics.residual_vector()
        force = -self.nodes.gather(res.array[self.li_map.dofs], self.li_map)
        w = self.nodes.weights
        p = np.zeros_like(force)
        ok = w > 1e-12 * np.max(w)
        unweighted, neighbours = self._pressure_neighbours
        if self.dim == 3:  # the P2 triangles' vertices (the axisymmetric axis node: as before)
            for k, near in zip(unweighted, neighbours, strict=True):
                force[near] += force[k] / near.size  # the force of a node without weight
        p[ok] = force[ok] / w[ok]  # so that sum_k w_k p_k is the whole contact force
        for k, near in zip(unweighted, neighbours, strict=True):
            p[k] = float(np.mean(p[near]))
        return p

    def _set_bound(self, bound: np.ndarray) -> None:
        self.nodes.scatter(bound, self._upper.x.array, self.li_map)
        self._bounds.update()

    def _obstacle(self, removed: np.ndarray, deflection: np.ndarray) -> np.ndarray:
        return self.g0 + self.state.opened + removed + deflection

    def _guess(self, bound_new: np.ndarray, contact: np.ndarray) -> Callable[[fem.Function], None]:
        """Rigid-body predictor on top of the linear one: translate the Li up until the
        contacting node that lags most reaches the new bound, then clip the interface onto the
        bound (so that the contact set is not empty and the reduced system not singular)."""
        d = self.li_map.dofs
        local_bound = bound_new[self.li_map.nodes]
        local_contact = contact[self.li_map.nodes]
        if not self.comm.allreduce(bool(local_contact.any()), op=MPI.LOR):
            local_contact = np.ones_like(local_contact)
        fixture_moves = self.settings.fixture != "fixed_gap"
        up, dim = self.up, self.dim

        def adjust(u: fem.Function) -> None:
            lag = local_bound[local_contact] - u.x.array[d][local_contact]
            shift = self.comm.allreduce(float(np.max(lag, initial=-np.inf)), op=MPI.MAX)
            if fixture_moves and shift > 0.0:
                u.x.array[up::dim] += shift
            u.x.array[d] = np.minimum(u.x.array[d], local_bound)

        return adjust

    # -- solves ---------------------------------------------------------------------------------
    def initialize(self) -> StepReport:
        """Elastic contact under the stack pressure (dt = 0): the state at t = 0."""
        if self.steps:
            raise StrippingError("initialize() after steps were taken")
        bound = self._obstacle(self.state.removed, self.state.deflection)
        strain = self._uniaxial_strain()

        up, dim = self.up, self.dim

        def uniaxial(u: fem.Function) -> None:
            u.interpolate(lambda x: np.vstack([strain * x[up] if i == up else np.zeros(x.shape[1])
                                               for i in range(dim)]))
            d = self.li_map.dofs
            u.x.array[d] = np.minimum(u.x.array[d], bound[self.li_map.nodes])

        report = self._solve(0.0, Load.current(0.0), first_guess=uniaxial)
        if not report.converged:
            raise StrippingError(f"the initial elastic contact solve failed: {report.why}")
        self.commit()
        if self.vacancies is not None:
            self.vacancies.equilibrate()
        return report

    def try_step(self, dt: float, load: Load) -> StepReport:
        """Attempt a step of length dt [s] under ``load`` from the committed state (not
        committed: call :meth:`commit` or :meth:`reject`)."""
        if dt <= 0.0:
            raise ValueError(f"dt must be > 0, got {dt}")
        return self._solve(dt, load)

    def _solve(self, dt: float, load: Load,
               first_guess: Callable[[fem.Function], None] | None = None) -> StepReport:
        s = self.settings
        st0 = self.state
        report = StepReport(dt=dt, load=load, converged=False,
                            plate_displacement_before=self.plate_displacement)
        contact = st0.contact.copy()
        pressure = st0.pressure.copy()
        deflection = st0.deflection.copy()
        skip_current = (dt == 0.0 or (load.mode == "galvanostatic" and load.value == 0.0
                                      and not s.stress_coupling))
        contact_old = st0.gap <= s.contact_tolerance  # the rigid-body predictor follows it
        if self.vacancies is not None:  # nodes that nucleated last: contact before that
            contact_old = contact_old | self.vacancies.last_nucleated
        if not skip_current and not contact.any():
            # nothing conducts (e.g. voids nucleated on the whole contact): let the mechanics
            # find the contact first, without stripping
            t = time.perf_counter()
            ok, why, uy, pressure, _ = self._solve_contact(
                dt, st0.removed, deflection, contact_old, report, first_guess)
            report.time_mechanics += time.perf_counter() - t
            if not ok:
                report.why = why
                return report
            contact = self._obstacle(st0.removed, deflection) - uy <= s.contact_tolerance
            if not contact.any():
                report.why = "no part of the interface is in contact"
                return report
            first_guess = None
        history = [contact]
        for _ in range(s.max_stagger_iterations):
            report.passes += 1
            t = time.perf_counter()
            if skip_current:
                current = np.zeros(self.nodes.size)
                voltage, total = self.open_circuit_voltage(pressure, contact), 0.0
            else:
                try:
                    current, voltage, total = self._solve_current(load, contact, pressure)
                except Exception as err:  # SolverDivergedError or PETSc errors
                    report.why = f"current solve failed: {err}"
                    return report
            report.time_current += time.perf_counter() - t
            if self.site_sink:  # predicted; corrected by the vacancy step at commit
                removed = st0.removed + (self.sink_fraction * self.thickness_per_charge
                                         * current * dt)
            else:
                removed = st0.removed + self.thickness_per_charge * current * dt
            t = time.perf_counter()
            ok, why, uy, new_pressure, new_deflection = self._solve_contact(
                dt, removed, deflection, contact_old, report,
                first_guess if report.passes == 1 else None)
            report.time_mechanics += time.perf_counter() - t
            if not ok:
                report.why = why
                return report
            gap = self._obstacle(removed, deflection) - uy
            # hysteresis against chatter at the contact front: a node enters the contact at a
            # gap <= tol and leaves it only beyond 10 tol (gaps of ~1 nm do not matter here)
            new_contact = (gap <= s.contact_tolerance) | (contact & (gap <= 10.0
                                                                     * s.contact_tolerance))
            if not np.array_equal(new_contact, contact) and any(
                    np.array_equal(new_contact, seen) for seen in history[:-1]):
                report.why = ("contact set cycles between passes (the step is too long for the "
                              "contact front)")
                return report
            history.append(new_contact)
            changed = int(np.count_nonzero(new_contact != contact))
            moved = float(np.max(np.abs(new_deflection - deflection), initial=0.0))
            settled = changed == 0 and moved <= s.contact_tolerance
            contact, pressure = new_contact, new_pressure
            used_deflection, deflection = deflection, new_deflection
            if settled or (skip_current and moved <= s.contact_tolerance):
                break
        else:
            report.why = (f"contact set still changing after {s.max_stagger_iterations} passes "
                          f"({changed} nodes, electrolyte deflection change {moved:.2e} m)")
            return report
        deflection = used_deflection
        report.converged = True
        report.voltage, report.total_current = voltage, total
        report.state = InterfaceState(removed=removed, deflection=deflection, uy=uy,
                                      gap=gap, pressure=pressure, contact=contact,
                                      current=current, opened=st0.opened.copy())
        bottom = int(FacetTag.LI_BOTTOM)
        report.plate_displacement = -self.mechanics.mean_normal_displacement(bottom)
        report.plate_pressure = self.nodes.integrate(pressure) / self.area
        self._pending = report
        return report

    def _solve_contact(self, dt: float, removed: np.ndarray, deflection: np.ndarray,
                       contact_old: np.ndarray, report: StepReport,
                       first_guess: Callable[[fem.Function], None] | None
                       ) -> tuple[bool, str, np.ndarray, np.ndarray, np.ndarray]:
        """Li contact solve with the bound for ``removed`` and the electrolyte ``deflection``;
        returns (ok, why, u_y, contact pressure, the deflection this pressure causes)."""
        bound = self._obstacle(removed, deflection)
        self._set_bound(bound)
        guess = first_guess or self._guess(bound, contact_old)
        res = self.mechanics.solve_step(dt, adjust_guess=guess)
        report.newton += res.iterations
        report.max_dp = max(report.max_dp, res.max_dp)
        if not res.converged:
            return (False, f"contact solve failed (SNES reason {res.reason}, "
                    f"{res.iterations} iterations, failed points {res.failed_points})",
                    deflection, deflection, deflection)
        uy = self._interface_uy()
        pressure = self._contact_pressure()
        new_deflection = deflection
        if self._electrolyte_elastic is not None:
            t = time.perf_counter()
            new_deflection = self._electrolyte_elastic.deflection(pressure)
            report.time_electrolyte += time.perf_counter() - t
        return True, "", uy, pressure, new_deflection

    def _solve_current(self, load: Load, contact: np.ndarray,
                       pressure: np.ndarray) -> tuple[np.ndarray, float, float]:
        """Potential for the given contact set and pressure: nodal anodic current densities
        [A/m^2], cell voltage [V], total current [A] (per m depth in plane)."""
        s = self.settings
        cp = self._current_problem(load.mode)
        lmap = self._potential_map(cp)
        self.nodes.scatter(contact * self.kinetic_factor, cp.contact_mask.x.array, lmap)
        stress = -pressure if s.stress_coupling else np.zeros_like(pressure)
        self.nodes.scatter(stress, cp.contact_stress.x.array, lmap)
        if load.mode == "galvanostatic":
            cp.set_load(current_density=load.value)
        else:
            cp.set_load(voltage=load.value)
        cp.solve_only()
        phi = self.nodes.gather(cp.phi.x.array[lmap.dofs], lmap)
        eta = -phi - s.current.equilibrium_potential
        if s.stress_coupling:
            eta = eta + self.thickness_per_charge * pressure
        current = np.where(contact, self.kinetic_factor
                           * s.current.kinetics.current_density(eta), 0.0)
        total = self.nodes.integrate(current)
        voltage = cp.galvanostatic_voltage() if load.mode == "galvanostatic" else load.value
        return current, voltage, total

    def open_circuit_voltage(self, pressure: np.ndarray | None = None,
                             contact: np.ndarray | None = None) -> float:
        """Cell voltage without current [V]: ``-Omega <p>_contact / F`` (stress-coupled; the
        potential of the electrolyte equals that of the stressed metal); the committed state's
        unless ``pressure`` and ``contact`` are given."""
        if pressure is None or contact is None:
            pressure, contact = self.state.pressure, self.state.contact
        if not self.settings.stress_coupling or not contact.any():
            return 0.0
        w = self.nodes.weights * contact
        return -self.thickness_per_charge * float(np.dot(w, pressure) / max(np.sum(w), 1e-300))

    def _potential_map(self, cp: CurrentDistributionProblem) -> LocalMap:
        """Interface dof map of a current problem's potential space (the galvanostatic one
        defined the nodes; a potentiostatic twin is matched by coordinates once)."""
        key = id(cp.V)
        if key not in self._potential_maps:
            if cp.V is self._current_problem("galvanostatic").V:
                self._potential_maps[key] = self.nodes.space_map
            else:
                fdim = cp.V.mesh.topology.dim - 1
                dofs = fem.locate_dofs_topological(cp.V, fdim, cp.contact_facets)
                self._potential_maps[key] = self.nodes.local_map(
                    dofs, cp.V.tabulate_dof_coordinates()[dofs],
                    dofs < cp.V.dofmap.index_map.size_local)
        return self._potential_maps[key]

    # -- commit ---------------------------------------------------------------------------------
    def commit(self) -> StepReport:
        """Accept the last converged step."""
        rep = self._pending
        if rep is None or rep.state is None:
            raise StrippingError("commit() without a converged, uncommitted step")
        if self.vacancies is not None and rep.dt > 0.0:
            self._nucleate(rep)
        self.mechanics.commit()
        self.state = rep.state
        self.time += rep.dt
        self.charge += rep.total_current * rep.dt
        self.charge_throughput += abs(rep.total_current) * rep.dt
        self.plate_displacement = rep.plate_displacement
        self.plate_pressure = rep.plate_pressure
        if rep.dt > 0.0:
            self.steps += 1
        warning = stripped_thickness_check(self.state.removed, self.geometry.h_li)
        if warning and warning not in self.warnings:
            self.warnings.append(warning)
        self._pending = None
        return rep

    def _nucleate(self, rep: StepReport) -> None:
        """Step the vacancy field over the step and open a void nucleus where the interface
        supersaturation reached the criterion (:mod:`ssbx.problems.stripping.vacancy_coupling`)."""
        from ssbx.errors import VacancySolveError

        t = time.perf_counter()
        try:
            nucleate = self.vacancies.advance(rep.dt, rep.state)
        except VacancySolveError as err:
            raise StrippingError(str(err)) from err
        st = rep.state
        if self.site_sink:  # the interface receded by the sites it annihilated (and plating)
            dr = self.vacancies.interface_annihilation + self.vacancies.direct_plating
            predicted = st.removed - self.state.removed
            st.removed = self.state.removed + dr
            st.gap = st.gap + (dr - predicted)
            self.interface_sink_rate = dr / rep.dt
            stripped = self.thickness_per_charge * rep.total_current * rep.dt
            if abs(stripped) > 0.0:
                self.sink_fraction = float(np.clip(self.nodes.integrate(dr) / stripped, 0.0,
                                                   1.0))
            self.vacancies.plated_directly += self.nodes.integrate(
                self.vacancies.direct_plating)
        # void surfaces grow by the vacancies condensed on them (or shrink by emission, never
        # below contact)
        grown = np.where(st.contact, 0.0, np.maximum(self.vacancies.condensation, -st.gap))
        if grown.any():
            st.opened = st.opened + grown
            st.gap = st.gap + grown
        if nucleate.any():
            h = self.vacancies.nucleus * nucleate
            st.opened = st.opened + h
            st.gap = st.gap + h
            st.contact = st.contact & ~nucleate
        self.vacancies.record(nucleate, self.time + rep.dt)
        rep.nucleated = int(np.count_nonzero(nucleate))
        rep.time_vacancy = time.perf_counter() - t

    def reject(self) -> None:
        """Discard the last attempted step."""
        self.mechanics.reject()
        self._pending = None

    # -- outputs --------------------------------------------------------------------------------
    def scalars(self, previous: InterfaceState | None = None,
                report: StepReport | None = None) -> dict[str, float]:
        """Interface and cell quantities of the committed state (SI; see :data:`HISTORY_UNITS`).
        ``previous`` (the state before the last step) and ``report`` add rates."""
        st, nodes, A = self.state, self.nodes, self.area
        w_contact = nodes.integrate(st.contact.astype(float))
        removed_volume = nodes.integrate(st.removed)
        expected = self.thickness_per_charge * self.charge
        scale = max(self.thickness_per_charge * self.charge_throughput, 1e-300)
        i_contact_mean = nodes.integrate(st.current) / w_contact if w_contact > 0 else math.nan
        peak = float(np.max(np.abs(st.current), initial=0.0))
        out = {
            "time": self.time,
            "contact_fraction": w_contact / A,
            "void_volume": nodes.integrate(st.gap),
            "void_depth_max": float(np.max(st.gap, initial=0.0)),
            "current_density_mean": nodes.integrate(st.current) / A,
            "current_density_peak": peak,
            "peak_to_mean_ratio": (peak / abs(i_contact_mean)
                                   if i_contact_mean and np.isfinite(i_contact_mean) else math.nan),
            "contact_pressure_max": float(np.max(st.pressure, initial=0.0)),
            "contact_pressure_min": float(np.min(st.pressure[st.contact], initial=0.0)),
            "stack_pressure": self.plate_pressure,
            "plate_displacement": self.plate_displacement,
            "removed_thickness_mean": removed_volume / A,
            "removed_thickness_max": float(np.max(st.removed, initial=0.0)),
            "charge_density": self.charge / A,
            # (∫ r dA - Omega Q / F) / (Omega ∫|I| dt / F): relative to all Li moved so far;
            # with the site balance: Omega Q / F against the sites' fates (below)
            "li_inventory_error": (removed_volume - expected) / scale,
            "penetration_max": float(max(-np.min(st.gap, initial=0.0), 0.0)),
        }
        if self.vacancies is not None:
            # gap opened by nucleated voids and by condensation (not taken from the Li: an
            # error of the model of this size, see ssbx.problems.stripping.vacancy_coupling)
            out["void_nucleated_volume"] = nodes.integrate(st.opened)
        if report is not None:
            out |= {"dt": report.dt, "cell_voltage": report.voltage,
                    "stagger_passes": float(report.passes),
                    "newton_iterations": float(report.newton),
                    "time_current_solve": report.time_current,
                    "time_contact_solve": report.time_mechanics}
            if self.vacancies is not None:
                out["time_vacancy_solve"] = report.time_vacancy
        if self.vacancies is not None:
            out |= self.vacancies.scalars(st.contact)
        if self.site_sink:
            # Omega Q / F = sites injected as vacancies + plated directly; the vacancies are
            # stored, annihilated in the bulk or leave through the surfaces (the contacting
            # interface: the removed thickness; void surfaces: the condensed volume)
            inv = self.vacancies.problem.inventory()
            omega = self.vacancies.settings.material.molar_volume
            fates = omega * (inv["stored"] + inv["annihilated"] + inv["condensed"]
                             + inv["escaped"]) + self.vacancies.plated_directly
            out["li_inventory_error"] = (fates - expected) / scale
            out["interface_annihilation_rate"] = float(
                nodes.integrate(self.interface_sink_rate) / A)
        if previous is not None and report is not None and report.dt > 0.0:
            dt = report.dt
            inflow = nodes.integrate(st.uy - previous.uy) - A * (
                self.plate_displacement - report.plate_displacement_before)
            out |= {"creep_inflow_rate": inflow / (A * dt),
                    "stripping_rate": nodes.integrate(st.removed - previous.removed) / (A * dt)}
        return out

    # -- checkpoints ----------------------------------------------------------------------------
    def checkpoint_fields(self, keys: np.ndarray) -> dict[str, Any]:
        """Name -> (Function, cell keys) of the committed state for :mod:`ssbx.io.checkpoint`;
        ``keys``: the keys of the cell mesh's (root mesh) local cells. Li mechanics (prefix
        ``li_``, see :meth:`MechanicsProblem.checkpoint_fields`) and the potential of every
        current problem built so far (``phi_<mode>``: the Newton start of the next solve)."""
        from ssbx.io.checkpoint import submesh_cell_keys

        root = self.cell_mesh.mesh
        cache = getattr(self, "_checkpoint_keys", None)
        if cache is None or cache[0] is not keys:
            li = submesh_cell_keys(self.li_mesh, root, keys)
            se = submesh_cell_keys(self.se_domain.mesh, root, keys)
            cache = self._checkpoint_keys = (keys, li, se)
        _, li_keys, se_keys = cache
        out = self.mechanics.checkpoint_fields(li_keys, prefix="li_")
        if self.vacancies is not None:
            out["vacancy_theta"] = (self.vacancies.problem.theta, li_keys)
            out["vacancy_theta_0"] = (self.vacancies.problem.theta_0, li_keys)  # inventory
        for mode, cp in sorted(self._current_problems.items()):
            out[f"phi_{mode}"] = (cp.phi, se_keys)
        return out

    def checkpoint_arrays(self) -> dict[str, np.ndarray]:
        """The replicated interface state (``state_<field>``) and, with the site balance, the
        interface annihilation rate (the predictor of the next step)."""
        out = {f"state_{f.name}": np.asarray(getattr(self.state, f.name))
               for f in dataclasses.fields(self.state)}
        if self.site_sink:
            out["interface_sink_rate"] = self.interface_sink_rate.copy()
        return out

    def checkpoint_state(self) -> dict[str, Any]:
        """Counters and scalars of the committed state (JSON-able)."""
        if self._pending is not None:
            raise StrippingError("checkpoint with an uncommitted step")
        plate = next((bc for bc in self.mechanics.bcs_spec
                      if isinstance(bc, (Traction, Spring))), None)
        return {
            "time": self.time, "charge": self.charge,
            "charge_throughput": self.charge_throughput,
            "plate_displacement": self.plate_displacement,
            "plate_pressure": self.plate_pressure, "steps": self.steps,
            "warnings": list(self.warnings),
            "current_modes": sorted(self._current_problems),
            "stack_pressure": (None if plate is None else float(
                plate.pressure if isinstance(plate, Traction) else plate.preload)),
            "mechanics": self.mechanics.checkpoint_state(),
            "vacancies": (None if self.vacancies is None
                          else self.vacancies.checkpoint_state()),
        }

    def prepare_restore(self, state: dict[str, Any]) -> None:
        """Build the current problems the checkpoint has (before its fields are read)."""
        for mode in state["current_modes"]:
            self._current_problem(mode)

    def restore_checkpoint(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Take back a checkpointed state (fields already read into
        :meth:`checkpoint_fields`'s functions). The problem must not have been stepped."""
        if self.steps:
            raise StrippingError("restore_checkpoint() on a problem that was stepped")
        if state.get("stack_pressure") is not None and self.settings.fixture != "fixed_gap":
            self.set_stack_pressure(float(state["stack_pressure"]))
        self.mechanics.restore_checkpoint(state["mechanics"])
        values = {f.name: np.array(arrays[f"state_{f.name}"])
                  for f in dataclasses.fields(InterfaceState)
                  if f"state_{f.name}" in arrays}
        values.setdefault("opened", np.zeros_like(values["removed"]))  # older checkpoints
        values["contact"] = values["contact"].astype(bool)
        self.state = InterfaceState(**values)
        if self.site_sink and "interface_sink_rate" in arrays:
            self.interface_sink_rate = np.array(arrays["interface_sink_rate"])
        self.time = float(state["time"])
        self.charge = float(state["charge"])
        self.charge_throughput = float(state["charge_throughput"])
        self.plate_displacement = float(state["plate_displacement"])
        self.plate_pressure = float(state["plate_pressure"])
        self.steps = int(state["steps"])
        self.warnings = list(state["warnings"])
        if self.vacancies is not None:
            if not state.get("vacancies"):
                raise StrippingError("the checkpoint has no vacancy field but the case has "
                                     "vacancy transport on")
            self.vacancies.restore(state["vacancies"])
        self._pending = None

    def close(self) -> None:
        """Free the PETSc objects of the mechanics, current and electrolyte solvers now
        (collective: on every rank at the same point, see
        :func:`ssbx.problems.lifetime.destroy_nonlinear_problem`)."""
        from ssbx.problems.lifetime import destroy_nonlinear_problem

        bounds = getattr(self, "_bounds", None)
        if bounds is not None:
            bounds.destroy()
        self.mechanics.close()
        for cp in self._current_problems.values():
            destroy_nonlinear_problem(cp.problem)
        if getattr(self, "vacancies", None) is not None:
            self.vacancies.close()
        deflection = getattr(self, "_electrolyte_elastic", None)
        if deflection is not None:
            deflection._ksp.destroy()
            deflection._A.destroy()

    def num_dofs(self) -> dict[str, int]:
        """Global degrees of freedom per field, and the number of interface nodes."""
        cp = self._current_problem("galvanostatic")
        return {"potential": int(cp.V.dofmap.index_map.size_global),
                "displacement": int(self.mechanics.num_dofs()),
                **({"vacancy": self.vacancies.problem.num_dofs()}
                   if self.vacancies is not None else {}),
                "interface_nodes": int(self.nodes.size)}


#: Units of :meth:`StrippingProblem.scalars` (planar: volumes per metre of depth).
HISTORY_UNITS: dict[str, str] = {
    "time": "s", "dt": "s", "contact_fraction": "1", "void_volume": "m^3 (planar: m^2)",
    "void_depth_max": "m", "current_density_mean": "A/m^2", "current_density_peak": "A/m^2",
    "peak_to_mean_ratio": "1", "contact_pressure_max": "Pa", "contact_pressure_min": "Pa",
    "stack_pressure": "Pa", "plate_displacement": "m", "removed_thickness_mean": "m",
    "removed_thickness_max": "m", "charge_density": "C/m^2", "li_inventory_error": "1",
    "penetration_max": "m", "cell_voltage": "V", "stagger_passes": "1",
    "newton_iterations": "1", "time_current_solve": "s", "time_contact_solve": "s",
    "creep_inflow_rate": "m/s", "stripping_rate": "m/s",
    "vacancy_theta_max": "1", "vacancy_nucleation_ratio_max": "1", "nucleation_events": "1",
    "nucleated_fraction": "1", "first_nucleation_time": "s", "vacancy_balance_error": "1",
    "dislocation_density_max": "1/m^2", "time_vacancy_solve": "s",
    "void_nucleated_volume": "m^3 (planar: m^2)",
    "void_condensed_volume": "m^3 (planar: m^2)",
}


__all__ = ["HISTORY_UNITS", "StrippingProblem", "lithium_domain"]
