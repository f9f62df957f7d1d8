"""The command line, the console, run folders and the MPI abort hook.

Subprocess tests run ``python -m ssbx.cli`` (with ``mpirun -n 2`` where it matters); the run
flow is tested in-process with a stand-in ``ssbx.runs.registry`` so that it needs no solve. Tests
marked
``mpi`` (RunFolder) also run on two ranks under ``make test``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path
from typing import Any

import pytest

import ssbx
from ssbx.cli import commands as cli
from ssbx.io.console import Console
from ssbx.io.runfolder import MARKER, SUMMARY, RunFolder, RunFolderError, csv_text, folder_name
from ssbx.parallel.mpi_abort import SerialComm, install_mpi_excepthook, uninstall_mpi_excepthook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "void_2d.toml"
_BIN = Path(sys.executable).parent
MPIRUN = str(_BIN / "mpirun") if (_BIN / "mpirun").exists() else shutil.which("mpirun")

needs_mpirun = pytest.mark.skipif(MPIRUN is None, reason="mpirun not found")
needs_example = pytest.mark.skipif(not EXAMPLE.exists(), reason="examples/void_2d.toml missing")

BAD_CASE = textwrap.dedent(
    """\
    name = "bad"
    [geometry]
    h_se = "50 kg"
    widht = "100 um"
    """
)


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch):
    """No colour codes from rich, whatever the environment says."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env["NO_COLOR"] = "1"
    return env


