"""Elements of the reduced (0-D) stack-pressure model (:mod:`ssbx.physics.stack_model`): the
layers of a cell in series and the fixture that holds them, numpy only.

All layers carry the same uniform stack pressure ``p`` (compressive, ``>= 0``) over the cell
area. **Elasticity is logarithmic (Hencky)**: a layer of stress-free thickness ``h_s`` is
``h = h_s exp(-p/M)`` thick under ``p`` (``= h_s (1 - p/M)`` to first order in ``p/M``, ~1e-3
here), with ``M`` the confined (uniaxial-strain) modulus ``E(1-ν)/((1+ν)(1-2ν))`` of a layer
held laterally (the default) or Young's modulus ``E`` of a laterally free one. The log strain
makes the elastic and the creep strain add, so that the relaxation of a creeping foil at a fixed
gap is the exact power-law ODE ``dp/dt = -M ε̇(p)`` (:mod:`ssbx.physics.stack_model`).

Layers:

- :class:`ElasticLayer` (separator, current collector; ``M = inf``: rigid);
- :class:`CompositeCathode`: ``h_s = h_0 (1 + ε*(x))`` with the thickness eigenstrain ``ε*``
  linearly interpolated in a user table against the cell's state of charge ``x`` (any shape,
  non-monotone included);
- :class:`MetalFoil` (Li, Na): plating adds the stress-free volume ``Ω q / F`` per area to
  ``h_s`` (``side = +1``: plates when the cell current is positive; ``-1``: strips), and the foil
  creeps between the plates at the thickness strain rate ``ε̇ = V(p, h)/h`` of
  :mod:`ssbx.physics.squeeze_flow` (frictionless, Coulomb slab, or bonded), ``d ln h_s/dt = -ε̇``.

Fixtures (each gives the stack height ``H_allow(p)`` it allows at the pressure ``p``):

- :class:`FixedGap`: a gap closed at the initial pressure, opened by the load train's series
  compliance ``C_f`` [m/Pa] and, optionally, its viscoelastic relaxation: a generalised Maxwell
  (Prony) load train, relaxation modulus ``K(t) = K_0 (1 - Σ g_k (1 - e^{-t/τ_k}))``,
  ``K_0 = 1/C_f``, so that an empty (rigid) cell held at a fixed gap relaxes as
  ``p(t) = p_0 (1 - Σ g_k (1 - e^{-t/τ_k}))``; :func:`fit_prony` and :func:`fit_prony_grid` fit
  ``g_k, τ_k`` to a measured empty-cell relaxation.
- :class:`Springs`: springs of stiffness ``k`` [Pa/m] preloaded to the initial pressure, in
  series with a load-train compliance ``C``, and a Coulomb (stick–slip) friction element of
  threshold ``f_c`` [Pa] in the spring guide, in parallel with the springs: the plate stays put
  (a fixed gap) while ``|p - p_spring| <= f_c`` and slips so that ``|p - p_spring| = f_c``
  otherwise (a rigid–plastic Jenkins element; ``p_spring = p_0 + k x``, ``x`` the plate's
  travel). Without friction ``Δp = k ΔH / (1 + k C)`` for a rigid stack.
- :class:`ConstantForce`: the pressure is the set value; only the thicknesses change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import PowerLawCreep
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.squeeze_flow import (
    bonded_thinning_rate,
    die_extrusion_thinning_rate,
    power_law_bonded_thinning_rate,
    power_law_die_extrusion_thinning_rate,
    slab_friction_factor,
)

FRICTION_MODES = ("frictionless", "coulomb", "bonded", "die")


class CreepLaw(Protocol):
    """A J2 creep law: equivalent strain rate [1/s] at an equivalent stress [Pa] and
    temperature [K] (e.g. :class:`~ssbx.physics.creep_laws.PowerLawCreep`)."""

    def rate(self, sigma_eq: float, temperature: float) -> float:
        """Equivalent creep rate [1/s]."""


def layer_modulus(material: ElasticMaterial, confined: bool = True) -> float:
    """The through-thickness modulus [Pa] of a layer: the confined (uniaxial-strain, P-wave)
    modulus ``E(1-ν)/((1+ν)(1-2ν))`` when it is held laterally, Young's ``E`` when free."""
    if not confined:
        return material.E
    nu = material.nu
    return material.E * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu))


