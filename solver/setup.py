"""From a :class:`~ssbx.case.Case` to the settings, materials and problems of the solver.

This is the only module that reads a ``Case`` to build what the problems take: problems
(:mod:`ssbx.problems`) receive settings records and materials, never a case. Runs
(:mod:`ssbx.runs`) call these builders.

- :func:`current_settings`: electrolyte conductivity, interface kinetics and operation at the
  case's temperature;
- :func:`materials_of`: the elastic materials and the creep law of the anode metal
  (``anode.metal`` presets with the case's ``[mechanics]`` overrides);
- :func:`build_mechanics_problem`: the mechanics problem of a cell mesh with the case's fixture
  and side conditions (and the fixed-gap calibration);
- :func:`vacancy_settings`, :func:`stripping_settings`: the coupled stripping problem's settings;
- :func:`crack_spec_of`, :func:`crack_sizes_of`, :func:`crack_loads_of`,
  :func:`fracture_toughness_of`, :func:`molar_volume_of`, :func:`build_crack_problem`: a
  Li-filled crack in the electrolyte (``problem = "crack"``); :func:`crack_growth_increment_of`
  (crack growth), :func:`build_crack_current_problem`, :func:`extrusion_outflow` and
  :func:`crack_outflow_of` (plating into an edge crack, with the Li extruded through its
  mouth).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from ssbx.case import Case
from ssbx.case.records import LayerSpec
from ssbx.case.rules import crack_voids, is_ring_crack
from ssbx.meshes.cell import CellMesh
from ssbx.meshes.cracks import CrackMesh, CrackMeshSizes, CrackSpec, default_sizes
from ssbx.meshes.grains import random_polycrystal
from ssbx.meshes.pores import cell_voids
from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.physics.anode_metals import AnodeMetal, anode_metal
from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import (
    MASIAS_2019,
    NARAYAN_ANAND_2018,
    PowerLawCreep,
    SizeDependentLiCreep,
)
from ssbx.physics.elasticity import ElasticMaterial, electrolyte_material
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.physics.extrusion import slot_flux
from ssbx.physics.fracture import max_li_pressure
from ssbx.physics.intercalation_materials import (
    NMC811_ELASTIC,
    PARTICLE_MATERIALS,
    IntercalationMaterial,
)
from ssbx.physics.kinetics import ButlerVolmer, Kinetics, LinearKinetics, PrimaryKinetics
from ssbx.physics.parameters import Parameters, with_input
from ssbx.physics.particle import (
    LatticeStrain,
    PiecewiseLinear,
    SurfaceKinetics,
    TabulatedLatticeStrain,
    TabulatedOCV,
)
from ssbx.physics.particle_contact import VolumeChangeCurve
from ssbx.physics.stack_elements import (
    CompositeCathode,
    ConstantForce,
    ElasticLayer,
    FixedGap,
    Fixture,
    Layer,
    MetalFoil,
    Prony,
    Springs,
    layer_modulus,
)
from ssbx.physics.stack_model import Segment, StackModel
from ssbx.physics.vacancy import VacancyMaterial, hart_effective_diffusivity
from ssbx.problems.crack_current import CrackCurrentProblem, Outflow
from ssbx.problems.current import CurrentSettings
from ssbx.problems.embedded_charge import EmbeddedChargeProblem
from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem
from ssbx.problems.fracture import CrackLoads, CrackProblem
from ssbx.problems.mechanics import (
    Displacement,
    MechanicsProblem,
    RigidPlate,
    Spring,
    Symmetry,
    Traction,
    run_quasistatic,
)
from ssbx.problems.particle import ParticleGeometry, ParticleProblem, c_axis_field
from ssbx.problems.stripping.state import StrippingSettings
from ssbx.problems.stripping.vacancy_coupling import VacancySettings


def anode_metal_of(case: Case) -> AnodeMetal:
    """The anode metal of a case: the preset of ``anode.metal`` with the ``[anode]`` overrides
    (molar volume [m^3/mol], vacancy formation enthalpy [J/mol] and entropy [k_B],
    self-diffusion activation energy [J/mol], correlation factor, Burgers vector [m],
    resistivity [ohm m]); each overridden value carries an ``"input"`` record. Without
    overrides: the preset itself."""
    a = case.anode
    metal = anode_metal(a.metal)
    if a.resistivity is not None:
        metal = dataclasses.replace(
            metal, resistivity=a.resistivity,
            parameters=with_input(metal.parameters, "resistivity", a.resistivity, "ohm m",
                                  "anode.resistivity"))
    given = {name: getattr(a, name) for name in (
        "molar_volume", "vacancy_formation_enthalpy", "vacancy_formation_entropy",
        "self_diffusion_activation_energy", "correlation_factor", "burgers_vector")
        if getattr(a, name) is not None}
    if not given:
        return metal
    vac = metal.vacancy
    material = vac.material
    # (material field, case key, unit) of the vacancy material's overrides
    fields = (("molar_volume", "molar_volume", "m^3/mol"),
              ("formation_enthalpy", "vacancy_formation_enthalpy", "J/mol"),
              ("formation_entropy", "vacancy_formation_entropy", "1"),
              ("self_diffusion_activation", "self_diffusion_activation_energy", "J/mol"),
              ("correlation_factor", "correlation_factor", "1"))
    changes: dict[str, Any] = {}
    records = material.parameters
    for field_name, key, unit in fields:
        if key in given:
            changes[field_name] = given[key]
            records = with_input(records, field_name, given[key], unit, f"anode.{key}")
    material = dataclasses.replace(material, **changes, parameters=records)
    burgers = given.get("burgers_vector", vac.burgers_vector)
    vacancy = dataclasses.replace(
        vac, material=material, burgers_vector=burgers,
        parameters=with_input(vac.parameters, "burgers_vector", burgers, "m",
                              "anode.burgers_vector"))
    molar_volume = given.get("molar_volume", metal.molar_volume)
    return dataclasses.replace(
        metal, molar_volume=molar_volume, vacancy=vacancy,
        parameters=with_input(metal.parameters, "molar_volume", molar_volume, "m^3/mol",
                              "anode.molar_volume"))


def interface_kinetics_of(case: Case) -> Kinetics:
    """The Li/electrolyte kinetics of a case (``[interface]``) at its operating temperature:
    Butler–Volmer, linear or primary."""
    T = case.operation.temperature
    interface = case.interface
    if interface.kinetics == "butler_volmer":
        return ButlerVolmer(
            exchange_current_density=interface.exchange_current_density_at(T),
            alpha_a=interface.alpha_a, alpha_c=interface.alpha_c, temperature=T)
    if interface.kinetics == "linear":
        return LinearKinetics(resistance=interface.asr_at(T))
    return PrimaryKinetics()


def current_settings(case: Case) -> CurrentSettings:
    """Settings from a resolved :class:`ssbx.case.Case` at its operating temperature."""
    T = case.operation.temperature
    interface = case.interface
    return CurrentSettings(
        conductivity=case.electrolyte.conductivity_at(T),
        kinetics=interface_kinetics_of(case),
        mode=case.operation.mode,
        current_density=case.operation.current_density,
        voltage=case.operation.voltage,
        counter_electrode=case.operation.counter_electrode,
        equilibrium_potential=interface.equilibrium_potential,
        degree=case.solver.degree,
        linear_solver=case.solver.linear_solver,
        rtol=case.solver.rtol,
        atol=case.solver.atol,
        max_iterations=case.solver.max_iterations,
        petsc_options=dict(case.solver.petsc),
        molar_volume=anode_metal_of(case).molar_volume,
    )


def materials_of(case: Case) -> tuple[dict[int, ElasticMaterial], dict[int, Any]]:
    """Elastic materials and the creep law of the metal anode of a case (the presets of
    ``anode.metal`` with the case's ``[mechanics]`` overrides). The provenance records of the
    presets travel with them; a value the case overrides gets an ``"input"`` record."""
    m = case.mechanics
    metal = anode_metal_of(case)
    se = electrolyte_material_of(case)
    li_E = m.li_youngs_modulus if m.li_youngs_modulus is not None else metal.elastic.E
    li_nu = m.li_poisson_ratio if m.li_poisson_ratio is not None else metal.elastic.nu
    li_records = metal.elastic.parameters
    law: Any = None
    if m.li_model == "anand":
        law = NARAYAN_ANAND_2018
        if m.li_youngs_modulus is None and m.li_poisson_ratio is None:
            li_E, li_nu = law.E, law.nu
            li_records = law.elastic.parameters
    elif m.li_model == "power_law":
        base = metal.creep
        A = m.creep_prefactor if m.creep_prefactor is not None else base.A
        n = m.creep_exponent if m.creep_exponent is not None else base.n
        Q = m.creep_activation_energy if m.creep_activation_energy is not None else base.Q
        records = with_input(base.parameters, "A", A, "1/(s Pa^n)", "mechanics.creep_prefactor")
        records = with_input(records, "n", n, "1", "mechanics.creep_exponent")
        records = with_input(records, "Q", Q, "J/mol", "mechanics.creep_activation_energy")
        records = with_input(records, "yield_stress", m.yield_stress, "Pa",
                             "mechanics.yield_stress")
        law = PowerLawCreep(A=A, n=n, Q=Q, yield_stress=m.yield_stress, parameters=records)
        if m.strength_size is not None:
            # size- and rate-dependent Li: the bulk law above with Xu's size factor, in
            # parallel with Nabarro-Herring flow through the metal's lattice (its vacancy data,
            # with the [anode] overrides)
            law = SizeDependentLiCreep(size=m.strength_size, bulk=law,
                                       diffusion=metal.vacancy.material)
            law = dataclasses.replace(law, parameters=law.records("mechanics.strength_size"))
    li = ElasticMaterial(metal.name, li_E, li_nu, _elastic_records(
        li_records, li_E, li_nu, "mechanics.li_youngs_modulus", "mechanics.li_poisson_ratio"))
    creep = {int(CellTag.LITHIUM): law} if law is not None else {}
    return {int(CellTag.ELECTROLYTE): se, int(CellTag.LITHIUM): li}, creep


def electrolyte_material_of(case: Case) -> ElasticMaterial:
    """The elastic electrolyte of a case: the preset of ``mechanics.electrolyte_preset`` with
    the case's Young's modulus and Poisson's ratio overrides (``"input"`` records)."""
    m = case.mechanics
    se = electrolyte_material(m.electrolyte_preset)
    se_E = m.electrolyte_youngs_modulus if m.electrolyte_youngs_modulus is not None else se.E
    se_nu = m.electrolyte_poisson_ratio if m.electrolyte_poisson_ratio is not None else se.nu
    return ElasticMaterial(se.name, se_E, se_nu, _elastic_records(
        se.parameters, se_E, se_nu, "mechanics.electrolyte_youngs_modulus",
        "mechanics.electrolyte_poisson_ratio"))


def _elastic_records(records: Parameters, E: float, nu: float, E_key: str,
                     nu_key: str) -> Parameters:
    """The preset's records of E and nu, with ``"input"`` records for what the case overrides."""
    return with_input(with_input(records, "E", E, "Pa", E_key), "nu", nu, "1", nu_key)


def _ramp(value: float, duration: float) -> Callable[[float], float]:
    """``value * min(t / duration, 1)`` (a step if duration is 0)."""
    if duration <= 0.0:
        return lambda t: value
    return lambda t: value * min(max(t / duration, 0.0), 1.0)


def vertical_axis(case: Case) -> int:
    """The displacement component normal to the interface: y in 2-D, z in 3-D."""
    return 2 if case.geometry.dimension == 3 else 1


def _side_conditions(case: Case) -> list[Any]:
    bcs: list[Any] = [Symmetry(int(FacetTag.SE_TOP))]
    if case.geometry.dimension == 3:  # a box (the case rules refuse a 3-D cylinder)
        if case.fixture.sides == "symmetry":
            return [*bcs, *(Symmetry(int(t)) for t in (FacetTag.SIDE_LEFT, FacetTag.SIDE_RIGHT,
                                                      FacetTag.SIDE_FRONT, FacetTag.SIDE_BACK))]
        # free sides: fix the lateral rigid-body motions (x on the left, y on the front side)
        return [*bcs, Displacement(int(FacetTag.SIDE_LEFT), 0, 0.0),
                Displacement(int(FacetTag.SIDE_FRONT), 1, 0.0)]
    if case.geometry.kind == "axisymmetric":
        bcs.append(Symmetry(int(FacetTag.SIDE_LEFT)))  # the axis
        if case.fixture.sides == "symmetry":
            bcs.append(Symmetry(int(FacetTag.SIDE_RIGHT)))
    elif case.fixture.sides == "symmetry":
        bcs += [Symmetry(int(FacetTag.SIDE_LEFT)), Symmetry(int(FacetTag.SIDE_RIGHT))]
    else:  # free sides in plane: fix the lateral rigid-body motion at the left side only
        bcs.append(Displacement(int(FacetTag.SIDE_LEFT), 0, 0.0))
    return bcs


def build_mechanics_problem(case: Case, cell_mesh: CellMesh, *, prefix: str = "ssbx_mech_",
                            plate_load: Any | None = None,
                            gap_displacement: float | None = None,
                            bonded_plate: bool = False) -> MechanicsProblem:
    """The case's mechanics problem on ``cell_mesh``. ``plate_load`` overrides the fixture's
    boundary condition on the Li current collector (used for the fixed-gap pre-solve);
    ``gap_displacement`` [m] is the held plate displacement of a fixed gap (default: the
    elastic one, see :func:`calibrate_gap_displacement`); ``bonded_plate``: the Li sticks to
    the plate (no lateral displacement on the collector, ``u_x = 0``) instead of sliding on it."""
    materials, creep = materials_of(case)
    plate = int(FacetTag.LI_BOTTOM)
    f = case.fixture
    if plate_load is None:
        if f.type == "pressure":
            plate_load = Traction(plate, _ramp(f.pressure, f.loading_time))
        elif f.type == "rigid_plate":
            plate_load = RigidPlate(plate, vertical_axis(case), _ramp(f.pressure,
                                                                      f.loading_time))
        elif f.type == "spring":
            plate_load = Spring(plate, _ramp(f.pressure, f.loading_time), f.stiffness)
        else:
            u0 = (elastic_gap_displacement(case, cell_mesh) if gap_displacement is None
                  else gap_displacement)
            plate_load = Displacement(plate, vertical_axis(case), _ramp(u0, f.loading_time))
    return MechanicsProblem.from_cell_mesh(
        cell_mesh, materials=materials, creep=creep, temperature=case.operation.temperature,
        bcs=[*_side_conditions(case), plate_load,
             *([Displacement(plate, 0, 0.0)] if bonded_plate else [])],
        degree=case.solver.degree, plate_tag=plate,
        max_iterations=case.solver.max_iterations, petsc_options=dict(case.solver.petsc),
        linear_solver="amg" if case.solver.linear_solver == "amg" else "lu", prefix=prefix)


def elastic_gap_displacement(case: Case, cell_mesh: CellMesh) -> float:
    """Uniform plate displacement u_y [m] at which the elastic cell carries the fixture
    pressure: a linear solve with a unit rigid-plate displacement, scaled."""
    unit = 1e-6
    probe = build_mechanics_problem(case, cell_mesh, prefix="ssbx_mech_gap_",
                                    plate_load=Displacement(int(FacetTag.LI_BOTTOM),
                                                            vertical_axis(case), unit))
    res = probe.solve_step(0.0)  # dt = 0: the elastic response
    if not res.converged:
        raise RuntimeError("elastic pre-solve of the fixed gap did not converge")
    return unit * case.fixture.pressure / res.plate_pressure


def calibrate_gap_displacement(case: Case, cell_mesh: CellMesh, *, iterations: int = 6,
                               rtol: float = 1e-3) -> tuple[float, float]:
    """Fixed gap: the held plate displacement [m] whose loading ramp (with creep) ends at
    ``fixture.pressure``, by fixed-point rescaling ``u <- u p_target / p_reached``; returns the
    displacement and the pressure reached [Pa]."""
    target = case.fixture.pressure
    u = elastic_gap_displacement(case, cell_mesh)
    reached = math.nan
    for _ in range(iterations):
        trial = build_mechanics_problem(case, cell_mesh, prefix="ssbx_mech_cal_",
                                        gap_displacement=u)
        steps = run_quasistatic(trial, case.fixture.loading_time, case.time.initial_step,
                                dt_min=case.time.min_step, dt_max=case.time.max_step,
                                max_dp=case.time.max_plastic_strain_increment)
        reached = steps[-1].plate_pressure
        if abs(reached - target) <= rtol * target:
            break
        u *= target / reached
    return u, reached


def vacancy_settings(case: Case) -> VacancySettings | None:
    """The :class:`VacancySettings` of a resolved case (``None`` when vacancy transport is
    off; ``vacancy.enabled`` unset counts as off here: :meth:`ssbx.case.Case.for_ccs` turns it
    on for critical-current searches)."""
    spec = getattr(case, "vacancy", None)
    if spec is None or not spec.enabled:
        return None
    metal = anode_metal_of(case).vacancy
    material = metal.material
    if spec.self_diffusion is not None:
        material = dataclasses.replace(
            material, self_diffusion_ref=spec.self_diffusion, reference_temperature=298.15,
            parameters=_diffusion_records(material.parameters, spec.self_diffusion,
                                          "vacancy.self_diffusion"))
    if spec.grain_size is not None:
        bulk = material.d_self(298.15)
        effective = hart_effective_diffusivity(bulk, spec.grain_boundary_diffusion,
                                               spec.grain_size, spec.grain_boundary_width)
        material = dataclasses.replace(
            material, self_diffusion_ref=effective, reference_temperature=298.15,
            parameters=_diffusion_records(material.parameters, effective,
                                          "Hart effective diffusivity of the bulk value and "
                                          "the case's vacancy.grain_boundary_diffusion"))
    surface_energy = (spec.surface_energy if spec.surface_energy is not None
                      else metal.surface_energy)
    return VacancySettings(
        material=material,
        critical_supersaturation=spec.critical_supersaturation,
        dislocation_density=spec.dislocation_density,
        creep_velocity=spec.creep_velocity,
        burgers_vector=metal.burgers_vector,
        stress_drift=spec.stress_drift,
        surface_energy=surface_energy,
        nucleus_height=spec.nucleus_height,
        void_surfaces=spec.void_surfaces,
        site_balance=spec.site_balance,
        interface_sink_velocity=spec.interface_sink_velocity,
        parameters=with_input(metal.parameters, "surface_energy", surface_energy, "J/m^2",
                              "vacancy.surface_energy"),
    )


def _diffusion_records(records: Parameters, value: float, note: str) -> Parameters:
    """Vacancy-material records with ``self_diffusion_ref`` from the case (at 298.15 K)."""
    return with_input(with_input(records, "self_diffusion_ref", value, "m^2/s", note),
                      "reference_temperature", 298.15, "K", note)


def stripping_cell_mesh(comm: Any, case: Case, *, msh_path: Any = None) -> CellMesh:
    """The mesh of a stripping case (collective on ``comm``): the structured flat-interface
    cell (``geometry.void_model = "gap"``, voids are gap fields) or the Gmsh cell with the
    voids cut into the Li and the nodes on both sides of each void paired (``"explicit"``)."""
    from ssbx.meshes.flat_cell import build_stripping_mesh

    return build_stripping_mesh(comm, case.geometry, case.mesh, msh_path=msh_path)


def stripping_settings(case: Case) -> StrippingSettings:
    """Settings of a resolved ``problem = "stripping"`` case."""
    materials, creep = materials_of(case)
    contact = case.contact
    return StrippingSettings(
        current=current_settings(case),
        li=materials[int(CellTag.LITHIUM)],
        creep=creep.get(int(CellTag.LITHIUM)),
        electrolyte=materials[int(CellTag.ELECTROLYTE)],
        temperature=case.operation.temperature,
        fixture=case.fixture.type,
        pressure=case.fixture.pressure,
        stiffness=case.fixture.stiffness,
        voids=cell_voids(case.geometry),  # with a 3-D box's random pore array
        electrolyte_mechanics=contact.electrolyte,
        stress_coupling=contact.stress_coupling,
        contact_tolerance=contact.contact_tolerance,
        max_stagger_iterations=contact.max_stagger_iterations,
        line_search=contact.line_search,
        contact_solver=contact.solver,
        contact_factorization=contact.factorization,
        vacancy=vacancy_settings(case),
        asr_variation=case.interface.asr_variation,
        asr_wavelength=case.interface.asr_wavelength,
    )




# --------------------------------------------------------------------------- cracks


def crack_spec_of(case: Case) -> CrackSpec:
    """The crack and the electrolyte around it (:class:`ssbx.meshes.cracks.CrackSpec`, SI and
    radians): ``geometry.width`` wide (axisymmetric: its radius), ``geometry.h_se`` thick; its
    interfacial voids are the ``[[crack.voids]]`` intervals and those of ``crack.void_map``
    (read from the stripping run folder), sorted, overlapping ones merged
    (:func:`ssbx.case.rules.crack_voids`)."""
    c = case.crack
    return CrackSpec(kind=c.kind, length=c.length, width=case.geometry.width,
                     height=case.geometry.h_se, inclination=math.radians(c.inclination),
                     position=c.position, depth=c.depth, fill=c.fill,
                     voids=crack_voids(c.voids, c.void_map, c.void_map_time),
                     ring=is_ring_crack(c.kind, case.geometry.kind))


def crack_sizes_of(case: Case) -> CrackMeshSizes:
    """The element sizes of the crack mesh [m]: :func:`ssbx.meshes.cracks.default_sizes` (tip
    ``length/60``, faces ``length/15``, far ``max(width, h_se)/12``) with the case's
    ``crack.tip_size``, ``crack.face_size`` and ``crack.far_size``."""
    c = case.crack
    sizes = default_sizes(crack_spec_of(case))
    return dataclasses.replace(
        sizes, tip=sizes.tip if c.tip_size is None else c.tip_size,
        face=sizes.face if c.face_size is None else c.face_size,
        far=sizes.far if c.far_size is None else c.far_size)


def molar_volume_of(case: Case) -> float:
    """Molar volume Omega [m^3/mol] of the case's anode metal (``anode.metal``, overridden by
    ``anode.molar_volume``)."""
    return anode_metal_of(case).molar_volume


def crack_li_pressure(case: Case) -> float:
    """The Li pressure in the crack [Pa]: ``crack.li_pressure``, else ``F |eta| / Omega`` of
    ``crack.overpotential``, else 0."""
    c = case.crack
    if c.li_pressure is not None:
        return c.li_pressure
    if c.overpotential is not None:
        return max_li_pressure(c.overpotential, molar_volume_of(case))
    return 0.0


def crack_loads_of(case: Case) -> CrackLoads:
    """The loads of a crack case [Pa]: the Li pressure (:func:`crack_li_pressure`), the stack
    pressure on the interface and the in-plane stress on the sides."""
    c = case.crack
    return CrackLoads(li_pressure=crack_li_pressure(case), stack_pressure=c.stack_pressure,
                      in_plane_stress=c.in_plane_stress)


def fracture_toughness_of(case: Case) -> float:
    """K_Ic [Pa m^0.5] of the electrolyte: ``mechanics.electrolyte_fracture_toughness``, else
    the preset's. ``ValueError`` when neither has one (a crack case is refused earlier)."""
    given = case.mechanics.electrolyte_fracture_toughness
    if given is not None:
        return given
    preset = electrolyte_preset(case.mechanics.electrolyte_preset)
    if preset.fracture_toughness is None:
        raise ValueError(f"electrolyte preset {preset.name!r} has no fracture toughness: set "
                         "mechanics.electrolyte_fracture_toughness")
    return preset.fracture_toughness


def fracture_toughness_records_of(case: Case) -> Parameters:
    """The record of the electrolyte's K_Ic (:func:`fracture_toughness_of`): the preset's, or
    an ``"input"`` record when ``mechanics.electrolyte_fracture_toughness`` sets another
    value."""
    preset = electrolyte_preset(case.mechanics.electrolyte_preset)
    records = tuple(p for p in preset.parameters if p.name == "fracture_toughness")
    return with_input(records, "fracture_toughness", fracture_toughness_of(case), "Pa m^0.5",
                      "mechanics.electrolyte_fracture_toughness")


def build_crack_problem(case: Case, crack_mesh: CrackMesh) -> CrackProblem:
    """The elastic cracked electrolyte of a crack case on ``crack_mesh``: the case's electrolyte
    (:func:`electrolyte_material_of`), ``crack.support`` and ``solver.degree``."""
    return CrackProblem(crack_mesh, electrolyte_material_of(case), support=case.crack.support,
                        degree=case.solver.degree)


def crack_growth_increment_of(case: Case) -> float:
    """The length of each crack-growth increment [m]: ``crack.growth_increment``, else
    ``crack.length / 4``."""
    c = case.crack
    return c.growth_increment if c.growth_increment is not None else c.length / 4.0


def build_crack_current_problem(case: Case, crack_mesh: CrackMesh) -> CrackCurrentProblem:
    """The potential around a Li-filled edge crack of a plating case on ``crack_mesh``
    (:class:`ssbx.problems.crack_current.CrackCurrentProblem`): the electrolyte conductivity
    and the interface kinetics at ``operation.temperature``, the anode metal's molar volume and
    ``solver.degree``."""
    return CrackCurrentProblem(crack_mesh, case.conductivity, interface_kinetics_of(case),
                               molar_volume_of(case), degree=case.solver.degree)


#: The extrusion laws of ``crack.extrusion`` (``"none"``: a sealed crack).
EXTRUSION_LAWS = ("none", "bulk", "size_dependent", "size_dependent_dislocation")


def extrusion_outflow(law: str, depth: float, volumes: tuple[float, float],
                      stack_pressure: float, temperature: float, *,
                      bulk: PowerLawCreep | None = None, diffusion: VacancyMaterial | None = None,
                      molar_volume: float = LI_MOLAR_VOLUME, points: int = 120
                      ) -> Outflow | None:
    """Current equivalent [A per m of depth] of the Li a crack extrudes at its Li pressure
    ``p`` [Pa], as :meth:`ssbx.problems.crack_current.CrackCurrentProblem.steady_pressure`
    takes it; ``None`` for ``law = "none"`` (sealed).

    Slot flow (:func:`ssbx.physics.extrusion.slot_flux`) along the filled ``depth`` [m] under
    the gradient ``(p - p_s) / depth`` through the mean elastic opening
    ``(V0 + p V1) / depth`` (``volumes = (V0, V1)``: the Li volume per unit depth [m^2] without
    Li pressure and its increase per Pa, from two elastic solves), times ``F / Omega``. The Li
    creeps by ``law``: ``"bulk"``, the power law ``bulk`` (default: Masias et al. 2019);
    ``"size_dependent"``, :class:`ssbx.physics.creep_laws.SizeDependentLiCreep` at the
    opening (Xu et al. 2017 dislocation creep plus Nabarro–Herring flow with ``diffusion``);
    ``"size_dependent_dislocation"``, its dislocation branch alone. ``temperature`` [K];
    ``molar_volume`` Omega [m^3/mol]; ``points``: Gauss points across the slot.
    """
    if law not in EXTRUSION_LAWS:
        raise ValueError(f"unknown extrusion law {law!r}; expected one of {EXTRUSION_LAWS}")
    if law == "none":
        return None
    bulk_law = bulk if bulk is not None else MASIAS_2019
    v0, v1 = volumes

    def rate_at(gap: float) -> Callable[[float], float]:
        if law == "bulk":
            return lambda s: bulk_law.rate(s, temperature)
        options: dict[str, Any] = {"bulk": bulk_law}
        if diffusion is not None:
            options["diffusion"] = diffusion
        creep = SizeDependentLiCreep(size=gap, **options)
        if law == "size_dependent":
            return lambda s: creep.rate(s, temperature)
        return lambda s: creep.dislocation_rate(s, temperature)

    def outflow(p: float) -> float:
        gap = max(v0 + p * v1, 0.0) / depth
        if gap <= 0.0 or p <= stack_pressure:
            return 0.0
        q = slot_flux((p - stack_pressure) / depth, gap, rate_at(gap), points=points)
        return FARADAY * q / molar_volume

    return outflow


def crack_outflow_of(case: Case, volumes: tuple[float, float]) -> Outflow | None:
    """The extrusion outflow of a plating crack case (:func:`extrusion_outflow`): the law
    ``crack.extrusion`` of the anode metal (its power-law creep, its self-diffusion for the
    Nabarro–Herring branch; ``anode.*`` overrides), along the Li-filled length of the crack, to
    ``crack.stack_pressure`` at the mouth, at ``operation.temperature``. A ring crack's
    ``volumes`` are totals [m^3, m^3/Pa] and so is its outflow [A]: the slot flow per unit
    length of the mouth's circle ``2 pi r0`` (thin ring, depth << r0), times that length."""
    metal = anode_metal_of(case)
    spec = crack_spec_of(case)
    # a ring crack's volumes and currents are totals: per unit length of its mouth's circle
    circle = 2.0 * math.pi * spec.position if spec.ring else 1.0
    outflow = extrusion_outflow(case.crack.extrusion, spec.filled_length,
                                (volumes[0] / circle, volumes[1] / circle),
                                case.crack.stack_pressure, case.operation.temperature,
                                bulk=metal.creep, diffusion=metal.vacancy.material,
                                molar_volume=metal.molar_volume)
    if outflow is None or not spec.ring:
        return outflow
    per_depth = outflow
    return lambda p: circle * per_depth(p)


# --------------------------------------------------------------------------- stack


def stack_layer_of(case: Case, spec: LayerSpec) -> Layer:
    """One layer of the reduced stack model from its ``[[stack.layers]]`` record
    (:class:`ssbx.case.records.LayerSpec`): an elastic layer (an electrolyte preset or its
    own constants), a composite cathode with its eigenstrain table, or a foil of the anode
    metal (``anode_metal_of``: elastic constants, confined modulus, power-law creep, molar
    volume) with its friction mode."""
    if spec.kind == "elastic":
        material = (electrolyte_material(spec.material) if spec.material is not None
                    else ElasticMaterial(spec.name, spec.youngs_modulus, spec.poisson_ratio))
        return ElasticLayer.from_material(spec.name, spec.thickness, material, spec.confined)
    if spec.kind == "cathode":
        material = ElasticMaterial(spec.name, spec.youngs_modulus, spec.poisson_ratio)
        return CompositeCathode(spec.name, spec.thickness,
                                layer_modulus(material, spec.confined),
                                tuple(spec.state_of_charge), tuple(spec.strain))
    metal = anode_metal_of(case)
    return MetalFoil(spec.name, spec.thickness, layer_modulus(metal.elastic, True),
                     side=spec.side, molar_volume=metal.molar_volume,
                     creep=metal.creep if spec.creep else None, friction=spec.friction,
                     friction_coefficient=(spec.friction_coefficient
                                           if spec.friction_coefficient is not None else 0.0),
                     radius=spec.radius,
                     clearance=spec.clearance if spec.clearance is not None else 0.0,
                     clearance_length=(spec.clearance_length
                                       if spec.clearance_length is not None else 0.0))


def stack_fixture_of(case: Case) -> Fixture:
    """The fixture of a stack case: a fixed gap (load-train compliance, optional one-term
    Prony relaxation), springs (stiffness, compliance, guide friction threshold) or a
    constant force at ``fixture.pressure`` (``pressure`` and ``rigid_plate``: a uniform load
    and a force-controlled rigid plate differ only across the interface, which the 0-D stack
    does not resolve)."""
    f = case.fixture
    if f.type == "fixed_gap":
        relaxation = (Prony((f.relaxation_fraction,), (f.relaxation_time,))
                      if f.relaxation_fraction > 0.0 and f.relaxation_time is not None
                      else None)
        return FixedGap(f.compliance, relaxation)
    if f.type == "spring":
        return Springs(f.stiffness, f.compliance, f.friction_threshold)
    if f.type in ("pressure", "rigid_plate"):  # the same in 0-D: a constant mean pressure
        return ConstantForce(f.pressure)
    raise ValueError(f"fixture.type = {f.type!r} is not a fixture of the reduced stack model")


def stack_model_of(case: Case) -> StackModel:
    """The reduced stack model of a ``problem = "stack"`` case (layers bottom to top, fixture,
    ``operation.temperature``, the cell's capacity and initial state of charge)."""
    st = case.stack
    return StackModel([stack_layer_of(case, layer) for layer in st.layers],
                      stack_fixture_of(case), case.operation.temperature,
                      capacity=st.capacity, initial_soc=st.initial_state_of_charge)


def stack_segments_of(case: Case) -> list[Segment]:
    """The protocol of a stack case as segments of the reduced model: ``Plate at i`` is a
    charge (``+i``: Li plates on the anode), ``Strip at i`` a discharge (``-i``), ``Rest``
    no current; a step limited by a capacity lasts capacity / i; each in
    ``stack.steps_per_segment`` equal steps."""
    segments = []
    for step in case.protocol.parsed():
        if step.kind == "hold":
            raise ValueError(f"protocol step {step.text!r}: a voltage hold is not a step of "
                             "the reduced stack model")
        current = -step.current_density  # protocol: stripping > 0; the stack: charge > 0
        duration = (step.duration if step.duration is not None
                    else step.capacity / abs(step.current_density))
        segments.append(Segment(duration, current, case.stack.steps_per_segment))
    return segments


# --------------------------------------------------------------------------- particle
def particle_material_of(case: Case) -> IntercalationMaterial:
    """The particle's material: the preset ``particle.material`` with the keys the case sets
    (records of overridden values become ``"input"`` records)."""
    p = case.particle
    preset = PARTICLE_MATERIALS[p.material]
    records = preset.parameters
    values = {}
    for name, unit in (("diffusivity", "m^2/s"), ("max_concentration", "mol/m^3"),
                       ("molar_volume", "m^3/mol")):
        given = getattr(p, name)
        values[name] = getattr(preset, name) if given is None else given
        if given is not None:
            records = with_input(records, name, given, unit, f"particle.{name}")
    E = preset.elastic.E if p.youngs_modulus is None else p.youngs_modulus
    nu = preset.elastic.nu if p.poisson_ratio is None else p.poisson_ratio
    elastic = ElasticMaterial(preset.elastic.name, E, nu, parameters=_elastic_records(
        preset.elastic.parameters, E, nu, "particle.youngs_modulus", "particle.poisson_ratio"))
    return IntercalationMaterial(preset.name, values["diffusivity"],
                                 values["max_concentration"], values["molar_volume"], elastic,
                                 parameters=records)


def embedded_materials_of(case: Case) -> tuple[ElasticMaterial, ElasticMaterial]:
    """The embedded particle's and the electrolyte's elastic constants: the NMC811 defaults and
    the preset ``embedded.electrolyte``, with the keys the case sets (``"input"`` records)."""
    e = case.embedded
    particle = ElasticMaterial("particle", e.particle_youngs_modulus, e.particle_poisson_ratio,
                               parameters=_elastic_records(
                                   NMC811_ELASTIC.parameters, e.particle_youngs_modulus,
                                   e.particle_poisson_ratio, "embedded.particle_youngs_modulus",
                                   "embedded.particle_poisson_ratio"))
    preset = electrolyte_material(e.electrolyte)
    E = preset.E if e.electrolyte_youngs_modulus is None else e.electrolyte_youngs_modulus
    nu = preset.nu if e.electrolyte_poisson_ratio is None else e.electrolyte_poisson_ratio
    matrix = ElasticMaterial(preset.name, E, nu, parameters=_elastic_records(
        preset.parameters, E, nu, "embedded.electrolyte_youngs_modulus",
        "embedded.electrolyte_poisson_ratio"))
    return particle, matrix


def embedded_problem_of(case: Case, comm: Any) -> EmbeddedParticleProblem:
    """The embedded-particle problem of a case, meshed on ``comm`` (collective): with
    ``embedded.charge_by = "diffusion"`` an :class:`EmbeddedChargeProblem`."""
    e = case.embedded
    size = e.radius / 6.0 if e.mesh_size is None else e.mesh_size
    fine = e.radius / 40.0 if e.interface_mesh_size is None else e.interface_mesh_size
    fine = min(fine, size)
    if e.matrix == "cell":
        build = EmbeddedGeometry.cell if e.dimension == 2 else EmbeddedGeometry.box
        geometry = build(comm, e.radius, e.outer_size, e.outer_size, size, interface_size=fine)
    else:
        build = EmbeddedGeometry.shell if e.dimension == 2 else EmbeddedGeometry.shell_3d
        geometry = build(comm, e.radius, e.outer_size, size, interface_size=fine)
    particle, matrix = embedded_materials_of(case)
    if e.charge_by == "diffusion":
        curve = (VolumeChangeCurve(e.volume_change_charge, e.volume_change_values)
                 if e.volume_change_charge else VolumeChangeCurve.linear(e.volume_change))
        problem: EmbeddedParticleProblem = EmbeddedChargeProblem(
            geometry, particle, matrix, diffusivity=e.diffusivity, volume_change=curve,
            c_rate=e.c_rate, interface=e.interface, penalty=e.penalty)
    else:
        problem = EmbeddedParticleProblem(geometry, particle, matrix, interface=e.interface,
                                          penalty=e.penalty)
    problem.set_pressure(e.stack_pressure)
    return problem


def particle_kinetics_of(case: Case, material: IntercalationMaterial) -> SurfaceKinetics:
    """Butler–Volmer insertion kinetics with the case's tabulated OCV."""
    p = case.particle
    ocv = TabulatedOCV(p.ocv_lithiation, p.ocv_potential, material.max_concentration)
    j0: Any = p.exchange_current
    if p.exchange_current_lithiation:
        j0 = PiecewiseLinear(p.exchange_current_lithiation,
                             [p.exchange_current * f for f in p.exchange_current_factor],
                             material.max_concentration, extrapolate=False)
    return SurfaceKinetics(j0, ocv, alpha=p.transfer_coefficient,
                           linearised=p.linearised_kinetics)


def particle_time_steps(case: Case, material: IntercalationMaterial) -> tuple[float, float]:
    """(first step, largest step) [s]: the case's, or 1e-6 and 0.005 R^2 / D."""
    p = case.particle
    tau = p.radius ** 2 / material.diffusivity
    first = 1e-6 * tau if p.initial_step is None else p.initial_step
    largest = 5e-3 * tau if p.max_step is None else p.max_step
    return min(first, largest), largest


def particle_problem_of(case: Case, comm: Any, *, prefix: str = "ssbx_particle_"
                        ) -> ParticleProblem:
    """The particle problem of a case, meshed on ``comm`` (collective)."""
    p = case.particle
    material = particle_material_of(case)
    size = p.radius / 8.0 if p.mesh_size is None else p.mesh_size
    if p.dimension == 2:
        surface = p.radius / 40.0 if p.surface_mesh_size is None else p.surface_mesh_size
        geometry = ParticleGeometry.sphere_meridian(comm, p.radius, size,
                                                    surface_size=min(surface, size))
    elif p.body == "whole":
        geometry = ParticleGeometry.sphere(comm, p.radius, size)
    else:
        geometry = ParticleGeometry.sphere_octant(comm, p.radius, size)
    lattice, axis = None, None
    if p.lattice_lithiation:
        lattice = TabulatedLatticeStrain(p.lattice_lithiation, p.lattice_a_table,
                                         p.lattice_c_table)
    elif p.lattice_a is not None and p.lattice_c is not None:
        lattice = LatticeStrain(p.lattice_a, p.lattice_c)
    if lattice is not None:
        grains = random_polycrystal(p.grains, p.radius, p.grain_seed,
                                    octant=p.dimension == 3 and p.body == "octant",
                                    texture=p.grain_texture)
        axis = c_axis_field(geometry.mesh, grains.axis_at)
    return ParticleProblem(
        geometry, material, particle_kinetics_of(case, material),
        initial_concentration=p.initial_lithiation * material.max_concentration,
        temperature=case.operation.temperature, degree=p.degree, mechanics=p.mechanics,
        stress_coupling=p.mechanics and p.stress_coupling and lattice is None,
        lattice=lattice, c_axis=axis, diffusivity_factor=PiecewiseLinear(
            p.diffusivity_lithiation, p.diffusivity_factor, material.max_concentration,
            extrapolate=False) if p.diffusivity_lithiation else None,
        linear_solver=p.linear_solver, options_prefix=prefix)
