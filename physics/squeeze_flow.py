"""Squeeze flow of a creeping metal foil between two plates: how the stack pressure of a cell
becomes the foil's thinning rate.

A foil (Li, Na) of radius ``R`` and thickness ``h << R`` under the mean stack pressure ``p̄``
creeps with the J2 law ``ε̇_eq = g(σ_eq)`` (e.g. the power law ``g = A σ^n``,
:mod:`ssbx.physics.creep_laws`) and flows out at its free edge. Taking the uniaxial stress equal
to ``p̄`` (the frictionless limit below) overestimates the thinning of a thin foil by orders of
magnitude, because the plates' friction builds a pressure hill: most of ``p̄`` is carried by the
hydrostatic pressure in the foil's interior, only a fraction drives the creep. Three limits,
all axisymmetric, thinning rate ``V = -dh/dt``:

**Frictionless plates** (homogeneous compression, exact): ``σ_eq = p̄`` and ``V = h g(p̄)``.

**Coulomb friction, slab method** (Siebel's equilibrium of a slab of the disc, as in the
upsetting of a cylinder; e.g. Hosford & Caddell, *Metal Forming*, 4th ed., Cambridge University
Press 2011, ch. 7): the foil thins homogeneously at ``ε̇ = V / h`` with the flow stress
``σ_0 = g⁻¹(ε̇)``; radial equilibrium of a slab, ``dp/dr = -2 τ_w / h``, with the wall shear
stress ``τ_w = μ p`` where the foil slides and the shear flow stress ``σ_0 / √3`` where friction
would exceed it (sticking), and ``p(R) = σ_0`` at the free edge::

    sliding (r_s <= r <= R):  p = σ_0 exp(2 μ (R - r) / h)
    sticking (r <= r_s):      p = σ_0 / (√3 μ) + 2 σ_0 (r_s - r) / (√3 h),
    R - r_s = h / (2 μ) ln(1 / (√3 μ))   (no sticking zone while it is negative or > R)

so ``p̄ = F(μ, R/h) σ_0`` with the *friction factor* ``F = 2/R² ∫_0^R p r dr / σ_0``; for
pure sliding ``F = 2 (e^β - 1 - β) / β²``, ``β = 2 μ R / h`` (≈ 1 + 2 μ R / (3 h) for small
``β``). The slab method neglects the shear's own contribution to the yield condition (valid for
``μ R / h`` of order one and more where the friction hill dominates, and exact for ``μ = 0``).

**Bonded (no-slip) foil, lubrication theory** (thin film of a J2 creeping solid, as the slot
flow of :mod:`ssbx.physics.extrusion`): the radial flux per unit circumference through the gap
``h`` at the pressure gradient ``G = -dp/dr`` is the slot flux ``q(G, h)``, and mass conservation
gives ``q(G(r), h) = r V / 2``; with ``p(R) = 0``, ``p̄ = (1/R²) ∫_0^R G(r) r² dr``. For the power
law this is the power-law Stefan/Scott squeeze film::

    V = 4 B (h/2)^(n+2) (3n + 1)^n p̄^n / ((n + 2) n^n R^(n+1)),   B = 3^((n+1)/2) A,

which for a Newtonian fluid (``n = 1``, ``A = 1/(3 η)``) is Stefan's law ``V = 2 h³ p̄ / (3 η R²)``
(Stefan 1874; Engmann, Servais & Burbidge, J. Non-Newtonian Fluid Mech. 132 (2005) 1,
doi:10.1016/j.jnnfm.2005.08.007, for the power law). It neglects the membrane (extensional)
stress, of relative order ``(h / R)^(1 + 1/n)``, and holds for ``R / h >> 1``.

**A foil confined by a die** (the bore of a pellet die, plunger above): it cannot spread;
it escapes only into the annular clearance ``δ`` between plunger and die wall, of length ``L``,
as the slot flow of :mod:`ssbx.physics.extrusion`: the clearance passes ``q = R V / 2`` per unit
circumference under the gradient ``p_c / L``. To reach the clearance the foil itself flows
radially as the bonded squeeze film above, whose pressure hill now stands on ``p(R) = p_c``, so
the two resistances are in series: ``p̄ = p̄_film(V) + L G(R V / 2, δ)``, for the power law
``V = p̄^n / (c_film^(-1/n) + c_slot^(-1/n))^n`` with ``c`` the rate of each alone at unit
pressure. (With ``δ / h = 0.25`` and ``R / L = 5`` the two are comparable: the clearance alone
over-predicts the rate by ~``2^n``.)

The *effective stress fraction* ``σ_eff / p̄``, with ``σ_eff = g⁻¹(V / h)`` the uniaxial stress
that would thin the foil as fast, measures how much of the stack pressure drives the creep.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ssbx.physics.extrusion import power_law_slot_flux, slot_flux

RateLaw = Callable[[float], float]
"""Equivalent creep rate [1/s] at an equivalent stress [Pa] (J2 law, monotone increasing)."""

SQRT3 = math.sqrt(3.0)


# --------------------------------------------------------------------------------------------
# frictionless plates
# --------------------------------------------------------------------------------------------
def frictionless_thinning_rate(mean_pressure: float, thickness: float, rate: RateLaw) -> float:
    """``V = h g(p̄)`` [m/s]: homogeneous compression between frictionless plates."""
    return thickness * rate(mean_pressure)


# --------------------------------------------------------------------------------------------
# Coulomb friction: slab method
# --------------------------------------------------------------------------------------------
def sticking_radius(radius: float, thickness: float, friction: float) -> float:
    """``r_s`` [m]: inside it the foil sticks (friction would exceed the shear flow stress);
    ``0`` when it slides everywhere, ``radius`` when it sticks everywhere (``√3 μ >= 1``)."""
    _check_slab(radius, thickness, friction)
    if friction <= 0.0:
        return 0.0
    if SQRT3 * friction >= 1.0:
        return radius
    sliding = thickness / (2.0 * friction) * math.log(1.0 / (SQRT3 * friction))
    return max(radius - sliding, 0.0)


def slab_pressure(r: np.ndarray | float, radius: float, thickness: float, friction: float,
                  flow_stress: float = 1.0) -> np.ndarray:
    """The friction hill ``p(r)`` [Pa] of the module docstring (``flow_stress`` = σ_0)."""
    r = np.asarray(r, dtype=float)
    r_s = sticking_radius(radius, thickness, friction)
    sticking_edge = (flow_stress if SQRT3 * friction >= 1.0
                     else flow_stress / (SQRT3 * friction) if r_s > 0.0 else math.nan)
    sliding = flow_stress * np.exp(2.0 * friction * (radius - r) / thickness)
    sticking = sticking_edge + 2.0 * flow_stress * (r_s - r) / (SQRT3 * thickness)
    return np.where(r >= r_s, sliding, sticking)


def slab_friction_factor(radius: float, thickness: float, friction: float) -> float:
    """``F = p̄ / σ_0`` [-] of a foil of ``radius`` and ``thickness`` [m] between plates with the
    Coulomb coefficient ``friction``: 1 without friction, ``2 (e^β - 1 - β) / β²`` while it
    slides everywhere (``β = 2 μ R / h``), sticking zone included otherwise (closed form)."""
    R, h, mu = radius, thickness, friction
    if mu <= 0.0:
        _check_slab(R, h, mu)
        return 1.0
    r_s = sticking_radius(R, h, mu)
    a = 2.0 * mu / h
    S = R - r_s  # sliding annulus width
    if S > 0.0:
        grow = math.expm1(a * S)
        # ∫_{r_s}^R e^{a (R - r)} r dr with s = R - r
        sliding = R * grow / a - (math.exp(a * S) * (a * S - 1.0) + 1.0) / a ** 2
    else:
        sliding = 0.0
    p_s = 1.0 if SQRT3 * mu >= 1.0 else 1.0 / (SQRT3 * mu)
    k = 2.0 / (SQRT3 * h)
    sticking = p_s * r_s ** 2 / 2.0 + k * r_s ** 3 / 6.0
    return 2.0 / R ** 2 * (sliding + sticking)


def slab_thinning_rate(mean_pressure: float, radius: float, thickness: float, friction: float,
                       rate: RateLaw) -> float:
    """``V = h g(p̄ / F)`` [m/s]: the foil creeps at the flow stress the friction hill leaves."""
    return thickness * rate(mean_pressure / slab_friction_factor(radius, thickness, friction))


def friction_for_factor(factor: float, aspect: float) -> float:
    """The Coulomb coefficient μ whose friction factor is ``factor`` (> 1) for a disc of
    ``aspect = R / h`` (bisection; ``ValueError`` if sticking everywhere cannot reach it)."""
    if factor <= 1.0:
        raise ValueError(f"friction factor must exceed 1 (got {factor!r})")
    top = slab_friction_factor(aspect, 1.0, 1.0 / SQRT3)
    if factor > top:
        raise ValueError(f"friction factor {factor:g} exceeds the sticking limit {top:g} of a "
                         f"disc with R/h = {aspect:g}")
    lo, hi = 0.0, 1.0 / SQRT3
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if slab_friction_factor(aspect, 1.0, mid) < factor:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _check_slab(radius: float, thickness: float, friction: float) -> None:
    if not (radius > 0.0 and thickness > 0.0):
        raise ValueError(f"foil radius and thickness must be positive (got {radius!r}, "
                         f"{thickness!r} m)")
    if friction < 0.0:
        raise ValueError(f"friction coefficient must be >= 0 (got {friction!r})")


# --------------------------------------------------------------------------------------------
# bonded foil: lubrication theory
# --------------------------------------------------------------------------------------------
def power_law_bonded_thinning_rate(mean_pressure: float, radius: float, thickness: float,
                                   A_eff: float, n: float) -> float:
    """``V`` [m/s] of a bonded foil creeping as ``A_eff σ^n`` (closed form of the module
    docstring)."""
    B = 3.0 ** (0.5 * (n + 1.0)) * A_eff
    half = 0.5 * thickness
    return (4.0 * B * half ** (n + 2.0) * (3.0 * n + 1.0) ** n * mean_pressure ** n
            / ((n + 2.0) * n ** n * radius ** (n + 1.0)))


def power_law_bonded_pressure(r: np.ndarray | float, thinning_rate: float, radius: float,
                              thickness: float, A_eff: float, n: float) -> np.ndarray:
    """The lubrication pressure ``p(r)`` [Pa] of a bonded power-law foil thinning at
    ``thinning_rate`` [m/s]: ``C^(1/n) (R^(1+1/n) - r^(1+1/n)) / (1 + 1/n)``,
    ``C = (n + 2) V / (4 B (h/2)^(n+2))``."""
    B = 3.0 ** (0.5 * (n + 1.0)) * A_eff
    C = (n + 2.0) * thinning_rate / (4.0 * B * (0.5 * thickness) ** (n + 2.0))
    m = 1.0 + 1.0 / n
    r = np.asarray(r, dtype=float)
    return C ** (1.0 / n) * (radius ** m - r ** m) / m


def bonded_mean_pressure(thinning_rate: float, radius: float, thickness: float,
                         rate: RateLaw, points: int = 32) -> float:
    """``p̄`` [Pa] that squeezes a bonded foil with the J2 law ``rate`` at ``thinning_rate``
    [m/s]: ``(1/R²) ∫_0^R G(r) r² dr`` with ``q(G(r), h) = r V / 2`` (Gauss–Legendre in r,
    the slot flux inverted at each radius)."""
    nodes, weights = np.polynomial.legendre.leggauss(points)
    r = 0.5 * radius * (nodes + 1.0)
    G = np.array([_gradient_for_flux(0.5 * ri * thinning_rate, thickness, rate) for ri in r])
    return float(0.5 * radius * np.sum(weights * G * r ** 2) / radius ** 2)


def bonded_thinning_rate(mean_pressure: float, radius: float, thickness: float,
                         rate: RateLaw) -> float:
    """``V`` [m/s] of a bonded foil under ``p̄`` [Pa] for a general J2 law (inverts
    :func:`bonded_mean_pressure`)."""
    upper = thickness * rate(mean_pressure) if mean_pressure > 0.0 else 0.0
    if upper <= 0.0:  # the frictionless rate bounds it from above
        return 0.0
    return _invert_increasing(lambda V: bonded_mean_pressure(V, radius, thickness, rate),
                              mean_pressure, upper)


def _gradient_for_flux(flux: float, gap: float, rate: RateLaw) -> float:
    """The pressure gradient [Pa/m] that drives ``flux`` [m²/s] through the slot ``gap``."""
    if flux <= 0.0:
        return 0.0
    return _invert_increasing(lambda G: slot_flux(G, gap, rate, points=48), flux, 1.0)


def _invert_increasing(f: Callable[[float], float], target: float, guess: float,
                       rtol: float = 1e-11) -> float:
    """``x > 0`` with ``f(x) = target`` for a non-negative increasing ``f``: bracket by
    decades, then the Illinois variant of regula falsi on ``ln f`` against ``ln x`` (a power
    law is a straight line there, so it converges in a few steps). ``0`` when ``f`` exceeds the
    target for every ``x`` within 100 decades below ``guess`` (a law with a threshold: the foil
    does not flow)."""
    goal = math.log(target)

    def lf(x: float) -> float:  # a law with a threshold is 0 below it: floor the logarithm
        return math.log(max(f(x), 1e-300)) - goal

    a = b = math.log(guess)
    fa = fb = lf(guess)
    step = math.log(10.0) * (1.0 if fa < 0.0 else -1.0)
    if step < 0.0 and lf(guess * 1e-40) > 0.0:  # a threshold above the target: x -> 0
        return 0.0
    for _ in range(100):  # decades
        if fa * fb <= 0.0:
            break
        a, fa = b, fb
        b += step
        fb = lf(math.exp(b))
    else:
        if step < 0.0:  # f exceeds the target however small x is (a threshold): x -> 0
            return 0.0
        raise ValueError(f"no x up to {math.exp(b):.3g} reaches {target:.6g}")
    side = 0
    for _ in range(200):
        c = b - fb * (b - a) / (fb - fa)
        fc = lf(math.exp(c))
        if abs(fc) < rtol or abs(b - a) < rtol:
            return math.exp(c)
        if fc * fb < 0.0:
            a, fa = b, fb
            side = 0
        else:
            fa = 0.5 * fa if side == -1 else fa
            side = -1
        b, fb = c, fc
    return math.exp(b)


# --------------------------------------------------------------------------------------------
# a foil confined by a die: extrusion into the clearance
# --------------------------------------------------------------------------------------------
def die_extrusion_thinning_rate(mean_pressure: float, radius: float, clearance: float,
                                clearance_length: float, rate: RateLaw,
                                thickness: float | None = None) -> float:
    """``V`` [m/s] of a foil that fills a die bore of ``radius`` [m] and escapes only into the
    annular clearance ``clearance`` [m] between plunger and die wall, ``clearance_length`` [m]
    long: the clearance passes the slot flux ``q(p_c/L, δ) = R V / 2`` of
    :mod:`ssbx.physics.extrusion` per unit circumference (``V = 2π R q / (π R²)``, ``δ << R``),
    and the foil of ``thickness`` [m] reaches it as a bonded squeeze film in series,
    ``p̄ = p̄_film(V) + p_c`` (module docstring; ``thickness=None`` neglects the film)."""
    if mean_pressure <= 0.0:
        return 0.0
    _check_die(radius, clearance, clearance_length)
    slot_only = 2.0 * slot_flux(mean_pressure / clearance_length, clearance, rate) / radius
    if thickness is None or slot_only <= 0.0:
        return slot_only

    def pressure(V: float) -> float:
        return (bonded_mean_pressure(V, radius, thickness, rate)
                + clearance_length * _gradient_for_flux(0.5 * radius * V, clearance, rate))

    return _invert_increasing(pressure, mean_pressure, slot_only)


def power_law_die_extrusion_thinning_rate(mean_pressure: float, radius: float,
                                          clearance: float, clearance_length: float,
                                          A_eff: float, n: float,
                                          thickness: float | None = None) -> float:
    """:func:`die_extrusion_thinning_rate` for the power law ``A_eff σ^n`` (closed form:
    :func:`ssbx.physics.extrusion.power_law_slot_flux` and the film law in series)."""
    if mean_pressure <= 0.0:
        return 0.0
    _check_die(radius, clearance, clearance_length)
    slot = 2.0 * power_law_slot_flux(1.0 / clearance_length, clearance, A_eff, n) / radius
    if thickness is None:
        return slot * mean_pressure ** n
    film = power_law_bonded_thinning_rate(1.0, radius, thickness, A_eff, n)
    return mean_pressure ** n / (film ** (-1.0 / n) + slot ** (-1.0 / n)) ** n


def _check_die(radius: float, clearance: float, clearance_length: float) -> None:
    if not (radius > 0.0 and clearance > 0.0 and clearance_length > 0.0):
        raise ValueError(f"die radius, clearance and clearance length must be positive (got "
                         f"{radius!r}, {clearance!r}, {clearance_length!r} m)")


# --------------------------------------------------------------------------------------------
# what the creep sees
# --------------------------------------------------------------------------------------------
def effective_stress(thinning_rate: float, thickness: float, stress_for_rate: RateLaw) -> float:
    """``σ_eff = g⁻¹(V / h)`` [Pa]: the uniaxial stress that thins the foil as fast
    (``stress_for_rate``: the inverse of the creep law, e.g.
    :meth:`ssbx.physics.creep_laws.PowerLawCreep.stress_for_rate` at a temperature)."""
    return stress_for_rate(thinning_rate / thickness)


__all__ = [
    "RateLaw",
    "bonded_mean_pressure",
    "bonded_thinning_rate",
    "die_extrusion_thinning_rate",
    "effective_stress",
    "friction_for_factor",
    "frictionless_thinning_rate",
    "power_law_bonded_pressure",
    "power_law_bonded_thinning_rate",
    "power_law_die_extrusion_thinning_rate",
    "slab_friction_factor",
    "slab_pressure",
    "slab_thinning_rate",
    "sticking_radius",
]