def _elastic_factor(pressure: float, modulus: float) -> float:
    """``exp(-p/M)``: the Hencky elastic thickness ratio (1 for a rigid layer)."""
    return 1.0 if math.isinf(modulus) else math.exp(-pressure / modulus)


def _check_layer(name: str, thickness: float, modulus: float) -> None:
    if not thickness > 0.0:
        raise ValueError(f"layer {name!r}: thickness must be > 0 (got {thickness!r} m)")
    if not modulus > 0.0:
        raise ValueError(f"layer {name!r}: modulus must be > 0 (got {modulus!r} Pa)")


# --------------------------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ElasticLayer:
    """An elastic layer of stress-free thickness ``thickness`` [m] and through-thickness
    modulus ``modulus`` [Pa] (``math.inf``: rigid); :meth:`from_material` picks the confined or
    the unconfined modulus."""

    name: str
    thickness: float
    modulus: float

    def __post_init__(self) -> None:
        _check_layer(self.name, self.thickness, self.modulus)

    @classmethod
    def from_material(cls, name: str, thickness: float, material: ElasticMaterial,
                      confined: bool = True) -> ElasticLayer:
        """The layer of ``material`` (:func:`layer_modulus`)."""
        return cls(name, thickness, layer_modulus(material, confined))

    def stress_free_thickness(self, soc: float) -> float:
        """``h_s`` [m] (constant)."""
        return self.thickness

    def height(self, pressure: float, soc: float) -> float:
        """``h_s exp(-p/M)`` [m]."""
        return self.thickness * _elastic_factor(pressure, self.modulus)


@dataclass(frozen=True)
class CompositeCathode:
    """A composite cathode: elastic (``modulus`` [Pa]) with the thickness eigenstrain
    ``ε*(x)`` linearly interpolated in the table ``(soc_table, strain_table)`` of the cell's
    state of charge ``x`` (increasing abscissae; held constant outside the table):
    ``h_s = thickness (1 + ε*(x))``, ``thickness`` the stress-free thickness at ``ε* = 0``."""

    name: str
    thickness: float
    modulus: float
    soc_table: tuple[float, ...]
    strain_table: tuple[float, ...]

    def __post_init__(self) -> None:
        _check_layer(self.name, self.thickness, self.modulus)
        x = np.asarray(self.soc_table, dtype=float)
        e = np.asarray(self.strain_table, dtype=float)
        if x.ndim != 1 or x.shape != e.shape or x.size < 2:
            raise ValueError(f"layer {self.name!r}: the eigenstrain table needs two equally "
                             f"long sequences of at least 2 points")
        if np.any(np.diff(x) <= 0.0):
            raise ValueError(f"layer {self.name!r}: state-of-charge table must increase")
        if np.any(e <= -1.0):
            raise ValueError(f"layer {self.name!r}: eigenstrain must be > -1")
        object.__setattr__(self, "soc_table", tuple(float(v) for v in x))
        object.__setattr__(self, "strain_table", tuple(float(v) for v in e))

    def eigenstrain(self, soc: float) -> float:
        """``ε*(x)`` [-] (linear interpolation of the table)."""
        return float(np.interp(soc, self.soc_table, self.strain_table))

    def stress_free_thickness(self, soc: float) -> float:
        """``h_0 (1 + ε*(x))`` [m]."""
        return self.thickness * (1.0 + self.eigenstrain(soc))

    def height(self, pressure: float, soc: float) -> float:
        """``h_0 (1 + ε*(x)) exp(-p/M)`` [m]."""
        return self.stress_free_thickness(soc) * _elastic_factor(pressure, self.modulus)


