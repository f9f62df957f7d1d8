"""Current distribution in the solid electrolyte of a Li | electrolyte cell.

The potential lives on the electrolyte alone (Li is an equipotential, ``phi_Li = 0``: the
Li/electrolyte conductivity ratio of ~1e8 would ruin the conditioning), so the problem is posed on
the electrolyte submesh, where the Li contact becomes an exterior boundary. The residual is the one
of :mod:`ssbx.physics.current`; it is solved with PETSc SNES (Newton with line search) and MUMPS LU
or CG + GAMG.

Lifecycle: ``ElectrolyteDomain`` (mesh, facet tags, coordinate system) → ``CurrentSettings``
(material, kinetics, operation, solver) → ``CurrentDistributionProblem`` (space, measures, form,
solver) → ``solve()`` → ``CurrentResult`` (field, interface profile, scalars, solver statistics).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from mpi4py import MPI

import dolfinx
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.mesh import Mesh, MeshTags

from ssbx.errors import SolverDivergedError
from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.physics.current import (
    CurrentFormTerms,
    contact_overpotential,
    ohmic_dissipation,
    potential_residual,
)
from ssbx.physics.kinetics import ButlerVolmer, Kinetics, PrimaryKinetics
from ssbx.problems.interface import nodal_facet_quadrature
from ssbx.problems.submesh import tagged_submesh

Mode = Literal["galvanostatic", "potentiostatic"]
CounterElectrode = Literal["ideal", "symmetric"]


# --------------------------------------------------------------------------------------------
# Domain
# --------------------------------------------------------------------------------------------
@dataclass
class ElectrolyteDomain:
    """The electrolyte mesh with its boundary tags.

    mesh: electrolyte mesh [m]; facet_tags: tags with at least ``contact_tag`` and ``top_tag``;
    axisymmetric: x is the radius r and integrals carry the weight ``2 pi r``;
    thickness: electrolyte thickness h_se [m] (for the bulk resistance h_se / kappa).
    """

    mesh: Mesh
    facet_tags: MeshTags
    axisymmetric: bool
    thickness: float
    contact_tag: int = int(FacetTag.CONTACT)
    top_tag: int = int(FacetTag.SE_TOP)

    @property
    def comm(self) -> MPI.Comm:
        """The electrolyte mesh's communicator."""
        return self.mesh.comm

    def weight(self) -> Any:
        """Measure weight: ``2 pi r`` (axisymmetric) or 1 (planar, per unit depth)."""
        if self.axisymmetric:
            return 2.0 * math.pi * ufl.SpatialCoordinate(self.mesh)[0]
        return fem.Constant(self.mesh, dolfinx.default_scalar_type(1.0))


