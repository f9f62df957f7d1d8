"""Physical quantities in case files: one pint registry, parsing with dimension checks.

Case files give quantities either as bare numbers, taken as SI (``h_se = 5e-5`` is 50 um), or as
strings with a unit (``h_se = "50 um"``, ``asr = "4 ohm cm^2"``, ``temperature = "25 degC"``).
:func:`parse_quantity` turns either into an SI float after checking the dimension;
:func:`format_quantity` writes an SI float back as a string in the canonical SI unit, which
:func:`parse_quantity` reads back to the same float. For display (messages, CSV, JSON, plots),
:func:`to_mA_per_cm2`, :func:`to_mAh_per_cm2`, :func:`to_ohm_cm2`, :func:`to_mS_per_cm` and their
``from_`` inverses hold the only hand-written factors between SI and the cell-level units.

No dolfinx here: this runs before any mesh or solver work.

Building pint's registry parses its definition files (~0.14 s of every ssbx process, on every
rank). pint can cache the parsed definitions on disk (10x faster); :func:`unit_registry` uses
that cache in ``$XDG_CACHE_HOME/ssbx/pint-<version>`` (``~/.cache`` by default), filled once in
a private folder and renamed into place when complete, so that the many ranks of an MPI job
never read a half-written cache. ``SSBX_UNITS_CACHE=0`` (or an unwritable cache folder) builds
the registry without it.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pint


def _units_cache_folder() -> Path | None:
    """Where pint's parsed definitions are cached (``None``: off)."""
    if os.environ.get("SSBX_UNITS_CACHE", "1").strip() in ("0", "false", "no", "off"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    return Path(base) / "ssbx" / f"pint-{pint.__version__}"


def unit_registry() -> pint.UnitRegistry:
    """Pint's registry for ssbx, with its parsed definitions cached (module docstring)."""
    folder = _units_cache_folder()
    if folder is not None:
        try:
            if folder.is_dir():
                return pint.UnitRegistry(autoconvert_offset_to_baseunit=False,
                                         cache_folder=folder)
            partial = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex}"
            partial.mkdir(parents=True)
            try:
                registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=False,
                                             cache_folder=partial)
                with contextlib.suppress(OSError):  # another process was first: keep theirs
                    partial.rename(folder)
                return registry
            finally:
                shutil.rmtree(partial, ignore_errors=True)
        except Exception:  # an unreadable or unwritable cache: do without it
            pass
    return pint.UnitRegistry(autoconvert_offset_to_baseunit=False)


#: The one unit registry of ssbx. ``um``/``µm``, ``mA/cm^2``, ``ohm cm^2``, ``mS/cm``, ``degC``,
#: ``eV``, ``kJ/mol``, ``MPa``, ``mAh/cm^2`` ... all parse.
ureg = unit_registry()

# Dimension strings used by the schema (pint dimensionality syntax).
LENGTH = "[length]"
TEMPERATURE = "[temperature]"
VOLTAGE = "[electric_potential]"
CURRENT_DENSITY = "[current] / [length] ** 2"
CONDUCTIVITY = "[current] / [length] / [electric_potential]"
AREA_RESISTANCE = "[electric_potential] * [length] ** 2 / [current]"
MOLAR_ENERGY = "[energy] / [substance]"
PRESSURE = "[pressure]"
TIME = "[time]"
STIFFNESS = "[pressure] / [length]"
COMPLIANCE = "[length] / [pressure]"  # a load train's opening per stack pressure: 1 um/MPa
CAPACITY = "[current] * [time] / [length] ** 2"  # charge per area: 1 mAh/cm^2 = 36000 C/m^2
DIFFUSIVITY = "[length] ** 2 / [time]"
AREAL_DENSITY = "1 / [length] ** 2"  # e.g. a dislocation density (line length per volume)
VELOCITY = "[length] / [time]"
SURFACE_ENERGY = "[energy] / [length] ** 2"
MOLAR_VOLUME = "[length] ** 3 / [substance]"
FRACTURE_TOUGHNESS = "[mass] / [length] ** 0.5 / [time] ** 2"  # a stress intensity, Pa m^0.5
RESISTIVITY = "[mass] * [length] ** 3 / [current] ** 2 / [time] ** 3"  # ohm m
CONCENTRATION = "[substance] / [length] ** 3"  # Li in an intercalation host, mol/m^3