@dataclass(frozen=True)
class MetalFoil:
    """A metal electrode foil (Li, Na) of initial stress-free thickness ``thickness`` [m].

    modulus: through-thickness modulus [Pa]; side: ``+1`` plates (thickens by ``Ω q/F``) when
    the cell current is positive (charge), ``-1`` strips then, ``0`` takes no current;
    molar_volume: ``Ω`` [m³/mol]; creep: a J2 creep law (``None``: elastic only);
    friction: ``"frictionless"``, ``"coulomb"`` (needs ``friction_coefficient`` μ and
    ``radius`` [m]), ``"bonded"`` (needs ``radius``) — the squeeze-flow limits of
    :mod:`ssbx.physics.squeeze_flow` — or ``"die"``: confined by a die of bore ``radius``, it
    escapes only into the plunger clearance ``clearance`` [m] of length ``clearance_length``
    [m] (:func:`ssbx.physics.squeeze_flow.die_extrusion_thinning_rate`). Bonded: the
    closed-form film law for a :class:`~ssbx.physics.creep_laws.PowerLawCreep` without yield
    stress, the general lubrication integral (far slower: ~20 s per step) for other laws that
    creep at any positive stress; a yield stress is refused there. A die foil adds its own
    squeeze film in series with the clearance. thinning_law: a computed law ``V(p, h, T)``
    [m/s] that replaces the closed form of the friction mode (e.g. the finite-element die cell
    :class:`ssbx.problems.die_cell.DieCellThinning`).
    """

    name: str
    thickness: float
    modulus: float
    side: int = 1
    molar_volume: float = LI_MOLAR_VOLUME
    creep: CreepLaw | None = field(default=None, compare=False)
    friction: str = "frictionless"
    friction_coefficient: float = 0.0
    radius: float | None = None
    clearance: float = 0.0
    clearance_length: float = 0.0
    thinning_law: Callable[[float, float, float], float] | None = field(default=None,
                                                                       compare=False)

    def __post_init__(self) -> None:
        _check_layer(self.name, self.thickness, self.modulus)
        if self.side not in (-1, 0, 1):
            raise ValueError(f"foil {self.name!r}: side must be +1, -1 or 0 (got {self.side!r})")
        if not self.molar_volume > 0.0:
            raise ValueError(f"foil {self.name!r}: molar volume must be > 0")
        if self.friction not in FRICTION_MODES:
            raise ValueError(f"foil {self.name!r}: friction must be one of {FRICTION_MODES} "
                             f"(got {self.friction!r})")
        if self.friction != "frictionless" and not (self.radius is not None and self.radius > 0):
            raise ValueError(f"foil {self.name!r}: friction {self.friction!r} needs the foil "
                             f"radius (> 0)")
        if self.friction == "coulomb" and not self.friction_coefficient >= 0.0:
            raise ValueError(f"foil {self.name!r}: friction coefficient must be >= 0")
        if self.friction == "die" and not (self.clearance > 0.0 and self.clearance_length > 0.0):
            raise ValueError(f"foil {self.name!r}: a die-confined foil needs the clearance and "
                             f"its length (> 0; got {self.clearance!r}, "
                             f"{self.clearance_length!r} m)")
        if (self.friction == "bonded" and isinstance(self.creep, PowerLawCreep)
                and self.creep.yield_stress > 0.0):
            raise ValueError(f"foil {self.name!r}: the bonded (lubrication) mode needs a creep "
                             f"law without a yield stress (the slot flux is inverted in log)")

    def plated_thickness(self, charge: float) -> float:
        """The stress-free thickness [m] the cell charge ``charge`` [C/m²] adds (``Ω q/F``
        with the foil's sign)."""
        return self.side * self.molar_volume * charge / FARADAY

    def creep_strain_rate(self, pressure: float, height: float, temperature: float) -> float:
        """``ε̇ = V(p, h)/h`` [1/s]: the thickness strain rate of the foil squeezed by ``p``
        [Pa] at the thickness ``height`` [m] (0 without a creep law or a pressure)."""
        if pressure <= 0.0:
            return 0.0
        if self.thinning_law is not None:
            return self.thinning_law(pressure, height, temperature) / height
        if self.creep is None:
            return 0.0
        if self.friction == "frictionless":
            return self.creep.rate(pressure, temperature)
        if self.friction == "coulomb":
            factor = slab_friction_factor(self.radius, height, self.friction_coefficient)
            return self.creep.rate(pressure / factor, temperature)
        law = self.creep
        if self.friction == "die":
            if isinstance(law, PowerLawCreep) and law.yield_stress == 0.0:
                return power_law_die_extrusion_thinning_rate(
                    pressure, self.radius, self.clearance, self.clearance_length,
                    law.A_eff(temperature), law.n, thickness=height) / height
            return die_extrusion_thinning_rate(
                pressure, self.radius, self.clearance, self.clearance_length,
                lambda s: law.rate(s, temperature), thickness=height) / height
        if isinstance(law, PowerLawCreep) and law.yield_stress == 0.0:
            return power_law_bonded_thinning_rate(pressure, self.radius, height,
                                                  law.A_eff(temperature), law.n) / height
        return bonded_thinning_rate(pressure, self.radius, height,
                                    lambda s: law.rate(s, temperature)) / height


