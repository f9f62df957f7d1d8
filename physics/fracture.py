"""Linear-elastic fracture mechanics of Li-filled cracks: closed forms, the domain J-integral
and the interaction integral (UFL), and the critical Li pressure and overpotential.

Plane strain, ``E' = E / (1 - nu^2)``, ``G = K_I^2/E' + K_II^2/E'``. Stresses tensile positive;
a Li pressure ``p`` on a crack face is the traction ``t = -p n`` (``n`` the outward normal of
the electrolyte, pointing into the crack).

**Domain J-integral** (Shih, Moran & Nakamura, Int. J. Fract. 30, 79, 1986; Li, Shih &
Needleman, Eng. Fract. Mech. 21, 405, 1985) with a virtual crack extension ``q = q(x) e1``
(``e1`` ahead of the tip, ``q = 1`` at the tip, 0 outside the domain)::

    J w_tip = ∫_A [σ : (∇u ∇q) − W tr ∇q] w dA − ∫_faces t · (∇u q) w ds,   W = σ:ε/2

with ``w = 1`` (plane strain, per unit depth) or ``w = r`` and ``w_tip = r_tip`` in
axisymmetry (a circular crack front: the hoop term ``q_r / r`` of ``∇q`` and ``u_r / r`` of
``∇u``; Nikishkov & Atluri 1987). The face term is the work of the Li pressure on the faces
inside the domain: without it J depends on the domain.

**Interaction integral** (Yau, Wang & Corten 1980): with the Williams near-tip field of unit
``K_I`` or ``K_II`` as auxiliary state,
``I = ∫_A [σ:(∇u_a ∇q) + σ_a:(∇u ∇q) − σ:ε_a tr ∇q] dA − ∫_faces t·(∇u_a q) ds`` and
``K = E' I / 2``.

Closed forms (Tada, Paris & Irwin, *The Stress Analysis of Cracks Handbook*, 3rd ed., 2000):
Griffith crack ``K_I = p sqrt(pi a)``, opening ``(4 p / E') sqrt(a^2 - x^2)``, volume
``2 pi p a^2 / E'`` per unit depth; edge crack in a half-plane ``K_I = 1.1215 p sqrt(pi c)``;
penny crack ``K_I = 2 p sqrt(a / pi)``, volume ``16 (1 - nu^2) p a^3 / (3 E)``; a Griffith crack
inclined by ``beta`` to a remote uniaxial stress ``sigma`` normal to the x axis:
``K_I = sigma cos^2(beta) sqrt(pi a)``, ``K_II = sigma sin(beta) cos(beta) sqrt(pi a)``.

Li in a closed flaw (Porz et al., Adv. Energy Mater. 7, 1701003, 2017): plating at the
overpotential ``eta`` builds at most the pressure ``p = F |eta| / Omega_Li`` (742 MPa at
100 mV); a flaw with ``K_I = Y p sqrt(pi c)`` extends at ``p_c = K_Ic / (Y sqrt(pi c))``, i.e.
``eta_c = Omega_Li K_Ic / (Y F sqrt(pi c))`` — the ``c^(-1/2)`` law.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import ufl

from ssbx.physics.constants import FARADAY

#: Edge crack in a half-plane under uniform face pressure: K_I = EDGE_FACTOR p sqrt(pi c).
EDGE_FACTOR = 1.1215


# --------------------------------------------------------------------------- closed forms


def plane_strain_modulus(E: float, nu: float) -> float:
    """E' = E / (1 - nu^2) [Pa]."""
    return E / (1.0 - nu * nu)


def griffith_k(p: float, a: float) -> float:
    """K_I [Pa m^0.5] of a Griffith crack of half-length ``a`` [m] under face pressure ``p``."""
    return p * math.sqrt(math.pi * a)


def griffith_opening(p: float, a: float, x: np.ndarray | float, E_prime: float) -> Any:
    """Total opening (4 p / E') sqrt(a^2 - x^2) [m] of a pressurised Griffith crack."""
    x = np.asarray(x, dtype=float)
    return 4.0 * p / E_prime * np.sqrt(np.clip(a * a - x * x, 0.0, None))