@dataclass(frozen=True)
class Dimension:
    """A physical dimension known to the case format.

    si_unit: canonical SI unit (pint syntax, also how resolved cases are written).
    name: readable name ("a length"). example: an example string with a common unit.
    """

    si_unit: str
    name: str
    example: str


#: Every dimension a case key may have, by its pint dimension string.
DIMENSIONS: dict[str, Dimension] = {
    LENGTH: Dimension("m", "a length", "20 um"),
    TEMPERATURE: Dimension("K", "a temperature", "25 degC"),
    VOLTAGE: Dimension("V", "a voltage", "10 mV"),
    CURRENT_DENSITY: Dimension("A/m^2", "a current density", "1 mA/cm^2"),
    CONDUCTIVITY: Dimension("S/m", "a conductivity", "0.5 mS/cm"),
    AREA_RESISTANCE: Dimension("ohm m^2", "an area-specific resistance", "4 ohm cm^2"),
    MOLAR_ENERGY: Dimension("J/mol", "a molar energy", "30 kJ/mol"),
    PRESSURE: Dimension("Pa", "a pressure", "5 MPa"),
    TIME: Dimension("s", "a time", "30 min"),
    STIFFNESS: Dimension("Pa/m", "a stiffness per unit area", "0.935 MPa/mm"),
    COMPLIANCE: Dimension("m/Pa", "a compliance per unit area", "1 um/MPa"),
    CAPACITY: Dimension("C/m^2", "an areal capacity", "0.5 mAh/cm^2"),
    DIFFUSIVITY: Dimension("m^2/s", "a diffusivity", "6e-11 cm^2/s"),
    AREAL_DENSITY: Dimension("1/m^2", "a density per area", "1e8 cm^-2"),
    VELOCITY: Dimension("m/s", "a velocity", "1 um/s"),
    SURFACE_ENERGY: Dimension("J/m^2", "a surface energy", "0.5 J/m^2"),
    MOLAR_VOLUME: Dimension("m^3/mol", "a molar volume", "13 cm^3/mol"),
    FRACTURE_TOUGHNESS: Dimension("Pa*m**0.5", "a fracture toughness", "1.25 MPa*m^0.5"),
    RESISTIVITY: Dimension("ohm*m", "an electrical resistivity", "9.28 uohm*cm"),
    CONCENTRATION: Dimension("mol/m^3", "a concentration", "49.6 kmol/m^3"),
}

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


class QuantityError(ValueError):
    """A quantity that cannot be read: carries the key, the value given and what is expected."""

    def __init__(self, key: str, value: Any, reason: str, expected: str) -> None:
        self.key = key
        self.value = value
        self.reason = reason
        self.expected = expected
        super().__init__(f"{key} = {show_value(value)}: {reason}; expected {expected}")


def show_value(value: Any) -> str:
    """A value as it would look in a TOML file (strings quoted, booleans lower case)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return repr(value)


def toml_type(value: Any) -> str:
    """The TOML type of a value, with its article: ``"a string"``, ``"an array"`` ..."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        dict: "a table",
        list: "an array",
    }.get(type(value), f"a {type(value).__name__}")


def dimension_info(dimension: str) -> Dimension:
    """The :class:`Dimension` record of a dimension string (``KeyError`` if unknown)."""
    return DIMENSIONS[dimension]


def _expected(dimension: str) -> str:
    info = DIMENSIONS.get(dimension)
    if info is None:
        return f"a quantity of dimension {dimension}"
    return f'{info.name}, e.g. "{info.example}" (a bare number is taken in {info.si_unit})'


def _dimensionality_text(q: pint.Quantity) -> str:
    dim = q.dimensionality
    for d, info in DIMENSIONS.items():
        if dim == ureg.get_dimensionality(d):
            return info.name
    if dim == ureg.get_dimensionality("[energy]"):
        return "an energy"
    text = str(dim)
    return "a dimensionless number" if text == "dimensionless" else f"dimension {text}"


def _convert_exact(magnitude: float, unit: str, si_unit: str) -> float:
    """``magnitude`` [unit] in ``si_unit``, dividing by exact powers of ten where possible.

    ``20 um`` gives exactly ``2e-05`` (``20 * 1e-6`` would give ``1.9999999999999998e-05``).
    """
    factor = float(ureg.Quantity(1.0, unit).to(si_unit).magnitude)
    if factor == 1.0:
        return float(magnitude)
    if factor != 0.0:
        inverse = 1.0 / factor
        if abs(inverse - round(inverse)) <= 1e-9 * abs(inverse) and round(inverse) != 0:
            return float(magnitude) / round(inverse)
    if abs(factor - round(factor)) <= 1e-9 * abs(factor) and round(factor) != 0:
        return float(magnitude) * round(factor)
    return float(magnitude) * factor