Layer = ElasticLayer | CompositeCathode | MetalFoil


# --------------------------------------------------------------------------------------------
# viscoelastic load train: Prony series
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prony:
    """Prony series of a load train's relaxation: ``K(t)/K_0 = 1 - Σ g_k (1 - e^{-t/τ_k})``,
    weights ``g_k >= 0`` with ``Σ g_k < 1`` and times ``τ_k > 0`` [s]."""

    weights: tuple[float, ...]
    times: tuple[float, ...]

    def __post_init__(self) -> None:
        g = tuple(float(v) for v in self.weights)
        tau = tuple(float(v) for v in self.times)
        if len(g) != len(tau) or not g:
            raise ValueError("Prony series needs as many weights as times (at least one)")
        if any(v < 0.0 for v in g) or sum(g) >= 1.0:
            raise ValueError(f"Prony weights must be >= 0 and sum to < 1 (got {g})")
        if any(not v > 0.0 for v in tau):
            raise ValueError(f"Prony times must be > 0 (got {tau})")
        object.__setattr__(self, "weights", g)
        object.__setattr__(self, "times", tau)

    def relaxation(self, t: np.ndarray | float) -> np.ndarray:
        """``K(t)/K_0`` [-]: the pressure of an empty cell at a fixed gap over its initial."""
        t = np.asarray(t, dtype=float)
        out = np.ones_like(t)
        for g, tau in zip(self.weights, self.times, strict=True):
            out = out - g * (1.0 - np.exp(-t / tau))
        return out


@dataclass(frozen=True)
class PronyFit:
    """A fitted empty-cell relaxation: ``p(t) = p_0 K(t)/K_0`` with the series ``prony``,
    the fitted initial pressure ``initial_pressure`` [Pa] and the RMS residual [Pa]."""

    prony: Prony
    initial_pressure: float
    rms_residual: float


def _prony_lstsq(t: np.ndarray, p: np.ndarray, times: Sequence[float]
                 ) -> tuple[np.ndarray, float]:
    """Coefficients ``(p_inf, a_1, ...)`` of ``p_inf + Σ a_k e^{-t/τ_k}`` and the RMS residual."""
    basis = np.column_stack([np.ones_like(t)] + [np.exp(-t / tau) for tau in times])
    coef, *_ = np.linalg.lstsq(basis, p, rcond=None)
    rms = float(np.sqrt(np.mean((basis @ coef - p) ** 2)))
    return coef, rms


def _fit_from_coefficients(coef: np.ndarray, times: Sequence[float], rms: float) -> PronyFit:
    p0 = float(np.sum(coef))
    return PronyFit(Prony(tuple(coef[1:] / p0), tuple(times)), p0, rms)