def ssbx_cli(
    *args: str, ranks: int = 0, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ssbx.cli ARGS`` (under ``mpirun -n RANKS`` if ranks)."""
    cmd = [sys.executable, "-m", "ssbx.cli", *args]
    if ranks:
        assert MPIRUN is not None
        cmd = [MPIRUN, "-n", str(ranks), *cmd]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT, env=_env()
    )


def python_c(
    code: str, *, ranks: int = 0, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", textwrap.dedent(code)]
    if ranks:
        assert MPIRUN is not None
        cmd = [MPIRUN, "-n", str(ranks), *cmd]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT, env=_env()
    )


# ----------------------------------------------------------------------------- ssbx validate


@needs_example
def test_validate_good_case():
    out = ssbx_cli("validate", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok: void_2d"
    assert "Traceback" not in out.stdout + out.stderr


def test_validate_bad_case_lists_every_problem(tmp_path):
    case = tmp_path / "bad.toml"
    case.write_text(BAD_CASE)
    out = ssbx_cli("validate", str(case))
    assert out.returncode == 1
    err = out.stderr
    assert f"error: invalid case file {case}:" in err
    assert "geometry.h_se" in err  # wrong dimension
    assert "geometry.widht" in err and "width" in err  # unknown key, with a suggestion
    assert "Traceback" not in out.stdout + err
    assert "ok:" not in out.stdout


def test_validate_missing_file(tmp_path):
    out = ssbx_cli("validate", str(tmp_path / "nope.toml"))
    assert out.returncode == 1
    assert "no such case file" in out.stderr
    assert "Traceback" not in out.stderr


@needs_example
def test_validate_never_imports_dolfinx(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_CASE)
    out = python_c(
        f"""
        import sys
        from ssbx.cli.commands import main
        rc = main(["validate", {str(EXAMPLE)!r}, {str(bad)!r}])
        loaded = [m for m in ("dolfinx", "petsc4py.PETSc", "ufl", "basix") if m in sys.modules]
        assert not loaded, loaded
        sys.exit(rc)
        """
    )
    assert out.returncode == 1, out.stderr  # one good, one bad
    assert "ok: void_2d" in out.stdout
    assert "geometry.widht" in out.stderr


@needs_mpirun
def test_validate_under_mpi_prints_once(tmp_path):
    case = tmp_path / "bad.toml"
    case.write_text(BAD_CASE)
    out = ssbx_cli("validate", str(case), ranks=2)
    assert out.returncode == 1
    assert out.stderr.count("error: invalid case file") == 1
    assert "Traceback" not in out.stderr


# ----------------------------------------------------------------------------- other commands


def test_version_and_usage():
    out = ssbx_cli("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"ssbx {ssbx.__version__}"
    out = ssbx_cli("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_info_serial():
    out = ssbx_cli("info")
    assert out.returncode == 0, out.stderr
    for key in ("ssbx:", "dolfinx:", "basix:", "ffcx:", "ufl:", "PETSc:", "petsc4py:"):
        assert key in out.stdout
    assert "mpi4py:" in out.stdout and "MPI library:" in out.stdout
    assert "ranks: 1" in out.stdout
    assert "fenics" in out.stdout and "NUMBA_CACHE_DIR" in out.stdout


@needs_mpirun
def test_info_under_mpi_prints_once():
    out = ssbx_cli("info", ranks=2)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("ranks: 2") == 1
    assert out.stdout.count("dolfinx:") == 1


def test_info_citations_lists_every_builtin_record_with_its_reference(capsys):
    from ssbx.physics.catalogue import builtin_parameters
    from ssbx.physics.parameters import STATUSES

    assert cli.main(["info", "--citations"]) == 0
    text = capsys.readouterr().out
    groups = builtin_parameters()
    for label in groups:
        assert label in text
    for key in {p.citation for params in groups.values() for p in params if p.citation}:
        assert f"[{key}] " in text  # in the references with its formatted entry
    assert cli.main(["info", "--citations", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["records"]) == sum(len(params) for params in groups.values())
    for row in data["records"]:
        assert row["unit"] and row["status"] in STATUSES
        assert bool(row["reference"]) == bool(row["citation"])
        assert "not in references.bib" not in row["reference"]


@needs_example
def test_info_citations_of_a_case_lists_what_it_uses(capsys):
    """A current-distribution case uses its conductivity and the metal's molar volume only; a
    stripping case (examples/ccs.toml) also elastic constants, creep law and vacancy data."""
    assert cli.main(["info", "--citations", "--json", str(EXAMPLE)]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    assert {r["name"] for r in rows} == {"conductivity", "activation_energy",
                                         "reference_temperature", "molar_volume"}
    assert cli.main(["info", "--citations", "--json", str(EXAMPLE.parent / "ccs.toml")]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    groups = {r["group"] for r in rows}
    assert not any(g.startswith(("anode metal Na", "electrolyte LLZO")) for g in groups)
    names = {r["name"] for r in rows if "vacancy" in r["group"]}
    assert {"self_diffusion_ref", "formation_enthalpy", "surface_energy"} <= names
    assert {"A", "n", "Q", "E", "nu"} <= {r["name"] for r in rows}
    assert cli.main(["info", str(EXAMPLE)]) == 2  # a case file goes with --citations


def test_info_citations_of_particle_cases_list_their_materials(capsys):
    """A particle case lists its host's records, not an electrolyte's conductivity; an
    embedded particle charged by diffusion its elastic constants, the electrolyte's and its
    diffusivity (an override as an "input" record)."""
    examples = EXAMPLE.parent
    assert cli.main(["info", "--citations", "--json", str(examples / "particle_charge.toml")]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    assert {r["name"] for r in rows} == {"diffusivity", "max_concentration", "molar_volume", "E",
                                         "nu"}
    assert cli.main(["info", "--citations", "--json", str(examples / "embedded_charge.toml")]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = out["records"]
    assert [(r["name"], r["citation"]) for r in rows if "diffusivity" in r["group"]] == [
        ("diffusivity", "chen2020")]
    assert {r["group"] for r in rows} == {
        "embedded particle: elastic constants", "embedded particle: diffusivity",
        "electrolyte Li6PS5Cl: elastic constants (embedded.electrolyte)"}
    assert cli.main(["info", "--citations", "--json",
                     str(examples / "embedded_particle.toml")]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    assert "diffusivity" not in {r["name"] for r in rows}


def test_schema_markdown(capsys):
    assert cli.main(["schema", "--markdown"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("#")
    assert "geometry" in text


def test_split_petsc_args():
    assert cli.split_petsc_args(["run", "c.toml"]) == (["run", "c.toml"], [])
    assert cli.split_petsc_args(["run", "c.toml", "--", "-ksp_view", "-log_view"]) == (
        ["run", "c.toml"],
        ["-ksp_view", "-log_view"],
    )


# ----------------------------------------------------------------------------- ssbx run (stand-in)


def _fake_run_module(behaviour: str) -> types.ModuleType:
    """A stand-in ``ssbx.runs.registry``: writes a file, then returns results or fails."""
    mod = types.ModuleType("ssbx.runs.registry")
    calls: list[Any] = []

    def run_case(case: Any, folder: RunFolder, comm: Any, console: Console, *,
                 restart: bool = False) -> dict[str, Any]:
        assert not restart, "ssbx run without --restart must not restart"
        calls.append(case.name)
        assert not (folder.root / SUMMARY).exists(), "summary.json must not exist during a run"
        console.info("solving (stand-in)")
        folder.write_csv("table.csv", ["x", "y"], [[1, 2.5]])
        if behaviour == "fail":
            raise RuntimeError("the solver diverged (stand-in)")
        return {"case": case.name, "scalars": {"cell_voltage": 0.0183}}

    mod.run_case = run_case  # type: ignore[attr-defined]
    mod.calls = calls  # type: ignore[attr-defined]
    return mod


@needs_example
def test_run_writes_folder_and_summary_last(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ssbx.runs.registry", _fake_run_module("ok"))
    out = tmp_path / "run"
    assert cli.main(["run", str(EXAMPLE), "--out", str(out)]) == 0
    files = {p.name for p in out.iterdir()}
    assert {
        SUMMARY,
        "provenance.json",
        "run.log",
        "case.resolved.toml",
        "case.input.toml",
        "table.csv",
        MARKER,
    } <= files
    assert not [f for f in files if ".tmp" in f]  # no temporary files left behind
    summary = json.loads((out / SUMMARY).read_text())
    assert summary["status"] == "ok" and summary["case"] == "void_2d"
    assert summary["results"]["scalars"]["cell_voltage"] == 0.0183
    prov = summary["provenance"]
    for key in ("ssbx_version", "git", "versions", "ranks", "hostname", "start_time"):
        assert key in prov
    assert prov["versions"]["petsc"] and prov["versions"]["dolfinx"]
    assert prov["git"]["commit"]
    assert json.loads((out / "provenance.json").read_text())["ranks"] == 1
    newest = max((p for p in out.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime_ns)
    assert newest.stat().st_mtime_ns == (out / SUMMARY).stat().st_mtime_ns
    log = (out / "run.log").read_text()
    assert "solving (stand-in)" in log
    assert (out / "case.input.toml").read_bytes() == EXAMPLE.read_bytes()
    assert "solving (stand-in)" in capsys.readouterr().out


@needs_example
def test_run_refuses_existing_folder_and_failure_leaves_no_summary(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    monkeypatch.setitem(sys.modules, "ssbx.runs.registry", _fake_run_module("ok"))
    assert cli.main(["run", str(EXAMPLE), "--out", str(out)]) == 0
    assert (out / SUMMARY).exists()
    capsys.readouterr()

    # same folder again, no --overwrite: refused, nothing touched
    assert cli.main(["run", str(EXAMPLE), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert str(out) in err and "--overwrite" in err
    assert (out / SUMMARY).exists()

    # --overwrite, and the run fails: the old summary is gone, the error is one line + hint
    fake = _fake_run_module("fail")
    monkeypatch.setitem(sys.modules, "ssbx.runs.registry", fake)
    assert cli.main(["run", str(EXAMPLE), "--out", str(out), "--overwrite"]) == 1
    assert fake.calls == ["void_2d"]
    captured = capsys.readouterr()
    assert "error: the solver diverged (stand-in)" in captured.err
    assert "--log-level debug" in captured.err
    assert "Traceback" not in captured.err
    assert not (out / SUMMARY).exists()
    assert (out / "table.csv").exists()  # what the run wrote before failing stays
    log = (out / "run.log").read_text()
    assert "Traceback" in log and "the solver diverged" in log


def test_run_invalid_case_creates_nothing(tmp_path, monkeypatch, capsys):
    case = tmp_path / "bad.toml"
    case.write_text(BAD_CASE)
    monkeypatch.setitem(sys.modules, "ssbx.runs.registry", _fake_run_module("ok"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(case)]) == 1
    err = capsys.readouterr().err
    assert "invalid case file" in err and "geometry.widht" in err
    assert not (tmp_path / "results").exists()


@needs_example
def test_run_without_dolfinx_exits_2(tmp_path, monkeypatch, capsys):
    def unavailable(rank: int = 0) -> None:
        raise ssbx.DolfinxUnavailable("ssbx needs dolfinx 0.11 (stand-in)")

    monkeypatch.setattr(ssbx, "require_dolfinx", unavailable)
    assert cli.main(["run", str(EXAMPLE), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: ssbx needs dolfinx 0.11 (stand-in)"
    assert not (tmp_path / "r").exists()


@needs_example
@needs_mpirun
@pytest.mark.slow
def test_run_failing_on_one_rank_aborts_the_job(tmp_path):
    """An error on rank 1 only (rank 0 waits in a collective) ends the job, with no summary."""
    out = tmp_path / "run"
    code = f"""
        import sys, types
        import ssbx
        from mpi4py import MPI
        mod = types.ModuleType("ssbx.runs.registry")
        def run_case(case, folder, comm, console, *, restart=False):
            if comm.rank == 1:
                raise RuntimeError("rank-one failure (stand-in)")
            comm.barrier()
            return {{}}
        mod.run_case = run_case
        sys.modules["ssbx.runs.registry"] = mod
        from ssbx.cli.commands import main
        sys.exit(main(["run", {str(EXAMPLE)!r}, "--out", {str(out)!r}]))
        """
    t0 = time.perf_counter()
    res = python_c(code, ranks=2, timeout=90)
    elapsed = time.perf_counter() - t0
    assert res.returncode != 0
    assert elapsed < 60
    assert "[rank 1/2]" in res.stderr and "rank-one failure" in res.stderr
    assert res.stderr.count("Traceback (most recent call last)") == 1
    assert not (out / SUMMARY).exists()


# ----------------------------------------------------------------------------- ssbx mesh, bench


@needs_example
def test_mesh_command(tmp_path, capsys):
    out = tmp_path / "mesh"
    assert cli.main(["mesh", str(EXAMPLE), "--out", str(out)]) == 0
    for name in ("mesh.msh", "mesh.xdmf", "mesh.h5", SUMMARY):
        assert (out / name).exists(), name
    text = capsys.readouterr().out
    assert "cells:" in text and "electrolyte" in text and "lithium" in text
    summary = json.loads((out / SUMMARY).read_text())
    assert summary["results"]["mesh"]["num_cells"] > 0


def _fake_framework(monkeypatch, passed: dict[str, bool]) -> list[tuple[str, Path]]:
    mod = types.ModuleType("ssbx.benchmarks.framework")
    runs: list[tuple[str, Path]] = []

    def list_benchmarks():
        return [types.SimpleNamespace(name=n, title=f"{n} title", source="paper") for n in passed]

    def run_benchmark(name, comm, console, quick, out_dir):
        runs.append((name, Path(out_dir)))
        if passed[name] is None:
            raise ValueError("no reference data (stand-in)")
        return types.SimpleNamespace(passed=passed[name], summary=f"{name}: summary line")

    mod.list_benchmarks = list_benchmarks  # type: ignore[attr-defined]
    mod.run_benchmark = run_benchmark  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ssbx.benchmarks.framework", mod)
    import ssbx.benchmarks

    monkeypatch.setattr(ssbx.benchmarks, "framework", mod, raising=False)
    return runs


def test_bench_list_and_run(tmp_path, monkeypatch, capsys):
    runs = _fake_framework(monkeypatch, {"alpha": True, "beta": False, "gamma": None})
    assert cli.main(["bench", "list"]) == 0
    listing = capsys.readouterr().out
    assert "alpha" in listing and "beta title" in listing and "[paper]" in listing

    assert cli.main(["bench", "run", "alpha", "--out", str(tmp_path), "--quick"]) == 0
    assert runs == [("alpha", tmp_path / "alpha")]
    assert "1/1 benchmark passed" in capsys.readouterr().out

    assert cli.main(["bench", "run", "all", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "1/3 benchmarks passed; failed: beta, gamma" in captured.out
    assert "no reference data" in captured.err

    assert cli.main(["bench", "run", "delta"]) == 1
    assert "unknown benchmark 'delta'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- console


def test_console_levels_quiet_and_log_file(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    log = tmp_path / "x.log"
    con = Console(None, level="warning", stdout=out, stderr=err, log_path=log)
    con.debug("d-msg")
    con.info("i-msg [not markup]")
    con.warn("w-msg")
    con.error("e-msg")
    con.close()
    assert out.getvalue() == ""
    assert err.getvalue() == "warning: w-msg\nerror: e-msg\n"
    text = log.read_text()
    for msg in ("d-msg", "i-msg [not markup]", "w-msg", "e-msg"):
        assert msg in text  # the log gets every level
    assert "DEBUG" in text and "ERROR" in text

    out, err = io.StringIO(), io.StringIO()
    con = Console(None, quiet=True, level="debug", stdout=out, stderr=err)
    con.info("hidden")
    con.warn("hidden too")
    con.error("shown")
    assert out.getvalue() == "" and err.getvalue() == "error: shown\n"

    out = io.StringIO()
    con = Console(None, stdout=out)
    long = "x" * 300 + " [bold]y[/bold]"
    con.info(long)
    assert out.getvalue() == long + "\n"  # no wrapping, no markup


def test_console_other_ranks_print_nothing(tmp_path):
    rank1 = types.SimpleNamespace(rank=1, size=2)
    out, err = io.StringIO(), io.StringIO()
    con = Console(rank1, level="debug", stdout=out, stderr=err)
    con.attach_log(tmp_path / "r1.log")
    con.info("a")
    con.error("b")
    con.print("c")
    with con.progress("loop", total=3) as bar:
        for _ in range(3):
            bar.advance()
    con.close()
    assert out.getvalue() == "" and err.getvalue() == ""
    assert not (tmp_path / "r1.log").exists()


def test_console_progress_without_terminal(tmp_path):
    out = io.StringIO()
    con = Console(None, stdout=out, log_path=tmp_path / "p.log")
    with con.progress("steps", total=4) as bar:
        for _ in range(4):
            bar.advance()
    con.close()
    assert out.getvalue() == ""  # no bar when not a terminal
    text = (tmp_path / "p.log").read_text()
    assert "steps: started" in text and "finished 4/4" in text


def test_console_captures_logging(tmp_path):
    import logging

    err = io.StringIO()
    con = Console(None, stdout=io.StringIO(), stderr=err)
    con.capture_logging("ssbx")
    logging.getLogger("ssbx.meshes").warning("from logging")
    con.close()
    logging.getLogger("ssbx.meshes").warning("after close")
    assert err.getvalue() == "warning: from logging\n"


# ----------------------------------------------------------------------------- run folders


@pytest.mark.mpi
def test_runfolder_refuses_reuse_and_overwrites_safely(comm, shared_tmp_path):
    root = Path(shared_tmp_path) / "case"
    folder = RunFolder(comm, root)
    assert folder.root == root.absolute()
    assert (root / MARKER).exists()
    folder.write_text("a.txt", "first")
    folder.write_summary({"status": "ok"})
    with pytest.raises(RunFolderError, match="already written"):
        folder.write_text("late.txt", "x")

    with pytest.raises(RunFolderError) as info:  # raised on every rank
        RunFolder(comm, root)
    assert str(root) in str(info.value) and "--overwrite" in str(info.value)

    again = RunFolder(comm, root, overwrite=True)
    assert not again.exists(SUMMARY) and not again.exists("a.txt")
    assert again.exists(MARKER)
    comm.barrier()


@pytest.mark.mpi
def test_runfolder_never_clears_a_foreign_folder(comm, shared_tmp_path):
    root = Path(shared_tmp_path) / "precious"
    if comm.rank == 0:
        root.mkdir()
        (root / "thesis.tex").write_text("do not delete")
    comm.barrier()
    with pytest.raises(RunFolderError, match="not an ssbx run folder"):
        RunFolder(comm, root, overwrite=True)
    assert (root / "thesis.tex").read_text() == "do not delete"
    comm.barrier()


@pytest.mark.mpi
def test_runfolder_removes_old_summary_first(comm, shared_tmp_path, monkeypatch):
    root = Path(shared_tmp_path) / "case"
    folder = RunFolder(comm, root)
    (folder.write_text("sub/b.txt", "x"))
    folder.write_summary({"status": "ok"})

    def broken_rmtree(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(shutil, "rmtree", broken_rmtree)
    with pytest.raises(RunFolderError, match="disk on fire"):
        RunFolder(comm, root, overwrite=True)
    monkeypatch.undo()
    assert not (root / SUMMARY).exists()  # gone although clearing the rest failed
    comm.barrier()


@pytest.mark.mpi
def test_runfolder_failing_run_has_no_summary(comm, shared_tmp_path):
    folder = RunFolder(comm, Path(shared_tmp_path) / "failing")

    def failing_run(f: RunFolder) -> dict[str, Any]:
        f.write_json("partial.json", {"step": 1})
        raise RuntimeError("solver failed")

    with pytest.raises(RuntimeError, match="solver failed"):
        folder.write_summary(failing_run(folder))
    comm.barrier()
    assert folder.exists("partial.json")
    assert not folder.exists(SUMMARY)


@pytest.mark.mpi
def test_runfolder_writers(comm, shared_tmp_path):
    import numpy as np

    folder = RunFolder(comm, Path(shared_tmp_path) / "w")
    folder.write_json("a.json", {"x": np.float64(0.5), "v": np.arange(3), "p": Path("/q")})
    folder.write_csv("t.csv", ["a", "b"], [[1, 1 / 3], [2, np.float64(0.25)]])
    folder.write_csv("d.csv", None, [{"a": 1, "b": 2}, {"a": 3, "c": 4}])
    if comm.rank == 0:  # rank-0-local writers may be called on rank 0 alone
        folder.write_text("only0.txt", "zero")
    prov = folder.write_provenance()
    assert prov["ranks"] == comm.size
    assert prov == comm.bcast(prov, root=0)  # the same on every rank
    comm.barrier()
    assert json.loads(folder.path("a.json").read_text()) == {"x": 0.5, "v": [0, 1, 2], "p": "/q"}
    assert folder.path("t.csv").read_text() == "a,b\n1,0.3333333333333333\n2,0.25\n"
    assert folder.path("d.csv").read_text() == "a,b,c\n1,2,\n3,,4\n"
    assert folder.path("only0.txt").read_text() == "zero"
    assert json.loads(folder.path("provenance.json").read_text())["ranks"] == comm.size
    with pytest.raises(ValueError):
        folder.path("../escape.txt")


def test_runfolder_default_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = RunFolder.for_case(SerialComm(), "my case/1")
    assert folder.root == tmp_path / "results" / "my_case_1"
    assert folder_name("../x") == "x"
    assert csv_text(None, {"a": [1, 2], "b": [3.5, 4]}) == "a,b\n1,3.5\n2,4\n"


# ----------------------------------------------------------------------------- excepthook


@needs_mpirun
@pytest.mark.slow
def test_excepthook_aborts_the_job():
    """Rank 1 raises while rank 0 waits in a barrier: the job ends within seconds, non-zero."""
    code = """
        import ssbx
        from mpi4py import MPI
        from ssbx.parallel.mpi_abort import install_mpi_excepthook
        comm = MPI.COMM_WORLD
        assert install_mpi_excepthook(comm)
        if comm.rank == 1:
            raise ValueError("boom on rank one")
        comm.barrier()
        """
    t0 = time.perf_counter()
    res = python_c(code, ranks=2, timeout=60)
    elapsed = time.perf_counter() - t0
    assert res.returncode != 0
    assert elapsed < 30
    assert "[rank 1/2] ValueError: boom on rank one" in res.stderr
    assert res.stderr.count("Traceback (most recent call last)") == 1


def test_excepthook_not_installed_in_serial():
    before = sys.excepthook
    assert install_mpi_excepthook(SerialComm()) is False
    assert sys.excepthook is before
    uninstall_mpi_excepthook()
    assert sys.excepthook is before
