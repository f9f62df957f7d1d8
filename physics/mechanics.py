"""UFL forms of quasi-static small-strain mechanics (plane strain, axisymmetric, 3-D).

Displacement u [m], Mandel strain ``eps(u)`` and stress ``sigma`` (6-vectors, see
:mod:`ssbx.physics.elasticity`), virtual displacement v, measure weight ``w`` (``2 pi r`` in
axisymmetry, 1 per unit depth in plane strain and in 3-D):

    div sigma = 0                                  in the body
    sigma n = -p n                                 on loaded boundaries (pressure p, compressive +)
    sigma n = -(p0 + k u.n) n                      on spring-loaded boundaries (Winkler springs)

    F(u; v) = ∫ sigma(u) . eps(v) w dx + ∫ p (v.n) w ds + ∫ (p0 + k u.n)(v.n) w ds = 0
    J(u; du, v) = ∫ eps(du) . C_t . eps(v) w dx + ∫ k (du.n)(v.n) w ds

``C_t`` is the consistent tangent ``d sigma / d eps`` (the elastic stiffness in elastic cells).

Strains in Mandel form (slot 2 is the out-of-plane normal strain):

- plane strain: ``[u_x,x, u_y,y, 0, sqrt2 (u_x,y + u_y,x)/2, 0, 0]``;
- axisymmetric (x = r, y = z): ``[u_r,r, u_z,z, u_r / r, sqrt2 (u_r,z + u_z,r)/2, 0, 0]``;
- 3-D: ``[e_xx, e_yy, e_zz, sqrt2 e_xy, sqrt2 e_yz, sqrt2 e_xz]``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import ufl

Kind = Literal["plane_strain", "axisymmetric", "3d"]
KINDS: tuple[str, ...] = ("plane_strain", "axisymmetric", "3d")

SQRT2 = math.sqrt(2.0)


def check_kind(kind: str, gdim: int) -> None:
    """Raise ``ValueError`` unless ``kind`` is known and fits a mesh of dimension ``gdim``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    needed = 3 if kind == "3d" else 2
    if gdim != needed:
        raise ValueError(f"kind {kind!r} needs a {needed}-D mesh, got {gdim}-D")


def measure_weight(mesh: Any, kind: str) -> Any:
    """``2 pi r`` in axisymmetry (x = r), else 1 (plane strain per unit depth, 3-D)."""
    if kind == "axisymmetric":
        return 2.0 * math.pi * ufl.SpatialCoordinate(mesh)[0]
    return 1.0


def mandel_strain(u: Any, kind: str) -> Any:
    """Small strain of the displacement ``u`` as a Mandel 6-vector (UFL)."""
    g = ufl.grad(u)
    e = ufl.sym(g)
    if kind == "plane_strain":
        return ufl.as_vector([e[0, 0], e[1, 1], 0.0, SQRT2 * e[0, 1], 0.0, 0.0])
    if kind == "axisymmetric":
        r = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))[0]
        return ufl.as_vector([e[0, 0], e[1, 1], u[0] / r, SQRT2 * e[0, 1], 0.0, 0.0])
    if kind == "3d":
        return ufl.as_vector([e[0, 0], e[1, 1], e[2, 2],
                              SQRT2 * e[0, 1], SQRT2 * e[1, 2], SQRT2 * e[0, 2]])
    raise ValueError(f"unknown kind {kind!r}")


def mandel_trace(m: Any) -> Any:
    """Trace of a Mandel 6-vector."""
    return m[0] + m[1] + m[2]


