"""Ionic conductivity of the solid electrolyte and other Arrhenius-activated quantities."""

from __future__ import annotations

import math

from ssbx.physics.constants import GAS_CONSTANT


def arrhenius(value_ref: float, activation_energy: float, temperature: float,
              reference_temperature: float) -> float:
    """``value_ref * exp(-Ea/R (1/T - 1/T_ref))``.

    value_ref: the value at ``reference_temperature`` (any unit, returned in the same unit).
    activation_energy: Ea [J/mol] (>= 0). temperature, reference_temperature: [K].
    """
    if temperature <= 0.0 or reference_temperature <= 0.0:
        raise ValueError(f"temperatures must be positive kelvin, got {temperature}, "
                         f"{reference_temperature}")
    return value_ref * math.exp(
        -activation_energy / GAS_CONSTANT * (1.0 / temperature - 1.0 / reference_temperature))
