"""Extrusion of Li out of a Li-filled crack: lubrication (slot-flow) closed forms for a J2
viscoplastic solid, and the Li pressure at which extrusion balances plating.

**Slot flow.** A solid that creeps at the equivalent rate ``p_dot = g(sigma_eq)`` (J2 flow)
squeezed along a slot of opening ``delta = 2 h`` by the pressure gradient ``G = -dp/ds``
(fully developed, no slip on the faces) carries the shear stress ``tau = G y`` across the gap
(``|y| <= h``), shears at ``gamma_dot = sqrt(3) g(sqrt(3) tau)`` and moves the volume per unit
depth and time ::

    q = 2 ∫_0^h y gamma_dot(G y) dy = 2 sqrt(3) ∫_0^h y g(sqrt(3) G y) dy.

For the power law ``g = A sigma^n``: ``q = 2 3^((n+1)/2) A G^n h^(n+2) / (n + 2)``; for a
Newtonian fluid (``n = 1``, ``A = 1/(3 mu)``) this is ``G delta^3 / (12 mu)``. Branches that
add (the dislocation and diffusional branches of ssbx's size-dependent Li law) add their
fluxes.

**Extrusion-limited pressure.** Li plated into the faces of a crack (current ``I`` per unit
depth into the wetted faces, volume rate ``Omega I / F``) leaves through the mouth. With the
pressure falling linearly from ``p`` inside to the electrode's pressure ``p_0`` at the mouth
over the filled length ``b`` and the mean opening ``delta(p)`` (elastic, ``∝ p``), the steady
Li pressure solves ``q((p - p_0)/b, delta(p)) = Omega I / F``. A crack grows only if that
pressure reaches the critical one (:func:`ssbx.physics.fracture.critical_pressure`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ssbx.physics.constants import FARADAY

RateLaw = Callable[[float], float]
"""Equivalent viscoplastic strain rate [1/s] at an equivalent stress [Pa]."""


def power_law_slot_flux(gradient: float, gap: float, A_eff: float, n: float) -> float:
    """Closed-form flux per unit depth [m^2/s] of power-law creep ``A_eff sigma^n`` through a
    slot of opening ``gap`` [m] under the pressure gradient ``gradient`` [Pa/m]."""
    h = 0.5 * gap
    return 2.0 * 3.0 ** (0.5 * (n + 1.0)) * A_eff * gradient ** n * h ** (n + 2.0) / (n + 2.0)


def slot_flux(gradient: float, gap: float, rate: RateLaw, points: int = 2000) -> float:
    """Flux per unit depth [m^2/s] of the J2 law ``rate`` through a slot (the integral of the
    module docstring, Gauss–Legendre in y)."""
    if gradient <= 0.0 or gap <= 0.0:
        return 0.0
    h = 0.5 * gap
    nodes, weights = np.polynomial.legendre.leggauss(points)
    y = 0.5 * h * (nodes + 1.0)
    g = np.array([rate(math.sqrt(3.0) * gradient * yy) for yy in y])
    return float(2.0 * math.sqrt(3.0) * 0.5 * h * np.sum(weights * y * g))


def filament_ohmic_drop(s: np.ndarray, opening: np.ndarray, current_per_depth: float,
                        resistivity: float, filled_length: float) -> float:
    """Ohmic drop [V] along the metal filling a crack, from the mouth (``s = 0``) to the end of
    the filling ``b = filled_length`` [m], when ``current_per_depth`` [A/m] enters (or leaves)
    its faces uniformly: the metal at ``s`` carries ``I (1 - s/b)`` through the cross-section
    of the opening ``delta(s)`` [m] per unit depth, so ::

        dV = rho ∫_0^b I (1 - s/b) / delta(s) ds

    (midpoint rule on the profile's segments; ``resistivity`` rho [ohm m]). It measures the
    equipotential assumption of the metal in the crack: ssbx takes ``phi_Li = 0`` on the wetted
    faces."""
    s, opening = np.asarray(s, dtype=float), np.asarray(opening, dtype=float)
    inside = s <= filled_length * (1.0 + 1e-12)
    s, opening = s[inside], opening[inside]
    if s.size < 2 or current_per_depth == 0.0:
        return 0.0
    mid = 0.5 * (s[1:] + s[:-1])
    gap = 0.5 * (opening[1:] + opening[:-1])
    if np.any(gap <= 0.0):
        return math.inf
    carried = abs(current_per_depth) * (1.0 - mid / filled_length)
    return float(resistivity * np.sum(carried / gap * np.diff(s)))


def plated_volume_rate(current_per_depth: float, molar_volume: float) -> float:
    """Volume of Li per unit depth and time [m^2/s] plated by ``current_per_depth`` [A/m]."""
    return molar_volume * current_per_depth / FARADAY


def extrusion_limited_pressure(volume_rate: float, filled_length: float,
                               opening_per_pressure: float, rate: RateLaw, *,
                               mouth_pressure: float = 0.0, ceiling: float = 1e10) -> float:
    """The steady Li pressure [Pa] in a crack whose plating ``volume_rate`` [m^2/s] leaves
    through the mouth: ``q((p - p_0)/b, c_delta p) = volume_rate`` (bisection in log p);
    ``ceiling`` if even that pressure cannot push it out (``opening_per_pressure``: mean
    opening per Li pressure [m/Pa], from the elastic solution)."""
    if volume_rate <= 0.0:
        return mouth_pressure

    def excess(p: float) -> float:
        return slot_flux((p - mouth_pressure) / filled_length, opening_per_pressure * p,
                         rate, points=200) - volume_rate

    lo, hi = mouth_pressure * (1.0 + 1e-9) + 1.0, ceiling
    if excess(hi) < 0.0:
        return ceiling
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if excess(mid) > 0.0:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.0 + 1e-6:
            break
    return math.sqrt(lo * hi)


__all__ = [
    "RateLaw",
    "extrusion_limited_pressure",
    "filament_ohmic_drop",
    "plated_volume_rate",
    "power_law_slot_flux",
    "slot_flux",
]
