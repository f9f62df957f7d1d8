"""Case files (TOML) → validated, resolved, typed :class:`Case` (SI units throughout).

``load_case(path)`` reads a case file and ``resolve_case(raw)`` a parsed TOML dict: every key is
checked against :data:`ssbx.schema.SCHEMA` (unknown keys with a suggestion, types, units and
dimensions, signs, choices), then the checks involving several keys (voids inside the cell and
not overlapping, void depth below the Li thickness, mesh sizes against the features they
resolve, kinetics against the counter electrode ...). All problems are collected and raised
together as one :class:`CaseError`. Missing keys take the schema defaults.

``Case.to_toml_dict()`` writes the resolved case back (all defaults filled in, quantities as
strings in SI units); ``resolve_case(case.to_toml_dict())`` gives the same ``Case``.
:func:`with_overrides` changes keys by dotted path (``"geometry.voids.0.width"``) for sweeps.

No dolfinx here: validation runs before any mesh or solver work and is fast.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import tomli_w

from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.physics.creep_laws import XU_2017_TEMPERATURES
from ssbx.protocol import ProtocolError, ProtocolStep, parse_protocol
from ssbx.schema import KEYS, SCHEMA, TABLES, VOID_KEYS, Key, section_keys
from ssbx.units import (
    DIMENSIONS,
    QuantityError,
    format_quantity,
    parse_quantity,
    show_value,
    toml_type,
)

Kinetics = Literal["linear", "butler_volmer", "primary"]
Mode = Literal["galvanostatic", "potentiostatic"]
CounterElectrode = Literal["ideal", "symmetric"]
LinearSolver = Literal["direct", "amg"]
PetscValue = str | int | float | bool


# --------------------------------------------------------------------------- errors


class CaseError(ValueError):
    """An invalid case: ``problems`` lists every problem found, one message each.

    Each message names the key (dotted path, e.g. ``geometry.voids[1].width``), the value given
    and what is allowed. ``source`` is the case file, when there is one.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        what = f"{n} problem{'s' if n != 1 else ''}"
        head = f"{self.source}: {what} in the case file" if self.source else f"{what} in the case"
        return "\n".join([head + ":", *(f"  - {p}" for p in self.problems)])


# --------------------------------------------------------------------------- resolved case


def _arrhenius(activation_energy: float, temperature: float, reference_temperature: float) -> float:
    """exp(−Ea/R (1/T − 1/T_ref)) [-]; Ea [J/mol], T and T_ref [K]."""
    return math.exp(
        -activation_energy / GAS_CONSTANT * (1.0 / temperature - 1.0 / reference_temperature)
    )


@dataclass(frozen=True)
class ElectrolyteSpec:
    """The solid electrolyte.

    material: free label. conductivity: κ_ref at ``reference_temperature`` [S/m].
    activation_energy: Ea of κ [J/mol]. reference_temperature: T_ref [K].
    """

    material: str = "LLZO"
    conductivity: float = 0.05
    activation_energy: float = 0.0
    reference_temperature: float = 298.15

    def conductivity_at(self, temperature: float) -> float:
        """κ(T) = κ_ref exp(−Ea/R (1/T − 1/T_ref)) [S/m] at ``temperature`` [K]."""
        return self.conductivity * _arrhenius(
            self.activation_energy, temperature, self.reference_temperature
        )


@dataclass(frozen=True)
class InterfaceSpec:
    """Charge-transfer kinetics at the Li/electrolyte contact.

    kinetics: ``"linear"``, ``"butler_volmer"`` or ``"primary"``.
    asr: area-specific charge-transfer resistance Z at T_ref [ohm m^2] (always resolved).
    asr_variation [-], asr_wavelength [m]: ``Z(x) = Z (1 + a cos(2 pi x / lambda))`` along the
        interface (stripping problems).
    exchange_current_density: i0 at T_ref [A/m^2] as given, or ``None`` (then derived from
        ``asr``, see :attr:`exchange_current_density_ref`).
    alpha_a, alpha_c: transfer coefficients [-]. activation_energy: Ea of i0 and 1/Z [J/mol].
    equilibrium_potential: U0 [V].
    reference_temperature: T_ref [K], copied from ``electrolyte.reference_temperature`` (not a
        key of ``[interface]``).
    """

    kinetics: Kinetics = "linear"
    asr: float = 4e-4
    asr_variation: float = 0.0
    asr_wavelength: float = 2e-5
    exchange_current_density: float | None = None
    alpha_a: float = 0.5
    alpha_c: float = 0.5
    activation_energy: float = 0.0
    equilibrium_potential: float = 0.0
    reference_temperature: float = 298.15

    @property
    def exchange_current_density_ref(self) -> float:
        """i0 at T_ref [A/m^2]: as given, else R T_ref / (F Z (α_a + α_c))."""
        if self.exchange_current_density is not None:
            return self.exchange_current_density
        return i0_from_asr(self.asr, self.reference_temperature, self.alpha_a, self.alpha_c)

    def arrhenius_factor(self, temperature: float) -> float:
        """exp(−Ea/R (1/T − 1/T_ref)) [-] of i0 and 1/Z at ``temperature`` [K]."""
        return _arrhenius(self.activation_energy, temperature, self.reference_temperature)

    def exchange_current_density_at(self, temperature: float) -> float:
        """i0(T) = i0_ref exp(−Ea/R (1/T − 1/T_ref)) [A/m^2] at ``temperature`` [K]."""
        return self.exchange_current_density_ref * self.arrhenius_factor(temperature)

    def asr_at(self, temperature: float) -> float:
        """Z(T) = Z_ref exp(+Ea/R (1/T − 1/T_ref)) [ohm m^2] at ``temperature`` [K]."""
        return self.asr / self.arrhenius_factor(temperature)


def default_corner_radius(width: float, height: float) -> float:
    """Default corner radius [m] of a rounded-rectangle void: min(height, width/2)/2."""
    return min(height, width / 2) / 2