def fit_prony(t: Sequence[float], p: Sequence[float], times: Sequence[float]) -> PronyFit:
    """Fit ``p(t) = p_inf + Σ a_k e^{-t/τ_k}`` to an empty-cell relaxation ``(t [s], p [Pa])``
    at the fixed time constants ``times`` [s] by linear least squares; ``g_k = a_k/p_0``,
    ``p_0 = p_inf + Σ a_k`` (``ValueError`` if a weight comes out negative)."""
    t = np.asarray(t, dtype=float)
    p = np.asarray(p, dtype=float)
    coef, rms = _prony_lstsq(t, p, times)
    return _fit_from_coefficients(coef, times, rms)


def fit_prony_grid(t: Sequence[float], p: Sequence[float], terms: int = 2,
                   tau_min: float | None = None, tau_max: float | None = None,
                   per_decade: int = 10) -> PronyFit:
    """The best ``terms``-term (1 or 2) Prony fit whose time constants lie on a log-spaced grid
    of ``per_decade`` points per decade between ``tau_min`` and ``tau_max`` [s] (default: the
    smallest positive sampling time and the record's length); only fits with non-negative
    weights count. The grid points are ``10^(k/per_decade)``, so round time constants are on it."""
    if terms not in (1, 2):
        raise ValueError(f"terms must be 1 or 2 (got {terms!r})")
    t = np.asarray(t, dtype=float)
    p = np.asarray(p, dtype=float)
    lo = tau_min if tau_min is not None else float(np.min(t[t > 0.0]))
    hi = tau_max if tau_max is not None else float(np.max(t))
    k = np.arange(math.floor(per_decade * math.log10(lo) + 1e-9),
                  math.ceil(per_decade * math.log10(hi) - 1e-9) + 1)
    grid = 10.0 ** (k / per_decade)
    combos = ([(a,) for a in grid] if terms == 1
              else [(a, b) for i, a in enumerate(grid) for b in grid[i + 1:]])
    best: PronyFit | None = None
    for times in combos:
        coef, rms = _prony_lstsq(t, p, times)
        if np.any(coef[1:] < 0.0) or coef[0] <= 0.0:
            continue
        if best is None or rms < best.rms_residual:
            best = _fit_from_coefficients(coef, [float(v) for v in times], rms)
    if best is None:
        raise ValueError("no Prony fit with non-negative weights on the grid: is it a "
                         "relaxation (pressure decreasing towards a positive value)?")
    return best


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------
class FixtureState(Protocol):
    """A fixture during a run: the height it allows at a trial pressure in the current step."""

    def begin(self, dt: float) -> None:
        """Start a step of length ``dt`` [s]."""

    def height(self, pressure: float) -> float:
        """The stack height [m] the fixture allows at the end of the step under ``pressure``."""

    def accept(self, pressure: float) -> None:
        """Commit the step at ``pressure``."""

    def displacement(self) -> float:
        """The fixture's opening since the start [m] (load train and plate)."""


@dataclass(frozen=True)
class FixedGap:
    """A fixed gap closed at the initial pressure, with the load train's series compliance
    ``compliance`` [m/Pa] (0: rigid) and optionally its ``relaxation`` (needs a compliance)."""

    compliance: float = 0.0
    relaxation: Prony | None = None

    def __post_init__(self) -> None:
        if not self.compliance >= 0.0:
            raise ValueError(f"compliance must be >= 0 (got {self.compliance!r})")
        if self.relaxation is not None and self.compliance == 0.0:
            raise ValueError("a viscoelastic load train needs a compliance > 0")

    def start(self, pressure: float, height: float) -> _FixedGapState:
        """The fixture holding the stack of ``height`` [m] at ``pressure`` [Pa]."""
        return _FixedGapState(self, pressure, height)


