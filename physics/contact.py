"""Unilateral Li/electrolyte contact on a flat reference interface, with stripping and plating.

Small-slope kinematics (void depth ≪ void width and ≪ Li thickness). The electrolyte surface is
the plane ``y = 0`` (rigid) or ``y = w(x)`` (its elastic deflection); the Li occupies ``y <= 0``
in the reference configuration. At an interface point x:

- ``g0(x) >= 0``: initial gap (an initial void is an initial gap: the Li surface starts at
  ``-g0``);
- ``r(x)``: thickness of Li removed by stripping (``dr/dt = Omega_Li i / F``, i > 0 anodic);
  plating makes it decrease (negative r = Li added);
- ``u_y(x)``: vertical displacement of the Li reference surface.

The Li surface is at ``y = u_y - r - g0``, so the gap and the contact conditions read

    gap = g0 + r + w - u_y >= 0,    p >= 0,    p gap = 0,

with p the contact pressure (compressive positive, no adhesion). The no-penetration condition is
the upper bound ``u_y <= g0 + r + w`` on the interface displacement. Current passes only where
``gap <= contact_tolerance``. Li inventory: the Li volume lost through the interface is
``∫ r dA`` = ``Omega_Li Q / F`` for a charge Q passed.

The initial gap of the voids (their geometry) is :func:`ssbx.meshes.voids.initial_gap`.
"""

from __future__ import annotations

import math

import numpy as np

from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME

#: Stripped Li thickness per charge and area [m / (C/m^2)]: Omega_Li / F (1 mAh/cm^2 = 4.85 um).
#: Li values; a stripping problem uses the molar volume of its anode metal
#: (:attr:`ssbx.problems.stripping.problem.StrippingProblem.thickness_per_charge`).
THICKNESS_PER_CHARGE = LI_MOLAR_VOLUME / FARADAY

#: Shift of the Li equilibrium potential per unit contact pressure [V/Pa] (0.1347 mV/MPa).
POTENTIAL_PER_PRESSURE = LI_MOLAR_VOLUME / FARADAY


def removal_rate(current_density: np.ndarray | float,
                 molar_volume: float) -> np.ndarray | float:
    """Rate of metal removal at the interface [m/s] for a local anodic current density
    [A/m^2]: ``Omega i / F`` (stripping positive, plating negative; Omega: the metal's molar
    volume [m^3/mol])."""
    return molar_volume / FARADAY * current_density


def stripped_thickness_check(removed: np.ndarray, h_li: float, limit: float = 0.2) -> str:
    """A warning when the stripped or plated thickness exceeds ``limit`` x the Li thickness (the
    flat reference mesh no longer represents the Li body well); empty otherwise."""
    worst = float(np.max(np.abs(removed), initial=0.0))
    if worst > limit * h_li:
        return (f"stripped/plated thickness {worst * 1e6:.3g} um exceeds {limit:g} x the Li "
                f"thickness {h_li * 1e6:.3g} um: the small-thickness-change assumption of the "
                "flat-reference model is stretched")
    return ""


def gll_weights_p2(x0: np.ndarray, x1: np.ndarray) -> tuple[float, float, float]:
    """Gauss–Lobatto (Simpson) weights of a straight P2 facet from x0 to x1: the lumped
    interface quadrature ``(L/6, 2L/3, L/6)`` at (end, midpoint, end)."""
    L = float(math.dist(x0, x1))
    return L / 6.0, 2.0 * L / 3.0, L / 6.0


__all__ = [
    "POTENTIAL_PER_PRESSURE",
    "THICKNESS_PER_CHARGE",
    "gll_weights_p2",
    "removal_rate",
    "stripped_thickness_check",
]
