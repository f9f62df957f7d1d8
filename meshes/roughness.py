"""A rough, rigid electrolyte surface: a random profile of given RMS roughness and correlation
length, as an initial gap of the flat-reference contact model (numpy only).

The electrolyte surface height is ``z(x) = sum_j a_j cos(m_j pi x / L)`` over the cell
``0 <= x <= L``: cosines of whole half-periods, so the profile is mirror-symmetric about both
sides of the cell (consistent with the symmetry conditions of the unit cell, and periodic with
period 2L), with random amplitudes ``a_j ~ N(0, S(k_j))`` from a Gaussian spectrum ``S(k) ~
exp(-(k lambda)^2 / 4)`` (correlation length lambda, the autocorrelation ~ exp(-(x/lambda)^2)),
drawn from a seeded generator (the same profile on every rank and every mesh) and scaled so
that the RMS of z over the cell is exactly Rq. In axisymmetry x is the radius and the modes are
concentric rings (the RMS is then the area-weighted one). The Li starts flat and touches the
highest asperity: the initial gap is ``max z - z(x)``.
"""

from __future__ import annotations

import math

import numpy as np

from ssbx.meshes.spec import CellGeometrySpec

#: Points at which the RMS of a profile is evaluated (the profile is smooth on lambda).
_RMS_SAMPLES = 20001


def _modes(geometry: CellGeometrySpec) -> tuple[np.ndarray, np.ndarray]:
    """Mode numbers m_j and raw amplitudes a_j of the profile (seeded)."""
    L, lam = geometry.width, geometry.roughness_length
    k_max = 6.0 / lam  # the spectrum is exp(-9) below its peak there
    m = np.arange(1, max(2, math.ceil(k_max * L / math.pi)) + 1)
    k = m * math.pi / L
    rng = np.random.default_rng(geometry.roughness_seed)
    amplitude = rng.standard_normal(m.size) * np.exp(-((k * lam) ** 2) / 8.0)
    return m, amplitude


def surface_height(x: np.ndarray, geometry: CellGeometrySpec) -> np.ndarray:
    """The electrolyte surface height z(x) [m] (mean 0 over the cell, RMS = Rq)."""
    x = np.asarray(x, dtype=float)
    if geometry.roughness_rq <= 0.0:
        return np.zeros_like(x)
    m, a = _modes(geometry)
    L = geometry.width

    def raw(s: np.ndarray) -> np.ndarray:
        return np.cos(np.outer(s, m) * math.pi / L) @ a

    s = np.linspace(0.0, L, _RMS_SAMPLES)
    weight = s if geometry.kind == "axisymmetric" else np.ones_like(s)
    zs = raw(s)
    mean = np.trapezoid(zs * weight, s) / np.trapezoid(weight, s)
    rms = math.sqrt(np.trapezoid((zs - mean) ** 2 * weight, s) / np.trapezoid(weight, s))
    return (raw(x) - mean) * (geometry.roughness_rq / rms)


def roughness_gap(x: np.ndarray, geometry: CellGeometrySpec) -> np.ndarray:
    """Initial gap [m] between a flat Li touching the highest asperity and the rough
    electrolyte at the interface nodes x [m]: ``max z(x) - z(x)`` (the maximum over the given
    points, so that the Li touches at least one of them)."""
    x = np.asarray(x, dtype=float)
    if geometry.roughness_rq <= 0.0 or x.size == 0:
        return np.zeros(x.shape)
    z = surface_height(x, geometry)
    return float(np.max(z)) - z


def roughness_slope_check(geometry: CellGeometrySpec, limit: float = 0.2) -> list[str]:
    """Violations of the small-slope assumption by the roughness (largest slope of z and
    largest gap against the Li thickness), one message each; empty when it holds."""
    if geometry.roughness_rq <= 0.0:
        return []
    s = np.linspace(0.0, geometry.width, _RMS_SAMPLES)
    z = surface_height(s, geometry)
    slope = float(np.max(np.abs(np.gradient(z, s))))
    depth = float(np.max(z) - np.min(z))
    out = []
    if slope > limit:
        out.append(f"roughness: largest slope {slope:.3g} > {limit:g} (Rq "
                   f"{geometry.roughness_rq * 1e6:.3g} um on a correlation length "
                   f"{geometry.roughness_length * 1e6:.3g} um): the flat-reference contact model "
                   "needs small slopes; lengthen geometry.roughness_length")
    if depth > limit * geometry.h_li:
        out.append(f"roughness: peak-to-valley {depth * 1e6:.3g} um > {limit:g} x the Li "
                   f"thickness {geometry.h_li * 1e6:.3g} um")
    return out


__all__ = ["roughness_gap", "roughness_slope_check", "surface_height"]