def i0_from_asr(asr: float, temperature: float, alpha_a: float, alpha_c: float) -> float:
    """i0 = R T / (F Z (α_a + α_c)) [A/m^2]: the i0 whose Butler–Volmer law has the small-η
    resistance ``asr`` [ohm m^2] at ``temperature`` [K]. The same formula gives Z from i0."""
    return GAS_CONSTANT * temperature / (FARADAY * asr * (alpha_a + alpha_c))


@dataclass(frozen=True)
class OperationSpec:
    """Operating point.

    mode: ``"galvanostatic"`` or ``"potentiostatic"``.
    current_density: mean current density [A/m^2], positive = stripping (galvanostatic).
    voltage: cell voltage φ_Li − φ_counter [V], positive = stripping (potentiostatic).
    temperature: T [K]. counter_electrode: ``"ideal"`` or ``"symmetric"``.
    """

    mode: Mode = "galvanostatic"
    current_density: float = 10.0
    voltage: float = 0.01
    temperature: float = 298.15
    counter_electrode: CounterElectrode = "ideal"


@dataclass(frozen=True)
class SolverSpec:
    """Discretisation and solvers.

    degree: Lagrange degree (1, 2, 3). linear_solver: ``"direct"`` (MUMPS LU) or ``"amg"``
    (CG + GAMG). rtol, atol: residual tolerances [-] and [A] of the Newton solve.
    max_iterations: Newton iterations. petsc: PETSc options (name without dash → value), read
    only, applied after those chosen by ``linear_solver``.
    """

    degree: int = 2
    linear_solver: LinearSolver = "direct"
    rtol: float = 1e-10
    atol: float = 1e-12
    max_iterations: int = 50
    petsc: Mapping[str, PetscValue] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "petsc", MappingProxyType(dict(self.petsc)))

    def __hash__(self) -> int:
        return hash(
            (self.degree, self.linear_solver, self.rtol, self.atol, self.max_iterations,
             tuple(sorted(self.petsc.items())))
        )  # fmt: skip


@dataclass(frozen=True)
class AnodeSpec:
    """The metal anode: metal, a name in :data:`ssbx.physics.anode_metals.ANODE_METALS`."""

    metal: Literal["Li", "Li-Mg", "Na"] = "Li"


@dataclass(frozen=True)
class MechanicsSpec:
    """Materials of a mechanics case (``None`` = the preset's value).

    li_model: ``"elastic"``, ``"power_law"`` or ``"anand"``. electrolyte_preset: name in
    :data:`ssbx.physics.elasticity.ELECTROLYTE_PRESETS`. Moduli [Pa]; creep_prefactor A
    [1/(s Pa^n)], creep_exponent n [-], creep_activation_energy Q [J/mol], yield_stress [Pa];
    strength_size [m]: feature size of the size-dependent Li strength (``None``: off).
    """

    li_model: Literal["elastic", "power_law", "anand"] = "power_law"
    electrolyte_preset: str = "LLZO"
    electrolyte_youngs_modulus: float | None = None
    electrolyte_poisson_ratio: float | None = None
    li_youngs_modulus: float | None = None
    li_poisson_ratio: float | None = None
    creep_prefactor: float | None = None
    creep_exponent: float | None = None
    creep_activation_energy: float | None = None
    yield_stress: float = 0.0
    strength_size: float | None = None


@dataclass(frozen=True)
class FixtureSpec:
    """Stack-pressure fixture on the Li current collector.

    type: ``"pressure"``, ``"fixed_gap"`` or ``"spring"``; pressure [Pa] (compressive
    positive; spring preload, initial pressure of a fixed gap); stiffness [Pa/m] (spring);
    loading_time [s] (linear ramp of the pressure); sides: ``"symmetry"`` or ``"free"``.
    """

    type: Literal["pressure", "fixed_gap", "spring"] = "pressure"
    pressure: float = 5e6
    stiffness: float = 0.935e9
    loading_time: float = 1.0
    sides: Literal["symmetry", "free"] = "symmetry"


@dataclass(frozen=True)
class TimeSpec:
    """Adaptive time stepping [s]; max_plastic_strain_increment [-] per step."""

    end: float = 3600.0
    initial_step: float = 0.1
    max_step: float = 3600.0
    min_step: float = 1e-6
    max_plastic_strain_increment: float = 2e-3


@dataclass(frozen=True)
class ProtocolSpec:
    """Cycling protocol of a stripping case: the step texts as written (see
    :mod:`ssbx.protocol`), run in order, the whole ``cycles`` times."""

    steps: tuple[str, ...] = ("Strip at 1 mA/cm^2 for 1 mAh/cm^2",)
    cycles: int = 1

    def parsed(self) -> list[ProtocolStep]:
        """All steps (ramps expanded, cycles repeated), SI units."""
        return parse_protocol(self.steps, self.cycles)


@dataclass(frozen=True)
class ContactSpec:
    """Numerics of the stripping/contact problem.

    electrolyte: ``"rigid"`` (flat rigid obstacle) or ``"elastic"`` (its compliance added to
    the obstacle). stress_coupling: Ω_Li p / F in the overpotential. max_thickness_change [m]
    and max_contact_change [-]: largest changes per time step of the stripped/plated
    thickness (any interface point) and of the contact fraction. contact_tolerance [m]: gap
    below which a point is in contact. max_stagger_iterations: per time step.
    profile_interval: write the interface profiles every N accepted steps.
    """

    electrolyte: Literal["rigid", "elastic"] = "rigid"
    stress_coupling: bool = True
    max_thickness_change: float = 0.05e-6
    max_contact_change: float = 0.02
    contact_tolerance: float = 1e-10
    max_stagger_iterations: int = 8
    profile_interval: int = 10


