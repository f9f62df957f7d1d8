"""The anode metals ssbx knows (case key ``anode.metal``): what each one sets, SI units.

A metal anode enters the model in four places, and one name picks all four so that a Na cell
cannot silently run with Li's molar volume:

- molar volume Omega [m^3/mol]: stripped thickness per charge ``Omega / F`` (contact kinematics)
  and the stress term of the overpotential ``Omega sigma_nn / F``;
- elastic constants (E, nu) and the power-law creep law of the metal (defaults of the
  ``[mechanics]`` keys, which still override them);
- vacancy data (formation, self-diffusion, Burgers vector, surface energy:
  :data:`ssbx.physics.vacancy.METALS`).

Presets: ``Li`` (Masias et al. 2019 mechanics; Feder 1970 vacancies), ``Li-Mg`` (Li with
5-20 at% Mg: Li mechanics and molar volume, slower self-diffusion, see
:data:`ssbx.physics.vacancy.LI_MG_DIFFUSION_RATIO`) and ``Na`` (Wang et al. 2020 mechanics,
Feder & Charbnau 1966 vacancies). Every number has a :class:`~ssbx.physics.parameters.Parameter`
record in the object that holds it; :attr:`AnodeMetal.all_parameters` collects a metal's.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from ssbx.physics.constants import LI_MOLAR_VOLUME, NA_MOLAR_VOLUME
from ssbx.physics.creep_laws import (
    LI_ELASTIC_MASIAS_2019,
    MASIAS_2019,
    NA_ELASTIC_WANG_2020,
    WANG_2020_NA,
    PowerLawCreep,
)
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.parameters import Parameter, Parameters
from ssbx.physics.vacancy import METALS, Metal


@dataclass(frozen=True)
class AnodeMetal:
    """One anode metal: name; molar_volume Omega [m^3/mol]; elastic: E [Pa], nu; creep: its
    power-law creep law; vacancy: its vacancy data; parameters: the record of the molar volume
    (the others sit in ``elastic``, ``creep`` and ``vacancy``; :attr:`all_parameters` joins
    them). The Anand preset of ``mechanics.li_model`` is fitted to pure Li and refused for the
    others."""

    name: str
    molar_volume: float
    elastic: ElasticMaterial
    creep: PowerLawCreep
    vacancy: Metal
    parameters: Parameters = field(default=(), compare=False, repr=False)
    resistivity: float = math.nan
    """Electrical resistivity [ohm m] (the metal inside a metal-filled crack, see
    :func:`ssbx.physics.extrusion.filament_ohmic_drop`); its record sits in ``parameters``."""

    @property
    def all_parameters(self) -> Parameters:
        """Every record of the metal: molar volume, elastic constants, creep law, vacancy data."""
        return (*self.parameters, *self.elastic.parameters, *self.creep.parameters,
                *self.vacancy.all_parameters)


def _as_li(parameters: Parameters) -> Parameters:
    """Li's records, marked as a placeholder for the Li-Mg alloy."""
    return tuple(dataclasses.replace(
        p, status="assumed", note="Li value used for Li-Mg (placeholder: the alloy's mechanics "
        "are not measured here; Mg hardens Li (check)); for Li: " + p.note) for p in parameters)


LI_RESISTIVITY = 92.8e-9
"""Electrical resistivity of Li at 20 C [ohm m] (CRC Handbook of Chemistry and Physics)."""
NA_RESISTIVITY = 47.7e-9
"""Electrical resistivity of Na at 20 C [ohm m] (CRC Handbook of Chemistry and Physics)."""
_LI_RESISTIVITY = Parameter("resistivity", LI_RESISTIVITY, "ohm m", "crc2016", "standard",
                            "Li at 20 C, 92.8 nOhm m")


ANODE_METALS: dict[str, AnodeMetal] = {
    "Li": AnodeMetal("Li", LI_MOLAR_VOLUME, LI_ELASTIC_MASIAS_2019, MASIAS_2019, METALS["Li"],
                     parameters=(Parameter("molar_volume", LI_MOLAR_VOLUME, "m^3/mol", "",
                                           "standard", "M / rho = 6.941e-3 kg/mol / 534 kg/m^3"),
                                 _LI_RESISTIVITY),
                     resistivity=LI_RESISTIVITY),
    "Li-Mg": AnodeMetal(
        "Li-Mg", LI_MOLAR_VOLUME,
        dataclasses.replace(LI_ELASTIC_MASIAS_2019,
                            parameters=_as_li(LI_ELASTIC_MASIAS_2019.parameters)),
        dataclasses.replace(MASIAS_2019, parameters=_as_li(MASIAS_2019.parameters)),
        METALS["Li-Mg"],
        parameters=(Parameter("molar_volume", LI_MOLAR_VOLUME, "m^3/mol", "", "assumed",
                              "as Li (a dilute alloy; Mg changes it by < 2 % (check))"),
                    *_as_li((_LI_RESISTIVITY,))),
        resistivity=LI_RESISTIVITY),
    "Na": AnodeMetal("Na", NA_MOLAR_VOLUME, NA_ELASTIC_WANG_2020, WANG_2020_NA, METALS["Na"],
                     parameters=(Parameter("molar_volume", NA_MOLAR_VOLUME, "m^3/mol", "",
                                           "standard", "M / rho = 22.990e-3 kg/mol / 968 kg/m^3 "
                                           "(solid Na at 20 C, handbook density, check)"),
                                 Parameter("resistivity", NA_RESISTIVITY, "ohm m", "crc2016",
                                           "standard", "Na at 20 C, 47.7 nOhm m")),
                     resistivity=NA_RESISTIVITY),
}


def anode_metal(name: str) -> AnodeMetal:
    """The preset called ``name``; ``KeyError`` naming the presets otherwise."""
    try:
        return ANODE_METALS[name]
    except KeyError:
        raise KeyError(f"no anode metal {name!r}; presets: {', '.join(ANODE_METALS)}") from None


__all__ = ["ANODE_METALS", "LI_RESISTIVITY", "NA_RESISTIVITY", "AnodeMetal", "anode_metal"]
