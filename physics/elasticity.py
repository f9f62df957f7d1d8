"""Isotropic linear elasticity: material constants, Mandel stiffness and literature presets.

Mandel notation (used by every mechanics module of ssbx): symmetric tensors are 6-vectors

    strain = [e_xx, e_yy, e_zz, sqrt2 e_xy, sqrt2 e_yz, sqrt2 e_xz],
    stress = [s_xx, s_yy, s_zz, sqrt2 s_xy, sqrt2 s_yz, sqrt2 s_xz],

so that ``stress . strain = sigma : eps`` and the stiffness is a symmetric 6x6 matrix. In
axisymmetry (x = r, y = z) the slots 0, 1, 2 hold r, z, theta and slot 3 holds ``sqrt2 e_rz``.

Presets (room temperature, polycrystalline/dense material). The values are literature values for
the order of magnitude the solver needs; the ones marked *approximate* scatter between sources
(dense vs porous pellets, indentation vs ultrasound vs DFT) and must be checked against the primary
paper before a result depends on them quantitatively.

- ``LITHIUM``: :data:`ssbx.physics.creep_laws.LI_ELASTIC` (the creep-law module owns the Li data:
  E = 7.82 GPa, nu = 0.38, pulse-echo, Masias et al., J. Mater. Sci. 54 (2019) 2585, Table 2).
- ``LLZO`` (cubic Li7La3Zr2O12, Ta/Al-doped garnet): E = 150 GPa, nu = 0.257. Ni, Case, Sakamoto
  et al., J. Mater. Sci. 47 (2012) 7978 (resonant ultrasound on hot-pressed cubic LLZO: E = 149.8
  GPa, G = 59.6 GPa, nu = 0.257); Yu, Schmidt et al., Chem. Mater. 28 (2016) 197 (E ~ 147-150 GPa
  by ultrasound and DFT). Values for dense (> 97 %) pellets.
- ``LI6PS5CL`` (argyrodite): E = 22 GPa, nu = 0.30, *approximate*. DFT elastic moduli of
  Li6PS5Cl: B ~ 29 GPa, G ~ 8 GPa, E ~ 22 GPa (Deng, Zhu, Ong et al., Chem. Mater. 28 (2016)
  7 (``Data-driven first-principles methods for the study and design of alkali superionic
  conductors``) *check*); measured values on cold-pressed pellets scatter between ~20 and 30 GPa
  (porosity-dependent). nu = 0.30 is a round value between DFT (~0.37) and pellet measurements.
- ``LPS_GLASS`` (glassy 70Li2S-30P2S5): E = 18.5 GPa (McGrogan, Swamy, Bishop, Eggleton, Porz,
  Chen, Chiang, Van Vliet, Adv. Energy Mater. 7 (2017) 1602011, nanoindentation; also
  K_Ic = 0.23 MPa m^0.5), nu = 0.30 *assumed* (not measured there; ~0.3 is typical of sulfide
  glasses, e.g. Sakuda et al., Sci. Rep. 3 (2013) 2261 for 75Li2S-25P2S5 *check*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ssbx.physics.creep_laws import LI_ELASTIC

SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class ElasticMaterial:
    """Isotropic linear-elastic material.

    name: label; E: Young's modulus [Pa]; nu: Poisson's ratio [-]; source: where the numbers come
    from (free text, shown in outputs).
    """

    name: str
    E: float
    nu: float
    source: str = ""

    def __post_init__(self) -> None:
        if not self.E > 0.0:
            raise ValueError(f"{self.name}: Young's modulus must be > 0, got {self.E!r}")
        if not -1.0 < self.nu < 0.5:
            raise ValueError(f"{self.name}: Poisson's ratio must be in (-1, 0.5), got {self.nu!r}")

    @property
    def shear_modulus(self) -> float:
        """G = mu = E / (2 (1 + nu)) [Pa]."""
        return self.E / (2.0 * (1.0 + self.nu))

    @property
    def bulk_modulus(self) -> float:
        """K = E / (3 (1 - 2 nu)) [Pa]."""
        return self.E / (3.0 * (1.0 - 2.0 * self.nu))

    @property
    def lame_lambda(self) -> float:
        """Lamé's first parameter lambda = E nu / ((1 + nu)(1 - 2 nu)) [Pa]."""
        return self.E * self.nu / ((1.0 + self.nu) * (1.0 - 2.0 * self.nu))

    @property
    def plane_strain_modulus(self) -> float:
        """E' = E / (1 - nu^2) [Pa]."""
        return self.E / (1.0 - self.nu**2)

    def mandel_stiffness(self) -> np.ndarray:
        """The 6x6 stiffness ``C`` in Mandel notation: ``stress = C @ strain``."""
        return mandel_stiffness(self.lame_lambda, self.shear_modulus)


def mandel_stiffness(lmbda: float, mu: float) -> np.ndarray:
    """Isotropic Mandel stiffness ``lambda 1 (x) 1 + 2 mu I`` (6x6, float64)."""
    C = 2.0 * mu * np.eye(6)
    C[:3, :3] += lmbda
    return C


LITHIUM = ElasticMaterial(
    "Li", float(LI_ELASTIC[0]), float(LI_ELASTIC[1]),
    "Masias et al., J. Mater. Sci. 54 (2019) 2585, Table 2 (ssbx.physics.creep_laws.LI_ELASTIC)")
LLZO = ElasticMaterial(
    "LLZO", 150e9, 0.257,
    "Ni et al., J. Mater. Sci. 47 (2012) 7978; Yu et al., Chem. Mater. 28 (2016) 197")
LI6PS5CL = ElasticMaterial(
    "Li6PS5Cl", 22e9, 0.30,
    "approximate: DFT E ~ 22 GPa (Deng et al., Chem. Mater. 2016, check); pellets 20-30 GPa")
LPS_GLASS = ElasticMaterial(
    "70Li2S-30P2S5", 18.5e9, 0.30,
    "E: McGrogan et al., Adv. Energy Mater. 7 (2017) 1602011; nu = 0.30 assumed")

NA_BETA_ALUMINA = ElasticMaterial(
    "Na-beta-alumina", 200e9, 0.23,
    "approximate (check): polycrystalline Na-beta''-alumina E ~ 190-210 GPa, nu ~ 0.2-0.25 "
    "(handbook range for sintered beta-aluminas)")

#: Electrolyte presets by name (look-up with :func:`electrolyte_material`, case-insensitive).
ELECTROLYTE_PRESETS: dict[str, ElasticMaterial] = {
    "LLZO": LLZO,
    "Li6PS5Cl": LI6PS5CL,
    "70Li2S-30P2S5": LPS_GLASS,
    "Na-beta-alumina": NA_BETA_ALUMINA,
}


def electrolyte_material(name: str) -> ElasticMaterial:
    """The electrolyte preset called ``name`` (case-insensitive); ``KeyError`` lists the names."""
    for key, material in ELECTROLYTE_PRESETS.items():
        if key.lower() == name.strip().lower():
            return material
    raise KeyError(f"no elastic preset for electrolyte {name!r}; presets: "
                   f"{', '.join(ELECTROLYTE_PRESETS)}")


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