@dataclass(frozen=True)
class CcsSpec:
    """Critical-stripping-current search.

    capacity: charge per area stripped per trial [C/m^2]. lower, upper: initial bracket of
    current densities [A/m^2]. bracket_ratio: stop when upper/lower <= this [-].
    max_expansions: how often the bracket may be widened by expansion_factor [-].
    contact_loss [-], voltage_rise [-]: instability criteria of a trial (contact fraction drop
    below its value at the start of stripping; cell voltage over voltage_rise times its value
    after the first step); criterion: ``"contact"`` (the contact-fraction drop),
    ``"nucleation"`` (the first void nucleation, vacancy transport on) or ``"auto"`` (nucleation
    with vacancy transport, contact without).
    """

    capacity: float = 18000.0
    lower: float = 1.0
    upper: float = 1000.0
    bracket_ratio: float = 1.2
    max_expansions: int = 4
    expansion_factor: float = 10.0
    contact_loss: float = 0.05
    criterion: Literal["auto", "contact", "nucleation"] = "auto"
    voltage_rise: float = 2.0


@dataclass(frozen=True)
class VacancySpec:
    """Vacancy transport and void nucleation in the metal anode (stripping problems).

    enabled: ``None`` = on for ``ssbx ccs``, off for ``ssbx run`` (:meth:`Case.for_ccs`);
    self_diffusion [m^2/s] at 25 C and surface_energy [J/m^2]: overrides (``None``: those of
    ``anode.metal``); critical_supersaturation S [-];
    grain_size d [m], grain_boundary_diffusion D_gb [m^2/s], grain_boundary_width delta [m]:
    short-circuit diffusion (Hart), off when grain_size is ``None``;
    dislocation_density rho_0 [1/m^2]; creep_velocity v_ref [m/s] (0: off); stress_drift;
    nucleus_height [m] (``None``: the critical nucleus); void_surfaces: vacancy exchange with
    the open interface (condensation grows voids, emission shrinks them).
    """

    enabled: bool | None = None
    self_diffusion: float | None = None
    grain_size: float | None = None
    grain_boundary_diffusion: float | None = None
    grain_boundary_width: float = 0.5e-9
    critical_supersaturation: float = 1.1
    dislocation_density: float = 1e12
    creep_velocity: float = 0.0
    stress_drift: bool = True
    surface_energy: float | None = None
    nucleus_height: float | None = None
    void_surfaces: bool = True


@dataclass(frozen=True)
class OutputSpec:
    """What a run writes. fields: write the potential field for ParaView.
    checkpoint_every: accepted time steps between checkpoints (0: off);
    checkpoint_wall_interval: wall-clock seconds between checkpoints (0: off);
    checkpoint_keep: complete checkpoints kept (see :mod:`ssbx.checkpoint`)."""

    fields: bool = True
    checkpoint_every: int = 0
    checkpoint_wall_interval: float = 1800.0
    checkpoint_keep: int = 2


@dataclass(frozen=True)
class Case:
    """A validated case, all defaults resolved, SI units (see :data:`ssbx.schema.SCHEMA`)."""

    name: str
    description: str = ""
    problem: Literal["current_distribution", "mechanics", "stripping"] = "current_distribution"
    geometry: CellGeometrySpec = field(default_factory=CellGeometrySpec)
    mesh: MeshSizeSpec = field(default_factory=MeshSizeSpec)
    electrolyte: ElectrolyteSpec = field(default_factory=ElectrolyteSpec)
    interface: InterfaceSpec = field(default_factory=InterfaceSpec)
    operation: OperationSpec = field(default_factory=OperationSpec)
    solver: SolverSpec = field(default_factory=SolverSpec)
    anode: AnodeSpec = field(default_factory=AnodeSpec)
    mechanics: MechanicsSpec = field(default_factory=MechanicsSpec)
    fixture: FixtureSpec = field(default_factory=FixtureSpec)
    time: TimeSpec = field(default_factory=TimeSpec)
    protocol: ProtocolSpec = field(default_factory=ProtocolSpec)
    contact: ContactSpec = field(default_factory=ContactSpec)
    ccs: CcsSpec = field(default_factory=CcsSpec)
    vacancy: VacancySpec = field(default_factory=VacancySpec)
    output: OutputSpec = field(default_factory=OutputSpec)

    def for_ccs(self) -> Case:
        """The case as ``ssbx ccs`` runs it: vacancy transport on unless the case turns it
        off (``vacancy.enabled = false``)."""
        if self.vacancy.enabled is not None:
            return self
        return dataclasses.replace(self, vacancy=dataclasses.replace(self.vacancy,
                                                                     enabled=True))

    @property
    def conductivity(self) -> float:
        """Electrolyte conductivity κ at the operating temperature [S/m]."""
        return self.electrolyte.conductivity_at(self.operation.temperature)

    @property
    def asr(self) -> float:
        """Charge-transfer resistance Z at the operating temperature [ohm m^2]."""
        return self.interface.asr_at(self.operation.temperature)

    @property
    def exchange_current_density(self) -> float:
        """Exchange current density i0 at the operating temperature [A/m^2]."""
        return self.interface.exchange_current_density_at(self.operation.temperature)

    def to_toml_dict(self) -> dict[str, Any]:
        """The resolved case as a TOML-ready dict: every key, quantities as SI unit strings.

        ``resolve_case(case.to_toml_dict()) == case``. Values that are derived stay derived,
        so that :func:`with_overrides` re-derives them from the overridden keys:
        ``interface.exchange_current_density`` is written only when it was given, and then
        ``interface.asr`` only when it differs from the one derived from i0; a void's
        ``corner_radius`` only for ``rounded_rectangle`` and when it differs from the default
        ``min(height, width/2)/2``.
        """
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "problem": self.problem,
        }
        for table in TABLES:
            spec = getattr(self, table)
            section: dict[str, Any] = {}
            for name, key in section_keys(table).items():
                value = getattr(spec, name)
                if key.kind == "table_list":
                    section[name] = [_void_toml(v) for v in value]
                elif key.kind == "table":
                    section[name] = dict(value)
                elif value is not None:
                    section[name] = _toml_value(key, value)
            out[table] = section
        i = self.interface
        if i.exchange_current_density is not None and i.asr == i0_from_asr(
            i.exchange_current_density, i.reference_temperature, i.alpha_a, i.alpha_c
        ):
            del out["interface"]["asr"]  # derived from i0
        return out

    def to_toml(self) -> str:
        """The resolved case as TOML text (see :meth:`to_toml_dict`)."""
        return tomli_w.dumps(self.to_toml_dict())


