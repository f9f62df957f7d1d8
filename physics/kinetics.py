"""Charge-transfer kinetics at the Li / solid-electrolyte interface.

Sign convention: anodic (stripping, Li -> Li+ + e-) current density is positive. It is the current
density entering the electrolyte from the Li. The overpotential of the Li electrode is

    eta = phi_Li - phi_SE - U0 + dmu_mech / F,     dmu_mech = -Omega_Li * sigma_nn,

where sigma_nn is the normal stress on the Li at the interface (tensile positive), so that a
contact pressure p = -sigma_nn raises the chemical potential of Li by Omega_Li * p and makes
stripping easier and plating harder (Monroe & Newman 2005, JES 152 A396; the stabilising effect of
compression on deposition). 1 MPa shifts eta by Omega_Li / F = 0.1347 mV.

Note: the opposite sign, ``eta = ... - dmu_mech/F``, is also found in notes on this model. With
``dmu_mech = -Omega sigma_nn`` as the rise of the Li chemical potential, that sign would make
compression favour plating, against Monroe & Newman; ssbx uses the thermodynamic sign above (see
docs/physics.md, section 2) and a test (tests/test_kinetics.py) pins it.

Each kinetics object evaluates on floats/numpy arrays or on UFL expressions: pass ``exp=ufl.exp``
for forms, the default ``numpy.exp`` otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ssbx.physics.constants import FARADAY, thermal_voltage

ExpFunction = Callable[[Any], Any]


def overpotential(phi_se: Any, *, phi_li: Any = 0.0, equilibrium_potential: float = 0.0,
                  normal_stress: Any = 0.0, molar_volume: float) -> Any:
    """Overpotential of the metal electrode [V]: ``phi_M - phi_SE - U0 - Omega sigma_nn / F``.

    phi_se, phi_li: electrolyte and metal potentials [V]; equilibrium_potential U0 [V];
    normal_stress sigma_nn [Pa], tensile positive (a contact pressure is negative);
    molar_volume Omega of the metal [m^3/mol] (required: the anode metal's, no default).
    """
    return phi_li - phi_se - equilibrium_potential - molar_volume * normal_stress / FARADAY


class Kinetics(Protocol):
    """Interface kinetics: anodic current density [A/m^2] as a function of overpotential [V]."""

    def current_density(self, eta: Any, exp: ExpFunction = np.exp) -> Any: ...

    def overpotential_for(self, current_density: float) -> float: ...

    @property
    def resistance(self) -> float:
        """Area-specific charge-transfer resistance at zero overpotential [ohm m^2]."""
        ...


@dataclass(frozen=True)
class ButlerVolmer:
    """``i = i0 [exp(alpha_a F eta / RT) - exp(-alpha_c F eta / RT)]``.

    exchange_current_density i0 [A/m^2]; alpha_a, alpha_c: transfer coefficients [-];
    temperature [K].
    """

    exchange_current_density: float
    alpha_a: float = 0.5
    alpha_c: float = 0.5
    temperature: float = 298.15

    @property
    def f(self) -> float:
        """F / (R T) [1/V]."""
        return 1.0 / thermal_voltage(self.temperature)

    def current_density(self, eta: Any, exp: ExpFunction = np.exp) -> Any:
        f = self.f
        return self.exchange_current_density * (
            exp(self.alpha_a * f * eta) - exp(-self.alpha_c * f * eta))

    def current_density_derivative(self, eta: Any, exp: ExpFunction = np.exp) -> Any:
        """di/deta [A/(m^2 V)]."""
        f = self.f
        a, c = self.alpha_a, self.alpha_c
        return self.exchange_current_density * f * (a * exp(a * f * eta) + c * exp(-c * f * eta))

    @property
    def resistance(self) -> float:
        """Linear-limit resistance ``Z = RT / (F i0 (alpha_a + alpha_c))`` [ohm m^2]."""
        return 1.0 / (self.f * self.exchange_current_density * (self.alpha_a + self.alpha_c))

    def overpotential_for(self, current_density: float) -> float:
        """The eta [V] that carries ``current_density`` [A/m^2].

        Closed form ``eta = asinh(i / (2 i0)) / (alpha f)`` when alpha_a = alpha_c = alpha,
        otherwise Newton's method on the monotone BV curve.
        """
        i0, f = self.exchange_current_density, self.f
        if math.isclose(self.alpha_a, self.alpha_c):
            return math.asinh(current_density / (2.0 * i0)) / (self.alpha_a * f)
        eta = math.asinh(current_density / (2.0 * i0)) * 2.0 / ((self.alpha_a + self.alpha_c) * f)
        for _ in range(200):
            step = (float(self.current_density(eta)) - current_density) / float(
                self.current_density_derivative(eta))
            eta -= step
            if abs(step) < 1e-15 * max(1.0, abs(eta)):
                break
        return eta


@dataclass(frozen=True)
class LinearKinetics:
    """Linear limit ``i = eta / Z`` with area-specific resistance Z [ohm m^2]."""

    resistance: float

    def current_density(self, eta: Any, exp: ExpFunction = np.exp) -> Any:
        return eta / self.resistance

    def overpotential_for(self, current_density: float) -> float:
        return current_density * self.resistance


@dataclass(frozen=True)
class PrimaryKinetics:
    """No charge-transfer resistance: the electrolyte potential at the contact is fixed at
    ``phi_Li - U0`` (primary current distribution). The current follows from the field."""

    resistance: float = 0.0

    def current_density(self, eta: Any, exp: ExpFunction = np.exp) -> Any:
        raise TypeError("primary kinetics has no current-overpotential law; the contact is a "
                        "Dirichlet condition")

    def overpotential_for(self, current_density: float) -> float:
        return 0.0
