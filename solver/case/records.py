"""The resolved case: typed, frozen records in SI units, and their TOML form.

``Case.to_toml_dict()`` writes the resolved case back (all defaults filled in, quantities as
strings in SI units); ``resolve_case(case.to_toml_dict())`` gives the same ``Case``.
No dolfinx here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import tomli_w

from ssbx.case.protocol import ProtocolStep, parse_protocol
from ssbx.case.schema import CRACK_VOID_KEYS, LAYER_KEYS, TABLES, VOID_KEYS, Key, section_keys
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.physics.conductivity import arrhenius
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.units import (
    format_quantity,
)

Kinetics = Literal["linear", "butler_volmer", "primary"]
Mode = Literal["galvanostatic", "potentiostatic"]
CounterElectrode = Literal["ideal", "symmetric"]
LinearSolver = Literal["direct", "amg"]
PetscValue = str | int | float | bool



# --------------------------------------------------------------------------- resolved case


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
        return arrhenius(self.conductivity, self.activation_energy, temperature,
                         self.reference_temperature)


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
        return arrhenius(1.0, self.activation_energy, temperature, self.reference_temperature)

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
    """The metal anode: ``metal``, a preset of :data:`ssbx.physics.anode_metals.ANODE_METALS`,
    and overrides of its properties (``None``: the preset's): molar_volume [m^3/mol],
    vacancy_formation_enthalpy [J/mol], vacancy_formation_entropy [k_B],
    self_diffusion_activation_energy [J/mol], correlation_factor [-], burgers_vector [m],
    resistivity [ohm m]."""

    metal: Literal["Li", "Li-Mg", "Na"] = "Li"
    molar_volume: float | None = None
    vacancy_formation_enthalpy: float | None = None
    vacancy_formation_entropy: float | None = None
    self_diffusion_activation_energy: float | None = None
    correlation_factor: float | None = None
    burgers_vector: float | None = None
    resistivity: float | None = None


@dataclass(frozen=True)
class MechanicsSpec:
    """Materials of a mechanics case (``None`` = the preset's value).

    li_model: ``"elastic"``, ``"power_law"`` or ``"anand"``. electrolyte_preset: name in
    :data:`ssbx.physics.elasticity.ELECTROLYTE_PRESETS`. Moduli [Pa];
    electrolyte_fracture_toughness: K_Ic [Pa m^0.5] (crack problems); creep_prefactor A
    [1/(s Pa^n)], creep_exponent n [-], creep_activation_energy Q [J/mol], yield_stress [Pa];
    strength_size [m]: feature size of the size-dependent Li strength (``None``: off).
    """

    li_model: Literal["elastic", "power_law", "anand"] = "power_law"
    electrolyte_preset: str = "LLZO"
    electrolyte_youngs_modulus: float | None = None
    electrolyte_poisson_ratio: float | None = None
    electrolyte_fracture_toughness: float | None = None
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

    type: ``"pressure"``, ``"rigid_plate"`` (force-controlled rigid plate), ``"fixed_gap"`` or
    ``"spring"``; pressure [Pa] (compressive
    positive; spring preload, initial pressure of a fixed gap); stiffness [Pa/m] (spring);
    loading_time [s] (linear ramp of the pressure); sides: ``"symmetry"`` or ``"free"``.
    ``problem = "stack"`` only: compliance [m/Pa] of the load train; relaxation_fraction [-]
    and relaxation_time [s] (``None``: none) of its one-term Prony series (fixed gap);
    friction_threshold [Pa] of the spring guides.
    """

    type: Literal["pressure", "rigid_plate", "fixed_gap", "spring"] = "pressure"
    pressure: float = 5e6
    stiffness: float = 0.935e9
    compliance: float = 0.0
    relaxation_fraction: float = 0.0
    relaxation_time: float | None = None
    friction_threshold: float = 0.0
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
    :mod:`ssbx.case.protocol`), run in order, the whole ``cycles`` times."""

    steps: tuple[str, ...] = ("Strip at 1 mA/cm^2 for 1 mAh/cm^2",)
    cycles: int = 1
    #: the steps resolved once, when the record is made (ramps expanded, cycles repeated)
    resolved: tuple[ProtocolStep, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.resolved:
            object.__setattr__(self, "resolved",
                               tuple(parse_protocol(self.steps, self.cycles)))

    def parsed(self) -> list[ProtocolStep]:
        """All steps (ramps expanded, cycles repeated), SI units (resolved once, at load)."""
        return list(self.resolved)


@dataclass(frozen=True)
class ContactSpec:
    """Numerics of the stripping/contact problem.

    electrolyte: ``"rigid"`` (flat rigid obstacle) or ``"elastic"`` (its compliance added to
    the obstacle). stress_coupling: Ω_Li p / F in the overpotential. max_thickness_change [m]
    and max_contact_change [-]: largest changes per time step of the stripped/plated
    thickness (any interface point) and of the contact fraction. contact_tolerance [m]: gap
    below which a point is in contact. max_stagger_iterations: per time step.
    line_search: of the contact solve (``"l2"`` or ``"basic"``). solver: of the contact
    (``"active_set"`` or ``"reduced_space"``). factorization: of its linear solves
    (``"fresh"`` or ``"lagged"``).
    profile_interval: write the interface profiles every N accepted steps.
    """

    electrolyte: Literal["rigid", "elastic"] = "rigid"
    stress_coupling: bool = True
    max_thickness_change: float = 0.05e-6
    max_contact_change: float = 0.02
    contact_tolerance: float = 1e-10
    max_stagger_iterations: int = 8
    line_search: Literal["l2", "basic"] = "l2"
    solver: Literal["active_set", "reduced_space"] = "reduced_space"
    factorization: Literal["fresh", "lagged"] = "fresh"
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
    ``"nucleation"`` (the first void nucleation, vacancy transport on), ``"protocol"``
    (``cycles`` strip/plate cycles of ``capacity``, judged on contact loss and polarisation as
    an experiment is) or ``"auto"`` (nucleation with vacancy transport, contact without);
    cycles: strip/plate cycles of a ``"protocol"`` trial [-]; loss_gap [m]: the contact
    fraction of the criterion counts the points whose gap is at most this (0: the contact set).
    """

    capacity: float = 18000.0
    lower: float = 1.0
    upper: float = 1000.0
    bracket_ratio: float = 1.2
    max_expansions: int = 4
    expansion_factor: float = 10.0
    contact_loss: float = 0.05
    criterion: Literal["auto", "contact", "nucleation", "protocol"] = "auto"
    cycles: int = 1
    voltage_rise: float = 2.0
    loss_gap: float = 0.0


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
    the open interface (condensation grows voids, emission shrinks them); site_balance:
    ``"separate"`` or ``"interface_sink"``; interface_sink_velocity k_s [m/s] (``None``:
    ``D_v / b``).
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
    site_balance: str = "separate"
    interface_sink_velocity: float | None = None


@dataclass(frozen=True)
class CrackSpec:
    """A Li-filled crack in the electrolyte (``problem = "crack"``), as the case gives it.

    kind: ``"edge"``, ``"internal"`` or ``"penny"``. length: edge depth c, internal
    half-length a, penny radius [m]. inclination [degrees] (planar cracks). position: x of the
    mouth (edge) or centre (internal) from the middle of the electrolyte [m]. depth: height of
    an internal crack's centre [m] (``None``: ``geometry.h_se / 2``). fill: Li-filled extent
    [m] (``None``: the whole crack). li_pressure [Pa] and overpotential [V]: the Li pressure,
    given or ``F |eta| / Omega`` (``None`` both: 0). stack_pressure [Pa] (compressive
    positive) on the interface; in_plane_stress [Pa] (tensile positive) on the sides; support:
    ``"roller"``, ``"clamped"`` or ``"free"``; tip_size, face_size, far_size [m] (``None``:
    :func:`ssbx.meshes.cracks.default_sizes`). growth_steps: increments of crack growth after
    the steady solve (0: none); growth_increment [m] (``None``: ``length / 4``); dry_tip [m]:
    the dry crack ahead of the Li while it grows. plating_current [A/m^2] (positive; ``None``:
    no current, the Li pressure is given); extrusion: ``"none"``, ``"bulk"``,
    ``"size_dependent"`` or ``"size_dependent_dislocation"`` (the law of the Li leaving the
    crack under ``plating_current``). voids: ``(x_min, x_max)`` intervals [m] of the
    interface without Li contact, as the ``[[crack.voids]]`` tables give them (x from the
    middle of the electrolyte); void_map: the absolute path of a stripping run folder whose
    contact-free intervals are added to them (``None``: none); void_map_time [s]: the time of
    its profile (``None``: the last). The mesh record is
    :class:`ssbx.meshes.cracks.CrackSpec` (``ssbx.setup.crack_spec_of``: the voids and the
    map's, merged).
    """

    kind: Literal["edge", "internal", "penny"] = "edge"
    length: float = 1e-6
    inclination: float = 0.0
    position: float = 0.0
    depth: float | None = None
    fill: float | None = None
    li_pressure: float | None = None
    overpotential: float | None = None
    stack_pressure: float = 0.0
    in_plane_stress: float = 0.0
    support: Literal["roller", "clamped", "free"] = "roller"
    tip_size: float | None = None
    face_size: float | None = None
    far_size: float | None = None
    growth_steps: int = 0
    growth_increment: float | None = None
    dry_tip: float = 0.0
    plating_current: float | None = None
    extrusion: Literal["none", "bulk", "size_dependent", "size_dependent_dislocation"] = "none"
    voids: tuple[tuple[float, float], ...] = ()
    void_map: str | None = None
    void_map_time: float | None = None


@dataclass(frozen=True)
class LayerSpec:
    """One ``[[stack.layers]]`` table, checked and in SI units; the keys its ``kind`` does not
    use are ``None`` (or empty), those it uses have their defaults filled in.

    kind: ``"elastic"``, ``"metal"`` or ``"cathode"``; name; thickness [m]. elastic: material
    (an electrolyte preset) or youngs_modulus [Pa] + poisson_ratio; confined (also cathode).
    metal: side (+1, -1, 0), creep, friction (``"frictionless"``, ``"coulomb"``, ``"bonded"``,
    ``"die"``), friction_coefficient, radius [m], clearance [m], clearance_length [m].
    cathode: youngs_modulus, poisson_ratio, confined and the eigenstrain table
    state_of_charge, strain.
    """

    kind: Literal["elastic", "metal", "cathode"]
    name: str
    thickness: float
    material: str | None = None
    youngs_modulus: float | None = None
    poisson_ratio: float | None = None
    confined: bool | None = None
    side: int | None = None
    creep: bool | None = None
    friction: str | None = None
    friction_coefficient: float | None = None
    radius: float | None = None
    clearance: float | None = None
    clearance_length: float | None = None
    state_of_charge: tuple[float, ...] = ()
    strain: tuple[float, ...] = ()


@dataclass(frozen=True)
class StackSpec:
    """The cell stack of ``problem = "stack"``: layers (bottom to top); capacity [C/m^2] of
    the cell (``None``: no state of charge); initial_state_of_charge [-]; steps_per_segment
    (equal time steps per protocol step)."""

    layers: tuple[LayerSpec, ...] = ()
    capacity: float | None = None
    initial_state_of_charge: float = 0.0
    steps_per_segment: int = 100


@dataclass(frozen=True)
class ParticleSpec:
    """One intercalation particle of ``problem = "particle"`` (SI; see the ``particle.*``
    keys): the material keys left ``None`` take the values of the preset ``material``
    (:meth:`ssbx.setup.particle_material_of`); ``mesh_size``, ``surface_mesh_size``,
    ``initial_step`` and ``max_step`` ``None``: derived from the radius and D."""

    material: str = "LiMn2O4"
    radius: float = 5e-6
    dimension: int = 2
    body: str = "octant"
    mesh_size: float | None = None
    surface_mesh_size: float | None = None
    degree: int = 2
    diffusivity: float | None = None
    max_concentration: float | None = None
    molar_volume: float | None = None
    youngs_modulus: float | None = None
    poisson_ratio: float | None = None
    initial_lithiation: float = 0.5
    diffusivity_lithiation: tuple[float, ...] = ()
    diffusivity_factor: tuple[float, ...] = ()
    exchange_current: float = 1.0
    exchange_current_lithiation: tuple[float, ...] = ()
    exchange_current_factor: tuple[float, ...] = ()
    transfer_coefficient: float = 0.5
    linearised_kinetics: bool = False
    ocv_lithiation: tuple[float, ...] = ()
    ocv_potential: tuple[float, ...] = ()
    lattice_a: float | None = None
    lattice_c: float | None = None
    lattice_lithiation: tuple[float, ...] = ()
    lattice_a_table: tuple[float, ...] = ()
    lattice_c_table: tuple[float, ...] = ()
    grains: int = 1
    grain_seed: int = 0
    grain_texture: str = "random"
    linear_solver: str = "direct"
    mechanics: bool = True
    stress_coupling: bool = True
    initial_step: float | None = None
    max_step: float | None = None


@dataclass(frozen=True)
class EmbeddedSpec:
    """A cathode particle in a solid electrolyte of ``problem = "embedded_particle"`` (SI; see
    the ``embedded.*`` keys): the electrolyte's elastic constants ``None`` take those of the
    preset ``electrolyte``; ``mesh_size``, ``interface_mesh_size`` ``None``: R/6 and R/40."""

    radius: float = 5e-6
    dimension: int = 2
    matrix: str = "cell"
    volume_fraction: float = 0.5
    mesh_size: float | None = None
    interface_mesh_size: float | None = None
    particle_youngs_modulus: float = 199e9
    particle_poisson_ratio: float = 0.25
    electrolyte: str = "Li6PS5Cl"
    electrolyte_youngs_modulus: float | None = None
    electrolyte_poisson_ratio: float | None = None
    interface: str = "contact"
    penalty: float = 1e3
    stack_pressure: float = 10e6
    volume_change: float = -0.078
    steps: int = 31
    discharge: bool = True
    charge_by: str = "uniform"
    diffusivity: float = 4e-15
    c_rate: float = 0.1
    time_steps: int = 200
    volume_change_charge: tuple[float, ...] = ()
    volume_change_values: tuple[float, ...] = ()

    @property
    def outer_size(self) -> float:
        """The matrix body's size [m]: the cell's radius and half-height W = R (2/(3 phi))^(1/3)
        (3-D: the cube's half-width R (pi/(6 phi))^(1/3)), or the shell's outer radius
        R phi^(-1/3)."""
        if self.matrix == "cell":
            share = 2.0 / 3.0 if self.dimension == 2 else math.pi / 6.0
            return self.radius * (share / self.volume_fraction) ** (1.0 / 3.0)
        return self.radius * self.volume_fraction ** (-1.0 / 3.0)


@dataclass(frozen=True)
class OutputSpec:
    """What a run writes. fields: write the potential field for ParaView; plots: write the
    PNG figures.
    checkpoint_every: accepted time steps between checkpoints (0: off);
    checkpoint_wall_interval: wall-clock seconds between checkpoints (0: off);
    checkpoint_keep: complete checkpoints kept (see :mod:`ssbx.io.checkpoint`)."""

    fields: bool = True
    plots: bool = True
    checkpoint_every: int = 0
    checkpoint_wall_interval: float = 1800.0
    checkpoint_keep: int = 2


@dataclass(frozen=True)
class Case:
    """A validated case, all defaults resolved, SI units (see :data:`ssbx.case.schema.SCHEMA`)."""

    name: str
    description: str = ""
    problem: Literal["current_distribution", "mechanics", "stripping", "crack", "stack",
                     "particle", "embedded_particle"] = "current_distribution"
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
    crack: CrackSpec = field(default_factory=CrackSpec)
    stack: StackSpec = field(default_factory=StackSpec)
    particle: ParticleSpec = field(default_factory=ParticleSpec)
    embedded: EmbeddedSpec = field(default_factory=EmbeddedSpec)
    output: OutputSpec = field(default_factory=OutputSpec)
    #: allowed but probably unintended inputs found at load (e.g. a bare number that is
    #: implausible in SI units); the CLI shows them as warnings
    warnings: tuple[str, ...] = field(default=(), compare=False, repr=False)

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
                    section[name] = [_table_item_toml(key, v) for v in value]
                elif key.kind == "layer_list":
                    section[name] = [_layer_toml(v) for v in value]
                elif key.kind == "table":
                    section[name] = dict(value)
                elif value is not None:
                    section[name] = toml_value(key, value)
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


def toml_value(key: Key, value: Any) -> Any:
    """A resolved value of ``key`` as written to TOML (quantities as SI-unit strings)."""
    if key.kind == "quantity":
        assert key.dimension is not None
        return format_quantity(value, key.dimension)
    if key.kind == "float":
        return float(value)
    if key.kind == "str_list":
        return list(value)
    if key.kind == "float_list":
        return [float(x) for x in value]
    return value


def _layer_toml(layer: LayerSpec) -> dict[str, Any]:
    """One ``[[stack.layers]]`` table: the keys its kind uses (those that are set)."""
    out: dict[str, Any] = {}
    for key in LAYER_KEYS:
        value = getattr(layer, key.name)
        if value is None or (key.kind == "float_list" and not value):
            continue
        out[key.name] = toml_value(key, value)
    return out


def _table_item_toml(key: Key, item: Any) -> dict[str, Any]:
    """One item of a ``table_list`` key as written to TOML: a void of ``geometry.voids``
    (:func:`_void_toml`) or an interval ``(x_min, x_max)`` of ``crack.voids``."""
    if key.path == "crack.voids":
        keys = {k.name: k for k in CRACK_VOID_KEYS}
        return {name: toml_value(keys[name], x) for name, x in zip(("x_min", "x_max"), item,
                                                                  strict=True)}
    return _void_toml(item)


def _void_toml(void: VoidSpec) -> dict[str, Any]:
    keys = {k.name: k for k in VOID_KEYS}
    out = {
        name: toml_value(keys[name], getattr(void, name))
        for name in ("center", "width", "height", "shape")
    }
    if void.shape == "rounded_rectangle" and void.corner_radius != default_corner_radius(
        void.width, void.height
    ):
        out["corner_radius"] = toml_value(keys["corner_radius"], void.corner_radius)
    if void.center_y != 0.0:
        out["center_y"] = toml_value(keys["center_y"], void.center_y)
    return out

