"""The parameter records of every built-in material, grouped for listing
(``ssbx info --citations``) and for the checks of ``tests/test_parameters.py``.

Groups: each anode metal (molar volume, elastic constants, power-law creep law, vacancy data),
the Anand model of Li, the size- and rate-dependent flow law of Li, the vacancy defaults, each
electrolyte preset (conductivity, its activation energy, elastic constants).
"""

from __future__ import annotations

from ssbx.physics.anode_metals import ANODE_METALS
from ssbx.physics.creep_laws import LI_SIZE_RATE_PARAMETERS, NARAYAN_ANAND_2018
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.intercalation_materials import (
    NMC811_DIFFUSIVITY,
    NMC811_ELASTIC,
    PARTICLE_MATERIALS,
)
from ssbx.physics.parameters import Parameters
from ssbx.physics.vacancy import DISLOCATION_DENSITY_PARAMETER, LI_MG_DIFFUSION_RATIO_PARAMETER

#: Label of the group of the Anand model in :func:`builtin_parameters`.
ANAND_GROUP = "Li creep: Anand model (mechanics.li_model = \"anand\")"
#: Label of the group of the size- and rate-dependent Li flow law in :func:`builtin_parameters`.
STRENGTH_GROUP = "Li size- and rate-dependent flow (mechanics.strength_size)"
#: Label of the group of the vacancy defaults in :func:`builtin_parameters`.
VACANCY_GROUP = "vacancy defaults"


def metal_group(name: str) -> str:
    """Label of the group of the anode metal ``name``."""
    return f"anode metal {name}"


def electrolyte_group(name: str) -> str:
    """Label of the group of the electrolyte preset ``name``."""
    return f"electrolyte {name}"


def builtin_parameters() -> dict[str, Parameters]:
    """Every built-in record, by group label (in a stable order)."""
    groups: dict[str, Parameters] = {}
    for name, metal in ANODE_METALS.items():
        extra = (LI_MG_DIFFUSION_RATIO_PARAMETER,) if name == "Li-Mg" else ()
        groups[metal_group(name)] = (*metal.all_parameters, *extra)
    groups[ANAND_GROUP] = NARAYAN_ANAND_2018.parameters
    groups[STRENGTH_GROUP] = LI_SIZE_RATE_PARAMETERS
    groups[VACANCY_GROUP] = (DISLOCATION_DENSITY_PARAMETER,)
    for name, electrolyte in ELECTROLYTES.items():
        groups[electrolyte_group(name)] = electrolyte.all_parameters
    for name, material in PARTICLE_MATERIALS.items():
        groups[f"particle: {name}"] = (*material.parameters, *material.elastic.parameters)
    groups["embedded particle: NMC811"] = (*NMC811_ELASTIC.parameters, NMC811_DIFFUSIVITY)
    return groups


__all__ = [
    "ANAND_GROUP",
    "STRENGTH_GROUP",
    "VACANCY_GROUP",
    "builtin_parameters",
    "electrolyte_group",
    "metal_group",
]