def _toml_value(key: Key, value: Any) -> Any:
    if key.kind == "quantity":
        assert key.dimension is not None
        return format_quantity(value, key.dimension)
    if key.kind == "float":
        return float(value)
    if key.kind == "str_list":
        return list(value)
    return value


def _void_toml(void: VoidSpec) -> dict[str, Any]:
    keys = {k.name: k for k in VOID_KEYS}
    out = {
        name: _toml_value(keys[name], getattr(void, name))
        for name in ("center", "width", "height", "shape")
    }
    if void.shape == "rounded_rectangle" and void.corner_radius != default_corner_radius(
        void.width, void.height
    ):
        out["corner_radius"] = _toml_value(keys["corner_radius"], void.corner_radius)
    return out


# --------------------------------------------------------------------------- validation helpers

_KIND_TEXT = {
    "int": "an integer",
    "float": "a number",
    "choice": "a string",
    "bool": "a boolean (true or false)",
    "str": "a string",
    "str_list": "an array of strings",
    "table": "a table",
    "table_list": "an array of tables",
}


def _show(value: Any, limit: int = 80) -> str:
    text = show_value(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _um(x: float) -> str:
    """A length [m] in um for messages."""
    return f"{x * 1e6:.6g} um"


def _allowed(key: Key) -> str:
    """What a key accepts, for messages."""
    if key.kind == "quantity":
        assert key.dimension is not None
        info = DIMENSIONS[key.dimension]
        sign = " > 0" if key.positive else " >= 0" if key.nonnegative else ""
        sign += " != 0" if key.nonzero else ""
        return f'{info.name}{sign}, e.g. "{info.example}" (a bare number is in {info.si_unit})'
    if key.choices is not None:
        return "one of " + ", ".join(show_value(c) for c in key.choices)
    bounds = ["> 0"] if key.positive else [">= 0"] if key.nonnegative else []
    bounds += [f"{op} {x:g}" for op, x in (("<", key.below), ("<=", key.at_most)) if x is not None]
    if key.above is not None:
        bounds.insert(0, f"> {key.above:g}")
    return " ".join([_KIND_TEXT[key.kind], " and ".join(bounds)]).rstrip()


def _out_of_range(key: Key, x: float) -> str | None:
    """Why ``x`` breaks the value checks of ``key`` (sign, bounds), or ``None``."""
    if key.positive and not x > 0:
        return "must be positive"
    if key.nonnegative and x < 0:
        return "must not be negative"
    if key.nonzero and x == 0:
        return "must be nonzero"
    if key.above is not None and not x > key.above:
        return f"must be > {key.above:g}"
    if key.below is not None and not x < key.below:
        return f"must be < {key.below:g}"
    if key.at_most is not None and not x <= key.at_most:
        return f"must be <= {key.at_most:g}"
    return None


def _unknown(path: str, value: Any, name: str, candidates: list[str], where: str) -> str:
    """Message for an unknown key, with the closest known key and, if the name exists in
    another section, where it belongs."""
    msg = f"{path} = {_show(value, 40)}: unknown {where}"
    elsewhere = [k.path for k in SCHEMA if k.name == name and k.path != path]
    elsewhere += [f"geometry.voids[].{name}" for k in VOID_KEYS if k.name == name]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if elsewhere:
        msg += f" (did you mean {' or '.join(elsewhere)}?)"
    elif close:
        msg += f' (did you mean "{close[0]}"?)'
    return msg + "; allowed: " + ", ".join(candidates)


def _check(key: Key, path: str, value: Any, problems: list[str]) -> tuple[bool, Any]:
    """Check one value against its key; returns (ok, value converted to SI / Python type)."""
    bad = f"{path} = {_show(value)}"
    if key.kind == "quantity":
        assert key.dimension is not None
        try:
            x = parse_quantity(value, key.dimension, path)
        except QuantityError as err:
            problems.append(f"{bad}: {err.reason}; expected {_allowed(key)}")
            return False, None
        reason = _out_of_range(key, x)
        if reason:
            problems.append(f"{bad}: {reason}; expected {_allowed(key)}")
            return False, None
        return True, x
    if key.kind in ("int", "float"):
        is_int = isinstance(value, int) and not isinstance(value, bool)
        is_num = is_int or isinstance(value, float)
        if not (is_int if key.kind == "int" else is_num):
            problems.append(f"{bad}: is {toml_type(value)}; expected {_allowed(key)}")
            return False, None
        x = int(value) if key.kind == "int" else float(value)
        if not math.isfinite(x):
            problems.append(f"{bad}: is not finite; expected {_allowed(key)}")
            return False, None
        if key.choices is not None and x not in key.choices:
            problems.append(f"{bad}: not allowed; expected {_allowed(key)}")
            return False, None
        reason = _out_of_range(key, x)
        if reason:
            problems.append(f"{bad}: {reason}; expected {_allowed(key)}")
            return False, None
        return True, x
    if key.kind == "choice":
        assert key.choices is not None
        if not isinstance(value, str) or value not in key.choices:
            msg = f"{bad}: not allowed; expected {_allowed(key)}"
            if isinstance(value, str):
                norm = value.strip().lower().replace("-", "_").replace(" ", "_")
                close = difflib.get_close_matches(norm, [str(c) for c in key.choices], n=1)
                if close:
                    msg += f' (did you mean "{close[0]}"?)'
            problems.append(msg)
            return False, None
        return True, value
    if key.kind == "bool":
        if not isinstance(value, bool):
            problems.append(f"{bad}: is {toml_type(value)}; expected {_allowed(key)}")
            return False, None
        return True, value
    if key.kind == "str":
        if not isinstance(value, str):
            problems.append(f"{bad}: is {toml_type(value)}; expected {_allowed(key)}")
            return False, None
        return True, value
    if key.kind == "str_list":
        if not isinstance(value, list):
            problems.append(f"{bad}: is {toml_type(value)}; expected {_allowed(key)}")
            return False, None
        wrong = [(i, v) for i, v in enumerate(value) if not isinstance(v, str)]
        for i, v in wrong:
            problems.append(f"{path}[{i}] = {_show(v)}: is {toml_type(v)}; expected a string")
        return (False, None) if wrong else (True, tuple(value))
    if key.kind == "table":
        if not isinstance(value, dict):
            problems.append(f"{bad}: is {toml_type(value)}; expected a table [{path}]")
            return False, None
        ok = True
        for option, v in value.items():
            opath = f"{path}.{option}"
            if option.startswith("-"):
                problems.append(
                    f"{opath} = {_show(v)}: PETSc option names are written without the leading "
                    f'dash; expected "{option.lstrip("-")}"'
                )
                ok = False
            if isinstance(v, dict | list) or not isinstance(v, str | int | float | bool):
                problems.append(
                    f"{opath} = {_show(v)}: is {toml_type(v)}; expected a string, number or "
                    "boolean (PETSc option value)"
                )
                ok = False
        return ok, dict(value) if ok else None
    raise AssertionError(key.kind)  # table_list is handled by the caller


@dataclass
class _Void:
    """A void while validating: raw values given, checked SI values, keys that failed."""

    index: int
    given: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def path(self, name: str = "") -> str:
        return f"geometry.voids[{self.index}]" + (f".{name}" if name else "")

    def shown(self, name: str) -> str:
        return f"{self.path(name)} = {_show(self.given[name])}"


@dataclass
class _State:
    """Everything validation collects: SI values by dotted path, raw values given, problems."""

    problems: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    given: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    voids: list[_Void] = field(default_factory=list)
    voids_ok: bool = True

    def ok(self, *paths: str) -> bool:
        return all(p in self.values for p in paths)

    def shown(self, path: str) -> str:
        """``path = value`` for messages, marking defaults."""
        if path in self.given:
            return f"{path} = {_show(self.given[path])}"
        key = KEYS[path]
        default = key.default_text or show_value(key.default)
        if key.kind == "quantity" and key.default_text:
            default = show_value(default)
        return f"{path} = {default} (default)"


def _walk_voids(value: Any, st: _State) -> None:
    path = "geometry.voids"
    if isinstance(value, dict):
        st.problems.append(
            f"{path} = {_show(value)}: is a table; expected an array of tables: write "
            "[[geometry.voids]] (double brackets) before the keys of each void"
        )
        st.voids_ok = False
        return
    if not isinstance(value, list):
        st.problems.append(
            f"{path} = {_show(value)}: is {toml_type(value)}; expected an array of tables, one "
            "[[geometry.voids]] table per void"
        )
        st.voids_ok = False
        return
    item_keys = {k.name: k for k in VOID_KEYS}
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            st.problems.append(
                f"{path}[{i}] = {_show(item)}: is {toml_type(item)}; expected a table with "
                "keys " + ", ".join(item_keys)
            )
            st.voids_ok = False
            continue
        void = _Void(i, dict(item))
        for name, v in item.items():
            if name not in item_keys:
                st.problems.append(
                    _unknown(void.path(name), v, name, list(item_keys), "key in a void")
                )
                void.bad.add(name)
                continue
            ok, x = _check(item_keys[name], void.path(name), v, st.problems)
            if ok:
                void.values[name] = x
            else:
                void.bad.add(name)
        st.voids.append(void)


def _walk(raw: Mapping[str, Any], st: _State) -> None:
    top = section_keys("")
    candidates = [*top, *TABLES]
    for name, value in raw.items():
        if name in TABLES:
            if not isinstance(value, dict):
                st.problems.append(
                    f"{name} = {_show(value)}: is {toml_type(value)}; expected a table: write "
                    f"[{name}] followed by its keys"
                )
                continue
            keys = section_keys(name)
            for sub, v in value.items():
                path = f"{name}.{sub}"
                if sub not in keys:
                    st.problems.append(_unknown(path, v, sub, list(keys), f"key in [{name}]"))
                    continue
                st.given[path] = v
                if keys[sub].kind == "table_list":
                    _walk_voids(v, st)
                    continue
                ok, x = _check(keys[sub], path, v, st.problems)
                if ok:
                    st.values[path] = x
                else:
                    st.bad.add(path)
        elif name in top:
            st.given[name] = value
            ok, x = _check(top[name], name, value, st.problems)
            if ok:
                st.values[name] = x
            else:
                st.bad.add(name)
        else:
            where = "section" if isinstance(value, dict) else "key at the top level"
            st.problems.append(_unknown(name, value, name, candidates, where))


def _fill_defaults(st: _State, name_default: str) -> None:
    for key in SCHEMA:
        if key.path in st.given or key.kind == "table_list":
            continue
        if key.path == "name":
            st.values["name"] = name_default
        elif key.default is not None:
            st.values[key.path] = copy.deepcopy(key.default)


# --------------------------------------------------------------------------- cross-key checks


def _check_name(st: _State) -> None:
    name = st.values.get("name")
    if name is not None and (not name.strip() or "/" in name or "\\" in name):
        st.problems.append(
            f"{st.shown('name')}: expected a non-empty name without / or \\ (used for run folders)"
        )
        del st.values["name"]


def _check_voids(st: _State) -> None:
    """Void sub-keys that depend on the geometry kind, voids inside the cell, overlaps."""
    kind = st.values.get("geometry.kind")
    width = st.values.get("geometry.width")
    h_li = st.values.get("geometry.h_li")
    for void in st.voids:
        for name in ("width", "height"):
            if name not in void.given:
                key = next(k for k in VOID_KEYS if k.name == name)
                st.problems.append(
                    f"{void.path(name)}: missing; required: {key.doc[0].lower()}"
                    f"{key.doc[1:-1]}, {_allowed(key)}"
                )
                void.bad.add(name)
        if kind == "planar" and "center" not in void.given:
            st.problems.append(
                f"{void.path('center')}: missing; required in a planar cell: the lateral "
                f'position of the void centre, a length in 0 < x < geometry.width, e.g. "50 um"'
            )
            void.bad.add("center")
        if kind == "axisymmetric":
            c = void.values.get("center")
            if "center" in void.given and c is not None and c != 0.0:
                st.problems.append(
                    f"{void.shown('center')}: an axisymmetric void is centred on the axis; "
                    "expected 0 (or leave center out)"
                )
                void.bad.add("center")
            elif "center" not in void.given:
                void.values["center"] = 0.0
        w, h = void.values.get("width"), void.values.get("height")
        if h is not None and h_li is not None and h >= h_li:
            st.problems.append(
                f"{void.shown('height')}: must be smaller than {st.shown('geometry.h_li')} "
                "(the void would cut through the Li)"
            )
            void.bad.add("height")
        c = void.values.get("center")
        if w is not None and width is not None and kind == "planar" and c is not None:
            if w >= width:
                st.problems.append(
                    f"{void.shown('width')}: the void is wider than the cell; expected < "
                    f"{st.shown('geometry.width')}"
                )
                void.bad.add("width")
            elif c - w / 2 <= 0 or c + w / 2 >= width:
                st.problems.append(
                    f"{void.path()} (center = {_um(c)}, width = {_um(w)}) spans x = "
                    f"{_um(c - w / 2)} .. {_um(c + w / 2)}; expected inside 0 < x < "
                    f"{st.shown('geometry.width')}, leaving Li/electrolyte contact on both "
                    "sides (0 < center - width/2 and center + width/2 < geometry.width)"
                )
                void.bad.add("center")
        if w is not None and width is not None and kind == "axisymmetric" and w / 2 >= width:
            st.problems.append(
                f"{void.shown('width')}: the void radius width/2 = {_um(w / 2)} must be "
                f"smaller than the cell radius {st.shown('geometry.width')}"
            )
            void.bad.add("width")
        shape = void.values.get("shape", "ellipse" if "shape" not in void.given else None)
        if shape is not None:
            void.values["shape"] = shape
        if shape == "rounded_rectangle" and w is not None and h is not None:
            limit = min(h, w / 2)
            cr = void.values.get("corner_radius")
            if "corner_radius" not in void.given:
                void.values["corner_radius"] = default_corner_radius(w, h)
            elif cr is not None and cr > limit:
                st.problems.append(
                    f"{void.shown('corner_radius')}: must be <= min(height, width/2) = {_um(limit)}"
                )
                void.bad.add("corner_radius")
        elif shape == "ellipse":
            void.values["corner_radius"] = 0.0  # ignored for ellipses
    if kind == "axisymmetric" and len(st.voids) > 1:
        st.problems.append(
            f"geometry.voids has {len(st.voids)} voids: an axisymmetric cell has at most one "
            '(centred on the axis); use geometry.kind = "planar" for several voids'
        )
        st.voids_ok = False
    if kind == "planar":
        placed = [v for v in st.voids if not v.bad and {"center", "width"} <= v.values.keys()]
        for n, a in enumerate(placed):
            for b in placed[n + 1 :]:
                a0, a1 = (
                    a.values["center"] - a.values["width"] / 2,
                    a.values["center"] + a.values["width"] / 2,
                )
                b0, b1 = (
                    b.values["center"] - b.values["width"] / 2,
                    b.values["center"] + b.values["width"] / 2,
                )
                if a0 <= b1 and b0 <= a1:
                    verb = "touch" if a1 == b0 or b1 == a0 else "overlap"
                    st.problems.append(
                        f"{a.path()} (x = {_um(a0)} .. {_um(a1)}) and {b.path()} (x = "
                        f"{_um(b0)} .. {_um(b1)}) {verb}; expected voids separated by a stretch "
                        "of Li/electrolyte contact"
                    )
                    a.bad.add("center")
                    b.bad.add("center")
    if any(v.bad for v in st.voids):
        st.voids_ok = False


def _contact_segments(st: _State) -> list[tuple[float, float]] | None:
    """The Li/electrolyte contact segments (x0, x1) [m], or None if the geometry is invalid."""
    if not st.voids_ok or not st.ok("geometry.kind", "geometry.width"):
        return None
    width = st.values["geometry.width"]
    if st.values["geometry.kind"] == "axisymmetric":
        if not st.voids:
            return [(0.0, width)]
        return [(st.voids[0].values["width"] / 2, width)]
    spans = sorted(
        (v.values["center"] - v.values["width"] / 2, v.values["center"] + v.values["width"] / 2)
        for v in st.voids
    )
    edges = [0.0, *(x for span in spans for x in span), width]
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def _check_mesh(st: _State) -> None:
    fine, coarse = st.values.get("mesh.size_fine"), st.values.get("mesh.size_coarse")
    if fine is not None and coarse is not None and fine > coarse:
        st.problems.append(
            f"{st.shown('mesh.size_fine')}: must be <= {st.shown('mesh.size_coarse')}"
        )
    if coarse is not None and st.ok("geometry.h_se", "geometry.h_li"):
        limit = min(st.values["geometry.h_se"], st.values["geometry.h_li"]) / 2
        if coarse > limit:
            st.problems.append(
                f"{st.shown('mesh.size_coarse')}: must be <= min(geometry.h_se, geometry.h_li)/2 "
                f"= {_um(limit)} (at least two elements across the thinner layer)"
            )
    if fine is None:
        return
    cut = st.values.get("problem") != "stripping"  # stripping: gaps at a flat interface
    for void in st.voids:
        h, w = void.values.get("height"), void.values.get("width")
        if cut and h is not None and "height" not in void.bad and fine > h:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= {void.path('height')} = {_um(h)} "
                "(to resolve the void depth)"
            )
        if w is not None and "width" not in void.bad and fine > w / 4:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= {void.path('width')}/4 = "
                f"{_um(w / 4)} (to resolve the "
                + ("void outline)" if cut else "gap along the interface)")
            )
    segments = _contact_segments(st) if cut else None
    if segments:
        x0, x1 = min(segments, key=lambda s: s[1] - s[0])
        if fine > x1 - x0:
            st.problems.append(
                f"{st.shown('mesh.size_fine')}: must be <= the shortest Li/electrolyte contact "
                f"segment, {_um(x1 - x0)} (x = {_um(x0)} .. {_um(x1)})"
            )