def parse_quantity(value: Any, dimension: str, key: str) -> float:
    """The SI magnitude of a case-file quantity.

    value: a number (taken as SI: metres, kelvin, S/m, ...) or a string ``"<number> <unit>"``
        (``"20 um"``, ``"1 mA/cm^2"``, ``"2 ohm cm^2"``, ``"25 degC"``).
    dimension: the expected dimension, a key of :data:`DIMENSIONS` (pint syntax, e.g.
        ``"[length]"``). For :data:`MOLAR_ENERGY` a per-particle energy (``"0.3 eV"``) is also
        accepted and multiplied by the Avogadro constant.
    key: the dotted key path, for the error message.

    Raises :class:`QuantityError` (a ``ValueError``) naming the key, the value and the expected
    unit when the value is not a number or string, has no or an unknown unit, has the wrong
    dimension, or is not finite.
    """
    expected = _expected(dimension)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QuantityError(key, value, f"is {toml_type(value)}", expected)
    if isinstance(value, int | float):
        result = float(value)
        if not math.isfinite(result):
            raise QuantityError(key, value, "is not a finite number", expected)
        return result
    match = _NUMBER.match(value)
    if match is None:
        raise QuantityError(key, value, "does not start with a number", expected)
    number, unit = float(match.group(1)), match.group(2)
    if not unit:
        raise QuantityError(key, value, "has no unit (a string needs one)", expected)
    try:
        q = ureg.Quantity(number, unit)
    except Exception as err:  # pint raises several error types for bad unit expressions
        raise QuantityError(
            key, value, f"cannot read the unit {unit!r} ({err})", expected
        ) from None
    target = ureg.get_dimensionality(dimension)
    if dimension == MOLAR_ENERGY and q.dimensionality == ureg.get_dimensionality("[energy]"):
        try:
            per_mole = (q * ureg.avogadro_constant).to("J/mol").magnitude
        except Exception as err:
            raise QuantityError(key, value, f"cannot convert ({err})", expected) from None
        return float(per_mole)
    if q.dimensionality != target:
        reads = f"{q.units:~P}" if not q.unitless else ""
        reason = f"is {_dimensionality_text(q)}"
        if reads:
            reason += f" ({unit!r} reads as {q.units})"
        raise QuantityError(key, value, reason, expected)
    si_unit = DIMENSIONS[dimension].si_unit if dimension in DIMENSIONS else None
    try:
        if si_unit is None:
            result = float(q.to_base_units().magnitude)
        elif q.units == ureg.Unit(si_unit):
            result = float(q.magnitude)
        elif dimension == TEMPERATURE:  # offset units (degC, degF): not a plain factor
            result = float(q.to(si_unit).magnitude)
        else:
            result = _convert_exact(number, unit, si_unit)
    except Exception as err:
        raise QuantityError(key, value, f"cannot convert ({err})", expected) from None
    if not math.isfinite(result):
        raise QuantityError(key, value, "is not finite", expected)
    return result


def format_quantity(si_value: float, dimension: str) -> str:
    """An SI value as a string in the canonical SI unit, e.g. ``"5e-05 m"``, ``"0.05 S/m"``.

    ``parse_quantity(format_quantity(x, d), d, key) == x`` exactly (``repr`` of the float).
    """
    return f"{float(si_value)!r} {DIMENSIONS[dimension].si_unit}"


# --------------------------------------------------------------------------- display units
# Results are SI internally; messages, CSV columns, JSON keys and plots often show the
# electrochemists' units instead. The helpers below are the one place those factors are
# written, each as the exact floating-point operation the code used before (so the numbers
# written stay the same to the last bit): converting to the display unit divides by 10 or
# 36000, or multiplies by 1e4 (ohm cm^2) or 10 (mS/cm).

#: A/m^2 in 1 mA/cm^2 (current density).
A_PER_M2_PER_MA_PER_CM2 = 10.0
#: C/m^2 in 1 mAh/cm^2 (areal capacity: 1e-3 A x 3600 s per 1e-4 m^2).
C_PER_M2_PER_MAH_PER_CM2 = 36000.0
#: ohm cm^2 in 1 ohm m^2 (area-specific resistance).
OHM_CM2_PER_OHM_M2 = 1e4
#: mS/cm in 1 S/m (conductivity).
MS_PER_CM_PER_S_PER_M = 10.0