def griffith_volume(p: float, a: float, E_prime: float) -> float:
    """Opening area 2 pi p a^2 / E' [m^2] (volume per unit depth) of a pressurised Griffith
    crack."""
    return 2.0 * math.pi * p * a * a / E_prime


def griffith_partial_k(p: float, a: float, b: float) -> float:
    """K_I of a Griffith crack (half-length ``a``) with the pressure ``p`` on ``|x| < b`` only
    (the weight function of the Griffith crack integrated): ``p sqrt(pi a) (2/pi) asin(b/a)``."""
    return griffith_k(p, a) * 2.0 / math.pi * math.asin(min(b / a, 1.0))


def griffith_weight_k(pressure: Callable[[np.ndarray], np.ndarray], a: float,
                      n: int = 4000) -> float:
    """K_I at the tip ``x = +a`` of a Griffith crack under the face pressure ``pressure(x)``:
    ``(1/sqrt(pi a)) ∫ p(x) sqrt((a + x)/(a - x)) dx`` (Gauss–Chebyshev in ``x = a sin t``)."""
    t = (np.arange(n) + 0.5) / n * math.pi - 0.5 * math.pi
    x = a * np.sin(t)
    # dx sqrt((a+x)/(a-x)) = a cos t sqrt((1+sin t)/(1-sin t)) dt = a (1 + sin t) dt
    integrand = pressure(x) * a * (1.0 + np.sin(t))
    return float(np.sum(integrand) * math.pi / n / math.sqrt(math.pi * a))


def edge_k(p: float, c: float) -> float:
    """K_I of an edge crack of depth ``c`` in a half-plane under face pressure ``p``."""
    return EDGE_FACTOR * p * math.sqrt(math.pi * c)


def penny_k(p: float, a: float) -> float:
    """K_I of a penny crack of radius ``a`` under face pressure ``p``: 2 p sqrt(a / pi)."""
    return 2.0 * p * math.sqrt(a / math.pi)


def penny_volume(p: float, a: float, E: float, nu: float) -> float:
    """Opening volume 16 (1 - nu^2) p a^3 / (3 E) [m^3] of a pressurised penny crack."""
    return 16.0 * (1.0 - nu * nu) * p * a ** 3 / (3.0 * E)


def inclined_griffith_k(sigma: float, a: float, beta: float) -> tuple[float, float]:
    """(K_I, K_II) of a Griffith crack at angle ``beta`` [rad] to the x axis under a remote
    uniaxial stress ``sigma`` along y (normal traction sigma cos^2 beta, shear sigma sin beta
    cos beta on the crack plane)."""
    root = math.sqrt(math.pi * a)
    return (sigma * math.cos(beta) ** 2 * root,
            sigma * math.sin(beta) * math.cos(beta) * root)


def energy_release_rate(k_i: float, k_ii: float, E_prime: float) -> float:
    """G = (K_I^2 + K_II^2) / E' [J/m^2]."""
    return (k_i * k_i + k_ii * k_ii) / E_prime


def kink_angle(k_i: float, k_ii: float) -> float:
    """Kink angle [rad] of a mixed-mode crack by the maximum tangential stress criterion
    (Erdogan & Sih 1963): ``2 atan[(K_I - sqrt(K_I^2 + 8 K_II^2)) / (4 K_II)]``, measured from
    the crack direction towards the tip normal (``ahead`` turned by +90 degrees); 0 in mode
    I. It has the opposite sign of K_II."""
    if k_ii == 0.0:
        return 0.0
    return 2.0 * math.atan((k_i - math.sqrt(k_i * k_i + 8.0 * k_ii * k_ii)) / (4.0 * k_ii))


def max_li_pressure(eta: float, molar_volume: float) -> float:
    """The largest pressure plating at overpotential ``eta`` [V] can build in a closed flaw:
    F |eta| / Omega [Pa]."""
    return FARADAY * abs(eta) / molar_volume


def critical_pressure(toughness: float, length: float, geometry_factor: float) -> float:
    """The Li pressure at which a flaw with ``K_I = Y p sqrt(pi c)`` extends: K_Ic / (Y sqrt(pi
    c)) [Pa]."""
    return toughness / (geometry_factor * math.sqrt(math.pi * length))