def electrolyte_domain(cell_mesh: Any) -> ElectrolyteDomain:
    """The electrolyte submesh, with its facet tags, of a :class:`ssbx.meshes.cell.CellMesh`."""
    sub = tagged_submesh(cell_mesh.mesh, cell_mesh.cell_tags, CellTag.ELECTROLYTE,
                         cell_mesh.facet_tags)
    geometry = cell_mesh.geometry
    return ElectrolyteDomain(mesh=sub.mesh, facet_tags=sub.facet_tags,
                             axisymmetric=geometry.kind == "axisymmetric"
                             and geometry.dimension == 2,  # 3-D: the whole cylinder
                             thickness=geometry.h_se)


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CurrentSettings:
    """Everything the potential problem needs, in SI units.

    conductivity: kappa at the operating temperature [S/m]; kinetics: contact kinetics;
    mode: galvanostatic (``current_density`` [A/m^2], mean over the nominal area, stripping > 0) or
    potentiostatic (``voltage`` [V] = phi_Li - phi_counter); counter_electrode: ``ideal`` or
    ``symmetric`` (a flat Li counter electrode with the same kinetics);
    equilibrium_potential: U0 [V]; degree: Lagrange degree; linear_solver: ``direct`` | ``amg``;
    molar_volume: Omega of the anode metal [m^3/mol] (the stress term ``Omega sigma_nn / F`` of
    the overpotential and, in stripping problems, the stripped thickness ``Omega i dt / F``).
    """

    conductivity: float
    kinetics: Kinetics
    mode: Mode = "galvanostatic"
    current_density: float = 10.0
    voltage: float = 0.01
    counter_electrode: CounterElectrode = "ideal"
    equilibrium_potential: float = 0.0
    degree: int = 2
    linear_solver: Literal["direct", "amg"] = "direct"
    rtol: float = 1e-10
    atol: float = 1e-12
    max_iterations: int = 50
    petsc_options: dict[str, Any] = field(default_factory=dict)
    molar_volume: float = field(kw_only=True)

    def snes_options(self, current_scale: float = 1.0) -> dict[str, Any]:
        """PETSc options of the SNES, its KSP and PC (user ``petsc_options`` override).

        current_scale: the cell's total current [A] (per unit depth in plane); the residual is a
        current, so the absolute tolerance is ``atol * current_scale``.
        """
        nonlinear = isinstance(self.kinetics, ButlerVolmer)
        opts: dict[str, Any] = {
            "snes_type": "newtonls",
            "snes_linesearch_type": "bt" if nonlinear else "basic",
            "snes_rtol": self.rtol,
            "snes_atol": self.atol * current_scale,
            "snes_stol": 0.0,
            "snes_max_it": self.max_iterations,
        }
        if self.linear_solver == "direct":
            # AMD ordering (ICNTL(7) = 0): MUMPS's default analysis was 2-7x slower on our
            # graded 2-D meshes for the same factor (benchmarks/performance)
            opts |= {"ksp_type": "preonly", "pc_type": "lu",
                     "pc_factor_mat_solver_type": "mumps", "mat_mumps_icntl_7": 0}
        else:
            # unpreconditioned residual norm: the KSP then meets the tolerance Newton checks
            opts |= {"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-12,
                     "ksp_atol": 0.0, "ksp_max_it": 1000, "ksp_norm_type": "unpreconditioned",
                     "pc_gamg_type": "agg", "mg_levels_ksp_type": "chebyshev",
                     "mg_levels_pc_type": "jacobi"}
        opts |= {str(k).lstrip("-"): v for k, v in self.petsc_options.items()}
        return opts


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class InterfaceProfile:
    """Current density along the contact, on every rank, sorted by position.

    position: x (planar) or r (axisymmetric) of the contact dofs [m];
    current_density: anodic current density entering the electrolyte [A/m^2];
    overpotential: eta at the same points [V] (NaN for primary kinetics);
    position_y: 3-D cells: the second lateral coordinate y of the same dofs [m] (sorted by x,
    then y); ``None`` in 2-D.
    """

    position: np.ndarray
    current_density: np.ndarray
    overpotential: np.ndarray
    position_y: np.ndarray | None = None


@dataclass
class CurrentResult:
    """Solution and derived quantities of one current-distribution solve.

    scalars: name → value in SI (units in :data:`SCALAR_UNITS`).
    """

    potential: fem.Function
    profile: InterfaceProfile
    scalars: dict[str, float]


SCALAR_UNITS: dict[str, str] = {
    "cell_voltage": "V",
    "current_density_mean": "A/m^2",
    "current_density_contact_mean": "A/m^2",
    "current_density_peak": "A/m^2",
    "peak_to_mean_ratio": "1",
    "peak_position": "m",
    "peak_position_y": "m",
    "contact_fraction": "1",
    "asr_total": "ohm m^2",
    "asr_bulk": "ohm m^2",
    "asr_constriction": "ohm m^2",
    "asr_charge_transfer": "ohm m^2",
    "asr_counter_electrode": "ohm m^2",
    "energy_balance_error": "1",
    "conductivity": "S/m",
    "charge_transfer_resistance": "ohm m^2",
    "characteristic_length": "m",
    "num_dofs": "1",
    "newton_iterations": "1",
    "linear_iterations": "1",
    "time_setup": "s",
    "time_assembly": "s",
    "time_linear_solve": "s",
    "time_solve": "s",
}


