"""A cathode particle in a solid-electrolyte matrix: its chemical volume change against the
matrix, and frictionless unilateral contact across their interface (the particle may pull away
from the electrolyte when it shrinks on charge and lose ionic contact).

Equations (small strain, isotropic elasticity, the particle's chemical strain ``eps* 1`` with
``eps* = (1 + dV/V)^(1/3) - 1`` for a volume change dV/V, uniform in the particle):

    particle:  sigma_p = C_p : (eps(u_p) - eps* 1)        matrix: sigma_m = C_m : eps(u_m)
    interface: gap g = (u_m - u_p) . n  (n the particle's outward normal),
               contact pressure p_c = kappa <-g>_+ >= 0 (penalty), traction -p_c n on the
               particle and +p_c n on the matrix; no adhesion and no friction

``kappa`` is a penalty stiffness [Pa/m] (the interpenetration is p_c / kappa). A ``bonded``
interface ties the two fields with the same stiffness in every direction.

Closed forms (concentric spheres; derived here, standard Lamé solutions): a particle of radius a
with moduli K_p, mu_p in a matrix shell a < rho < b (K_m, mu_m) under an external pressure p:
:func:`concentric_sphere`. In the dilute limit (b -> infinity) the interface stays closed while

    p >= p_c = 12 K_m mu_m |eps*| / (3 K_m + 4 mu_m)        (eps* < 0, shrinking)

independently of the particle's moduli and size: :func:`contact_loss_volume_strain` inverts it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import ufl

from ssbx.physics.elastic_material import ElasticMaterial


def linear_strain(volume_change: float) -> float:
    """The isotropic linear chemical strain ``(1 + dV/V)^(1/3) - 1`` of a relative volume
    change dV/V (> -1)."""
    if not volume_change > -1.0:
        raise ValueError(f"volume change must be > -1, got {volume_change!r}")
    return (1.0 + volume_change) ** (1.0 / 3.0) - 1.0


def linear_strain_of(volume_change: Any) -> Any:
    """:func:`linear_strain` of a UFL (or numpy) volume change, unchecked."""
    return (1.0 + volume_change) ** (1.0 / 3.0) - 1.0


def window_volume_change(theta: Any, volume_change: float) -> Any:
    """The free relative volume change of a host whose Li content has left a fraction
    ``1 - theta`` of its cycling window (theta = 1 at the start of charge, 0 at its end), linear
    in the Li content: ``dV/V = volume_change (1 - theta)`` (``volume_change``: the whole
    window's, < 0 for a layered oxide on charge). UFL or numbers."""
    return volume_change * (1.0 - theta)


class VolumeChangeCurve:
    """A host's free relative volume change against the share of its window charged
    s = 1 - theta: piecewise linear through (s_k, v_k) (s strictly increasing within [0, 1],
    held beyond the ends), counted from the start of charge: ``(1 + v(s)) / (1 + v(0)) - 1``
    (so that v may be given against any reference lattice)."""

    def __init__(self, charged: Sequence[float], values: Sequence[float]) -> None:
        xs, vs = [float(x) for x in charged], [float(v) for v in values]
        if len(xs) < 2 or len(xs) != len(vs):
            raise ValueError(f"need at least two (charged, dV/V) points of equal count, got "
                             f"{len(xs)} and {len(vs)}")
        if xs[0] < 0.0 or xs[-1] > 1.0 or any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError(f"the shares charged must increase strictly within [0, 1], got "
                             f"{xs}")
        if not all(v > -1.0 for v in vs):
            raise ValueError(f"volume changes must be > -1, got {vs}")
        self.charged, self.values = tuple(xs), tuple(vs)

    @classmethod
    def linear(cls, volume_change: float) -> VolumeChangeCurve:
        """``volume_change`` over the whole window, linear in the Li content."""
        return cls((0.0, 1.0), (0.0, volume_change))

    def _table(self, s: Any, pick: Any) -> Any:
        xs, vs = self.charged, self.values
        slopes = [(v1 - v0) / (x1 - x0) for (x0, x1), (v0, v1)
                  in zip(itertools.pairwise(xs), itertools.pairwise(vs), strict=True)]
        expr = vs[0] + slopes[0] * (s - xs[0])
        for k in range(1, len(slopes)):
            expr = pick(s > xs[k] if not isinstance(s, ufl.core.expr.Expr) else
                        ufl.gt(s, xs[k]), vs[k] + slopes[k] * (s - xs[k]), expr)
        return expr

    def __call__(self, theta: Any) -> Any:
        """dV/V since the start at the Li content theta (UFL)."""
        s = ufl.min_value(ufl.max_value(1.0 - theta, self.charged[0]), self.charged[-1])
        return (1.0 + self._table(s, ufl.conditional)) / (1.0 + self.value_at(0.0)) - 1.0

    def value_at(self, charged: float) -> float:
        """The table's v at the share charged ``charged`` (held beyond the ends)."""
        s = min(max(float(charged), self.charged[0]), self.charged[-1])
        return float(self._table(s, lambda c, a, b: a if c else b))

    def volume_change(self, charged: float) -> float:
        """dV/V since the start of charge at the share charged ``charged``."""
        return (1.0 + self.value_at(charged)) / (1.0 + self.value_at(0.0)) - 1.0


def window_outflux(c_rate: float, volume_per_area: float) -> float:
    """The Li flux out of a host, uniform over its surface, that empties its cycling window in
    1/``c_rate`` hours, in window units [m/s]: ``dtheta_mean/dt = -C/3600`` and
    ``q = C (V/A) / 3600 s`` (V/A = R/3 for a sphere of radius R)."""
    if not (c_rate > 0.0 and volume_per_area > 0.0):
        raise ValueError(f"need c_rate > 0 and volume_per_area > 0, got {c_rate!r}, "
                         f"{volume_per_area!r}")
    return c_rate * volume_per_area / 3600.0


def contact_loss_pressure(eigenstrain: float, matrix: ElasticMaterial) -> float:
    """The external pressure p_c [Pa] that keeps a dilute spherical particle of linear chemical
    strain ``eigenstrain`` (< 0: shrinking) in contact with an elastic matrix:
    ``12 K_m mu_m |eps*| / (3 K_m + 4 mu_m)`` (0 for a swelling particle)."""
    k, mu = matrix.bulk_modulus, matrix.shear_modulus
    return 12.0 * k * mu * max(-eigenstrain, 0.0) / (3.0 * k + 4.0 * mu)


def contact_loss_volume_strain(pressure: float, matrix: ElasticMaterial) -> float:
    """The relative volume shrinkage |dV/V| of a dilute spherical particle at which it loses
    contact with an elastic matrix under the external pressure ``pressure`` [Pa]: the inverse of
    :func:`contact_loss_pressure`."""
    k, mu = matrix.bulk_modulus, matrix.shear_modulus
    eps = pressure * (3.0 * k + 4.0 * mu) / (12.0 * k * mu)
    return 1.0 - (1.0 - eps) ** 3


@dataclass(frozen=True)
class ConcentricSphere:
    """The closed-form state of :func:`concentric_sphere`: the radial stress at the interface
    [Pa] (tension +; 0 when open), the gap [m] (0 when closed), the particle's radial strain
    u_p/a, the matrix's displacement at the interface [m] and at the outer radius [m], whether
    the interface is closed, and the pressure that just closes it [Pa]."""

    interface_stress: float
    gap: float
    particle_strain: float
    matrix_displacement: float
    outer_displacement: float
    in_contact: bool
    closing_pressure: float


def concentric_sphere(radius: float, outer_radius: float, particle: ElasticMaterial,
                      matrix: ElasticMaterial, eigenstrain: float, pressure: float,
                      *, bonded: bool = False) -> ConcentricSphere:
    """Lamé solution of a particle (radius a, linear chemical strain ``eigenstrain``) in a
    matrix shell up to ``outer_radius`` b under the external pressure ``pressure`` [Pa]
    (compressive +), with a bonded or a frictionless unilateral interface.

    Matrix ``u = A rho + B / rho^2`` (sigma_rr = 3 K_m A - 4 mu_m B / rho^3), particle
    ``u = C rho`` (sigma_rr = 3 K_p (C - eps*)). Closed: u continuous and sigma_rr continuous
    at a, sigma_rr(b) = -p; valid while sigma_rr(a) <= 0 (or always if bonded). Open: the
    particle is free (C = eps*) and sigma_rr(a) = 0."""
    a, b = radius, outer_radius
    kp, km, mum = particle.bulk_modulus, matrix.bulk_modulus, matrix.shear_modulus
    system = np.array([[a, 1.0 / a**2, -a],
                       [3.0 * km, -4.0 * mum / a**3, -3.0 * kp],
                       [3.0 * km, -4.0 * mum / b**3, 0.0]])
    big_a, big_b, c = (float(v) for v in np.linalg.solve(
        system, np.array([0.0, -3.0 * kp * eigenstrain, -pressure])))
    stress = 3.0 * kp * (c - eigenstrain)
    # sigma_rr(a) is affine in p: the closing pressure is where it vanishes
    per_pressure = 3.0 * kp * float(np.linalg.solve(system, np.array([0.0, 0.0, -1.0]))[2])
    closing = (stress - per_pressure * pressure) / -per_pressure
    if bonded or stress <= 0.0:
        return ConcentricSphere(stress, 0.0, c, c * a, big_a * b + big_b / b**2, True,
                                max(closing, 0.0))
    open_ = np.linalg.solve(np.array([[3.0 * km, -4.0 * mum / a**3],
                                      [3.0 * km, -4.0 * mum / b**3]]),
                            np.array([0.0, -pressure]))
    big_a, big_b = (float(v) for v in open_)
    u_m = big_a * a + big_b / a**2
    return ConcentricSphere(0.0, u_m - eigenstrain * a, eigenstrain, u_m,
                            big_a * b + big_b / b**2, False, max(closing, 0.0))


def spherical_normal(x: Any) -> Any:
    """The outward normal ``x / |x|`` of a sphere centred at the origin (UFL), exact on the
    curved interface whatever the facets' geometry."""
    return x / ufl.sqrt(ufl.dot(x, x))


def normal_gap(u_matrix: Any, u_particle: Any, n: Any) -> Any:
    """``g = (u_m - u_p) . n`` [m]: > 0 where the matrix has moved away from the particle."""
    return ufl.dot(u_matrix - u_particle, n)


def contact_pressure(gap: Any, penalty: Any) -> Any:
    """Penalty contact pressure ``kappa <-g>_+`` [Pa] (compressive +)."""
    return penalty * ufl.max_value(-gap, 0.0)


def isotropic_eigenstrain(eigenstrain: Any) -> Any:
    """The Mandel vector of ``eps* 1``."""
    return ufl.as_vector([eigenstrain, eigenstrain, eigenstrain, 0.0, 0.0, 0.0])


def penalty_stiffness(modulus: float, size: float, factor: float) -> float:
    """``factor E / h`` [Pa/m]: a penalty ``factor`` times stiffer than an element of size h
    [m] of Young's modulus E [Pa]."""
    if not (modulus > 0.0 and size > 0.0 and factor > 0.0 and math.isfinite(factor)):
        raise ValueError(f"need a modulus and size > 0 and a finite factor > 0, got "
                         f"{modulus!r}, {size!r}, {factor!r}")
    return factor * modulus / size


__all__ = ["ConcentricSphere", "VolumeChangeCurve", "concentric_sphere", "contact_loss_pressure",
           "contact_loss_volume_strain", "contact_pressure", "isotropic_eigenstrain",
           "linear_strain", "linear_strain_of", "normal_gap", "penalty_stiffness",
           "spherical_normal", "window_outflux", "window_volume_change"]
