"""Quasi-static small-strain mechanics of the Li | electrolyte cell with Li creep (SNES).

One displacement field on the whole mesh (Li and electrolyte bonded and conforming; Lagrange
degree ``degree``, default P2). Elastic cells use the UFL stress ``C : eps(u)`` directly. Creeping
cells (one :mod:`ssbx.physics.creep_laws` law per cell tag) carry their state at quadrature
points on a submesh of those cells: plastic strain ``eps_p`` (Mandel 6-vector), equivalent plastic
strain ``p``, the Anand flow resistance ``S``, and as kernel outputs the stress (6) and consistent
tangent (6x6). The residual and Jacobian are those of :mod:`ssbx.physics.mechanics`.

Quadrature degree (``quadrature_degree=None``): ``max(2 (k - 1), 1)`` in every kind, i.e. P1: one
point, P2: 3 points per triangle / 4 per tetrahedron. It integrates the elastic stiffness of
affine plane-strain and 3-D cells exactly and keeps the optimal rates in axisymmetry (measured:
Lamé sphere, P2 L2 rate 3.0). Higher rules over-constrain incompressible creep flow: with 6 points
per P2 triangle (degree 4) the steady creep rate of a hollow sphere drifted down by 0.6 % over a
plastic strain of 0.5 (volumetric locking of the isochoric flow), with 3 points it stayed at the
closed form within 3e-4. P1 locks under incompressible creep: the steady-creep rate of a hollow
cylinder fell to 0.45 of the closed form after 2000 relaxation times. Use P2 for creep.
The same rule is used in every cell and for the quadrature state.

Volumetric locking in 3-D and the mixed formulation (``volumetric``): the P2 tetrahedron with
its 4-point rule nearly locks under isochoric creep (a hollow sphere's steady void-collapse rate
11 % / 3.9 % below Budiansky-Hutchinson-Slutsky at gradings 0.4 r / 0.2 r, where axisymmetric P2
triangles are within 1.5 % / 0.28 %). ``volumetric="mixed"`` adds, per creeping tag, the mean
stress ``s`` as a P1 field on the tag's cells (Taylor-Hood P2-P1, inf-sup stable in 2-D and
3-D): the creep laws flow isochorically, so the volumetric response is the elastic
``s = K (tr eps(u) - eps_v)`` (K the bulk modulus, eps_v a volumetric eigenstrain), and that
relation is imposed weakly while the deviatoric stress comes from the kernel:

    ∫ [dev sigma_k(eps(u)) + s 1] . eps(v) w dx = (loads)        for all v
    ∫ [tr eps(u) - eps_v - s / K] q w dx = 0                      for all q in P1

with the Jacobian ``[[P_dev C_t, 1 tr], [tr^T, -1/K]]`` (symmetric; ``P_dev`` the deviatoric
projector, so the kernel's locked volumetric part drops out). The stress stored at the points
(outputs, hydrostatic stress) is the mixed one, ``dev sigma_k + s 1``. ``"auto"`` (default)
is ``"mixed"`` for 3-D meshes with creep and P2, and ``"displacement"`` otherwise: 2-D P2
triangles with 3 points do not lock, and all 2-D results were computed that way (the mixed
formulation is closer still there: -1.7e-4 against -2.8e-3 on the axisymmetric void, see
tests/test_mechanics_mixed.py). Measured in 3-D (the octant of the hollow sphere, n = 3):
-0.91 % and -0.091 % at gradings 0.4 r, 0.2 r. The system is a symmetric saddle point, solved
by LU (MUMPS; METIS ordering in 3-D, 1.7x faster than AMD on 38k P2 DOFs) or, with
``linear_solver="amg"``, by GMRES with a block upper-triangular Schur-complement preconditioner
(:data:`SCHUR_OPTIONS`): one GAMG V-cycle with the rigid-body modes on the displacement block,
Jacobi on the mean-stress mass matrix weighted by ``-(1/(2 G_t) + 1/K)`` (2 G_t the mean
deviatoric tangent at the points) for the Schur complement. The mean-stress unknown is scaled
(:meth:`MechanicsProblem._mean_stress_scale`) so that the blocks have one magnitude. Measured on
the creeping hollow sphere: equal to LU to 1e-15, GMRES iterations per Newton step 75 -> 92 over
dt = 0.01 ... 22 relaxation times, then ~150-350 at 66-590 (CG + GAMG on the displacement
formulation: 33 -> 122, then ~660 at 850).

Newton: PETSc SNES ``newtonls`` with a full step (``basic`` line search) and MUMPS LU
(``linear_solver="lu"``; ``"lu_reuse"``: an LU kept as GMRES's preconditioner within a Newton
solve, :mod:`ssbx.problems.factor_reuse`) or, for large and 3-D meshes, conjugate gradients
preconditioned by smoothed-aggregation AMG (PETSc GAMG) whose near-nullspace is the rigid-body
modes (``linear_solver="amg"``, :mod:`ssbx.problems.rigid_modes`; the consistent tangent of the
creep kernels is symmetric, so CG applies; in axisymmetry GAMG takes its default per-component
constants, the only rigid mode there being the axial translation). The
constitutive kernel runs inside the residual callback over all local (owned + ghost) quadrature
points of the creeping cells, with the strain from one compiled :class:`dolfinx.fem.Expression`;
SNES evaluates the residual before the Jacobian at every iterate, so the tangent the Jacobian
assembles belongs to the current iterate. The kernel reads the committed state ``*_old`` and
writes ``*_new``; :meth:`MechanicsProblem.commit` copies new to old after a converged step only.
A point where the kernel fails makes the residual NaN, i.e. SNES diverges and the step is cut.

Tolerances: the residual is a force [N] (per metre of depth in plane strain); ``snes_atol`` is
``atol`` times a force scale = stress scale x loaded area, where the stress scale is the largest
applied pressure, spring preload or ``E |u_imposed| / size`` (or the ``stress_scale`` argument);
``snes_rtol`` = ``rtol``; ``snes_stol`` = 0 (displacements ~1e-6 m would trip it).

Boundary conditions (a declarative list): :class:`Traction`, :class:`Displacement`,
:class:`Spring`, :class:`Symmetry`; :class:`Periodic` is refused (see its docstring).

Lifecycle: mesh + tags → ``MechanicsProblem(...)`` → ``solve_step(dt)`` → ``commit()`` (or
``reject()``) → :class:`StepResult`; :func:`run_quasistatic` drives adaptive time stepping.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import basix.ufl
import dolfinx
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.mesh import Mesh, MeshTags

from ssbx.errors import MechanicsSolverError, TimeSteppingError, UnsupportedConditionError
from ssbx.physics.elasticity import ElasticMaterial
from ssbx.physics.mechanics import (
    check_kind,
    elastic_stress,
    elastic_tangent_work,
    internal_work,
    mandel_strain,
    mandel_trace,
    mean_stress_forms,
    measure_weight,
    pressure_work,
    schur_mass_form,
    spring_pressure,
    tangent_work,
)
from ssbx.problems.factor_reuse import LAGGED_KSP_OPTIONS, FactorReuse
from ssbx.problems.rigid_modes import GAMG_OPTIONS, rigid_body_modes

TimeFunction = float | Callable[[float], float]

#: SNES converged reason of a failed linear solve (SNES_DIVERGED_LINEAR_SOLVE)
_DIVERGED_LINEAR_SOLVE = -3


# --------------------------------------------------------------------------------------------
# Boundary conditions
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Traction:
    """Uniform normal pressure on an exterior boundary: traction ``-p n`` (compressive p > 0).

    tag: facet tag; pressure: p [Pa], a number or a callable of time ``t`` [s].
    """

    tag: int
    pressure: TimeFunction


@dataclass(frozen=True)
class Displacement:
    """Imposed uniform displacement of one component on a boundary (e.g. a fixed gap).

    tag: facet tag; component: 0 (x / r), 1 (y / z) or 2 (z, 3-D); value: u_component [m], a
    number or a callable of time ``t`` [s].
    """

    tag: int
    component: int
    value: TimeFunction = 0.0


@dataclass(frozen=True)
class Spring:
    """Spring-loaded plate as a Winkler foundation: pressure ``p = preload + stiffness * u_n``.

    ``u_n = u . n`` is the local normal displacement (n outward): when the body contracts away
    from the plate (``u_n < 0``), the springs extend and the pressure falls; pressing into the
    plate raises it. stiffness [Pa/m] is the fixture's spring rate per unit nominal area
    (total spring rate [N/m] / plate area). preload [Pa]: a number or a callable of time.

    Approximation: the pressure is local (each point of the boundary rests on its own spring). A
    rigid plate on springs would move as one body and only its mean displacement would set the
    force; the two agree when the boundary displacement is uniform (a flat stack), and the
    Winkler model makes the pressure follow local creep.
    """

    tag: int
    preload: TimeFunction
    stiffness: float


@dataclass(frozen=True)
class RigidPlate:
    """A rigid plate pressed on a flat boundary with a controlled force (current collector or
    plunger): the boundary moves as one body, ``u_component = delta`` uniform, and the plate
    displacement ``delta`` is the extra unknown fixed by the force balance ``mean normal
    pressure = pressure`` (compressive > 0; a number or a callable of time [s]).

    Solved exactly (to ``RIGID_PLATE_RTOL`` of the pressure) by a secant iteration on delta
    around the Newton solve of each step: the pressure of a step is monotone in delta. The
    plate slides freely along the boundary; add ``Displacement(tag, other_component, 0)`` to
    bond it. Unlike :class:`Traction` (a uniform pressure: a soft layer over a void bends), the
    plate does not bend: where the body creeps away the contact pressure falls and elsewhere it
    rises.
    """

    tag: int
    component: int
    pressure: TimeFunction


#: Relative tolerance of the force balance of a :class:`RigidPlate` (and its iteration limit).
RIGID_PLATE_RTOL = 1e-9
RIGID_PLATE_MAX_ITERATIONS = 30


@dataclass(frozen=True)
class Symmetry:
    """Roller (symmetry plane): zero normal displacement, free tangential sliding.

    The boundary must be a plane normal to a coordinate axis (detected from its facets); in
    axisymmetry the axis ``r = 0`` is such a boundary (u_r = 0).
    """

    tag: int


@dataclass(frozen=True)
class Periodic:
    """Periodic lateral sides: **not supported** on this stack.

    Periodic constraints need dolfinx_mpc, which does not install on the dolfinx pip wheel (it
    builds against DOLFINx's C++ headers/CMake config, which the wheel does not ship). Passing
    this condition raises :class:`UnsupportedConditionError`. A unit cell that is
    mirror-symmetric about its sides is exactly represented with :class:`Symmetry` on both
    sides instead.
    """

    tag_a: int
    tag_b: int


BoundaryCondition = Traction | Displacement | Spring | Symmetry | Periodic | RigidPlate


def _at(value: TimeFunction, t: float) -> float:
    return float(value(t)) if callable(value) else float(value)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class StepResult:
    """One (attempted) load/time step.

    time: the time the step ends at [s]; dt: its length [s] (0: elastic step); converged: SNES
    converged and every kernel point succeeded; reason: SNES converged reason; iterations:
    Newton iterations; residual_history: residual norms [N] from the initial one on;
    max_dp: largest increment of the equivalent plastic strain over the creeping points;
    force_scale: the force [N] that ``atol`` is relative to (stress scale x loaded area);
    failed_points: points where the kernel failed (last evaluation); plate_pressure: stack
    pressure on the plate boundary [Pa] (compressive +, NaN if not converged);
    plate_displacement: mean normal displacement of the plate boundary [m] (outward +);
    timings [s]: wall (the step), kernel (constitutive updates), assembly (residual + Jacobian).
    """

    time: float
    dt: float
    converged: bool
    reason: int
    iterations: int
    residual_history: list[float]
    max_dp: float
    failed_points: int
    force_scale: float = 1.0
    plate_pressure: float = math.nan
    plate_displacement: float = math.nan
    wall_time: float = 0.0
    kernel_time: float = 0.0
    assembly_time: float = 0.0
    linear_iterations: int = 0

    def convergence_orders(self, floor: float = 1e-10) -> list[float]:
        """Observed orders ``log(r_k+1/r_k) / log(r_k/r_k-1)`` of the residual history, using
        only norms above ``floor * force_scale`` (round-off is ~1e-14 of the force scale)."""
        r = [x for x in self.residual_history if x >= floor * self.force_scale]
        return [math.log(r[k + 1] / r[k]) / math.log(r[k] / r[k - 1])
                for k in range(1, len(r) - 1) if r[k] != r[k - 1]]


# --------------------------------------------------------------------------------------------
# Creeping regions: quadrature state on a submesh and the kernel call
# --------------------------------------------------------------------------------------------
class _CreepRegion:
    """The creeping cells of one cell tag: submesh, quadrature state and kernel adapter."""

    def __init__(self, tag: int, law: Any, material: ElasticMaterial, temperature: float,
                 mesh: Mesh, cells: np.ndarray, qdeg: int) -> None:
        from ssbx.physics import creep_laws

        self.tag = tag
        self.law = law
        self.material = material
        tdim = mesh.topology.dim
        self.submesh, self.entity_map, _, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells)
        imap = self.submesh.topology.index_map(tdim)
        n_local = imap.size_local + imap.num_ghosts
        self.parent_cells = np.ascontiguousarray(self.entity_map.sub_topology_to_topology(
            np.arange(n_local, dtype=np.int32), inverse=False), dtype=np.int32)
        cell = self.submesh.basix_cell()
        el6 = basix.ufl.quadrature_element(cell, value_shape=(6,), degree=qdeg)
        el66 = basix.ufl.quadrature_element(cell, value_shape=(6, 6), degree=qdeg)
        el1 = basix.ufl.quadrature_element(cell, value_shape=(), degree=qdeg)
        self.points = el1.custom_quadrature()[0]
        nq = self.points.shape[0]
        Q6 = fem.functionspace(self.submesh, el6)
        Q66 = fem.functionspace(self.submesh, el66)
        Q1 = fem.functionspace(self.submesh, el1)
        self.Q1 = Q1
        #: mixed formulation: the mean-stress field and its committed values (else None)
        self.mean_stress: fem.Function | None = None
        # the kernel works on flat (N, ...) views: quadrature dofs must be cell-contiguous
        expected = np.arange(n_local * nq, dtype=np.int32).reshape(n_local, nq)
        if not np.array_equal(Q1.dofmap.list, expected):
            raise MechanicsSolverError("quadrature dofs are not cell-contiguous")
        self.num_points = n_local * nq
        self.num_owned_points = imap.size_local * nq

        def f(space: Any, name: str) -> fem.Function:
            return fem.Function(space, name=f"{name}_{tag}")

        self.stress = f(Q6, "stress")
        self.tangent = f(Q66, "tangent")
        self.eps_p_old, self.eps_p_new = f(Q6, "eps_p"), f(Q6, "eps_p_new")
        self.p_old, self.p_new = f(Q1, "p"), f(Q1, "p_new")
        #: volumetric eigenstrain (trace) per point, e.g. the shrinkage of annihilated
        #: vacancies; ``eigen_enabled`` once a coupling uses it (then it is checkpointed)
        self.eps_v = f(Q1, "eps_v")
        self.eps_v_rate = f(Q1, "eps_v_rate")  # [1/s] over each step (explicit in the rate)
        self.eigen_enabled = False
        self._cell_rows: np.ndarray | None = None
        N = self.num_points
        self.strain = np.zeros((N, 6))
        self.views = {
            "stress": self.stress.x.array.reshape(N, 6),
            "tangent": self.tangent.x.array.reshape(N, 6, 6),
            "eps_p_old": self.eps_p_old.x.array.reshape(N, 6),
            "eps_p_new": self.eps_p_new.x.array.reshape(N, 6),
            "p_old": self.p_old.x.array,
            "p_new": self.p_new.x.array,
        }
        self.C = material.mandel_stiffness()
        self.E, self.nu = float(material.E), float(material.nu)
        if isinstance(law, creep_laws.AnandLi):
            self.kind = "anand"
            self.S_old, self.S_new = f(Q1, "S"), f(Q1, "S_new")
            self.S_old.x.array[:] = law.S0
            self.S_new.x.array[:] = law.S0
            self.views["S_old"] = self.S_old.x.array
            self.views["S_new"] = self.S_new.x.array
        elif isinstance(law, creep_laws.PowerLawCreep):
            self.kind = "power_law"
        elif isinstance(law, creep_laws.SizeDependentLiCreep):
            self.kind = "power_law_linear"
        else:
            raise TypeError(f"cell tag {tag}: unknown creep law {type(law).__name__} (expected "
                            "PowerLawCreep, SizeDependentLiCreep or AnandLi from "
                            "ssbx.physics.creep_laws)")
        self.kernel_args = tuple(float(a) for a in law.kernel_args(temperature))
        # elastic start: the tangent is the elastic stiffness until the first update
        self.views["tangent"][:] = self.C

    @property
    def bulk_modulus(self) -> float:
        """K = E / (3 (1 - 2 nu)) [Pa] of the tag's elastic constants."""
        return self.E / (3.0 * (1.0 - 2.0 * self.nu))

    def add_mean_stress_field(self, scale: float, *, shear_tangent: bool = False
                              ) -> fem.Function:
        """The unknown of the mixed formulation, the mean stress in units of ``scale`` [Pa]
        (s = scale * s_hat): P1 on this tag's cells, with the expression that evaluates it at
        the quadrature points. ``shear_tangent``: keep 2 G_t at the points up to date (only the
        block preconditioner of ``linear_solver="amg"`` reads it)."""
        space = fem.functionspace(self.submesh, ("Lagrange", 1))
        self.mean_stress_scale = float(scale)
        self.mean_stress = fem.Function(space, name=f"mean_stress_scaled_{self.tag}")
        self.mean_stress_committed = self.mean_stress.x.array.copy()
        #: 2 G_t [Pa]: the mean of the deviatoric tangent's eigenvalues (trace / 5), for the
        #: Schur-complement preconditioner
        self.shear_tangent = fem.Function(self.Q1, name=f"shear_tangent_{self.tag}")
        self.shear_tangent.x.array[:] = 2.0 * self.material.shear_modulus
        self.track_shear_tangent = shear_tangent
        self._mean_stress_expr = fem.Expression(self.mean_stress, self.points)
        self._local_cells = np.arange(self.parent_cells.size, dtype=np.int32)
        return self.mean_stress

    def impose_mean_stress(self) -> None:
        """Mixed formulation: stress ← dev(stress) + s 1 and tangent ← P_dev tangent at every
        local point (after :meth:`update`; the kernel's own volumetric part drops out)."""
        s = self.mean_stress_scale * self._mean_stress_expr.eval(
            self.submesh, self._local_cells).reshape(-1)
        stress = self.views["stress"]
        stress[:, :3] += (s - stress[:, :3].sum(axis=1) / 3.0)[:, None]
        tangent = self.views["tangent"]
        tangent[:, :3, :] -= tangent[:, :3, :].sum(axis=1, keepdims=True) / 3.0
        if self.track_shear_tangent:
            self.shear_tangent.x.array[:] = np.trace(tangent, axis1=1, axis2=2) / 5.0

    def restore_mean_stress(self) -> None:
        """Mixed formulation: the mean stress back to its committed values (a new Newton
        solve of the step, a rejected step)."""
        if self.mean_stress is not None:
            self.mean_stress.x.array[:] = self.mean_stress_committed

    def update(self, dt: float) -> int:
        """Constitutive update of every local point from ``self.strain``; failed points."""
        v = self.views
        if dt <= 0.0:  # elastic step: no flow
            v["stress"][:] = (self.strain - v["eps_p_old"]) @ self.C.T
            v["tangent"][:] = self.C
            v["eps_p_new"][:] = v["eps_p_old"]
            v["p_new"][:] = v["p_old"]
            if self.kind == "anand":
                v["S_new"][:] = v["S_old"]
            return 0
        from ssbx.physics import viscoplastic_kernels as vk

        if self.kind == "power_law":
            return int(vk.power_law_update(
                self.strain, v["eps_p_old"], v["p_old"], float(dt), self.E, self.nu,
                *self.kernel_args, v["stress"], v["tangent"], v["eps_p_new"], v["p_new"]))
        if self.kind == "power_law_linear":
            return int(vk.power_law_linear_update(
                self.strain, v["eps_p_old"], v["p_old"], float(dt), self.E, self.nu,
                *self.kernel_args, v["stress"], v["tangent"], v["eps_p_new"], v["p_new"]))
        return int(vk.anand_update(
            self.strain, v["eps_p_old"], v["p_old"], v["S_old"], float(dt), self.E, self.nu,
            *self.kernel_args, v["stress"], v["tangent"], v["eps_p_new"], v["p_new"],
            v["S_new"]))

    def commit(self, dt: float = 0.0) -> None:
        v = self.views
        if self.mean_stress is not None:
            self.mean_stress_committed[:] = self.mean_stress.x.array
        if self.eigen_enabled and dt > 0.0:
            self.eps_v.x.array[:] += dt * self.eps_v_rate.x.array
        v["eps_p_old"][:] = v["eps_p_new"]
        v["p_old"][:] = v["p_new"]
        if self.kind == "anand":
            v["S_old"][:] = v["S_new"]

    def cell_rows(self) -> np.ndarray:
        """Parent mesh cell -> its row (cell) in this region's point arrays, -1 outside the
        region (built once)."""
        if self._cell_rows is None:
            rows = np.full(int(np.max(self.parent_cells, initial=-1)) + 1, -1, dtype=np.int64)
            rows[self.parent_cells] = np.arange(self.parent_cells.size)
            self._cell_rows = rows
        return self._cell_rows

    def max_dp(self) -> float:
        v = self.views
        n = self.num_owned_points
        return float(np.max(v["p_new"][:n] - v["p_old"][:n], initial=0.0))


# --------------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------------
#: PETSc options of the linear solver of each Newton step (module docstring)
_LU_OPTIONS: dict[str, Any] = {"ksp_type": "preonly", "pc_type": "lu",
                                "pc_factor_mat_solver_type": "mumps", "mat_mumps_icntl_7": 0}
LINEAR_SOLVERS: dict[str, dict[str, Any]] = {
    "lu": _LU_OPTIONS,
    "lu_reuse": _LU_OPTIONS | LAGGED_KSP_OPTIONS,
    "amg": GAMG_OPTIONS | {"ksp_rtol": 1e-10, "ksp_atol": 0.0, "ksp_max_it": 1000},
}


#: PETSc options of the mixed system with ``linear_solver="amg"``: GMRES on the block upper
#: triangular Schur factorisation, one GAMG V-cycle (rigid-body near-nullspace) for the
#: displacement block, Jacobi on the scaled mean-stress mass matrix -∫ (1/(2 G_t) + 1/K) s q
#: for the Schur complement (spectrally equivalent to it, independent of the time step)
SCHUR_OPTIONS: dict[str, Any] = {
    "ksp_type": "gmres", "ksp_gmres_restart": 200, "ksp_rtol": 1e-10, "ksp_atol": 0.0,
    "ksp_max_it": 2000, "pc_type": "fieldsplit", "pc_fieldsplit_type": "schur",
    "pc_fieldsplit_schur_fact_type": "upper", "pc_fieldsplit_schur_precondition": "a11",
    "fieldsplit_u_ksp_type": "preonly",
    **{f"fieldsplit_u_{k}": v for k, v in GAMG_OPTIONS.items() if k != "ksp_type"},
    "fieldsplit_s_ksp_type": "preonly", "fieldsplit_s_pc_type": "jacobi"}

#: Formulations of the volumetric response of creeping tags (module docstring)
VOLUMETRIC = ("auto", "displacement", "mixed")


class MechanicsProblem:
    """Quasi-static small-strain mechanics with per-tag elastic materials and creep laws.

    mesh: the (whole) mesh [m], any communicator; cell_tags: material tags (``None``: one
    material for the whole mesh, ``materials`` must then have exactly one entry);
    facet_tags: boundary tags used by ``bcs``; kind: ``"plane_strain"`` | ``"axisymmetric"``
    (x = r, y = z) | ``"3d"``; materials: ``{cell_tag: ElasticMaterial}`` for every tag;
    creep: ``{cell_tag: PowerLawCreep | SizeDependentLiCreep | AnandLi | None}`` (absent /
    None: elastic);
    temperature [K] (creep rates); bcs: boundary conditions; degree: Lagrange degree of u;
    quadrature_degree: see the module docstring; plate_tag: boundary whose stack pressure and
    displacement are reported (default: the first Traction/Spring/Displacement);
    stress_scale [Pa]: force-scale override for ``snes_atol``; rtol, atol, max_iterations: SNES;
    predictor: Newton start of a time step, ``"linear"`` (extrapolate the last step's
    displacement rate, exact in steady creep) or ``"constant"`` (the committed displacement);
    linear_solver: ``"lu"`` (MUMPS) or ``"amg"`` (CG + GAMG with the rigid-body modes; see
    the module docstring); volumetric: ``"auto"`` | ``"displacement"`` | ``"mixed"`` (the mean
    stress of creeping tags as a P1 field, against volumetric locking; module docstring);
    petsc_options: extra/overriding SNES options; prefix: PETSc options
    prefix (unique).

    The elastic constants of a creeping tag are those of ``materials[tag]`` (also for
    :class:`~ssbx.physics.creep_laws.AnandLi`, whose own ``E``, ``nu`` are not read: pass
    ``ElasticMaterial("Li", law.E, law.nu)`` to use them). The initial flow resistance of an
    Anand tag is ``law.S0``.
    """

    def __init__(self, mesh: Mesh, cell_tags: MeshTags | None, facet_tags: MeshTags | None, *,
                 kind: str, materials: dict[int, ElasticMaterial],
                 creep: dict[int, Any] | None = None, temperature: float = 298.15,
                 bcs: Sequence[BoundaryCondition] = (), degree: int = 2,
                 quadrature_degree: int | None = None, plate_tag: int | None = None,
                 stress_scale: float | None = None, rtol: float = 1e-10, atol: float = 1e-10,
                 max_iterations: int = 25, predictor: str = "linear",
                 linear_solver: str = "lu", volumetric: str = "auto",
                 petsc_options: dict[str, Any] | None = None,
                 prefix: str = "ssbx_mechanics_") -> None:
        t0 = time.perf_counter()
        self.mesh = mesh
        self.comm: MPI.Comm = mesh.comm
        self.kind = kind
        gdim = mesh.geometry.dim
        tdim = mesh.topology.dim
        fdim = tdim - 1
        check_kind(kind, gdim)
        self.gdim = gdim
        if any(isinstance(bc, Periodic) for bc in bcs):
            raise UnsupportedConditionError(
                "periodic boundary conditions are not supported: they need dolfinx_mpc, which "
                "does not install on the dolfinx pip wheel; use Symmetry on both sides "
                "(a mirror-symmetric unit cell) instead")
        self.bcs_spec = list(bcs)
        self.temperature = float(temperature)
        self.degree = degree
        if quadrature_degree is None:
            quadrature_degree = max(2 * (degree - 1), 1)
        self.quadrature_degree = quadrature_degree
        mesh.topology.create_connectivity(fdim, tdim)
        mesh.topology.create_entities(fdim)

        cell_tags = self._checked_cell_tags(cell_tags, materials)
        self.cell_tags = cell_tags
        self.facet_tags = facet_tags
        self.materials = dict(materials)
        self._hydrostatic: dict[int, tuple[fem.Expression, np.ndarray]] = {}  # elastic tags
        creep = {k: v for k, v in (creep or {}).items() if v is not None}
        unknown = set(creep) - set(materials)
        if unknown:
            raise ValueError(f"creep laws for cell tags without a material: {sorted(unknown)}")

        # spaces and measures
        self.V = fem.functionspace(mesh, ("Lagrange", degree, (gdim,)))
        self.u = fem.Function(self.V, name="displacement")
        self._u_committed = self.u.x.array.copy()
        self._u_before = self.u.x.array.copy()  # committed state before the last step
        self._dt_last = 0.0
        if predictor not in ("linear", "constant"):
            raise ValueError(f"predictor must be 'linear' or 'constant', got {predictor!r}")
        self.predictor = predictor
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags,
                              metadata={"quadrature_degree": quadrature_degree})
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
        self.n = ufl.FacetNormal(mesh)
        self.weight = measure_weight(mesh, kind)

        # creeping regions
        self.regions: dict[int, _CreepRegion] = {}
        for tag in sorted(creep):
            self.regions[tag] = _CreepRegion(tag, creep[tag], materials[tag], self.temperature,
                                             mesh, cell_tags.find(tag), quadrature_degree)
        if volumetric not in VOLUMETRIC:
            raise ValueError(f"volumetric must be one of {VOLUMETRIC}, got {volumetric!r}")
        if volumetric == "auto":
            volumetric = "mixed" if (kind == "3d" and self.regions and degree >= 2) \
                else "displacement"
        if volumetric == "mixed" and linear_solver == "amg" and kind == "axisymmetric":
            raise ValueError("volumetric='mixed' with linear_solver='amg' needs rigid-body "
                             "modes: plane_strain or 3d, got 'axisymmetric' (use 'lu')")
        if volumetric == "mixed" and degree < 2:
            raise ValueError("volumetric='mixed' pairs P2 displacements with a P1 mean stress "
                             f"(Taylor-Hood); it needs degree >= 2, got {degree}")
        self.volumetric = volumetric
        #: the step length in the mixed formulation's volumetric eigenstrain (None otherwise)
        self._dt_constant = fem.Constant(mesh, dolfinx.default_scalar_type(0.0)) \
            if volumetric == "mixed" else None
        #: the mean-stress unknown of each creeping tag (``volumetric="mixed"``), in units of
        #: the region's ``mean_stress_scale`` (:meth:`mean_stress_field` gives pascals)
        self.mean_stress: dict[int, fem.Function] = {}
        if volumetric == "mixed":
            for tag, reg in self.regions.items():
                self.mean_stress[tag] = reg.add_mean_stress_field(
                    self._mean_stress_scale(reg), shear_tangent=linear_solver == "amg")
        self._strain_expr = None
        if self.regions:
            from ssbx.physics.viscoplastic_kernels import compile_kernels

            compile_kernels(self.comm)  # rank 0 fills the numba cache first (no write race)
            points = next(iter(self.regions.values())).points
            self._strain_expr = fem.Expression(mandel_strain(self.u, kind), points)

        # forms
        v = ufl.TestFunction(self.V)
        du = ufl.TrialFunction(self.V)
        u, w, n, dx, ds = self.u, self.weight, self.n, self.dx, self.ds
        self._lame: dict[int, tuple[fem.Constant, fem.Constant]] = {}
        F: Any = 0
        J: Any = 0
        F_s: list[Any] = []  # the mixed formulation's mean-stress rows and Jacobian blocks
        J_us: list[Any] = []
        J_s: list[tuple[Any, Any]] = []
        P_s: list[Any] = []  # the mean-stress blocks of the Schur preconditioner (AMG)
        for tag, mat in sorted(materials.items()):
            if tag in self.regions:
                reg = self.regions[tag]
                F += internal_work(reg.stress, v, kind, w, dx(tag))
                J += tangent_work(reg.tangent, du, v, kind, w, dx(tag))
                if tag in self.mean_stress:
                    F_row, J_row, J_col = mean_stress_forms(
                        self.u, self.mean_stress[tag], reg.mean_stress_scale, v, du,
                        reg.eps_v + self._dt_constant * reg.eps_v_rate, reg.bulk_modulus,
                        kind, w, dx(tag))
                    F_s.append(F_row)
                    J_us.append(J_col)
                    J_s.append(J_row)
                    P_s.append(schur_mass_form(self.mean_stress[tag], reg.mean_stress_scale,
                                               reg.shear_tangent, reg.bulk_modulus, w, dx(tag)))
            else:
                lmbda = fem.Constant(mesh, dolfinx.default_scalar_type(mat.lame_lambda))
                mu = fem.Constant(mesh, dolfinx.default_scalar_type(mat.shear_modulus))
                self._lame[tag] = (lmbda, mu)
                F += internal_work(elastic_stress(mandel_strain(u, kind), lmbda, mu), v, kind, w,
                                   dx(tag))
                J += elastic_tangent_work(lmbda, mu, du, v, kind, w, dx(tag))
        self._pressures: dict[int, fem.Constant] = {}
        self._springs: dict[int, tuple[fem.Constant, fem.Constant]] = {}
        self._dirichlet: list[tuple[Displacement | Symmetry, fem.Constant, int]] = []
        #: (index of the RigidPlate in bcs_spec, the Constant of its displacement delta)
        self._rigid: tuple[int, fem.Constant] | None = None
        self._rigid_delta = 0.0  # committed plate displacement [m]
        self._rigid_delta_before = 0.0  # the one before (linear predictor)
        self._rigid_stiffness: float | None = None  # d pressure / d delta [Pa/m], last seen
        bcs_fem: list[fem.DirichletBC] = []
        for bc in self.bcs_spec:
            if isinstance(bc, (Traction, Spring)) and facet_tags is None:
                raise ValueError("boundary conditions need facet_tags")
            if isinstance(bc, Traction):
                p = fem.Constant(mesh, dolfinx.default_scalar_type(_at(bc.pressure, 0.0)))
                self._pressures[bc.tag] = p
                F += pressure_work(p, v, n, w, ds(bc.tag))
            elif isinstance(bc, Spring):
                p0 = fem.Constant(mesh, dolfinx.default_scalar_type(_at(bc.preload, 0.0)))
                k = fem.Constant(mesh, dolfinx.default_scalar_type(bc.stiffness))
                self._springs[bc.tag] = (p0, k)
                F += pressure_work(spring_pressure(p0, k, u, n), v, n, w, ds(bc.tag))
                J += k * ufl.dot(du, n) * ufl.dot(v, n) * w * ds(bc.tag)
            elif isinstance(bc, (Displacement, Symmetry, RigidPlate)):
                facets = self._facets(bc.tag)
                comp = bc.component if isinstance(bc, (Displacement, RigidPlate)) else \
                    self._normal_component(bc.tag, facets)
                if not 0 <= comp < gdim:
                    raise ValueError(f"displacement component {comp} out of range on tag {bc.tag}")
                value = fem.Constant(mesh, dolfinx.default_scalar_type(
                    _at(bc.value, 0.0) if isinstance(bc, Displacement) else 0.0))
                dofs = fem.locate_dofs_topological(self.V.sub(comp), fdim, facets)
                bcs_fem.append(fem.dirichletbc(value, dofs, self.V.sub(comp)))
                if isinstance(bc, RigidPlate):
                    if self._rigid is not None:
                        raise ValueError("one RigidPlate per problem")
                    self._rigid = (self.bcs_spec.index(bc), value)
                else:
                    self._dirichlet.append((bc, value, comp))
            else:
                raise TypeError(f"unknown boundary condition {bc!r}")
        self.bcs = bcs_fem
        self.residual_form = F
        self.jacobian_form = J

        # plate (reported boundary) and scales
        loaded = [bc for bc in self.bcs_spec
                  if isinstance(bc, (Traction, Spring, Displacement, RigidPlate))]
        if plate_tag is None and loaded:
            plate_tag = loaded[0].tag
        self.plate_tag = plate_tag
        self._stress_scale_user = stress_scale
        self._area_cache: dict[int, float] = {}
        self._forms_cache: dict[Any, fem.Form] = {}
        self._size = self._domain_size()
        areas = [self.boundary_area(bc.tag) for bc in loaded]
        self._force_area = max(areas) if areas else self._size ** (tdim - 1) * (
            2.0 * math.pi * self._size if kind == "axisymmetric" else 1.0)
        self._E_max = max(m.E for m in materials.values())

        # solver
        self.rtol, self.atol = rtol, atol
        opts: dict[str, Any] = {
            "snes_type": "newtonls", "snes_linesearch_type": "basic",
            "snes_rtol": rtol, "snes_atol": atol, "snes_stol": 0.0,
            "snes_max_it": max_iterations,
        }
        if linear_solver not in LINEAR_SOLVERS:
            raise ValueError(f"linear_solver must be one of {tuple(LINEAR_SOLVERS)}, got "
                             f"{linear_solver!r}")
        self.linear_solver = linear_solver
        opts |= LINEAR_SOLVERS[linear_solver]
        if linear_solver in ("lu", "lu_reuse") and kind == "3d":
            opts["mat_mumps_icntl_7"] = 5  # METIS: 1.7x faster than AMD on 3-D P2 (38k DOFs)
        if linear_solver == "amg" and volumetric == "mixed":
            opts = {k: v for k, v in opts.items() if not k.startswith(("pc_", "mg_"))}
            opts |= SCHUR_OPTIONS
        opts |= {str(k).lstrip("-"): val for k, val in (petsc_options or {}).items()}
        entity_maps = [reg.entity_map for reg in self.regions.values()] or None
        if self.mean_stress:  # one blocked (AIJ) system [u, s_1, s_2, ...]
            fields = self.mean_stress_fields()
            k = len(fields)
            J_blocks: list[list[Any]] = [[None] * (k + 1) for _ in range(k + 1)]
            J_blocks[0][0] = J
            for i, (col, (row_u, row_s)) in enumerate(zip(J_us, J_s, strict=True), start=1):
                J_blocks[0][i] = col
                J_blocks[i][0] = row_u
                J_blocks[i][i] = row_s
            P_blocks = None
            if linear_solver == "amg":  # block-diagonal: J_uu and the scaled mass blocks
                P_blocks = [[None] * (k + 1) for _ in range(k + 1)]
                P_blocks[0][0] = J
                for i, mass in enumerate(P_s, start=1):
                    P_blocks[i][i] = mass
            self.problem = dolfinx.fem.petsc.NonlinearProblem(
                [F, *F_s], [self.u, *fields], J=J_blocks, P=P_blocks, bcs=self.bcs,
                kind="mpi", petsc_options_prefix=prefix, petsc_options=opts,
                entity_maps=entity_maps)
            if linear_solver == "amg":
                self._set_field_splits()
        else:
            self.problem = dolfinx.fem.petsc.NonlinearProblem(
                F, self.u, J=J, bcs=self.bcs, petsc_options_prefix=prefix, petsc_options=opts,
                entity_maps=entity_maps)
        if linear_solver == "amg" and kind in ("plane_strain", "3d") and not self.mean_stress:
            self.problem.A.setNearNullSpace(rigid_body_modes(self.V))
        self._history: list[float] = []
        history = self._history  # not self: PETSc keeps the callbacks where gc cannot see them
        self.problem.solver.setMonitor(lambda _s, _it, norm: history.append(float(norm)))
        self._timers = {"kernel": 0.0, "assembly": 0.0}
        self._failed = 0
        self._dt = 0.0
        #: bounds by residual and Jacobian hooks run after each assembly (``residual(x, b)``,
        #: ``jacobian(J, P)``, ``reset()`` per solve; e.g.
        #: :class:`ssbx.problems.active_set.UpperBoundActiveSet`), or None
        self.bound_hook: Any = None
        #: the LU kept as GMRES's preconditioner (``linear_solver="lu_reuse"``), or None
        self.factor_reuse: FactorReuse | None = None
        if linear_solver == "lu_reuse":  # the pattern exists once the matrix is assembled
            dolfinx.fem.petsc.assemble_matrix(self.problem.A, self.problem.J, bcs=self.bcs)
            self.problem.A.assemble()
            self.factor_reuse = FactorReuse(self.problem.solver.getKSP(),
                                            self.problem.A)
        self._install_callbacks()

        self.time = 0.0
        self.steps = 0
        self._pending: StepResult | None = None
        self.time_setup = time.perf_counter() - t0
        from ssbx.problems.lifetime import track

        track(self)

    # -- construction helpers -------------------------------------------------------------------
    def _mean_stress_scale(self, reg: _CreepRegion) -> float:
        """The unit [Pa] of a mean-stress unknown: ``sqrt(G K) / h`` (h the mean cell size of
        the region), which gives the (u, s) blocks of the Jacobian entries of one magnitude
        (G h, sqrt(G K) h, sqrt(G/K) G h) and the unknowns one magnitude. Without it the
        mean-stress block is ~1e-27 against ~1e5 for the displacement, and GMRES loses the
        displacement part of its Krylov vectors to round-off."""
        tdim = self.mesh.topology.dim
        ncells = self.comm.allreduce(reg.submesh.topology.index_map(tdim).size_local,
                                     op=MPI.SUM)
        one = fem.Constant(self.mesh, dolfinx.default_scalar_type(1.0))
        volume = self.comm.allreduce(fem.assemble_scalar(fem.form(one * self.dx(reg.tag))),
                                     op=MPI.SUM)
        h = (volume / max(ncells, 1)) ** (1.0 / tdim)
        return math.sqrt(reg.material.shear_modulus * reg.bulk_modulus) / h

    def mean_stress_field(self, tag: int) -> fem.Function:
        """The mean stress [Pa] of a creeping tag in the mixed formulation (P1 on the tag's
        cells; tension +): a copy of the unknown in pascals."""
        unknown = self.mean_stress[tag]
        out = fem.Function(unknown.function_space, name=f"mean_stress_{tag}")
        out.x.array[:] = self.regions[tag].mean_stress_scale * unknown.x.array
        return out

    def _set_field_splits(self) -> None:
        """The mixed system's fields for PCFIELDSPLIT: the displacement (with the rigid-body
        modes as GAMG's near-nullspace) and all mean stresses together."""
        from petsc4py import PETSc

        spaces = [self.V, *(f.function_space for f in self.mean_stress_fields())]
        sizes = [V.dofmap.index_map.size_local * V.dofmap.index_map_bs for V in spaces]
        start = sum(V.dofmap.index_map.local_range[0] * V.dofmap.index_map_bs for V in spaces)
        is_u = PETSc.IS().createStride(sizes[0], start, 1, comm=PETSc.COMM_SELF)
        is_s = PETSc.IS().createStride(sum(sizes[1:]), start + sizes[0], 1,
                                       comm=PETSc.COMM_SELF)
        self._near_nullspace = rigid_body_modes(self.V)
        is_u.compose("nearnullspace", self._near_nullspace)
        pc = self.problem.solver.getKSP().getPC()
        pc.setFieldSplitIS(("u", is_u), ("s", is_s))
        self._splits = (is_u, is_s)

    @classmethod
    def from_cell_mesh(cls, cell_mesh: Any, **kwargs: Any) -> MechanicsProblem:
        """A problem on a :class:`ssbx.meshes.cell.CellMesh` (a 3-D mesh → 3-D, planar → plane
        strain, else axisymmetric)."""
        kind = kwargs.pop("kind", None) or (
            "3d" if cell_mesh.mesh.geometry.dim == 3 else
            "axisymmetric" if cell_mesh.geometry.kind == "axisymmetric" else "plane_strain")
        return cls(cell_mesh.mesh, cell_mesh.cell_tags, cell_mesh.facet_tags, kind=kind,
                   **kwargs)

    def _checked_cell_tags(self, cell_tags: MeshTags | None,
                           materials: dict[int, ElasticMaterial]) -> MeshTags:
        tdim = self.mesh.topology.dim
        imap = self.mesh.topology.index_map(tdim)
        n_local = imap.size_local + imap.num_ghosts
        if cell_tags is None:
            if len(materials) != 1:
                raise ValueError("without cell_tags, materials must have exactly one entry")
            tag = next(iter(materials))
            return dolfinx.mesh.meshtags(self.mesh, tdim, np.arange(n_local, dtype=np.int32),
                                         np.full(n_local, tag, dtype=np.int32))
        tagged = np.unique(cell_tags.values)
        present = set(int(t) for t in np.unique(np.concatenate(self.comm.allgather(tagged))))
        missing = present - set(materials)
        if missing:
            raise ValueError(f"cell tags without a material: {sorted(missing)}")
        n_untagged = imap.size_local - int(np.count_nonzero(cell_tags.indices < imap.size_local))
        if self.comm.allreduce(n_untagged, op=MPI.SUM) > 0:
            raise ValueError("every cell needs a tag (some cells carry none)")
        return cell_tags

    def _facets(self, tag: int) -> np.ndarray:
        if self.facet_tags is None:
            raise ValueError("boundary conditions need facet_tags")
        facets = self.facet_tags.find(tag)
        if self.comm.allreduce(facets.size, op=MPI.SUM) == 0:
            raise ValueError(f"facet tag {tag} is empty")
        return facets

    def _normal_component(self, tag: int, facets: np.ndarray) -> int:
        """The axis normal to a planar, axis-aligned boundary (for a roller)."""
        fdim = self.mesh.topology.dim - 1
        x = self.mesh.geometry.x
        nodes = dolfinx.mesh.entities_to_geometry(self.mesh, fdim, facets).ravel()
        pts = x[nodes, : self.gdim]
        lo, hi = self._global_bounds(pts)
        extent = hi - lo
        flat = np.flatnonzero(extent <= 1e-10 * max(float(np.max(extent)), 1e-300))
        if flat.size != 1:
            raise ValueError(f"Symmetry on facet tag {tag}: the boundary is not a plane normal "
                             f"to a coordinate axis (extent {extent})")
        return int(flat[0])

    def _global_bounds(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Componentwise min and max of points over all ranks."""
        lo = np.min(pts, axis=0, initial=np.inf)
        hi = np.max(pts, axis=0, initial=-np.inf)
        glo, ghi = np.empty_like(lo), np.empty_like(hi)
        self.comm.Allreduce(lo, glo, op=MPI.MIN)
        self.comm.Allreduce(hi, ghi, op=MPI.MAX)
        return glo, ghi

    def _domain_size(self) -> float:
        lo, hi = self._global_bounds(self.mesh.geometry.x[:, : self.gdim])
        return float(np.max(hi - lo))

    # -- SNES callbacks -------------------------------------------------------------------------
    def _install_callbacks(self) -> None:
        from petsc4py import PETSc

        from dolfinx.fem.petsc import assemble_jacobian, assemble_residual, assign
        from dolfinx.la.petsc import _ghost_update

        problem = self.problem
        snes = problem.solver
        timers = self._timers
        unknowns = [self.u, *self.mean_stress_fields()] if self.mean_stress else self.u
        f_ctx = {"u": unknowns, "residual": problem.F, "jacobian": problem.J, "bcs": self.bcs}
        if (blocks := problem.b.getAttr("_blocks")) is not None:
            f_ctx["_blocks"] = blocks
        j_ctx = {"u": unknowns, "jacobian": problem.J, "preconditioner": problem.preconditioner,
                 "bcs": self.bcs}
        # The SNES holds these callbacks in PETSc, invisible to Python's garbage collector: a
        # strong reference to self would make a cycle that is never freed (with its PETSc
        # objects and ~20 MPI communicators per problem, until MPI runs out of them).
        owner = weakref.ref(self)
        has_regions = bool(self.regions)
        preconditioner_matrix = problem.P_mat  # not ``problem`` itself: the SNES holds it

        def residual(snes_: Any, x: Any, b: Any) -> None:
            failed = 0
            me = owner()
            if has_regions:
                t = time.perf_counter()
                _ghost_update(x, PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)
                assign(x, unknowns)
                failed = me._constitutive_update() if me is not None else 1
                timers["kernel"] += time.perf_counter() - t
            t = time.perf_counter()
            assemble_residual(snes_, x, b, **f_ctx)
            if failed:
                b.set(math.nan)  # SNES diverges (DIVERGED_FNORM_NAN): the step is cut back
            elif me is not None and me.bound_hook is not None:
                me.bound_hook.residual(x, b)
            timers["assembly"] += time.perf_counter() - t

        def jacobian(snes_: Any, x: Any, J: Any, P: Any) -> None:
            t = time.perf_counter()
            assemble_jacobian(snes_, x, J, P, **j_ctx)
            me = owner()
            if me is not None and me.bound_hook is not None:
                me.bound_hook.jacobian(J, preconditioner_matrix)
            if me is not None and me.factor_reuse is not None:
                me.factor_reuse.before_solve(J)
            timers["assembly"] += time.perf_counter() - t

        snes.setFunction(residual, problem.b)
        reuse = self.factor_reuse
        snes.setJacobian(jacobian, problem.A,
                         problem.P_mat if reuse is None else reuse.matrix)

    def _constitutive_update(self) -> int:
        """Strain at every local creeping point → kernel → stress, tangent, new state."""
        failed = 0
        for reg in self.regions.values():
            values = self._strain_expr.eval(self.mesh, reg.parent_cells)
            reg.strain[:] = values.reshape(reg.num_points, 6)
            if reg.eigen_enabled:  # the stress follows the strain minus the eigenstrain
                eps_v = reg.eps_v.x.array + max(self._dt, 0.0) * reg.eps_v_rate.x.array
                reg.strain[:, :3] -= eps_v[:, None] / 3.0
            failed += reg.update(self._dt)
            if reg.tag in self.mean_stress:
                reg.impose_mean_stress()
        failed = self.comm.allreduce(failed, op=MPI.SUM)
        self._failed = failed
        return failed

    # -- time stepping --------------------------------------------------------------------------
    def set_stress_scale(self, scale: float | None) -> None:
        """Override the force scale [Pa] of the SNES absolute tolerance (``None``: from the
        loads, see the class docstring); e.g. when a fixture's stack pressure changes."""
        self._stress_scale_user = None if scale is None else float(scale)

    def _set_loads(self, t: float) -> float:
        """Boundary values at time t; returns the stress scale [Pa]."""
        scale = 0.0
        for bc in self.bcs_spec:
            if isinstance(bc, Traction):
                p = _at(bc.pressure, t)
                self._pressures[bc.tag].value = p
                scale = max(scale, abs(p))
            elif isinstance(bc, Spring):
                p0 = _at(bc.preload, t)
                self._springs[bc.tag][0].value = p0
                scale = max(scale, abs(p0))
        for bc, value, _ in self._dirichlet:
            if isinstance(bc, Displacement):
                d = _at(bc.value, t)
                value.value = d
                scale = max(scale, self._E_max * abs(d) / self._size)
        if self._rigid is not None:
            scale = max(scale, abs(_at(self.bcs_spec[self._rigid[0]].pressure, t)))
        if self._stress_scale_user is not None:
            scale = float(self._stress_scale_user)
        return scale if scale > 0.0 else 1e-9 * self._E_max

    def solve_step(self, dt: float, *,
                   adjust_guess: Callable[[fem.Function], None] | None = None) -> StepResult:
        """Solve for the state at ``time + dt`` from the committed state (``dt = 0``: elastic).

        Loads are evaluated at ``time + dt``. ``adjust_guess(u)`` may modify the Newton start
        after the predictor (e.g. a rigid-body translation onto contact bounds). On failure u is
        restored to the committed state; on success call :meth:`commit` to accept the step (a
        new ``solve_step`` without it, or :meth:`reject`, discards it).
        """
        if dt < 0.0:
            raise ValueError(f"dt must be >= 0, got {dt}")
        t_wall = time.perf_counter()
        t_new = self.time + dt
        self._dt = float(dt)
        scale = self._set_loads(t_new)
        snes = self.problem.solver
        force_scale = scale * self._force_area
        snes.setTolerances(atol=self.atol * force_scale)
        self._timers["kernel"] = self._timers["assembly"] = 0.0
        if self._dt_constant is not None:
            self._dt_constant.value = max(float(dt), 0.0)
        self._pending = None
        if self._rigid is None:
            converged, reason = self._newton(dt, adjust_guess)
        else:
            converged, reason = self._solve_rigid_plate(dt, t_new, adjust_guess)
        max_dp = self.comm.allreduce(
            max((reg.max_dp() for reg in self.regions.values()), default=0.0), op=MPI.MAX)
        result = StepResult(
            time=t_new, dt=float(dt), converged=converged, reason=reason,
            iterations=int(snes.getIterationNumber()), residual_history=list(self._history),
            linear_iterations=int(snes.getLinearSolveIterations()),
            max_dp=max_dp, failed_points=self._failed, force_scale=force_scale,
            kernel_time=self._timers["kernel"], assembly_time=self._timers["assembly"])
        if converged and self.plate_tag is not None:
            result.plate_pressure = self.stack_pressure(self.plate_tag)
            result.plate_displacement = self.mean_normal_displacement(self.plate_tag)
        if not converged:
            self.reject()
        else:
            self._pending = result
        result.wall_time = time.perf_counter() - t_wall
        return result

    def _newton(self, dt: float, adjust_guess: Callable[[fem.Function], None] | None,
                start: np.ndarray | None = None) -> tuple[bool, int]:
        """One Newton solve of the step from the committed state (with the linear predictor and
        ``adjust_guess``), or from ``start`` (a converged solution of the same step with other
        boundary values: the rigid plate's secant iterates); returns (converged, SNES
        reason)."""
        snes = self.problem.solver
        fields = self.mean_stress_fields()
        # a retry from ``start`` takes the mean stresses it started from (else: committed)
        means = [f.x.array.copy() for f in fields] if start is not None else []
        for attempt in range(2):
            self._history.clear()
            self._failed = 0
            if self.bound_hook is not None:
                self.bound_hook.reset()
            if self.factor_reuse is not None:  # each solve from its own LU (reproducible)
                self.factor_reuse.invalidate()
            if start is None:  # mixed: the mean stress from its committed values
                for reg in self.regions.values():
                    reg.restore_mean_stress()
            else:
                for f, mean in zip(fields, means, strict=True):
                    f.x.array[:] = mean
            if start is not None:
                self.u.x.array[:] = start
            else:
                self.u.x.array[:] = self._u_committed  # from the committed state
                if self.predictor == "linear" and dt > 0.0 and self._dt_last > 0.0:
                    self.u.x.array[:] = self._u_committed + (dt / self._dt_last) * (
                        self._u_committed - self._u_before)
                if adjust_guess is not None:
                    adjust_guess(self.u)
            self.problem.solve()
            reason = int(snes.getConvergedReason())
            if reason != _DIVERGED_LINEAR_SOLVE or attempt == 1:
                break
            self._reset_linear_solver()
        return reason > 0 and self._failed == 0, reason

    def _reset_linear_solver(self) -> None:
        """Analyse the matrix again at the next factorisation (PCReset), after a failed linear
        solve: e.g. MUMPS's workspace, sized by an analysis of other values, too small for the
        pivots of these (a matrix of fixed sparsity is analysed once per run)."""
        self.problem.solver.getKSP().getPC().reset()

    def _solve_rigid_plate(self, dt: float, t_new: float,
                           adjust_guess: Callable[[fem.Function], None] | None
                           ) -> tuple[bool, int]:
        """The step with a :class:`RigidPlate`: secant iteration on the plate displacement
        delta until the plate's mean normal pressure is the target (relative
        :data:`RIGID_PLATE_RTOL`), each iterate a Newton solve (the first from the committed
        state, the next from the previous iterate's solution); returns (converged, reason)."""
        index, value = self._rigid
        plate = self.bcs_spec[index]
        target = _at(plate.pressure, t_new)
        n_c = float(self._mean_normal(plate.tag)[plate.component])
        if self._rigid_stiffness is None:
            # first guess of d pressure / d delta: the stiffest material over the domain size
            # (pushing against the outward normal compresses)
            self._rigid_stiffness = -n_c * self._E_max / self._size
        delta = self._rigid_delta
        if self.predictor == "linear" and dt > 0.0 and self._dt_last > 0.0:
            delta += (dt / self._dt_last) * (self._rigid_delta - self._rigid_delta_before)
        tol = RIGID_PLATE_RTOL * max(abs(target), 1e-12 * self._E_max)
        previous: tuple[float, float] | None = None
        reason = 0
        start: np.ndarray | None = None
        for _ in range(RIGID_PLATE_MAX_ITERATIONS):
            value.value = delta
            converged, reason = self._newton(dt, adjust_guess, start)
            if not converged and start is not None:  # once more from the committed state
                converged, reason = self._newton(dt, adjust_guess)
            if not converged:
                return False, reason
            start = self.u.x.array.copy()
            pressure = self.stack_pressure(plate.tag)
            if abs(pressure - target) <= tol:
                self._pending_delta = delta
                return True, reason
            if previous is not None and pressure != previous[1]:
                slope = (pressure - previous[1]) / (delta - previous[0])
                if slope * self._rigid_stiffness > 0.0:  # keep a monotone, physical slope
                    self._rigid_stiffness = slope
            previous = (delta, pressure)
            delta += (target - pressure) / self._rigid_stiffness
        return False, reason

    def commit(self) -> None:
        """Accept the last converged step: its state becomes the committed (``*_old``) state."""
        if self._pending is None:
            raise MechanicsSolverError("commit() without a converged, uncommitted step")
        if self._rigid is not None:
            self._rigid_delta_before = self._rigid_delta
            self._rigid_delta = self._pending_delta
        for reg in self.regions.values():
            reg.commit(self._pending.dt)
        self._u_before[:] = self._u_committed
        self._u_committed[:] = self.u.x.array
        self._dt_last = self._pending.dt
        self.time = self._pending.time
        self.steps += 1
        self._pending = None

    def reject(self) -> None:
        """Discard the last step: u goes back to the committed state."""
        self.u.x.array[:] = self._u_committed
        for reg in self.regions.values():
            reg.restore_mean_stress()
        if self._rigid is not None:
            self._rigid[1].value = self._rigid_delta
        self._pending = None

    # -- outputs --------------------------------------------------------------------------------
    def _integrate(self, key: Any, expr: Any) -> float:
        form = self._forms_cache.get(key)
        if form is None:
            form = self._forms_cache[key] = fem.form(expr)
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def boundary_area(self, tag: int) -> float:
        """``∫ w ds`` over an exterior boundary [m^2] (plane strain: per metre of depth)."""
        if tag not in self._area_cache:
            one = fem.Constant(self.mesh, dolfinx.default_scalar_type(1.0))
            self._area_cache[tag] = self._integrate(("area", tag), one * self.weight
                                                    * self.ds(tag))
        return self._area_cache[tag]

    def mean_normal_displacement(self, tag: int) -> float:
        """``∫ u.n w ds / ∫ w ds`` over a boundary [m] (outward positive)."""
        return self._integrate(("un", tag), ufl.dot(self.u, self.n) * self.weight
                               * self.ds(tag)) / self.boundary_area(tag)

    def _mean_normal(self, tag: int) -> np.ndarray:
        return np.array([self._integrate(("n", tag, i), self.n[i] * self.weight * self.ds(tag))
                         for i in range(self.gdim)]) / self.boundary_area(tag)

    def boundary_force(self, tag: int) -> np.ndarray:
        """Total force on the body through a boundary [N] (plane strain: per metre of depth).

        Traction / Spring boundaries: the applied load ``∫ -p n w ds``. Other boundaries
        (Displacement, Symmetry): the reaction, i.e. the residual of the equilibrium equations
        without the Dirichlet conditions summed over the boundary's dofs, per component.
        """
        w, n, ds = self.weight, self.n, self.ds(tag)
        if tag in self._pressures:
            p = self._pressures[tag]
            return np.array([self._integrate(("ft", tag, i), -p * n[i] * w * ds)
                             for i in range(self.gdim)])
        if tag in self._springs:
            p0, k = self._springs[tag]
            p = spring_pressure(p0, k, self.u, n)
            return np.array([self._integrate(("fs", tag, i), -p * n[i] * w * ds)
                             for i in range(self.gdim)])
        vec = self.residual_vector()
        bs = self.V.dofmap.index_map_bs
        n_owned = self.V.dofmap.index_map.size_local * bs
        fdim = self.mesh.topology.dim - 1
        facets = self.facet_tags.find(tag)
        force = np.zeros(self.gdim)
        for i in range(self.gdim):
            dofs = fem.locate_dofs_topological(self.V.sub(i), fdim, facets)
            dofs = dofs[dofs < n_owned]
            force[i] = float(np.sum(vec.array[dofs]))
        total = np.empty_like(force)
        self.comm.Allreduce(force, total, op=MPI.SUM)
        return total

    def residual_vector(self) -> dolfinx.la.Vector:
        """The residual of the current state without Dirichlet conditions or bounds [N]
        (owned entries complete after the reverse scatter): on a constrained dof it is minus
        the reaction force there."""
        residual = self.problem.F[0] if self.mean_stress else self.problem.F
        vec = fem.assemble_vector(residual)
        vec.scatter_reverse(dolfinx.la.InsertMode.add)
        return vec

    def stack_pressure(self, tag: int) -> float:
        """Mean compressive normal stress on a flat boundary [Pa]: ``-F . n / area``."""
        return -float(np.dot(self.boundary_force(tag), self._mean_normal(tag))) \
            / self.boundary_area(tag)

    def quadrature_state(self, tag: int) -> dict[str, np.ndarray]:
        """Views of the quadrature arrays of a creeping tag (local owned + ghost points):
        ``strain``, ``stress``, ``tangent``, ``eps_p_old``/``_new``, ``p_old``/``_new`` and, for
        Anand, ``S_old``/``_new``. Mandel components; the first ``num_owned_points`` rows are
        owned."""
        reg = self.regions[tag]
        return {"strain": reg.strain, **reg.views}

    def cell_hydrostatic_stress(self, tag: int) -> tuple[np.ndarray, np.ndarray]:
        """(local cells, cell-mean hydrostatic stress [Pa], tension +) of a material tag: the
        mean over the quadrature points of the creep state, or ``K tr(eps(u))`` at the cell
        midpoints of an elastic material."""
        reg = self.regions.get(tag)
        if reg is not None:
            nq = reg.points.shape[0]
            values = reg.views["stress"][:, :3].sum(axis=1) / 3.0
            means = values.reshape(-1, nq).mean(axis=1)
            return reg.parent_cells[: means.size], means
        if tag not in self._hydrostatic:
            mat = self.materials[tag]
            bulk = mat.lame_lambda + 2.0 * mat.shear_modulus / 3.0
            tdim = self.mesh.topology.dim
            midpoint = np.full((1, tdim), 1.0 / (tdim + 1))
            expr = fem.Expression(bulk * mandel_trace(mandel_strain(self.u, self.kind)),
                                  midpoint)
            self._hydrostatic[tag] = (expr, self.cell_tags.find(tag))
        expr, cells = self._hydrostatic[tag]
        return cells, expr.eval(self.mesh, cells).reshape(-1)

    def close(self) -> None:
        """Free the solver's PETSc objects now (collective: on every rank at the same point);
        the problem cannot solve afterwards."""
        from ssbx.problems.lifetime import destroy_nonlinear_problem

        destroy_nonlinear_problem(self.problem)
        if self.factor_reuse is not None:
            self.factor_reuse.destroy()

    def num_dofs(self) -> int:
        """Global number of displacement unknowns."""
        return self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs

    def num_mean_stress_dofs(self) -> int:
        """Global number of mean-stress unknowns (``volumetric="mixed"``; else 0)."""
        return sum(f.function_space.dofmap.index_map.size_global
                   for f in self.mean_stress.values())

    def mean_stress_fields(self) -> list[fem.Function]:
        """The mean-stress fields of the mixed formulation, by creeping tag (empty unless
        ``volumetric="mixed"``)."""
        return [self.mean_stress[tag] for tag in sorted(self.mean_stress)]

    # -- checkpoints ----------------------------------------------------------------------------
    def checkpoint_fields(self, keys: np.ndarray, prefix: str = "") -> dict[str, Any]:
        """The functions of the committed state for :mod:`ssbx.io.checkpoint`: name ->
        (Function, cell keys). ``keys``: the checkpoint keys of this problem's mesh cells
        (owned + ghost); the creeping regions' keys follow from their parent cells.

        Stored: the displacement, the displacement before the last step (linear predictor),
        per creeping tag the committed plastic strain, equivalent plastic strain, Anand flow
        resistance, the stress and (mixed formulation) the mean stress. Call only with no step
        pending (after :meth:`commit`)."""
        from ssbx.io.checkpoint import submesh_cell_keys

        if self._pending is not None:
            raise MechanicsSolverError("checkpoint with an uncommitted step")
        before = fem.Function(self.V, name="displacement_before")
        before.x.array[:] = self._u_before
        self._checkpoint_before = before  # read into by a restart, see restore_checkpoint
        out: dict[str, Any] = {f"{prefix}u": (self.u, keys),
                               f"{prefix}u_before": (before, keys)}
        for tag, reg in self.regions.items():
            rkeys = submesh_cell_keys(reg.submesh, self.mesh, keys, reg.parent_cells)
            names = {"eps_p": reg.eps_p_old, "p": reg.p_old, "stress": reg.stress}
            if reg.eigen_enabled:
                names["eps_v"] = reg.eps_v
                names["eps_v_rate"] = reg.eps_v_rate
            if reg.kind == "anand":
                names["S"] = reg.S_old
            if tag in self.mean_stress:  # the Newton start of the next step
                names["mean_stress"] = self.mean_stress[tag]
            for name, func in names.items():
                out[f"{prefix}{name}_{tag}"] = (func, rkeys)
        return out

    def enable_eigenstrain(self, tag: int) -> None:
        """Let the creeping tag carry a volumetric eigenstrain
        (:meth:`set_volumetric_strain_rate`; it is then part of the checkpoint)."""
        self.regions[tag].eigen_enabled = True

    def set_volumetric_strain_rate(self, tag: int, cells: np.ndarray,
                                   rate: np.ndarray) -> None:
        """Set the rate [1/s] of a volumetric eigenstrain (the trace, negative = shrinkage)
        per local cell of the mesh (``cells``, one value each; other cells keep theirs) at
        every quadrature point of those cells of the creeping ``tag``: the stress of a step of
        length dt follows ``strain - (eps_v + rate dt) I / 3`` and the commit adds ``rate dt``
        to eps_v (e.g. the volume of vacancies annihilated in the bulk, at the rate of the last
        vacancy step)."""
        reg = self.regions[tag]
        if not reg.eigen_enabled:
            raise MechanicsSolverError(f"tag {tag}: enable_eigenstrain() first")
        nq = reg.points.shape[0]
        position = reg.cell_rows()
        cells = np.asarray(cells, dtype=np.int64)
        keep = cells < position.size
        local = position[cells[keep]]
        inside = local >= 0
        rows = local[inside]
        values = np.asarray(rate, dtype=float)[keep][inside]
        arr = reg.eps_v_rate.x.array.reshape(-1, nq)
        arr[rows] = values[:, None]

    def checkpoint_state(self) -> dict[str, Any]:
        """Scalars of the committed state (JSON-able)."""
        return {"time": self.time, "steps": self.steps, "dt_last": self._dt_last,
                "stress_scale": self._stress_scale_user,
                "rigid_plate": [self._rigid_delta, self._rigid_delta_before,
                                self._rigid_stiffness]}

    def restore_checkpoint(self, state: dict[str, Any]) -> None:
        """After the functions of :meth:`checkpoint_fields` were read (a fresh problem, or
        one whose state is to be replaced): make them the committed state."""
        before = getattr(self, "_checkpoint_before", None)
        if before is None:
            raise MechanicsSolverError("restore_checkpoint() before checkpoint_fields()")
        self._u_committed[:] = self.u.x.array
        self._u_before[:] = before.x.array
        for tag, field_ in self.mean_stress.items():
            self.regions[tag].mean_stress_committed[:] = field_.x.array
        for reg in self.regions.values():
            v = reg.views
            v["eps_p_new"][:] = v["eps_p_old"]
            v["p_new"][:] = v["p_old"]
            if reg.kind == "anand":
                v["S_new"][:] = v["S_old"]
        self.time = float(state["time"])
        self.steps = int(state["steps"])
        self._dt_last = float(state["dt_last"])
        scale = state.get("stress_scale")
        self._stress_scale_user = None if scale is None else float(scale)
        if state.get("rigid_plate") is not None:
            delta, before, stiffness = state["rigid_plate"]
            self._rigid_delta, self._rigid_delta_before = float(delta), float(before)
            self._rigid_stiffness = None if stiffness is None else float(stiffness)
            if self._rigid is not None:
                self._rigid[1].value = self._rigid_delta
        self._pending = None


# --------------------------------------------------------------------------------------------
# Adaptive time stepping
# --------------------------------------------------------------------------------------------
@dataclass
class _Stepper:
    dt: float
    cutbacks: int = 0
    attempts: list[str] = field(default_factory=list)


def run_quasistatic(problem: MechanicsProblem, t_end: float, dt0: float, *,
                    dt_min: float | None = None, dt_max: float | None = None,
                    grow: float = 1.5, shrink: float = 0.5, max_cutbacks: int = 10,
                    max_dp: float = 1e-3, grow_iterations: int = 4,
                    callback: Callable[[StepResult], None] | None = None,
                    after_step: Callable[[float], None] | None = None,
                    dt_next: float | None = None) -> list[StepResult]:
    """Integrate from the problem's current time to ``t_end`` with adaptive steps.

    First an elastic step at ``dt = 0`` (when the problem has not been stepped yet). A step is
    accepted when Newton converges and the largest increment of the equivalent plastic strain
    is at most ``max_dp``; then dt grows by ``grow`` if Newton took at most
    ``grow_iterations`` iterations, but not beyond ``0.9 max_dp / max_dp_last`` times the last
    dt (the plastic increment scales with dt), and at most to ``dt_max`` (default ``t_end``).
    A rejected step is retried with ``dt * shrink``; after ``max_cutbacks`` consecutive
    cut-backs, or below ``dt_min`` (default ``1e-9 dt0``), :class:`TimeSteppingError` is raised
    naming the time, step and residual history (``err.history`` holds the accepted steps).
    ``callback(result)`` is called after every accepted (committed) step. Returns the accepted
    steps.

    Checkpoint/restart: ``after_step(dt)`` is called after every accepted step of the time loop
    (not the elastic step) once the next step size ``dt`` is known: the state of the stepper
    at that point is the problem's committed state and ``dt``. A run continued from there
    passes that ``dt`` as ``dt_next`` (the first step tried; default ``dt0``) to a problem whose
    committed state was restored; it then takes the same steps as the uninterrupted run.
    """
    if not (t_end >= problem.time and dt0 > 0.0):
        raise ValueError("need t_end >= problem.time and dt0 > 0")
    dt_min = 1e-9 * dt0 if dt_min is None else dt_min
    dt_max = t_end if dt_max is None else dt_max
    history: list[StepResult] = []

    def accept(res: StepResult) -> None:
        problem.commit()
        history.append(res)
        if callback is not None:
            callback(res)

    if problem.steps == 0:
        res = problem.solve_step(0.0)
        if not res.converged:
            raise TimeSteppingError(
                f"elastic step at t = {problem.time:g} s did not converge (SNES reason "
                f"{res.reason}, failed points {res.failed_points}, residual history "
                f"{_fmt(res.residual_history)})", history)
        accept(res)

    st = _Stepper(dt=min(dt0 if dt_next is None else dt_next, dt_max))
    eps_t = 1e-12 * max(abs(t_end), dt0)
    while problem.time < t_end - eps_t:
        remaining = t_end - problem.time
        dt = min(st.dt, remaining)
        if remaining - dt < 1e-3 * dt:  # avoid a sliver step at the end
            dt = remaining
        res = problem.solve_step(dt)
        ok = res.converged and res.max_dp <= max_dp
        if ok:
            accept(res)
            st.cutbacks = 0
            st.attempts.clear()
            if res.iterations <= grow_iterations:
                st.dt = max(st.dt, dt) * grow
            if res.max_dp > 0.0:  # dp ~ dt: do not grow into a certain rejection
                st.dt = min(st.dt, dt * 0.9 * max_dp / res.max_dp)
            st.dt = min(st.dt, dt_max)
            if after_step is not None:
                after_step(st.dt)
            continue
        if res.converged:
            problem.reject()
            why = f"max dp {res.max_dp:.3e} > {max_dp:.3e}"
        else:
            why = (f"Newton failed (SNES reason {res.reason}, {res.iterations} iterations, "
                   f"failed kernel points {res.failed_points})")
        st.attempts.append(f"dt = {dt:.4e} s: {why}; residuals {_fmt(res.residual_history)}")
        st.cutbacks += 1
        st.dt = dt * shrink
        if st.cutbacks > max_cutbacks or st.dt < dt_min:
            limit = (f"{max_cutbacks} consecutive cut-backs" if st.cutbacks > max_cutbacks
                     else f"dt below dt_min = {dt_min:g} s")
            raise TimeSteppingError(
                f"time stepping stopped at t = {problem.time:.6g} s (step {problem.steps + 1}) "
                f"after {limit}:\n  " + "\n  ".join(st.attempts), history)
    return history



def _fmt(history: Sequence[float]) -> str:
    return "[" + ", ".join(f"{r:.3e}" for r in history) + "]"


__all__ = [
    "BoundaryCondition",
    "Displacement",
    "MechanicsProblem",
    "MechanicsSolverError",
    "Periodic",
    "Spring",
    "StepResult",
    "Symmetry",
    "TimeSteppingError",
    "Traction",
    "run_quasistatic",
]
