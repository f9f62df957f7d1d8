"""Flaw populations and weakest-link statistics (numpy only): the largest flaw on an electrode
and the current at which a population of Li-filled surface flaws fails.

Population. Flaws sit on the interface with a number density ``n`` [1/m^2]; their depths are
independent with the two-parameter Weibull exceedance (Weibull, J. Appl. Mech. 18, 293 (1951))

    S(c) = P(depth > c) = exp(-(c / c0)^m),        scale c0 [m], modulus m > 0,

``m = 1`` being the exponential tail and ``m = 2`` the Rayleigh law: the local maxima of a
narrow-band Gaussian random profile of RMS ``Rq`` exceed ``x`` above the mean with probability
``exp(-x^2 / (2 Rq^2))`` (Longuet-Higgins, J. Mar. Res. 11, 245 (1952)), i.e. ``c0 = sqrt(2) Rq``
(:func:`rayleigh_scale`).

Weakest link. On an electrode of area ``A`` the flaws form a Poisson process with mean count
``N = n A``; the number deeper than ``c`` is Poisson with mean ``N S(c)``, so the largest depth
``C`` has ``P(C <= c) = exp(-N S(c))`` (the exact law under Poisson counts; for ``N`` fixed flaws
``(1 - S)^N``, the same for ``S << 1``). Its quantile ``q`` and, for large ``N``, its mean are
(Gumbel, Statistics of Extremes, Columbia University Press (1958): the Weibull tail lies in the
Gumbel domain of attraction)

    c_q = c0 (ln(N / (-ln q)))^(1/m),
    E[C] ~ c0 [(ln N)^(1/m) + (gamma / m) (ln N)^(1/m - 1)],   gamma = 0.5772...

Failure current. A flaw of depth ``c`` at current density ``i`` extends when ``c >= c*(i)``, the
critical depth of the flaw law (e.g. the Li-filled flaw ``K_I = 1.1215 p sqrt(pi c) = K_Ic``
with the Li pressure the local plating current builds, :mod:`ssbx.physics.fracture`; current
focusing at contact spots enters through ``c*``). The electrode fails with probability

    P_fail(i) = 1 - exp(-N S(c*(i))),

and the failure current ``i_f`` is where ``P_fail = 1/2``: ``c*(i_f) = c_{1/2}``, the median
largest flaw. Because ``c*`` falls with ``i``, a larger electrode (more flaws) or a wider
population fails at a lower current; with the ``c^(-1/2)`` law a Weibull depth tail gives a
strength distribution with a Weibull-like upper tail only for power-law flaw sizes (Danzer,
J. Eur. Ceram. Soc. 10, 461 (1992); Danzer, Lube, Supancic, Damani, Adv. Eng. Mater. 10, 275
(2008)); here the depth law is used directly, no strength modulus is assumed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

EULER_GAMMA = 0.5772156649015329
"""The Euler–Mascheroni constant (the mean of the standard Gumbel distribution)."""


def _check_population(scale: float, modulus: float, count: float) -> None:
    if not (scale > 0.0 and modulus > 0.0 and count > 0.0):
        raise ValueError(f"a flaw population needs scale, modulus and count > 0 (got {scale}, "
                         f"{modulus}, {count})")


def weibull_exceedance(depth: float | np.ndarray, scale: float,
                       modulus: float) -> float | np.ndarray:
    """``S(c) = exp(-(c / c0)^m)``: the probability that one flaw is deeper than ``depth``."""
    c = np.maximum(np.asarray(depth, dtype=float), 0.0)
    out = np.exp(-(c / scale) ** modulus)
    return float(out) if out.ndim == 0 else out


def rayleigh_scale(rq: float) -> float:
    """Weibull scale [m] (modulus 2) of the maxima of a narrow-band Gaussian profile with RMS
    ``rq`` [m]: ``sqrt(2) Rq`` (Longuet-Higgins 1952)."""
    return math.sqrt(2.0) * rq


def flaw_count(density: float, area: float) -> float:
    """Mean number of flaws ``N = n A`` on an area ``area`` [m^2] at ``density`` [1/m^2]."""
    return density * area


def largest_flaw_cdf(depth: float | np.ndarray, scale: float, modulus: float,
                     count: float) -> float | np.ndarray:
    """``P(C <= c) = exp(-N S(c))``: the distribution of the largest flaw depth."""
    _check_population(scale, modulus, count)
    out = np.exp(-count * np.asarray(weibull_exceedance(depth, scale, modulus)))
    return float(out) if np.ndim(out) == 0 else out


def largest_flaw_quantile(probability: float, scale: float, modulus: float,
                          count: float) -> float:
    """Depth [m] that the largest of ``count`` flaws stays below with ``probability``:
    ``c_q = c0 (ln(N / (-ln q)))^(1/m)`` (0 when ``N`` is too small for it)."""
    _check_population(scale, modulus, count)
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must lie in (0, 1), got {probability}")
    log_term = math.log(count / -math.log(probability))
    return scale * max(log_term, 0.0) ** (1.0 / modulus)


def median_largest_flaw(scale: float, modulus: float, count: float) -> float:
    """The median largest flaw depth [m]: ``c0 (ln(N / ln 2))^(1/m)``."""
    return largest_flaw_quantile(0.5, scale, modulus, count)


def expected_largest_flaw(scale: float, modulus: float, count: float,
                          points: int = 20001) -> float:
    """``E[C] = integral_0^inf (1 - exp(-N S(c))) dc`` [m] (exact under Poisson counts;
    trapezoidal rule on a grid to well beyond the tail)."""
    _check_population(scale, modulus, count)
    top = scale * (math.log(max(count, 1.0)) + 60.0) ** (1.0 / modulus)
    c = np.linspace(0.0, top, points)
    integrand = -np.expm1(-count * np.asarray(weibull_exceedance(c, scale, modulus)))
    return float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(c)))


def gumbel_largest_flaw(scale: float, modulus: float, count: float) -> tuple[float, float]:
    """(mean, standard deviation) [m] of the largest flaw in the Gumbel limit (large ``N``):
    location ``b = c0 (ln N)^(1/m)``, scale ``a = (c0 / m) (ln N)^(1/m - 1)``; mean
    ``b + gamma a``, standard deviation ``pi a / sqrt(6)``."""
    _check_population(scale, modulus, count)
    log_n = math.log(count)
    if log_n <= 0.0:
        raise ValueError("the Gumbel limit needs N > 1")
    location = scale * log_n ** (1.0 / modulus)
    spread = scale / modulus * log_n ** (1.0 / modulus - 1.0)
    return location + EULER_GAMMA * spread, math.pi * spread / math.sqrt(6.0)


def scale_for_median_largest(depth: float, modulus: float, count: float) -> float:
    """The Weibull scale c0 [m] whose median largest flaw among ``count`` is ``depth``
    (inverse of :func:`median_largest_flaw`)."""
    _check_population(1.0, modulus, count)
    log_term = math.log(count / math.log(2.0))
    if log_term <= 0.0:
        raise ValueError("the population is too small to have a median largest flaw > 0")
    return depth / log_term ** (1.0 / modulus)


def failure_probability(current: float, critical_depth: Callable[[float], float], scale: float,
                        modulus: float, count: float) -> float:
    """``P_fail(i) = 1 - exp(-N S(c*(i)))``: the probability that at least one flaw is deeper
    than the critical depth ``critical_depth(i)`` [m] at current density ``current``."""
    _check_population(scale, modulus, count)
    exceed = float(weibull_exceedance(critical_depth(current), scale, modulus))
    return float(-np.expm1(-count * exceed))


def failure_current(critical_depth: Callable[[float], float], scale: float, modulus: float,
                    count: float, probability: float = 0.5, bracket: tuple[float, float] = (
                        1e-3, 1e5), rtol: float = 1e-10) -> float:
    """The current density at which the population fails with ``probability`` (default 1/2):
    bisection in ``ln i`` on :func:`failure_probability`, which rises with ``i`` because
    ``critical_depth`` falls. Raises if the bracket does not contain it."""
    lo, hi = bracket

    def excess(i: float) -> float:
        return failure_probability(i, critical_depth, scale, modulus, count) - probability

    if excess(lo) > 0.0 or excess(hi) < 0.0:
        raise ValueError(f"the failure current is not inside {bracket}")
    while hi / lo > 1.0 + rtol:
        mid = math.sqrt(lo * hi)
        if excess(mid) < 0.0:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def sample_largest_flaws(scale: float, modulus: float, count: int, samples: int,
                         rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo: the largest of ``count`` Weibull depths, ``samples`` times (a fixed count,
    not Poisson; for checks). Uses ``max = c0 (-ln U_max)^(1/m)`` with ``U_max``, the smallest
    of ``count`` uniforms, drawn as ``1 - V^(1/count)``, ``V`` uniform."""
    v = rng.random(samples)
    u_min = -np.expm1(np.log(v) / count)
    return scale * (-np.log(u_min)) ** (1.0 / modulus)


__all__ = ["EULER_GAMMA", "expected_largest_flaw", "failure_current", "failure_probability",
           "flaw_count", "gumbel_largest_flaw", "largest_flaw_cdf", "largest_flaw_quantile",
           "median_largest_flaw", "rayleigh_scale", "sample_largest_flaws",
           "scale_for_median_largest", "weibull_exceedance"]
