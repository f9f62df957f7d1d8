"""Linear stability of a Li / solid-electrolyte interface under plating (numpy only): the
Monroe–Newman analysis and its generalisation by Ahmad & Viswanathan.

Sources
-------
- C. Monroe, J. Newman, *The impact of elastic deformation on deposition kinetics at
  lithium/polymer interfaces*, J. Electrochem. Soc. 152, A396 (2005), doi:10.1149/1.1850854
  ("MN"): bonded Hookean Li and polymer half-planes, a periodically deforming interface,
  surface tension; "interfacial roughening is mechanically suppressed when the separator shear
  modulus is about twice that of lithium" for a PEO-like Poisson ratio (abstract).
- Z. Ahmad, V. Viswanathan, *Stability of electrodeposition at solid-solid interfaces and
  implications for metal anodes*, Phys. Rev. Lett. 119, 056003 (2017),
  doi:10.1103/PhysRevLett.119.056003 ("AV"): the stability parameter ``chi`` with the
  electrolyte-side term, ``nu = V_+ / V_M``; a pressure-driven and a density-driven regime
  (abstract). The isotropic ``chi`` below is the one the same authors evaluate in their
  screening study (Z. Ahmad, T. Xie, C. Maheshwari, J. C. Grossman, V. Viswanathan, ACS Cent.
  Sci. 4, 996, 2018, doi:10.1021/acscentsci.8b00229), taken from the authors' public code
  (GitHub ``ahzeeshan/screening-ml``, ``data-gen/calcMu.m``) because the PRL's text was not
  available to ssbx. ssbx did **not** compare it with the printed PRL equations.

What ssbx adds (its own derivation, verified): the elastic problem behind ``chi``. Li fills
``y < 0``, the electrolyte ``y > 0``; MN's interface moves by ``A cos(kx)`` in both phases
(``u_y = A cos kx`` on both sides of the bonded interface, ``u_x`` and ``sigma_xy``
continuous; the jump of ``sigma_yy`` is the force the interface carries). :func:`interface_
stress` solves it with the decaying plane-strain half-plane solutions, and ssbx found that AV's
terms are exactly

    chi_p   = (V_M - V_+)/2 * (p_se + p_Li),     p   = -(sigma_xx + sigma_yy)/2,
    chi_tau = (V_M + V_+)/2 * (tau_se - tau_Li), tau = (sigma_xx - sigma_yy)/2,
    chi_gam = -(V_M + V_+)/2 * gamma k^2,

with the stresses at the peak (``x = 0``, where the Li protrudes) per unit ``A`` (``k`` times the
per-``kA`` values of :class:`InterfaceStress`), tensile positive — the closed forms of
:func:`pressure_sum` and :func:`deviatoric_jump` equal the solver to round-off
(``tests/test_interface_stability.py``), and the solver agrees with dolfinx P2 elasticity. ``chi``
[J/(mol m)] is the change of the electrochemical potential per unit amplitude; **``chi < 0`` is
stable** (surface tension, which stabilises, enters with ``chi_gam < 0``).

Consequences of this ``chi`` (the quadratic of :func:`neutral_modulus_ratio`): with
``r = G_se / G_Li`` the elastic part vanishes at one positive ``r_c(nu)``; for ``nu < 1``
mechanics stabilises only **below** ``r_c`` (soft electrolytes; ``r_c(0) = 1 / (3 - 4 nu_Li)
= 0.758`` for Li's 0.42), for ``nu > 1`` only **above** it (stiff electrolytes; ``r_c -> 3 -
4 nu_se = 1.68`` for 0.33 as ``nu -> infinity``: MN's "about twice"), and ``nu = 1`` is never
stabilised by the elastic terms.
ssbx calls the stiff regime (``nu > 1``) *pressure-driven* (MN's known mechanism) and the soft
one (``nu < 1``) *density-driven* — its reading of AV's names, which their abstract does not tie
to a range of ``nu``.

Growth rate with current focusing (ssbx's linearisation; single-ion conductor, linear kinetics
``i = eta / Z``, conductivity ``kappa``, plating current density ``i``):
``(dA/dt)/A = (V_M/F) k (i + kappa chi(k) / F) / (1 + k kappa Z)`` — without mechanics
(``chi = chi_gam``) waves longer than ``2 pi / k_c``, ``k_c = sqrt(2 F i / (kappa (V_M + V_+)
gamma))``, grow: the Mullins–Sekerka-type instability surface tension alone cannot remove.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ssbx.physics.constants import AVOGADRO, FARADAY, LI_MOLAR_VOLUME

#: Li parameters of AV's evaluation (the authors' code): G = 3.4 GPa, Poisson 0.42, molar volume
#: 1.3e-5 m^3/mol ("from Monroe and Newman's 2005 paper"), surface tension 0.556 J/m^2.
AV_LI_SHEAR_MODULUS = 3.4e9
AV_LI_POISSON = 0.42
AV_LI_MOLAR_VOLUME = 1.3e-5
AV_LI_SURFACE_TENSION = 0.556
#: MN's PEO-like Poisson ratio of the separator (0.33; AV's figure also shows 0.5).
MN_POLYMER_POISSON = 0.33


# --------------------------------------------------------------------------- elasticity


def _half_plane_rows(G: float, poisson: float, upper: bool) -> np.ndarray:
    """Interface values (``y = 0``, ``k = 1``) of a decaying plane-strain half-plane solution,
    linear in its two constants ``(a, B)``.

    ``u_x = U(y) sin kx``, ``u_y = V(y) cos kx``; upper half-plane ``U = (a + B k y) e^{-ky}``,
    ``V = (a + (3 - 4 nu) B + B k y) e^{-ky}`` (Navier's equations); the lower one is its mirror
    image (``u_y`` and ``sigma_xy`` change sign). Rows: ``U, V, sigma_xx, sigma_yy, sigma_xy``
    (factors of ``sin, cos, cos, cos, sin``).
    """
    s = 1.0 if upper else -1.0
    return np.array([
        [1.0, 0.0],
        [s, s * (3.0 - 4.0 * poisson)],
        [2.0 * G, -4.0 * poisson * G],
        [-2.0 * G, -4.0 * (1.0 - poisson) * G],
        [-2.0 * s * G, -2.0 * s * (1.0 - 2.0 * poisson) * G],
    ])


@dataclass(frozen=True)
class InterfaceStress:
    """Stresses at the peak of MN's interface displacement ``A cos kx``, per unit ``k A``
    [Pa], tensile positive; ``u_x`` per unit ``A`` (factor of ``sin kx``); the Poisson ratios
    of the two sides.

    The in-plane pressure ``p = -(sigma_xx + sigma_yy)/2`` and deviatoric stress
    ``tau = (sigma_xx - sigma_yy)/2`` of each side are properties.
    """

    sigma_xx_li: float
    sigma_yy_li: float
    sigma_xx_se: float
    sigma_yy_se: float
    sigma_xy: float
    u_x: float
    poisson_li: float = 0.3
    poisson_se: float = 0.3

    @property
    def von_mises_li(self) -> float:
        """Von Mises stress of the Li at the peak (plane strain, ``sigma_zz = nu (sigma_xx +
        sigma_yy)``, no shear there), per ``k A``: what yields the Li."""
        sxx, syy = self.sigma_xx_li, self.sigma_yy_li
        szz = self.poisson_li * (sxx + syy)
        return math.sqrt(0.5 * ((sxx - syy) ** 2 + (syy - szz) ** 2 + (szz - sxx) ** 2))

    @property
    def pressure_li(self) -> float:
        """``-(sigma_xx + sigma_yy)/2`` on the Li side."""
        return -0.5 * (self.sigma_xx_li + self.sigma_yy_li)

    @property
    def pressure_se(self) -> float:
        """``-(sigma_xx + sigma_yy)/2`` on the electrolyte side."""
        return -0.5 * (self.sigma_xx_se + self.sigma_yy_se)

    @property
    def tau_li(self) -> float:
        """``(sigma_xx - sigma_yy)/2`` on the Li side."""
        return 0.5 * (self.sigma_xx_li - self.sigma_yy_li)

    @property
    def tau_se(self) -> float:
        """``(sigma_xx - sigma_yy)/2`` on the electrolyte side."""
        return 0.5 * (self.sigma_xx_se - self.sigma_yy_se)


def _check(G: float, poisson: float) -> None:
    if not G > 0.0 or not -1.0 < poisson < 0.5:
        raise ValueError(f"need G > 0 and -1 < nu < 0.5, got G={G!r}, nu={poisson!r}")


def interface_stress(G_se: float, poisson_se: float, G_li: float,
                     poisson_li: float) -> InterfaceStress:
    """MN's elastic problem (module docstring) solved as the 4x4 system of the interface
    conditions (``u_y = A`` on both sides, ``u_x`` and ``sigma_xy`` continuous) on the
    decaying half-plane solutions; ``G`` [Pa]. Per unit ``k A``, so independent of ``k``."""
    _check(G_se, poisson_se)
    _check(G_li, poisson_li)
    se = _half_plane_rows(G_se, poisson_se, True)
    li = _half_plane_rows(G_li, poisson_li, False)
    m = np.zeros((4, 4))
    rhs = np.zeros(4)
    m[0, :2], m[0, 2:] = se[0], -li[0]      # u_x continuous
    m[1, :2], m[1, 2:] = se[4], -li[4]      # sigma_xy continuous
    m[2, :2], rhs[2] = se[1], 1.0           # u_y = A, electrolyte side
    m[3, 2:], rhs[3] = li[1], 1.0           # u_y = A, Li side
    x = np.linalg.solve(m, rhs)
    s = se @ x[:2]
    l_ = li @ x[2:]
    return InterfaceStress(sigma_xx_li=float(l_[2]), sigma_yy_li=float(l_[3]),
                           sigma_xx_se=float(s[2]), sigma_yy_se=float(s[3]),
                           sigma_xy=float(s[4]), u_x=float(s[0]), poisson_li=poisson_li,
                           poisson_se=poisson_se)


def _denominator(G_se: float, poisson_se: float, G_li: float, poisson_li: float) -> float:
    return (G_se * (3.0 - 4.0 * poisson_li) * (1.0 - poisson_se)
            + G_li * (1.0 - poisson_li) * (3.0 - 4.0 * poisson_se))


def pressure_sum(G_se: float, poisson_se: float, G_li: float, poisson_li: float) -> float:
    """``p_se + p_Li`` per ``k A`` [Pa] in closed form (AV's pressure term):
    ``(G_se^2 (3 - 4 nu_Li) - G_Li^2 (3 - 4 nu_se)) / D``,
    ``D = G_se (3 - 4 nu_Li)(1 - nu_se) + G_Li (1 - nu_Li)(3 - 4 nu_se)``."""
    return ((G_se ** 2 * (3.0 - 4.0 * poisson_li) - G_li ** 2 * (3.0 - 4.0 * poisson_se))
            / _denominator(G_se, poisson_se, G_li, poisson_li))


def deviatoric_jump(G_se: float, poisson_se: float, G_li: float, poisson_li: float) -> float:
    """``tau_se - tau_Li`` per ``k A`` [Pa] in closed form (AV's deviatoric term):
    ``4 G_se G_Li (2 - 3 nu_se - 3 nu_Li + 4 nu_Li nu_se) / D``."""
    c = 2.0 - 3.0 * poisson_se - 3.0 * poisson_li + 4.0 * poisson_li * poisson_se
    return 4.0 * G_se * G_li * c / _denominator(G_se, poisson_se, G_li, poisson_li)


# --------------------------------------------------------------------------- stability


@dataclass(frozen=True)
class StabilityTerms:
    """AV's stability parameter per unit amplitude [J/(mol m)]; ``chi < 0`` is stable."""

    pressure: float
    deviatoric: float
    surface: float

    @property
    def mechanical(self) -> float:
        """``chi_p + chi_tau``."""
        return self.pressure + self.deviatoric

    @property
    def total(self) -> float:
        """``chi = chi_p + chi_tau + chi_gam``."""
        return self.pressure + self.deviatoric + self.surface


def stability_terms(k: float, G_se: float, poisson_se: float, G_li: float, poisson_li: float,
                    volume_ratio: float, surface_tension: float = 0.0,
                    molar_volume: float = LI_MOLAR_VOLUME) -> StabilityTerms:
    """The terms of ``chi`` (module docstring) at wavenumber ``k`` [1/m]; ``G`` [Pa],
    ``volume_ratio`` ``nu = V_+ / V_M`` [-], ``surface_tension`` gamma [J/m^2],
    ``molar_volume`` ``V_M`` [m^3/mol] of the metal."""
    v_plus = volume_ratio * molar_volume
    return StabilityTerms(
        pressure=0.5 * (molar_volume - v_plus) * pressure_sum(G_se, poisson_se, G_li,
                                                                poisson_li) * k,
        deviatoric=0.5 * (molar_volume + v_plus) * deviatoric_jump(G_se, poisson_se, G_li,
                                                                     poisson_li) * k,
        surface=-0.5 * (molar_volume + v_plus) * surface_tension * k * k)


def stability_function(modulus_ratio: float, volume_ratio: float, poisson_li: float,
                       poisson_se: float) -> float:
    """Dimensionless elastic part ``chi_mech / (V_M G_Li k)`` against ``r = G_se / G_Li`` (MN's
    and AV's way of plotting it): negative is stable."""
    t = stability_terms(1.0, modulus_ratio, poisson_se, 1.0, poisson_li, volume_ratio,
                        0.0, 1.0)
    return t.mechanical


def neutral_modulus_ratio(volume_ratio: float, poisson_li: float,
                          poisson_se: float) -> float | None:
    """``r_c = G_se / G_Li`` where the elastic part of ``chi`` vanishes: the positive root of
    ``(1 - nu) a r^2 + 4 (1 + nu) c r - (1 - nu) b = 0`` (``a = 3 - 4 nu_Li``, ``b = 3 - 4
    nu_se``, ``c = 2 - 3 nu_se - 3 nu_Li + 4 nu_Li nu_se``); one positive root for ``nu != 1``
    (the product of the roots is ``-b/a < 0``), ``None`` at ``nu = 1``."""
    a = 3.0 - 4.0 * poisson_li
    b = 3.0 - 4.0 * poisson_se
    c = 2.0 - 3.0 * poisson_se - 3.0 * poisson_li + 4.0 * poisson_li * poisson_se
    q2 = (1.0 - volume_ratio) * a
    q1 = 4.0 * (1.0 + volume_ratio) * c
    q0 = -(1.0 - volume_ratio) * b
    if q2 == 0.0:
        return None
    disc = math.sqrt(q1 * q1 - 4.0 * q2 * q0)
    # the root that is positive: stable cancellation form for either sign of q2
    r = (-q1 + disc) / (2.0 * q2) if q2 > 0.0 else (2.0 * q0) / (-q1 + disc)
    return r


def neutral_modulus_ratio_limit(poisson_li: float, poisson_se: float) -> float:
    """``r_c`` as ``nu -> infinity`` (``V_+ >> V_M``): ``(2 c + sqrt(4 c^2 + a b)) / a``, which
    is ``3 - 4 nu_se`` because ``a b - 4 c = 1`` for every pair of Poisson ratios (ssbx's
    reduction; likewise ``r_c(nu = 0) = 1 / (3 - 4 nu_Li)``). Independent of ``poisson_li``."""
    del poisson_li
    return 3.0 - 4.0 * poisson_se


def regime(modulus_ratio: float, volume_ratio: float, poisson_li: float,
           poisson_se: float) -> str:
    """``"pressure-driven stable"`` (elastic ``chi < 0`` with ``nu > 1``: a stiff
    electrolyte), ``"density-driven stable"`` (``chi < 0`` with ``nu < 1``: a soft one) or
    ``"unstable"`` (the elastic terms destabilise; surface tension alone then stabilises only
    ``k > k_crit``)."""
    chi = stability_function(modulus_ratio, volume_ratio, poisson_li, poisson_se)
    if chi >= 0.0:
        return "unstable"
    return "pressure-driven stable" if volume_ratio > 1.0 else "density-driven stable"


def critical_wavenumber(G_se: float, poisson_se: float, G_li: float, poisson_li: float,
                        volume_ratio: float, surface_tension: float,
                        molar_volume: float = LI_MOLAR_VOLUME) -> float | None:
    """``k_crit`` [1/m] where ``chi(k) = 0`` when the elastic terms destabilise: surface tension
    stabilises ``k > k_crit``; ``None`` when the elastic terms already stabilise (AV's
    ``lambda_crit = 2 pi / k_crit``)."""
    t = stability_terms(1.0, G_se, poisson_se, G_li, poisson_li, volume_ratio,
                        surface_tension, molar_volume)
    if t.mechanical <= 0.0:
        return None
    return -t.mechanical / t.surface


def growth_rate(k: float, current_density: float, conductivity: float, resistance: float,
                chi: float, molar_volume: float = LI_MOLAR_VOLUME) -> float:
    """``(dA/dt)/A`` [1/s] (module docstring): plating ``current_density`` i [A/m^2] (> 0),
    ``conductivity`` kappa [S/m], interface resistance ``Z`` [ohm m^2], ``chi`` [J/(mol m)] at
    this ``k``. Positive: the perturbation grows."""
    return (molar_volume / FARADAY * k * (current_density + conductivity * chi / FARADAY)
            / (1.0 + k * conductivity * resistance))


def capillary_critical_wavenumber(current_density: float, conductivity: float,
                                  surface_tension: float, volume_ratio: float = 1.0,
                                  molar_volume: float = LI_MOLAR_VOLUME) -> float:
    """Without mechanics, ``k_c = sqrt(2 F i / (kappa (V_M + V_+) gamma))`` [1/m]: waves with
    ``k < k_c`` grow (Mullins–Sekerka-type)."""
    return math.sqrt(2.0 * FARADAY * current_density
                     / (conductivity * (1.0 + volume_ratio) * molar_volume * surface_tension))


# --------------------------------------------------------------------------- material points


#: Shannon ionic radii of Li+ [m] by coordination number (R. D. Shannon, Acta Cryst. A32, 751,
#: 1976, doi:10.1107/S0567739476001551): 4 -> 0.59 A, 6 -> 0.76 A, 8 -> 0.92 A.
LI_ION_RADIUS = {4: 0.59e-10, 6: 0.76e-10, 8: 0.92e-10}


def ionic_volume_ratio(coordination: int, molar_volume: float = LI_MOLAR_VOLUME) -> float:
    """``nu = (4/3) pi r^3 N_A / V_M`` with the Shannon radius of Li+ at this coordination: the
    estimate of ``V_+`` in AV's screening (Ahmad et al. 2018; they interpolate the radius
    linearly in the coordination number)."""
    r = LI_ION_RADIUS[coordination]
    return 4.0 / 3.0 * math.pi * r ** 3 * AVOGADRO / molar_volume


#: Standard atomic weights [g/mol] (IUPAC) of the elements of the electrolytes below.
_ATOMIC_MASS = {"Li": 6.941, "La": 138.905, "Zr": 91.224, "O": 15.999, "P": 30.974,
                "S": 32.06, "Cl": 35.453}
_KG_PER_G = 1e-3


def volume_per_li(formula: dict[str, float], density: float) -> float:
    """Volume of electrolyte per mole of Li [m^3/mol]: molar mass of ``formula`` (element ->
    atoms per formula unit) over ``density`` [kg/m^3], per Li. ssbx's *upper* estimate of
    ``V_+`` (the whole host volume that carries one Li; not a partial molar volume)."""
    mass = sum(_ATOMIC_MASS[el] * n for el, n in formula.items()) * _KG_PER_G
    return mass / density / formula["Li"]


@dataclass(frozen=True)
class StabilityPoint:
    """One electrolyte on the stability map.

    Attributes
    ----------
    name : str
        Label (an ssbx electrolyte preset, or ``PEO``).
    G : float
        Shear modulus [Pa].
    poisson : float
        Poisson's ratio [-].
    volume_ratio : float
        ``nu`` by the ionic-radius estimate (AV's convention) [-].
    volume_ratio_upper : float or None
        ``nu`` by the volume of electrolyte per Li (ssbx's upper estimate) [-].
    source : str
        Provenance and what is assumed.
    """

    name: str
    G: float
    poisson: float
    volume_ratio: float
    volume_ratio_upper: float | None
    source: str


#: Densities [kg/m^3] for :func:`volume_per_li` (*estimated*, check): cubic LLZO ~5100 (X-ray
#: density), Li6PS5Cl ~1640 (X-ray density), 70Li2S-30P2S5 glass ~1900 (Li2S-P2S5 glasses
#: 1.8-2.0 g/cm^3).
DENSITIES = {"LLZO": 5100.0, "Li6PS5Cl": 1640.0, "70Li2S-30P2S5": 1900.0}
FORMULAS: dict[str, dict[str, float]] = {
    "LLZO": {"Li": 7, "La": 3, "Zr": 2, "O": 12},
    "Li6PS5Cl": {"Li": 6, "P": 1, "S": 5, "Cl": 1},
    "70Li2S-30P2S5": {"Li": 1.4, "P": 0.6, "S": 2.2},
}
#: Li+ coordination assumed for the ionic-radius estimate: garnet Li on tetrahedral 24d and
#: (distorted) octahedral 96h sites -> 6; argyrodite and thiophosphate glass: tetrahedral -> 4.
COORDINATION = {"LLZO": 6, "Li6PS5Cl": 4, "70Li2S-30P2S5": 4, "PEO": 6}


def stability_points(molar_volume: float = LI_MOLAR_VOLUME) -> dict[str, StabilityPoint]:
    """The electrolytes of the stability map: LLZO, Li6PS5Cl and 70Li2S-30P2S5 with the elastic
    constants of :mod:`ssbx.physics.electrolytes`; PEO with *assumed* values (no preset)."""
    from ssbx.physics.electrolytes import electrolyte_preset

    points = {}
    for name in ("LLZO", "Li6PS5Cl", "70Li2S-30P2S5"):
        el = electrolyte_preset(name).elastic
        points[name] = StabilityPoint(
            name, el.shear_modulus, el.nu,
            ionic_volume_ratio(COORDINATION[name], molar_volume),
            volume_per_li(FORMULAS[name], DENSITIES[name]) / molar_volume,
            f"G, Poisson: ssbx preset {name}; nu: Shannon radius at coordination "
            f"{COORDINATION[name]} (assumed), upper estimate from {DENSITIES[name]:.0f} kg/m^3")
    points["PEO"] = StabilityPoint(
        "PEO", 1.0e6, MN_POLYMER_POISSON, ionic_volume_ratio(COORDINATION["PEO"], molar_volume),
        None,
        "assumed: G ~ 1 MPa (amorphous PEO-LiTFSI above its melting point, order of magnitude), "
        "Poisson 0.33 (MN's PEO-like value); nu of Li+ in PEO not known to ssbx (the ionic "
        "estimate at coordination 6 is shown; AV's conclusion for polymers needs nu > 1)")
    return points


__all__ = [
    "AV_LI_MOLAR_VOLUME",
    "AV_LI_POISSON",
    "AV_LI_SHEAR_MODULUS",
    "AV_LI_SURFACE_TENSION",
    "COORDINATION",
    "DENSITIES",
    "FORMULAS",
    "LI_ION_RADIUS",
    "MN_POLYMER_POISSON",
    "InterfaceStress",
    "StabilityPoint",
    "StabilityTerms",
    "capillary_critical_wavenumber",
    "critical_wavenumber",
    "deviatoric_jump",
    "growth_rate",
    "interface_stress",
    "ionic_volume_ratio",
    "neutral_modulus_ratio",
    "neutral_modulus_ratio_limit",
    "pressure_sum",
    "regime",
    "stability_function",
    "stability_points",
    "stability_terms",
    "volume_per_li",
]
