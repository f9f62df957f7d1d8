"""Plating into a Li-filled edge crack: the ionic current around it, the Li pressure it builds
and the critical plating current density at which the crack extends.

The Li in an edge crack belongs to the Li electrode (equipotential, ``phi_Li = 0``); its wetted
faces carry the interface kinetics with the mechanical term of the Li pressure ``p`` in the
crack, the interface outside the crack the one of the stack pressure ``p_s``
(:mod:`ssbx.physics.kinetics`: ``eta = phi_Li - phi_SE + Omega p / F``). The counter-electrode
side carries the mean plating current density ``i`` (galvanostatic); the sides and dry crack
faces are insulating. Residual: :func:`ssbx.physics.current.potential_residual` with a second
kinetic boundary for the faces.

The Li pressure in the crack is steady when the plating into its faces, ``I(p)`` [A per m of
depth], leaves it again: ``I(p) = F q(p) / Omega`` with ``q`` the extruded volume flux
(:mod:`ssbx.physics.extrusion`), or ``I(p) = 0`` for a sealed crack — then, with the faces at
the interface's electrolyte potential, ``p = p_s + F |eta(i)| / Omega`` (Porz et al. 2017) plus
the ohmic rise of the electrolyte potential along the crack. The critical plating current is
the ``i`` whose steady pressure reaches the crack-extension pressure ``p_c``
(:meth:`ssbx.problems.fracture.CrackProblem.critical_li_pressure`).

A ring crack (``CrackSpec.ring``: axisymmetric, x = r, y = z) weights every form by ``2 pi r``;
its currents are then totals [A] rather than per metre of depth (``crack_current``, an
``outflow``), and the mean current density over the Li contact (a Li disc of radius R on a
larger pellet: ``voids = ((R, width),)``, mean over ``pi R^2``) is
:attr:`CrackCurrentSolution.electrode_current`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.meshes.cracks import CrackMesh
from ssbx.meshes.tags import CrackTag
from ssbx.physics.constants import FARADAY
from ssbx.physics.current import CurrentFormTerms, contact_current, potential_residual
from ssbx.physics.kinetics import Kinetics
from ssbx.problems.fracture import FilledFaces, present_faces
from ssbx.problems.lifetime import destroy_nonlinear_problem, track

Outflow = Callable[[float], float]
"""Current equivalent [A per m of depth; A for a ring crack] of the Li extruded from the crack
at pressure p [Pa]."""


@dataclass(frozen=True)
class CrackCurrentSolution:
    """One potential solve (SI). plating_current: mean plating current density i [A/m^2];
    li_pressure, stack_pressure [Pa]; crack_current: net plating current into the wetted faces
    [A per m of depth; A for a ring crack]; interface_overpotential: mean overpotential on the
    interface [V]; face_potential: mean electrolyte potential on the wetted faces [V];
    electrode_current: the mean current density over the Li contact (the interface outside
    voids) [A/m^2], i.e. ``plating_current`` times the counter-electrode area over the contact
    area; top_potential: mean electrolyte potential on the counter-electrode side [V]
    (area-weighted)."""

    plating_current: float
    li_pressure: float
    stack_pressure: float
    crack_current: float
    interface_overpotential: float
    face_potential: float
    electrode_current: float = math.nan
    top_potential: float = math.nan


class CrackCurrentProblem:
    """The electrolyte potential around a Li-filled edge crack (see the module docstring)."""

    def __init__(self, crack_mesh: CrackMesh, conductivity: float, kinetics: Kinetics,
                 molar_volume: float, *, degree: int = 2,
                 source: Any = None, interface_source: Any = None, face_source: Any = None,
                 options_prefix: str = "ssbx_crack_current_") -> None:
        if crack_mesh.spec.kind != "edge":
            raise ValueError("plating into a crack needs an edge crack (connected to the Li)")
        self.crack_mesh = crack_mesh
        self.axisymmetric = crack_mesh.spec.axisymmetric
        self.comm: MPI.Comm = crack_mesh.comm
        self.kappa = conductivity
        self.kinetics = kinetics
        self.molar_volume = molar_volume
        msh = crack_mesh.mesh
        self.V = fem.functionspace(msh, ("Lagrange", degree))
        self.phi = fem.Function(self.V, name="potential")
        self.i_plate = fem.Constant(msh, 0.0)
        self.p_stack = fem.Constant(msh, 0.0)
        self.p_li = fem.Constant(msh, 0.0)
        faces = present_faces(crack_mesh)
        self.filled = FilledFaces(crack_mesh, faces)
        tags = crack_mesh.facet_tags
        ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
        self.ds = ds
        ds_faces = sum((ds(t) for t in faces[1:]), ds(faces[0]))
        v = ufl.TestFunction(self.V)
        w = 2.0 * math.pi * ufl.SpatialCoordinate(msh)[0] if self.axisymmetric else 1.0
        interface = CurrentFormTerms(kappa=conductivity, contact_kinetics=kinetics, weight=w,
                                     counter_current=self.i_plate, normal_stress=-self.p_stack,
                                     molar_volume=molar_volume, source=source,
                                     interface_source=interface_source)
        self.face_terms = CurrentFormTerms(kappa=conductivity, contact_kinetics=kinetics,
                                           normal_stress=-self.p_li, molar_volume=molar_volume,
                                           contact_mask=self.filled.marker)
        F = potential_residual(self.phi, v, interface, ufl.dx, ds(int(CrackTag.INTERFACE)),
                               ds(int(CrackTag.TOP)))
        face_current = contact_current(self.phi, self.face_terms)
        if face_source is not None:
            face_current = face_current + self.filled.marker * face_source
        F -= face_current * v * w * ds_faces
        self.problem = fem_petsc.NonlinearProblem(
            F, self.phi, petsc_options_prefix=options_prefix,
            petsc_options={"snes_type": "newtonls", "snes_linesearch_type": "bt",
                           "snes_rtol": 1e-10, "snes_atol": 1e-14, "snes_max_it": 50,
                           "ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        track(self)
        self._crack_current = fem.form(-face_current * w * ds_faces)
        eta_interface = -self.phi + molar_volume * self.p_stack / FARADAY
        ds_interface, ds_top = ds(int(CrackTag.INTERFACE)), ds(int(CrackTag.TOP))
        self._eta_interface = fem.form(eta_interface * w * ds_interface)
        self._interface_length = fem.form(w * ds_interface)
        self._face_phi = fem.form(self.filled.marker * self.phi * w * ds_faces)
        self._face_length = fem.form(self.filled.marker * w * ds_faces)
        self._top_phi = fem.form(self.phi * w * ds_top)
        self._top_length = fem.form(w * ds_top)
        self.solves = 0

    def close(self) -> None:
        """Destroy the SNES and its matrices (collective)."""
        destroy_nonlinear_problem(self.problem)

    def _sum(self, form: fem.Form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def solve(self, plating_current: float, li_pressure: float,
              stack_pressure: float = 0.0) -> CrackCurrentSolution:
        """The potential at the mean plating current density [A/m^2] and the Li pressure in the
        crack [Pa] (Newton from the previous solution). Collective."""
        self.i_plate.value = plating_current
        self.p_li.value = li_pressure
        self.p_stack.value = stack_pressure
        self.problem.solve()
        self.solves += 1
        reason = self.problem.solver.getConvergedReason()
        if reason <= 0:
            raise SolverDivergedError(f"crack potential: Newton failed (SNES reason {reason}) "
                                      f"at {plating_current:g} A/m^2, {li_pressure:g} Pa")
        self.phi.x.scatter_forward()
        length = self._sum(self._interface_length)
        face_length = self._sum(self._face_length)
        top = self._sum(self._top_length)
        return CrackCurrentSolution(
            plating_current, li_pressure, stack_pressure, self._sum(self._crack_current),
            self._sum(self._eta_interface) / length,
            self._sum(self._face_phi) / face_length if face_length > 0 else math.nan,
            plating_current * top / length, self._sum(self._top_phi) / top)

    def steady_pressure(self, plating_current: float, stack_pressure: float = 0.0,
                        outflow: Outflow | None = None, *, rtol: float = 1e-6
                        ) -> CrackCurrentSolution:
        """The solution at the steady Li pressure: the net plating into the crack equals the
        current equivalent of the Li it extrudes (``outflow(p)``; ``None``: sealed, zero).
        Regula falsi (Illinois) on ``p`` between the stack pressure and the pressure at which
        the faces strip. Collective."""
        def excess(solution: CrackCurrentSolution) -> float:
            out = outflow(solution.li_pressure) if outflow is not None else 0.0
            return solution.crack_current - out

        lo = self.solve(plating_current, stack_pressure, stack_pressure)
        g_lo = excess(lo)
        if g_lo <= 0.0:
            return lo
        # upper bound: the faces' electrolyte potential, as a pressure, plus a margin
        p_hi = stack_pressure + 2.0 * FARADAY * max(abs(lo.face_potential), 1e-6) \
            / self.molar_volume
        hi = self.solve(plating_current, p_hi, stack_pressure)
        g_hi = excess(hi)
        while g_hi > 0.0:
            p_hi = stack_pressure + 2.0 * (p_hi - stack_pressure)
            hi = self.solve(plating_current, p_hi, stack_pressure)
            g_hi = excess(hi)
        side = 0
        best = lo
        for _ in range(100):
            p = (lo.li_pressure * g_hi - hi.li_pressure * g_lo) / (g_hi - g_lo)
            best = self.solve(plating_current, p, stack_pressure)
            g = excess(best)
            if abs(hi.li_pressure - lo.li_pressure) <= rtol * max(abs(p), 1.0) or g == 0.0:
                break
            if g > 0.0:
                lo, g_lo = best, g
                if side == 1:
                    g_hi *= 0.5
                side = 1
            else:
                hi, g_hi = best, g
                if side == -1:
                    g_lo *= 0.5
                side = -1
            if abs(g) <= 1e-9 * max(abs(best.crack_current), 1e-300) + 1e-300:
                break
        return best

    def critical_plating_current(self, critical_pressure: float, stack_pressure: float = 0.0,
                                 outflow: Outflow | None = None, *, guess: float = 10.0,
                                 rtol: float = 1e-4) -> tuple[float, CrackCurrentSolution]:
        """The mean plating current density [A/m^2] whose steady Li pressure is
        ``critical_pressure`` [Pa], with the solution there: bracketed from ``guess`` by
        factors of 4, then regula falsi (Illinois) on ``ln p(ln i)`` to ``rtol`` in i. ``inf``
        if even 1e6 A/m^2 (100 A/cm^2) cannot build it."""
        target = math.log(critical_pressure)

        def evaluate(x: float) -> tuple[float, CrackCurrentSolution]:
            solution = self.steady_pressure(math.exp(x), stack_pressure, outflow)
            return math.log(max(solution.li_pressure, 1e-300)) - target, solution

        x_lo = x_hi = math.log(guess)
        g, at = evaluate(x_lo)
        g_lo = g_hi = g
        if g < 0.0:
            while g_hi < 0.0:
                x_lo, g_lo = x_hi, g_hi
                x_hi += math.log(4.0)
                if x_hi > math.log(1e6):
                    return math.inf, at
                g_hi, at = evaluate(x_hi)
        else:
            while g_lo >= 0.0 and x_lo > math.log(1e-6):
                x_hi, g_hi = x_lo, g_lo
                x_lo -= math.log(4.0)
                g_lo, at = evaluate(x_lo)
        best, side = at, 0
        tolerance = math.log1p(rtol)
        for _ in range(200):
            if x_hi - x_lo <= tolerance:
                break
            slope = (g_hi - g_lo) / (x_hi - x_lo)
            x = (x_lo * g_hi - x_hi * g_lo) / (g_hi - g_lo)
            x = min(max(x, x_lo + 0.01 * tolerance), x_hi - 0.01 * tolerance)
            g, best = evaluate(x)
            if abs(g) <= 0.5 * tolerance * slope:  # within rtol of the root in i
                return math.exp(x), best
            if g < 0.0:
                x_lo, g_lo = x, g
                if side == -1:
                    g_hi *= 0.5
                side = -1
            else:
                x_hi, g_hi = x, g
                if side == 1:
                    g_lo *= 0.5
                side = 1
        return math.exp(x_hi), best


def sealed_pressure_estimate(plating_current: float, stack_pressure: float,
                             kinetics: Kinetics, conductivity: float, depth: float,
                             molar_volume: float) -> float:
    """``p_s + F (|eta(i)| + i c / (2 kappa)) / Omega`` [Pa]: the sealed crack's pressure when
    the current around a vertical crack of depth ``c`` is the undisturbed uniform one (the
    faces at the mean electrolyte potential along them)."""
    eta = abs(kinetics.overpotential_for(-plating_current))
    ohmic = plating_current * depth / (2.0 * conductivity)
    return stack_pressure + FARADAY * (eta + ohmic) / molar_volume


__all__ = ["CrackCurrentProblem", "CrackCurrentSolution", "Outflow",
           "sealed_pressure_estimate"]
