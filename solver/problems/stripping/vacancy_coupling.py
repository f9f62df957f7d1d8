"""Vacancies in the Li of a stripping problem and void nucleation: the diffusion leg of the
three-flux balance (migration = self-diffusion + creep).

The field is :class:`ssbx.problems.vacancy.VacancyProblem` (``theta = c_v / c_eq``, see
:mod:`ssbx.physics.vacancy`) on the Li submesh of a :class:`ssbx.problems.stripping.problem.
StrippingProblem`, with the degree of the potential so that its interface nodes are the
stripping problem's (same coordinates, same Gauss–Lobatto weights). After every converged
stripping step, before it is committed (operator split; the vacancy step is backward Euler over
the same dt):

1. injection ``J_theta = i Omega / (F c_eq)`` at the contacting nodes from the step's nodal
   anodic current i (each stripped atom leaves a vacancy behind; plating, i < 0, fills
   vacancies: ``J_theta = i Omega / (F c_eq) min(theta_n, 1)`` so that theta cannot be driven
   below zero); nothing where the interface is open;
2. sink ``k = D_v rho`` per cell with ``rho = rho_0 + eps_dot_p / (b v_ref)``
   (:func:`ssbx.physics.vacancy.creep_dislocation_density`: the Orowan density of the creep
   rate the Li mechanics just computed, cell mean of the equivalent plastic-strain rate;
   ``v_ref = 0`` switches the creep term off);
3. drift in the hydrostatic stress of the Li mechanics (cell means, L2-projected onto a
   continuous field so that its gradient exists); the sink drives theta to the local equilibrium
   ``theta_eq = exp(beta sigma_h)``, and the field starts there (the initial elastic contact);
4. nucleation. A void surface is traction free: its vacancies are in equilibrium at
   ``theta = 1`` times the capillary factor ``exp(2 gamma Omega / (r R T))`` of its curvature,
   whatever the stress in the Li around it (Herring's surface chemical potential; the same
   criterion as for electromigration voiding, Korhonen et al. 1993, J. Appl. Phys. 73, 3790,
   where voids nucleate once the stress-dependent vacancy concentration reaches the capillary
   limit). A contacting node nucleates a void when ``theta >= S`` (S the critical
   supersaturation, ``R T ln S = 2 gamma Omega / r*``): vacancies then condense into the nucleus
   instead of leaving it. The stress enters through theta itself: compression lowers the local
   equilibrium ``exp(beta sigma_h)`` toward which the sink drives theta and so widens the margin
   ``S - theta_eq`` the injection must fill (a stack pressure P raises the uniform critical
   current by ``(S - exp(-beta P)) / (S - 1)``), tension narrows it. (A criterion measured against
   the local lattice equilibrium, ``theta >= S exp(beta sigma_h)``, would let compressed Li
   nucleate voids holding fewer vacancies than a free surface does in equilibrium: vacancies
   would leave such a nucleus, as pores sinter under pressure.) The node then leaves the
   contact: the obstacle there is raised by the height of a critical nucleus
   ``h* = 2 gamma Omega / (R T ln S)`` (classical nucleation theory; the metal's surface energy
   gamma) or a given height, and from then on the void closes by creep or grows by stripping
   around it, as any void of the model (its own few 1e-13 m of vacancies stay in the field);
5. void surfaces (``void_surfaces``): open interface nodes exchange vacancies with the Li at
   their equilibrium ``theta = 1`` (a Robin condition with a fast rate h = 100 D_v / the finest
   node spacing); the condensed volume ``c_eq h (theta - 1) dt`` grows the void there, emission
   (``theta < 1``, compressed Li) shrinks it, never past contact. So nucleated and initial
   voids also grow by vacancy condensation and close by diffusion, besides creep.

6. the lattice-site balance (``site_balance``). ``"separate"``: the Li body follows the
   stripped interface (``r = Omega ∫ i dt / F``: the interface a perfect sink of lattice sites)
   *and* every stripped atom is injected as a vacancy (point 1): these are alternatives counted
   together, so a stack pressure cannot reduce the injection. ``"interface_sink"``: every
   stripped atom leaves a vacancy (point 1); at a contacting node the interface annihilates
   vacancies by the sink law ``J = k_s (theta - theta_s)`` (theta units, m/s; a Robin
   condition, implicit in the step) toward its equilibrium under the normal contact traction p,
   ``theta_s = exp(-p Omega / (R T))`` (Herring: compression makes the interface a better sink),
   and only the annihilated sites move the Li surface: the removed thickness grows by
   ``c_eq J dt`` (the stripping problem uses the last step's rate as the predictor within a
   step and corrects the obstacle at commit). The rest stays as vacancies (diffusing,
   annihilated at dislocations, condensing on void surfaces). ``k_s -> inf`` pins theta to
   theta_s and recovers the perfect sink (creep only); ``k_s = 0`` is the vacancy-diffusion
   limit with a fixed lattice. Plating fills vacancies up to the interface's theta (capped at 1)
   and adds the rest as new lattice sites directly. The vacancies annihilated in the bulk take
   their volume with them: a volumetric eigenstrain of the Li mechanics at the rate
   ``-c_eq k (theta - theta_eq)`` (cell midpoints) of the last vacancy step, applied over the
   next step (diffusional shrinkage, which the stack pressure closes by creep).

Why a threshold and not a phase field (Zhao, Wang & Martínez-Pañeda 2022, JMPS 167, 104999):
the threshold keeps the fixed-mesh contact formulation, needs one more linear solve per step and
no interface width to resolve; its price is the critical supersaturation S, a parameter of
nucleation kinetics that is not measured for Li (the predicted critical current scales with
S - 1: see :func:`ssbx.physics.vacancy.critical_current_density`).

The vacancy volume itself is not taken from the Li inventory: stripping still removes
``Omega i dt / F`` at the contact (the lattice fills a vacancy that annihilates or diffuses
away); the field decides *where voids open*, the mechanics how they evolve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx import fem

from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.physics.parameters import Parameters
from ssbx.physics.vacancy import (
    BURGERS_VECTOR_LI,
    VacancyMaterial,
    creep_dislocation_density,
)
from ssbx.problems.interface import InterfaceNodes
from ssbx.problems.mechanics import MechanicsProblem
from ssbx.problems.vacancy import VacancyProblem


@dataclass(frozen=True)
class VacancySettings:
    """Vacancy transport and nucleation in the Li of a stripping problem, SI units.

    material: vacancy data of the metal; critical_supersaturation: S (> 1) [1];
    dislocation_density: rho_0 [1/m^2]; creep_velocity: v_ref [m/s] of the creep-generated
    dislocation density (0: no creep coupling); burgers_vector: b [m]; stress_drift: drift in
    the hydrostatic stress and its local equilibrium exp(beta sigma_h); surface_energy:
    gamma [J/m^2]; nucleus_height: opened gap at nucleation [m] (``None``: the critical
    nucleus ``2 gamma Omega / (R T ln S)``); void_surfaces: open interface nodes (void
    surfaces) exchange vacancies with the Li at ``theta = 1`` and grow or shrink by the
    condensed volume; site_balance: ``"separate"`` (the interface is a perfect sink of
    lattice sites for the Li body and every stripped atom is also injected as a vacancy: the
    two alternatives counted together) or ``"interface_sink"`` (the consistent balance of the
    module docstring, point 6); interface_sink_velocity: k_s [m/s] of the interface sink law
    (``None``: ``D_v / b``); parameters: provenance of the metal's burgers_vector and surface_energy
    (:class:`~ssbx.physics.parameters.Parameter` records; the material's are in
    ``material.parameters``; not compared).
    """

    material: VacancyMaterial
    critical_supersaturation: float = 1.1
    dislocation_density: float = 1e12
    creep_velocity: float = 0.0
    burgers_vector: float = BURGERS_VECTOR_LI
    stress_drift: bool = True
    surface_energy: float = 0.5
    nucleus_height: float | None = None
    void_surfaces: bool = True
    site_balance: str = "separate"
    interface_sink_velocity: float | None = None
    parameters: Parameters = field(default=(), compare=False, repr=False)

    def sink_velocity(self, temperature: float) -> float:
        """Interface sink velocity k_s [m/s]: given, or ``D_v / b`` (a vacancy that reaches
        the interface is annihilated within one jump)."""
        if self.interface_sink_velocity is not None:
            return self.interface_sink_velocity
        return self.material.d_vacancy(temperature) / self.burgers_vector

    def nucleus(self, temperature: float) -> float:
        """Height [m] opened at a nucleation site: given, or ``2 gamma Omega / (R T ln S)``."""
        if self.nucleus_height is not None:
            return self.nucleus_height
        return (2.0 * self.surface_energy * self.material.molar_volume
                / (GAS_CONSTANT * temperature * math.log(self.critical_supersaturation)))


def _finest_spacing(coords: np.ndarray, tolerance: float) -> float:
    """The least distance [m] between two interface nodes along a lateral axis (x, or x and
    y of a 3-D box's node grid; the last coordinate is the vertical; distances within the
    nodes' ``tolerance`` are round-off; 1 for a single node)."""
    spacings = []
    for axis in range(coords.shape[1] - 1):
        gaps = np.diff(np.unique(coords[:, axis]))
        spacings.append(gaps[gaps > tolerance])
    found = np.concatenate(spacings)
    return float(np.min(found)) if found.size else 1.0


class LithiumVacancies:
    """The vacancy field of a stripping problem (see the module docstring).

    li_mesh, li_tags: the Li submesh of the stripping problem and its facet tags (the contact
    facets carry ``FacetTag.CONTACT``); nodes: the stripping problem's replicated interface
    nodes; mechanics: its Li mechanics (creep state and hydrostatic stress); settings:
    :class:`VacancySettings`; temperature [K]; degree: of the vacancy field; axisymmetric:
    x is the radius.
    """

    def __init__(self, li_mesh: dolfinx.mesh.Mesh, li_tags: dolfinx.mesh.MeshTags,
                 nodes: InterfaceNodes, mechanics: MechanicsProblem, settings: VacancySettings,
                 temperature: float, degree: int, axisymmetric: bool,
                 explicit_voids: bool = False) -> None:
        self.settings = settings
        self.nodes = nodes
        self.mechanics = mechanics
        self.comm = li_mesh.comm
        self.temperature = temperature
        if explicit_voids:  # the Li surface facing the electrolyte: contact and void walls
            from ssbx.problems.interface import retagged

            li_tags = retagged(li_mesh, li_tags, {int(FacetTag.VOID_LI): int(FacetTag.CONTACT)})
        self.problem = VacancyProblem(
            li_mesh, li_tags, int(FacetTag.CONTACT), settings.material,
            self.temperature, degree=degree,
            axisymmetric=axisymmetric, prefix="ssbx_strip_vacancy_",
            projected_interface=explicit_voids)
        vn = self.problem.nodes
        if vn.size != nodes.size or not np.allclose(
                vn.coords, nodes.coords, rtol=0.0, atol=nodes.tolerance * 10):
            raise RuntimeError("the vacancy field's interface nodes differ from the stripping "
                               "problem's (the Li and electrolyte meshes must conform)")
        #: Li surface area per electrolyte (projected) area at each node: 1 on a flat
        #: interface, > 1 on the walls of explicit voids (fluxes per node are converted with it)
        self.area_ratio = np.ones(nodes.size)
        ok = nodes.weights > 1e-12 * float(np.max(nodes.weights, initial=0.0))
        self.area_ratio[ok] = vn.weights[ok] / nodes.weights[ok]
        if not np.array_equal(self.problem.S.dofmap.list, self.problem.V.dofmap.list):
            raise RuntimeError("sigma_h and theta spaces differ in layout")
        self.region = mechanics.regions.get(int(CellTag.LITHIUM))
        K = self.problem.K
        self._cell_dofs = K.dofmap.list[:, 0]
        self._num_cells = self._cell_dofs.size
        self._stress_cells = fem.Function(K, name="sigma_h_cells")
        self.rho = np.full(self._num_cells, settings.dislocation_density)
        self.problem.set_sink(dislocation_density=self.rho)
        self.nucleus = settings.nucleus(self.temperature)
        # void surfaces: fast exchange, h = 100 D_v / (the finest interface node spacing), so
        # that theta ~ 1 there (surface kinetics faster than diffusion across an element)
        spacing = _finest_spacing(nodes.coords, nodes.tolerance)
        self.surface_rate = 100.0 * self.problem.D / spacing
        self.c_eq = settings.material.c_eq(self.temperature)
        #: void growth [m] by vacancy condensation over the last step, per interface node
        self.condensation = np.zeros(nodes.size)
        self.events = 0  # nucleations so far (node count)
        self.first_nucleation_time = math.nan
        self.last_nucleated = np.zeros(nodes.size, dtype=bool)
        self.theta_interface = np.ones(nodes.size)
        self.threshold = np.full(nodes.size, settings.critical_supersaturation)
        self.rising = True  # theta at the interface still rising after the last step
        #: the consistent lattice-site balance (point 6 of the module docstring)
        self.interface_sink = settings.site_balance == "interface_sink"
        self.sink_velocity = settings.sink_velocity(temperature) if self.interface_sink else 0.0
        #: Omega / (R T) [1/Pa]: theta_s = exp(-p Omega / (R T)) under the contact traction p
        self.traction_coefficient = settings.material.molar_volume / (GAS_CONSTANT * temperature)
        #: lattice sites the contacting interface annihilated over the last step, as a thickness
        #: [m] per node (interface_sink), and plated sites added directly (negative)
        self.interface_annihilation = np.zeros(nodes.size)
        self.direct_plating = np.zeros(nodes.size)
        self.plated_directly = 0.0  # ∫ of direct_plating over the run [m^3 or m^2] (negative)
        #: the volume of vacancies annihilated in the bulk shrinks the Li (interface_sink): an
        #: eigenstrain rate ``-c_eq k (theta - theta_eq)`` per cell (cell midpoints) of the Li
        #: mechanics over the next step
        self._shrinkage = None
        if self.interface_sink and self.region is not None:
            mechanics.enable_eigenstrain(int(CellTag.LITHIUM))
            pb = self.problem
            tdim = li_mesh.topology.dim
            midpoint = np.full((1, tdim), 1.0 / (tdim + 1))
            self._shrinkage = fem.Expression(pb.sink * (pb.theta - pb.theta_eq), midpoint)
            cmap = li_mesh.topology.index_map(tdim)
            self._all_cells = np.arange(cmap.size_local + cmap.num_ghosts, dtype=np.int32)

    # -- per-cell data from the Li mechanics ------------------------------------------------------
    def _cell_means(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Li mesh cells, cell means) of a per-quadrature-point array of the creep region."""
        reg = self.region
        nq = reg.points.shape[0]
        means = values.reshape(-1, nq).mean(axis=1)
        return reg.parent_cells[: means.size], means

    def _update_sink(self, dt: float) -> None:
        s = self.settings
        if self.region is None or s.creep_velocity <= 0.0 or dt <= 0.0:
            return
        v = self.region.views
        cells, rate = self._cell_means((v["p_new"] - v["p_old"]) / dt)
        rho = np.full(self._num_cells, s.dislocation_density)
        rho[cells] = creep_dislocation_density(s.dislocation_density, rate, s.burgers_vector,
                                               s.creep_velocity)
        self.rho = rho
        self.problem.set_sink(dislocation_density=rho)

    def _update_stress(self) -> None:
        if not self.settings.stress_drift:
            return
        cells, sigma_h = self.mechanics.cell_hydrostatic_stress(int(CellTag.LITHIUM))
        arr = self._stress_cells.x.array
        arr[:] = 0.0
        arr[self._cell_dofs[cells]] = sigma_h
        self._stress_cells.x.scatter_forward()
        self.problem.set_hydrostatic_stress(self._stress_cells)

    def _threshold(self) -> np.ndarray:
        """The nucleation criterion at the interface nodes: ``theta >= S`` (the equilibrium of
        a traction-free void surface with the critical nucleus' curvature; the stress acts
        through theta's local equilibrium, see the module docstring)."""
        return np.full(self.problem.nodes.size, self.settings.critical_supersaturation)

    def equilibrate(self) -> None:
        """Start from the local equilibrium ``theta = exp(beta sigma_h)`` of the initial stress
        (after the stripping problem's initial contact solve)."""
        self._update_stress()
        self.problem.equilibrate()
        self.theta_interface = self.problem.interface_supersaturation()
        self.threshold = self._threshold()

    # -- one step -------------------------------------------------------------------------------
    def advance(self, dt: float, state: Any) -> np.ndarray:
        """Step the field over ``dt`` [s] with the converged interface ``state`` (current,
        contact) of the stripping step; returns the mask of nodes that nucleate a void now."""
        if dt <= 0.0:
            return np.zeros(state.contact.shape, dtype=bool)
        material = self.settings.material
        scale = material.injection_velocity(1.0, self.temperature)
        theta_n = self.theta_interface
        current = np.where(state.contact, state.current, 0.0)
        plating = np.clip(theta_n, 0.0, 1.0)
        self.problem.set_injection(velocity=scale / self.area_ratio * np.where(
            current >= 0.0, current, current * plating))
        self._update_sink(dt)
        self._update_stress()
        rates = np.where(state.contact, 0.0, self.surface_rate if self.settings.void_surfaces
                         else 0.0)
        theta_s = np.ones(rates.shape)
        if self.interface_sink:
            rates = np.where(state.contact, self.sink_velocity, rates)
            theta_s = np.where(state.contact, np.exp(-self.traction_coefficient
                                                     * self._smoothed(state.pressure)), 1.0)
        if self.settings.void_surfaces or self.interface_sink:
            self.problem.set_surface_transfer(rates, theta_s)
        self.problem.step(dt)
        # [m] per node, per electrolyte (projected) area
        flux = self.c_eq * dt * self.problem.interface_condensation() * self.area_ratio
        self.condensation = np.where(state.contact, 0.0, flux)
        if self._shrinkage is not None:
            rate = self._shrinkage.eval(self.problem.mesh, self._all_cells).reshape(-1)
            self.mechanics.set_volumetric_strain_rate(int(CellTag.LITHIUM), self._all_cells,
                                                      -self.c_eq * rate)
        if self.interface_sink:
            self.interface_annihilation = np.where(state.contact, flux, 0.0)
            thickness = material.molar_volume / FARADAY
            self.direct_plating = np.where(current < 0.0, thickness * current * (1.0 - plating)
                                           * dt, 0.0)
        theta = self.problem.interface_supersaturation()
        threshold = self._threshold()
        # still approaching nucleation: the largest ratio to the criterion grew by more than
        # 1e-3 of the margin to it over this step (slow drifts, e.g. of the stress as the Li
        # creeps, count as settled)
        before = float(np.max(theta_n / self.threshold, initial=0.0))
        ratio = float(np.max(theta / threshold, initial=0.0))
        self.rising = ratio >= 1.0 or ratio - before > 1e-3 * (1.0 - ratio)
        self.theta_interface = theta
        self.threshold = threshold
        return state.contact & (theta >= threshold)

    def _smoothed(self, pressure: np.ndarray) -> np.ndarray:
        """The nodal contact pressure averaged with its neighbours along the interface,
        ``(p_{k-1} + 2 p_k + p_{k+1}) / 4`` (nodes sorted along it): P2 nodal pressures
        alternate between vertex and midside nodes; their local mean is the traction. In 3-D
        (a box) the pressures are not smoothed: the vertices of the P2 triangles already take
        the mean of their neighbours (:class:`ssbx.problems.stripping.problem.StrippingProblem`)
        and the midpoints carry the consistent load."""
        p = np.asarray(pressure, dtype=float)
        if p.size < 3 or self.nodes.gdim == 3:
            return p.copy()
        padded = np.concatenate([p[:1], p, p[-1:]])
        return 0.25 * (padded[:-2] + 2.0 * p + padded[2:])

    def record(self, nucleate: np.ndarray, time_end: float) -> None:
        """Count the nucleations of a committed step ending at ``time_end`` [s]."""
        self.last_nucleated = nucleate
        if nucleate.any():
            self.events += int(np.count_nonzero(nucleate))
            if not math.isfinite(self.first_nucleation_time):
                self.first_nucleation_time = time_end

    # -- outputs --------------------------------------------------------------------------------
    def scalars(self, contact: np.ndarray) -> dict[str, float]:
        """History quantities (units: :data:`ssbx.problems.stripping.problem.HISTORY_UNITS`)."""
        nodes = self.nodes
        theta = self.theta_interface
        ratio = theta / self.threshold
        inv = self.problem.inventory()
        return {
            "vacancy_theta_max": float(np.max(theta, initial=-math.inf)),
            "vacancy_nucleation_ratio_max": float(np.max(np.where(contact, ratio, 0.0),
                                                         initial=0.0)),
            "nucleation_events": float(self.events),
            "nucleated_fraction": nodes.integrate(self.last_nucleated.astype(float))
            / nodes.area,
            "first_nucleation_time": self.first_nucleation_time,
            "vacancy_balance_error": inv["balance_error"],
            "void_condensed_volume": inv["condensed"] * self.settings.material.molar_volume,
            "dislocation_density_max": self.comm.allreduce(
                float(np.max(self.rho, initial=0.0)), op=MPI.MAX),
        }

    # -- checkpoints ----------------------------------------------------------------------------
    def checkpoint_state(self) -> dict[str, Any]:
        """Nucleation counters and the vacancy problem's counters (JSON-able), for
        :meth:`restore`."""
        return {"events": self.events, "first_nucleation_time": self.first_nucleation_time,
                "rising": self.rising, "plated_directly": self.plated_directly,
                **self.problem.checkpoint_state()}

    def restore(self, state: dict[str, Any]) -> None:
        """Take back :meth:`checkpoint_state` (theta and theta_0 already read)."""
        self.problem.restore_state(state)
        self.events = int(state["events"])
        self.first_nucleation_time = float(state["first_nucleation_time"])
        self.rising = bool(state["rising"])
        self.plated_directly = float(state.get("plated_directly", 0.0))
        self.theta_interface = self.problem.interface_supersaturation()
        self._update_stress()
        self.threshold = self._threshold()

    def close(self) -> None:
        """Free the vacancy problem's PETSc objects now (collective)."""
        self.problem.close()


__all__ = ["LithiumVacancies", "VacancySettings"]
