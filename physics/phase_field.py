"""Phase-field fracture (AT2) of the electrolyte with a Li-pressurised crack: UFL forms.

Damage ``d`` (0 intact, 1 broken), length scale ``l``, toughness ``G_c = K_Ic^2 / E'``. Energy
(Bourdin, Francfort & Marigo 2000), with the Li pressure ``p`` working on the volume the
broken material gains (the pressure interpolated by the crack indicator
``w(d) = 1 - (1 - d)²``, after Mikelić, Wheeler & Wick 2015)::

    Π(u, d) = ∫ [g(d) ψ⁺(ε) + ψ⁻(ε)] dx + G_c ∫ [d²/(2 l) + l/2 |∇d|²] dx - ∫ w(d) p div u dx

with ``g(d) = (1 - d)² + k`` and the volumetric–deviatoric split of Amor, Marigo & Maurini
(2009): ``ψ⁺ = K/2 <tr ε>₊² + μ dev ε : dev ε``, ``ψ⁻ = K/2 <tr ε>₋²`` (compression does not
break). The Li follows the crack: it acts wherever the material is broken. Staggered solves:
the displacement problem at fixed ``d`` (the pressure is a body force ``-p ∇w``), then the
damage problem at fixed ``u``, driven by the history ``H = max_t (ψ⁺ + <p div u>₊)`` (Miehe,
Hofacker & Welschinger 2010; the second term is the pressure work's share, opening only, so
that tangential motion ahead of the tip does not drive damage), linear in ``d``::

    ∫ [(2 H + G_c / l) d q + G_c l ∇d·∇q - 2 H q] dx = 0.

The crack length the field represents is ``Γ(d) = ∫ [d²/(2 l) + l/2 |∇d|²] dx``; on a mesh of
size ``h`` AT2 dissipates ``G_c (1 + 3 h / (8 l))`` per unit length (Bourdin et al. 2008), the
effective toughness the verification compares with.

AT1 (Pham, Amor, Marigo & Maurini 2011; Tanné, Li, Bourdin, Marigo & Maurini 2018): the
dissipation ``G_c / c_w ∫ [w(d)/l + l |∇d|²] dx`` with ``w(d) = d``, ``c_w = 8/3`` (AT2 is
``w = d²``, ``c_w = 2``). Its damage stays 0 until the driving force reaches the elastic
threshold ``H_c = G_c / (c_w l) / 2 = 3 G_c / (16 l)`` (``-g'(0) H = w'(0) G_c / (c_w l)``),
so that a stress concentration below that does not damage; the damage problem is then a
variational inequality (``d_old <= d <= 1``, solved by a bound-constrained Newton method)::

    ∫ [-2 (1 - d) H q + G_c / c_w (w'(d) q / l + 2 l ∇d·∇q)] dx = 0 on the inactive set,

which for AT2 is the linear problem above. The verification takes AT2's discrete toughness
``G_c (1 + 3 h / (8 l))`` for AT1 too (an assumption, not derived here: the Griffith check of
``tests/test_phase_field_growth.py`` lands 2-4 % below it).

Tried and rejected (``phase_field_griffith``'s PROVENANCE): the pressure work ``∫ p u·∇d``
(Bourdin, Chukwudozie & Yoshioka 2012) with the damage driven by ψ⁺ alone runs 7.5-9 % late
at every l; with its full variation in the damage equation, ``u·∇q`` ahead of the tip drives
the damage along the crack line at 0.8 p_c.
"""

from __future__ import annotations

from typing import Any

import ufl


def degradation(d: Any, residual: float = 1e-6) -> Any:
    """g(d) = (1 - d)² + k [-]."""
    return (1.0 - d) ** 2 + residual


def strain3(u: Any) -> Any:
    """Plane-strain small strain as a 3x3 tensor."""
    e = ufl.sym(ufl.grad(u))
    return ufl.as_tensor([[e[0, 0], e[0, 1], 0.0], [e[1, 0], e[1, 1], 0.0], [0.0, 0.0, 0.0]])


def _parts(eps: Any, E: Any, nu: Any) -> tuple[Any, Any, Any, Any]:
    mu = E / (2.0 * (1.0 + nu))
    bulk = E / (3.0 * (1.0 - 2.0 * nu))
    tr = ufl.tr(eps)
    dev = eps - tr / 3.0 * ufl.Identity(3)
    return mu, bulk, tr, dev


def energy_positive(eps: Any, E: Any, nu: Any) -> Any:
    """ψ⁺ = K/2 <tr ε>₊² + μ dev ε : dev ε [J/m³]."""
    mu, bulk, tr, dev = _parts(eps, E, nu)
    positive = 0.5 * (tr + abs(tr))
    return 0.5 * bulk * positive ** 2 + mu * ufl.inner(dev, dev)


