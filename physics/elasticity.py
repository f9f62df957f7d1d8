"""Isotropic linear elasticity: material constants, Mandel stiffness and literature presets.

Mandel notation (used by every mechanics module of ssbx): symmetric tensors are 6-vectors

    strain = [e_xx, e_yy, e_zz, sqrt2 e_xy, sqrt2 e_yz, sqrt2 e_xz],
    stress = [s_xx, s_yy, s_zz, sqrt2 s_xy, sqrt2 s_yz, sqrt2 s_xz],

so that ``stress . strain = sigma : eps`` and the stiffness is a symmetric 6x6 matrix. In
axisymmetry (x = r, y = z) the slots 0, 1, 2 hold r, z, theta and slot 3 holds ``sqrt2 e_rz``.

Presets (room temperature, polycrystalline/dense material; each value with its
:class:`~ssbx.physics.parameters.Parameter` record in ``parameters``: SI value, unit, BibTeX key
of ``docs/references.bib``, status):

- ``LITHIUM``: :data:`ssbx.physics.creep_laws.LI_ELASTIC_MASIAS_2019` (the creep-law module owns
  the Li data: E = 7.82 GPa, nu = 0.38, pulse-echo, Masias et al., J. Mater. Sci. 54 (2019) 2585,
  Table 2).
- ``LLZO``, ``LI6PS5CL``, ``LPS_GLASS``, ``NA_BETA_ALUMINA``: the elastic constants of the
  electrolyte presets of :mod:`ssbx.physics.electrolytes` (which carry the conductivity and its
  activation energy as well; sources there). Values marked *approximate* there scatter between
  sources (dense vs porous pellets, indentation vs ultrasound vs DFT) and must be checked against
  the primary paper before a result depends on them quantitatively.
"""

from __future__ import annotations

import math

from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019
from ssbx.physics.elastic_material import ElasticMaterial, mandel_stiffness
from ssbx.physics.electrolytes import ELECTROLYTES, electrolyte_preset

SQRT2 = math.sqrt(2.0)

LITHIUM = LI_ELASTIC_MASIAS_2019
LLZO = ELECTROLYTES["LLZO"].elastic
LI6PS5CL = ELECTROLYTES["Li6PS5Cl"].elastic
LPS_GLASS = ELECTROLYTES["70Li2S-30P2S5"].elastic
NA_BETA_ALUMINA = ELECTROLYTES["Na-beta-alumina"].elastic

#: Elastic constants of the electrolyte presets by name (look-up with
#: :func:`electrolyte_material`, case-insensitive).
ELECTROLYTE_PRESETS: dict[str, ElasticMaterial] = {
    name: electrolyte.elastic for name, electrolyte in ELECTROLYTES.items()}


def electrolyte_material(name: str) -> ElasticMaterial:
    """The elastic constants of the electrolyte preset called ``name`` (case-insensitive;
    :attr:`ssbx.physics.electrolytes.Electrolyte.elastic`); ``KeyError`` lists the names."""
    try:
        return electrolyte_preset(name).elastic
    except KeyError:
        raise KeyError(f"no elastic preset for electrolyte {name!r}; presets: "
                       f"{', '.join(ELECTROLYTE_PRESETS)}") from None


__all__ = [
    "ELECTROLYTE_PRESETS",
    "LI6PS5CL",
    "LITHIUM",
    "LLZO",
    "LPS_GLASS",
    "NA_BETA_ALUMINA",
    "SQRT2",
    "ElasticMaterial",
    "electrolyte_material",
    "mandel_stiffness",
]
