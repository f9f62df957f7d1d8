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


@pytest.mark.mpi
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
    assert scalars["charge_passed"]["value"] == pytest.approx(passed, rel=1e-12)
    assert math.isclose(scalars["surface_hoop_stress_max"]["value"],
                        h["surface_hoop_stress_Pa"].max())
    assert sorted(summary["files"]) == ["concentration.bp", "history.csv", "particle.png"]
