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
Feder & Charbnau 1966 vacancies). Sources sit with each number in the modules named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssbx.physics.constants import LI_MOLAR_VOLUME, NA_MOLAR_VOLUME
from ssbx.physics.creep_laws import (
    LI_ELASTIC_MASIAS_2019,
    MASIAS_2019,
    NA_ELASTIC_WANG_2020,
    WANG_2020_NA,
    LiElastic,
    PowerLawCreep,
)
from ssbx.physics.vacancy import METALS, Metal


@dataclass(frozen=True)
class AnodeMetal:
    """One anode metal: name; molar_volume Omega [m^3/mol]; elastic (E [Pa], nu); creep: its
    power-law creep law; vacancy: its vacancy data; sources: provenance of the composite (the
    Anand preset of ``mechanics.li_model`` is fitted to pure Li and refused for the others)."""

    name: str
    molar_volume: float
    elastic: LiElastic
    creep: PowerLawCreep
    vacancy: Metal
    sources: dict[str, str] = field(default_factory=dict, compare=False)


ANODE_METALS: dict[str, AnodeMetal] = {
    "Li": AnodeMetal("Li", LI_MOLAR_VOLUME, LI_ELASTIC_MASIAS_2019, MASIAS_2019, METALS["Li"],
                     sources={"mechanics": "Masias et al. 2019"}),
    "Li-Mg": AnodeMetal("Li-Mg", LI_MOLAR_VOLUME, LI_ELASTIC_MASIAS_2019, MASIAS_2019,
                        METALS["Li-Mg"], sources={
                            "mechanics": "as Li (placeholder: the alloy's creep is not in the "
                                         "seeds; Mg hardens Li (check))"}),
    "Na": AnodeMetal("Na", NA_MOLAR_VOLUME, NA_ELASTIC_WANG_2020, WANG_2020_NA, METALS["Na"],
                     sources={"mechanics": "Wang et al. 2020, Materialia 12, 100792"}),
}


def anode_metal(name: str) -> AnodeMetal:
    """The preset called ``name``; ``KeyError`` naming the presets otherwise."""
    try:
        return ANODE_METALS[name]
    except KeyError:
        raise KeyError(f"no anode metal {name!r}; presets: {', '.join(ANODE_METALS)}") from None


__all__ = ["ANODE_METALS", "AnodeMetal", "anode_metal"]
