"""An intercalation particle in time: Li diffusion with Butler–Volmer surface kinetics, chemical
strain and the stress-coupled flux (the forms of :mod:`ssbx.physics.particle`).

One monolithic Newton system in the scaled unknowns ``c / c_max``, ``u / (Omega c_max R / 3)``
and ``sigma_h / (E Omega c_max / (9 (1 - nu)))`` (R the length scale, the particle radius): each
block of the residual is divided by its own scale, so that one SNES tolerance means the same
for all three fields. Mixed element P_k (c) x P_(k+1)^d (u) x P_k (sigma_h); ``mechanics=False``
solves c alone. Time: variable-step BDF2 (backward Euler on the first step), so that graded
time steps keep second-order accuracy.

Surface control:

- :meth:`ParticleProblem.hold_potential`: the particle potential V against Li (potentiostatic,
  PITT), the influx from the kinetics;
- :meth:`ParticleProblem.apply_current_density`: a uniform insertion current density i
  [A/m^2] (galvanostatic); the reported potential is ``U(c_s) + eta(i)`` at the mean surface
  concentration, which is exact for the uniform surfaces of a sphere.

Geometries (:class:`ParticleGeometry`): the meridian quarter disk of a sphere (axisymmetric,
symmetric about the equator; the cheap one for radial checks) and the sphere octant (3-D).
Lifecycle: ``ParticleProblem(geometry, material, kinetics, ...)`` → ``hold_potential`` or
``apply_current_density`` → ``step(dt)`` / ``run(times)`` → fields and ``stress_at`` →
``close()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import basix.ufl
import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.meshes.grains import Polycrystal
from ssbx.meshes.sphere import (
    MeridianTag,
    SphereTag,
    build_sphere,
    build_sphere_meridian,
    build_sphere_octant,
    sphere_supports,
)
from ssbx.physics.constants import FARADAY
from ssbx.physics.mechanics import internal_work, measure_weight
from ssbx.physics.particle import (
    IntercalationMaterial,
    LatticeStrain,
    SurfaceKinetics,
    TabulatedLatticeStrain,
    axis_safe_strain,
    hydrostatic,
    li_flux,
    ocv_value,
    particle_stress,
)
from ssbx.problems.lifetime import destroy_nonlinear_problem, track
from ssbx.problems.rigid_modes import rigid_body_modes_of_dofs


@dataclass(frozen=True)
class ParticleGeometry:
    """A particle mesh and what the problem needs to know of it.

    kind: ``"axisymmetric"`` (x = r, y = z), ``"3d"`` or ``"plane_strain"`` (manufactured
    solutions only); surface: facet tags of the reacting surface; rollers: (facet tag,
    displacement component) pairs held at zero (symmetry planes, the axis); length: the length
    scale [m] (the radius); centre: the particle centre (the point where radial fields are
    read); supports: (point [m], displacement components) held at zero at mesh vertices (the
    isostatic supports of a whole sphere, :func:`~ssbx.meshes.sphere.sphere_supports`)."""

    mesh: dolfinx.mesh.Mesh
    facet_tags: dolfinx.mesh.MeshTags
    kind: str
    surface: tuple[int, ...]
    rollers: tuple[tuple[int, int], ...]
    length: float
    centre: tuple[float, float, float] = (0.0, 0.0, 0.0)
    supports: tuple[tuple[tuple[float, float, float], tuple[int, ...]], ...] = ()

    @classmethod
    def sphere_meridian(cls, comm: MPI.Comm, radius: float, size: float, *,
                        surface_size: float | None = None, order: int = 2) -> ParticleGeometry:
        """A solid sphere of ``radius`` [m] in axisymmetry (:func:`build_sphere_meridian`)."""
        data = build_sphere_meridian(comm, radius, size, surface_size=surface_size, order=order)
        return cls(data.mesh, data.facet_tags, "axisymmetric", (int(MeridianTag.OUTER),),
                   ((int(MeridianTag.AXIS), 0), (int(MeridianTag.EQUATOR), 1)), radius)

    @classmethod
    def sphere_octant(cls, comm: MPI.Comm, radius: float, size: float, *,
                      order: int = 2) -> ParticleGeometry:
        """A solid sphere of ``radius`` [m] in 3-D, one octant (:func:`build_sphere_octant`)."""
        data = build_sphere_octant(comm, radius, size, order=order)
        return cls(data.mesh, data.facet_tags, "3d", (int(SphereTag.OUTER),),
                   ((int(SphereTag.SYMMETRY_X), 0), (int(SphereTag.SYMMETRY_Y), 1),
                    (int(SphereTag.SYMMETRY_Z), 2)), radius)

    @classmethod
    def sphere(cls, comm: MPI.Comm, radius: float, size: float, *,
               order: int = 2) -> ParticleGeometry:
        """The whole solid sphere of ``radius`` [m] in 3-D (:func:`build_sphere`: no mirror
        planes), held by isostatic point supports (:func:`sphere_supports`), which carry no
        load when no traction acts: for chemical and misfit strains, not for contact."""
        data = build_sphere(comm, radius, size, order=order)
        return cls(data.mesh, data.facet_tags, "3d", (int(SphereTag.OUTER),), (), radius,
                   supports=sphere_supports(radius))


@dataclass(frozen=True)
class ParticleState:
    """One time level (SI): time [s]; mean_concentration over the particle and
    surface_concentration (area mean) [mol/m^3]; influx: area-mean molar influx of Li
    [mol/(m^2 s)] (> 0 inserts); potential: the particle's potential against Li [V];
    newton_iterations of the step."""

    time: float
    mean_concentration: float
    surface_concentration: float
    influx: float
    potential: float
    newton_iterations: int


LINEAR_SOLVERS = ("direct", "iterative")

#: PETSc options of the iterative solver: FGMRES around a multiplicative (block Gauss–Seidel)
#: field split c -> u -> sigma_h, which is exact for the block-triangular Jacobian of the
#: one-way coupled particle when each block is solved exactly; here each block gets one AMG
#: cycle (GAMG; the displacement with its rigid-body modes, three Chebyshev sweeps per level)
#: or one SOR sweep (the sigma_h mass matrix), and FGMRES makes up the difference (measured:
#: 31-33 iterations at 15.6k unknowns, 41 at 690k; Jacobi on sigma_h took 56, an inner CG on u
#: 23 but 4x the time). Solved to 1e-12, so that a linear step takes one Newton iteration as
#: with LU.
ITERATIVE_OPTIONS: dict[str, Any] = {
    "ksp_type": "fgmres", "ksp_rtol": 1e-12, "ksp_atol": 1e-30, "ksp_max_it": 500,
    "ksp_gmres_restart": 100, "pc_type": "fieldsplit",
    "pc_fieldsplit_type": "multiplicative",
    "fieldsplit_c_ksp_type": "preonly", "fieldsplit_c_pc_type": "gamg",
    "fieldsplit_u_ksp_type": "preonly", "fieldsplit_u_pc_type": "gamg",
    "fieldsplit_u_pc_gamg_coarse_eq_limit": 1000,
    "fieldsplit_u_mg_levels_ksp_type": "chebyshev", "fieldsplit_u_mg_levels_pc_type": "jacobi",
    "fieldsplit_u_mg_levels_ksp_max_it": 3,
    "fieldsplit_s_ksp_type": "preonly", "fieldsplit_s_pc_type": "sor"}

MAX_STEP_RATIO = 2.0
"""A step longer than this many times the previous one is taken with backward Euler."""


def graded_times(end: float, first: float, *, ratio: float = 1.1,
                 max_step: float | None = None) -> np.ndarray:
    """Times (0, end] [s] whose steps start at ``first`` and grow by ``ratio`` (< 2) up to
    ``max_step``: the schedule of a potential step or a current switch, where the fields
    change fastest at the start."""
    if not (0.0 < first <= end and 1.0 <= ratio <= MAX_STEP_RATIO):
        raise ValueError(f"need 0 < first <= end and 1 <= ratio <= {MAX_STEP_RATIO}, got "
                         f"{first!r}, {end!r}, {ratio!r}")
    times, t, dt = [], 0.0, first
    cap = max_step or end
    while t < end * (1.0 - 1e-12):
        t = min(t + dt, end)
        times.append(t)
        dt = min(dt * ratio, cap)
    return np.array(times)


class ParticleProblem:
    """Stress-coupled Li diffusion in a particle (see the module docstring).

    initial_concentration: uniform c at t = 0 [mol/m^3], also the stress-free c_ref unless
    ``reference_concentration`` is given; degree: k of P_k for c (u is P_(k+1));
    mechanics: solve u and sigma_h; stress_coupling: the ``grad sigma_h`` drift in the flux
    (needs mechanics); concentration_source [mol/(m^3 s)] and body_force [N/m^3]: UFL
    expressions of manufactured solutions; lattice and c_axis: an anisotropic chemical strain
    per grain instead of the isotropic one (linear in x, or from tables of the lattice
    parameters); diffusivity_factor: D(c) / D as a UFL function of
    c (e.g. a :class:`~ssbx.physics.particle.PiecewiseLinear` table)."""

    def __init__(self, geometry: ParticleGeometry, material: IntercalationMaterial,
                 kinetics: SurfaceKinetics, *, initial_concentration: float,
                 temperature: float = 298.15, degree: int = 1, mechanics: bool = True,
                 stress_coupling: bool = False, reference_concentration: float | None = None,
                 concentration_source: Any = None, body_force: Any = None,
                 lattice: LatticeStrain | TabulatedLatticeStrain | None = None,
                 c_axis: Any = None,
                 diffusivity_factor: Any = None,
                 linear_solver: str = "direct",
                 options_prefix: str = "ssbx_particle_") -> None:
        if linear_solver not in LINEAR_SOLVERS:
            raise ValueError(f"linear_solver must be one of {LINEAR_SOLVERS}, got "
                             f"{linear_solver!r}")
        if linear_solver == "iterative" and (not mechanics or stress_coupling
                                             or geometry.kind != "3d"):
            raise ValueError("the iterative solver needs a 3-D particle with mechanics and "
                             "no stress-coupled drift (a one-way coupled, block-triangular "
                             "system); use linear_solver='direct'")
        self.linear_solver = linear_solver
        if lattice is not None and (c_axis is None or not mechanics or stress_coupling):
            raise ValueError("an anisotropic lattice strain needs mechanics=True, the grains' "
                             "c-axes (c_axis) and stress_coupling=False (the drift is "
                             "implemented for the isotropic strain only)")
        if stress_coupling and not mechanics:
            raise ValueError("stress_coupling needs mechanics=True (it drifts Li along "
                             "grad sigma_h)")
        if degree < 1:
            raise ValueError(f"degree must be >= 1, got {degree!r}")
        self.geometry = geometry
        self.material = material
        self.kinetics = kinetics
        self.temperature = float(temperature)
        self.mechanics = mechanics
        self.diffusivity_factor = diffusivity_factor
        self.comm: MPI.Comm = geometry.mesh.comm
        msh = geometry.mesh
        gdim = msh.geometry.dim
        cell = msh.basix_cell()
        c_element = basix.ufl.element("Lagrange", cell, degree)
        if mechanics:
            elements = [c_element, basix.ufl.element("Lagrange", cell, degree + 1, shape=(gdim,)),
                        basix.ufl.element("Lagrange", cell, degree)]
            self.W = fem.functionspace(msh, basix.ufl.mixed_element(elements))
        else:
            self.W = fem.functionspace(msh, c_element)
        self.w = fem.Function(self.W, name="particle")
        self.w_n = fem.Function(self.W)
        self.w_nm1 = fem.Function(self.W)

        R = geometry.length
        c_max = material.max_concentration
        self.c_scale = c_max
        eps_s = abs(material.molar_volume) * c_max / 3.0 or 1e-3
        self.u_scale = eps_s * R
        self.s_scale = material.elastic.E * eps_s / (3.0 * (1.0 - material.elastic.nu))
        c_ref = initial_concentration if reference_concentration is None \
            else reference_concentration
        self._c_ref = fem.Constant(msh, float(c_ref))

        if mechanics:
            c_hat, u_hat, s_hat = ufl.split(self.w)
            v, v_u, q = ufl.TestFunctions(self.W)
        else:
            c_hat, u_hat, s_hat = self.w, None, None
            v = ufl.TestFunction(self.W)
        c_n_hat = ufl.split(self.w_n)[0] if mechanics else self.w_n
        c_nm1_hat = ufl.split(self.w_nm1)[0] if mechanics else self.w_nm1
        c = c_max * c_hat
        weight = measure_weight(msh, geometry.kind) if geometry.kind != "3d" else 1.0
        self.weight = weight
        # UFL's estimate on curved cells (and of the Butler–Volmer exponential on the surface)
        # is 7-17; 2 (k + 1) integrates the products of the fields' polynomials exactly on
        # straight cells at a fraction of the cost
        quadrature = {"quadrature_degree": 2 * (degree + 1)}
        dx = ufl.Measure("dx", domain=msh, metadata=quadrature)
        ds = ufl.Measure("ds", domain=msh, subdomain_data=geometry.facet_tags,
                         metadata=quadrature)
        ds_surface = sum((ds(t) for t in geometry.surface[1:]), ds(geometry.surface[0]))

        self.dt = fem.Constant(msh, 1.0)
        self.bdf = [fem.Constant(msh, 1.0), fem.Constant(msh, -1.0), fem.Constant(msh, 0.0)]
        self.potential = fem.Constant(msh, 0.0)
        self.applied_influx = fem.Constant(msh, 0.0)
        self.potentiostatic = fem.Constant(msh, 0.0)  # at rest until a control is set
        c_rate = c_max * (self.bdf[0] * c_hat + self.bdf[1] * c_n_hat
                          + self.bdf[2] * c_nm1_hat) / self.dt

        D = material.diffusivity  # the reference value, for the scaling
        D_c = D if diffusivity_factor is None else D * diffusivity_factor(c)
        sigma_h = None
        if mechanics:
            u = self.u_scale * u_hat
            s = self.s_scale * s_hat
            chemical = None if lattice is None else lattice.strain(
                c, self._c_ref, c_max, c_axis)
            sigma = particle_stress(u, c, material, geometry.kind, self._c_ref,
                                    chemical=chemical)
            self._sigma_out = particle_stress(
                u, c, material, geometry.kind, self._c_ref,
                strain=axis_safe_strain(u, geometry.kind, R), chemical=chemical)
            if stress_coupling:
                sigma_h = s
        flux = li_flux(c, sigma_h, D_c, material.molar_volume, self.temperature)
        insertion = kinetics.insertion_current(c, self.potential, self.temperature) / FARADAY
        self._influx = self.potentiostatic * insertion \
            + (1.0 - self.potentiostatic) * self.applied_influx
        volume = R ** 3
        F = (c_rate * v - ufl.dot(flux, ufl.grad(v))) * weight * dx \
            - self._influx * v * weight * ds_surface
        if concentration_source is not None:
            F -= concentration_source * v * weight * dx
        F = R ** 2 / (D * c_max * volume) * F
        if mechanics:
            Fu = internal_work(sigma, v_u, geometry.kind, weight, dx)
            if body_force is not None:
                Fu -= ufl.dot(body_force, v_u) * weight * dx
            Fs = (s - hydrostatic(sigma)) * q * weight * dx
            sigma_scale = material.elastic.E * eps_s
            F += R / (sigma_scale * volume) * Fu + 1.0 / (self.s_scale * volume) * Fs
        self.F = F
        self._bcs: list[fem.DirichletBC] = []
        if mechanics:
            tdim = msh.topology.dim
            msh.topology.create_connectivity(tdim - 1, tdim)
            for tag, component in geometry.rollers:
                sub = self.W.sub(1).sub(component)
                collapsed, _ = sub.collapse()
                zero = fem.Function(collapsed)
                dofs = fem.locate_dofs_topological((sub, collapsed), tdim - 1,
                                                   geometry.facet_tags.find(tag))
                self._bcs.append(fem.dirichletbc(zero, dofs, sub))
            for point, components in geometry.supports:
                self._bcs.extend(_point_support(self.W.sub(1), point, components,
                                                1e-9 * geometry.length))
        self._options_prefix = options_prefix
        self._split_options: list[str] = []  # field-split options set until the first solve
        self.problem: Any = None

        self._forms = {
            "volume": fem.form(weight * dx),
            "c_volume": fem.form(c * weight * dx),
            "area": fem.form(weight * ds_surface),
            "c_area": fem.form(c * weight * ds_surface),
            "influx": fem.form(self._influx * weight * ds_surface),
        }
        self.time = 0.0
        self._dt_previous: float | None = None
        #: the Jacobian does not depend on the state: D constant, no drift, a chemical strain
        #: linear in c, no manufactured terms (then, under a current, it depends on the step
        #: only, and the LU factors of one step serve the next of the same length)
        self._state_free_jacobian = (diffusivity_factor is None and not stress_coupling
                                     and (lattice is None or isinstance(lattice, LatticeStrain))
                                     and concentration_source is None and body_force is None)
        self._linear_kinetics = kinetics.linear_in_concentration
        self._factor_key: tuple[float, ...] | None = None
        self._step_mode = self._lag_mode = "every"  # this step's, and the SNES lags' mode
        #: LU factorisations (numeric; AMG set-ups with the iterative solver) so far: one per
        #: step length under a current, one per Newton iteration otherwise
        self.factorisations = 0
        self.set_uniform_concentration(initial_concentration)
        self._stress_space: Any = None
        self._tree: Any = None
        track(self)

    # ---- set-up -------------------------------------------------------------------------
    def set_uniform_concentration(self, concentration: float) -> None:
        """Restart from a uniform concentration [mol/m^3] at rest (u, sigma_h from it)."""
        for f in (self.w, self.w_n, self.w_nm1):
            f.x.array[:] = 0.0
            c_sub = f.sub(0) if self.mechanics else f
            c_sub.interpolate(lambda x: np.full(x.shape[1], concentration / self.c_scale))
            f.x.scatter_forward()
        self._dt_previous = None

    def fix(self, field: str, facets: np.ndarray, value: Callable[[np.ndarray], np.ndarray]
            ) -> None:
        """Dirichlet condition on ``facets``: ``field`` is ``"concentration"`` (value in
        mol/m^3) or ``"displacement"`` (value [m], shape (gdim, n)); value(x) with x of shape
        (3, n). For manufactured solutions; call before the first step."""
        if self.problem is not None:
            raise RuntimeError("fix() must come before the first step")
        msh = self.geometry.mesh
        tdim = msh.topology.dim
        msh.topology.create_connectivity(tdim - 1, tdim)
        if field == "concentration":
            sub, scale = (self.W.sub(0) if self.mechanics else self.W), self.c_scale
        elif field == "displacement" and self.mechanics:
            sub, scale = self.W.sub(1), self.u_scale
        else:
            raise ValueError(f"field must be 'concentration' or 'displacement' (with "
                             f"mechanics), got {field!r}")
        collapsed, _ = sub.collapse() if self.mechanics else (self.W, None)
        g = fem.Function(collapsed)
        g.interpolate(lambda x: np.asarray(value(x)) / scale)
        if self.mechanics:
            dofs = fem.locate_dofs_topological((sub, collapsed), tdim - 1, facets)
            self._bcs.append(fem.dirichletbc(g, dofs, sub))
        else:
            dofs = fem.locate_dofs_topological(self.W, tdim - 1, facets)
            self._bcs.append(fem.dirichletbc(g, dofs))

    def hold_potential(self, potential: float) -> None:
        """Potentiostatic control: the particle at ``potential`` [V] against Li."""
        self.potentiostatic.value = 1.0
        self.potential.value = float(potential)

    def apply_current_density(self, current_density: float) -> None:
        """Galvanostatic control: a uniform insertion current density [A/m^2] (> 0 inserts
        Li, i.e. discharges a cathode)."""
        self.potentiostatic.value = 0.0
        self.applied_influx.value = float(current_density) / FARADAY

    def restart_time_stepping(self) -> None:
        """Take the next step with backward Euler (after a jump of the surface control: the
        history of BDF2 would carry the previous control's rate across it)."""
        self._dt_previous = None

    def _build(self) -> None:
        newton = {"snes_type": "newtonls", "snes_linesearch_type": "basic", "snes_rtol": 1e-10,
                  "snes_atol": 1e-11, "snes_stol": 0.0, "snes_max_it": 30}
        # the field split's block options are set by _split_fields (they must outlive
        # dolfinx's set-up), the rest here
        linear = {k: v for k, v in ITERATIVE_OPTIONS.items() if not k.startswith("fieldsplit_")
                  } if self.linear_solver == "iterative" else {
            "ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
        self.problem = fem_petsc.NonlinearProblem(
            self.F, self.w, bcs=self._bcs, petsc_options_prefix=self._options_prefix,
            petsc_options=newton | linear)
        if self.linear_solver == "iterative":
            self._split_fields()

    def _split_fields(self) -> None:
        """Give the field split its three blocks (c, u, sigma_h, in the order of the one-way
        coupling) as the dofs of each field that this rank owns in the mixed space, and the
        displacement block its rigid-body modes (GAMG's near-nullspace, composed on the
        block's index set, where PCFIELDSPLIT looks for it)."""
        index_map = self.W.dofmap.index_map
        assert self.W.dofmap.index_map_bs == 1, "a mixed space numbers scalar dofs"
        owned = index_map.size_local
        first = index_map.local_range[0]  # owned dofs are numbered from here (bs = 1)

        def owned_dofs(sub: Any) -> tuple[np.ndarray, np.ndarray]:
            space, dofs = sub.collapse()
            dofs = np.asarray(dofs, dtype=np.int64).reshape(-1)  # (1, n) in dolfinx 0.11
            mine = dofs < owned
            return dofs[mine], space.tabulate_dof_coordinates()[mine]

        sets = []
        for name, field in (("c", 0), ("u", 1), ("s", 2)):
            if name != "u":
                dofs, _ = owned_dofs(self.W.sub(field))
                sets.append((name, PETSc.IS().createGeneral(
                    (first + np.sort(dofs)).astype(PETSc.IntType), comm=self.comm)))
                continue
            parts = [owned_dofs(self.W.sub(1).sub(i)) for i in range(3)]
            dofs = np.concatenate([d for d, _ in parts])
            order = np.argsort(dofs)
            coordinates = np.concatenate([x for _, x in parts])[order]
            components = np.concatenate([np.full(d.size, i) for i, (d, _) in
                                         enumerate(parts)])[order]
            index_set = PETSc.IS().createGeneral((first + dofs[order]).astype(PETSc.IntType),
                                                 comm=self.comm)
            index_set.compose("nearnullspace",
                              rigid_body_modes_of_dofs(coordinates, components, self.comm))
            sets.append((name, index_set))
        self.problem.solver.getKSP().getPC().setFieldSplitIS(*sets)
        self._index_sets = sets
        # the blocks' solvers are made when the split is set up (the first solve), after
        # dolfinx has removed its options again: set them until then
        options = PETSc.Options(self._options_prefix)
        self._split_options = [k for k in ITERATIVE_OPTIONS if k.startswith("fieldsplit_")]
        for key in self._split_options:
            options[key] = ITERATIVE_OPTIONS[key]

    def close(self) -> None:
        """Destroy the SNES and its matrices (collective)."""
        if self.problem is not None:
            destroy_nonlinear_problem(self.problem)

    # ---- time stepping ------------------------------------------------------------------
    def step(self, dt: float) -> ParticleState:
        """Advance by ``dt`` [s] (BDF2 with the previous step's length; backward Euler on the
        first step). Collective."""
        if not dt > 0.0:
            raise ValueError(f"dt must be > 0, got {dt!r}")
        if self.problem is None:
            self._build()
        if self._dt_previous is None or dt > MAX_STEP_RATIO * self._dt_previous:
            a = (1.0, -1.0, 0.0)  # BDF2 is zero-stable for step ratios below 1 + sqrt(2)
        else:
            w = dt / self._dt_previous
            a = ((1.0 + 2.0 * w) / (1.0 + w), -(1.0 + w), w * w / (1.0 + w))
        for constant, value in zip(self.bdf, a, strict=True):
            constant.value = value
        self.dt.value = dt
        self._choose_factorisation(a, dt)
        # the scaled residual's time term grows as R^2 / (D dt): so does its round-off
        diffusion_time = self.geometry.length ** 2 / self.material.diffusivity
        self.problem.solver.setTolerances(atol=1e-11 * max(1.0, diffusion_time / dt))
        try:
            self.problem.solve()
        finally:
            if self._split_options:
                options = PETSc.Options(self._options_prefix)
                for key in self._split_options:
                    options.delValue(key)
                self._split_options = []
        snes = self.problem.solver
        reason = snes.getConvergedReason()
        if reason <= 0:
            raise SolverDivergedError(f"particle: Newton failed (SNES reason {reason}) at "
                                      f"t = {self.time + dt:g} s, dt = {dt:g} s")
        self.factorisations += self._factorisations_of(snes)
        self.w.x.scatter_forward()
        self.w_nm1.x.array[:] = self.w_n.x.array
        self.w_n.x.array[:] = self.w.x.array
        self._dt_previous = dt
        self.time += dt
        return self.state(snes.getIterationNumber())

    def _choose_factorisation(self, bdf: tuple[float, float, float], dt: float) -> None:
        """Keep the LU factors of the previous step when the Jacobian cannot have changed: a
        state-free Jacobian under a current (the surface term is then the applied flux) or at
        a held potential with kinetics linear in c, and the same control, step length and BDF
        weights. The Jacobian is the same matrix, so the factors are those a new factorisation
        would give. Otherwise factorise afresh."""
        potentiostatic = float(self.potentiostatic.value)
        key = (dt, bdf[0], potentiostatic)
        constant = self._state_free_jacobian and (potentiostatic == 0.0
                                                  or self._linear_kinetics)
        reuse = constant and key == self._factor_key
        # SNES decides from its lags whether to rebuild the Jacobian and the LU factors: -2
        # builds them at the next iteration and never again (persisting across steps), 1 at
        # every Newton iteration (the default)
        mode = "keep" if reuse else ("once" if constant else "every")
        if mode == "once" or (mode == "every" and self._lag_mode != "every"):
            self._set_lags(-2 if mode == "once" else 1, persist=mode == "once")
            self._lag_mode = mode
        self._factor_key = key if constant else None
        self._step_mode = mode

    def _set_lags(self, lag: int, *, persist: bool) -> None:
        """Set the SNES's Jacobian and preconditioner lags (through the options database,
        which alone reaches them from Python); the entries are removed again, so that no other
        solver with this options prefix inherits them."""
        options = PETSc.Options(self._options_prefix)
        names = [f"snes_lag_{what}{suffix}" for what in ("jacobian", "preconditioner")
                 for suffix in ("", "_persists")]
        for name in names:
            options[name] = persist if name.endswith("_persists") else lag
        try:
            self.problem.solver.setFromOptions()
        finally:
            for name in names:
                options.delValue(name)

    def _factorisations_of(self, snes: Any) -> int:
        """Factorisations of the step just taken: none when the factors were kept, one when
        they were built once for the step, else one per Newton iteration."""
        if self._step_mode == "every":
            return max(1, snes.getIterationNumber())
        return int(self._step_mode == "once")

    def run(self, times: Sequence[float],
            observe: Callable[[ParticleState], None] | None = None) -> list[ParticleState]:
        """Step to each of the increasing ``times`` [s]; ``observe(state)`` after each."""
        states = []
        for t in times:
            state = self.step(t - self.time)
            states.append(state)
            if observe is not None:
                observe(state)
        return states

    # ---- results ------------------------------------------------------------------------
    def _sum(self, name: str) -> float:
        return self.comm.allreduce(fem.assemble_scalar(self._forms[name]), op=MPI.SUM)

    def volume(self) -> float:
        """The mesh's (weighted) volume [m^3]: 2 pi int r dA of the meridian (a half sphere),
        the octant's volume in 3-D. Collective."""
        return self._sum("volume")

    def surface_area(self) -> float:
        """The (weighted) area of the reacting surface [m^2], as :meth:`volume`."""
        return self._sum("area")

    def state(self, newton_iterations: int = 0) -> ParticleState:
        """The current time level's integral quantities (collective)."""
        volume, area = self._sum("volume"), self._sum("area")
        c_mean = self._sum("c_volume") / volume
        c_surface = self._sum("c_area") / area
        influx = self._sum("influx") / area
        if float(self.potentiostatic.value) == 1.0:
            potential = float(self.potential.value)
        else:
            j0 = ocv_value(self.kinetics.exchange_current, c_surface)
            ocv = ocv_value(self.kinetics.ocv, c_surface)
            potential = ocv + self.kinetics.overpotential(influx * FARADAY, float(j0),
                                                          self.temperature)
        return ParticleState(self.time, c_mean, c_surface, influx, potential,
                             int(newton_iterations))

    def concentration(self) -> fem.Function:
        """The concentration [mol/m^3] as a P_k function (a new one)."""
        space = self.W.sub(0).collapse()[0] if self.mechanics else self.W
        c = fem.Function(space, name="concentration")
        c.interpolate(self.w.sub(0) if self.mechanics else self.w)
        c.x.array[:] *= self.c_scale
        return c

    def concentration_at(self, points: np.ndarray) -> np.ndarray:
        """Concentration [mol/m^3] at ``points`` (shape (n, 3)); NaN where no rank holds the
        point. Collective."""
        self._ensure_tree()
        return _values_at(self.concentration(), np.asarray(points, dtype=float),
                          self._tree)[:, 0]

    def _ensure_tree(self) -> None:
        if self._tree is None:
            msh = self.geometry.mesh
            self._tree = dolfinx.geometry.bb_tree(msh, msh.topology.dim)

    def displacement(self) -> fem.Function:
        """The displacement [m] as a P_(k+1) vector function (a new one)."""
        if not self.mechanics:
            raise ValueError("displacement needs mechanics=True")
        u = fem.Function(self.W.sub(1).collapse()[0], name="displacement")
        u.interpolate(self.w.sub(1))
        u.x.array[:] *= self.u_scale
        return u

    def largest_principal_stress(self) -> tuple[float, float]:
        """The largest principal stress over the cells [Pa] and its cell's distance from the
        centre [m] (:meth:`cell_stresses`), the same on every rank: the site a crack would
        start from. Collective."""
        radius, _, principal = self.cell_stresses()
        k = int(np.argmax(principal)) if principal.size else -1
        local = (float(principal[k]), float(radius[k])) if k >= 0 else (-math.inf, 0.0)
        return max(self.comm.allgather(local))

    @property
    def stress_expression(self) -> Any:
        """The Mandel stress [Pa] as a UFL expression (for integrals and interpolation)."""
        if not self.mechanics:
            raise ValueError("stresses need mechanics=True")
        return self._sigma_out

    def _cell_stress_tensors(self) -> np.ndarray:
        """The stress [Pa] at each local cell's midpoint (owned and ghost), shape (n, 3, 3)."""
        if not self.mechanics:
            raise ValueError("stresses need mechanics=True")
        msh = self.geometry.mesh
        if not hasattr(self, "_dg0"):
            self._dg0 = fem.functionspace(msh, ("DG", 0, (6,)))
            self._dg0_expr = fem.Expression(self._sigma_out,
                                            self._dg0.element.interpolation_points)
            self._volume_expr = fem.form(
                self.weight * ufl.TestFunction(fem.functionspace(msh, ("DG", 0))) * ufl.dx)
        sigma = fem.Function(self._dg0)
        sigma.interpolate(self._dg0_expr)
        sigma.x.scatter_forward()
        m = sigma.x.array.reshape(-1, 6)
        s = 1.0 / np.sqrt(2.0)
        return np.stack([np.stack([m[:, 0], s * m[:, 3], s * m[:, 5]], axis=1),
                         np.stack([s * m[:, 3], m[:, 1], s * m[:, 4]], axis=1),
                         np.stack([s * m[:, 5], s * m[:, 4], m[:, 2]], axis=1)], axis=1)

    def cell_stresses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per owned cell: the distance of its midpoint from the particle centre [m], its
        (weighted) volume [m^3] and its largest principal stress [Pa] (of the stress at the
        midpoint). For profiles and crack-initiation sites; collective."""
        tensors = self._cell_stress_tensors()
        msh = self.geometry.mesh
        tdim = msh.topology.dim
        owned = msh.topology.index_map(tdim).size_local
        principal = np.linalg.eigvalsh(tensors[:owned])[:, -1]
        midpoints = dolfinx.mesh.compute_midpoints(msh, tdim, np.arange(owned, dtype=np.int32))
        radius = np.linalg.norm(midpoints - np.asarray(self.geometry.centre)[None, :], axis=1)
        volumes = fem.assemble_vector(self._volume_expr).array[:owned]
        return radius, volumes, principal

    def grain_boundary_tractions(self, polycrystal: Polycrystal
                                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The normal traction across the grain boundaries of ``polycrystal`` (3-D, grains
        of the cells as :meth:`~ssbx.meshes.grains.Polycrystal.grain_of` assigns them): per
        owned facet between cells of two grains, the distance of its midpoint from the centre
        [m], its area projected on the boundary plane [m^2] and ``n . sigma . n`` [Pa] (> 0
        opens the boundary), with n the normal of the Voronoi boundary of the two grains
        (:meth:`~ssbx.meshes.grains.Polycrystal.boundary_normals`; the mesh follows it by a
        staircase of facets whose projected areas add up to the boundary's area) and sigma the
        mean of the two cells' midpoint stresses. The site where an intergranular crack would
        start; collective."""
        msh = self.geometry.mesh
        tdim = msh.topology.dim
        if tdim != 3:
            raise ValueError("grain-boundary tractions need a 3-D particle")
        tensors = self._cell_stress_tensors()
        cells = msh.topology.index_map(tdim)
        local = np.arange(cells.size_local + cells.num_ghosts, dtype=np.int32)
        grain = polycrystal.grain_of(dolfinx.mesh.compute_midpoints(msh, tdim, local).T)
        msh.topology.create_connectivity(tdim - 1, tdim)
        facet_cells = msh.topology.connectivity(tdim - 1, tdim)
        owned = msh.topology.index_map(tdim - 1).size_local
        offsets, links = facet_cells.offsets, facet_cells.array
        facets = np.flatnonzero(np.diff(offsets[:owned + 1]) == 2).astype(np.int32)
        first, second = links[offsets[facets]], links[offsets[facets] + 1]
        between = grain[first] != grain[second]
        facets, first, second = facets[between], first[between], second[between]
        normal = polycrystal.boundary_normals(grain[first], grain[second])
        sigma = 0.5 * (tensors[first] + tensors[second])
        traction = np.einsum("fi,fij,fj->f", normal, sigma, normal)
        nodes = dolfinx.mesh.entities_to_geometry(msh, tdim - 1, facets)[:, :3]
        corners = msh.geometry.x[nodes]
        area = 0.5 * np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        projected = np.abs(np.sum(area * normal, axis=1))
        radius = np.linalg.norm(corners.mean(axis=1) - np.asarray(self.geometry.centre)[None, :],
                                axis=1)
        return radius, projected, traction

    def stress_at(self, points: np.ndarray) -> np.ndarray:
        """Mandel stress [Pa] at ``points`` (shape (n, 3)), from the stress interpolated into
        a discontinuous space of the displacement's degree minus one (exact for straight
        cells outside axisymmetry); NaN where no rank holds the point. Collective."""
        if not self.mechanics:
            raise ValueError("stress needs mechanics=True")
        msh = self.geometry.mesh
        if self._stress_space is None:
            degree = self.W.sub(1).ufl_element().embedded_superdegree - 1
            self._stress_space = fem.functionspace(msh, ("DG", max(degree, 0), (6,)))
            self._stress_expr = fem.Expression(
                self._sigma_out, self._stress_space.element.interpolation_points)
        self._ensure_tree()
        sigma = fem.Function(self._stress_space)
        sigma.interpolate(self._stress_expr)
        return _values_at(sigma, np.asarray(points, dtype=float), self._tree)


def c_axis_field(mesh: dolfinx.mesh.Mesh, axis: Callable[[np.ndarray], np.ndarray] |
                 Sequence[float], cells: np.ndarray | None = None) -> fem.Function:
    """The grains' c-axes as a cell-wise constant 3-vector function (``LatticeStrain`` and
    ``ParticleProblem(c_axis=...)``): ``axis`` is a fixed vector or a function of points
    (shape (3, n) -> (3, n), e.g. :meth:`ssbx.meshes.grains.Polycrystal.axis_at`), evaluated
    at the cell midpoints; ``cells``: only these local cells get it, the others 0 (no
    lattice strain there: an inclusion in an inert matrix)."""
    space = fem.functionspace(mesh, ("DG", 0, (3,)))
    field = fem.Function(space, name="c_axis")
    if callable(axis):
        values = axis
    else:
        vector = np.asarray(axis, dtype=float)

        def values(x: np.ndarray) -> np.ndarray:
            return np.tile(vector[:, None], (1, x.shape[1]))
    if cells is None:
        field.interpolate(values)
    else:
        field.interpolate(values, cells0=np.asarray(cells, dtype=np.int32))
    field.x.scatter_forward()
    return field


def _point_support(V: fem.FunctionSpace, point: Sequence[float], components: Sequence[int],
                   tolerance: float) -> list[fem.DirichletBC]:
    """Zero Dirichlet conditions on ``components`` of the vector (sub)space ``V`` at the mesh
    vertex ``point`` [m] (within ``tolerance``); raises ``ValueError`` on every rank if no rank
    holds that vertex. Collective."""
    target = np.asarray(point, dtype=float)

    def at_point(x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(x.T - target[None, :], axis=1) <= tolerance

    bcs, found = [], 0
    for component in components:
        sub = V.sub(component)
        collapsed, _ = sub.collapse()
        dofs = fem.locate_dofs_geometrical((sub, collapsed), at_point)
        found += len(dofs[0])
        bcs.append(fem.dirichletbc(fem.Function(collapsed), dofs, sub))
    if V.mesh.comm.allreduce(found, op=MPI.SUM) == 0:
        raise ValueError(f"no mesh vertex at the support point {tuple(point)} [m]")
    return bcs


def _values_at(f: fem.Function, points: np.ndarray, tree: Any) -> np.ndarray:
    """Values of ``f`` at ``points`` (n, 3), the same on every rank (collective)."""
    msh = f.function_space.mesh
    size = int(np.prod(f.ufl_shape)) if f.ufl_shape else 1
    candidates = dolfinx.geometry.compute_collisions_points(tree, points)
    cells = dolfinx.geometry.compute_colliding_cells(msh, candidates, points)
    local = np.full((len(points), size), np.nan)
    for i in range(len(points)):
        links = cells.links(i)
        if len(links) > 0:
            local[i] = f.eval(points[i], links[:1])
    gathered = msh.comm.allgather(local)
    values = np.full_like(local, np.nan)
    for part in gathered:
        missing = np.isnan(values[:, 0]) & ~np.isnan(part[:, 0])
        values[missing] = part[missing]
    return values


def radial_points(centre: Sequence[float], direction: Sequence[float], radius: float,
                  fractions: Sequence[float]) -> np.ndarray:
    """Points ``centre + f radius direction`` (shape (n, 3)) for the fractions f; a fraction
    0 is moved by 1e-6 radius along the direction (the axis of an axisymmetric mesh, where
    the hoop strain u_r / r is 0 / 0)."""
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    fr = np.maximum(np.asarray(fractions, dtype=float), 1e-6)
    return np.asarray(centre, dtype=float)[None, :] + np.outer(fr * radius, d)


__all__ = [
    "MAX_STEP_RATIO",
    "ParticleGeometry",
    "ParticleProblem",
    "ParticleState",
    "c_axis_field",
    "graded_times",
    "radial_points",
]