def critical_overpotential(toughness: float, length: float, geometry_factor: float,
                           molar_volume: float) -> float:
    """eta_c = Omega p_c / F [V]: the plating overpotential that extends a Li-filled flaw."""
    return molar_volume * critical_pressure(toughness, length, geometry_factor) / FARADAY


# --------------------------------------------------------------------------- UFL: fields


def gradient3(u: Any, axisymmetric: bool) -> Any:
    """∇u as a 3x3 tensor (plane strain: zero out-of-plane row; axisymmetric x = r, y = z:
    the hoop entry u_r / r)."""
    g = ufl.grad(u)
    hoop = 0.0
    if axisymmetric:
        hoop = u[0] / ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))[0]
    return ufl.as_tensor([[g[0, 0], g[0, 1], 0.0], [g[1, 0], g[1, 1], 0.0], [0.0, 0.0, hoop]])


def lame(E: float, nu: float) -> tuple[float, float]:
    """Lamé constants (lambda, mu) [Pa]."""
    return E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)), E / (2.0 * (1.0 + nu))


def stress3(grad_u: Any, E: float, nu: float) -> Any:
    """Isotropic elastic stress (3x3) of the displacement gradient ``grad_u`` (3x3)."""
    lmbda, mu = lame(E, nu)
    eps = ufl.sym(grad_u)
    return lmbda * ufl.tr(eps) * ufl.Identity(3) + 2.0 * mu * eps


def _vec(v: Any) -> Any:
    """A UFL 2-vector from a tuple or a UFL vector (e.g. a Constant)."""
    return ufl.as_vector(tuple(v)) if isinstance(v, tuple | list) else v


def williams_displacement(x: Any, tip: Any, ahead: Any, mode: int, E: Any, nu: Any) -> Any:
    """The plane-strain near-tip displacement of unit K_I (``mode = 1``) or K_II (``mode = 2``)
    in global components (UFL, of the spatial coordinate ``x``). Polar angle measured from
    ``ahead``; the branch cut lies along the crack faces behind the tip."""
    e1 = _vec(ahead)
    e2 = ufl.as_vector((-e1[1], e1[0]))
    d = x - _vec(tip)
    x1, x2 = ufl.dot(d, e1), ufl.dot(d, e2)
    r = ufl.sqrt(x1 * x1 + x2 * x2)
    theta = ufl.atan2(x2, x1)
    _, mu = lame(E, nu)
    kappa = 3.0 - 4.0 * nu
    c = ufl.sqrt(r / (2.0 * math.pi)) / (2.0 * mu)
    ch, sh = ufl.cos(theta / 2.0), ufl.sin(theta / 2.0)
    if mode == 1:
        u1 = c * ch * (kappa - 1.0 + 2.0 * sh * sh)
        u2 = c * sh * (kappa + 1.0 - 2.0 * ch * ch)
    elif mode == 2:
        u1 = c * sh * (kappa + 1.0 + 2.0 * ch * ch)
        u2 = -c * ch * (kappa - 1.0 - 2.0 * sh * sh)
    else:
        raise ValueError(f"mode must be 1 or 2, got {mode!r}")
    return u1 * e1 + u2 * e2


def williams_face_derivative(x: Any, n: Any, tip: Any, ahead: Any, mode: int, E: Any,
                             nu: Any) -> Any:
    """d u_aux / d x1 (global components) on the crack faces behind the tip, where the polar
    angle is +pi on the face above the crack (outward normal ``n`` with ``n . e2 < 0``) and
    -pi below: u_aux = sqrt(r) g(theta) gives ``-g(±pi) / (2 sqrt(r))`` (the branch cut of
    :func:`williams_displacement` lies exactly there, so it is not evaluated on the faces)."""
    e1 = _vec(ahead)
    e2 = ufl.as_vector((-e1[1], e1[0]))
    d = x - _vec(tip)
    r = ufl.sqrt(ufl.dot(d, d))
    side = -ufl.sign(ufl.dot(n, e2))  # +1 above the crack (theta = +pi), -1 below
    _, mu = lame(E, nu)
    kappa = 3.0 - 4.0 * nu
    g = (kappa + 1.0) / (2.0 * mu * math.sqrt(2.0 * math.pi)) * side
    local = g * e2 if mode == 1 else g * e1
    return -local / (2.0 * ufl.sqrt(r))


