"""Solid-electrolyte presets: ionic conductivity with its Arrhenius law and elastic constants,
each value with its :class:`~ssbx.physics.parameters.Parameter` record.

These records document the built-in electrolytes. What a run uses is decided elsewhere and is
not changed by this module: the conductivity and its activation energy come from the case file
(``[electrolyte]`` keys, which have their own defaults), the elastic constants from the preset
named by ``mechanics.electrolyte_preset`` (:func:`ssbx.physics.elasticity.electrolyte_material`
returns :attr:`Electrolyte.elastic` of the preset here) unless the case overrides them.

Presets (room temperature; dense pellets unless stated):

- ``LLZO`` (cubic Li7La3Zr2O12, Al/Ta-doped garnet): kappa = 0.5 mS/cm (Al-LLZO pellets of
  ~87 % density, Afyon et al. 2019); Ea = 0.385 eV, the middle of the garnet-family range
  0.19-0.58 eV of the 2020 roadmap (Pasta et al. 2020, Table 1), *estimated*; E = 150 GPa,
  nu = 0.257 (resonant ultrasound on hot-pressed cubic LLZO, Ni et al. 2012; Yu et al. 2016:
  147-150 GPa by ultrasound and DFT).
- ``Li6PS5Cl`` (argyrodite): kappa = 1.3 mS/cm, Ea = 0.33 eV (Lian et al. 2019, Table 2, from
  a ball-milled sample, *check*); E = 22 GPa, nu = 0.30 *approximate*: DFT moduli B ~ 29 GPa,
  G ~ 8 GPa, E ~ 22 GPa (Deng, Zhu, Ong et al. 2016 *check*), pellets 20-30 GPa
  (porosity-dependent); nu = 0.30 between DFT (~0.37) and pellet measurements.
- ``70Li2S-30P2S5`` (glass): kappa = 0.1 mS/cm, Ea = 0.36 eV of the 67Li2S-33P2S5 glass in
  Lian et al. 2019, Table 2 (a neighbouring composition, *check*); E = 18.5 GPa
  (nanoindentation, McGrogan et al. 2017; also K_Ic = 0.23 MPa m^0.5), nu = 0.30 *assumed*
  (~0.3 is typical of sulfide glasses, e.g. Sakuda et al. 2013 for 75Li2S-25P2S5).
- Fracture toughness K_Ic: LLZO 1.25 MPa m^0.5 (Wolfenstine et al. 2013; garnets
  1.0-1.25), 70Li2S-30P2S5 glass 0.23 MPa m^0.5 (McGrogan et al. 2017), Li6PS5Cl the glass's
  value *assumed*; Na-beta-alumina none.
- ``Na-beta-alumina`` (polycrystalline Na-beta''-alumina): kappa = 1.5 mS/cm *estimated*
  (1-2 mS/cm at room temperature, the value of the Na stripping benchmark); activation energy
  not known to ssbx (``None``); E = 200 GPa, nu = 0.23 *approximate* (handbook range of sintered
  beta-aluminas, E ~ 190-210 GPa, nu ~ 0.2-0.25).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssbx.physics.conductivity import arrhenius
from ssbx.physics.constants import FARADAY
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.parameters import Parameter, Parameters

#: 1 eV per ion in J/mol.
_EV = FARADAY
#: 1 mS/cm in S/m.
_MS_PER_CM = 0.1


@dataclass(frozen=True)
class Electrolyte:
    """A solid-electrolyte preset.

    Parameters
    ----------
    name : str
        Preset name (the ``mechanics.electrolyte_preset`` choice).
    conductivity : float
        Li+ (Na+) conductivity kappa_ref [S/m] at ``reference_temperature``.
    activation_energy : float or None
        Activation energy Ea of the conductivity [J/mol]; ``None`` where ssbx has no value.
    elastic : ElasticMaterial
        Elastic constants (with their records).
    reference_temperature : float, optional
        T_ref [K] of ``conductivity``.
    fracture_toughness : float or None, optional
        Mode-I fracture toughness K_Ic [Pa m^0.5] (Li-filled cracks,
        :mod:`ssbx.physics.fracture`); ``None`` where ssbx has no value.
    parameters : tuple of Parameter, optional
        Provenance of ``conductivity``, ``activation_energy`` and ``reference_temperature``
        (the elastic records are in ``elastic.parameters``; :attr:`all_parameters` joins them).
    """

    name: str
    conductivity: float
    activation_energy: float | None
    elastic: ElasticMaterial
    reference_temperature: float = 298.15
    fracture_toughness: float | None = None
    parameters: Parameters = field(default=(), compare=False, repr=False)

    @property
    def all_parameters(self) -> Parameters:
        """The records of the conductivity and of the elastic constants."""
        return (*self.parameters, *self.elastic.parameters)

    def conductivity_at(self, temperature: float) -> float:
        """kappa [S/m] at ``temperature`` [K] by the Arrhenius law (``ValueError`` away from
        the reference temperature when the activation energy is not known)."""
        if self.activation_energy is None:
            if temperature == self.reference_temperature:
                return self.conductivity
            raise ValueError(f"{self.name}: no activation energy of the conductivity is known")
        return arrhenius(self.conductivity, self.activation_energy, temperature,
                         self.reference_temperature)


def _room_temperature(citation: str, status: str, note: str) -> Parameter:
    return Parameter("reference_temperature", 298.15, "K", citation, status, note)


_LLZO = Electrolyte(
    "LLZO", 0.5 * _MS_PER_CM, 0.385 * _EV,
    ElasticMaterial("LLZO", 150e9, 0.257, parameters=(
        Parameter("E", 150e9, "Pa", "ni2012", "measured",
                  "resonant ultrasound on hot-pressed cubic LLZO (> 97 % dense): E = 149.8 GPa, "
                  "G = 59.6 GPa; Yu et al. 2016 (yu2016): 147-150 GPa by ultrasound and DFT"),
        Parameter("nu", 0.257, "1", "ni2012", "measured", "resonant ultrasound, hot-pressed"),
    )),
    parameters=(
        Parameter("conductivity", 0.5 * _MS_PER_CM, "S/m", "afyon2019", "measured",
                  "~0.5 mS/cm at room temperature, c-Li6.25Al0.25La3Zr2O12 pellets of ~87 % "
                  "relative density (garnets 0.1-1 mS/cm: pasta2020)"),
        Parameter("activation_energy", 0.385 * _EV, "J/mol", "pasta2020", "estimated",
                  "middle of the garnet-family range 0.19-0.58 eV (Table 1)"),
        _room_temperature("afyon2019", "measured", "room temperature"),
        Parameter("fracture_toughness", 1.25e6, "Pa m^0.5", "wolfenstine2013", "measured",
                  "Vickers indentation of hot-pressed cubic LLZO, 1.25 +/- 0.32 MPa m^0.5; "
                  "reported range of garnets ~1.0-1.25 MPa m^0.5"),
    ),
    fracture_toughness=1.25e6,
)

_LI6PS5CL = Electrolyte(
    "Li6PS5Cl", 1.3 * _MS_PER_CM, 0.33 * _EV,
    ElasticMaterial("Li6PS5Cl", 22e9, 0.30, parameters=(
        Parameter("E", 22e9, "Pa", "deng2016", "check",
                  "approximate: DFT E ~ 22 GPa (B ~ 29 GPa, G ~ 8 GPa); pellets 20-30 GPa "
                  "(porosity-dependent); shear modulus ~8 GPa also in pasta2020, Table 1"),
        Parameter("nu", 0.30, "1", "", "estimated",
                  "round value between DFT (~0.37) and pellet measurements"),
    )),
    parameters=(
        Parameter("conductivity", 1.3 * _MS_PER_CM, "S/m", "lian2019", "check",
                  "Table 2 (1.3e-3 S/cm; the text: 1.33e-3 S/cm at 25 C, ball-milled, after "
                  "Boulineau et al. 2012, not read here)"),
        Parameter("activation_energy", 0.33 * _EV, "J/mol", "lian2019", "check",
                  "Table 2: 0.33 eV (argyrodite family 0.16-0.68 eV: pasta2020, Table 1)"),
        _room_temperature("lian2019", "check", "25 C"),
        Parameter("fracture_toughness", 0.23e6, "Pa m^0.5", "mcgrogan2017", "assumed",
                  "no measurement on Li6PS5Cl known to ssbx: the value of the 70Li2S-30P2S5 "
                  "glass (nanoindentation), as in the sulfide estimates of the literature"),
    ),
    fracture_toughness=0.23e6,
)

_LPS_GLASS = Electrolyte(
    "70Li2S-30P2S5", 0.1 * _MS_PER_CM, 0.36 * _EV,
    ElasticMaterial("70Li2S-30P2S5", 18.5e9, 0.30, parameters=(
        Parameter("E", 18.5e9, "Pa", "mcgrogan2017", "measured",
                  "nanoindentation, 18.5 +/- 0.9 GPa (also K_Ic = 0.23 MPa m^0.5; quoted in "
                  "lian2019)"),
        Parameter("nu", 0.30, "1", "sakuda2013", "assumed",
                  "not measured by McGrogan et al.; ~0.3 is typical of sulfide glasses, e.g. "
                  "Sakuda et al. 2013 for 75Li2S-25P2S5 (check)"),
    )),
    parameters=(
        Parameter("conductivity", 0.1 * _MS_PER_CM, "S/m", "lian2019", "check",
                  "Table 2: 1e-4 S/cm of the 67Li2S-33P2S5 glass, a neighbouring composition"),
        Parameter("activation_energy", 0.36 * _EV, "J/mol", "lian2019", "check",
                  "Table 2: 0.36 eV of the 67Li2S-33P2S5 glass"),
        _room_temperature("lian2019", "check", "room temperature implied by the table"),
        Parameter("fracture_toughness", 0.23e6, "Pa m^0.5", "mcgrogan2017", "measured",
                  "nanoindentation, 0.23 +/- 0.04 MPa m^0.5"),
    ),
    fracture_toughness=0.23e6,
)

_NA_BETA_ALUMINA = Electrolyte(
    "Na-beta-alumina", 1.5 * _MS_PER_CM, None,
    ElasticMaterial("Na-beta-alumina", 200e9, 0.23, parameters=(
        Parameter("E", 200e9, "Pa", "", "estimated",
                  "polycrystalline Na-beta''-alumina E ~ 190-210 GPa (handbook range for "
                  "sintered beta-aluminas, check)"),
        Parameter("nu", 0.23, "1", "", "estimated",
                  "nu ~ 0.2-0.25 (handbook range, check)"),
    )),
    parameters=(
        Parameter("conductivity", 1.5 * _MS_PER_CM, "S/m", "", "estimated",
                  "polycrystalline beta''-alumina 1-2 mS/cm at room temperature (check); no "
                  "activation energy is recorded"),
        _room_temperature("", "estimated", "room temperature"),
    ),
)

#: Electrolyte presets by name (look-up: :func:`electrolyte_preset`, case-insensitive).
ELECTROLYTES: dict[str, Electrolyte] = {e.name: e for e in (_LLZO, _LI6PS5CL, _LPS_GLASS,
                                                             _NA_BETA_ALUMINA)}


def electrolyte_preset(name: str) -> Electrolyte:
    """The electrolyte preset called ``name`` (case-insensitive); ``KeyError`` lists the names."""
    for key, electrolyte in ELECTROLYTES.items():
        if key.lower() == name.strip().lower():
            return electrolyte
    raise KeyError(f"no preset for electrolyte {name!r}; presets: {', '.join(ELECTROLYTES)}")


__all__ = [
    "ELECTROLYTES",
    "Electrolyte",
    "electrolyte_preset",
]
