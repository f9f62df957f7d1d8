"""The case-file schema: every key, its type, unit, default, meaning and checks.

This module is the single source of truth of the case format: :mod:`ssbx.case` validates and
resolves case files against :data:`SCHEMA`, writes resolved cases from it, and
:func:`schema_markdown` renders the reference (``docs/case-reference.md``,
``ssbx schema --markdown``) from it. Checks that involve several keys (voids inside the cell,
mesh sizes against feature sizes, ...) are implemented in :mod:`ssbx.case` and described here in
``Key.constraints``.

Defaults are SI floats (``Key.default``); ``Key.default_text`` is how the default is shown in the
reference (``"50 um"``) and must parse to the same value (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ssbx.case.protocol import FORMS
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.intercalation_materials import PARTICLE_MATERIALS
from ssbx.units import (
    AREA_RESISTANCE,
    AREAL_DENSITY,
    CAPACITY,
    COMPLIANCE,
    CONCENTRATION,
    CONDUCTIVITY,
    CURRENT_DENSITY,
    DIFFUSIVITY,
    DIMENSIONS,
    FRACTURE_TOUGHNESS,
    LENGTH,
    MOLAR_ENERGY,
    MOLAR_VOLUME,
    PRESSURE,
    RESISTIVITY,
    STIFFNESS,
    SURFACE_ENERGY,
    TEMPERATURE,
    TIME,
    VELOCITY,
    VOLTAGE,
    show_value,
)

KeyKind = Literal[
    "quantity", "int", "float", "choice", "bool", "str", "str_list", "float_list", "table",
    "table_list", "layer_list"
]


@dataclass(frozen=True)
class Key:
    """One case-file key.

    path: dotted path (``"geometry.h_se"``; top-level keys have no dot). Sub-keys of a
        ``table_list`` (the voids) have a bare name (``"width"``) and live in ``items``.
    kind: ``quantity`` (number in SI or string with unit), ``int``, ``float`` (dimensionless),
        ``choice`` (one of ``choices``), ``bool``, ``str``, ``str_list`` (array of strings,
        resolved to a tuple), ``float_list`` (array of numbers, resolved to a tuple of floats),
        ``table`` (free string → scalar table, passed through), ``table_list`` (array of tables
        with sub-keys ``items``), ``layer_list`` (array of tables of several kinds, chosen by
        their sub-key ``kind``: the ``[[stack.layers]]``; a record field of its section).
    doc: meaning (one sentence or two, Markdown).
    default: SI default; ``None`` with ``required`` = must be given, ``None`` otherwise = absent
        or derived (``default_text`` says how).
    default_text: the default as shown in the reference (``"50 um"``); derived from ``default``
        when empty.
    dimension: pint dimension string (quantities), a key of :data:`ssbx.units.DIMENSIONS`.
    si_unit: SI unit of the internal value (quantities; filled from ``dimension``).
    positive / nonnegative / nonzero: value checks (> 0, >= 0, != 0).
    above / below / at_most: bounds of numbers (value > above, value < below, value <= at_most).
    choices: allowed values (``choice`` and ``int`` kinds).
    required: must be given (void sub-keys).
    constraints: checks involving other keys (done in :mod:`ssbx.case`), for the reference.
    items: sub-keys of a ``table_list``.
    """

    path: str
    kind: KeyKind
    doc: str
    default: Any = None
    default_text: str = ""
    dimension: str | None = None
    si_unit: str | None = None
    positive: bool = False
    nonnegative: bool = False
    nonzero: bool = False
    above: float | None = None
    below: float | None = None
    at_most: float | None = None
    choices: tuple[Any, ...] | None = None
    required: bool = False
    constraints: str = ""
    items: tuple[Key, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind == "quantity":
            if self.dimension not in DIMENSIONS:
                raise ValueError(f"{self.path}: unknown dimension {self.dimension!r}")
            if self.si_unit is None:
                object.__setattr__(self, "si_unit", DIMENSIONS[self.dimension].si_unit)

    @property
    def section(self) -> str:
        """The section (``"geometry"``; ``""`` for top-level keys)."""
        return self.path.rpartition(".")[0]

    @property
    def name(self) -> str:
        """The key name inside its section (``"h_se"``)."""
        return self.path.rpartition(".")[2]

    def type_text(self) -> str:
        """Type (and SI unit) for the reference, e.g. ``"length [m]"``."""
        if self.kind == "quantity":
            assert self.dimension is not None
            name = DIMENSIONS[self.dimension].name.split(" ", 1)[1]
            return f"{name} [{self.si_unit}]"
        return {
            "int": "integer",
            "float": "number",
            "choice": "string",
            "bool": "boolean",
            "str": "string",
            "str_list": "array of strings",
            "float_list": "array of numbers",
            "table": "table",
            "table_list": "array of tables",
            "layer_list": "array of tables",
        }[self.kind]

    def shown_default(self) -> str:
        """The default for the reference."""
        if self.default_text:
            return self.default_text
        if self.required:
            return "required"
        if self.default is None:
            return "—"
        if self.kind in ("table_list", "str_list", "layer_list", "float_list"):
            return "none" if not self.default else show_value(list(self.default))
        if self.kind == "table":
            return "empty" if not self.default else show_value(dict(self.default))
        return show_value(self.default)

    def constraint_text(self) -> str:
        """Value checks and cross-key constraints for the reference."""
        parts: list[str] = []
        if self.choices is not None:
            parts.append("one of " + ", ".join(f"`{show_value(c)}`" for c in self.choices))
        if self.positive:
            parts.append("> 0")
        if self.nonnegative:
            parts.append("≥ 0")
        if self.nonzero:
            parts.append("≠ 0")
        if self.above is not None:
            parts.append(f"> {self.above:g}")
        if self.below is not None:
            parts.append(f"< {self.below:g}")
        if self.at_most is not None:
            parts.append(f"≤ {self.at_most:g}")
        if self.constraints:
            parts.append(self.constraints)
        return "; ".join(parts)


#: Section name → description, in the order of the reference. ``""`` is the top level.
SECTIONS: dict[str, str] = {
    "": "Top-level keys.",
    "geometry": (
        "The 2-D Li | solid-electrolyte unit cell: electrolyte `0 ≤ y ≤ h_se` on top of the Li "
        "`-h_li ≤ y ≤ 0`; `x` is lateral (planar, one period of width `width`) or the radius "
        "(axisymmetric, cell radius `width`)."
    ),
    "geometry.voids": (
        "Interfacial voids, one `[[geometry.voids]]` table each (numbered from 0 in messages: "
        "`geometry.voids[0]`). A void is cut into the Li below the interface `y = 0`; its "
        "electrolyte side is the flat part of the interface it covers, which carries no current. "
        'For `problem = "stripping"` with `geometry.void_model = "gap"` no hole is cut: a void '
        "is an initial gap of depth `height` between the Li and the electrolyte along the flat "
        "interface (small slopes: `height ≤ width/5` and `≤ geometry.h_li/5`); with "
        '`void_model = "explicit"` it is a hole in the Li mesh whose free surface may touch the '
        "electrolyte anywhere (pores of any aspect ratio)."
    ),
    "mesh": "Target element sizes of the Gmsh mesh.",
    "electrolyte": "The solid electrolyte (ionic conductor, single-ion: Ohm's law for Li⁺).",
    "interface": (
        "Charge-transfer kinetics at the Li/electrolyte contact (Li ⇌ Li⁺ + e⁻). The "
        "overpotential is `η = φ_Li − φ_SE − U0`."
    ),
    "operation": "Operating point of the cell.",
    "solver": "Finite-element discretisation and solvers.",
    "solver.petsc": (
        "Free table of PETSc options, passed through unchanged: option name without the leading "
        'dash → value, e.g. `ksp_monitor = ""`, `pc_gamg_threshold = 0.02`. They are applied '
        "after the options chosen by `linear_solver`, so they override them."
    ),
    "anode": (
        "The metal anode: one name sets its molar volume (stripped thickness per charge, the "
        "stress term of the overpotential), its elastic constants and creep law (defaults of "
        "the `[mechanics]` keys) and its vacancy data (`ssbx.physics.anode_metals`)."
    ),
    "mechanics": (
        "Materials of the mechanics problem (`problem = \"mechanics\"`): small-strain elasticity "
        "of the electrolyte and Li, viscoplastic flow of Li (plane strain for planar cells). "
        '`problem = "crack"` uses the electrolyte keys only (elastic constants, fracture '
        "toughness)."
    ),
    "fixture": "The stack-pressure fixture: the load on the Li current collector (y = -h_li).",
    "time": "Time stepping of transient (mechanics) runs: adaptive steps within these bounds.",
    "protocol": (
        'The cycling protocol of a stripping, stack or particle case: text steps, '
        "PyBaMM-experiment style (keywords case-insensitive, quantities with units), run in "
        "order, the whole `cycles` times. Forms: "
        + "; ".join(f"`{f}`" for f in FORMS)
        + ". Current densities are written positive (the verb gives the direction); a step of "
        'current ends after a time (`"1 h"`, `"30 min"`) or an areal capacity (`"0.5 '
        'mAh/cm^2"`); `Hold` imposes the cell voltage (positive = stripping); `Ramp` expands '
        "into the stepwise current ramp of a critical-current-density experiment, start and "
        "end included, e.g. `Ramp strip from 0.1 mA/cm^2 to 0.5 mA/cm^2 in steps of 0.1 mA/cm^2 "
        "for 0.1 mAh/cm^2 each` (5 steps). A particle case (`problem = \"particle\"`) takes "
        "`Charge`, `Discharge` (current density per particle surface), `Hold` (the particle's "
        "potential against Li, e.g. `Hold at 3.985 V for 1 h`: a PITT step) and `Rest`."
    ),
    "contact": (
        "Numerics of the stripping problem: stripped/plated thickness and Li/electrolyte contact "
        "evolve along a flat reference interface, staggered with the potential and mechanics "
        "solves; adaptive time steps (within `[time]`) limit how much they change per step."
    ),
    "ccs": (
        "Search for the critical stripping current (CCS): trials strip `capacity` at a constant "
        "current density; the bracket [`lower`, `upper`] of stable / unstable current densities "
        "is widened until it brackets the transition, then bisected geometrically."
    ),
    "vacancy": (
        "Vacancies in the metal anode (stripping problems): each stripped atom leaves a "
        "vacancy; vacancies diffuse (self-diffusion), drift in the hydrostatic stress and are "
        "annihilated at dislocations; where their chemical potential at a contacting interface "
        "point reaches R T ln S a void nucleates and the contact there is lost "
        "(`ssbx.problems.stripping.vacancy_coupling`)."
    ),
    "crack": (
        'A Li-filled crack in the solid electrolyte (`problem = "crack"`): the electrolyte alone, '
        "`geometry.width` wide (planar: centred on x = 0; axisymmetric: its radius) and "
        "`geometry.h_se` thick, with the Li/electrolyte interface at y = 0, linear elastic "
        "(plane strain; the `[mechanics]` electrolyte keys). The Li in the crack is a pressure "
        "on the filled part of the crack faces (given, or the largest pressure plating at an "
        "overpotential η builds in a closed flaw, p = F |η| / Ω with Ω the molar volume of "
        "`anode.metal`, Porz et al. 2017). A run reports the stress intensity factors (domain "
        "J-integral and interaction integral), the crack opening and Li volume, and the critical "
        "Li pressure and overpotential at which the crack extends (K = "
        "`mechanics.electrolyte_fracture_toughness`); `ssbx.problems.fracture`. Optionally the "
        "crack then grows step by step along its path (`growth_steps`), or the Li pressure "
        "is the steady one of a plating current into an edge crack (`plating_current`, with "
        "the `[electrolyte]` and `[interface]` keys), with the critical plating current. "
        "Interfacial voids (`[[crack.voids]]`, `void_map`) take the Li contact off parts of "
        "the interface."
    ),
    "crack.voids": (
        'Interfacial voids under the cracked electrolyte (`problem = "crack"`, edge and '
        "internal cracks), one `[[crack.voids]]` table each (numbered from 0 in messages: "
        "`crack.voids[0]`): the interval `x_min ≤ x ≤ x_max` of the interface y = 0 has no Li "
        "contact, so it carries neither the stack pressure nor (with `crack.plating_current`) "
        "any current. Coordinates are the crack case's: x = 0 is the middle of the electrolyte "
        "(where the default mouth `crack.position = 0` is), the sides are at ±`geometry.width`/2. "
        "Voids lie inside the width, apart from each other (touching or overlapping tables are "
        "refused); an edge crack's mouth may sit at a void's end, not inside it (the Li must "
        "reach the crack). The contact-free intervals of a stripping run "
        "(`crack.void_map`) are added to them, overlaps merged."
    ),
    "stack": (
        'The cell stack of `problem = "stack"`: the reduced (0-D) stack-pressure model of '
        "`ssbx.physics.stack_model` — layers in series under one uniform stack pressure in the "
        "fixture of `[fixture]` (`fixed_gap`, `spring` or `pressure`), integrated over the "
        "`[protocol]` steps (`Plate at ...` = charge: Li plates on the anode, `Strip at ...` = "
        "discharge, `Rest for ...`) at `operation.temperature`. Metal layers are the metal of "
        "`anode.metal` (elastic constants, power-law creep, molar volume); they creep by "
        "squeeze flow (`ssbx.physics.squeeze_flow`) and plate or strip Ω q/F. A run reports the "
        "stack pressure and every layer's thickness against time, capacity and state of charge."
    ),
    "stack.layers": (
        "The layers of the stack, bottom to top, one `[[stack.layers]]` table each (numbered "
        "from 0 in messages: `stack.layers[0]`), at least one. `kind` chooses the keys: "
        "`elastic` (a separator: `material` or `youngs_modulus` + `poisson_ratio`, `confined`), "
        "`metal` (the anode metal: `side`, `creep`, `friction` and what it needs), `cathode` (a "
        "composite cathode: `youngs_modulus`, `poisson_ratio`, `confined` and its eigenstrain "
        "table `state_of_charge`, `strain`). A key of another kind is refused."
    ),
    "embedded": (
        'A cathode particle embedded in a solid electrolyte (`problem = "embedded_particle"`, '
        "axisymmetric): the particle's chemical volume change, uniform in it (a slow charge), "
        "against an elastic electrolyte under a stack pressure, with frictionless unilateral "
        "contact (no adhesion) or a bonded interface between them "
        "(`ssbx.problems.embedded_particle`). The matrix is the unit cell of a composite layer "
        "(a cylinder of radius and half-height W = R (2 / (3 φ))^(1/3), or in 3-D a cube of "
        "half-width W = R (π / (6 φ))^(1/3), with rollers at its sides and the stack pressure "
        "on its top) or a concentric spherical shell. A run reports "
        "the interface area in contact, the gap and the layer's thickness change against the "
        "particle's volume change, over a charge and (with `discharge`) back."
    ),
    "particle": (
        'One intercalation particle (`problem = "particle"`): Li diffusion with the '
        "stress-coupled flux `J = -D (grad c - (Ω c / R T) grad σ_h)`, isotropic chemical "
        "strain `Ω (c - c_ref) / 3` and Butler–Volmer insertion kinetics at its surface with a "
        "tabulated open-circuit potential, driven by the `[protocol]` steps at "
        "`operation.temperature` (`ssbx.problems.particle`). A sphere, axisymmetric "
        "(`dimension = 2`) or an octant in 3-D (`dimension = 3`). Material keys left out take "
        "the values of `material`. A run reports the potential, the lithiation, the centre's "
        "radial and the surface's hoop stress against time."
    ),
    "output": "What a run writes besides `summary.json`.",
}

VOID_KEYS: tuple[Key, ...] = (
    Key(
        "center_y",
        "quantity",
        "Second lateral coordinate of the centre of a pore in a 3-D box "
        "(`geometry.dimension = 3`, `kind = \"planar\"`), where every void is a pore of "
        "revolution about its vertical axis through (`center`, `center_y`), of diameter "
        "`width`.",
        dimension=LENGTH,
        default=0.0,
        default_text="required (3-D box)",
        constraints="3-D box: the footprint inside the box, off its sides; pores may not "
        "overlap or touch",
    ),
    Key(
        "center",
        "quantity",
        "Lateral position of the void centre. Axisymmetric: 0 is the void on the axis, a "
        "centre off the axis makes a ring void, and `center = geometry.width` a void around "
        "the outer radius: the contact is then a disk of radius `geometry.width − width/2`.",
        dimension=LENGTH,
        default_text="required (planar); 0 (axisymmetric)",
        constraints="planar and axisymmetric rings: `0 < center − width/2` and "
        "`center + width/2 < geometry.width` (Li/electrolyte contact left on both sides); "
        "voids may not overlap; at most one on the axis and one on the outer radius",
    ),
    Key(
        "width",
        "quantity",
        "Void width along the interface (axisymmetric: its diameter).",
        dimension=LENGTH,
        positive=True,
        required=True,
        constraints="planar: `< geometry.width`, voids must not overlap or touch; "
        "axisymmetric: `width/2 < geometry.width`",
    ),
    Key(
        "height",
        "quantity",
        "Depth of the void into the Li.",
        dimension=LENGTH,
        positive=True,
        required=True,
        constraints="`< geometry.h_li`; stripping with `void_model = \"gap\"`: `≤ width/5` "
        "and `≤ geometry.h_li/5` (small-slope contact model); `lens`: `≤ width/2`",
    ),
    Key(
        "shape",
        "choice",
        "Void cross-section: half ellipse with semi-axes `width/2` and `height` (a hemisphere "
        "when `height = width/2`), `lens` (a circular cap through the rims: a lenticular pore "
        "meeting the interface at a finite angle), or a rectangle with rounded bottom corners "
        "(a slit; explicit voids need `corner_radius = height`, rounded ends without a "
        "vertical wall).",
        default="ellipse",
        choices=("ellipse", "lens", "rounded_rectangle"),
    ),
    Key(
        "corner_radius",
        "quantity",
        "Radius of the rounded bottom corners (`rounded_rectangle` only; ignored for `ellipse`).",
        dimension=LENGTH,
        positive=True,
        default_text="min(height, width/2)/2",
        constraints="`≤ min(height, width/2)`",
    ),
)

CRACK_VOID_KEYS: tuple[Key, ...] = (
    Key(
        "x_min",
        "quantity",
        "Left end of the void along the interface, measured from the middle of the "
        "electrolyte.",
        dimension=LENGTH,
        required=True,
        constraints="`> −geometry.width/2`",
    ),
    Key(
        "x_max",
        "quantity",
        "Right end of the void along the interface, measured from the middle of the "
        "electrolyte.",
        dimension=LENGTH,
        required=True,
        constraints="`> x_min`; `< geometry.width/2`",
    ),
)

#: The layer kinds of ``[[stack.layers]]`` -> the sub-keys besides kind, name and thickness.
LAYER_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "elastic": ("material", "youngs_modulus", "poisson_ratio", "confined"),
    "metal": ("side", "creep", "friction", "friction_coefficient", "radius", "clearance",
              "clearance_length"),
    "cathode": ("youngs_modulus", "poisson_ratio", "confined", "state_of_charge", "strain"),
}

LAYER_KEYS: tuple[Key, ...] = (
    Key("kind", "choice", "What the layer is (chooses its other keys).", required=True,
        choices=tuple(LAYER_KIND_KEYS)),
    Key("name", "str", "Name of the layer (columns of `history.csv`, summary scalars).",
        required=True, constraints="unique among the layers; letters, digits, `_` and `-`"),
    Key("thickness", "quantity", "Initial stress-free thickness (a cathode's at zero "
        "eigenstrain).", dimension=LENGTH, positive=True, required=True),
    Key("material", "choice", "`elastic`: the elastic constants of an electrolyte preset "
        "(`ssbx.physics.elasticity`).",
        choices=("LLZO", "Li6PS5Cl", "70Li2S-30P2S5", "Na-beta-alumina"),
        default_text="—", constraints="`elastic`: either `material` or `youngs_modulus` "
        "and `poisson_ratio`"),
    Key("youngs_modulus", "quantity", "`elastic`, `cathode`: Young's modulus.",
        dimension=PRESSURE, positive=True, default_text="—",
        constraints="`cathode`: required; with `poisson_ratio`"),
    Key("poisson_ratio", "float", "`elastic`, `cathode`: Poisson's ratio.", above=-1.0,
        below=0.5, default_text="—", constraints="with `youngs_modulus`"),
    Key("confined", "bool", "`elastic`, `cathode`: held laterally (the through-thickness "
        "modulus is the confined one, E(1−ν)/((1+ν)(1−2ν))) or free (E).",
        default_text="true"),
    Key("side", "int", "`metal`: `1` plates on charge (`Plate at ...`: the anode of a full "
        "cell), `-1` strips then, `0` takes no current.", choices=(-1, 0, 1),
        default_text="1"),
    Key("creep", "bool", "`metal`: the metal creeps (power law of `anode.metal`, squeeze "
        "flow); `false`: elastic only.", default_text="true"),
    Key("friction", "choice", "`metal`: squeeze-flow limit of the foil: `frictionless` "
        "(uniaxial creep at the stack pressure), `coulomb` (slab friction factor, "
        "`friction_coefficient` and `radius`), `bonded` (sticking, `radius`), `die` (confined by "
        "a die of bore `radius`, extruding into the plunger clearance `clearance` of length "
        "`clearance_length`).", choices=("frictionless", "coulomb", "bonded", "die"),
        default_text="frictionless"),
    Key("friction_coefficient", "float", "`metal`, `coulomb`: Coulomb friction coefficient μ "
        "with the plates.", nonnegative=True, default_text="—",
        constraints="required with `friction = \"coulomb\"`"),
    Key("radius", "quantity", "`metal`: foil radius (die bore for `die`).", dimension=LENGTH,
        positive=True, default_text="—",
        constraints="required with `coulomb`, `bonded`, `die`"),
    Key("clearance", "quantity", "`metal`, `die`: radial plunger–die clearance.",
        dimension=LENGTH, positive=True, default_text="—",
        constraints="required with `die`"),
    Key("clearance_length", "quantity", "`metal`, `die`: length of the clearance along the "
        "plunger.", dimension=LENGTH, positive=True, default_text="—",
        constraints="required with `die`"),
    Key("state_of_charge", "float_list", "`cathode`: the states of charge x of the eigenstrain "
        "table (linear interpolation; constant outside).", default_text="—",
        constraints="`cathode`: required; ≥ 2 values, increasing, in [0, 1]"),
    Key("strain", "float_list", "`cathode`: the thickness eigenstrain ε*(x) at those states "
        "(h = thickness (1 + ε*) exp(−p/M)).", default_text="—",
        constraints="`cathode`: required; as many as `state_of_charge`, each > −1"),
)

SCHEMA: tuple[Key, ...] = (
    # ---------------------------------------------------------------- top level
    Key(
        "name",
        "str",
        "Name of the case (run folders, plots, summaries).",
        default_text="the case file name without `.toml`",
        constraints="non-empty, no `/` or `\\`",
    ),
    Key("description", "str", "Free text describing the case.", default=""),
    Key(
        "problem",
        "choice",
        "What to solve: the current distribution in the electrolyte (`current_distribution`), "
        "the quasi-static mechanics of the cell with Li creep under a stack-pressure "
        "fixture (`mechanics`, sections `[mechanics]`, `[fixture]`, `[time]`), or coupled Li "
        "stripping/plating with evolving Li/electrolyte contact (`stripping`, sections "
        "`[protocol]`, `[contact]`, `[ccs]` besides those of `mechanics`), or a Li-filled "
        "crack in the elastic electrolyte (`crack`, section `[crack]` and the electrolyte keys "
        "of `[mechanics]`: stress intensity factors, critical Li pressure and overpotential), "
        "or the reduced stack-pressure model of a layered cell in its fixture (`stack`, "
        "sections `[stack]`, `[fixture]`, `[protocol]`), or one intercalation particle "
        "(`particle`, sections `[particle]`, `[protocol]`), or a cathode particle embedded in "
        "a solid electrolyte losing contact as it shrinks (`embedded_particle`, section "
        "`[embedded]`).",
        default="current_distribution",
        choices=("current_distribution", "mechanics", "stripping", "crack", "stack", "particle",
                 "embedded_particle"),
    ),
    # ---------------------------------------------------------------- geometry
    Key(
        "geometry.kind",
        "choice",
        "`planar`: plane 2-D cell of unit depth, periodic array of voids of period `width`; "
        "`axisymmetric`: x = r, y = z, a circular void centred on the axis. With "
        "`geometry.dimension = 3`: `planar` is a box `width` × `depth` (x, y lateral, z "
        "vertical) whose voids are pores of revolution, `axisymmetric` the whole cylinder of "
        "radius `width` (the 2-D section revolved: axis void, rings, disk contact).",
        default="planar",
        choices=("planar", "axisymmetric"),
    ),
    Key(
        "geometry.h_se",
        "quantity",
        "Solid-electrolyte thickness.",
        default=50e-6,
        default_text="50 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "geometry.h_li",
        "quantity",
        "Li-metal thickness.",
        default=20e-6,
        default_text="20 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "geometry.width",
        "quantity",
        "Lateral period L of the cell (planar) or cell radius (axisymmetric).",
        default=100e-6,
        default_text="100 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "geometry.void_model",
        "choice",
        'How a stripping problem represents the voids: `gap` (the flat-reference model: the Li '
        "and electrolyte meshes conform on `y = 0` and a void is a gap field there; small "
        "slopes only) or `explicit` (each void is a hole in the Li mesh, meshed as a free "
        "surface; every Li surface node facing the electrolyte is bounded by its distance to "
        "it, so hemispherical and lenticular pores are represented as they are; Li and "
        "electrolyte nodes pair up straight above each other). Other problems always cut the "
        "voids.",
        default="gap",
        choices=("gap", "explicit"),
    ),
    Key(
        "geometry.roughness_rq",
        "quantity",
        "RMS roughness Rq of a rough, rigid electrolyte surface (stripping problems): a random "
        "profile of this RMS and correlation length `roughness_length`, mirror-symmetric "
        "about the cell sides, that the initially flat Li touches at its highest asperity and "
        "fills under pressure (`ssbx.meshes.roughness`); pressed Li6PS5Cl measures 1.1 and "
        "6.5 µm (Singh et al. 2022). 0: a flat electrolyte.",
        default=0.0,
        default_text="0 um",
        dimension=LENGTH,
        nonnegative=True,
        constraints="small slopes: largest slope ≤ 0.2 (Rq ≲ roughness_length/10) and "
        "peak-to-valley ≤ geometry.h_li/5",
    ),
    Key(
        "geometry.roughness_length",
        "quantity",
        "Correlation length of the rough electrolyte surface (`roughness_rq`).",
        default=20e-6,
        default_text="20 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "geometry.roughness_seed",
        "int",
        "Seed of the random rough profile (the same profile on every rank and mesh).",
        default=0,
    ),
    Key(
        "geometry.mesh_file",
        "str",
        "A Gmsh file of your own (`.msh`, or a `.geo` / CAD file, meshed in 2-D, or in 3-D "
        "with `geometry.dimension = 3`) instead of ssbx's mesher, `current_distribution` "
        "only; a relative path is relative to the case file. Its physical groups carry ssbx's "
        "tag names (`electrolyte`, `lithium`, `contact`, `se_top`, `li_bottom`, `void_se`, "
        "`void_li`, `side_left`, `side_right`, in 3-D also `side_front`, `side_back`; "
        "required: `electrolyte`, `contact`, `se_top`); interface near y = 0 (3-D: z = 0), "
        "electrolyte above. `h_se`, `h_li`, `width` (and `depth`) are read from it; it is "
        "checked (groups, dimensions, degenerate or inverted triangles or tetrahedra) before "
        "solving.",
        default="",
    ),
    Key(
        "geometry.mesh_unit",
        "quantity",
        "Length of one unit of `geometry.mesh_file` (`\"1 um\"` for a file in micrometres).",
        dimension=LENGTH,
        default=1.0,
        default_text="1 m",
        constraints="> 0",
    ),
    Key(
        "geometry.dimension",
        "int",
        "Space dimension of the cell: 2 (plane or axisymmetric section) or 3 (a box or a "
        "cylinder of tetrahedra, `ssbx.meshes.cell3d`; `current_distribution`, and `mechanics` "
        "and `stripping` in a box: stripping on the flat box of `ssbx.meshes.flat_cell`, its "
        "pores initial gaps of revolution, Li creep against a rigid electrolyte, no vacancy "
        "transport yet). In 3-D the interface is the plane z = 0 and the electrolyte lies "
        "above it.",
        default=2,
        choices=(2, 3),
    ),
    Key(
        "geometry.depth",
        "quantity",
        "Extent of a 3-D box cell along y (`dimension = 3`, `kind = \"planar\"`); 0: equal "
        "to `width`.",
        default=0.0,
        default_text="0 um",
        dimension=LENGTH,
        nonnegative=True,
    ),
    Key(
        "geometry.pore_count",
        "int",
        "A seeded random array of this many equal interfacial pores in a 3-D box "
        "(`ssbx.meshes.pores`), added to `geometry.voids`: non-overlapping, off the sides, "
        "with a clearance of 0.1 diameter; their diameter makes the contact fraction "
        "`pore_contact_fraction`. 0: none.",
        default=0,
        constraints="3-D box only; the pores must fit (random sequential addition jams near "
        "half coverage)",
    ),
    Key(
        "geometry.pore_contact_fraction",
        "float",
        "Li/electrolyte contact fraction the random pore array leaves (`pore_count`).",
        default=0.8,
        above=0.0,
        below=1.0,
    ),
    Key(
        "geometry.pore_aspect",
        "float",
        "Depth of each random pore into the Li per footprint diameter (0.5: a hemisphere "
        "for `ellipse`; at most 0.5 for `lens`).",
        default=0.25,
        positive=True,
    ),
    Key(
        "geometry.pore_shape",
        "choice",
        "Shape of the random pores, as a void's `shape` revolved about its axis: `ellipse` "
        "(half spheroid), `lens` (spherical cap), `rounded_rectangle` (flat-bottomed cylinder "
        "with a rounded bottom edge of radius min(depth, diameter/2)/2).",
        default="ellipse",
        choices=("ellipse", "lens", "rounded_rectangle"),
    ),
    Key(
        "geometry.pore_seed",
        "int",
        "Seed of the random pore positions (the same array on every rank and machine).",
        default=0,
    ),
    Key(
        "geometry.voids",
        "table_list",
        "Interfacial voids (see the `geometry.voids` table below).",
        default=(),
        constraints="axisymmetric: at most one",
        items=VOID_KEYS,
    ),
    # ---------------------------------------------------------------- mesh
    Key(
        "mesh.size_fine",
        "quantity",
        "Element size at the void edges and triple points (where Li, electrolyte and void meet).",
        default=0.5e-6,
        default_text="0.5 um",
        dimension=LENGTH,
        positive=True,
        constraints="`≤ size_coarse`; `≤` every void's `width/4`; cut voids (not "
        '`problem = "stripping"`): `≤` every void\'s `height` and `≤` the shortest '
        "Li/electrolyte contact segment (between voids and cell sides)",
    ),
    Key(
        "mesh.size_coarse",
        "quantity",
        "Element size far from the triple points.",
        default=5e-6,
        default_text="5 um",
        dimension=LENGTH,
        positive=True,
        constraints="`≤ min(geometry.h_se, geometry.h_li)/2` (two elements across the thinner "
        "layer)",
    ),
    Key(
        "mesh.grading_distance",
        "quantity",
        "Distance from a triple point over which the size grows from `size_fine` to `size_coarse`.",
        default=20e-6,
        default_text="20 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "mesh.refinements",
        "int",
        "Uniform refinements after meshing: Gmsh meshes the cell at the given sizes on one "
        "rank, then every rank refines its part k times (a triangle into 4, a tetrahedron "
        "into 8; `ssbx.meshes.refine`), so that big meshes are not built or held by one rank. "
        "New nodes lie on the coarse mesh's straight edges: curved void outlines keep the "
        "coarse polygon (the flat interface and the cell's faces are exact). "
        "`current_distribution` and `mechanics` cases.",
        default=0,
        choices=(0, 1, 2, 3),
    ),
    Key(
        "mesh.max_cells",
        "int",
        "Largest mesh a case may build, in triangles. The count is estimated from the geometry "
        "and the sizes before meshing (`ssbx.meshes.estimate`: exact for the flat-interface "
        "mesh of stripping cases, within a factor ~1.5 for the Gmsh cell), and a larger case is "
        "refused: a bare number is SI metres, so `h_se = 50` would mesh a 50 m electrolyte. "
        "Raise it for a big run; memory is roughly 3 kB per triangle with the direct solver. "
        "Crack cases: the crack mesh (`crack.*_size`), estimated within a factor ~1.5.",
        default=4_000_000,
        positive=True,
    ),
    # ---------------------------------------------------------------- electrolyte
    Key(
        "electrolyte.material",
        "str",
        "Free label of the electrolyte material (not used by the solver).",
        default="LLZO",
    ),
    Key(
        "electrolyte.conductivity",
        "quantity",
        "Li⁺ conductivity κ at the reference temperature (LLZO: 0.3–1 mS/cm).",
        default=0.05,
        default_text="0.5 mS/cm",
        dimension=CONDUCTIVITY,
        positive=True,
    ),
    Key(
        "electrolyte.activation_energy",
        "quantity",
        "Activation energy of the conductivity, κ(T) = κ_ref exp(−Ea/R (1/T − 1/T_ref)); "
        'molar ("30 kJ/mol") or per ion ("0.3 eV"). 0: no temperature dependence.',
        default=0.0,
        default_text="0 kJ/mol",
        dimension=MOLAR_ENERGY,
        nonnegative=True,
    ),
    Key(
        "electrolyte.reference_temperature",
        "quantity",
        "Temperature T_ref at which `conductivity`, `interface.asr` and "
        "`interface.exchange_current_density` are given.",
        default=298.15,
        default_text="25 degC",
        dimension=TEMPERATURE,
        positive=True,
    ),
    # ---------------------------------------------------------------- interface
    Key(
        "interface.kinetics",
        "choice",
        "`linear`: i = η/Z; `butler_volmer`: i = i0 [exp(α_a F η/RT) − exp(−α_c F η/RT)]; "
        "`primary`: no kinetic resistance (Li equipotential imposed on the contact).",
        default="linear",
        choices=("linear", "butler_volmer", "primary"),
    ),
    Key(
        "interface.asr",
        "quantity",
        "Area-specific charge-transfer resistance Z at the reference temperature (linear "
        "kinetics). The default gives Z·κ = 20 um with the default conductivity. When only "
        "`exchange_current_density` is given, Z = R T_ref / (F i0 (α_a + α_c)).",
        default=4e-4,
        default_text="4 ohm cm^2",
        dimension=AREA_RESISTANCE,
        positive=True,
    ),
    Key(
        "interface.asr_variation",
        "float",
        "Stripping problems: relative amplitude a of a spatially varying interface resistance "
        "Z(x) = Z (1 + a cos(2π x / λ)) (an imperfect interface, roadmap §3.2); 0: uniform.",
        default=0.0,
        nonnegative=True,
        below=1.0,
    ),
    Key(
        "interface.asr_wavelength",
        "quantity",
        "Wavelength λ of the interface-resistance variation.",
        default=2e-5,
        default_text="20 um",
        dimension=LENGTH,
        positive=True,
    ),
    Key(
        "interface.exchange_current_density",
        "quantity",
        "Exchange current density i0 at the reference temperature (Butler–Volmer kinetics).",
        default_text="derived from `asr`: i0 = R T_ref / (F Z (α_a + α_c)) (same small-η "
        "resistance)",
        dimension=CURRENT_DENSITY,
        positive=True,
    ),
    Key(
        "interface.alpha_a",
        "float",
        "Anodic transfer coefficient α_a (Butler–Volmer).",
        default=0.5,
        positive=True,
    ),
    Key(
        "interface.alpha_c",
        "float",
        "Cathodic transfer coefficient α_c (Butler–Volmer).",
        default=0.5,
        positive=True,
    ),
    Key(
        "interface.activation_energy",
        "quantity",
        "Activation energy of i0 and 1/Z (Arrhenius law, as for the conductivity).",
        default=0.0,
        default_text="0 kJ/mol",
        dimension=MOLAR_ENERGY,
        nonnegative=True,
    ),
    Key(
        "interface.equilibrium_potential",
        "quantity",
        "Equilibrium potential U0 of the Li/Li⁺ reaction against the Li reference.",
        default=0.0,
        default_text="0 V",
        dimension=VOLTAGE,
    ),
    # ---------------------------------------------------------------- operation
    Key(
        "operation.mode",
        "choice",
        "`galvanostatic`: the mean current density is imposed; `potentiostatic`: the cell "
        "voltage is imposed.",
        default="galvanostatic",
        choices=("galvanostatic", "potentiostatic"),
    ),
    Key(
        "operation.current_density",
        "quantity",
        "Mean current density through the cell (galvanostatic). Positive = stripping (Li "
        "dissolves at the interface), negative = plating.",
        default=10.0,
        default_text="1 mA/cm^2",
        dimension=CURRENT_DENSITY,
        nonzero=True,
    ),
    Key(
        "operation.voltage",
        "quantity",
        "Cell voltage φ_Li − φ_counter (potentiostatic only; ignored otherwise). Positive = "
        "stripping.",
        default=0.01,
        default_text="10 mV",
        dimension=VOLTAGE,
        constraints='≠ 0 when `mode = "potentiostatic"`',
    ),
    Key(
        "operation.temperature",
        "quantity",
        "Cell temperature T.",
        default=298.15,
        default_text="25 degC",
        dimension=TEMPERATURE,
        positive=True,
    ),
    Key(
        "operation.counter_electrode",
        "choice",
        "`ideal`: non-polarisable counter electrode on top of the electrolyte; `symmetric`: a "
        "flat Li counter electrode with the same interface kinetics.",
        default="ideal",
        choices=("ideal", "symmetric"),
        constraints='`symmetric` needs `interface.kinetics` other than `"primary"`',
    ),
    # ---------------------------------------------------------------- solver
    Key(
        "solver.degree",
        "int",
        "Polynomial degree of the Lagrange elements of the potential.",
        default=2,
        choices=(1, 2, 3),
    ),
    Key(
        "solver.linear_solver",
        "choice",
        "`direct`: MUMPS LU; `amg`: conjugate gradients preconditioned by GAMG (current "
        "distribution; mechanics in 2-D, with the rigid-body modes in plane strain); for 3-D "
        "mechanics (the mixed displacement + mean-stress system) GMRES with a block "
        "Schur-complement preconditioner (GAMG on the displacement). In stripping cases it "
        "applies to the potential (the contact mechanics uses LU).",
        default="direct",
        choices=("direct", "amg"),
    ),
    Key(
        "solver.rtol",
        "float",
        "Relative residual tolerance of the (Newton) solve.",
        default=1e-10,
        positive=True,
    ),
    Key(
        "solver.atol",
        "float",
        "Absolute residual tolerance of the (Newton) solve, relative to the cell's total current "
        "(the residual is a current: ssbx multiplies this by |i| x area, so it is unit-free).",
        default=1e-12,
        positive=True,
    ),
    Key(
        "solver.max_iterations",
        "int",
        "Maximum number of Newton iterations.",
        default=50,
        positive=True,
    ),
    Key(
        "solver.petsc",
        "table",
        "PETSc options passed through (see the `solver.petsc` section).",
        default={},
        constraints="values: string, number or boolean; names without the leading `-`",
    ),
    # ---------------------------------------------------------------- anode
    Key(
        "anode.metal",
        "choice",
        "The anode metal: `Li` (Masias et al. 2019 creep and elasticity, Feder 1970 vacancies), "
        "`Li-Mg` (Li with 5–20 at% Mg: Li mechanics and molar volume, Li self-diffusion "
        "slowed by the Mg, a placeholder factor 0.5: tracer and NMR studies find Mg slows "
        "Li diffusion) or `Na` (Wang et al. 2020 creep n = 5 and E = 4.6 GPa, Feder & "
        "Charbnau 1966 vacancies, molar volume 23.7 cm³/mol).",
        default="Li",
        choices=("Li", "Li-Mg", "Na"),
    ),
    Key(
        "anode.molar_volume",
        "quantity",
        "Molar volume Ω of the anode metal, overriding the preset of `anode.metal`: the "
        "stripped thickness per charge Ω/F, the stress term Ω σ/F of the overpotential and "
        "the vacancy model. With the `[mechanics]` elasticity and creep keys, "
        "`vacancy.self_diffusion`, `vacancy.surface_energy` and the `anode.*` vacancy keys, "
        "every property of a metal can be set: start from the nearest preset to run a metal "
        "ssbx does not list.",
        dimension=MOLAR_VOLUME,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "anode.vacancy_formation_enthalpy",
        "quantity",
        "Vacancy formation enthalpy H_f of the metal (per mole: 1 eV per atom = 96.485 "
        "kJ/mol), overriding the preset.",
        dimension=MOLAR_ENERGY,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "anode.vacancy_formation_entropy",
        "float",
        "Vacancy formation entropy S_f in units of the Boltzmann constant, overriding the "
        "preset.",
        default_text="the preset's",
    ),
    Key(
        "anode.self_diffusion_activation_energy",
        "quantity",
        "Activation energy Q of the metal's tracer self-diffusion (D = D_ref exp(-Q/R "
        "(1/T - 1/T_ref)), D_ref from `vacancy.self_diffusion` or the preset), overriding the "
        "preset.",
        dimension=MOLAR_ENERGY,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "anode.correlation_factor",
        "float",
        "Tracer correlation factor f of self-diffusion (bcc: 0.727), overriding the preset.",
        above=0.0,
        at_most=1.0,
        default_text="the preset's",
    ),
    Key(
        "anode.burgers_vector",
        "quantity",
        "Burgers vector b of the metal (the creep-generated dislocation density of the vacancy "
        "sink), overriding the preset.",
        dimension=LENGTH,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "anode.resistivity",
        "quantity",
        "Electrical resistivity of the metal, overriding the preset (Li 92.8 nOhm m, Na 47.7 "
        "nOhm m at 20 C): the ohmic drop along the metal filling a crack "
        "(`li_filament_drop` of plating crack runs).",
        dimension=RESISTIVITY,
        positive=True,
        default_text="the preset's",
    ),
    # ---------------------------------------------------------------- mechanics
    Key(
        "mechanics.li_model",
        "choice",
        "Constitutive law of the metal anode (named `li_*` for history; `anode.metal` picks "
        "the metal): linear elastic, power-law creep (J2, the metal's preset unless "
        "overridden: Li Masias et al. 2019, Na Wang et al. 2020) or the Anand model as fitted "
        "to Li by Narayan & Anand 2018 (Li only).",
        default="power_law",
        choices=("elastic", "power_law", "anand"),
    ),
    Key(
        "mechanics.electrolyte_preset",
        "choice",
        "Elastic constants of the electrolyte (literature presets, see "
        "`ssbx.physics.elasticity`).",
        default="LLZO",
        choices=("LLZO", "Li6PS5Cl", "70Li2S-30P2S5", "Na-beta-alumina"),
    ),
    Key(
        "mechanics.electrolyte_youngs_modulus",
        "quantity",
        "Young's modulus of the electrolyte, overriding the preset.",
        dimension=PRESSURE,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "mechanics.electrolyte_poisson_ratio",
        "float",
        "Poisson's ratio of the electrolyte, overriding the preset.",
        default_text="the preset's",
        constraints="-1 < ν < 0.5",
    ),
    Key(
        "mechanics.electrolyte_fracture_toughness",
        "quantity",
        "Mode-I fracture toughness K_Ic of the electrolyte (`problem = \"crack\"`), overriding "
        "the preset (LLZO 1.25 MPa m^0.5, Wolfenstine et al. 2013; 70Li2S-30P2S5 0.23 MPa "
        "m^0.5, McGrogan et al. 2017, also assumed for Li6PS5Cl; Na-beta-alumina: none).",
        dimension=FRACTURE_TOUGHNESS,
        positive=True,
        default_text="the preset's",
        constraints='required for `problem = "crack"` when the preset has none',
    ),
    Key(
        "mechanics.li_youngs_modulus",
        "quantity",
        "Young's modulus of the metal anode, overriding the preset of `anode.metal` (Li: "
        "Masias et al. 2019, Na: Wang et al. 2020).",
        dimension=PRESSURE,
        positive=True,
        default_text="the preset's",
    ),
    Key(
        "mechanics.li_poisson_ratio",
        "float",
        "Poisson's ratio of the metal anode, overriding the preset of `anode.metal`.",
        default_text="the preset's",
        constraints="-1 < ν < 0.5",
    ),
    Key(
        "mechanics.creep_prefactor",
        "float",
        "Power-law creep prefactor A of `dε/dt = A σ^n exp(-Q/RT)`, in SI: 1/(s Pa^n).",
        positive=True,
        default_text="the preset of `anode.metal`",
    ),
    Key(
        "mechanics.creep_exponent",
        "float",
        "Power-law creep stress exponent n.",
        positive=True,
        default_text="the preset of `anode.metal`",
    ),
    Key(
        "mechanics.creep_activation_energy",
        "quantity",
        "Power-law creep activation energy Q.",
        dimension=MOLAR_ENERGY,
        nonnegative=True,
        default_text="the preset of `anode.metal`",
    ),
    Key(
        "mechanics.yield_stress",
        "quantity",
        "Rate-independent yield stress below which the power law gives no flow "
        "(`dε/dt = A <σ - σ_y>^n ...`).",
        dimension=PRESSURE,
        nonnegative=True,
        default=0.0,
        default_text="0 MPa",
    ),
    Key(
        "mechanics.strength_size",
        "quantity",
        "Feature size d of the size- and rate-dependent Li flow law (a switch; e.g. the void, "
        "asperity or grain size): the power law (with the `creep_*` overrides) gets the size "
        "factor of Xu et al. 2017 (PNAS 114, 57), `dε/dt = A (σ/f(d))^n exp(-Q/RT)` with "
        "f(d) = max(1, 105 MPa (d / 1.39 µm)^−0.68 / σ_bulk), σ_bulk the bulk stress at "
        "1e-3 1/s (f = 1, the bulk law, for d ≳ 2 mm), in parallel with Nabarro–Herring "
        "diffusional flow `dε/dt = 14 D_self(T) Ω σ / (R T d²)` (the anode's self-diffusion "
        "and molar volume). Unset: off (the bulk power law).",
        dimension=LENGTH,
        positive=True,
        default_text="off",
        constraints="`anode.metal = \"Li\"`, `li_model = \"power_law\"`, temperature "
        "25 ± 15 °C; not together with `yield_stress`",
    ),
    # ---------------------------------------------------------------- fixture
    Key(
        "fixture.type",
        "choice",
        "How the stack is held: `pressure` (a uniform pressure on the back of the Li: the "
        "Li bends over a void like a plate loaded by a fluid), `rigid_plate` (a rigid current "
        "collector or plunger pressed with a controlled force: it moves as one body, the mean "
        "pressure is `pressure`, and it does not bend over a void; what a cell on a press "
        "does), `fixed_gap` (the pressure is applied, then the plate displacement is held), "
        "`spring` (pressure = preload + stiffness x plate displacement, Winkler springs).",
        default="pressure",
        choices=("pressure", "rigid_plate", "fixed_gap", "spring"),
    ),
    Key(
        "fixture.pressure",
        "quantity",
        "Stack pressure applied to the cell (compressive positive); the preload of a spring "
        "fixture and the initial pressure of a fixed gap.",
        dimension=PRESSURE,
        positive=True,
        default=5e6,
        default_text="5 MPa",
    ),
    Key(
        "fixture.stiffness",
        "quantity",
        "Stiffness of a spring fixture per unit cell area (force per displacement / area); "
        "the full cells of Ham (PhD thesis, UC San Diego, 2024): 3 springs of 5.5 lb/mm on "
        "0.785 cm² ≈ 0.935 MPa/mm.",
        dimension=STIFFNESS,
        positive=True,
        default=0.935e9,
        default_text="0.935 MPa/mm",
    ),
    Key(
        "fixture.compliance",
        "quantity",
        '`problem = "stack"`: series compliance of the load train per unit cell area (frame, '
        "plungers, load cell: its opening per stack pressure); for `fixed_gap` and `spring`. "
        "0: rigid.",
        dimension=COMPLIANCE,
        nonnegative=True,
        default=0.0,
        default_text="0 um/MPa",
    ),
    Key(
        "fixture.relaxation_fraction",
        "float",
        '`problem = "stack"`, `fixed_gap`: fraction g of the load train\'s stiffness that '
        "relaxes (one-term Prony series K(t)/K₀ = 1 − g (1 − e^(−t/τ)), e.g. fitted to an "
        "empty-cell relaxation); 0: elastic load train.",
        default=0.0,
        nonnegative=True,
        below=1.0,
        constraints="> 0 needs `relaxation_time` and `compliance > 0`",
    ),
    Key(
        "fixture.relaxation_time",
        "quantity",
        '`problem = "stack"`, `fixed_gap`: relaxation time τ of the load train.',
        dimension=TIME,
        positive=True,
        default_text="none",
        constraints="with `relaxation_fraction > 0`",
    ),
    Key(
        "fixture.friction_threshold",
        "quantity",
        '`problem = "stack"`, `spring`: stick–slip (Coulomb) friction threshold of the spring '
        "guides per unit cell area: the plate moves only when the pressure departs from the "
        "springs' force by more than it (measured spring changes well above k × travel).",
        dimension=PRESSURE,
        nonnegative=True,
        default=0.0,
        default_text="0 MPa",
    ),
    Key(
        "fixture.loading_time",
        "quantity",
        "Time over which the stack pressure is ramped up from zero (linear ramp).",
        dimension=TIME,
        nonnegative=True,
        default=1.0,
        default_text="1 s",
    ),
    Key(
        "fixture.sides",
        "choice",
        "Lateral sides of the cell: `symmetry` (rollers: zero normal displacement; the axis is "
        "always a symmetry line) or `free` (traction-free: Li can flow out).",
        default="symmetry",
        choices=("symmetry", "free"),
    ),
    # ---------------------------------------------------------------- time
    Key(
        "time.end",
        "quantity",
        "Simulated cell time.",
        dimension=TIME,
        positive=True,
        default=3600.0,
        default_text="1 h",
    ),
    Key(
        "time.initial_step",
        "quantity",
        "First time step (the step then adapts).",
        dimension=TIME,
        positive=True,
        default=0.1,
        default_text="0.1 s",
    ),
    Key(
        "time.max_step",
        "quantity",
        "Largest time step.",
        dimension=TIME,
        positive=True,
        default=3600.0,
        default_text="1 h",
    ),
    Key(
        "time.min_step",
        "quantity",
        "Smallest time step: a step cut back below it ends the run with an error.",
        dimension=TIME,
        positive=True,
        default=1e-6,
        default_text="1e-6 s",
    ),
    Key(
        "time.max_plastic_strain_increment",
        "float",
        "Largest viscoplastic equivalent-strain increment allowed in one step; a larger "
        "one cuts the step back.",
        positive=True,
        default=2e-3,
    ),
    # ---------------------------------------------------------------- protocol
    Key(
        "protocol.steps",
        "str_list",
        "The steps, in order (see the `[protocol]` section for the forms).",
        default=("Strip at 1 mA/cm^2 for 1 mAh/cm^2",),
        constraints="at least one; every entry a valid step",
    ),
    Key(
        "protocol.cycles",
        "int",
        "How often the whole list of steps is run.",
        default=1,
        positive=True,
    ),
    # ---------------------------------------------------------------- contact
    Key(
        "contact.electrolyte",
        "choice",
        "`rigid`: the electrolyte is a rigid flat obstacle; `elastic`: the electrolyte's "
        "elastic compliance is added to the contact obstacle.",
        default="rigid",
        choices=("rigid", "elastic"),
    ),
    Key(
        "contact.stress_coupling",
        "bool",
        "Add the mechanical term Ω_Li p / F (Li molar volume x contact pressure) to the "
        "interface overpotential.",
        default=True,
    ),
    Key(
        "contact.max_thickness_change",
        "quantity",
        "Largest change of the stripped/plated Li thickness at any interface point in one time "
        "step; a larger one cuts the step back.",
        dimension=LENGTH,
        positive=True,
        default=0.05e-6,
        default_text="0.05 um",
    ),
    Key(
        "contact.max_contact_change",
        "float",
        "Largest change of the contact fraction (the part of the interface in contact) in one "
        "time step.",
        default=0.02,
        positive=True,
        at_most=1.0,
    ),
    Key(
        "contact.contact_tolerance",
        "quantity",
        "Gap below which an interface point counts as in contact (and conducts current).",
        dimension=LENGTH,
        positive=True,
        default=1e-10,
        default_text="0.1 nm",
    ),
    Key(
        "contact.max_stagger_iterations",
        "int",
        "Most staggered iterations (potential ↔ mechanics ↔ contact) per time step.",
        default=8,
        positive=True,
    ),
    Key(
        "contact.line_search",
        "choice",
        "Line search of the contact solve (Newton on the contact's complementarity equations): "
        "`l2` (a secant search on the residual norm along the Newton direction, ~2.6 residual "
        "evaluations "
        "per Newton iteration; robust, the default) or `basic` (full projected Newton steps; "
        "1.5-2.2x faster per step on `examples/ccs_flat.toml`, but the step sequence differs and a "
        "CCS trial on the edge of its contact-loss criterion may change its verdict: see the "
        "`stripping_performance` benchmark).",
        default="l2",
        choices=("l2", "basic"),
    ),
    Key(
        "contact.solver",
        "choice",
        "Solver of the contact (the Li surface below the electrolyte, u_y <= gap): "
        "`active_set` (semismooth Newton on max(F, c (u - g)) = 0, the primal-dual active-set "
        "method: the matrix keeps its sparsity, so its LU is analysed once and kept as GMRES's "
        "preconditioner while it works) or `reduced_space` (PETSc SNES "
        "`vinewtonrsls`: a new reduced matrix and LU analysis per Newton iteration; the default "
        "until a serial checkpoint restarted on 2 ranks reproduces the uninterrupted run with "
        "`active_set` too). Both solve "
        "the same equations to the same tolerances (see the `contact_solvers` benchmark).",
        default="reduced_space",
        choices=("active_set", "reduced_space"),
    ),
    Key(
        "contact.factorization",
        "choice",
        "Linear solves of the contact's Newton iterations: `fresh` (a new MUMPS LU at every "
        "iteration: exact solves, the default) or `lagged` (with contact.solver = "
        "\"active_set\": an LU is kept as GMRES's preconditioner and refreshed when GMRES needs "
        "more than 10 iterations, GMRES to a relative 1e-3: inexact Newton steps, so the "
        "solution meets the contact solve's tolerances (1e-9 of the residual) but not "
        "round-off; the most it saves is in 3-D, where the LU dominates: see the "
        "`contact_solvers` benchmark).",
        default="fresh",
        choices=("fresh", "lagged"),
    ),
    Key(
        "contact.profile_interval",
        "int",
        "Write the interface profiles every this many accepted time steps.",
        default=10,
        positive=True,
    ),
    # ---------------------------------------------------------------- ccs
    Key(
        "ccs.capacity",
        "quantity",
        "Charge per area stripped in each trial.",
        dimension=CAPACITY,
        positive=True,
        default=18000.0,
        default_text="0.5 mAh/cm^2",
    ),
    Key(
        "ccs.lower",
        "quantity",
        "Lower end of the initial bracket of current densities.",
        dimension=CURRENT_DENSITY,
        positive=True,
        default=1.0,
        default_text="0.1 mA/cm^2",
        constraints="`< upper`",
    ),
    Key(
        "ccs.upper",
        "quantity",
        "Upper end of the initial bracket of current densities.",
        dimension=CURRENT_DENSITY,
        positive=True,
        default=1000.0,
        default_text="100 mA/cm^2",
    ),
    Key(
        "ccs.bracket_ratio",
        "float",
        "Stop bisecting when upper / lower is at most this.",
        default=1.2,
        above=1.0,
    ),
    Key(
        "ccs.max_expansions",
        "int",
        "How often the bracket may be widened (by `expansion_factor`) when `lower` is unstable "
        "or `upper` stable.",
        default=4,
        nonnegative=True,
    ),
    Key(
        "ccs.expansion_factor",
        "float",
        "Factor by which `lower` is divided or `upper` multiplied when the bracket is widened.",
        default=10.0,
        above=1.0,
    ),
    Key(
        "ccs.contact_loss",
        "float",
        "A trial is unstable when the contact fraction falls more than this below its value at "
        "the start of stripping.",
        default=0.05,
        positive=True,
        below=1.0,
    ),
    Key(
        "ccs.loss_gap",
        "quantity",
        "The contact fraction that `contact_loss` judges counts the interface points whose gap "
        "is at most this: a point a few tenths of a nanometre off the electrolyte at the "
        "contact front (the contact tolerance is 0.1 nm) has not lost contact in any sense an "
        "experiment sees. 0: the contact set of the model (gap ≤ `contact.contact_tolerance`, "
        "with its hysteresis).",
        default=0.0,
        default_text="0 nm",
        dimension=LENGTH,
        nonnegative=True,
    ),
    Key(
        "ccs.criterion",
        "choice",
        "What makes a trial unstable besides the voltage rise. `contact`: the contact fraction "
        "after the mechanics solve falls more than `contact_loss` below its start (voids, "
        "nucleated ones included, open faster than creep and the stack pressure close them). "
        "`nucleation`: the first void nucleation (needs vacancy transport). `protocol`: as an "
        "experiment judges a current: `cycles` cycles of stripping then plating `capacity` "
        "each; nucleated voids open and evolve (they do not end a trial), and the trial is "
        "unstable when the contact is lost or the polarisation runs away at any point. "
        "`auto`: `nucleation` with vacancy transport on, `contact` without. (A critical "
        "current for dendrites on plating, the CCD, is a different quantity.)",
        default="auto",
        choices=("auto", "contact", "nucleation", "protocol"),
    ),
    Key(
        "ccs.cycles",
        "int",
        "`criterion = \"protocol\"`: how many strip/plate cycles of `capacity` a trial runs "
        "(e.g. 6 cycles of 0.3 mAh/cm²).",
        default=1,
        positive=True,
        constraints="more than 1 only with ccs.criterion = \"protocol\"",
    ),
    Key(
        "ccs.voltage_rise",
        "float",
        "A trial is also unstable when the cell polarisation (cell voltage minus its "
        "open-circuit value −Ω ⟨p⟩/F, the stress-coupling offset) exceeds this factor times "
        "its value after the first time step, taken at least as the polarisation of the flat, "
        "fully contacting cell i (h_se/κ + Z).",
        default=2.0,
        above=1.0,
    ),
    # ---------------------------------------------------------------- vacancy
    Key(
        "vacancy.enabled",
        "bool",
        "Vacancy transport in the Li and void nucleation at the interface (the diffusion leg "
        "of the three-flux balance, stripping problems). Unset: on for `ssbx ccs`, off for "
        "`ssbx run`; `false` gives the creep-only contact model.",
        default_text="on for `ssbx ccs`, off for `ssbx run`",
    ),
    Key(
        "vacancy.self_diffusion",
        "quantity",
        "Tracer self-diffusion coefficient of the metal at 25 °C, replacing the metal's value "
        "(its activation energy is kept).",
        dimension=DIFFUSIVITY,
        positive=True,
        default_text="the metal's (Li: 6e-11 cm^2/s)",
    ),
    Key(
        "vacancy.grain_size",
        "quantity",
        "Grain size d of a polycrystalline anode: switches on grain-boundary short-circuit "
        "diffusion, D_eff = (1 − f) D_self + f D_gb with f = 3 δ / d (Hart 1957); needs "
        "`grain_boundary_diffusion`. Unset: bulk diffusion only.",
        dimension=LENGTH,
        positive=True,
        default_text="off",
    ),
    Key(
        "vacancy.grain_boundary_diffusion",
        "quantity",
        "Grain-boundary self-diffusion coefficient D_gb at 25 °C (with the bulk activation "
        "energy). Not measured for Li; no default.",
        dimension=DIFFUSIVITY,
        positive=True,
        default_text="none (required with `grain_size`)",
    ),
    Key(
        "vacancy.grain_boundary_width",
        "quantity",
        "Grain-boundary width δ of Hart's equation.",
        dimension=LENGTH,
        positive=True,
        default=0.5e-9,
        default_text="0.5 nm",
    ),
    Key(
        "vacancy.critical_supersaturation",
        "float",
        "S: a contacting interface point nucleates a void when theta = c_v / c_eq reaches S, "
        "the equilibrium of a traction-free void surface of the critical nucleus' curvature "
        "(R T ln S = 2 gamma Omega / r*); compression lowers the equilibrium exp(beta sigma_h) "
        "the sink restores and so widens the margin. Not measured for Li; the critical current "
        "scales with S - exp(beta sigma_h).",
        default=1.1,
        above=1.0,
    ),
    Key(
        "vacancy.dislocation_density",
        "quantity",
        "Background dislocation density rho_0 of the metal (vacancy sink k = D_v rho).",
        dimension=AREAL_DENSITY,
        nonnegative=True,
        default=1e12,
        default_text="1e12 m^-2",
    ),
    Key(
        "vacancy.creep_velocity",
        "quantity",
        "Reference dislocation velocity v_ref of the creep-generated density "
        "rho = rho_0 + eps_dot_p / (b v_ref) (Orowan); 0: the sink does not depend on creep.",
        dimension=VELOCITY,
        nonnegative=True,
        default=0.0,
        default_text="0 m/s",
    ),
    Key(
        "vacancy.stress_drift",
        "bool",
        "Hydrostatic stress of the Li drives vacancies and sets their local equilibrium "
        "exp(beta sigma_h), toward which the sink drives them.",
        default=True,
    ),
    Key(
        "vacancy.surface_energy",
        "quantity",
        "Surface energy gamma of the metal; sets the height of a critical void nucleus "
        "2 gamma Omega / (R T ln S) opened at nucleation.",
        dimension=SURFACE_ENERGY,
        positive=True,
        default_text="the metal's (Li: 0.5 J/m^2)",
    ),
    Key(
        "vacancy.void_surfaces",
        "bool",
        "Open parts of the interface (void surfaces, traction free) exchange vacancies with the "
        "metal at their equilibrium theta = 1: vacancies condense onto them and grow the void, "
        "or are emitted where the metal is compressed (theta < 1) and shrink it (diffusional "
        "void growth and closure). `false`: void surfaces are closed to vacancies.",
        default=True,
    ),
    Key(
        "vacancy.nucleus_height",
        "quantity",
        "Gap opened at a nucleation site, replacing the critical-nucleus height.",
        dimension=LENGTH,
        positive=True,
        default_text="2 gamma Omega / (R T ln S)",
    ),
    Key(
        "vacancy.site_balance",
        "choice",
        "The lattice-site balance at the stripped interface. `separate`: the metal body "
        "follows the stripped interface (the interface a perfect sink of lattice sites) and "
        "every stripped atom is also injected as a vacancy: two alternatives counted together "
        "(a stack pressure cannot reduce the injection); kept as the default until the vacancy "
        "benchmarks are rerun. `interface_sink`: every stripped atom leaves a vacancy; a "
        "contacting interface annihilates vacancies at `k_s (theta - exp(-p Omega / RT))` "
        "(p the contact pressure: compression makes it a better sink), and only the "
        "annihilated sites move the metal surface; the rest diffuse, are annihilated at "
        "dislocations or condense on voids. Large `interface_sink_velocity` recovers the "
        "perfect sink, 0 the vacancy-diffusion limit.",
        default="separate",
        choices=("separate", "interface_sink"),
    ),
    Key(
        "vacancy.interface_sink_velocity",
        "quantity",
        "Rate constant k_s of the interface sink law (`site_balance = \"interface_sink\"`), "
        "in theta units: the annihilation flux is `c_eq k_s (theta - theta_s)` lattice sites "
        "per area. Not measured for Li: the default assumes a vacancy that reaches the "
        "interface is annihilated within one jump.",
        dimension=VELOCITY,
        nonnegative=True,
        default_text="D_v / b (the metal's vacancy diffusivity over its Burgers vector)",
    ),
    # ---------------------------------------------------------------- crack
    Key(
        "crack.kind",
        "choice",
        "`edge`: a surface flaw from the Li/electrolyte interface y = 0 into the electrolyte "
        "(one tip; planar, or a ring crack at radius `crack.position` in an axisymmetric "
        "cell); `internal`: a Griffith crack inside the electrolyte (two tips; planar); "
        "`penny`: a circular crack in the plane z = 0 centred on the axis (axisymmetric; the "
        "symmetric half is modelled).",
        default="edge",
        choices=("edge", "internal", "penny"),
        constraints='`penny` needs `geometry.kind = "axisymmetric"`, `internal` `"planar"`; '
                    "a ring (axisymmetric edge) crack does not grow",
    ),
    Key(
        "crack.length",
        "quantity",
        "Crack size: the depth c of an edge crack, the half-length a of an internal crack, "
        "the radius a of a penny crack.",
        dimension=LENGTH,
        positive=True,
        default=1e-6,
        default_text="1 um",
        constraints="the crack inside the electrolyte, clear of its boundary by 5 % of "
        "min(geometry.width, geometry.h_se); penny: `< 0.9 min(geometry.width, geometry.h_se)`",
    ),
    Key(
        "crack.inclination",
        "float",
        "Inclination in degrees: an edge crack from the interface normal, an internal crack "
        "from the interface plane (planar cracks only).",
        default=0.0,
        above=-81.0,
        below=81.0,
        constraints="0 for `penny`",
    ),
    Key(
        "crack.position",
        "quantity",
        "x of the crack mouth (edge) or centre (internal), measured from the middle of the "
        "electrolyte; for a ring crack (axisymmetric edge crack) the radius r of its mouth.",
        dimension=LENGTH,
        default=0.0,
        default_text="0 um",
        constraints="0 for `penny` (on the axis); > 0 (off the axis) for a ring crack",
    ),
    Key(
        "crack.depth",
        "quantity",
        "Height of the centre of an internal crack above the interface.",
        dimension=LENGTH,
        positive=True,
        default_text="geometry.h_se/2",
        constraints="`internal` only",
    ),
    Key(
        "crack.fill",
        "quantity",
        "Li-filled extent: from the mouth (edge), the half-length about the centre "
        "(internal), the radius (penny); the rest of the crack towards the tip is dry.",
        dimension=LENGTH,
        positive=True,
        default_text="the whole crack",
        constraints="`≤ length`",
    ),
    Key(
        "crack.li_pressure",
        "quantity",
        "Pressure of the Li on the filled crack faces (compressive positive).",
        dimension=PRESSURE,
        nonnegative=True,
        default_text="F |overpotential| / Ω with `overpotential`, else 0 MPa (the run "
        "still reports the critical pressure)",
        constraints="not together with `overpotential`",
    ),
    Key(
        "crack.overpotential",
        "quantity",
        "Plating overpotential η that fills the crack: the Li pressure is p = F |η| / Ω (Ω "
        "the molar volume of `anode.metal`), the most a closed flaw can build.",
        dimension=VOLTAGE,
        default_text="none",
        constraints="not together with `li_pressure`",
    ),
    Key(
        "crack.stack_pressure",
        "quantity",
        "Stack pressure on the Li/electrolyte interface y = 0 outside the crack (compressive "
        "positive).",
        dimension=PRESSURE,
        nonnegative=True,
        default=0.0,
        default_text="0 MPa",
    ),
    Key(
        "crack.in_plane_stress",
        "quantity",
        "In-plane stress σ_xx applied on the sides of the electrolyte (tensile positive; e.g. "
        '"-200 MPa" for a residual compression of the surface). Planar cracks only.',
        dimension=PRESSURE,
        default=0.0,
        default_text="0 MPa",
        constraints="0 for `penny`",
    ),
    Key(
        "crack.support",
        "choice",
        "How the counter-electrode side y = geometry.h_se is held: `roller` (u_y = 0), "
        "`clamped` (u = 0) or `free` (a weak spring on the outer boundary removes the "
        "rigid-body modes).",
        default="roller",
        choices=("roller", "clamped", "free"),
    ),
    Key(
        "crack.tip_size",
        "quantity",
        "Element size at the crack tips (within 0.1 length of them).",
        dimension=LENGTH,
        positive=True,
        default_text="length/60",
        constraints="`≤ face_size`",
    ),
    Key(
        "crack.face_size",
        "quantity",
        "Element size along the crack faces.",
        dimension=LENGTH,
        positive=True,
        default_text="length/15",
        constraints="`≤ far_size`; `≤ length/2`",
    ),
    Key(
        "crack.far_size",
        "quantity",
        "Element size far from the crack.",
        dimension=LENGTH,
        positive=True,
        default_text="max(geometry.width, geometry.h_se)/12",
    ),
    Key(
        "crack.growth_steps",
        "int",
        "Crack growth after the steady solve: this many increments of `growth_increment` along "
        "the maximum tangential stress (incremental LEFM, Erdogan & Sih 1963), each at the Li "
        "pressure that extends the crack with the other loads held; the run writes the path "
        "and the critical Li pressure and overpotential along it (`growth.csv`, "
        "`growth.png`; `ssbx.problems.crack_growth`). Growth stops early near the electrolyte's "
        "boundary or where no Li pressure extends the crack. 0: no growth.",
        default=0,
        nonnegative=True,
        constraints="edge and internal cracks (not `penny`); not together with `fill` (the "
        "Li follows the growing crack up to `dry_tip` behind the tip)",
    ),
    Key(
        "crack.growth_increment",
        "quantity",
        "Length of each growth increment (the mesh at the tips is refined to "
        "`growth_increment/25` during growth).",
        dimension=LENGTH,
        positive=True,
        default_text="length/4",
        constraints="with `growth_steps > 0`; `≤ min(geometry.width, geometry.h_se)/4`",
    ),
    Key(
        "crack.dry_tip",
        "quantity",
        "Length of the dry crack ahead of the Li while the crack grows (the crack front "
        "running ahead of the Li, Ning et al. 2021); 0: the Li fills the crack up to its tips. "
        "The steady solve before growth has the Li up to the tip.",
        dimension=LENGTH,
        nonnegative=True,
        default=0.0,
        default_text="0 um",
        constraints="with `growth_steps > 0`; `< length`",
    ),
    Key(
        "crack.plating_current",
        "quantity",
        "Mean plating current density through the cell (written positive): Li plates into "
        "the wetted faces of an edge crack, which belong to the Li electrode, and the Li "
        "pressure in the crack is the steady one at which plating into it balances the Li "
        "extruded through its mouth (`extrusion`; none: a sealed flaw, Porz et al. 2017). The "
        "run solves the potential around the crack (`[electrolyte]` conductivity, "
        "`[interface]` kinetics at `operation.temperature`), reports the steady Li pressure "
        "and the stress intensity factors there, and the critical plating current density at "
        "which the steady pressure extends the crack (`ssbx.problems.crack_current`).",
        dimension=CURRENT_DENSITY,
        positive=True,
        default_text="none (the Li pressure is `li_pressure` or `overpotential`)",
        constraints='`kind = "edge"`; not together with `li_pressure` or `overpotential`; '
        '`interface.kinetics` other than `"primary"`',
    ),
    Key(
        "crack.extrusion",
        "choice",
        "How the Li leaves the crack through its mouth under `plating_current`: `none` (a "
        "sealed flaw), or slot flow of the anode metal's creep law (`anode.metal`) through the "
        "crack's mean elastic opening, driven by the Li pressure falling to the stack pressure "
        "at the mouth (`ssbx.physics.extrusion`): `bulk` (the bulk power law, Li: Masias et "
        "al. 2019), `size_dependent` (Li's size- and rate-dependent law at the opening: Xu et "
        "al. 2017 dislocation creep plus Nabarro-Herring flow), `size_dependent_dislocation` "
        "(its dislocation branch alone).",
        default="none",
        choices=("none", "bulk", "size_dependent", "size_dependent_dislocation"),
        constraints='with `plating_current`; `size_dependent*`: `anode.metal = "Li"` and '
        "`operation.temperature` 10-40 °C",
    ),
    Key(
        "crack.voids",
        "table_list",
        "Interfacial voids: intervals of the interface without Li contact (see the "
        "`crack.voids` table below).",
        default=(),
        constraints='edge and internal cracks (not `penny`)',
        items=CRACK_VOID_KEYS,
    ),
    Key(
        "crack.void_map",
        "str",
        'The run folder of a stripping run (`problem = "stripping"`): the intervals of its '
        "interface without Li contact in `interface_profiles.csv` (at `void_map_time`) become "
        "voids, added to `[[crack.voids]]` (overlaps merged). Its cell is centred on the crack "
        "case's electrolyte (the stripping cell's middle at x = 0). A relative path is taken "
        "from the current working directory when the case is loaded; the resolved case "
        "records the absolute path.",
        default_text="none",
        constraints="edge and internal cracks; the folder must hold `interface_profiles.csv`; "
        "its voids must fit like `[[crack.voids]]`",
    ),
    Key(
        "crack.void_map_time",
        "quantity",
        "Time of the stripping run whose interface profile `void_map` reads: the last profile "
        "recorded at or before it.",
        dimension=TIME,
        nonnegative=True,
        default_text="the last profile",
        constraints="with `void_map`",
    ),
    # ---------------------------------------------------------------- stack
    Key(
        "stack.layers",
        "layer_list",
        "The layers, bottom to top (see the `stack.layers` table below).",
        default=(),
        default_text="none",
        constraints='`problem = "stack"`: at least one; names unique',
        items=LAYER_KEYS,
    ),
    Key(
        "stack.capacity",
        "quantity",
        "The cell's areal capacity: the state of charge is `initial_state_of_charge` + "
        "charge passed / capacity (charge: `Plate at ...`).",
        dimension=CAPACITY,
        positive=True,
        default_text="none",
        constraints="required with a `cathode` layer",
    ),
    Key(
        "stack.initial_state_of_charge",
        "float",
        "State of charge at the start.",
        default=0.0,
        nonnegative=True,
        at_most=1.0,
    ),
    Key(
        "stack.steps_per_segment",
        "int",
        "Equal time steps per protocol step.",
        default=100,
        positive=True,
    ),
    # ---------------------------------------------------------------- particle
    Key(
        "particle.material",
        "choice",
        "The intercalation host whose data the material keys below default to (with "
        "provenance: `ssbx parameters`).",
        default="LiMn2O4",
        choices=tuple(PARTICLE_MATERIALS),
    ),
    Key("particle.radius", "quantity", "Particle radius R.", default=5e-6,
        default_text="5 um", dimension=LENGTH, positive=True),
    Key("particle.dimension", "int",
        "2: a sphere in axisymmetry (its meridian quarter disk); 3: a sphere in 3-D "
        "(`body`).", default=2, choices=(2, 3)),
    Key("particle.body", "choice",
        "The 3-D body: `octant` (one eighth with symmetry planes; grains touching a plane are "
        "mirrored) or `whole` (the whole sphere on isostatic point supports, 8x the "
        "unknowns: random grains without mirror images).", default="octant",
        choices=("octant", "whole"), constraints="`dimension = 3`"),
    Key("particle.mesh_size", "quantity", "Element size inside the particle.",
        dimension=LENGTH, positive=True, default_text="radius / 8"),
    Key("particle.surface_mesh_size", "quantity",
        "Element size at the surface (`dimension = 2`; grading to `mesh_size` over R/2): "
        "resolves the surface layer of short times, thickness ~ sqrt(D t).",
        dimension=LENGTH, positive=True, default_text="radius / 40",
        constraints="≤ mesh_size; `dimension = 2` only"),
    Key("particle.degree", "int", "Lagrange degree k of the concentration (P_k; the "
        "displacement is P_(k+1)).", default=2, choices=(1, 2)),
    Key("particle.diffusivity", "quantity", "Li diffusivity D.", dimension=DIFFUSIVITY,
        positive=True, default_text="of `material`"),
    Key("particle.max_concentration", "quantity",
        "Li concentration of the fully lithiated host, c_max (lithiation x = c / c_max).",
        dimension=CONCENTRATION, positive=True, default_text="of `material`"),
    Key("particle.molar_volume", "quantity",
        "Partial molar volume Ω of Li in the host (chemical strain Ω (c - c_ref) / 3; "
        "negative for a host that shrinks on lithiation).",
        dimension=MOLAR_VOLUME, default_text="of `material`"),
    Key("particle.youngs_modulus", "quantity", "Young's modulus of the host.",
        dimension=PRESSURE, positive=True, default_text="of `material`"),
    Key("particle.poisson_ratio", "float", "Poisson's ratio of the host.",
        default_text="of `material`", constraints="-1 < ν < 0.5"),
    Key("particle.initial_lithiation", "float",
        "Uniform lithiation x = c / c_max at the start; also the stress-free state.",
        default=0.5, nonnegative=True, at_most=1.0),
    Key("particle.diffusivity_lithiation", "float_list",
        "Lithiations x of a table of D(x) / `diffusivity` (with `diffusivity_factor`; "
        "piecewise linear, held constant beyond the ends). None: D is constant.",
        default=(), default_text="none", constraints="strictly increasing, within [0, 1]"),
    Key("particle.diffusivity_factor", "float_list",
        "D(x) / `diffusivity` at `diffusivity_lithiation` (e.g. a PITT measurement against "
        "state of charge).", default=(), default_text="none",
        constraints="> 0; as many as `diffusivity_lithiation`"),
    Key("particle.exchange_current", "quantity", "Exchange current density j0 of the "
        "insertion reaction at the surface.", default=1.0, default_text="0.1 mA/cm^2",
        dimension=CURRENT_DENSITY, positive=True),
    Key("particle.exchange_current_lithiation", "float_list",
        "Lithiations x of a table of j0(x) / `exchange_current` (with "
        "`exchange_current_factor`; piecewise linear, held beyond the ends). Tsai et al. "
        "(2018) measured j0 of NMC333 rising about 100x with the OCV. None: j0 is constant.",
        default=(), default_text="none", constraints="strictly increasing, within [0, 1]"),
    Key("particle.exchange_current_factor", "float_list",
        "j0(x) / `exchange_current` at `exchange_current_lithiation`.", default=(),
        default_text="none", constraints="> 0; as many as `exchange_current_lithiation`"),
    Key("particle.transfer_coefficient", "float", "Cathodic transfer coefficient α of the "
        "Butler–Volmer kinetics.", default=0.5, above=0.0, below=1.0),
    Key("particle.linearised_kinetics", "bool",
        "Linearise Butler–Volmer in the overpotential (`i = -j0 F η / R T`): the kinetics of "
        "the PITT analysis (Li et al. 2012), valid for steps of a few mV.", default=False),
    Key("particle.ocv_lithiation", "float_list",
        "Lithiations x of the open-circuit-potential table (strictly increasing, at least "
        "two); U(x) is piecewise linear through the points and extended linearly beyond.",
        default=(), default_text="required", constraints='`problem = "particle"`: required'),
    Key("particle.ocv_potential", "float_list",
        "Open-circuit potentials U [V] against Li at `ocv_lithiation`.",
        default=(), default_text="required",
        constraints="as many as `ocv_lithiation`"),
    Key("particle.lattice_a", "float",
        "Anisotropic chemical strain of layered grains: d ln a / dx, the relative change of "
        "the a lattice parameter per unit lithiation (with `lattice_c`; replaces the "
        "isotropic strain of `molar_volume`).",
        default_text="none (isotropic)",
        constraints="with `lattice_c`, `dimension = 3` and `stress_coupling = false`"),
    Key("particle.lattice_c", "float",
        "d ln c / dx: the relative change of the c lattice parameter per unit lithiation.",
        default_text="none (isotropic)", constraints="with `lattice_a`"),
    Key("particle.lattice_lithiation", "float_list",
        "Lithiations x of tables of the lattice parameters a(x) and c(x) (with "
        "`lattice_a_table`, `lattice_c_table`; instead of `lattice_a`, `lattice_c`): the "
        "chemical strain of a grain is a(x)/a(x_ref) - 1 across and c(x)/c(x_ref) - 1 along its "
        "c-axis, x_ref the initial lithiation; piecewise linear, held beyond the ends. For "
        "Ni-rich oxides whose c parameter collapses at high delithiation.",
        default=(), default_text="none",
        constraints="strictly increasing, within [0, 1]; `dimension = 3`, "
                    "`stress_coupling = false`"),
    Key("particle.lattice_a_table", "float_list",
        "The a lattice parameter at `lattice_lithiation` (any length unit, the same as "
        "`lattice_c_table`: only ratios enter).", default=(), default_text="none",
        constraints="> 0; as many as `lattice_lithiation`"),
    Key("particle.lattice_c_table", "float_list",
        "The c lattice parameter at `lattice_lithiation` (the unit of `lattice_a_table`).",
        default=(), default_text="none",
        constraints="> 0; as many as `lattice_lithiation`"),
    Key("particle.grains", "int",
        "Number of primary grains (Voronoi cells of seeds drawn in the particle, each with a "
        "random c-axis; `ssbx.meshes.grains`); 1: a single crystal.",
        default=1, positive=True,
        constraints="with `lattice_a`, `lattice_c` or the lattice tables"),
    Key("particle.grain_seed", "int", "Seed of the grains' positions and orientations.",
        default=0, nonnegative=True),
    Key("particle.grain_texture", "choice",
        "The grains' c-axes: `random` (uniform on the sphere), `radial` (along the radius "
        "through the grain) or `tangential` (random across that radius: the a-b planes "
        "radial, as in radially aligned primary grains).", default="random",
        choices=("random", "radial", "tangential"),
        constraints="with `lattice_a`, `lattice_c` or the lattice tables"),
    Key("particle.linear_solver", "choice",
        "`direct` (MUMPS LU; kept across steps where the Jacobian is constant) or `iterative` "
        "(FGMRES with a c → u → σ_h field split and one AMG cycle per block: less memory, "
        "and faster than a new LU beyond ~50k unknowns; "
        "`ssbx.problems.particle.ITERATIVE_OPTIONS`).", default="direct",
        choices=("direct", "iterative"),
        constraints="`iterative`: `dimension = 3`, `mechanics`, `stress_coupling = false`"),
    Key("particle.mechanics", "bool",
        "Solve the displacement and stresses (off: diffusion only, no stresses).",
        default=True),
    Key("particle.stress_coupling", "bool",
        "Include the drift of Li towards tension in the flux (needs `mechanics`).",
        default=True),
    Key("particle.initial_step", "quantity",
        "First time step of each protocol step; steps then grow by 1.1 up to `max_step`.",
        dimension=TIME, positive=True, default_text="1e-6 R²/D"),
    Key("particle.max_step", "quantity", "Largest time step.", dimension=TIME,
        positive=True, default_text="0.005 R²/D"),
    # ---------------------------------------------------------------- embedded particle
    Key("embedded.radius", "quantity", "Particle radius R.", default=5e-6,
        default_text="5 um", dimension=LENGTH, positive=True),
    Key("embedded.dimension", "int",
        "2: axisymmetric (the cell is a cylinder, P2 on curved triangles); 3: the octant of a "
        "3-D body (the cell is a box, a simple-cubic array of particles; P1 on tetrahedra, "
        "nodal contact on their faces).", default=2, choices=(2, 3)),
    Key("embedded.matrix", "choice",
        "The electrolyte around the particle: `cell` (the unit cell of a composite layer, "
        "rollers at its side, the stack pressure on its top: the pressure is uniaxial) or "
        "`shell` (a concentric spherical shell under the stack pressure as a hydrostatic "
        "pressure: the closed-form body).", default="cell", choices=("cell", "shell")),
    Key("embedded.volume_fraction", "float",
        "The particle's share of the matrix body's volume φ: `cell`: 2R³/(3W³) (3-D: "
        "πR³/(6W³)); `shell`: (R / outer radius)³.", default=0.5, above=0.0,
        constraints="`cell`: < 2/3 (3-D: < π/6, W > R); `shell`: < 1"),
    Key("embedded.mesh_size", "quantity", "Element size away from the interface.",
        dimension=LENGTH, positive=True, default_text="radius / 6"),
    Key("embedded.interface_mesh_size", "quantity",
        "Element size at the particle–electrolyte interface (grading to `mesh_size` over "
        "R/2).", dimension=LENGTH, positive=True, default_text="radius / 40",
        constraints="≤ mesh_size"),
    Key("embedded.particle_youngs_modulus", "quantity",
        "Young's modulus of the particle (the default: the order of the nanoindentation "
        "moduli of layered NMC oxides; the contact loss of a dilute particle does not depend "
        "on it).", dimension=PRESSURE, positive=True, default=199e9, default_text="199 GPa"),
    Key("embedded.particle_poisson_ratio", "float", "Poisson's ratio of the particle.",
        default=0.25, above=-1.0, below=0.5),
    Key("embedded.electrolyte", "choice",
        "The electrolyte preset whose elastic constants the two keys below default to (with "
        "provenance: `ssbx parameters`).", default="Li6PS5Cl",
        choices=tuple(ELECTROLYTES)),
    Key("embedded.electrolyte_youngs_modulus", "quantity", "Young's modulus of the "
        "electrolyte.", dimension=PRESSURE, positive=True, default_text="of `electrolyte`"),
    Key("embedded.electrolyte_poisson_ratio", "float", "Poisson's ratio of the electrolyte.",
        default_text="of `electrolyte`", above=-1.0, below=0.5),
    Key("embedded.interface", "choice",
        "`contact`: frictionless unilateral contact without adhesion (the particle may pull "
        "away); `bonded`: the particle and the electrolyte move together.", default="contact",
        choices=("contact", "bonded")),
    Key("embedded.penalty", "float",
        "Penalty stiffness of the interface in units of E_max / h (h = "
        "`interface_mesh_size`): the interpenetration is 1/penalty of h per E_max of contact "
        "pressure.", default=1e3, positive=True),
    Key("embedded.stack_pressure", "quantity", "Stack pressure on the matrix body "
        "(compressive +).", dimension=PRESSURE, nonnegative=True, default=10e6,
        default_text="10 MPa"),
    Key("embedded.volume_change", "float",
        "The particle's free relative volume change dV/V at the end of the charge (NMC811 "
        "shrinks by ~7.8 % on charge: Koerver et al. 2017).", default=-0.078, above=-1.0,
        nonzero=True),
    Key("embedded.steps", "int",
        "Steps of the charge, geometric in |dV/V| from 1e-5 (contact goes at ~1e-4 per MPa of "
        "an elastic sulfide).", default=31, positive=True, constraints="≥ 2"),
    Key("embedded.discharge", "bool", "Also discharge: `uniform`: back to dV/V = 0 through "
        "the same states; `diffusion`: at the same rate through the contact there is, until "
        "the window is back at its start, the contacting surface is full or no contact is "
        "left (an isolated particle keeps its charge: the first cycle's loss).",
        default=True),
    Key("embedded.charge_by", "choice",
        "`uniform`: the particle's volume change is uniform and set directly (a slow charge: "
        "`steps` states from 1e-5 to `volume_change`); `diffusion`: a galvanostatic charge "
        "at `c_rate` by Li diffusion (`diffusivity`) that leaves only through the part of "
        "the interface still in contact (the loss of ionic contact cuts the flux's area), "
        "the volume change following the local Li content linearly over the window; it "
        "stops at the window's end, when the contacting surface runs empty, or when no "
        "contact is left.", default="uniform", choices=("uniform", "diffusion")),
    Key("embedded.diffusivity", "quantity",
        "Li diffusivity of the particle (`charge_by = \"diffusion\"`; the default: NMC811 "
        "of the LG M50 cell, Chen et al. 2020).", dimension=DIFFUSIVITY,
        positive=True, default=4e-15, default_text="4e-15 m^2/s"),
    Key("embedded.c_rate", "float",
        "C-rate of the charge: the particle's whole window in 1/C hours "
        "(`charge_by = \"diffusion\"`).", default=0.1, positive=True),
    Key("embedded.volume_change_charge", "float_list",
        "Shares of the window charged (0: start, 1: end) of a table of the particle's free "
        "volume change (with `volume_change_values`; `charge_by = \"diffusion\"`; instead "
        "of `volume_change`): piecewise linear, held beyond the ends, counted from the start "
        "of charge. Layered Ni-rich oxides shrink mostly at high delithiation (the c-axis "
        "collapse), not linearly.", default=(), default_text="none (linear)",
        constraints="strictly increasing, within [0, 1]; at least two"),
    Key("embedded.volume_change_values", "float_list",
        "The free relative volume changes dV/V at `volume_change_charge` (against any "
        "reference: only changes since the start of charge enter).", default=(),
        default_text="none", constraints="> -1; as many as `volume_change_charge`"),
    Key("embedded.time_steps", "int",
        "Equal time steps over the window's 1/C hours (`charge_by = \"diffusion\"`).",
        default=200, positive=True),
    # ---------------------------------------------------------------- output
    Key(
        "output.fields",
        "bool",
        "Write the fields for ParaView (the potential, the displacements).",
        default=True,
    ),
    Key(
        "output.plots",
        "bool",
        "Write the run's PNG figures (profiles, histories). `false` saves ~0.5 s per run "
        "(importing matplotlib and drawing): for sweeps of many small cases; the CSV files "
        "hold the same data.",
        default=True,
    ),
    Key(
        "output.checkpoint_every",
        "int",
        "Transient runs (`mechanics`, `stripping`): write a checkpoint to "
        "`checkpoints/step-NNNNNN/` in the run folder after every this many accepted time "
        "steps (when the step count is a multiple of it), for `ssbx run --restart`; 0: off.",
        default=0,
        nonnegative=True,
    ),
    Key(
        "output.checkpoint_wall_interval",
        "quantity",
        "Transient runs: also write a checkpoint when this much wall-clock time has passed "
        "since the last one (or the start); 0: off. The default bounds the work lost by an "
        "interrupted long run to 30 min, and short runs write none.",
        dimension=TIME,
        nonnegative=True,
        default=1800.0,
        default_text="30 min",
    ),
    Key(
        "output.checkpoint_keep",
        "int",
        "How many of the newest complete checkpoints are kept (older ones are deleted once a "
        "new one is complete).",
        default=2,
        positive=True,
    ),
)

#: Every key of :data:`SCHEMA` by its dotted path.
KEYS: dict[str, Key] = {k.path: k for k in SCHEMA}

#: Top-level tables of a case file (``[geometry]`` ...), in order.
TABLES: tuple[str, ...] = tuple(s for s in SECTIONS if s and "." not in s)


def section_keys(section: str) -> dict[str, Key]:
    """The keys of a section by bare name (``section_keys("mesh")["size_fine"]``)."""
    return {k.name: k for k in SCHEMA if k.section == section}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(keys: tuple[Key, ...], prefix: str) -> list[str]:
    lines = [
        "| key | type [SI unit] | default | meaning | constraints |",
        "|---|---|---|---|---|",
    ]
    for k in keys:
        default = k.shown_default()
        if k.kind == "quantity" and k.default is not None:
            default = f'`"{default}"`'  # a default_text that parses to the default
        elif not k.default_text and default not in ("required", "—", "none", "empty"):
            default = f"`{default}`"
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    f"`{prefix}{k.name}`",
                    k.type_text(),
                    default,
                    k.doc,
                    k.constraint_text(),
                )
            )
            + " |"
        )
    return lines


def schema_markdown() -> str:
    """The case-file reference as Markdown, grouped by section (``docs/case-reference.md``)."""
    out = [
        "# Case file reference",
        "",
        "<!-- Generated by `ssbx schema --markdown` (ssbx.case.schema.schema_markdown); "
        "do not edit. -->",
        "",
        "A case is a TOML file. Every key is optional unless marked *required*; missing keys "
        "take the default below. `ssbx validate CASE.toml` checks a case and reports every "
        "problem at once (unknown keys, wrong types or units, values out of range, geometry "
        "that does not fit).",
        "",
        "**Quantities** are written either as a string with a unit, parsed by "
        '[pint](https://pint.readthedocs.io) — `"20 um"`, `"1 mA/cm^2"`, `"4 ohm cm^2"`, '
        '`"0.5 mS/cm"`, `"25 degC"`, `"30 kJ/mol"`, `"0.3 eV"` — or as a bare number, taken '
        "in the SI unit of the *type* column. Internally everything is SI. Activation energies "
        "accept molar (`kJ/mol`) and per-ion (`eV`) energies.",
        "",
        "Sign convention: positive current = stripping (Li dissolves into the electrolyte at "
        "the Li/electrolyte interface), negative = plating.",
        "",
    ]
    for section, text in SECTIONS.items():
        if section == "":
            out += ["## Top level", "", text, ""]
            out += _rows(tuple(k for k in SCHEMA if k.section == ""), "")
        elif section in KEYS and KEYS[section].kind in ("table_list", "layer_list"):
            out += [f"## `[[{section}]]`", "", text, ""]
            out += _rows(KEYS[section].items, "")
        elif section == "solver.petsc":
            out += ["## `[solver.petsc]`", "", text]
        else:
            lists = ("table_list", "layer_list")
            keys = tuple(k for k in SCHEMA if k.section == section and k.kind not in lists)
            keys += tuple(k for k in SCHEMA if k.section == section and k.kind in lists)
            out += [f"## `[{section}]`", "", text, ""]
            out += _rows(keys, "")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def schema_rows() -> list[dict[str, Any]]:
    """The schema as plain data (for ``ssbx schema`` without ``--markdown``, e.g. as JSON)."""

    def row(k: Key, path: str) -> dict[str, Any]:
        return {
            "key": path,
            "type": k.type_text(),
            "si_unit": k.si_unit,
            "default": k.shown_default(),
            "meaning": k.doc,
            "constraints": k.constraint_text(),
        }

    rows: list[dict[str, Any]] = []
    for k in SCHEMA:
        rows.append(row(k, k.path))
        for item in k.items:
            rows.append(row(item, f"{k.path}[].{item.name}"))
    return rows
