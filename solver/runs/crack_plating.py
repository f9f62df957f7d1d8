"""Plating into a Li-filled edge crack of a crack case (``crack.plating_current``).

The Li in an edge crack belongs to the Li electrode: at the case's mean plating current density
Li plates into the crack's wetted faces too, and the Li pressure in the crack is the steady one
at which that plating balances the Li extruded through the mouth (``crack.extrusion``; none: a
sealed flaw, Porz et al. 2017). :func:`plate_into_crack` solves the potential around the crack
(:class:`ssbx.problems.crack_current.CrackCurrentProblem`, on the crack case's mesh), finds
that steady pressure and the critical plating current density whose steady pressure reaches
the crack-extension pressure ``p_c``; :func:`plating_scalars` gives the summary entries. The
crack run (:mod:`ssbx.runs.crack`) then solves the elastic crack at the steady pressure.
Nothing here looks at COMM_WORLD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.io.console import say
from ssbx.io.runfolder import field_output_bytes
from ssbx.meshes.cracks import CrackMesh, CrackSpec
from ssbx.physics.extrusion import filament_ohmic_drop
from ssbx.problems.crack_current import CrackCurrentProblem, CrackCurrentSolution
from ssbx.setup import build_crack_current_problem, crack_outflow_of
from ssbx.units import display_unit, to_mA_per_cm2

#: Summary name of the potential field file (VTX).
POTENTIAL_FILE = "potential.bp"


@dataclass(frozen=True)
class CrackPlating:
    """Plating into a crack at the case's current (SI).

    plating_current: the case's mean plating current density [A/m^2]; steady: the solution
    at its steady Li pressure; critical_current: the mean plating current density [A/m^2]
    whose steady pressure is the crack-extension pressure (``inf``: none up to 100 A/cm^2, or
    no Li pressure extends the crack); critical: the solution there (``None`` if not
    searched); extrusion: the law (``crack.extrusion``); problem: the potential problem (its
    field is the steady solution's).
    """

    plating_current: float
    steady: CrackCurrentSolution
    critical_current: float
    critical: CrackCurrentSolution | None
    extrusion: str
    problem: CrackCurrentProblem


def _shown(value: float, si_unit: str) -> str:
    """``value`` [si_unit] in its display unit (:func:`ssbx.units.display_unit`)."""
    if not math.isfinite(value):
        return f"{value} {si_unit}"
    unit, factor = display_unit(si_unit)
    return f"{value * factor:.4g} {unit}"


def plate_into_crack(case: Case, crack_mesh: CrackMesh, critical_pressure: float,
                     volumes: tuple[float, float], console: Any = None) -> CrackPlating:
    """The steady Li pressure of the case's plating current and the critical plating current
    (collective on the mesh's communicator).

    ``critical_pressure``: the Li pressure that extends the crack with the other loads held
    [Pa]; ``volumes``: the Li volume per unit depth without Li pressure and its increase per Pa
    (the elastic crack's opening, for the extrusion law; :func:`ssbx.setup.crack_outflow_of`).
    The steady solution is solved last: the problem's potential field is its.
    """
    c = case.crack
    assert c.plating_current is not None
    current = build_crack_current_problem(case, crack_mesh)
    outflow = crack_outflow_of(case, volumes)
    stack = c.stack_pressure
    say(console, f"plating: {to_mA_per_cm2(c.plating_current):.4g} mA/cm^2 into the crack, "
                  f"extrusion {c.extrusion}; potential P{case.solver.degree}, "
                  f"{current.V.dofmap.index_map.size_global} nodes")
    critical: CrackCurrentSolution | None = None
    if math.isfinite(critical_pressure):
        i_c, critical = current.critical_plating_current(critical_pressure, stack, outflow,
                                                         guess=c.plating_current)
    else:
        i_c = math.inf
    steady = current.steady_pressure(c.plating_current, stack, outflow)
    say(console, f"steady Li pressure {_shown(steady.li_pressure, 'Pa')} (stack "
                  f"{_shown(stack, 'Pa')}), plating into the crack {steady.crack_current:.4g} "
                  f"{'A' if current.axisymmetric else 'A/m'}, interface overpotential "
                  f"{_shown(steady.interface_overpotential, 'V')}")
    if math.isfinite(i_c):
        verdict = ("the crack extends at this current" if c.plating_current >= i_c
                   else "below it the crack does not extend")
        say(console, f"critical plating current {to_mA_per_cm2(i_c):.4g} mA/cm^2 ({verdict})")
    else:
        say(console, "no plating current up to 100 A/cm^2 extends the crack")
    return CrackPlating(c.plating_current, steady, i_c, critical, c.extrusion, current)


def plating_scalars(plating: CrackPlating) -> dict[str, tuple[float, str]]:
    """The summary scalars of plating into the crack: the plating current density, the steady
    Li pressure, the net plating current into the crack (per metre of depth; a ring crack's
    total), the mean
    interface overpotential, and the critical plating current density."""
    s = plating.steady
    ring = plating.problem.axisymmetric
    return {
        "plating_current": (plating.plating_current, "A/m^2"),
        "steady_li_pressure": (s.li_pressure, "Pa"),
        "crack_current": (s.crack_current, "A" if ring else "A/m"),
        "interface_overpotential": (s.interface_overpotential, "V"),
        "critical_plating_current": (plating.critical_current, "A/m^2"),
    }


def li_filament_drop(plating: CrackPlating, spec: CrackSpec, s: np.ndarray,
                     opening: np.ndarray, resistivity: float) -> float:
    """The ohmic drop [V] along the Li in the crack at the steady state
    (:func:`ssbx.physics.extrusion.filament_ohmic_drop`: the net current into the faces through
    the opening profile ``(s, opening)`` of that state, over the filled length; a ring crack's
    current per unit length of its mouth's circle). Zero for a sealed crack, whose steady Li
    takes no current; it checks that the wetted faces are equipotential."""
    current = plating.steady.crack_current
    if spec.ring:
        current /= 2.0 * math.pi * spec.position
    return filament_ohmic_drop(s, opening, current, resistivity, spec.filled_length)


def write_potential(plating: CrackPlating, folder: Any, comm: MPI.Comm) -> str:
    """Write the steady potential field (VTX, ParaView) into ``folder``; returns its name."""
    phi = plating.problem.phi
    folder.require_space(field_output_bytes([phi]), f"the field output ({POTENTIAL_FILE})")
    with VTXWriter(comm, folder.path(POTENTIAL_FILE), [phi], engine="BP4") as vtx:
        vtx.write(0.0)
    return POTENTIAL_FILE


__all__ = ["POTENTIAL_FILE", "CrackPlating", "li_filament_drop", "plate_into_crack",
           "plating_scalars", "write_potential"]