def _check_physics(st: _State) -> None:
    kinetics = st.values.get("interface.kinetics")
    counter = st.values.get("operation.counter_electrode")
    if kinetics == "primary" and counter == "symmetric":
        st.problems.append(
            f"{st.shown('interface.kinetics')} with {st.shown('operation.counter_electrode')}: "
            "a symmetric counter electrode mirrors the interface kinetics and primary has "
            'none; expected counter_electrode = "ideal", or kinetics "linear" or '
            '"butler_volmer"'
        )
    if (
        st.values.get("operation.mode") == "potentiostatic"
        and st.values.get("operation.voltage") == 0.0
    ):
        st.problems.append(
            f"{st.shown('operation.voltage')}: must be nonzero when operation.mode = "
            '"potentiostatic" (positive = stripping), e.g. "10 mV"'
        )
    # i0 given, asr not: Z from i0 (same small-overpotential resistance).
    i0 = st.values.get("interface.exchange_current_density")
    if (
        i0 is not None
        and "interface.asr" not in st.given
        and st.ok("interface.alpha_a", "interface.alpha_c", "electrolyte.reference_temperature")
    ):
        st.values["interface.asr"] = i0_from_asr(
            i0,
            st.values["electrolyte.reference_temperature"],
            st.values["interface.alpha_a"],
            st.values["interface.alpha_c"],
        )