def plateau_weight(x: Any, tip: Any, inner: Any, outer: Any) -> Any:
    """The virtual-extension magnitude q: 1 within ``inner`` of the tip, 0 beyond ``outer``,
    linear in the distance between (UFL; interpolate it into a P1 space)."""
    d = x - _vec(tip)
    r = ufl.sqrt(ufl.dot(d, d))
    return ufl.max_value(0.0, ufl.min_value(1.0, (outer - r) / (outer - inner)))


# --------------------------------------------------------------------------- UFL: integrals


def _extension(q: Any, ahead: Any, axisymmetric: bool) -> tuple[Any, Any]:
    """The virtual extension vector q e1 (3-vector) and its gradient (3x3)."""
    ahead = _vec(ahead)
    e1 = ufl.as_vector((ahead[0], ahead[1], 0.0))
    gq = ufl.grad(q)
    grad_q = ufl.outer(e1, ufl.as_vector((gq[0], gq[1], 0.0)))
    if axisymmetric:
        r = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(q))[0]
        grad_q = grad_q + ufl.as_tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                                         [0.0, 0.0, q * ahead[0] / r]])
    return q * e1, grad_q


def j_integral_integrands(u: Any, q: Any, ahead: Any, E: Any, nu: Any,
                          face_traction: Any, *, axisymmetric: bool = False) -> tuple[Any, Any]:
    """(domain integrand, face integrand) of ``J w_tip`` (see the module docstring): integrate
    the first over the cells (``dx``) and the second over the crack faces (``ds``) and add.
    ``face_traction``: the applied traction on the faces (2-vector; zero where dry)."""
    grad_u = gradient3(u, axisymmetric)
    sigma = stress3(grad_u, E, nu)
    energy = 0.5 * ufl.inner(sigma, ufl.sym(grad_u))
    q_vec, grad_q = _extension(q, ahead, axisymmetric)
    w = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))[0] if axisymmetric else 1.0
    domain = (ufl.inner(sigma, grad_u * grad_q) - energy * ufl.tr(grad_q)) * w
    t3 = ufl.as_vector((face_traction[0], face_traction[1], 0.0))
    face = -ufl.dot(t3, grad_u * q_vec) * w
    return domain, face


def interaction_integrands(u: Any, q: Any, tip: Any, ahead: Any, modes: Any, E: Any, nu: Any,
                           face_traction: Any, n: Any) -> tuple[Any, Any]:
    """(domain integrand, face integrand) of the interaction integral ``I`` of the plane-strain
    field ``u`` with the Williams field ``modes[0]`` (unit K_I) + ``modes[1]`` (unit K_II):
    with ``modes = (1, 0)``, ``K_I = E' I / 2``; with ``(0, 1)``, ``K_II = E' I / 2`` (a
    Constant lets one compiled form give both). ``n``: the facet normal (the side of each
    crack face)."""
    x = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))
    grad_u = gradient3(u, False)
    sigma = stress3(grad_u, E, nu)
    u_aux, du_aux = _auxiliary_field(x, n, tip, ahead, modes, E, nu)
    grad_aux = _plane_gradient3(u_aux)
    sigma_aux = stress3(grad_aux, E, nu)
    _, grad_q = _extension(q, ahead, False)
    domain = (ufl.inner(sigma, grad_aux * grad_q) + ufl.inner(sigma_aux, grad_u * grad_q)
              - ufl.inner(sigma, ufl.sym(grad_aux)) * ufl.tr(grad_q))
    face = -ufl.dot(face_traction, du_aux) * q
    return domain, face


