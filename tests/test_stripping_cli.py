"""`ssbx run` and `ssbx ccs` on tiny stripping cases: run folders, outputs, summaries.

The examples are validated (not run: they take about a minute); a small case runs a
strip / rest / plate protocol through the CLI, and a CCS search with a wide bracket ends with a
bracket and its trials.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from mpi4py import MPI

import pytest

from ssbx.case import load_case
from ssbx.cli import commands as cli
from ssbx.io.runfolder import SUMMARY

ROOT = Path(__file__).resolve().parents[1]

TINY = """
name = "tiny_strip"
problem = "stripping"
[geometry]
kind = "planar"
h_se = "20 um"
h_li = "10 um"
width = "40 um"
[[geometry.voids]]
center = "20 um"
width = "16 um"
height = "0.4 um"
[mesh]
size_fine = "4 um"
size_coarse = "5 um"
[electrolyte]
conductivity = "2 mS/cm"
[interface]
kinetics = "butler_volmer"
asr = "2 ohm cm^2"
[mechanics]
li_model = "power_law"
electrolyte_preset = "Li6PS5Cl"
[fixture]
pressure = "0.5 MPa"
[protocol]
steps = ["Strip at 5 mA/cm^2 for 0.01 mAh/cm^2", "Rest for 2 s", "Plate at 5 mA/cm^2 for 5 s"]
[contact]
max_thickness_change = "0.05 um"
profile_interval = 5
[ccs]
capacity = "0.02 mAh/cm^2"
lower = "0.1 mA/cm^2"
upper = "1000 mA/cm^2"
bracket_ratio = 10.0
max_expansions = 0
[time]
initial_step = "1e-4 s"
max_step = "10 s"
min_step = "1e-10 s"
max_plastic_strain_increment = 0.02
"""


@pytest.mark.parametrize("name", ["stripping.toml", "ccs.toml"])
def test_examples_validate(name):
    case = load_case(ROOT / "examples" / name)
    assert case.problem == "stripping" and case.protocol.parsed()


@pytest.mark.mpi
def test_run_stripping_case_writes_outputs(shared_tmp_path):
    case = Path(shared_tmp_path) / "tiny.toml"
    if MPI.COMM_WORLD.rank == 0:
        case.write_text(TINY)
    MPI.COMM_WORLD.Barrier()
    out = Path(shared_tmp_path) / "run"
    assert cli.main(["run", str(case), "--out", str(out), "-q"]) == 0
    files = {p.name for p in out.iterdir()}
    assert {"history.csv", "interface_profiles.csv", "stripping_history.png",
            "interface_profiles.png", "li_displacement.bp", "potential.bp", SUMMARY} <= files
    summary = json.loads((out / SUMMARY).read_text())
    scalars = summary["results"]["scalars"]
    assert abs(scalars["li_inventory_error_max"]["value"]) < 1e-10
    rows = list(csv.reader((out / "history.csv").open()))
    kinds = {r[1] for r in rows[1:]}
    assert {"strip", "rest", "plate"} <= kinds
    # strip 0.01 mAh/cm^2, plate 5 mA/cm^2 x 5 s: net charge in C/m^2
    charge = float(rows[-1][rows[0].index("charge_density [C/m^2]")])
    assert abs(charge - (0.01 * 36000.0 - 50.0 * 5.0)) < 1e-6 * 360.0


@pytest.mark.mpi
def test_ccs_brackets_and_writes_trials(shared_tmp_path):
    case = Path(shared_tmp_path) / "tiny_ccs.toml"
    if MPI.COMM_WORLD.rank == 0:
        case.write_text(TINY)
    MPI.COMM_WORLD.Barrier()
    out = Path(shared_tmp_path) / "ccs"
    assert cli.main(["ccs", str(case), "--out", str(out), "-q"]) == 0
    summary = json.loads((out / SUMMARY).read_text())
    ccs = summary["results"]["ccs"]
    assert ccs["status"] == "bracketed"
    assert 0.1 <= ccs["lower_mA_per_cm2"] < ccs["upper_mA_per_cm2"] <= 1000.0
    trials = list(csv.DictReader((out / "ccs_trials.csv").open()))
    assert len(trials) == ccs["n_trials"] >= 2


def test_ccs_refuses_other_problems(tmp_path, capsys):
    case = tmp_path / "c.toml"
    case.write_text('name = "c"\nproblem = "mechanics"\n')
    assert cli.main(["ccs", str(case), "--out", str(tmp_path / "o")]) == 1
    assert "needs a case with problem" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