def _check_mechanics(st: _State) -> None:
    """Poisson ratios in range and consistent time-step bounds."""
    for path in ("mechanics.li_poisson_ratio", "mechanics.electrolyte_poisson_ratio"):
        nu = st.values.get(path)
        if nu is not None and not -1.0 < nu < 0.5:
            st.problems.append(f"{st.shown(path)}: expected a Poisson ratio -1 < nu < 0.5")
    steps = [st.values.get(f"time.{k}") for k in ("min_step", "initial_step", "max_step")]
    if None not in steps and not steps[0] <= steps[1] <= steps[2]:
        st.problems.append(
            f"{st.shown('time.min_step')}, {st.shown('time.initial_step')}, "
            f"{st.shown('time.max_step')}: expected min_step <= initial_step <= max_step"
        )
    ramp, end = st.values.get("fixture.loading_time"), st.values.get("time.end")
    if ramp is not None and end is not None and ramp >= end:
        st.problems.append(
            f"{st.shown('fixture.loading_time')}: the load ramp must end before "
            f"{st.shown('time.end')}"
        )


def _check_stripping(st: _State) -> None:
    """Protocol steps readable, CCS bracket ordered; stripping: voids are small-slope gaps."""
    steps = st.given.get("protocol.steps", KEYS["protocol.steps"].default)
    if isinstance(steps, list | tuple) and not steps:
        st.problems.append(
            f"{st.shown('protocol.steps')}: expected at least one step, e.g. "
            '["Strip at 1 mA/cm^2 for 1 mAh/cm^2"]'
        )
    elif isinstance(steps, list | tuple):  # the strings among them (others reported already)
        index = [i for i, text in enumerate(steps) if isinstance(text, str)]
        try:
            parse_protocol([steps[i] for i in index])
        except ProtocolError as err:
            for n, text, reason in err.problems:
                st.problems.append(f"protocol.steps[{index[n]}] = {_show(text)}: {reason}")
    lower, upper = st.values.get("ccs.lower"), st.values.get("ccs.upper")
    if lower is not None and upper is not None and not lower < upper:
        st.problems.append(
            f"{st.shown('ccs.lower')}, {st.shown('ccs.upper')}: expected lower < upper (the "
            "initial bracket of current densities)"
        )
    if st.values.get("ccs.criterion") == "nucleation" and st.values.get("vacancy.enabled") \
            is False:
        st.problems.append(
            f"{st.shown('ccs.criterion')}: needs vacancy transport, but "
            f"{st.shown('vacancy.enabled')} (allowed: ccs.criterion = \"contact\", or remove "
            "vacancy.enabled = false)"
        )
    if (st.values.get("vacancy.grain_size") is None) != (
            st.values.get("vacancy.grain_boundary_diffusion") is None):
        given = "vacancy.grain_size" if st.values.get("vacancy.grain_size") is not None \
            else "vacancy.grain_boundary_diffusion"
        st.problems.append(
            f"{st.shown(given)}: grain-boundary diffusion needs both vacancy.grain_size and "
            "vacancy.grain_boundary_diffusion (allowed: both, or neither)")
    metal = st.values.get("anode.metal", "Li")
    if st.values.get("mechanics.li_model") == "anand" and metal != "Li":
        st.problems.append(
            f"{st.shown('mechanics.li_model')}: the Anand parameters are fitted to pure Li, but "
            f"{st.shown('anode.metal')} (allowed: li_model = \"power_law\" or \"elastic\" for "
            f"{metal}, or anode.metal = \"Li\")"
        )
    if st.values.get("mechanics.strength_size") is not None:
        temperature = st.values.get("operation.temperature", 298.15)
        if metal != "Li" or st.values.get("mechanics.li_model", "power_law") != "power_law":
            st.problems.append(
                f"{st.shown('mechanics.strength_size')}: the size law of Xu et al. 2017 is "
                f"for Li with power-law creep, but {st.shown('anode.metal')}, "
                f"{st.shown('mechanics.li_model')} (allowed: anode.metal = \"Li\" and "
                "li_model = \"power_law\", or remove strength_size)")
        elif st.values.get("mechanics.yield_stress"):
            st.problems.append(
                f"{st.shown('mechanics.strength_size')} and {st.shown('mechanics.yield_stress')}"
                ": both set the threshold stress (allowed: one of them)")
        elif temperature is not None and not (
                XU_2017_TEMPERATURES[0] <= temperature <= XU_2017_TEMPERATURES[1]):
            st.problems.append(
                f"{st.shown('mechanics.strength_size')}: the size law is measured at room "
                f"temperature, but {st.shown('operation.temperature')} (allowed: 10-40 °C)")
    h_li = st.values.get("geometry.h_li")
    if st.values.get("problem") != "stripping":
        if st.values.get("interface.asr_variation"):
            st.problems.append(
                f"{st.shown('interface.asr_variation')}: a varying interface resistance is "
                f"implemented for problem = \"stripping\" only, not "
                f"{st.shown('problem')} (allowed here: 0)")
        return
    for void in st.voids:
        h, w = void.values.get("height"), void.values.get("width")
        if h is None or "height" in void.bad:
            continue
        for limit, what in ((w, void.path("width")), (h_li, "geometry.h_li")):
            if limit is not None and h > limit / 5 * (1 + 1e-12):
                st.problems.append(
                    f"{void.shown('height')}: must be <= {what}/5 = {_um(limit / 5)}; the "
                    'contact model of problem = "stripping" measures gaps from the flat '
                    "interface and assumes small slopes (height <= width/5 and <= "
                    "geometry.h_li/5)"
                )
                void.bad.add("height")
                break