def _auxiliary_field(x: Any, n: Any, tip: Any, ahead: Any, modes: Any, E: Any,
                     nu: Any) -> tuple[Any, Any]:
    """The Williams displacement ``modes[0]`` (unit K_I) + ``modes[1]`` (unit K_II) and its
    derivative along the crack faces (UFL)."""
    modes = _vec(modes)
    u_aux = (modes[0] * williams_displacement(x, tip, ahead, 1, E, nu)
             + modes[1] * williams_displacement(x, tip, ahead, 2, E, nu))
    du_aux = (modes[0] * williams_face_derivative(x, n, tip, ahead, 1, E, nu)
              + modes[1] * williams_face_derivative(x, n, tip, ahead, 2, E, nu))
    return u_aux, du_aux


def _plane_gradient3(v: Any) -> Any:
    """The in-plane gradient of the 2-vector ``v`` as a 3x3 tensor (no out-of-plane part)."""
    g = ufl.grad(v)
    return ufl.as_tensor([[g[0, 0], g[0, 1], 0.0], [g[1, 0], g[1, 1], 0.0], [0.0, 0.0, 0.0]])


def axisymmetric_interaction_integrands(u: Any, q: Any, tip: Any, ahead: Any, modes: Any,
                                        E: Any, nu: Any, face_traction: Any,
                                        n: Any) -> tuple[Any, Any]:
    """(domain integrand, face integrand) of ``I r_tip`` for an axisymmetric field ``u``
    (x = r, y = z) with the plane-strain Williams field of ``modes`` as auxiliary state
    (see :func:`interaction_integrands`, whose terms it extends; the
    weight ``r`` is included). Auxiliary state: displacement ``u_a`` (its 3-D gradient has the
    hoop entry ``u_a,r / r``), strain the plane-strain one (no hoop strain), stress from it.
    The 3-D identity behind the domain integral then keeps two terms that vanish in plane
    strain: ``sigma_thth d(u_a,r / r)/dx . q`` (the auxiliary strain's incompatibility) and
    ``div(sigma_a) . (grad u q)`` with ``div sigma_a = ((s_rr - s_thth)/r, s_rz/r)`` (its
    hoop non-equilibrium; the in-plane part of the Williams stress is in equilibrium). With
    unit ``K_I`` (``modes = (1, 0)``), ``K_I = E' I / 2``; likewise ``K_II``."""
    x = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))
    r = x[0]
    grad_u = gradient3(u, True)
    sigma = stress3(grad_u, E, nu)
    u_aux, du_aux = _auxiliary_field(x, n, tip, ahead, modes, E, nu)
    plane = _plane_gradient3(u_aux)
    hoop = u_aux[0] / r
    grad_aux = plane + ufl.as_tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, hoop]])
    sigma_aux = stress3(plane, E, nu)
    q_vec, grad_q = _extension(q, ahead, True)
    div_aux = ufl.as_vector(((sigma_aux[0, 0] - sigma_aux[2, 2]) / r, sigma_aux[0, 1] / r, 0.0))
    extra = (ufl.dot(div_aux, grad_u * q_vec)
             + sigma[2, 2] * ufl.dot(ufl.grad(hoop), ufl.as_vector((q_vec[0], q_vec[1]))))
    domain = (ufl.inner(sigma, grad_aux * grad_q) + ufl.inner(sigma_aux, grad_u * grad_q)
              - ufl.inner(sigma, ufl.sym(plane)) * ufl.tr(grad_q) + extra) * r
    face = -ufl.dot(face_traction, du_aux) * q * r
    return domain, face


__all__ = [
    "EDGE_FACTOR",
    "axisymmetric_interaction_integrands",
    "critical_overpotential",
    "critical_pressure",
    "edge_k",
    "energy_release_rate",
    "gradient3",
    "griffith_k",
    "griffith_opening",
    "griffith_partial_k",
    "griffith_volume",
    "griffith_weight_k",
    "inclined_griffith_k",
    "interaction_integrands",
    "j_integral_integrands",
    "kink_angle",
    "lame",
    "max_li_pressure",
    "penny_k",
    "penny_volume",
    "plane_strain_modulus",
    "plateau_weight",
    "stress3",
    "williams_displacement",
    "williams_face_derivative",
]