class _FixedGapState:
    """Generalised Maxwell load train: ``p = K_inf u + Σ q_k``, ``q̇_k + q_k/τ_k = K_k u̇``,
    integrated exactly for ``u`` linear in a step (recursive exponential update)."""

    def __init__(self, spec: FixedGap, pressure: float, height: float) -> None:
        self.C = spec.compliance
        prony = spec.relaxation
        g = np.asarray(prony.weights if prony else (), dtype=float)
        self.tau = np.asarray(prony.times if prony else (), dtype=float)
        self.u0 = self.C * pressure
        self.u = self.u0
        self.gap = height - self.u0
        if self.C > 0.0:
            K0 = 1.0 / self.C
            self.K = g * K0
            self.K_inf = K0 * (1.0 - float(np.sum(g)))
            self.q = self.K * self.u
        self.a = self.b = np.zeros(0)

    def begin(self, dt: float) -> None:
        if self.C > 0.0 and self.tau.size:
            self.a = np.exp(-dt / self.tau)
            self.b = -self.tau / dt * np.expm1(-dt / self.tau)

    def _u(self, pressure: float) -> float:
        if self.C == 0.0:
            return 0.0
        if not self.tau.size:
            return self.C * pressure
        stiff = self.K_inf + float(np.sum(self.b * self.K))
        return (pressure - float(np.sum(self.a * self.q))
                + float(np.sum(self.b * self.K)) * self.u) / stiff

    def height(self, pressure: float) -> float:
        return self.gap + self._u(pressure)

    def accept(self, pressure: float) -> None:
        u = self._u(pressure)
        if self.C > 0.0 and self.tau.size:
            self.q = self.a * self.q + self.b * self.K * (u - self.u)
        self.u = u

    def displacement(self) -> float:
        return self.u - self.u0


@dataclass(frozen=True)
class Springs:
    """Springs of stiffness ``stiffness`` [Pa/m, force per cell area per travel] preloaded to
    the initial pressure, the load train's series ``compliance`` [m/Pa], and a stick–slip
    (Coulomb) friction threshold ``friction`` [Pa, force per cell area] in the spring guide."""

    stiffness: float
    compliance: float = 0.0
    friction: float = 0.0

    def __post_init__(self) -> None:
        if not self.stiffness > 0.0:
            raise ValueError(f"spring stiffness must be > 0 (got {self.stiffness!r})")
        if not (self.compliance >= 0.0 and self.friction >= 0.0):
            raise ValueError("compliance and friction must be >= 0")

    def start(self, pressure: float, height: float) -> _SpringsState:
        """The springs preloaded to ``pressure`` [Pa] on the stack of ``height`` [m]."""
        return _SpringsState(self, pressure, height)


class _SpringsState:
    """Plate travel ``x`` (up = the gap opens); spring pressure ``p_0 + k x``; friction
    ``f = p - p_0 - k x`` with ``|f| <= f_c`` (stick) or the plate slips (return mapping)."""

    def __init__(self, spec: Springs, pressure: float, height: float) -> None:
        self.k, self.C, self.fc = spec.stiffness, spec.compliance, spec.friction
        self.p0 = pressure
        self.gap = height - self.C * pressure
        self.x = 0.0
        self.p = pressure

    def begin(self, dt: float) -> None:
        pass

    def _x(self, pressure: float) -> float:
        f = pressure - self.p0 - self.k * self.x
        if abs(f) <= self.fc:
            return self.x
        return self.x + math.copysign(abs(f) - self.fc, f) / self.k

    def height(self, pressure: float) -> float:
        return self.gap + self._x(pressure) + self.C * pressure

    def accept(self, pressure: float) -> None:
        self.x = self._x(pressure)
        self.p = pressure

    def displacement(self) -> float:
        return self.x + self.C * (self.p - self.p0)

    def travel(self) -> float:
        """The plate's travel [m] (the springs' compression change)."""
        return self.x


@dataclass(frozen=True)
class ConstantForce:
    """A dead load: the stack pressure is ``pressure`` [Pa] throughout."""

    pressure: float

    def __post_init__(self) -> None:
        if not self.pressure >= 0.0:
            raise ValueError(f"pressure must be >= 0 (got {self.pressure!r})")


Fixture = FixedGap | Springs | ConstantForce


__all__ = [
    "FRICTION_MODES",
    "CompositeCathode",
    "ConstantForce",
    "CreepLaw",
    "ElasticLayer",
    "FixedGap",
    "Fixture",
    "FixtureState",
    "Layer",
    "MetalFoil",
    "Prony",
    "PronyFit",
    "Springs",
    "fit_prony",
    "fit_prony_grid",
    "layer_modulus",
]