def _build(st: _State) -> Case:
    v = st.values

    def section(table: str) -> dict[str, Any]:
        return {
            name: v.get(f"{table}.{name}")
            for name, key in section_keys(table).items()
            if key.kind != "table_list"
        }

    voids = tuple(
        VoidSpec(
            center=d.values["center"],
            width=d.values["width"],
            height=d.values["height"],
            shape=d.values["shape"],
            corner_radius=d.values["corner_radius"],
        )
        for d in st.voids
    )
    return Case(
        name=v["name"],
        description=v["description"],
        problem=v["problem"],
        geometry=CellGeometrySpec(**section("geometry"), voids=voids),
        mesh=MeshSizeSpec(**section("mesh")),
        electrolyte=ElectrolyteSpec(**section("electrolyte")),
        interface=InterfaceSpec(
            **section("interface"), reference_temperature=v["electrolyte.reference_temperature"]
        ),
        operation=OperationSpec(**section("operation")),
        solver=SolverSpec(**section("solver")),
        anode=AnodeSpec(**section("anode")),
        mechanics=MechanicsSpec(**section("mechanics")),
        fixture=FixtureSpec(**section("fixture")),
        time=TimeSpec(**section("time")),
        protocol=ProtocolSpec(**section("protocol")),
        contact=ContactSpec(**section("contact")),
        ccs=CcsSpec(**section("ccs")),
        vacancy=VacancySpec(**section("vacancy")),
        output=OutputSpec(**section("output")),
    )


