"""Intercalation particles: material data, surface kinetics and the UFL forms of stress-coupled
Li diffusion with chemical strain.

Fields: Li concentration c [mol/m^3], displacement u [m], hydrostatic stress sigma_h [Pa]
(tension positive). Equations (Cheng & Verbrugge, J. Power Sources 190 (2009) 453; Zhang, Shyy
& Sastry, J. Electrochem. Soc. 154 (2007) A910):

    dc/dt + div J = 0,        J = -D (grad c - (Omega c / (R_gas T)) grad sigma_h)
    div sigma = 0,            sigma = C : (eps(u) - (Omega / 3)(c - c_ref) 1)
    sigma_h = tr(sigma) / 3

with the partial molar volume Omega [m^3/mol] (an isotropic chemical strain; anisotropic
lattice strain is a later part) and the stress-free concentration c_ref. The stress coupling
(the ``grad sigma_h`` term: Li drifts towards tension) can be switched off; the mechanics is
then driven by c one way.

Surface: the molar influx N = -J.n [mol/(m^2 s)] is the Butler–Volmer current of Li insertion
divided by F (Tsai et al., Energy Environ. Sci. 11 (2018) 860, eq. 1):

    i = j0 [exp(-alpha f eta) - exp((1 - alpha) f eta)],  eta = V - U(c),  f = F / (R_gas T)

(V the particle's potential against Li, U the open-circuit potential; i > 0 inserts Li, i.e.
discharges a cathode), or its linearisation ``i = -j0 f eta`` (the PITT analysis of Li et al.
2012). The weak form, with a measure weight w (2 pi r in axisymmetry, 1 in 3-D):

    int (dc/dt) v w dx - int J . grad v w dx - int N v w ds = 0
    int sigma . eps(v_u) w dx = 0,    int (sigma_h - tr(sigma) / 3) q w dx = 0
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ufl

from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.physics.intercalation_materials import (
    LIMN2O4,
    PARTICLE_MATERIALS,
    IntercalationMaterial,
)
from ssbx.physics.mechanics import SQRT2, elastic_stress, mandel_strain, mandel_trace

UFLFunction = Callable[[Any], Any]
"""A function of the concentration [mol/m^3] that UFL can differentiate (``ufl.exp`` etc.)."""


@dataclass(frozen=True)
class SurfaceKinetics:
    """Butler–Volmer insertion kinetics at the particle surface (module docstring).

    exchange_current: j0 [A/m^2], a number or a UFL function of the surface concentration;
    ocv: U(c) [V], a UFL function of the concentration; alpha: cathodic transfer coefficient;
    linearised: ``i = -j0 f eta`` (small steps, the PITT analysis)."""

    exchange_current: float | UFLFunction
    ocv: UFLFunction
    alpha: float = 0.5
    linearised: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha!r}")
        if not callable(self.exchange_current) and not self.exchange_current > 0.0:
            raise ValueError(f"exchange_current must be > 0, got {self.exchange_current!r}")

    @property
    def linear_in_concentration(self) -> bool:
        """Whether the insertion current is linear in c at a held potential (linearised
        kinetics, constant j0, a straight OCV): then its Jacobian does not depend on the
        state."""
        return (self.linearised and not callable(self.exchange_current)
                and bool(getattr(self.ocv, "linear", False)))

    def j0(self, c: Any) -> Any:
        """Exchange current density [A/m^2] at the surface concentration c."""
        return self.exchange_current(c) if callable(self.exchange_current) \
            else self.exchange_current

    def insertion_current(self, c: Any, potential: Any, temperature: float) -> Any:
        """Current density of Li insertion i [A/m^2] at the particle potential V [V]."""
        f = FARADAY / (GAS_CONSTANT * temperature)
        eta = potential - self.ocv(c)
        if self.linearised:
            return -self.j0(c) * f * eta
        return self.j0(c) * (ufl.exp(-self.alpha * f * eta)
                             - ufl.exp((1.0 - self.alpha) * f * eta))

    def overpotential(self, current: float, j0: float, temperature: float) -> float:
        """The eta [V] at which the insertion current is ``current`` [A/m^2] for the exchange
        current j0 [A/m^2] (scalar Newton on the Butler–Volmer relation)."""
        f = FARADAY / (GAS_CONSTANT * temperature)
        if self.linearised:
            return -current / (j0 * f)
        eta = -current / (j0 * f)
        for _ in range(100):
            g = j0 * (math.exp(-self.alpha * f * eta) - math.exp((1.0 - self.alpha) * f * eta))
            dg = -j0 * f * (self.alpha * math.exp(-self.alpha * f * eta)
                            + (1.0 - self.alpha) * math.exp((1.0 - self.alpha) * f * eta))
            step = (g - current) / dg
            eta -= step
            if abs(step) < 1e-15:
                break
        return eta


@dataclass(frozen=True)
class LinearOCV:
    """``U(c) = u0 + slope (c - c0)`` [V]: slope dU/dc [V m^3/mol] (< 0 for a cathode)."""

    u0: float
    c0: float
    slope: float
    linear: bool = field(default=True, init=False)

    def __call__(self, c: Any) -> Any:
        return self.u0 + self.slope * (c - self.c0)


def linear_ocv(u0: float, c0: float, slope: float) -> LinearOCV:
    """``U(c) = u0 + slope (c - c0)`` [V]: slope dU/dc [V m^3/mol] (< 0 for a cathode)."""
    return LinearOCV(u0, c0, slope)


class PiecewiseLinear:
    """A piecewise-linear function of the lithiation x = c / c_max through the points
    (x_k, y_k) (x strictly increasing, at least two points). Beyond the ends it is extended
    linearly (``extrapolate``, an OCV) or held at the end values (a positive property such
    as a diffusivity factor). Call it with a UFL concentration [mol/m^3] in forms;
    :meth:`value` evaluates it for a number."""

    def __init__(self, lithiation: Sequence[float], values: Sequence[float],
                 max_concentration: float, *, extrapolate: bool = True) -> None:
        xs, ys = [float(x) for x in lithiation], [float(y) for y in values]
        if len(xs) < 2 or len(xs) != len(ys):
            raise ValueError(f"need at least two (lithiation, value) points of equal count, "
                             f"got {len(xs)} and {len(ys)}")
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError(f"the lithiations must increase strictly, got {xs}")
        self.lithiation, self.values = tuple(xs), tuple(ys)
        self.max_concentration = float(max_concentration)
        self.extrapolate = extrapolate
        self.slopes = tuple((y1 - y0) / (x1 - x0) for x0, x1, y0, y1
                            in zip(xs, xs[1:], ys, ys[1:], strict=False))

    def __call__(self, c: Any) -> Any:
        x = c / self.max_concentration
        xs, ys, ks = self.lithiation, self.values, self.slopes
        if not self.extrapolate:
            x = ufl.min_value(ufl.max_value(x, xs[0]), xs[-1])
        expr = ys[0] + ks[0] * (x - xs[0])
        for k in range(1, len(ks)):
            expr = ufl.conditional(ufl.gt(x, xs[k]), ys[k] + ks[k] * (x - xs[k]), expr)
        return expr

    def _segment(self, c: float) -> tuple[int, float]:
        x = c / self.max_concentration
        if not self.extrapolate:
            x = min(max(x, self.lithiation[0]), self.lithiation[-1])
        k = 0
        while k + 1 < len(self.slopes) and x > self.lithiation[k + 1]:
            k += 1
        return k, x

    def value(self, c: float) -> float:
        """The function at the concentration c [mol/m^3]."""
        k, x = self._segment(c)
        return self.values[k] + self.slopes[k] * (x - self.lithiation[k])

    def slope(self, c: float) -> float:
        """Its derivative by c [per mol/m^3] at the concentration c (the segment's slope;
        0 beyond the ends when held)."""
        x = c / self.max_concentration
        if not self.extrapolate and not self.lithiation[0] <= x <= self.lithiation[-1]:
            return 0.0
        k, _ = self._segment(c)
        return self.slopes[k] / self.max_concentration


class TabulatedOCV(PiecewiseLinear):
    """A piecewise-linear open-circuit potential U(x) [V] through the points (x_k, U_k),
    extended linearly beyond the ends (:class:`PiecewiseLinear`)."""

    def __init__(self, lithiation: Sequence[float], potential: Sequence[float],
                 max_concentration: float) -> None:
        super().__init__(lithiation, potential, max_concentration, extrapolate=True)

    @property
    def potential(self) -> tuple[float, ...]:
        """The tabulated potentials [V]."""
        return self.values

    @property
    def linear(self) -> bool:
        """Whether U is one straight line (two points: extended linearly both ways)."""
        return len(self.lithiation) == 2


def ocv_value(ocv: UFLFunction | float, c: float) -> float:
    """A function of the concentration (an OCV, a table) at a number c [mol/m^3]: its
    ``value`` method if it has one, a constant as it is."""
    if not callable(ocv):
        return float(ocv)
    return float(ocv.value(c)) if hasattr(ocv, "value") else float(ocv(c))


def chemical_strain(c: Any, molar_volume: float, c_ref: Any) -> Any:
    """Isotropic chemical strain ``(Omega / 3)(c - c_ref) 1`` as a Mandel 6-vector."""
    e = molar_volume / 3.0 * (c - c_ref)
    return ufl.as_vector([e, e, e, 0.0, 0.0, 0.0])


def axis_safe_strain(u: Any, kind: str, length: float) -> Any:
    """:func:`~ssbx.physics.mechanics.mandel_strain`, with the axisymmetric hoop strain
    ``u_r / r`` replaced by its limit ``du_r/dr`` within ``1e-9 length`` of the axis (where
    u_r = 0): for evaluating stresses at points on the axis (quadrature points never are)."""
    eps = mandel_strain(u, kind)
    if kind != "axisymmetric":
        return eps
    r = ufl.SpatialCoordinate(ufl.domain.extract_unique_domain(u))[0]
    hoop = ufl.conditional(ufl.gt(r, 1e-9 * length), u[0] / ufl.max_value(r, 1e-9 * length),
                           ufl.grad(u)[0, 0])
    return ufl.as_vector([eps[0], eps[1], hoop, eps[3], eps[4], eps[5]])


@dataclass(frozen=True)
class LatticeStrain:
    """The anisotropic chemical strain of a layered (hexagonal a-a-c) grain, linear in the
    lithiation x = c / c_max:

        eps_ch = (x - x_ref) [alpha_a (1 - n n) + alpha_c n n]

    with n the grain's c-axis (unit vector) and alpha_a, alpha_c the relative changes of the
    a and c lattice parameters per unit lithiation (d ln a / dx, d ln c / dx). The volume
    change per unit lithiation is ``2 alpha_a + alpha_c``; ``alpha_a = alpha_c`` is the
    isotropic strain of a partial molar volume ``Omega = 3 alpha / c_max``. ``parameters``:
    provenance."""

    alpha_a: float
    alpha_c: float
    name: str = ""
    parameters: tuple = field(default=(), compare=False, repr=False)

    def strain(self, c: Any, c_ref: Any, max_concentration: float, axis: Any) -> Any:
        """The Mandel chemical strain at the concentration c for the c-axis ``axis`` (a UFL
        3-vector; in axisymmetry ordered r, z, theta)."""
        dx = (c - c_ref) / max_concentration
        return _lattice_strain_vector(self.alpha_a * dx, (self.alpha_c - self.alpha_a) * dx,
                                      axis)


def _lattice_strain_vector(e: Any, d: Any, n: Any) -> Any:
    """Mandel vector of ``e I + d n n`` (n a UFL 3-vector)."""
    return ufl.as_vector([e + d * n[0] * n[0], e + d * n[1] * n[1], e + d * n[2] * n[2],
                          SQRT2 * d * n[0] * n[1], SQRT2 * d * n[1] * n[2],
                          SQRT2 * d * n[0] * n[2]])


@dataclass(frozen=True)
class TabulatedLatticeStrain:
    """The anisotropic chemical strain of a layered grain from tables of its lattice
    parameters a(x) and c(x) against the lithiation x = c / c_max (e.g. X-ray diffraction
    during charge, where the c parameter of Ni-rich oxides first grows and then collapses):

        eps_ch = (a(x) / a(x_ref) - 1) (1 - n n) + (c(x) / c(x_ref) - 1) n n

    with x_ref the stress-free lithiation and n the grain's c-axis. a(x) and c(x) are piecewise
    linear through the points and held at the end values beyond them (:class:`PiecewiseLinear`);
    only their ratios enter, so any length unit serves. ``parameters``: provenance."""

    lithiation: tuple[float, ...]
    a_values: tuple[float, ...]
    c_values: tuple[float, ...]
    name: str = ""
    parameters: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.a_values) != len(self.lithiation) or \
                len(self.c_values) != len(self.lithiation):
            raise ValueError(f"need one a and one c value per lithiation, got "
                             f"{len(self.lithiation)} lithiations, {len(self.a_values)} a and "
                             f"{len(self.c_values)} c values")
        if any(not v > 0.0 for v in (*self.a_values, *self.c_values)):
            raise ValueError("lattice parameters must be positive")

    def strain(self, c: Any, c_ref: Any, max_concentration: float, axis: Any) -> Any:
        """The Mandel chemical strain at the concentration c for the c-axis ``axis`` (a UFL
        3-vector; in axisymmetry ordered r, z, theta)."""
        a = PiecewiseLinear(self.lithiation, self.a_values, max_concentration,
                            extrapolate=False)
        cc = PiecewiseLinear(self.lithiation, self.c_values, max_concentration,
                             extrapolate=False)
        e = a(c) / a(c_ref) - 1.0
        return _lattice_strain_vector(e, cc(c) / cc(c_ref) - 1.0 - e, axis)


def particle_stress(u: Any, c: Any, material: IntercalationMaterial, kind: str,
                    c_ref: Any, *, strain: Any = None, chemical: Any = None) -> Any:
    """Cauchy stress [Pa] (Mandel): ``C : (eps(u) - eps_ch(c))``; ``strain``: eps(u) if
    given (e.g. :func:`axis_safe_strain`); ``chemical``: eps_ch if given (e.g.
    :meth:`LatticeStrain.strain`), else the isotropic one of the material."""
    el = material.elastic
    eps_u = mandel_strain(u, kind) if strain is None else strain
    eps_ch = chemical_strain(c, material.molar_volume, c_ref) if chemical is None else chemical
    return elastic_stress(eps_u - eps_ch, el.lame_lambda, el.shear_modulus)


def hydrostatic(sigma: Any) -> Any:
    """``tr(sigma) / 3`` of a Mandel stress [Pa]."""
    return mandel_trace(sigma) / 3.0


def li_flux(c: Any, sigma_h: Any, diffusivity: Any, molar_volume: float,
            temperature: float) -> Any:
    """Molar Li flux J [mol/(m^2 s)]: ``-D (grad c - (Omega c / (R_gas T)) grad sigma_h)``;
    ``sigma_h = None`` drops the stress coupling (Fick's law)."""
    drive = ufl.grad(c)
    if sigma_h is not None:
        drive = drive - molar_volume * c / (GAS_CONSTANT * temperature) * ufl.grad(sigma_h)
    return -diffusivity * drive


__all__ = [
    "LIMN2O4",
    "PARTICLE_MATERIALS",
    "IntercalationMaterial",
    "LatticeStrain",
    "LinearOCV",
    "PiecewiseLinear",
    "SurfaceKinetics",
    "TabulatedLatticeStrain",
    "TabulatedOCV",
    "axis_safe_strain",
    "chemical_strain",
    "hydrostatic",
    "li_flux",
    "linear_ocv",
    "ocv_value",
    "particle_stress",
]
