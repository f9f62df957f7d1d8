"""Quasi-static growth of a Li-filled crack by incremental linear-elastic fracture mechanics.

Each step meshes the current crack path (:class:`~ssbx.meshes.cracks.CrackSpec` with its
``path_ahead``/``path_behind`` vertices), solves the cracked electrolyte at unit Li pressure
and without it (linearity, :meth:`CrackProblem.critical_li_pressure`), and finds the Li
pressure ``p_c`` at which ``G = K_Ic^2 / E'`` at the critical tip. The tip then advances by
``increment`` in the direction of the maximum tangential stress (Erdogan & Sih 1963,
:func:`ssbx.physics.fracture.kink_angle`) evaluated with ``K_I, K_II`` at ``p_c``: the path a
crack takes under load control, with the critical pressure (and the plating overpotential
``Omega p_c / F`` that builds it in a closed flaw) along the way. A falling ``p_c`` means
unstable growth once the flaw starts; a rising one, stable growth that needs more Li pressure.

The Li follows the crack: the filled length is the crack's extent minus ``dry_tip`` (the
crack front running ahead of the Li, Ning et al. 2021). Growth stops after ``steps``, when a
tip comes within ``margin`` of the electrolyte's sides or counter-electrode side (within half
an increment of the Li interface), or when no Li pressure can advance
the crack (``p_c`` infinite, e.g. closed by in-plane compression beyond reach).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.meshes.cracks import CrackMeshSizes, CrackSpec, build_crack_mesh, validate_crack
from ssbx.physics.constants import FARADAY
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.fracture import kink_angle
from ssbx.problems.fracture import CrackLoads, CrackProblem, Support


@dataclass(frozen=True)
class GrowthStep:
    """The state of the crack at one growth step (tip ``tip``, SI units).

    length: arc length from the origin to the tip [m]; critical_li_pressure [Pa] and
    critical_overpotential [V] to advance it; K_I, K_II [Pa m^0.5] at that pressure; kink
    [rad]: the turn the next increment takes; direction [rad]: the new direction's angle from
    the interface normal (+x side positive); cells: mesh size.
    """

    step: int
    tip: int
    x: float
    y: float
    length: float
    critical_li_pressure: float
    critical_overpotential: float
    K_I: float
    K_II: float
    kink: float
    direction: float
    cells: int


def growth_sizes(spec: CrackSpec, increment: float) -> CrackMeshSizes:
    """Mesh sizes of a growth step: tip elements ``increment/25`` within ``increment/4`` of a
    tip (the J-domains lie within the last increment), faces ``increment/6``."""
    return CrackMeshSizes(tip=increment / 25.0, face=increment / 6.0,
                          far=max(spec.width, spec.height) / 12.0, tip_zone=increment / 4.0)


def _advanced(spec: CrackSpec, tip: int, point: np.ndarray) -> CrackSpec:
    new = (float(point[0]), float(point[1]))
    if tip == 0:
        return dataclasses.replace(spec, path_ahead=(*spec.path_ahead, new))
    return dataclasses.replace(spec, path_behind=(*spec.path_behind, new))


def _with_li(spec: CrackSpec, dry_tip: float) -> CrackSpec:
    """The crack filled with Li up to ``dry_tip`` behind its tip (internal cracks: behind the
    nearer tip, since the filling is symmetric about the centre)."""
    if dry_tip <= 0.0:
        return dataclasses.replace(spec, fill=None)
    extents = spec.extents()
    reach = min(extents) if spec.kind == "internal" else extents[0]
    return dataclasses.replace(spec, fill=max(reach - dry_tip, 0.05 * reach))


def grow_crack(comm: MPI.Comm, spec: CrackSpec, material: ElasticMaterial, toughness: float,
               loads: CrackLoads, *, increment: float, steps: int, molar_volume: float,
               support: Support = "roller", dry_tip: float = 0.0, margin: float | None = None,
               progress: Callable[[GrowthStep], Any] | None = None) -> list[GrowthStep]:
    """Grow ``spec`` by ``steps`` increments of ``increment`` [m] (see the module docstring);
    ``loads`` are held (their Li pressure is replaced by the critical one). Returns one
    :class:`GrowthStep` per tip and step, the last step's without an increment after it.
    Collective on ``comm``."""
    margin = 0.05 * min(spec.width, spec.height) if margin is None else margin
    history: list[GrowthStep] = []
    spec = _with_li(spec, dry_tip)
    for step in range(steps + 1):
        crack = build_crack_mesh(comm, spec, growth_sizes(spec, increment))
        problem = CrackProblem(crack, material, support=support,
                               options_prefix="ssbx_crack_growth_")
        tips = crack.tips
        try:
            pressures, base, unit = problem.critical_li_pressures(toughness, loads)
        finally:
            problem.close()
        p_c = min(pressures)
        advancing = []
        for k, p_k in enumerate(pressures):
            k0, k1 = base.tip_mean(k), unit.tip_mean(k)
            p = p_c if math.isfinite(p_c) else 0.0
            k_i = k0["K_I"] + p * (k1["K_I"] - k0["K_I"])
            k_ii = k0["K_II"] + p * (k1["K_II"] - k0["K_II"])
            kink = kink_angle(k_i, k_ii)
            tip = tips[k]
            ahead, normal = np.array(tip.ahead), np.array(tip.normal)
            turned = math.cos(kink) * ahead + math.sin(kink) * normal
            length = spec.extents()[k]
            row = GrowthStep(step, k, tip.position[0], tip.position[1], length, p_k,
                             molar_volume * p_k / FARADAY, k_i, k_ii, kink,
                             math.atan2(turned[0], turned[1]), crack.num_cells)
            history.append(row)
            if progress is not None:
                progress(row)
            if math.isfinite(p_k) and p_k <= p_c * (1.0 + 1e-3):
                advancing.append((k, np.array(tip.position) + increment * turned))
        if step == steps or not math.isfinite(p_c):
            break
        grown = spec
        for k, point in advancing:
            grown = _advanced(grown, k, point)
        grown = _with_li(grown, dry_tip)
        try:
            validate_crack(grown)
        except ValueError:
            break
        # the sides and the counter-electrode side keep ``margin``; a near-surface flaw may run
        # close to the interface (spallation) until its next step would reach it
        floor = min(margin, 0.5 * increment)
        x_ok = all(abs(p[0]) < 0.5 * spec.width - margin and floor < p[1] < spec.height - margin
                   for _, p in advancing)
        if not x_ok:
            break
        spec = grown
    return history


__all__ = ["GrowthStep", "grow_crack", "growth_sizes"]