# --------------------------------------------------------------------------- public API


def resolve_case(raw: Mapping[str, Any], name_default: str = "case") -> Case:
    """Validate a parsed case (TOML dict) and resolve it into a :class:`Case` (SI units).

    name_default: the case name when ``name`` is not given (the file stem for case files).
    Raises :class:`CaseError` listing every problem found.
    """
    if not isinstance(raw, Mapping):
        raise CaseError([f"the case is {toml_type(raw)}; expected a table of keys"])
    st = _State()
    _walk(raw, st)
    _fill_defaults(st, name_default)
    _check_name(st)
    _check_voids(st)
    _check_mesh(st)
    _check_physics(st)
    _check_mechanics(st)
    _check_stripping(st)
    if st.problems:
        raise CaseError(st.problems)
    return _build(st)


_LINE = re.compile(r"at line (\d+)")


def load_case(path: str | Path) -> Case:
    """Read, validate and resolve a case file; the name defaults to the file stem.

    Raises :class:`CaseError` (with ``source`` = the path) for a missing or unreadable file,
    TOML syntax errors (naming the line) and every problem of the case.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([f"{p}: no such case file"], source=str(p)) from None
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise CaseError([f"{p}: cannot read the case file ({reason})"], source=str(p)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{p}: TOML syntax error: {err}"
        match = _LINE.search(str(err))
        if match:
            n = int(match.group(1))
            lines = text.splitlines()
            if 1 <= n <= len(lines):
                msg = f"{p}:{n}: TOML syntax error: {err}: {lines[n - 1].strip()!r}"
        raise CaseError([msg], source=str(p)) from None
    try:
        return resolve_case(raw, name_default=p.stem)
    except CaseError as err:
        raise CaseError(err.problems, source=str(p)) from None


def with_overrides(
    case_or_raw: Case | Mapping[str, Any],
    overrides: Mapping[str, Any],
    name_default: str = "case",
) -> Case:
    """A case with some keys changed, for sweeps and benchmarks.

    case_or_raw: a :class:`Case` (its :meth:`Case.to_toml_dict` is used) or a raw TOML dict
        (not modified).
    overrides: dotted path → value as in a case file, e.g. ``{"geometry.voids.0.width":
        "30 um", "interface.asr": "2 ohm cm^2"}``; an integer part indexes an array (one past
        the end appends a new void); ``None`` removes the key (back to its default).
    Raises :class:`CaseError` for paths that do not fit the case and for an invalid result.
    """
    raw: dict[str, Any] = (
        case_or_raw.to_toml_dict()
        if isinstance(case_or_raw, Case)
        else copy.deepcopy(dict(case_or_raw))
    )
    problems: list[str] = []
    for path, value in overrides.items():
        parts = path.split(".")
        node: Any = raw
        try:
            for n, part in enumerate(parts[:-1]):
                nxt_is_index = parts[n + 1].isdigit()
                if isinstance(node, list):
                    idx = int(part)
                    if idx == len(node):
                        node.append({})
                    node = node[idx]
                else:
                    if part not in node or node[part] is None:
                        node[part] = [] if nxt_is_index else {}
                    node = node[part]
            last = parts[-1]
            if isinstance(node, list):
                idx = int(last)
                if value is None:
                    del node[idx]
                elif idx == len(node):
                    node.append(value)
                else:
                    node[idx] = value
            elif isinstance(node, dict):
                if value is None:
                    node.pop(last, None)
                else:
                    node[last] = value
            else:
                raise TypeError(f"{toml_type(node)} has no keys")
        except (ValueError, IndexError, TypeError) as err:
            problems.append(f"override {path} = {_show(value)}: does not fit the case ({err})")
    if problems:
        raise CaseError(problems)
    return resolve_case(raw, name_default=name_default)
