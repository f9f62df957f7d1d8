"""Physical constants (CODATA 2018) and molar volumes of the anode metals, SI units."""

from __future__ import annotations

FARADAY = 96485.33212  # C/mol
GAS_CONSTANT = 8.314462618  # J/(mol K)
AVOGADRO = 6.02214076e23  # 1/mol

#: Molar volume of Li metal [m^3/mol]: M / rho = 6.941e-3 kg/mol / 534 kg/m^3 (standard atomic
#: mass and room-temperature density of Li).
LI_MOLAR_VOLUME = 6.941e-3 / 534.0

#: Molar volume of Na metal [m^3/mol]: M / rho = 22.990e-3 kg/mol / 968 kg/m^3 (density of
#: solid Na at 20 C, CRC Handbook *(check)*).
NA_MOLAR_VOLUME = 22.990e-3 / 968.0


def thermal_voltage(temperature: float) -> float:
    """R T / F [V] at ``temperature`` [K]."""
    return GAS_CONSTANT * temperature / FARADAY
