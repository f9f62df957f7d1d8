"""A cathode particle in a solid electrolyte charged by diffusion through the part of its surface
that still touches the electrolyte: the loss of ionic contact fed back to the Li flux.

The particle's Li content theta (1 at the start of charge, 0 at the end of its cycling window)
diffuses, ``d theta/dt = div(D grad theta)``, and leaves through the interface where it is in
contact only (the gap g < 0 at the interface's nodes, the same nodal rule as the contact):

    -D grad theta . n = q A / A_c   on the contacting part,   0 where the interface is open,

with q = :func:`~ssbx.physics.particle_contact.window_outflux` (a galvanostatic charge at a
C-rate: the particle's whole window in 1/C hours; with the meshed particle's volume over its
area, so that the window empties exactly then) and A / A_c the interface's area over its
contacting area: the same current through less area. Its chemical strain follows its Li
content, ``dV/V = volume_change (1 - theta)`` (linear over the window) or a table
(:class:`~ssbx.physics.particle_contact.VolumeChangeCurve`), and shrinks it away from
the electrolyte (:class:`~ssbx.problems.embedded_particle.EmbeddedParticleProblem`), which
changes the contacting area. A step (backward Euler) is staggered: diffusion with the contact of
the last pass, then mechanics, repeated until the contacting area stops changing (or
``passes`` times).

The charge stops at the end of the window (mean theta = 0), when the surface runs empty where
the current leaves (theta <= 0 at a contacting node: the voltage cut-off of a
diffusion-limited charge), or when no contact is left (the particle is isolated). The capacity
reached is the share of the window charged.

A discharge (:meth:`EmbeddedChargeProblem.discharge`) takes the Li back at the same rate through
the contact there is: an isolated particle keeps what it gave (the first cycle's loss), one
still in contact swells back into it and stops when its contacting surface is full.

Lifecycle: ``EmbeddedGeometry`` -> ``EmbeddedChargeProblem`` -> ``charge`` -> ``discharge``
(or ``step(dt)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from ssbx.meshes.embedded_particle import EmbeddedTag
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.particle_contact import (
    VolumeChangeCurve,
    linear_strain_of,
    window_outflux,
)
from ssbx.problems.embedded_particle import (
    EmbeddedGeometry,
    EmbeddedParticleProblem,
    EmbeddedState,
)

#: Why a charge (or a discharge) stopped.
END_OF_WINDOW, SURFACE_EMPTY, ISOLATED = "end of window", "surface empty", "isolated"
SURFACE_FULL = "surface full"


@dataclass(frozen=True)
class ChargeState:
    """After a step: time [s]; charge (the share of the window charged, 1 - mean theta);
    contact_fraction (of the interface's area); surface_min, surface_max (the least and the
    most theta at a contacting node; nan without contact) and surface_mean (theta averaged
    over the interface); flux_amplification (A / A_c: the local Li flux over a whole-surface
    one); passes (diffusion-mechanics passes of the step); mechanics (the interface and
    cell); branch (``"charge"`` or ``"discharge"``)."""

    time: float
    charge: float
    contact_fraction: float
    surface_min: float
    surface_max: float
    surface_mean: float
    flux_amplification: float
    passes: int
    mechanics: EmbeddedState
    branch: str = "charge"


class EmbeddedChargeProblem(EmbeddedParticleProblem):
    """An embedded particle (:class:`EmbeddedParticleProblem`) charged galvanostatically at
    ``c_rate`` by Li diffusion (``diffusivity`` [m^2/s]) through its contacting surface, with a
    free volume change ``volume_change`` over its window (< 0: shrinking on charge), linear in
    the Li content, or a :class:`VolumeChangeCurve`.

    ``passes``: the most diffusion-mechanics passes per step (1: the contact of the previous
    step, explicit). The linear operator of the diffusion (mass / dt + stiffness) is factorised
    once per time step size."""

    def __init__(self, geometry: EmbeddedGeometry, particle: ElasticMaterial,
                 matrix: ElasticMaterial, *, diffusivity: float,
                 volume_change: float | VolumeChangeCurve,
                 c_rate: float, interface: str = "contact", penalty: float = 1e3,
                 passes: int = 4, degree: int | None = None) -> None:
        if not diffusivity > 0.0:
            raise ValueError(f"diffusivity must be > 0, got {diffusivity!r}")
        if not isinstance(volume_change, VolumeChangeCurve):
            if not -1.0 < volume_change < 1.0:
                raise ValueError(f"volume_change must lie in (-1, 1), got {volume_change!r}")
            volume_change = VolumeChangeCurve.linear(volume_change)
        if not c_rate > 0.0:
            raise ValueError(f"c_rate must be > 0, got {c_rate!r}")
        if passes < 1:
            raise ValueError(f"passes must be >= 1, got {passes!r}")
        self.diffusivity, self.curve, self.c_rate = diffusivity, volume_change, c_rate
        self.window_change = volume_change.volume_change(1.0)
        self.passes = int(passes)
        self._theta: fem.Function | None = None
        super().__init__(geometry, particle, matrix, interface=interface, penalty=penalty,
                         degree=degree)
        self.time = 0.0
        self._diffusion()

    # -- the Li content and its strain -----------------------------------------------------
    def chemical_strain(self) -> Any:
        """``(1 + dV/V(theta))^(1/3) - 1``: the strain of the local Li content."""
        if self._theta is None:
            sub = self.submeshes["particle"].mesh
            V = fem.functionspace(sub, ("Lagrange", self.degree))
            self._theta = fem.Function(V, name="li_content")
            self._theta.x.array[:] = 1.0
            self._theta_old = fem.Function(V)
            self._theta_old.x.array[:] = 1.0
        return linear_strain_of(self.curve(self._theta))

    @property
    def theta(self) -> fem.Function:
        """The particle's Li content in window units (1: start of charge, 0: end)."""
        assert self._theta is not None
        return self._theta

    @property
    def dofs(self) -> int:
        """Unknowns of both displacements and the Li content (global)."""
        imap = self.theta.function_space.dofmap.index_map
        return super().dofs + imap.size_global

    # -- diffusion -------------------------------------------------------------------------
    def _diffusion(self) -> None:
        theta, old = self.theta, self._theta_old
        V = theta.function_space
        t, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        w, wg, gamma = self.weight, self.weight_on_interface, self.gamma
        dxp = self.dx(int(EmbeddedTag.PARTICLE))
        msh = self.geometry.mesh
        self._dt = fem.Constant(msh, PETSc.ScalarType(1.0))
        self._local_flux = fem.Constant(msh, PETSc.ScalarType(0.0))
        # where the Li leaves: the contacting nodes (a bonded interface everywhere)
        self.in_contact = (ufl.conditional(ufl.lt(self.gap, 0.0), 1.0, 0.0)
                           if self.interface == "contact" else 1.0)
        D = fem.Constant(msh, PETSc.ScalarType(self.diffusivity))
        maps = self.entity_maps
        self._a = fem.form((t * v / self._dt + D * ufl.inner(ufl.grad(t), ufl.grad(v))) * w * dxp,
                           entity_maps=maps)
        self._L = fem.form(old * v / self._dt * w * dxp
                           - self._local_flux * self.in_contact * v("+") * wg * gamma,
                           entity_maps=maps)
        self._contact_area = fem.form(self.in_contact * wg * gamma, entity_maps=maps)
        self._content = fem.form(theta * w * dxp, entity_maps=maps)
        self._surface = fem.form(theta("+") * wg * gamma, entity_maps=maps)
        self._volume = self._integral(fem.form(1.0 * w * dxp, entity_maps=maps))
        # the meshed particle's own volume over area: its window empties in 1/C hours
        self.outflux = window_outflux(self.c_rate, self._volume / self._area)
        self._A = fem_petsc.create_matrix(self._a)
        self._b = fem_petsc.create_vector(V)
        self._ksp = PETSc.KSP().create(self.comm)
        self._ksp.setType("preonly")
        pc = self._ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        self._assembled_dt = float("nan")
        self._surface_dofs = self._interface_content_dofs()

    def close(self) -> None:
        """Destroy the diffusion's solver and the mechanics' SNES (collective)."""
        for obj in (self._ksp, self._A, self._b):
            obj.destroy()
        super().close()

    def _interface_content_dofs(self) -> np.ndarray:
        """For each paired interface node of :meth:`_paired_interface_nodes` on this rank, its
        dof of theta (the same Lagrange nodes as the particle's displacement)."""
        by_position = self.interface_dofs_by_position(self.theta.function_space, "particle")
        _, particle, _ = self._interface_nodes
        xp = self.u_p.function_space.tabulate_dof_coordinates()[particle, :self.dim]
        return np.array([by_position[tuple(k)][0]
                         for k in np.round(xp / self.geometry.radius, 9)], dtype=np.int64)

    def _solve_diffusion(self, dt: float, local_flux: float) -> None:
        if dt != self._assembled_dt:
            self._dt.value = dt
            self._A.zeroEntries()
            fem_petsc.assemble_matrix(self._A, self._a)
            self._A.assemble()
            self._ksp.setOperators(self._A)
            self._assembled_dt = dt
        self._local_flux.value = local_flux
        with self._b.localForm() as loc:
            loc.set(0.0)
        fem_petsc.assemble_vector(self._b, self._L)
        self._b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self._ksp.solve(self._b, self.theta.x.petsc_vec)
        if self._ksp.getConvergedReason() <= 0:
            raise RuntimeError(f"the particle's diffusion solve failed (KSP reason "
                               f"{self._ksp.getConvergedReason()}) at t = {self.time:.4g} s")
        self.theta.x.scatter_forward()

    # -- measures --------------------------------------------------------------------------
    def contact_area_fraction(self) -> float:
        """The interface's area in contact (nodal rule) over all of it (collective)."""
        return self._integral(self._contact_area) / self._area

    def mean_content(self) -> float:
        """The Li content theta averaged over the particle (collective)."""
        return self._integral(self._content) / self._volume

    def _contacting_surface_extremes(self) -> tuple[float, float]:
        """The least and the most theta at an interface node in contact (nan if none;
        collective)."""
        closed = (np.ones(len(self._surface_dofs), dtype=bool) if self.interface == "bonded"
                  else self.nodal_gaps() < 0.0)
        values = self.theta.x.array[self._surface_dofs][closed]
        least, most = ((float(values.min()), float(values.max())) if values.size
                       else (np.inf, -np.inf))
        least = self.comm.allreduce(least, op=MPI.MIN)
        most = self.comm.allreduce(most, op=MPI.MAX)
        if not np.isfinite(least):
            return float("nan"), float("nan")
        return least, most

    # -- time stepping ---------------------------------------------------------------------
    def step(self, dt: float, *, discharge: bool = False) -> ChargeState:
        """One backward-Euler step of ``dt`` [s] of the charge (Li out) or, with
        ``discharge``, of the discharge (Li in at the same rate), staggered with the mechanics
        (collective). Raises ``RuntimeError`` when the particle has no contact left."""
        self._theta_old.x.array[:] = self.theta.x.array
        passes, fraction = 0, self.contact_area_fraction()
        if fraction <= 0.0:
            raise RuntimeError("the particle has lost all contact: no current can pass")
        sign = -1.0 if discharge else 1.0
        for passes in range(1, self.passes + 1):  # noqa: B007
            self._solve_diffusion(dt, sign * self.outflux / fraction)
            mechanics = self.solve()
            new = self.contact_area_fraction()
            # settled, or the last contact lost within the step (the step keeps the flux of
            # its last contacting pass, and the charge stops after it)
            if abs(new - fraction) <= 1e-12 or new <= 0.0:
                break
            fraction = new
        self.time += dt
        least, most = self._contacting_surface_extremes()
        return ChargeState(
            time=self.time, charge=1.0 - self.mean_content(), contact_fraction=new,
            surface_min=least, surface_max=most,
            surface_mean=self._integral(self._surface) / self._area,
            flux_amplification=1.0 / fraction, passes=passes, mechanics=mechanics,
            branch="discharge" if discharge else "charge")

    def charge(self, steps: int, *, duration: float | None = None,
               on_step: Callable[[int, ChargeState], None] | None = None
               ) -> tuple[list[ChargeState], str]:
        """Charge in ``steps`` equal steps over ``duration`` [s] (default: the window's 1/C
        hours) until the window ends, the contacting surface runs empty or no contact is left.
        Returns the states and why it stopped (:data:`END_OF_WINDOW`, :data:`SURFACE_EMPTY`,
        :data:`ISOLATED`). At time 0 it first solves the cell under its stack pressure;
        ``on_step(k, state)`` is called after each step."""
        if self.time == 0.0 and steps >= 1:  # the cell under its stack pressure first
            self.solve()
        return self._pass_current(steps, duration, on_step, discharge=False)

    def discharge(self, steps: int, *, duration: float | None = None,
                  on_step: Callable[[int, ChargeState], None] | None = None
                  ) -> tuple[list[ChargeState], str]:
        """Discharge at the charge's rate in steps of ``duration / steps`` (default: the
        window's 1/C hours over ``steps``; the last step shortened to end at the start of the
        window) until the window is back at its start (:data:`END_OF_WINDOW`), the
        contacting surface is full (theta >= 1 at a contacting node: :data:`SURFACE_FULL`) or
        no contact is left (:data:`ISOLATED`: an isolated particle cannot take its Li back).
        Returns the states and why it stopped."""
        return self._pass_current(steps, duration, on_step, discharge=True)

    def _pass_current(self, steps: int, duration: float | None,
                      on_step: Callable[[int, ChargeState], None] | None, *,
                      discharge: bool) -> tuple[list[ChargeState], str]:
        """The time loop of :meth:`charge` and :meth:`discharge`."""
        if steps < 1:
            raise ValueError(f"need at least 1 step, got {steps!r}")
        duration = 3600.0 / self.c_rate if duration is None else duration
        dt = duration / steps
        states: list[ChargeState] = []
        for k in range(steps):
            length = dt
            if discharge:  # the last step ends at the window's start
                length = min(dt, (1.0 - self.mean_content()) * 3600.0 / self.c_rate)
                if length <= 1e-9 * dt:
                    return states, END_OF_WINDOW
            if self.contact_area_fraction() <= 0.0:
                return states, ISOLATED
            state = self.step(length, discharge=discharge)
            states.append(state)
            if on_step is not None:
                on_step(k, state)
            # nan (no contact) compares False
            if discharge and state.surface_max >= 1.0:
                return states, SURFACE_FULL
            if not discharge and state.surface_min <= 0.0:
                return states, SURFACE_EMPTY
            if state.contact_fraction <= 0.0:
                return states, ISOLATED
        return states, END_OF_WINDOW


