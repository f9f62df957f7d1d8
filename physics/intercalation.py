"""Closed forms of Li intercalation in a spherical particle: PITT transients with finite surface
kinetics, rate limits, and diffusion-induced stresses.

Dimensionless variables: ``x = r / R`` (R the particle radius), ``tau = D t / R^2``.

**PITT with finite kinetics** (a potential step at t = 0 from a relaxed particle; the
Butler–Volmer current linearised in the step, so that the surface flux is a Robin condition):

    du/dtau = lap u,   du/dx = B (1 - u) at x = 1,   u(x, 0) = 0,

``u = (c - c_0) / (c_inf - c_0)``, with the electrochemical Biot number
``B = -R j0 (dU/dc) / (D R_gas T)`` (Tsai et al., Energy Environ. Sci. 11 (2018) 860, eq. 4,
DOI 10.1039/c8ee00001h). The current relative to ``3 D Q / R^2`` (Q the charge of the whole
step) is ``B (1 - u(1, tau))``. The exact solution is the "surface evaporation" series of a
sphere (Crank, The Mathematics of Diffusion, 2nd ed. 1975, eq. 6.40):

    1 - u = (2 B / x) sum_n exp(-b_n^2 tau) sin(b_n x) / ((b_n^2 + B (B - 1)) sin b_n),
    b_n cot b_n = 1 - B,

so that the normalised current is ``2 B^2 sum_n exp(-b_n^2 tau) / (b_n^2 + B (B - 1))``.
Li, Yang, Xiao, Verbrugge & Cheng (Electrochim. Acta 75 (2012) 56) give a short-time form
(Tsai et al. 2018, eq. 5) that keeps the first image of the centre only: it equals the series
to 1e-9 up to tau = 0.05 and fails beyond tau ~ 0.3 (:func:`pitt_current_short_time`).

**Rate limits** (Tsai et al. 2018, eqs. 6 and 8): the diffusion-limited C-rate
``C_D = 3600 D / R^2`` [1/h] and the interface-limited C-rate
``C_j = A j0 2 sinh(F eta / 2 R_gas T) / (V C_p)`` of a sphere (A / V = 3 / R).

**Diffusion-induced stress** (Cheng & Verbrugge, J. Power Sources 190 (2009) 453, DOI
10.1016/j.jpowsour.2008.12.124): an isotropic elastic sphere (E, nu) with the chemical strain
``Omega (c - c_ref) / 3`` and a traction-free surface has, with ``cbar(x) = 3/x^3 int_0^x c s^2 ds``
(the mean over the sphere of radius x),

    sigma_r = 2 Omega E / (9 (1 - nu)) (cbar(1) - cbar(x)),
    sigma_t = Omega E / (9 (1 - nu)) (2 cbar(1) + cbar(x) - 3 c(x)),
    sigma_h = (sigma_r + 2 sigma_t) / 3 = 2 Omega E / (9 (1 - nu)) (cbar(1) - c(x)).

With the stress-coupled flux ``J = -D (grad c - Omega c / (R_gas T) grad sigma_h)`` the
hydrostatic stress of this sphere turns the flux into Fick's law with
``D_eff = D (1 + 2 Omega^2 E c / (9 (1 - nu) R_gas T))`` (:func:`effective_diffusivity`).

Galvanostatic concentration for a constant molar influx J [mol/(m^2 s)] (Carslaw & Jaeger,
Conduction of Heat in Solids, 2nd ed. 1959, section 9.3):

    c - c_0 = (J R / D) [3 tau + x^2 / 2 - 3/10
                         - (2 / x) sum_n sin(l_n x) exp(-l_n^2 tau) / (l_n^2 sin l_n)],
    tan l_n = l_n.

**Radially textured sphere** (a uniform chemical strain with one value along the radius and
another across it, ``eps_ch = alpha e_r e_r + beta (1 - e_r e_r)``: a sphere of grains whose
crystal axes point along, or lie across, the radius). Equilibrium
``d sigma_r/dr + 2 (sigma_r - sigma_t)/r = 0`` with ``u = A r + C r ln(r/R)``,
``C = 4 mu (alpha - beta) / (3 (lambda + 2 mu))``, and a traction-free surface give

    sigma_r = k ln(r/R),   sigma_t = k (ln(r/R) + 1/2),   k = 2 E (alpha - beta) / (3 (1 - nu)),
    u_r / r = beta + (alpha - beta) / 3 + C ln(r/R),     C = 2 (1 - 2 nu) (alpha - beta)
                                                              / (3 (1 - nu))

(derived here; checked against the finite-element sphere in
``tests/test_particle_texture.py``). The stresses grow as ln r towards the centre, at any
size and any rate: with ``alpha < beta`` (the radius shrinks more than the shells) the centre
is in triaxial tension.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ssbx.physics.constants import FARADAY, GAS_CONSTANT

SQRT_PI = math.sqrt(math.pi)


def erfcx(x: float) -> float:
    """The scaled complementary error function ``exp(x^2) erfc(x)`` without overflow."""
    if x < 25.0:
        return math.exp(x * x) * math.erfc(x)
    y = 1.0 / (x * x)
    return (1.0 - 0.5 * y + 0.75 * y * y - 1.875 * y ** 3 + 6.5625 * y ** 4) / (x * SQRT_PI)


def _roots(f: Callable[[float], float], brackets: list[tuple[float, float]]) -> np.ndarray:
    """One root of ``f`` in each bracket (f changes sign across it): bisection to round-off."""
    roots = []
    for lo, hi in brackets:
        f_lo = f(lo)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            f_mid = f(mid)
            if (f_mid > 0.0) == (f_lo > 0.0):
                lo, f_lo = mid, f_mid
            else:
                hi = mid
            if hi - lo <= 4e-16 * hi:
                break
        roots.append(0.5 * (lo + hi))
    return np.array(roots)


def pitt_eigenvalues(biot: float, count: int) -> np.ndarray:
    """The first ``count`` positive roots ``b_n`` of ``b cot b = 1 - B`` (B > 0): one in each
    interval ((n - 1) pi, n pi)."""
    if biot <= 0.0:
        raise ValueError(f"the Biot number must be > 0, got {biot!r}")
    eps = 1e-12

    def f(b: float) -> float:
        return b * math.cos(b) - (1.0 - biot) * math.sin(b)

    # sign of f alternates at n pi; near 0, f ~ b^3 (B/b^2 ...) > 0 for B > 0
    brackets = [((n - 1) * math.pi + (eps if n == 1 else 0.0), n * math.pi)
                for n in range(1, count + 1)]
    return _roots(f, brackets)


def _time_terms(tau: float) -> int:
    """Series terms for exp(-b_n^2 tau) to fall below 1e-17 (b_n > (n - 1) pi)."""
    return int(min(20000, max(50, math.sqrt(40.0 / max(tau, 1e-12)) / math.pi + 3)))


def pitt_current_series(tau: float, biot: float, terms: int | None = None) -> float:
    """Exact PITT current of a sphere with finite kinetics, relative to ``3 D Q / R^2``:
    ``2 B^2 sum_n exp(-b_n^2 tau) / (b_n^2 + B (B - 1))`` (module docstring). At tau = 0 the
    series converges slowly (terms ~ 1/n^2); use tau > 0."""
    if tau <= 0.0:
        raise ValueError(f"tau must be > 0, got {tau!r}")
    b = pitt_eigenvalues(biot, terms or _time_terms(tau))
    return float(2.0 * biot ** 2 * np.sum(np.exp(-b * b * tau) / (b * b + biot * (biot - 1.0))))


def pitt_current_short_time(tau: float, biot: float) -> float:
    """The short-time PITT current relative to ``3 D Q / R^2`` of Li et al. 2012 (Tsai et al.
    2018, eq. 5, its overall sign dropped):

        -B/(B-1) (1 - erfc(1/sqrt(tau))) + B^2/(B-1) exp((B-1)^2 tau) erfc((B-1) sqrt(tau))
        + (B^2 - 2B)/(B-1) exp(2 (B-1) + (B-1)^2 tau) erfc(1/sqrt(tau) + (B-1) sqrt(tau)),

    evaluated with ``erfcx`` so that large ``(B - 1)^2 tau`` does not overflow. Valid for
    tau <~ 0.1 only (module docstring); within 1e-6 of ``B = 1`` (a removable singularity)
    it is the mean of the values at B = 1 -+ 1e-5 (error ~1e-10)."""
    if tau <= 0.0:
        raise ValueError(f"tau must be > 0, got {tau!r}")
    if abs(biot - 1.0) < 1e-6:
        return 0.5 * (pitt_current_short_time(tau, 1.0 - 1e-5)
                      + pitt_current_short_time(tau, 1.0 + 1e-5))
    s = math.sqrt(tau)
    k = biot - 1.0
    a = k * s
    first = -biot / k * (1.0 - math.erfc(1.0 / s))
    second = biot ** 2 / k * (erfcx(a) if a >= 0.0 else math.exp(a * a) * math.erfc(a))
    y = 1.0 / s + a
    # exp(2k + k^2 tau) erfc(y) = exp(y^2 - 1/tau) erfc(y)
    third_factor = (math.exp(-1.0 / tau) * erfcx(y) if y >= 0.0
                    else math.exp(2.0 * k + k * k * tau) * math.erfc(y))
    third = (biot ** 2 - 2.0 * biot) / k * third_factor
    return first + second + third


def pitt_concentration(x: np.ndarray, tau: float, biot: float,
                       terms: int | None = None) -> np.ndarray:
    """Exact ``u(x, tau)`` of the PITT step (0 before the step, 1 at equilibrium)."""
    x = np.asarray(x, dtype=float)
    b = pitt_eigenvalues(biot, terms or _time_terms(tau))
    a = 2.0 * biot * np.exp(-b * b * tau) / ((b * b + biot * (biot - 1.0)) * np.sin(b))
    bx = np.outer(x, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        shape = np.where(bx > 1e-8, np.sin(bx) / np.where(x[:, None] > 0, x[:, None], 1.0),
                         b[None, :])
    return 1.0 - shape @ a


def pitt_mean_concentration(x: np.ndarray, tau: float, biot: float,
                            terms: int | None = None) -> np.ndarray:
    """Exact mean of u over the sphere of radius x, ``3/x^3 int_0^x u s^2 ds``."""
    x = np.asarray(x, dtype=float)
    b = pitt_eigenvalues(biot, terms or _time_terms(tau))
    a = 2.0 * biot * np.exp(-b * b * tau) / ((b * b + biot * (biot - 1.0)) * np.sin(b))
    return 1.0 - _sphere_means_of_sines(x, b) @ a


def _sphere_means_of_sines(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``3/x^3 int_0^x s sin(b s) ds = 3 (sin bx - bx cos bx) / (b^2 x^3)`` for each x, b
    (the mean over the sphere of radius x of sin(b s) / s); ``b`` at x = 0."""
    bx = np.outer(x, b)
    small = bx < 1e-3
    safe = np.where(small, 1.0, bx)
    exact = 3.0 * (np.sin(safe) - safe * np.cos(safe)) / safe ** 3 * b[None, :]
    series = b[None, :] * (1.0 - bx ** 2 / 10.0)
    return np.where(small, series, exact)


