"""The embedded particle through the case path (``problem = "embedded_particle"``): the keys,
their checks and defaults, and a short run of the example through ``run_case`` against the
problem API."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.case import CaseError, load_case, resolve_case
from ssbx.io.runfolder import RunFolder
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.intercalation_materials import NMC811_ELASTIC
from ssbx.physics.particle_contact import contact_loss_volume_strain
from ssbx.runs.registry import run_case
from ssbx.setup import embedded_materials_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "embedded_particle.toml"


def _case(**embedded):
    return resolve_case({"problem": "embedded_particle", "embedded": embedded})


def _problems(raw):
    with pytest.raises(CaseError) as err:
        resolve_case(raw)
    return str(err.value)


def test_defaults_are_nmc811_in_li6ps5cl_with_provenance():
    case = _case()
    e = case.embedded
    assert (e.radius, e.matrix, e.volume_fraction, e.interface) == (5e-6, "cell", 0.5,
                                                                    "contact")
    assert e.stack_pressure == pytest.approx(10e6) and e.volume_change == -0.078
    assert e.outer_size == pytest.approx(5e-6 * (2.0 / 1.5) ** (1.0 / 3.0))
    particle, matrix = embedded_materials_of(case)
    assert (particle.E, particle.nu) == (NMC811_ELASTIC.E, NMC811_ELASTIC.nu)
    assert matrix.E == ELECTROLYTES["Li6PS5Cl"].elastic.E
    assert {p.status for p in particle.parameters} == {"estimated"}
    case = _case(electrolyte="LLZO", electrolyte_youngs_modulus="100 GPa", matrix="shell",
                 volume_fraction=0.125)
    particle, matrix = embedded_materials_of(case)
    assert matrix.E == pytest.approx(100e9)
    assert matrix.nu == ELECTROLYTES["LLZO"].elastic.nu
    assert {p.name: p.status for p in matrix.parameters}["E"] == "input"
    assert case.embedded.outer_size == pytest.approx(10e-6)


def test_bad_input_names_the_key_and_what_is_allowed():
    text = _problems({"problem": "embedded_particle",
                      "embedded": {"volume_fraction": 0.7, "mesh_size": "0.1 um",
                                   "interface_mesh_size": "0.5 um", "steps": 1,
                                   "particle_poisson_ratio": 0.5, "interface": "glued"}})
    assert "embedded.volume_fraction = 0.7: expected < 0.6667" in text
    assert "embedded.interface_mesh_size" in text and "at most embedded.mesh_size" in text
    assert "embedded.steps = 1" in text and "at least 2" in text
    assert "embedded.particle_poisson_ratio" in text
    assert "embedded.interface" in text and "contact" in text
    assert "volume_fraction = 1.2" in _problems(
        {"problem": "embedded_particle", "embedded": {"matrix": "shell",
                                                       "volume_fraction": 1.2}})
    text = _problems({"problem": "embedded_particle", "embedded": {"volume_change": 0.0}})
    assert "embedded.volume_change" in text
    text = _problems({"problem": "embedded_particle",
                      "embedded": {"dimension": 3, "volume_fraction": 0.6}})
    assert "embedded.volume_fraction = 0.6: expected < 0.5236" in text
    assert _case(dimension=3, volume_fraction=0.3).embedded.outer_size == pytest.approx(
        5e-6 * (math.pi / 1.8) ** (1.0 / 3.0))


def test_keys_of_other_problems_are_refused_both_ways():
    text = _problems({"problem": "embedded_particle", "particle": {"radius": "3 um"},
                      "geometry": {"h_se": "30 um"}})
    assert 'particle.radius = "3 um": not used by problem = "embedded_particle"' in text
    assert "geometry.h_se" in text
    with pytest.raises(CaseError, match=re.escape('only problem = "embedded_particle" uses')):
        resolve_case({"embedded": {"radius": "3 um"}})


@pytest.mark.mpi
def test_a_three_dimensional_cell_runs_through_the_case_path(tmp_path):
    """embedded.dimension = 3: the cubic cell of a simple-cubic array, three charge states."""
    case = resolve_case({"name": "cube", "problem": "embedded_particle",
                         "embedded": {"dimension": 3, "volume_fraction": 0.3, "steps": 3,
                                      "discharge": False, "mesh_size": "2 um",
                                      "interface_mesh_size": "0.7 um"},
                         "output": {"fields": False, "plots": False}})
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / "cube") if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.release()
    s = summary["scalars"]
    assert summary["files"] == ["history.csv"]
    assert s["contact_fraction_end"]["value"] == 0.0 and s["mean_gap_end"]["value"] > 0.0
    assert s["dofs"]["value"] > 1000


@pytest.mark.mpi
def test_example_runs_through_the_case_path(tmp_path):
    """The example on a coarse mesh, five charge states and back: the history and the summary
    agree with the problem solved through its API, contact is lost, and the cycle returns."""
    from ssbx.problems.embedded_particle import charge_path
    from ssbx.runs.embedded import solve_path
    from ssbx.setup import embedded_problem_of

    raw = load_case(EXAMPLE).to_toml_dict()
    raw["embedded"] = {**raw["embedded"], "steps": 5, "mesh_size": "1.5 um",
                       "interface_mesh_size": "0.4 um"}
    raw["output"] = {"fields": True, "plots": False}
    case = resolve_case(raw)
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / "run") if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.release()
    assert summary["files"] == ["electrolyte_displacement.bp", "history.csv",
                                "particle_displacement.bp"]
    with open(Path(path) / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9 and rows[4]["branch"] == "charge" and rows[5]["branch"] == "discharge"
    fraction = np.array([float(r["contact_fraction"]) for r in rows])
    assert fraction[0] == 1.0 and fraction[4] == 0.0 and fraction[-1] == 1.0
    assert fraction == pytest.approx(fraction[::-1], abs=1e-9)  # elastic: reversible
    reference = solve_path(embedded_problem_of(case, comm), charge_path(-0.078, 5))
    for row, ref in zip(rows, reference, strict=False):
        assert float(row["mean_gap_m"]) == pytest.approx(ref["mean_gap_m"], rel=1e-9,
                                                         abs=1e-18)
        assert float(row["thickness_fraction"] or "nan") == pytest.approx(
            ref["thickness_fraction"], rel=1e-9, nan_ok=True)
    s = summary["scalars"]
    assert s["dilute_contact_loss_volume_change"]["value"] == pytest.approx(
        contact_loss_volume_strain(10e6, ELECTROLYTES["Li6PS5Cl"].elastic))
    assert s["contact_fraction_end"]["value"] == 0.0
    assert s["max_gap_end"]["value"] > s["mean_gap_end"]["value"] > 0.0
    assert 0.0 < s["thickness_fraction_end"]["value"] < 0.1  # detached: the layer barely
    assert math.isfinite(s["half_contact_volume_change"]["value"])  # follows the particle