def to_mA_per_cm2(current_density: float) -> float:
    """A current density in mA/cm^2.

    Parameters
    ----------
    current_density : float or numpy.ndarray
        Current density [A/m^2].

    Returns
    -------
    float or numpy.ndarray
        ``current_density / 10.0`` [mA/cm^2].
    """
    return current_density / A_PER_M2_PER_MA_PER_CM2


def from_mA_per_cm2(value: float) -> float:
    """A current density given in mA/cm^2, in SI.

    Parameters
    ----------
    value : float or numpy.ndarray
        Current density [mA/cm^2].

    Returns
    -------
    float or numpy.ndarray
        ``value * 10.0`` [A/m^2] (what :func:`parse_quantity` gives for ``"<value> mA/cm^2"``).
    """
    return value * A_PER_M2_PER_MA_PER_CM2


def to_mAh_per_cm2(charge_density: float) -> float:
    """An areal capacity (charge per area) in mAh/cm^2.

    Parameters
    ----------
    charge_density : float or numpy.ndarray
        Charge per area [C/m^2].

    Returns
    -------
    float or numpy.ndarray
        ``charge_density / 36000.0`` [mAh/cm^2].
    """
    return charge_density / C_PER_M2_PER_MAH_PER_CM2


def from_mAh_per_cm2(value: float) -> float:
    """An areal capacity given in mAh/cm^2, in SI.

    Parameters
    ----------
    value : float or numpy.ndarray
        Areal capacity [mAh/cm^2].

    Returns
    -------
    float or numpy.ndarray
        ``value * 36000.0`` [C/m^2] (what :func:`parse_quantity` gives for
        ``"<value> mAh/cm^2"``).
    """
    return value * C_PER_M2_PER_MAH_PER_CM2


def to_ohm_cm2(resistance: float) -> float:
    """An area-specific resistance in ohm cm^2.

    Parameters
    ----------
    resistance : float or numpy.ndarray
        Area-specific resistance [ohm m^2].

    Returns
    -------
    float or numpy.ndarray
        ``resistance * 1e4`` [ohm cm^2].
    """
    return resistance * OHM_CM2_PER_OHM_M2


def from_ohm_cm2(value: float) -> float:
    """An area-specific resistance given in ohm cm^2, in SI.

    Parameters
    ----------
    value : float or numpy.ndarray
        Area-specific resistance [ohm cm^2].

    Returns
    -------
    float or numpy.ndarray
        ``value * 1e-4`` [ohm m^2]. :func:`parse_quantity` divides by 1e4 instead, which can
        differ in the last bit (``3 * 1e-4`` is not ``3 / 1e4``); equal for e.g. 1, 2, 4, 0.5.
    """
    return value * 1e-4


def to_mS_per_cm(conductivity: float) -> float:
    """A conductivity in mS/cm.

    Parameters
    ----------
    conductivity : float or numpy.ndarray
        Conductivity [S/m].

    Returns
    -------
    float or numpy.ndarray
        ``conductivity * 10.0`` [mS/cm].
    """
    return conductivity * MS_PER_CM_PER_S_PER_M


def from_mS_per_cm(value: float) -> float:
    """A conductivity given in mS/cm, in SI.

    Parameters
    ----------
    value : float or numpy.ndarray
        Conductivity [mS/cm].

    Returns
    -------
    float or numpy.ndarray
        ``value / 10.0`` [S/m] (what :func:`parse_quantity` gives for ``"<value> mS/cm"``).
    """
    return value / MS_PER_CM_PER_S_PER_M


#: Units people read results in, by SI unit (plots and reports only; files stay SI).
DISPLAY_UNITS: dict[str, str] = {
    **{d.si_unit: d.example.split(" ", 1)[1] for d in DIMENSIONS.values()
       if d.si_unit not in ("K", "s")},  # kelvin (an offset unit) and seconds stay
    "V": "mV",
}


def display_unit(si_unit: str) -> tuple[str, float]:
    """The display unit of an SI unit and the factor from SI to it (``"m"`` -> ``("um",
    1e6)``); an unknown unit is shown as it is (factor 1)."""
    unit = DISPLAY_UNITS.get(si_unit)
    if unit is None:
        return si_unit, 1.0
    try:
        factor = float(ureg.Quantity(1.0, si_unit).to(unit).magnitude)
    except (pint.errors.PintError, ValueError):
        return si_unit, 1.0
    return unit, factor