def elastic_stress(eps: Any, lmbda: Any, mu: Any) -> Any:
    """Isotropic Hooke's law in Mandel form: ``lambda tr(eps) 1 + 2 mu eps``."""
    tr = mandel_trace(eps)
    one = ufl.as_vector([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    return lmbda * tr * one + 2.0 * mu * eps


def mandel_to_tensor(m: Any) -> Any:
    """The 3x3 tensor of a Mandel 6-vector (axisymmetric: rows/columns r, z, theta)."""
    s = 1.0 / SQRT2
    return ufl.as_matrix([[m[0], s * m[3], s * m[5]],
                          [s * m[3], m[1], s * m[4]],
                          [s * m[5], s * m[4], m[2]]])


def von_mises(sigma: Any) -> Any:
    """Von Mises equivalent stress ``sqrt(3/2 s:s)`` of a Mandel stress (UFL)."""
    p = mandel_trace(sigma) / 3.0
    dev = sigma - p * ufl.as_vector([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    return ufl.sqrt(1.5 * ufl.dot(dev, dev))


def internal_work(sigma: Any, v: Any, kind: str, weight: Any, dx: ufl.Measure) -> Any:
    """``∫ sigma . eps(v) w dx``: the internal virtual work of the stress ``sigma``."""
    return ufl.dot(sigma, mandel_strain(v, kind)) * weight * dx


def tangent_work(tangent: Any, du: Any, v: Any, kind: str, weight: Any,
                 dx: ufl.Measure) -> Any:
    """``∫ eps(du) . C_t . eps(v) w dx`` with the 6x6 tangent ``C_t`` (UFL matrix)."""
    return ufl.dot(ufl.dot(tangent, mandel_strain(du, kind)), mandel_strain(v, kind)) * weight * dx


def elastic_tangent_work(lmbda: Any, mu: Any, du: Any, v: Any, kind: str, weight: Any,
                         dx: ufl.Measure) -> Any:
    """``∫ sigma_el(eps(du)) . eps(v) w dx``: the elastic Jacobian."""
    return internal_work(elastic_stress(mandel_strain(du, kind), lmbda, mu), v, kind, weight, dx)


def mean_stress_forms(u: Any, s_hat: Any, scale: float, v: Any, du: Any, eps_v: Any,
                      bulk: Any, kind: str, weight: Any,
                      dx: ufl.Measure) -> tuple[Any, tuple[Any, Any], Any]:
    """The mean-stress rows of the mixed (u, s) formulation of a creeping material.

    s = c s_hat [Pa] is the mean stress (tension +; c = ``scale``, the unknown s_hat is
    scaled so that its Jacobian blocks have the displacement's magnitude), imposed weakly as
    the elastic volumetric response of an isochorically flowing solid,
    ``s = K (tr eps(u) - eps_v)``, with test and trial functions q, ds of s_hat's space:

        F_s = c ∫ (tr eps(u) - eps_v - c s_hat / K) q w dx
        dF_s = (c ∫ tr eps(du) q w dx, -c^2 ∫ ds q / K w dx)          (by du, by ds)
        dF_u / ds = c ∫ ds tr eps(v) w dx

    (the displacement rows take the stress ``dev sigma + s 1`` from the caller). Returns
    ``(F_s, (dF_s/du, dF_s/ds), dF_u/ds)``.
    """
    space = s_hat.function_space
    q, ds_ = ufl.TestFunction(space), ufl.TrialFunction(space)
    tr_u = mandel_trace(mandel_strain(u, kind))
    residual = scale * (tr_u - eps_v - scale * s_hat / bulk) * q * weight * dx
    by_u = scale * mandel_trace(mandel_strain(du, kind)) * q * weight * dx
    by_s = -scale**2 * ds_ * q / bulk * weight * dx
    column = scale * ds_ * mandel_trace(mandel_strain(v, kind)) * weight * dx
    return residual, (by_u, by_s), column


def schur_mass_form(s_hat: Any, scale: float, shear_tangent: Any, bulk: Any, weight: Any,
                    dx: ufl.Measure) -> Any:
    """``-c^2 ∫ (1/(2 G_t) + 1/K) ds q w dx``: a matrix spectrally equivalent to the Schur
    complement ``-1/K M - B A^-1 B^T`` of the mixed (u, s) system in the scaled unknown of
    :func:`mean_stress_forms` (2 G_t the current deviatoric tangent, ``shear_tangent``, a
    function at the quadrature points)."""
    space = s_hat.function_space
    q, ds_ = ufl.TestFunction(space), ufl.TrialFunction(space)
    return -scale**2 * (1.0 / shear_tangent + 1.0 / bulk) * ds_ * q * weight * dx


def pressure_work(pressure: Any, v: Any, n: Any, weight: Any, ds: ufl.Measure) -> Any:
    """``∫ p (v . n) w ds``: minus the work of the normal traction ``-p n`` (p compressive +)."""
    return pressure * ufl.dot(v, n) * weight * ds


def spring_pressure(preload: Any, stiffness: Any, u: Any, n: Any) -> Any:
    """Winkler spring pressure ``p0 + k (u . n)`` [Pa] (compressive +, n outward)."""
    return preload + stiffness * ufl.dot(u, n)


__all__ = [
    "KINDS",
    "SQRT2",
    "Kind",
    "check_kind",
    "elastic_stress",
    "elastic_tangent_work",
    "internal_work",
    "mandel_strain",
    "mandel_to_tensor",
    "mandel_trace",
    "mean_stress_forms",
    "measure_weight",
    "pressure_work",
    "schur_mass_form",
    "spring_pressure",
    "tangent_work",
    "von_mises",
]
