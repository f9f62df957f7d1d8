"""Particle cases (``problem = "particle"``): validation before any mesh, the material and
kinetics a case builds, and the two examples run end to end through ``run_case`` — the PITT
example's current against the exact series, the charge example's Li inventory against the
charge passed and its stresses' signs."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.case import CaseError, load_case, resolve_case
from ssbx.case.protocol import parse_protocol
from ssbx.io.runfolder import RunFolder
from ssbx.physics import intercalation as ic
from ssbx.physics.constants import FARADAY
from ssbx.physics.intercalation_materials import LIMN2O4
from ssbx.runs.registry import run_case
from ssbx.setup import particle_material_of, particle_time_steps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

BASE = {
    "problem": "particle",
    "particle": {"ocv_lithiation": [0.2, 1.0], "ocv_potential": [4.2, 3.8]},
    "protocol": {"steps": ["Charge at 0.1 mA/cm^2 for 10 min"]},
}


def _case(**sections):
    raw = {key: (dict(value) if isinstance(value, dict) else value)
           for key, value in BASE.items()}
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(raw.get(name), dict):
            raw[name] = {**raw[name], **value}
        else:
            raw[name] = value
    return resolve_case(raw)


def _problems(**sections):
    with pytest.raises(CaseError) as err:
        _case(**sections)
    return str(err.value)


def test_a_minimal_particle_case_resolves_with_the_preset():
    case = _case()
    material = particle_material_of(case)
    assert material == LIMN2O4
    assert case.particle.radius == 5e-6 and case.particle.dimension == 2
    first, largest = particle_time_steps(case, material)
    tau = 25e-12 / LIMN2O4.diffusivity
    assert first == pytest.approx(1e-6 * tau) and largest == pytest.approx(5e-3 * tau)
    assert case.protocol.resolved[0].kind == "charge"


def test_material_keys_override_the_preset_with_input_records():
    case = _case(particle={"diffusivity": "1e-10 cm^2/s", "youngs_modulus": "150 GPa",
                           "molar_volume": "-1 cm^3/mol"})
    material = particle_material_of(case)
    assert material.diffusivity == pytest.approx(1e-14)
    assert material.elastic.E == pytest.approx(150e9)
    assert material.molar_volume == pytest.approx(-1e-6)
    assert material.max_concentration == LIMN2O4.max_concentration
    statuses = {p.name: p.status for p in material.parameters}
    assert statuses["diffusivity"] == "input" and statuses["max_concentration"] == "check"


def test_the_ocv_table_is_required_and_checked():
    raw = {"problem": "particle", "protocol": {"steps": ["Rest for 1 min"]}}
    with pytest.raises(CaseError, match=re.escape("particle.ocv_lithiation, "
                                                  "particle.ocv_potential: required")):
        resolve_case(raw)
    text = _problems(particle={"ocv_lithiation": [0.5, 0.4, 0.9]})
    assert "strictly increasing" in text and "expected 3 potentials" in text


def test_particle_steps_and_metal_steps_are_kept_apart():
    text = _problems(protocol={"steps": ["Strip at 1 mA/cm^2 for 1 h"]})
    assert 'not a step of problem = "particle"' in text and "Charge at" in text
    with pytest.raises(CaseError, match=re.escape('not a step of problem = "stripping"')):
        resolve_case({"problem": "stripping",
                      "protocol": {"steps": ["Discharge at 1 mA/cm^2 for 1 h"]}})
    with pytest.raises(CaseError, match=re.escape('protocol.steps: required by problem = '
                                                  '"particle"')):
        resolve_case({"problem": "particle", "particle": BASE["particle"]})


def test_keys_of_other_problems_are_refused_both_ways():
    text = _problems(geometry={"h_se": "30 um"}, solver={"rtol": 1e-6})
    assert 'geometry.h_se = "30 um": not used by problem = "particle"' in text
    assert "solver.rtol" in text and "direct (MUMPS)" in text
    with pytest.raises(CaseError, match=re.escape('only problem = "particle" uses the')):
        resolve_case({"particle": {"radius": "3 um"}})


def test_particle_key_checks():
    text = _problems(particle={"poisson_ratio": 0.6, "mesh_size": "6 um",
                               "initial_step": "10 s", "max_step": "1 s"})
    assert "Poisson ratio" in text and "at most the radius" in text
    assert "particle.initial_step" in text
    text = _problems(particle={"dimension": 3, "surface_mesh_size": "0.1 um"})
    assert "meshed uniformly" in text
    text = _problems(particle={"mechanics": False, "stress_coupling": True})
    assert "needs the stresses" in text
    assert _case(particle={"mechanics": False}).particle.stress_coupling is True  # default


def test_protocol_words_charge_and_discharge():
    steps = parse_protocol(["Charge at 1 mA/cm^2 for 30 min",
                            "Discharge at 0.5 mA/cm^2 for 0.1 mAh/cm^2"])
    assert steps[0].kind == "charge" and steps[0].current_density == pytest.approx(10.0)
    assert steps[1].kind == "discharge" and steps[1].current_density == pytest.approx(-5.0)
    assert steps[1].time_length() == pytest.approx(3600.0 / 5.0)  # 0.1 mAh/cm^2 = 3600 C/m^2


def _run(case, tmp_path, name):
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / name) if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.release()
    with open(Path(path) / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return summary, {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


@pytest.mark.slow
@pytest.mark.mpi
def test_pitt_example_follows_the_exact_series(tmp_path):
    """The example for its first 0.3 R^2/D with the stresses off (the current does not
    depend on them): the current against the exact series from t = 1e-3 R^2/D."""
    case = load_case(EXAMPLES / "particle_pitt.toml")
    p = case.particle
    tau_s = p.radius**2 / LIMN2O4.diffusivity
    case = resolve_case({**case.to_toml_dict(),
                         "particle": {**case.to_toml_dict()["particle"], "mechanics": False,
                                      "stress_coupling": False,
                                      "max_step": f"{0.004 * tau_s} s"},
                         "protocol": {"steps": [f"Hold at 3.985 V for {0.3 * tau_s} s"],
                                      "cycles": 1},
                         "output": {"fields": False, "plots": False}})
    summary, h = _run(case, tmp_path, "pitt")
    c_max = LIMN2O4.max_concentration
    slope = (p.ocv_potential[1] - p.ocv_potential[0]) / (
        (p.ocv_lithiation[1] - p.ocv_lithiation[0]) * c_max)
    u0 = p.ocv_potential[0] + slope * (p.initial_lithiation - p.ocv_lithiation[0]) * c_max
    dc = (3.985 - u0) / slope  # the concentration step to equilibrium
    biot = summary["scalars"]["biot_number_initial"]["value"]
    assert biot == pytest.approx(ic.biot_number(p.radius, p.exchange_current, slope,
                                                LIMN2O4.diffusivity, 298.15), rel=1e-12)
    tau = h["time_s"][1:] / tau_s
    influx = -h["current_density_A_per_m2"][1:] / FARADAY  # discharge inserts
    fe = influx * p.radius / (LIMN2O4.diffusivity * dc)
    exact = np.array([ic.pitt_current_series(t, biot) for t in tau])
    late = tau >= 1e-3
    error = np.max(np.abs(fe[late] / exact[late] - 1.0))
    print(f"B = {biot:.4f}: largest relative error of the example's current {error:.2e}")
    assert error < 2e-3
    assert h["potential_V"][1:] == pytest.approx(3.985)
    assert h["potential_V"][0] == pytest.approx(u0) and h["current_density_A_per_m2"][0] == 0.0


@pytest.mark.slow
def test_charge_example_inventory_and_stresses(tmp_path):
    """The example shortened to 3 + 3 min: the particle loses exactly the charge passed
    (A/V = 3/R to 1e-4 on the curved mesh), the surface is in hoop tension and the centre in
    radial compression on charge, and both relax on rest."""
    case = load_case(EXAMPLES / "particle_charge.toml")
    raw = case.to_toml_dict()
    raw["protocol"] = {"steps": ["Charge at 0.2 mA/cm^2 for 3 min", "Rest for 3 min"],
                       "cycles": 1}
    raw["particle"]["degree"] = 1
    raw["output"] = {"fields": True, "plots": True}
    summary, h = _run(resolve_case(raw), tmp_path, "charge")
    r = case.particle.radius
    passed = 2.0 * 180.0
    lost = (h["lithiation_mean"][0] - h["lithiation_mean"][-1]) * LIMN2O4.max_concentration
    assert lost == pytest.approx(passed / FARADAY * 3.0 / r, rel=2e-4)
    charging = h["protocol_step"] == 0
    end = np.flatnonzero(charging)[-1]
    assert h["surface_hoop_stress_Pa"][end] > 1e6 > 0.0 > -1e6 > h["centre_radial_stress_Pa"][end]
    assert abs(h["surface_hoop_stress_Pa"][-1]) < 0.3 * h["surface_hoop_stress_Pa"][end]
    assert h["potential_V"][end] > h["potential_V"][-1] > 3.95  # relaxes on rest
    scalars = summary["scalars"]
    assert scalars["charge_passed"]["value"] == pytest.approx(passed, rel=1e-9)
    assert math.isclose(scalars["surface_hoop_stress_max"]["value"],
                        h["surface_hoop_stress_Pa"].max())
    assert sorted(summary["files"]) == ["concentration.bp", "history.csv", "particle.png"]


@pytest.mark.slow
def test_single_particle_benchmark_quick(tmp_path):
    """The quick variant of ``single_particle_kinetics`` (one Biot number): the checks pass,
    the implied D and j0 are the closed-form numbers, and it writes its files."""
    from ssbx.benchmarks.framework import run_benchmark
    from ssbx.benchmarks.reproductions.single_particle_kinetics import load_reference

    out = tmp_path / "single_particle_kinetics"
    result = run_benchmark("single_particle_kinetics", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert {c.name for c in result.checks} == {
        "pitt_fe_vs_series", "short_time_form", "diffusivity_order",
        "exchange_current_inside_measured"}
    # C_D = 3600 D / R^2 = 2 per hour at R = 5 um: D = 2 x 25e-12 / 3600 m^2/s
    assert result.findings["d_implied_cm2_per_s"] == pytest.approx(2 * 25e-12 / 3600 * 1e4)
    # C_j = (3/R) j0 2 sinh(F eta / 2RT) / C_p: j0 for 0.5 C at 100 mV
    v = load_reference()["values"]
    sinh = 2 * math.sinh(FARADAY * 0.1 / (2 * 8.314462618 * v["temperature_K"]))
    j0 = 0.5 / 3600 * 1097 * 3.6e6 / (3 / 5e-6) / sinh
    assert result.findings["j0_implied_low_mA_per_cm2"] == pytest.approx(j0 / 10, rel=1e-12)
    assert {"single_particle_kinetics.csv", "single_particle_kinetics.png",
            "result.json"} <= {p.name for p in out.iterdir()}


def test_lattice_keys_are_checked():
    text = _problems(particle={"lattice_a": 0.03})
    assert "give both" in text
    text = _problems(particle={"lattice_a": 0.03, "lattice_c": -0.03})
    assert "particle.dimension = 3" in text and "stress_coupling = false" in text
    text = _problems(particle={"grains": 20})
    assert "anisotropic lattice strain only" in text
    case = _case(particle={"lattice_a": 0.03, "lattice_c": -0.034, "dimension": 3,
                           "stress_coupling": False, "grains": 12, "grain_seed": 4})
    assert (case.particle.grains, case.particle.grain_seed) == (12, 4)
    assert (case.particle.body, case.particle.grain_texture) == ("octant", "random")
    text = _problems(particle={"grain_texture": "radial"})
    assert "particle.grain_texture" in text and "anisotropic lattice strain only" in text
    text = _problems(particle={"lattice_a": 0.03, "lattice_c": -0.034, "dimension": 3,
                               "stress_coupling": False, "grain_texture": "fibre"})
    assert "particle.grain_texture" in text and "tangential" in text
    text = _problems(particle={"body": "whole"})
    assert "particle.body" in text and "particle.dimension = 3" in text
    text = _problems(particle={"linear_solver": "iterative", "dimension": 3})
    assert "particle.linear_solver" in text and "stress_coupling = false" in text
    case = _case(particle={"linear_solver": "iterative", "dimension": 3,
                           "stress_coupling": False})
    assert case.particle.linear_solver == "iterative"


@pytest.mark.slow
@pytest.mark.mpi
def test_whole_sphere_with_textured_grains_through_the_case(tmp_path):
    """``particle.body = "whole"`` with tangential grains, charged with the iterative solver:
    the Li inventory follows the charge passed, and the largest tension sits inside (r/R <
    0.5: the texture's centre tension), the same on 1 and 2 ranks."""
    case = resolve_case({"problem": "particle", "particle": {
        **BASE["particle"], "dimension": 3, "body": "whole", "mesh_size": "1.25 um",
        "degree": 1, "stress_coupling": False, "lattice_a": 0.03, "lattice_c": -0.034,
        "grains": 40, "grain_texture": "tangential", "initial_lithiation": 0.9,
        "initial_step": "10 s", "max_step": "150 s", "linear_solver": "iterative"},
        "protocol": {"steps": ["Charge at 0.04 mA/cm^2 for 15 min"]},
        "output": {"fields": False, "plots": False}})
    summary, history = _run(case, tmp_path, "whole")
    scalars = summary["scalars"]
    assert scalars["largest_principal_stress_radius_final"]["value"] < 0.5
    x = history["lithiation_mean"]
    passed = 0.04 * 10.0 * 15 * 60.0  # C/m^2
    capacity = LIMN2O4.max_concentration * FARADAY * 5e-6 / 3.0
    assert x[0] - x[-1] == pytest.approx(passed / capacity, rel=2e-2)


def test_lattice_tables_are_checked_and_reach_the_problem():
    tables = {"lattice_lithiation": [0.1, 0.5, 1.0], "lattice_a_table": [2.81, 2.84, 2.87],
              "lattice_c_table": [14.0, 14.45, 14.2]}
    text = _problems(particle=tables)
    assert "particle.dimension = 3" in text and "stress_coupling = false" in text
    text = _problems(particle={**tables, "lattice_a": 0.03, "lattice_c": -0.03,
                               "dimension": 3, "stress_coupling": False})
    assert "given twice" in text
    text = _problems(particle={"lattice_lithiation": [0.5, 0.2], "lattice_a_table": [2.8],
                               "lattice_c_table": [14.0, -1.0], "dimension": 3,
                               "stress_coupling": False})
    assert "strictly increasing" in text
    assert "particle.lattice_a_table" in text and "expected 2 lattice parameters > 0" in text
    assert "particle.lattice_c_table" in text
    case = _case(particle={**tables, "dimension": 3, "stress_coupling": False, "grains": 4})
    assert case.particle.lattice_c_table == (14.0, 14.45, 14.2)
    assert case.particle.grains == 4


@pytest.mark.slow
def test_grain_misfit_is_rate_independent_gradient_stress_is_not(tmp_path):
    """The same charge (0.1 in lithiation) of a 3-D octant at two rates, 4x apart: with the
    anisotropic lattice strain of 8 grains the largest principal stress is grain misfit and
    barely depends on the rate; in the isotropic particle of the same volume change it comes
    from the concentration gradient and grows with the rate (Woodford et al.'s two
    mechanisms, as Tsai et al. 2018 discuss them)."""
    base = {**BASE["particle"], "dimension": 3, "mesh_size": "1.7 um", "degree": 1,
            "initial_lithiation": 0.9, "stress_coupling": False, "max_step": "60 s"}
    a, c = 0.03, -0.034
    omega = (2 * a + c) / LIMN2O4.max_concentration  # the same volume change, isotropic
    variants = {"isotropic": {"molar_volume": f"{omega} m^3/mol"},
                "grains": {"lattice_a": a, "lattice_c": c, "grains": 8}}
    rates = {"fast": "Charge at 0.04 mA/cm^2 for 15 min",
             "slow": "Charge at 0.01 mA/cm^2 for 60 min"}
    largest = {}
    for name, keys in variants.items():
        for rate, step in rates.items():
            case = resolve_case({"problem": "particle", "particle": {**base, **keys},
                                 "protocol": {"steps": [step]},
                                 "output": {"fields": False, "plots": False}})
            summary, _ = _run(case, tmp_path, f"{name}-{rate}")
            largest[name, rate] = summary["scalars"]["largest_principal_stress_final"]["value"]
    print({k: f"{v / 1e6:.3g} MPa" for k, v in largest.items()})
    iso = largest["isotropic", "fast"] / largest["isotropic", "slow"]
    poly = largest["grains", "fast"] / largest["grains", "slow"]
    assert 2.0 < iso < 4.5  # the gradient stress follows the current
    assert abs(poly - 1.0) < 0.1  # misfit: set by the lithiation change, not the rate
    assert largest["grains", "slow"] > 10 * largest["isotropic", "slow"]


@pytest.mark.slow
def test_crack_site_benchmark_quick(tmp_path):
    """The quick variant of ``particle_crack_site`` (coarse, fewer steps; no polycrystal
    check, 20 grains say nothing about the site): the isotropic tension sits at the surface
    and grows with the rate; the files are written."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "particle_crack_site"
    result = run_benchmark("particle_crack_site", MPI.COMM_SELF, None, True, out)
    checks = {c.name: c for c in result.checks}
    assert set(checks) == {"isotropic_site", "isotropic_rate_dependence"}
    assert result.passed, result.summary
    assert checks["isotropic_rate_dependence"].value > 6.0  # ~9 (the current ratio)
    assert {"particle_crack_site.csv", "particle_crack_site.png", "result.json"} <= {
        p.name for p in out.iterdir()}


def test_property_tables_are_checked():
    text = _problems(particle={"diffusivity_lithiation": [0.5, 0.4],
                               "diffusivity_factor": [1.0]})
    assert "strictly increasing" in text and "expected 2 factors > 0" in text
    text = _problems(particle={"exchange_current_lithiation": [0.2, 0.9],
                               "exchange_current_factor": [1.0, -2.0]})
    assert "particle.exchange_current_factor" in text
    case = _case(particle={"exchange_current_lithiation": [0.2, 0.9],
                           "exchange_current_factor": [1.0, 100.0]})
    assert case.particle.exchange_current_factor == (1.0, 100.0)


@pytest.mark.slow
def test_tabulated_diffusivity_and_exchange_current(tmp_path):
    """D(x) and j0(x) tables through the case path: the concentration against the 1-D radial
    solution with the same D(x) (insertion, no mechanics), and the reported potential
    U(x_s) + eta(i, j0(x_s)) with the table's j0 at the surface."""
    from ssbx.physics.constants import GAS_CONSTANT
    from ssbx.problems.radial_diffusion import RadialDiffusion

    c_max, d = LIMN2O4.max_concentration, LIMN2O4.diffusivity
    xs, fs = (0.5, 0.7), (1.0, 4.0)
    jx, jf = (0.4, 0.8), (1.0, 100.0)
    raw = {"problem": "particle",
           "particle": {**BASE["particle"], "mechanics": False, "stress_coupling": False,
                        "initial_lithiation": 0.5, "diffusivity_lithiation": list(xs),
                        "diffusivity_factor": list(fs), "exchange_current": "0.01 mA/cm^2",
                        "exchange_current_lithiation": list(jx),
                        "exchange_current_factor": list(jf), "max_step": "20 s"},
           "protocol": {"steps": ["Discharge at 0.2 mA/cm^2 for 10 min"]},
           "output": {"fields": False, "plots": False}}
    summary, h = _run(resolve_case(raw), tmp_path, "tables")

    def factor(c):
        x = np.clip(c / c_max, *xs)
        return fs[0] + (fs[1] - fs[0]) * (x - xs[0]) / (xs[1] - xs[0])

    radial = RadialDiffusion(5e-6, lambda c: d * factor(c), 0.5 * c_max, cells=800)
    radial.run(h["time_s"][1:], 2.0 / FARADAY)
    surface = radial.at(np.array([5e-6]))[0] / c_max
    rise = surface - 0.5
    assert h["lithiation_surface"][-1] == pytest.approx(surface, abs=2e-3 * rise)
    assert h["lithiation_mean"][-1] == pytest.approx(radial.mean() / c_max, rel=1e-9)
    x_s = h["lithiation_surface"][1:]
    assert x_s.min() < jx[1] < x_s.max()  # both inside the j0 table and held beyond its end
    x_j = np.clip(x_s, *jx)
    j0 = 0.1 * (jf[0] + (jf[1] - jf[0]) * (x_j - jx[0]) / (jx[1] - jx[0]))  # A/m^2
    f = FARADAY / (GAS_CONSTANT * 298.15)
    eta = -2.0 / f * np.arcsinh(2.0 / (2.0 * j0))
    ocv = 4.2 + (3.8 - 4.2) * (x_s - 0.2) / 0.8
    assert np.max(np.abs(h["potential_V"][1:] - (ocv + eta))) < 1e-10
    biot = summary["scalars"]["biot_number_initial"]["value"]
    j0_start = 0.1 * (jf[0] + (jf[1] - jf[0]) * (0.5 - jx[0]) / (jx[1] - jx[0]))
    assert biot == pytest.approx(5e-6 * j0_start * 0.5 / c_max
                                 / (d * GAS_CONSTANT * 298.15), rel=1e-12)


def test_charge_passed_when_the_last_step_carries_current(tmp_path):
    """Rest, then charge: the protocol's charge i t to 1e-9, and the history rows hold the
    step's own current from its first time step. (A trapezoid over the rows counted half a
    first time step of the old step's current, 0 here: i dt / 2 short.)"""
    raw = {"problem": "particle",
           "particle": {**BASE["particle"], "mechanics": False, "stress_coupling": False,
                        "mesh_size": "1 um", "degree": 1, "max_step": "60 s"},
           "protocol": {"steps": ["Rest for 2 min", "Charge at 0.1 mA/cm^2 for 3 min"]},
           "output": {"fields": False, "plots": False}}
    summary, h = _run(resolve_case(raw), tmp_path, "rest_charge")
    assert summary["scalars"]["charge_passed"]["value"] == pytest.approx(1.0 * 180.0, rel=1e-9)
    charging = h["protocol_step"] == 1
    assert np.allclose(h["current_density_A_per_m2"][charging], 1.0, rtol=1e-9)
    assert np.all(h["current_density_A_per_m2"][h["protocol_step"] == 0] == 0.0)


def test_a_run_that_empties_the_particle_stops_with_a_message(tmp_path):
    """Charging 20x the particle's capacity: the run ends when the lithiation leaves [0, 1],
    naming the step, and writes no summary."""
    from ssbx.runs.particle import ParticleRunError

    raw = {"problem": "particle",
           "particle": {**BASE["particle"], "mechanics": False, "stress_coupling": False,
                        "mesh_size": "1 um", "degree": 1, "max_step": "60 s"},
           "protocol": {"steps": ["Charge at 2 mA/cm^2 for 1 h"]},
           "output": {"fields": True, "plots": False}}
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / "empty") if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    with pytest.raises(ParticleRunError, match=r"Charge at 2 mA/cm\^2 for 1 h.*outside \[0, 1\]"):
        run_case(resolve_case(raw), folder, comm)
    folder.release()
    assert not (Path(path) / "summary.json").exists()
