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
from cases import ROOT, TINY

from ssbx.case import load_case
from ssbx.cli import commands as cli
from ssbx.io.runfolder import SUMMARY


@pytest.mark.parametrize("name", ["stripping.toml", "ccs.toml", "ccs_flat.toml"])
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
