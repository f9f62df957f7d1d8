"""Fracture of a charging particle by its diffusion-induced stress ("electrochemical shock",
Woodford, Chiang & Carter, J. Electrochem. Soc. 157, A1052, 2010, doi:10.1149/1.3464773).

A sphere of radius R is delithiated at a constant molar outflux J (galvanostatic charge of a
cathode particle, isotropic chemical strain, constant D: the Cheng & Verbrugge 2009 stresses of
:mod:`ssbx.physics.intercalation`). Its Li-poor surface contracts and carries a tensile hoop
stress; a radial surface crack of depth a sees the stress intensity

    K_I(a) = Y 2 sqrt(a / pi) int_0^1 sigma_t(R - xi a) / sqrt(1 - xi^2) d xi,   Y = 1.1215,

the weight function of a crack opened symmetrically by a stress profile, times the free-surface
factor of an edge crack (exact for a uniform stress: K = 1.1215 sigma sqrt(pi a); Tada, Paris &
Irwin, The Stress Analysis of Cracks Handbook, 3rd ed., 2000). It treats the surface as flat
(a << R); :data:`MAX_DEPTH` bounds the depths searched. It is an approximation of the magnitude
of K; the scalings below do not depend on it.

Scaling. Diffusion and elasticity are linear: sigma = sigma_ref Bi s(r/R, tau) with
sigma_ref = Omega E c_max / (9 (1 - nu)), the Biot number of the current Bi = J R / (D c_max)
and tau = D t / R^2. The charge ends when Delta x has been extracted (tau = Delta x / (3 Bi))
or when the surface is empty (x_s = 0; a cell reaches its voltage limit), whichever comes
first. So the largest K over crack depths and over the charge is

    K_max = sigma_ref sqrt(R) F(Bi)

with a universal F (:func:`shock_driving_force`). A particle cracks if K_max >= K_Ic:
F(Bi) >= sqrt(R_0 / R) with R_0 = (K_Ic / sigma_ref)^2. At a C-rate C (1C: Delta x = 1 in an
hour), Bi = C R^2 / (3 * 3600 s * D).

- Small Bi: the steady state, F = k_ss Bi (:func:`steady_driving_force`), so the critical rate
  falls as C_crit ∝ R^(-5/2).
- Large Bi: the surface empties early and the stressed layer thins; F has a largest value, and
  particles smaller than R_0 / F_max^2 do not crack at any rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.optimize

from ssbx.physics.intercalation import galvanostatic_concentration

EDGE_CRACK_FACTOR = 1.1215
"""Free-surface factor Y of an edge crack under uniform stress (K = Y sigma sqrt(pi a))."""
MAX_DEPTH = 0.5
"""The deepest crack searched, as a fraction of the radius."""
SECONDS_PER_HOUR = 3600.0


def surface_crack_sif(hoop: Callable[[np.ndarray], np.ndarray], radius: float,
                      depths: np.ndarray, nodes: int = 64) -> np.ndarray:
    """K_I [Pa m^0.5] of radial surface cracks of the given ``depths`` [m] in a sphere of
    ``radius`` [m] whose hoop stress at radius r is ``hoop(r)`` [Pa] (module docstring). The
    integral is taken with xi = sin(phi) by Gauss-Legendre in phi (smooth integrand)."""
    depths = np.atleast_1d(np.asarray(depths, dtype=float))
    t, w = np.polynomial.legendre.leggauss(nodes)
    phi = 0.25 * math.pi * (t + 1.0)  # (0, pi/2)
    weights = 0.25 * math.pi * w
    xi = np.sin(phi)
    r = radius - np.outer(depths, xi)
    integral = np.asarray(hoop(r.ravel()), dtype=float).reshape(r.shape) @ weights
    return EDGE_CRACK_FACTOR * 2.0 * np.sqrt(depths / math.pi) * integral


def galvanostatic_hoop(x: np.ndarray, tau: float, biot: float) -> np.ndarray:
    """Hoop stress / sigma_ref at x = r / R of a sphere delithiated at Biot number ``biot``
    from a uniform state, at tau = D t / R^2 (Cheng & Verbrugge series)."""
    x = np.asarray(x, dtype=float)
    c, cbar = galvanostatic_concentration(x, tau)
    _, c_mean = galvanostatic_concentration(np.array([1.0]), tau)
    # sigma_t = f (2 c_mean + cbar - 3 c) with c - c_0 = -Bi c_max c_hat (extraction)
    return -biot * (2.0 * c_mean[0] + cbar - 3.0 * c)


def steady_hoop(x: np.ndarray, biot: float) -> np.ndarray:
    """Steady hoop stress / sigma_ref under extraction: 3 Bi (2 x^2 - 1) / 5 (Cheng &
    Verbrugge 2009)."""
    x = np.asarray(x, dtype=float)
    return 0.6 * biot * (2.0 * x ** 2 - 1.0)


def depth_grid(count: int = 120) -> np.ndarray:
    """Crack depths a / R searched for the largest K: (0, :data:`MAX_DEPTH`]."""
    return np.linspace(MAX_DEPTH / count, MAX_DEPTH, count)


def largest_normalised_sif(hoop_over_ref: Callable[[np.ndarray], np.ndarray]
                           ) -> tuple[float, float]:
    """max over a of K(a) / (sigma_ref sqrt(R)) for a hoop stress given as a function of
    x = r / R (in units of sigma_ref), and the depth a / R where it is."""
    depths = depth_grid()
    k = surface_crack_sif(hoop_over_ref, 1.0, depths)
    i = int(np.argmax(k))
    return float(k[i]), float(depths[i])


def steady_driving_force() -> float:
    """k_ss = F(Bi) / Bi of the steady state (the small-Bi limit)."""
    return largest_normalised_sif(lambda x: steady_hoop(x, 1.0))[0]


def surface_depletion_time(biot: float, x_start: float = 1.0) -> float:
    """tau at which the surface lithiation falls from ``x_start`` to 0 at Biot number
    ``biot`` (the surface excursion Bi c_hat(1, tau) reaches x_start)."""
    def excess(log_tau: float) -> float:
        tau = math.exp(log_tau)
        return biot * galvanostatic_concentration(np.array([1.0]), tau)[0][0] - x_start

    lo, hi = math.log(1e-12), math.log(max(10.0 * x_start / (3.0 * biot), 10.0))
    if excess(hi) < 0.0:
        return math.inf
    return math.exp(scipy.optimize.brentq(excess, lo, hi, xtol=1e-12))


def charge_end_time(biot: float, change: float = 1.0, x_start: float = 1.0) -> float:
    """tau at the end of the charge: ``change`` extracted or the surface empty."""
    return min(change / (3.0 * biot), surface_depletion_time(biot, x_start))


def profile_grid(count: int = 2001) -> np.ndarray:
    """x = r / R where the hoop stress is sampled for K (linear interpolation between): the
    outer half, spacing 2.6e-4 (the stressed layer is 1e-2 R thick at Bi = 100)."""
    return np.linspace(1.0 - MAX_DEPTH - 0.01, 1.0, count)


def charge_times(tau_end: float, count: int = 40) -> np.ndarray:
    """Times at which the driving force is evaluated: log-spaced up to ``tau_end``."""
    return np.geomspace(tau_end * 1e-3, tau_end, count)


def shock_driving_force(biot: float, change: float = 1.0, x_start: float = 1.0
                        ) -> dict[str, float]:
    """F(Bi) (module docstring) from the series: the largest K / (sigma_ref sqrt(R)) over
    crack depths and over the charge, the depth a / R and tau where it is, and tau at the end
    of the charge."""
    tau_end = charge_end_time(biot, change, x_start)
    best = (-math.inf, 0.0, 0.0)
    x = profile_grid()
    for tau in charge_times(tau_end):
        hoop = galvanostatic_hoop(x, tau, biot)
        k, depth = largest_normalised_sif(lambda r, hoop=hoop: np.interp(r, x, hoop))
        if k > best[0]:
            best = (k, depth, tau)
    return {"F": best[0], "depth": best[1], "tau": best[2], "tau_end": tau_end}


def biot_of_c_rate(c_rate: float, radius: float, diffusivity: float) -> float:
    """Bi = C R^2 / (3 * 3600 s * D) of a C-rate (1C: Delta x = 1 in an hour)."""
    return c_rate * radius ** 2 / (3.0 * SECONDS_PER_HOUR * diffusivity)


def critical_biot(biots: np.ndarray, forces: np.ndarray, size_ratio: float) -> float:
    """The smallest Bi with F(Bi) >= sqrt(1 / size_ratio) (size_ratio = R / R_0), by
    log-log interpolation of the sampled F; NaN if no sampled Bi reaches it."""
    need = math.sqrt(1.0 / size_ratio)
    biots, forces = np.asarray(biots, dtype=float), np.asarray(forces, dtype=float)
    above = np.nonzero(forces >= need)[0]
    if above.size == 0:
        return math.nan
    i = int(above[0])
    if i == 0:
        return float(biots[0] * need / forces[0])  # F = k Bi below the first sample
    lb, lf = np.log(biots[i - 1:i + 1]), np.log(forces[i - 1:i + 1])
    return float(math.exp(lb[0] + (math.log(need) - lf[0]) * (lb[1] - lb[0]) / (lf[1] - lf[0])))


def critical_biot_upper(biots: np.ndarray, forces: np.ndarray, size_ratio: float) -> float:
    """The largest Bi with F(Bi) >= sqrt(1 / size_ratio), past the peak of F (faster charges
    end by emptying the surface before the stressed layer is deep enough), by log-log
    interpolation; NaN if no sampled Bi reaches it or the last sample still does."""
    need = math.sqrt(1.0 / size_ratio)
    biots, forces = np.asarray(biots, dtype=float), np.asarray(forces, dtype=float)
    above = np.nonzero(forces >= need)[0]
    if above.size == 0 or above[-1] == biots.size - 1:
        return math.nan
    i = int(above[-1])
    lb, lf = np.log(biots[i:i + 2]), np.log(forces[i:i + 2])
    return float(math.exp(lb[0] + (math.log(need) - lf[0]) * (lb[1] - lb[0]) / (lf[1] - lf[0])))


def rate_size_exponent(biots: np.ndarray, forces: np.ndarray) -> np.ndarray:
    """d ln C_crit / d ln R between consecutive samples: -(1/p + 4) / 2 with
    p = d ln F / d ln Bi (-5/2 where F ∝ Bi)."""
    p = np.diff(np.log(forces)) / np.diff(np.log(biots))
    return -(1.0 / p + 4.0) / 2.0


__all__ = [
    "EDGE_CRACK_FACTOR",
    "MAX_DEPTH",
    "biot_of_c_rate",
    "charge_end_time",
    "charge_times",
    "critical_biot",
    "critical_biot_upper",
    "galvanostatic_hoop",
    "largest_normalised_sif",
    "profile_grid",
    "rate_size_exponent",
    "shock_driving_force",
    "steady_driving_force",
    "steady_hoop",
    "surface_crack_sif",
    "surface_depletion_time",
]
