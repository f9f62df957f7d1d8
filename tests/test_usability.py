"""What a new user trips over: documented commands, messages, limits, locks (regressions).

Each test here failed before the fix it guards; the CLI is called in-process
(``cli.main([...])``) unless the behaviour needs a separate process.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from ssbx.cli import commands as cli

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "examples" / "sweeps" / "void_asr.toml"


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


# ----------------------------------------------------------------------------- Slurm scripts


def test_emit_slurm_needs_no_ranks_and_names_the_environment(tmp_path, capsys):
    """The README's example: a script for 4-rank cases, written from a 1-rank process."""
    out = tmp_path / "sweep"
    code = cli.main(["sweep", str(SWEEP), "--emit-slurm", "--ranks-per-case", "4",
                     "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    script = (out / "sweep.slurm").read_text()
    assert "#SBATCH --ntasks=4" in script
    # the interpreter of this environment, not a bare `ssbx` that a batch job may not find
    python = shlex.join([str(Path(sys.executable).absolute()), "-m", "ssbx.cli"])
    assert f"srun --mpi=pmi2 {python} sweep" in script
    assert f"\n{python} sweep" in (out / "collect.slurm").read_text()


@pytest.mark.parametrize(("option", "message"), [
    (["--groups", "0"], "--groups 0: must be >= 1"),
    (["--mem-per-cpu", "lots"], "--mem-per-cpu 'lots'"),
    (["--srun-mpi", "openmpi"], "--srun-mpi 'openmpi'"),
])
def test_emit_slurm_refuses_bad_options(tmp_path, capsys, option, message):
    code = cli.main(["sweep", str(SWEEP), "--emit-slurm", *option, "--out", str(tmp_path / "s")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "s" / "sweep.slurm").exists()


def test_running_a_sweep_still_checks_the_rank_split(tmp_path, capsys):
    code = cli.main(["sweep", str(SWEEP), "--ranks-per-case", "4", "--out", str(tmp_path)])
    assert code == 2
    assert "must be >= 1 and divide the 1 rank(s)" in capsys.readouterr().err


# ----------------------------------------------------------------------------- input files


def test_validate_checks_a_sweep_file(capsys):
    assert cli.main(["validate", str(SWEEP)]) == 0
    out = capsys.readouterr().out
    assert "ok: sweep void_asr" in out and "cases" in out and "--list" in out


def test_validate_a_bad_sweep_file_lists_its_problems(tmp_path, capsys):
    bad = tmp_path / "bad_sweep.toml"
    bad.write_text('[sweep]\nname = "x"\nbase = "nope.toml"\n[sweep.parameters]\n'
                   '"geometry.widht" = ["1 um"]\n')
    assert cli.main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "invalid sweep file" in err and "unknown section sweep" not in err


def test_validate_refuses_a_named_pipe_instead_of_waiting(tmp_path, capsys):
    import os

    pipe = tmp_path / "case.toml"
    os.mkfifo(pipe)
    assert cli.main(["validate", str(pipe)]) == 1  # returns: nothing opens the pipe
    assert "is a named pipe, not a case file" in capsys.readouterr().err


def test_a_utf8_byte_order_mark_is_accepted(tmp_path, capsys):
    case = tmp_path / "bom.toml"
    case.write_bytes(b"\xef\xbb\xbf" + b'name = "bom"\n[geometry]\nh_se = "50 um"\n')
    assert cli.main(["validate", str(case)]) == 0
    assert "ok: bom" in capsys.readouterr().out
    from ssbx.parallel.sweep_spec import load_sweep

    sweep = tmp_path / "bom_sweep.toml"
    sweep.write_bytes(b"\xef\xbb\xbf" + SWEEP.read_bytes().replace(
        b'base = "../', b'base = "' + str(ROOT / "examples").encode() + b"/"))
    assert load_sweep(sweep).cases


def test_a_name_too_long_for_a_folder_is_a_case_error(tmp_path, capsys):
    case = tmp_path / "long.toml"
    case.write_text(f'name = "{"x" * 300}"\n')
    assert cli.main(["validate", str(case)]) == 1
    err = capsys.readouterr().err
    assert "300 bytes; expected at most 120" in err and "run folder" in err


def test_ccs_folder_is_not_suffixed_twice():
    assert cli._suffixed("void-ccs", "-ccs") == "void-ccs"
    assert cli._suffixed("void", "-ccs") == "void-ccs"


# ----------------------------------------------------------------------------- PETSc options


def test_command_line_snes_monitor_prints(tmp_path):
    """`ssbx run CASE -- -ssbx_current_snes_monitor` (the README's example) shows the norms."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "ssbx.cli", "run", str(ROOT / "examples" / "flat_bv.toml"),
         "--out", str(tmp_path / "run"), "--", "-ssbx_current_snes_monitor"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "SNES Function norm" in proc.stdout + proc.stderr


# ----------------------------------------------------------------------------- strict JSON


def test_summary_json_is_strict_and_round_trips():
    import json
    import math

    from ssbx.io.runfolder import NON_FINITE, from_json, to_json

    data = {"results": {"ccs": {"upper": math.inf, "lower": 1.5}, "series": [1.0, math.nan]},
            "low": -math.inf}
    text = to_json(data)

    def no_constants(name: str) -> float:
        raise AssertionError(f"non-JSON constant {name} written")

    strict = json.loads(text, parse_constant=no_constants)
    assert strict["results"]["ccs"]["upper"] is None and strict["results"]["series"][1] is None
    assert strict[NON_FINITE] == {"results.ccs.upper": "Infinity", "results.series[1]": "NaN",
                                  "low": "-Infinity"}
    back = from_json(text)
    assert back["results"]["ccs"] == {"upper": math.inf, "lower": 1.5}
    assert math.isnan(back["results"]["series"][1]) and back["low"] == -math.inf
    assert NON_FINITE not in back
    assert from_json(to_json({"x": 1.0})) == {"x": 1.0}


# ----------------------------------------------------------------------------- polish


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_silences_python_warnings(monkeypatch, recwarn, quiet):
    """--quiet prints errors only: a plot's missing-glyph warning is not shown."""
    import warnings

    def plotting(args, comm, console, petsc):
        warnings.warn("Glyph 8321 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "cmd_validate", plotting)
    assert cli.main(["validate", str(ROOT / "examples" / "void_2d.toml"),
                     *(["-q"] if quiet else [])]) == 0
    glyphs = [w for w in recwarn if "Glyph" in str(w.message)]
    assert (not glyphs) if quiet else glyphs


def test_every_source_folder_is_a_declared_package():
    """setuptools warned about the undeclared data folder of the benchmarks: every folder of
    the four roots that holds modules or data is in [tool.setuptools] packages."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    roots = {v: k for k, v in config["package-dir"].items()}
    for root, package in roots.items():
        for folder in [ROOT / root, *(ROOT / root).rglob("*")]:
            if not folder.is_dir() or folder.name in ("__pycache__", "results") or \
                    "results" in folder.relative_to(ROOT / root).parts:
                continue
            if any(f.suffix in (".py", ".csv", ".json") for f in folder.iterdir()):
                name = ".".join([package, *folder.relative_to(ROOT / root).parts])
                assert name in declared, f"{folder} is not declared as {name}"


# ----------------------------------------------------------------------------- mesh limits


def test_a_case_whose_mesh_would_exhaust_the_machine_is_refused_before_meshing():
    """h_se = 50 is 50 m: the estimate (not a mesh) refuses it, and the note says why."""
    from ssbx.case import resolve_case
    from ssbx.errors import CaseError

    with pytest.raises(CaseError) as err:
        resolve_case({"geometry": {"h_se": 50}})
    text = str(err.value)
    assert "the mesh would have about 4.6" in text and "mesh.max_cells = 4000000" in text
    assert 'note: geometry.h_se = 50: a number without a unit is SI, so this is 50 m' in text
    with pytest.raises(CaseError, match="triangles"):
        resolve_case({"geometry": {"width": "1e30 m"}})
    big = resolve_case({"geometry": {"width": "2 mm"}, "mesh": {"max_cells": 10_000_000}})
    assert big.mesh.max_cells == 10_000_000  # raised on purpose: allowed


def test_implausible_bare_numbers_warn_and_plausible_ones_do_not():
    from ssbx.case import resolve_case

    case = resolve_case({"problem": "mechanics", "fixture": {"pressure": 5}})
    assert any('fixture.pressure = 5' in w and '"5 MPa"' in w for w in case.warnings)
    assert resolve_case({"geometry": {"h_se": 5e-5}, "problem": "mechanics",
                         "fixture": {"pressure": 5e6}}).warnings == ()
    assert resolve_case({"geometry": {"h_se": "50 um"}}).warnings == ()


@pytest.mark.parametrize("name", ["void_2d.toml", "axisymmetric_void.toml", "flat_bv.toml",
                                  "pressure_hold.toml", "ccs.toml", "ccs_flat.toml"])
def test_the_cell_estimate_is_within_a_factor_of_the_real_mesh(name):
    from mpi4py import MPI

    from cases import example

    from ssbx.meshes.cell import build_cell_mesh
    from ssbx.meshes.estimate import estimate_cells
    from ssbx.meshes.flat_cell import build_flat_cell_mesh

    case = example(name)
    flat = case.problem == "stripping"
    build = build_flat_cell_mesh if flat else build_cell_mesh
    mesh = build(MPI.COMM_SELF, case.geometry, case.mesh)
    actual = mesh.num_cells_electrolyte + mesh.num_cells_lithium
    estimate = estimate_cells(case.geometry, case.mesh, flat=flat)
    if flat:
        assert estimate == actual
    else:
        assert 0.8 * actual <= estimate <= 1.6 * actual, (actual, estimate)


def test_sweep_report_axes_use_display_units():
    from ssbx.parallel.sweep_results import _display, _legend_entry

    assert _display("geometry.width [m]") == ("geometry.width [um]", 1e6)
    label, factor = _display("cell_voltage [V]")
    assert label == "cell_voltage [mV]" and factor == pytest.approx(1e3)
    label, factor = _display("interface.asr [ohm m^2]")
    assert label == "interface.asr [ohm cm^2]" and factor == pytest.approx(1e4)
    assert _display("newton_iterations") == ("newton_iterations", 1.0)
    assert _legend_entry("fixture.pressure [Pa]", "3000000.0") == "fixture.pressure = 3 MPa"


def test_readme_quick_start_says_how_to_call_ssbx():
    """After `make run`, ssbx is in .venv, not on PATH: the quick start says so."""
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in quick and ".venv/bin/ssbx" in quick
