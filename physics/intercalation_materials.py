"""Intercalation hosts (cathode and anode active materials): the data a particle problem needs,
with provenance (:class:`~ssbx.physics.parameters.Parameter` records). No UFL here: case
validation reads these presets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.parameters import Parameter, Parameters


@dataclass(frozen=True)
class IntercalationMaterial:
    """An intercalation host: Li diffusivity D [m^2/s], the largest Li concentration c_max
    [mol/m^3], the partial molar volume of Li Omega [m^3/mol] (isotropic chemical strain
    ``Omega (c - c_ref) / 3``) and the elastic constants. ``parameters``: provenance."""

    name: str
    diffusivity: float
    max_concentration: float
    molar_volume: float
    elastic: ElasticMaterial
    parameters: Parameters = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("diffusivity", "max_concentration"):
            if not getattr(self, key) > 0.0:
                raise ValueError(f"{self.name}: {key} must be > 0, got {getattr(self, key)!r}")
        if not math.isfinite(self.molar_volume):
            raise ValueError(f"{self.name}: molar_volume must be finite, got "
                             f"{self.molar_volume!r}")

    @property
    def stress_factor(self) -> float:
        """``Omega E / (9 (1 - nu))`` [Pa m^3/mol] (Cheng & Verbrugge 2009)."""
        return self.molar_volume * self.elastic.E / (9.0 * (1.0 - self.elastic.nu))


_ZHANG = "zhang2007"
#: LiMn2O4 as modelled by Zhang, Shyy & Sastry (2007, Table I) and Cheng & Verbrugge (2009):
#: the parameter set of most diffusion-induced-stress studies of spinel particles.
LIMN2O4 = IntercalationMaterial(
    "LiMn2O4", diffusivity=7.08e-15, max_concentration=2.29e4, molar_volume=3.497e-6,
    elastic=ElasticMaterial("LiMn2O4", 10e9, 0.3, parameters=(
        Parameter("E", 10e9, "Pa", _ZHANG, "check", "Table I, Young's modulus of LiMn2O4"),
        Parameter("nu", 0.3, "1", _ZHANG, "check", "Table I, Poisson's ratio"))),
    parameters=(
        Parameter("diffusivity", 7.08e-15, "m^2/s", _ZHANG, "check", "Table I, D of LiMn2O4"),
        Parameter("max_concentration", 2.29e4, "mol/m^3", _ZHANG, "check",
                  "Table I, maximum Li concentration"),
        Parameter("molar_volume", 3.497e-6, "m^3/mol", _ZHANG, "check",
                  "Table I, partial molar volume of Li in LiMn2O4"),
    ))

PARTICLE_MATERIALS: dict[str, IntercalationMaterial] = {"LiMn2O4": LIMN2O4}

#: NMC811's elastic constants for the embedded particle (``embedded.particle_*`` defaults): the
#: order of the nanoindentation moduli reported for layered NMC oxides. The contact-loss
#: pressure of a dilute particle does not depend on them
#: (:func:`ssbx.physics.particle_contact.contact_loss_pressure`).
NMC811_ELASTIC = ElasticMaterial("NMC811", 199e9, 0.25, parameters=(
    Parameter("E", 199e9, "Pa", "", "estimated",
              "order of the nanoindentation moduli of layered NMC oxides (~150-200 GPa); the "
              "dilute contact-loss pressure is independent of it"),
    Parameter("nu", 0.25, "1", "", "estimated", "typical of layered oxides")))

#: NMC811's Li diffusivity for the embedded particle charged by diffusion
#: (``embedded.diffusivity`` default): the positive particle of the LG M50 cell in Chen et al.'s
#: parameterisation (read from PyBaMM's ``Chen2020`` parameter set).
NMC811_DIFFUSIVITY = Parameter(
    "diffusivity", 4e-15, "m^2/s", "chen2020", "check",
    "positive particle diffusivity (NMC811, LG M50) of the Chen et al. 2020 parameter set, as "
    "PyBaMM's Chen2020 carries it; a liquid-electrolyte cell; GITT values of layered oxides "
    "span 1e-16 to 1e-13 m^2/s")


__all__ = ["LIMN2O4", "NMC811_DIFFUSIVITY", "NMC811_ELASTIC", "PARTICLE_MATERIALS",
           "IntercalationMaterial"]