def charge_reached(states: list[ChargeState], stopped_by: str, start: float = 0.0) -> float:
    """The share of the window charged when the charge (or discharge) stopped: the last
    state's, or, when the contacting surface ran empty (full), interpolated to where its least
    (most) theta crossed 0 (1). ``start``: the share before the first state."""
    if not states:
        return start
    last = states[-1]
    if stopped_by not in (SURFACE_EMPTY, SURFACE_FULL):
        return last.charge
    if len(states) < 2:
        return last.charge
    before = states[-2]
    if stopped_by == SURFACE_EMPTY:
        share = before.surface_min / (before.surface_min - last.surface_min)
    else:
        share = (1.0 - before.surface_max) / (last.surface_max - before.surface_max)
    return before.charge + share * (last.charge - before.charge)


def discharge_returned(charged: list[ChargeState], returned: list[ChargeState],
                       stopped_by: str) -> float:
    """The share of the window a discharge (``returned``, stopped by ``stopped_by``) took back
    after the charge ``charged``: from the charge's last state to where the discharge
    stopped (:func:`charge_reached`)."""
    start = charged[-1].charge if charged else 0.0
    return start - charge_reached(returned, stopped_by, start)


__all__ = [
    "END_OF_WINDOW",
    "ISOLATED",
    "SURFACE_EMPTY",
    "SURFACE_FULL",
    "ChargeState",
    "EmbeddedChargeProblem",
    "charge_reached",
    "discharge_returned",
]