# --------------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------------
class CurrentDistributionProblem:
    """Secondary (or primary) current distribution in the electrolyte.

    domain: the electrolyte; settings: parameters; source / interface_source: optional callables
    ``mesh -> UFL expression`` adding ``s`` [A/m^3] in the bulk and ``g`` [A/m^2] on the contact
    (manufactured solutions); prefix: PETSc options prefix (unique per problem).

    evolving_contact: give the contact two nodal fields on the potential's space, for the
    stripping/contact model: ``contact_mask`` (1 in contact, 0 over a void; multiplies the
    kinetic current) and ``contact_stress`` (sigma_nn on the Li side [Pa], tensile +, in the
    overpotential), and integrate the contact term with a rule whose points are the Lagrange
    nodes (P1, P2; :func:`ssbx.problems.interface.nodal_facet_quadrature`): the kinetic term
    is then nodal (mass-lumped), so the nodal currents ``mask_k i(eta_k)`` times the lumped
    weights sum exactly to the cell current.
    """

    def __init__(self, domain: ElectrolyteDomain, settings: CurrentSettings, *,
                 source: Callable[[Mesh], Any] | None = None,
                 interface_source: Callable[[Mesh], Any] | None = None,
                 evolving_contact: bool = False,
                 prefix: str = "ssbx_current_") -> None:
        t0 = time.perf_counter()
        self.domain = domain
        self.settings = settings
        msh = domain.mesh
        fdim = msh.topology.dim - 1
        msh.topology.create_connectivity(fdim, msh.topology.dim)

        # spaces and measures
        self.V = fem.functionspace(msh, ("Lagrange", settings.degree))
        self.phi = fem.Function(self.V, name="potential")
        self.dx = ufl.Measure("dx", domain=msh)
        ds = ufl.Measure("ds", domain=msh, subdomain_data=domain.facet_tags)
        self.ds_contact = ds(domain.contact_tag)
        self.contact_mask: fem.Function | None = None
        self.contact_stress: fem.Function | None = None
        if evolving_contact:
            if settings.degree not in (1, 2):
                raise ValueError("an evolving contact needs a P1 or P2 potential (Gauss–Lobatto "
                                 f"nodes), got degree {settings.degree}")
            self.ds_contact = ds(domain.contact_tag, metadata=nodal_facet_quadrature(
                msh.topology.dim, settings.degree))
            self.contact_mask = fem.Function(self.V, name="contact_mask")
            self.contact_mask.x.array[:] = 1.0
            self.contact_stress = fem.Function(self.V, name="contact_stress")
        self.ds_top = ds(domain.top_tag)
        self.weight = domain.weight()
        self.contact_facets = domain.facet_tags.find(domain.contact_tag)
        self.top_facets = domain.facet_tags.find(domain.top_tag)

        # formulation
        kin = settings.kinetics
        primary = isinstance(kin, PrimaryKinetics)
        self.terms = CurrentFormTerms(
            kappa=fem.Constant(msh, dolfinx.default_scalar_type(settings.conductivity)),
            contact_kinetics=None if primary else kin,
            weight=self.weight,
            counter_current=self._counter_current(),
            equilibrium_potential=settings.equilibrium_potential,
            normal_stress=self.contact_stress if evolving_contact else 0.0,
            molar_volume=settings.molar_volume,
            contact_mask=self.contact_mask,
            source=source(msh) if source is not None else None,
            interface_source=interface_source(msh) if interface_source is not None else None,
        )
        v = ufl.TestFunction(self.V)
        self.residual_form = potential_residual(self.phi, v, self.terms, self.dx,
                                                self.ds_contact, self.ds_top)
        self.bcs = self._dirichlet_conditions()

        # solver
        self.problem = dolfinx.fem.petsc.NonlinearProblem(
            self.residual_form, self.phi, bcs=self.bcs, petsc_options_prefix=prefix,
            petsc_options=settings.snes_options(self._current_scale()))
        self._timers = {"assembly": 0.0}
        self._install_timed_callbacks()
        # one residual-norm monitor, added once: monitors given on the command line
        # (-<prefix>snes_monitor) stay; the closure holds the list, not self (PETSc keeps
        # callbacks where the garbage collector cannot see them)
        self._residual_norms: list[float] = []
        norms = self._residual_norms
        self.problem.solver.setMonitor(lambda _snes, _it, norm: norms.append(float(norm)))
        self._set_initial_guess()
        self.time_setup = time.perf_counter() - t0

    # -- formulation helpers ------------------------------------------------------------------
    def _counter_current(self) -> Any:
        """``i_ce`` on the top, or ``None`` where the top is a Dirichlet boundary."""
        s = self.settings
        msh = self.domain.mesh
        self._applied_voltage = fem.Constant(msh, dolfinx.default_scalar_type(-s.voltage))
        self._applied_current = fem.Constant(msh, dolfinx.default_scalar_type(-s.current_density))
        if s.mode == "galvanostatic":
            return self._applied_current
        if s.counter_electrode == "ideal":
            return None
        if isinstance(s.kinetics, PrimaryKinetics):
            raise ValueError("a symmetric counter electrode needs contact kinetics, not 'primary'")
        eta_ce = self._applied_voltage - self.phi - s.equilibrium_potential
        return s.kinetics.current_density(eta_ce, exp=ufl.exp)

    def _dirichlet_conditions(self) -> list[fem.DirichletBC]:
        s = self.settings
        fdim = self.domain.mesh.topology.dim - 1
        bcs = []
        if isinstance(s.kinetics, PrimaryKinetics):
            dofs = fem.locate_dofs_topological(self.V, fdim, self.contact_facets)
            bcs.append(fem.dirichletbc(dolfinx.default_scalar_type(-s.equilibrium_potential),
                                       dofs, self.V))
        if s.mode == "potentiostatic" and s.counter_electrode == "ideal":
            dofs = fem.locate_dofs_topological(self.V, fdim, self.top_facets)
            self._top_potential = fem.Constant(self.domain.mesh, dolfinx.default_scalar_type(
                -s.voltage - s.equilibrium_potential))
            bcs.append(fem.dirichletbc(self._top_potential, dofs, self.V))
        return bcs

    def set_load(self, *, current_density: float | None = None,
                 voltage: float | None = None) -> None:
        """Change the applied mean current density [A/m^2] (galvanostatic) or cell voltage [V]
        (potentiostatic) without rebuilding the problem (time-dependent protocols)."""
        import dataclasses

        s = self.settings
        if current_density is not None:
            if s.mode != "galvanostatic":
                raise ValueError("set_load(current_density=...) needs a galvanostatic problem")
            self.settings = dataclasses.replace(s, current_density=float(current_density))
            self._applied_current.value = -float(current_density)
        if voltage is not None:
            if s.mode != "potentiostatic":
                raise ValueError("set_load(voltage=...) needs a potentiostatic problem")
            self.settings = dataclasses.replace(s, voltage=float(voltage))
            self._applied_voltage.value = -float(voltage)
            if s.counter_electrode == "ideal":
                self._top_potential.value = -float(voltage) - s.equilibrium_potential
        scale = self._current_scale()
        if scale > 0.0:
            self.problem.solver.setTolerances(atol=self.settings.atol * scale)

    def _flat_cell_current(self) -> float:
        """Current density of the flat, fully contacting 1-D cell [A/m^2] (the imposed one when
        galvanostatic)."""
        s = self.settings
        if s.mode == "galvanostatic":
            return s.current_density
        r_ct = 0.0 if isinstance(s.kinetics, PrimaryKinetics) else s.kinetics.resistance
        if s.counter_electrode == "symmetric":
            r_ct *= 2.0
        return s.voltage / (self.domain.thickness / s.conductivity + r_ct)

    def nominal_area(self) -> float:
        """``∫ w ds`` over the top [m^2] (per metre of depth in plane): the cell's nominal area."""
        if not hasattr(self, "_nominal_area"):
            one = fem.Constant(self.domain.mesh, dolfinx.default_scalar_type(1.0))
            self._nominal_area = self._integrate(one * self.weight * self.ds_top)
        return self._nominal_area

    def _current_scale(self) -> float:
        """|i| x nominal area [A]: the scale of the residual."""
        return abs(self._flat_cell_current()) * self.nominal_area()

    def galvanostatic_voltage(self) -> float:
        """Cell voltage [V] of a galvanostatic solve with an ideal counter electrode:
        ``-<phi>_top - U0`` (the mean potential over the top, which carries a uniform current)."""
        if not hasattr(self, "_phi_top_form"):
            self._phi_top_form = fem.form(self.phi * self.weight * self.ds_top)
        comm = self.domain.comm
        phi_top = comm.allreduce(fem.assemble_scalar(self._phi_top_form), op=MPI.SUM)
        return -phi_top / self.nominal_area() - self.settings.equilibrium_potential

    def _set_initial_guess(self) -> None:
        """The 1-D (flat, fully contacting) solution: a good Newton start for Butler–Volmer."""
        s = self.settings
        kappa = s.conductivity
        i = self._flat_cell_current()
        eta = s.kinetics.overpotential_for(i)
        h = self.domain.thickness
        up = self.domain.mesh.geometry.dim - 1  # the vertical axis: y in 2-D, z in 3-D
        self.phi.interpolate(
            lambda x: np.full(x.shape[1], -s.equilibrium_potential - eta) - i * np.clip(
                x[up], 0.0, h) / kappa)

    def _install_timed_callbacks(self) -> None:
        """Wrap SNES residual/Jacobian assembly to time it (the rest of a solve is the KSP)."""
        from dolfinx.fem.petsc import assemble_jacobian, assemble_residual

        snes = self.problem.solver
        timers = self._timers
        f_ctx = {"u": self.phi, "residual": self.problem.F, "jacobian": self.problem.J,
                 "bcs": self.bcs}
        j_ctx = {"u": self.phi, "jacobian": self.problem.J,
                 "preconditioner": self.problem.preconditioner, "bcs": self.bcs}

        def residual(snes_: Any, x: Any, b: Any) -> None:
            t = time.perf_counter()
            assemble_residual(snes_, x, b, **f_ctx)
            timers["assembly"] += time.perf_counter() - t

        def jacobian(snes_: Any, x: Any, J: Any, P: Any) -> None:
            t = time.perf_counter()
            assemble_jacobian(snes_, x, J, P, **j_ctx)
            timers["assembly"] += time.perf_counter() - t

        snes.setFunction(residual, self.problem.b)
        snes.setJacobian(jacobian, self.problem.A, self.problem.P_mat)

    # -- solve ----------------------------------------------------------------------------------
    def solve(self) -> CurrentResult:
        """Solve with SNES; raise :class:`SolverDivergedError` if it does not converge."""
        return self._postprocess(self.solve_only())

    def solve_only(self) -> dict[str, float]:
        """Solve with SNES (no post-processing); solver statistics. Raises
        :class:`SolverDivergedError` if it does not converge."""
        snes = self.problem.solver
        history = self._residual_norms
        history.clear()
        self._timers["assembly"] = 0.0
        t0 = time.perf_counter()
        try:
            self.problem.solve()
        finally:
            self._forget_options()
        t_solve = time.perf_counter() - t0
        reason = snes.getConvergedReason()
        if reason <= 0:
            raise SolverDivergedError(
                f"current-distribution Newton solve did not converge (SNES reason {reason}, "
                f"{snes.getIterationNumber()} iterations, residual norms "
                f"{', '.join(f'{r:.3e}' for r in history)})")
        stats = {
            "newton_iterations": float(snes.getIterationNumber()),
            "linear_iterations": float(snes.getLinearSolveIterations()),
            "time_setup": self.time_setup,
            "time_assembly": self._timers["assembly"],
            "time_linear_solve": max(t_solve - self._timers["assembly"], 0.0),
            "time_solve": t_solve,
            "num_dofs": float(self.V.dofmap.index_map.size_global),
        }
        return stats

    def _forget_options(self) -> None:
        """Remove this problem's options from PETSc's global database once it has used them:
        options that act only at factorisation (MUMPS ICNTL) stay there otherwise and are
        reported as unused when no factorisation happened (a converged initial guess)."""
        from petsc4py import PETSc

        opts = PETSc.Options()
        prefix = self.problem.solver.getOptionsPrefix()
        for key in self.settings.snes_options():
            name = f"-{prefix}{key}"
            if opts.hasName(name):
                opts.delValue(name)

    # -- post-processing ---------------------------------------------------------------------
    def _integrate(self, expr: Any) -> float:
        comm = self.domain.comm
        return comm.allreduce(fem.assemble_scalar(fem.form(expr)), op=MPI.SUM)

    def _owned_contact_dofs(self) -> np.ndarray:
        fdim = self.domain.mesh.topology.dim - 1
        dofs = fem.locate_dofs_topological(self.V, fdim, self.contact_facets)
        return dofs[dofs < self.V.dofmap.index_map.size_local]

    def _nodal_contact_values(self, reaction: np.ndarray | None,
                              mass: np.ndarray | None) -> tuple[np.ndarray, ...]:
        """Owned contact dofs: positions, current density and overpotential. Primary kinetics
        takes the current from the contact ``reaction`` and lumped ``mass``
        (:meth:`_contact_reaction`)."""
        s = self.settings
        dofs = self._owned_contact_dofs()
        lateral = self.domain.mesh.geometry.dim - 1  # x in 2-D; x, y in 3-D
        x = self.V.tabulate_dof_coordinates()[dofs, :lateral]
        phi = self.phi.x.array[dofs]
        if isinstance(s.kinetics, PrimaryKinetics):
            assert reaction is not None and mass is not None
            current = self._consistent_contact_flux(reaction, mass)[dofs]
            eta = np.full_like(phi, np.nan)
        else:
            eta = contact_overpotential(phi, self.terms)
            current = s.kinetics.current_density(eta)
        return x, np.asarray(current, dtype=float), np.asarray(eta, dtype=float)

    def _contact_reaction(self) -> tuple[np.ndarray, np.ndarray]:
        """Nodal reaction [A] of the residual without the contact condition (its sum over the
        contact dofs is the current through a Dirichlet contact) and the lumped contact mass."""
        v = ufl.TestFunction(self.V)
        terms = CurrentFormTerms(kappa=self.terms.kappa, contact_kinetics=None,
                                 weight=self.weight, counter_current=self.terms.counter_current,
                                 source=self.terms.source,
                                 molar_volume=self.terms.molar_volume)
        vectors = []
        for form in (potential_residual(self.phi, v, terms, self.dx, self.ds_contact,
                                        self.ds_top),
                     v * self.weight * self.ds_contact):
            vec = fem.assemble_vector(fem.form(form))
            vec.scatter_reverse(dolfinx.la.InsertMode.add)
            vectors.append(vec.array)
        return vectors[0], vectors[1]

    def _consistent_contact_flux(self, reaction: np.ndarray, mass: np.ndarray) -> np.ndarray:
        """Nodal normal current density [A/m^2] through a Dirichlet contact: reaction / mass.

        NaN where the lumped mass vanishes: the axis node of P2 in axisymmetry, where
        ``∫ v 2 pi r ds = 0`` (the profile fills it from its neighbour)."""
        scale = self.domain.comm.allreduce(float(np.max(np.abs(mass), initial=0.0)), op=MPI.MAX)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(mass > 1e-12 * scale, reaction / mass, np.nan)

    def _postprocess(self, stats: dict[str, float]) -> CurrentResult:
        s = self.settings
        comm = self.domain.comm
        w = self.weight
        one = fem.Constant(self.domain.mesh, dolfinx.default_scalar_type(1.0))
        area = self._integrate(one * w * self.ds_top)
        contact_area = self._integrate(one * w * self.ds_contact)
        primary = isinstance(s.kinetics, PrimaryKinetics)
        reaction, mass = self._contact_reaction() if primary else (None, None)

        x, current, eta = self._nodal_contact_values(reaction, mass)
        xs = np.concatenate(comm.allgather(x))
        cs = np.concatenate(comm.allgather(current))
        es = np.concatenate(comm.allgather(eta))
        order = np.lexsort(xs.T[::-1])  # by x, then y (3-D): the same order on any ranks
        profile = InterfaceProfile(xs[order, 0], cs[order], es[order],
                                   xs[order, 1] if xs.shape[1] > 1 else None)
        missing = ~np.isfinite(profile.current_density)
        if missing.any() and not missing.all():  # nodes without a lumped mass (see above)
            profile.current_density[missing] = np.interp(
                profile.position[missing], profile.position[~missing],
                profile.current_density[~missing])

        # total current and voltage
        if primary:
            total_current = comm.allreduce(float(np.sum(reaction[self._owned_contact_dofs()])),
                                           op=MPI.SUM)
        else:
            eta_contact = contact_overpotential(self.phi, self.terms)
            i_contact = s.kinetics.current_density(eta_contact, exp=ufl.exp)
            total_current = self._integrate(i_contact * w * self.ds_contact)
        if s.mode == "galvanostatic":
            i_mean = s.current_density
            eta_ce = 0.0 if s.counter_electrode == "ideal" else s.kinetics.overpotential_for(
                -i_mean)
            phi_top = self._integrate(self.phi * w * self.ds_top) / area
            voltage = -phi_top - s.equilibrium_potential - eta_ce
        else:
            i_mean = total_current / area
            voltage = s.voltage
            eta_ce = 0.0
            if s.counter_electrode == "symmetric":
                eta_ce = self._integrate(
                    (-voltage - self.phi - s.equilibrium_potential) * w * self.ds_top) / area

        # area-specific resistances from the energy balance V I = Joule + kinetic + counter
        i2a = i_mean * i_mean * area
        joule = self._integrate(ohmic_dissipation(self.phi, self.terms.kappa, w, self.dx))
        asr_ohmic = joule / i2a
        if primary:
            kinetic_loss = 0.0
        else:
            kinetic_loss = self._integrate(i_contact * eta_contact * w * self.ds_contact)
        asr_bulk = self.domain.thickness / s.conductivity
        asr_total = voltage / i_mean
        asr_ct = kinetic_loss / i2a
        asr_ce = -eta_ce / i_mean if eta_ce else 0.0
        balance_error = (asr_ohmic + asr_ct + asr_ce - asr_total) / asr_total

        # peak of the local current (largest in the direction of the mean current)
        sign = 1.0 if i_mean >= 0 else -1.0
        k = int(np.argmax(sign * profile.current_density)) if profile.position.size else 0
        i_contact_mean = total_current / contact_area
        z = s.kinetics.resistance
        scalars = {
            "cell_voltage": voltage,
            "current_density_mean": i_mean,
            "current_density_contact_mean": i_contact_mean,
            "current_density_peak": float(profile.current_density[k]),
            "peak_to_mean_ratio": float(profile.current_density[k]) / i_contact_mean,
            "peak_position": float(profile.position[k]),
            **({"peak_position_y": float(profile.position_y[k])}
               if profile.position_y is not None else {}),
            "contact_fraction": contact_area / area,
            "asr_total": asr_total,
            "asr_bulk": asr_bulk,
            "asr_constriction": asr_ohmic - asr_bulk,
            "asr_charge_transfer": asr_ct,
            "asr_counter_electrode": asr_ce,
            "energy_balance_error": balance_error,
            "conductivity": s.conductivity,
            "charge_transfer_resistance": z,
            "characteristic_length": z * s.conductivity,
        } | stats
        return CurrentResult(potential=self.phi, profile=profile, scalars=scalars)


def solve_current_distribution(domain: ElectrolyteDomain, settings: CurrentSettings,
                               **kwargs: Any) -> CurrentResult:
    """Set up and solve a :class:`CurrentDistributionProblem` in one call."""
    return CurrentDistributionProblem(domain, settings, **kwargs).solve()


__all__ = [
    "SCALAR_UNITS",
    "CurrentDistributionProblem",
    "CurrentResult",
    "CurrentSettings",
    "ElectrolyteDomain",
    "InterfaceProfile",
    "SolverDivergedError",
    "electrolyte_domain",
    "solve_current_distribution",
]