def stress(eps: Any, d: Any, E: Any, nu: Any, residual: float = 1e-6) -> Any:
    """σ = g(d) ∂ψ⁺/∂ε + ∂ψ⁻/∂ε (3x3)."""
    mu, bulk, tr, dev = _parts(eps, E, nu)
    positive, negative = 0.5 * (tr + abs(tr)), 0.5 * (tr - abs(tr))
    identity = ufl.Identity(3)
    tension = bulk * positive * identity + 2.0 * mu * dev
    return degradation(d, residual) * tension + bulk * negative * identity


def crack_indicator(d: Any) -> Any:
    """w(d) = 1 - (1 - d)² [-]: 0 intact, 1 broken (where the Li pressure acts)."""
    return 1.0 - (1.0 - d) ** 2


def displacement_residual(u: Any, v: Any, d: Any, E: Any, nu: Any, pressure: Any,
                          residual: float = 1e-6) -> Any:
    """δΠ/δu [v] at fixed d: ``∫ σ(ε(u), d) : ε(v) - w(d) p div v dx`` (UFL, nonlinear in u
    only through the tension/compression split)."""
    return (ufl.inner(stress(strain3(u), d, E, nu, residual), strain3(v))
            - crack_indicator(d) * pressure * ufl.div(v)) * ufl.dx


def damage_driving(u: Any, E: Any, nu: Any, pressure: Any, *, pressure_work: bool = True) -> Any:
    """ψ⁺(ε(u)) + <p div u>₊ [J/m³]: what the history field keeps (``pressure_work=False``:
    ψ⁺ alone)."""
    if not pressure_work:
        return energy_positive(strain3(u), E, nu)
    work = pressure * ufl.div(u)
    return energy_positive(strain3(u), E, nu) + 0.5 * (work + abs(work))


def damage_forms(d: Any, q: Any, history: Any, toughness: Any, length: Any) -> tuple[Any, Any]:
    """(bilinear, linear) forms of the AT2 damage problem at fixed history H (UFL)."""
    a = ((2.0 * history + toughness / length) * d * q
         + toughness * length * ufl.dot(ufl.grad(d), ufl.grad(q))) * ufl.dx
    L = 2.0 * history * q * ufl.dx
    return a, L


def normalisation(model: str) -> float:
    """c_w of the dissipation: 8/3 for AT1 (``w = d``), 2 for AT2 (``w = d²``)."""
    if model == "AT1":
        return 8.0 / 3.0
    if model == "AT2":
        return 2.0
    raise ValueError(f"unknown phase-field model {model!r} (AT1 or AT2)")


def local_dissipation(d: Any, model: str) -> Any:
    """w(d): d (AT1) or d² (AT2)."""
    normalisation(model)
    return d if model == "AT1" else d ** 2


def crack_length(d: Any, length: Any, model: str = "AT2") -> Any:
    """Γ(d) = 1/c_w ∫ [w(d)/l + l |∇d|²] dx (UFL form); AT2: ∫ [d²/(2 l) + l/2 |∇d|²] dx."""
    c_w = normalisation(model)
    return (local_dissipation(d, model) / length
            + length * ufl.dot(ufl.grad(d), ufl.grad(d))) / c_w * ufl.dx


def damage_residual(d: Any, q: Any, history: Any, toughness: Any, length: Any,
                    model: str = "AT1") -> Any:
    """δΠ/δd [q] at fixed driving ``history`` H: ``∫ [g'(d) H q + G_c/c_w (w'(d) q/l
    + 2 l ∇d·∇q)] dx`` with ``g'(d) = -2 (1 - d)`` (UFL; zero on the inactive set of the
    bound-constrained problem ``d_old <= d <= 1``)."""
    c_w = normalisation(model)
    w_prime = 1.0 if model == "AT1" else 2.0 * d
    return (-2.0 * (1.0 - d) * history * q
            + toughness / c_w * (w_prime * q / length
                                 + 2.0 * length * ufl.dot(ufl.grad(d), ufl.grad(q)))) * ufl.dx


def elastic_threshold(toughness: float, length: float, model: str = "AT1") -> float:
    """The driving force below which the damage of an intact point stays 0 [J/m³]:
    ``G_c / (2 c_w l)`` = ``3 G_c / (16 l)`` for AT1; 0 for AT2 (no elastic phase)."""
    return toughness / (2.0 * normalisation(model) * length) if model == "AT1" else 0.0


def effective_toughness(toughness: float, mesh_size: float, length: float) -> float:
    """G_c (1 + 3 h / (8 l)): what AT2 dissipates per unit crack length on a mesh of size h
    (Bourdin et al. 2008); used for AT1 too (an assumption, module docstring)."""
    return toughness * (1.0 + 3.0 * mesh_size / (8.0 * length))


__all__ = [
    "crack_indicator",
    "crack_length",
    "damage_driving",
    "damage_forms",
    "damage_residual",
    "degradation",
    "displacement_residual",
    "effective_toughness",
    "elastic_threshold",
    "energy_positive",
    "local_dissipation",
    "normalisation",
    "strain3",
    "stress",
]