def galvanostatic_eigenvalues(count: int) -> np.ndarray:
    """The first ``count`` positive roots of ``tan l = l`` (one in (n pi, (n + 1/2) pi))."""
    def f(b: float) -> float:
        return math.sin(b) - b * math.cos(b)

    return _roots(f, [(n * math.pi + 1e-9, (n + 0.5) * math.pi - 1e-12)
                      for n in range(1, count + 1)])


def galvanostatic_concentration(x: np.ndarray, tau: float,
                                terms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Concentration rise and its sphere mean for a constant influx, both relative to
    ``J R / D`` (module docstring): ``(c(x) - c_0, cbar(x) - c_0) / (J R / D)``."""
    x = np.asarray(x, dtype=float)
    lam = galvanostatic_eigenvalues(terms or _time_terms(tau))
    a = 2.0 * np.exp(-lam ** 2 * tau) / (lam ** 2 * np.sin(lam))
    lx = np.outer(x, lam)
    with np.errstate(invalid="ignore", divide="ignore"):
        shape = np.where(lx > 1e-8, np.sin(lx) / np.where(x[:, None] > 0, x[:, None], 1.0),
                         lam[None, :])
    c = 3.0 * tau + 0.5 * x ** 2 - 0.3 - shape @ a
    cbar = 3.0 * tau + 0.3 * x ** 2 - 0.3 - _sphere_means_of_sines(x, lam) @ a
    return c, cbar


def stress_factor(molar_volume: float, youngs_modulus: float, poisson_ratio: float) -> float:
    """``Omega E / (9 (1 - nu))`` [Pa m^3/mol]: the stress per concentration difference."""
    return molar_volume * youngs_modulus / (9.0 * (1.0 - poisson_ratio))


def sphere_stresses(c: np.ndarray, cbar: np.ndarray, c_mean: float, factor: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial, hoop and hydrostatic stress [Pa] of a traction-free sphere from its
    concentration ``c(x)``, the sphere means ``cbar(x)`` and the particle mean ``c_mean``
    (any common unit; ``factor`` from :func:`stress_factor` in the matching unit):
    Cheng & Verbrugge 2009 (module docstring)."""
    c, cbar = np.asarray(c, dtype=float), np.asarray(cbar, dtype=float)
    radial = 2.0 * factor * (c_mean - cbar)
    hoop = factor * (2.0 * c_mean + cbar - 3.0 * c)
    hydrostatic = 2.0 * factor * (c_mean - c)
    return radial, hoop, hydrostatic


def galvanostatic_steady_stresses(x: np.ndarray, influx: float, radius: float,
                                  diffusivity: float, factor: float
                                  ) -> tuple[np.ndarray, np.ndarray]:
    """Steady radial and hoop stress [Pa] under a constant influx J [mol/(m^2 s)] (long
    times, Cheng & Verbrugge 2009): ``sigma_r = 3 f J R (1 - x^2) / (5 D)``,
    ``sigma_t = 3 f J R (1 - 2 x^2) / (5 D)`` with f from :func:`stress_factor` (equal to
    ``Omega E J R (1 - x^2) / (15 (1 - nu) D)`` etc.). Influx > 0 (lithiation) puts the surface
    in hoop compression and the centre in tension."""
    x = np.asarray(x, dtype=float)
    scale = 3.0 * factor * influx * radius / (5.0 * diffusivity)
    return scale * (1.0 - x ** 2), scale * (1.0 - 2.0 * x ** 2)


def radially_textured_sphere(x: np.ndarray, strain_difference: float, youngs_modulus: float,
                              poisson_ratio: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial and hoop stress [Pa] and the hoop strain u_r / r of a traction-free sphere whose
    chemical strain is ``alpha`` along the radius and ``beta`` across it, at ``x = r / R``
    (module docstring); ``strain_difference`` = alpha - beta; u_r / r is given for beta = 0
    (add beta for another)."""
    x = np.asarray(x, dtype=float)
    nu, d = poisson_ratio, strain_difference
    log = np.log(x)
    k = 2.0 * youngs_modulus * d / (3.0 * (1.0 - nu))
    shell_strain = d / 3.0 + 2.0 * (1.0 - 2.0 * nu) / (1.0 - nu) * d * log / 3.0
    return k * log, k * (log + 0.5), shell_strain


def effective_diffusivity(diffusivity: float, concentration: float, molar_volume: float,
                          youngs_modulus: float, poisson_ratio: float,
                          temperature: float) -> float:
    """``D (1 + 2 Omega^2 E c / (9 (1 - nu) R_gas T))`` [m^2/s]: the Fickian diffusivity of a
    traction-free sphere with the stress-coupled flux (module docstring)."""
    return diffusivity * (1.0 + 2.0 * molar_volume ** 2 * youngs_modulus * concentration
                          / (9.0 * (1.0 - poisson_ratio) * GAS_CONSTANT * temperature))


def biot_number(radius: float, exchange_current: float, ocv_slope: float, diffusivity: float,
                temperature: float) -> float:
    """Electrochemical Biot number ``B = -R j0 (dU/dc) / (D R_gas T)`` (Tsai et al. 2018,
    eq. 4): radius [m], j0 [A/m^2], dU/dc [V m^3/mol] (< 0 for a cathode), D [m^2/s], T [K].
    Dimensionless; it is the Robin number of the linearised surface flux
    ``D dc/dr = (j0 F / (R_gas T)) (-dU/dc) (c_inf - c) / F``."""
    return -radius * exchange_current * ocv_slope / (diffusivity * GAS_CONSTANT * temperature)


def diffusion_limited_c_rate(radius: float, diffusivity: float) -> float:
    """``C_D = 3600 D / R^2`` [1/h] (Tsai et al. 2018, eq. 8): radius [m], D [m^2/s]."""
    return 3600.0 * diffusivity / radius ** 2


def interface_limited_c_rate(radius: float, exchange_current: float, overpotential: float,
                             volumetric_capacity: float, temperature: float) -> float:
    """``C_j = (3 / R) j0 2 sinh(F eta / (2 R_gas T)) / C_p`` [1/h] (Tsai et al. 2018, eq. 6,
    A / V = 3 / R): radius [m], j0 [A/m^2], eta [V], C_p [C/m^3] (1 mAh/cm^3 = 3.6e6 C/m^3),
    T [K]."""
    current = exchange_current * 2.0 * math.sinh(FARADAY * overpotential
                                                 / (2.0 * GAS_CONSTANT * temperature))
    return 3.0 / radius * current / volumetric_capacity * 3600.0


__all__ = [
    "biot_number", "diffusion_limited_c_rate", "effective_diffusivity", "erfcx",
    "galvanostatic_concentration", "galvanostatic_eigenvalues", "galvanostatic_steady_stresses",
    "interface_limited_c_rate", "pitt_concentration", "pitt_current_series",
    "pitt_current_short_time", "pitt_eigenvalues", "pitt_mean_concentration",
    "radially_textured_sphere", "sphere_stresses",
    "stress_factor",
]
