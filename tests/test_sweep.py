"""Sweeps: expansion and validation of sweep files, grouped MPI execution, resumability, fault
injection (SIGTERM / SIGKILL in the middle of a case, a case that does not converge), job-array
``--index`` runs, the results table and the Slurm scripts."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
import tomli_w

from ssbx.parallel.slurm import SlurmOptions, check_options, slurm_scripts
from ssbx.parallel.sweep_results import flatten_results, is_timing_column
from ssbx.parallel.sweep_spec import SweepError, load_sweep, si_value, sweep_from_dict

BASE = {
    "name": "base",
    "geometry": {"kind": "planar", "h_se": "50 um", "h_li": "20 um", "width": "100 um",
                 "voids": [{"center": "50 um", "width": "40 um", "height": "2 um"}]},
    "mesh": {"size_fine": "1 um", "size_coarse": "8 um", "grading_distance": "20 um"},
    "output": {"fields": False},
}


def sweep_dict(parameters: dict, **table) -> dict:
    return {"sweep": {"name": "t", **table, "parameters": parameters}, "base": BASE}


def write_sweep(path: Path, parameters: dict, **table) -> Path:
    path.write_text(tomli_w.dumps(sweep_dict(parameters, **table)), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ expansion


def test_product_zip_and_names():
    s = sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "4 ohm cm^2"],
                                    "geometry.voids.0.width": ["10 um", "20 um", "30 um"]}))
    assert len(s.cases) == 6
    assert [c.name for c in s.cases] == [f"t-{i:04d}" for i in range(6)]
    # the first key varies slowest
    assert [si_value(c.case, "interface.asr")[0] for c in s.cases] == pytest.approx(
        [1e-4] * 3 + [4e-4] * 3)
    assert [c.case.geometry.voids[0].width for c in s.cases] == pytest.approx([1e-5, 2e-5,
                                                                             3e-5] * 2)
    assert si_value(s.cases[0].case, "interface.asr")[1] == "ohm m^2"
    assert len({c.digest for c in s.cases}) == 6

    z = sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "4 ohm cm^2"],
                                    "operation.temperature": ["25 degC", "60 degC"]},
                                   mode="zip"))
    assert [c.case.interface.asr for c in z.cases] == pytest.approx([1e-4, 4e-4])
    assert [c.case.operation.temperature for c in z.cases] == pytest.approx([298.15, 333.15])


def test_latin_hypercube_is_stratified_and_seeded():
    table = {"samples": 8, "seed": 7, "mode": "latin_hypercube"}
    params = {"interface.asr": {"min": "1 ohm cm^2", "max": "100 ohm cm^2", "scale": "log"},
              "operation.temperature": {"min": "20 degC", "max": "60 degC"}}
    a = sweep_from_dict(sweep_dict(params, **table))
    b = sweep_from_dict(sweep_dict(params, **table))
    c = sweep_from_dict(sweep_dict(params, **{**table, "seed": 8}))
    asr = np.array([x.case.interface.asr for x in a.cases])
    temp = np.array([x.case.operation.temperature for x in a.cases])
    assert np.array_equal(asr, [x.case.interface.asr for x in b.cases])
    assert not np.array_equal(asr, [x.case.interface.asr for x in c.cases])
    # one sample in each of the 8 strata (log strata for asr)
    strata_asr = np.floor(np.log(asr / 1e-4) / np.log(100.0) * 8).astype(int)
    strata_t = np.floor((temp - 293.15) / 40.0 * 8).astype(int)
    assert sorted(strata_asr) == list(range(8))
    assert sorted(strata_t) == list(range(8))


def test_every_problem_is_reported_before_running(tmp_path):
    with pytest.raises(SweepError) as err:
        sweep_from_dict({"sweep": {"name": "bad name", "command": "go", "mode": "grid",
                                   "colour": 1, "parameters": {"a..b": [1]}}, "base": BASE})
    text = str(err.value)
    for part in ("sweep.name", 'sweep.command = "go"', 'sweep.mode = "grid"', "sweep.colour",
                 "a..b"):
        assert part in text, part
    # a value that is invalid in one generated case: the case, its values and the key are named
    with pytest.raises(SweepError) as err:
        sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "-2 ohm cm^2"],
                                    "geometry.voids.0.width": ["10 um", "2 m"]}))
    problems = err.value.problems
    assert any(p.startswith('case 2 (interface.asr = "-2 ohm cm^2"') and "interface.asr" in
               p.split(":", 1)[1] for p in problems), problems
    assert any("case 1" in p and "geometry.voids" in p for p in problems), problems
    with pytest.raises(SweepError, match="equal length"):
        sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2"],
                                    "geometry.voids.0.width": ["10 um", "20 um"]}, mode="zip"))
    with pytest.raises(SweepError, match="min < max"):
        sweep_from_dict(sweep_dict({"interface.asr": {"min": "4 ohm cm^2", "max": "1 ohm cm^2"}},
                                   mode="latin_hypercube", samples=3))
    with pytest.raises(SweepError, match="same kind"):
        sweep_from_dict(sweep_dict({"interface.asr": {"min": "4 ohm cm^2", "max": "1 MPa"}},
                                   mode="latin_hypercube", samples=3))
    with pytest.raises(SweepError, match="needs stripping cases"):
        sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2"]}, command="ccs"))
    with pytest.raises(SweepError, match="not both"):
        load_sweep(write_sweep(tmp_path / "s.toml", {"interface.asr": ["1 ohm cm^2"]},
                               base="missing.toml"))
    raw = {"sweep": {"base": "missing.toml", "parameters": {"interface.asr": ["1 ohm cm^2"]}}}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(raw), encoding="utf-8")
    with pytest.raises(SweepError, match="no such case file"):
        load_sweep(tmp_path / "s.toml")


def test_base_case_from_a_file(tmp_path):
    (tmp_path / "case.toml").write_text(tomli_w.dumps(BASE), encoding="utf-8")
    raw = {"sweep": {"base": "case.toml", "parameters": {"interface.asr": ["2 ohm cm^2"]}}}
    (tmp_path / "my-sweep.toml").write_text(tomli_w.dumps(raw), encoding="utf-8")
    s = load_sweep(tmp_path / "my-sweep.toml")
    assert s.name == "my-sweep" and s.cases[0].name == "my-sweep-0000"
    assert s.cases[0].case.interface.asr == pytest.approx(2e-4)
    assert s.cases[0].case.geometry.voids[0].width == pytest.approx(4e-5)


def test_flatten_results_and_timing_columns():
    results = {"case": "x", "scalars": {"cell_voltage": {"value": 0.01, "unit": "V"},
                                        "peak_to_mean_ratio": {"value": 1.5, "unit": "1"},
                                        "time_total": {"value": 3.0, "unit": "s"}},
               "ccs": {"status": "bracketed", "estimate_mA_per_cm2": 2.0, "trials": [1, 2],
                       "warnings": []},
               "mesh": {"num_cells": 10}, "files": ["a"], "flag": True}
    flat = flatten_results(results)
    assert flat == {"cell_voltage [V]": 0.01, "peak_to_mean_ratio": 1.5, "time_total [s]": 3.0,
                    "ccs.status": "bracketed", "ccs.estimate_mA_per_cm2": 2.0,
                    "mesh.num_cells": 10, "flag": 1}
    assert is_timing_column("time_total [s]") and is_timing_column("wall_time [s]")
    assert is_timing_column("time_mesh [s]") and is_timing_column("ccs.time_total_s")
    assert not is_timing_column("time_end [s]") and not is_timing_column("cell_voltage [V]")


def test_slurm_scripts():
    array = slurm_scripts("s.toml", "t", 12, "results/t", SlurmOptions(
        layout="array", ranks_per_case=4, account="acc", partition="cpu", time="02:00:00",
        max_parallel=3), "/scratch/me")
    script = array["sweep.slurm"]
    for line in ("#SBATCH --array=0-11%3", "#SBATCH --ntasks=4", "#SBATCH --account=acc",
                 "#SBATCH --partition=cpu", "#SBATCH --time=02:00:00",
                 'srun --mpi=pmi2 ssbx sweep s.toml --out results/t --index '
                 '"$SLURM_ARRAY_TASK_ID"',
                 "export XDG_CACHE_HOME=${XDG_CACHE_HOME:-/scratch/me/.ssbx-cache}"):
        assert line in script, line
    assert "ssbx sweep s.toml --out results/t --collect" in array["collect.slurm"]
    groups = slurm_scripts("s.toml", "t", 12, "out", SlurmOptions(
        layout="groups", groups=8, ranks_per_case=2, container="/img/ssbx.sif",
        cache_dir="/shared/cache"), "/w")
    script = groups["sweep.slurm"]
    assert "#SBATCH --ntasks=16" in script and "--array" not in script
    assert ("srun --mpi=pmi2 apptainer exec --bind /shared/cache,/w --env "
            "\"XDG_CACHE_HOME=$XDG_CACHE_HOME,"
            "NUMBA_CACHE_DIR=$NUMBA_CACHE_DIR,SSBX_JIT_TIMEOUT=$SSBX_JIT_TIMEOUT\" /img/ssbx.sif "
            "ssbx sweep s.toml --out out --ranks-per-case 2") in script
    assert check_options(SlurmOptions(time="2h", ranks_per_case=0))
    assert any("--groups 0" in p for p in check_options(SlurmOptions(groups=0)))
    assert any("--mem-per-cpu 'lots'" in p for p in check_options(
        SlurmOptions(memory_per_cpu="lots")))
    assert not check_options(SlurmOptions(memory_per_cpu="4G"))
    plain = slurm_scripts("s.toml", "t", 2, "o", SlurmOptions(
        ssbx_command="/env/bin/python -m ssbx.cli", mpi="none"), "/w")["sweep.slurm"]
    assert '\nsrun /env/bin/python -m ssbx.cli sweep s.toml --out o --index' in plain
    with pytest.raises(ValueError, match="--time"):
        slurm_scripts("s.toml", "t", 2, "o", SlurmOptions(time="two hours"), "/w")


# ------------------------------------------------------------------------------ running


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def assert_same_results(rows_a, rows_b, rtol=0.0):
    """Row by row, every non-timing column equal (numbers to ``rtol``)."""
    assert [r["case"] for r in rows_a] == [r["case"] for r in rows_b]
    for a, b in zip(rows_a, rows_b, strict=True):
        for column in a:
            if is_timing_column(column) or column in ("ranks", "error"):
                continue
            try:
                x, y = float(a[column]), float(b[column])
            except ValueError:
                assert a[column] == b[column], column
                continue
            assert math.isclose(x, y, rel_tol=rtol, abs_tol=1e-13 if rtol else 0.0) or \
                (math.isnan(x) and math.isnan(y)), (a["case"], column, x, y)


@pytest.mark.mpi
@pytest.mark.slow
def test_grouped_sweep_equals_cases_one_by_one(shared_tmp_path):
    """Under mpirun -n 2: 2 groups of 1 rank; one row per case, identical to the same cases run
    one by one (serially, on COMM_SELF of rank 0); --index runs on all ranks give the same rows
    (to round-off: 2 ranks against 1). The cases one by one share the sweep's mesh cache, as a
    user's runs with ``SSBX_MESH_CACHE`` would."""
    from ssbx.io.runfolder import RunFolder
    from ssbx.meshes.cache import mesh_cache_directory
    from ssbx.parallel.sweep import prepare_root, run_single_case, run_sweep
    from ssbx.parallel.sweep_results import write_results_table
    from ssbx.runs.case_runner import execute_case

    world = MPI.COMM_WORLD
    root = Path(shared_tmp_path)
    sweep = sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "4 ohm cm^2"],
                                        "geometry.voids.0.width": ["10 um", "20 um"]}))
    folder = prepare_root(world, sweep, root / "grouped")
    report = run_sweep(sweep, folder, world, ranks_per_case=1)
    assert report.groups == world.size
    assert report.scheduling == ("dynamic" if world.size > 1 else "sequential")
    assert sorted(o.index for o in report.outcomes) == [0, 1, 2, 3]
    assert all(s == "complete" for s in report.states.values())
    if world.rank == 0:
        write_results_table(sweep, folder)
        # one by one, serially
        with mesh_cache_directory(folder / "meshes"):
            for case in sweep.cases:
                f = RunFolder(MPI.COMM_SELF, root / "single" / case.name)
                execute_case("run", case.case, f, MPI.COMM_SELF, source="test")
    world.Barrier()
    # --index, every case on all ranks
    index_root = prepare_root(world, sweep, root / "indexed")
    for case in sweep.cases:
        assert run_single_case(sweep, case.index, index_root, world).status == "ok"
    assert run_single_case(sweep, 0, index_root, world).status == "skipped"
    error = None
    if world.rank == 0:  # checked on rank 0, the verdict shared: no rank left in a barrier
        try:
            write_results_table(sweep, index_root)
            _check_grouped_rows(sweep, root, folder, index_root, world.size)
        except AssertionError as err:
            error = f"{err}"
    error = world.bcast(error, root=0)
    assert error is None, error


def _check_grouped_rows(sweep, root, folder, index_root, size):
    rows = read_rows(folder / "results.csv")
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"]
    assert all(r["status"] == "ok" for r in rows)
    assert float(rows[0]["cell_voltage [V]"]) > 0.0
    one_by_one = []
    for case in sweep.cases:
        summary = json.loads((root / "single" / case.name / "summary.json").read_text())
        flat = flatten_results(summary["results"])
        row = next(r for r in rows if r["case"] == case.name)
        one_by_one.append({k: (str(flat[k]) if k in flat else row[k]) for k in row})
        assert set(flat) <= set(row)
    assert_same_results(rows, one_by_one, rtol=0.0)
    assert_same_results(rows, read_rows(index_root / "results.csv"),
                        rtol=0.0 if size == 1 else 1e-8)


def test_resume_skips_complete_cases_and_rejects_another_sweep(tmp_path):
    from ssbx.io.runfolder import RunFolderError
    from ssbx.parallel.sweep import prepare_root, run_sweep
    from ssbx.runs.case_runner import execute_case

    comm = MPI.COMM_SELF
    sweep = sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "4 ohm cm^2"]}))
    root = prepare_root(comm, sweep, tmp_path / "s")
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[1].name)
        return execute_case(*args, **kwargs)

    assert len(run_sweep(sweep, root, comm, runner=counting).outcomes) == 2
    assert len(run_sweep(sweep, root, comm, runner=counting).outcomes) == 0
    assert calls == ["t-0000", "t-0001"]
    # an interrupted case (folder begun, no summary) is rerun; the complete one is not
    (root / "cases" / "t-0001" / "summary.json").unlink()
    run_sweep(sweep, root, comm, runner=counting)
    assert calls == ["t-0000", "t-0001", "t-0001"]
    other = sweep_from_dict(sweep_dict({"interface.asr": ["1 ohm cm^2", "5 ohm cm^2"]}))
    with pytest.raises(RunFolderError, match="case 1"):
        prepare_root(comm, other, root)
    prepare_root(comm, other, root, overwrite=True)
    assert not (root / "cases" / "t-0000").exists()


def _mpirun() -> str:
    from ssbx.benchmarks.workers import find_mpirun

    return find_mpirun()


def _ssbx_sweep(args: list[str], cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for key in list(env):  # a fresh MPI job, not a nested one
        if key.startswith(("PMI_", "PMIX_", "HYDRA_", "MPIR_", "OMPI_")):
            env.pop(key)
    cmd = [_mpirun(), "-n", "2", sys.executable, "-m", "ssbx.cli", "sweep", *args]
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _case_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "cases").iterdir()) if (root / "cases").exists() else []


def _process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc). MPICH's launcher starts its proxy and each
    rank in sessions of their own, so killing mpirun's process group does not reach the ranks."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def _kill_job(job: list[int], sig: int) -> None:
    """Send ``sig`` to every process of the job at once, as a scheduler does (cgroup)."""
    for pid in job:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _kill_mid_case(proc: subprocess.Popen, root: Path, sig: int, timeout: float = 240.0) -> None:
    """Kill the whole job (every process, as a scheduler does) once one case is complete and
    another one has begun."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        dirs = _case_dirs(root)
        done = [d for d in dirs if (d / "summary.json").exists()]
        begun = [d for d in dirs if not (d / "summary.json").exists()]
        if done and begun:
            job = _process_tree(proc.pid)
            _kill_job(job, sig)
            proc.wait(timeout=60)
            deadline = time.monotonic() + 30  # a scheduler's grace time, then SIGKILL
            while any(_alive(pid) for pid in job[1:]) and time.monotonic() < deadline:
                time.sleep(0.05)
            _kill_job(job[1:], signal.SIGKILL)
            return
        if proc.poll() is not None:
            pytest.fail("the sweep finished before it could be interrupted:\n"
                        + (proc.stdout.read() if proc.stdout else ""))
        time.sleep(0.02)
    _kill_job(_process_tree(proc.pid), signal.SIGKILL)
    pytest.fail("no case began within the time limit")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.slow
def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path, sig):
    """Kill `mpirun -n 2 ssbx sweep` (2 groups) in the middle of a case, rerun it: every case
    exactly once in the table, no incomplete folder taken as complete, the same results as an
    uninterrupted sweep; a case that does not converge is reported and the others complete."""
    params = {"interface.kinetics": ["butler_volmer"] * 6,
              "solver.max_iterations": [20, 20, 1, 20, 20, 20],
              "operation.current_density": ["1 mA/cm^2", "2 mA/cm^2", "100 mA/cm^2",
                                            "3 mA/cm^2", "4 mA/cm^2", "5 mA/cm^2"],
              "mesh.size_fine": ["0.4 um"] * 6}
    sweep_file = write_sweep(tmp_path / "s.toml", params, mode="zip")
    root = tmp_path / "out"
    proc = _ssbx_sweep(["s.toml", "--out", "out"], tmp_path)
    _kill_mid_case(proc, root, sig)
    dirs = _case_dirs(root)
    complete = [d for d in dirs if (d / "summary.json").exists()]
    assert len(complete) < 6
    assert not (root / "results.csv").exists()
    for d in complete:  # a summary is whole JSON and names files that exist
        summary = json.loads((d / "summary.json").read_text())
        assert summary["status"] == "ok"
        assert all((d / f).exists() for f in summary["results"]["files"])
    assert any(not (d / "summary.json").exists() for d in dirs)

    rerun = _ssbx_sweep(["s.toml", "--out", "out"], tmp_path)
    out, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 1, out  # one case failed
    assert "1 failed" in out and "t-0002" in out
    rows = read_rows(root / "results.csv")
    assert [r["index"] for r in rows] == [str(i) for i in range(6)]
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "ok", "ok", "ok"]
    assert "did not converge" in rows[2]["error"]
    failure = json.loads((root / "cases" / "t-0002" / "failure.json").read_text())
    assert failure["values"]["solver.max_iterations"] == 1
    assert not (root / "cases" / "t-0002" / "summary.json").exists()

    # the same cases run uninterrupted, one after another in one process
    ref = subprocess.run([sys.executable, "-m", "ssbx.cli", "sweep", str(sweep_file), "--out",
                          str(tmp_path / "ref")], capture_output=True, text=True, timeout=600)
    assert ref.returncode == 1, ref.stdout + ref.stderr
    assert_same_results(rows, read_rows(tmp_path / "ref" / "results.csv"), rtol=0.0)


@pytest.mark.slow
def test_sweeps_run_every_case_type(tmp_path):
    """Mechanics and stripping cases (`run`) and the critical-current search (`ccs`) as sweeps:
    each row holds the case type's own results."""
    from cases import TINY

    from ssbx.parallel.sweep import prepare_root, run_sweep
    from ssbx.parallel.sweep_results import write_results_table

    comm = MPI.COMM_SELF
    examples = Path(__file__).resolve().parents[1] / "examples"
    (tmp_path / "tiny.toml").write_text(TINY, encoding="utf-8")
    sweeps = {
        "mech": ({"sweep": {"base": str(examples / "pressure_hold.toml"),
                            "parameters": {"time.end": ["10 min"]}}},
                 ["stack_pressure_final [Pa]", "num_steps"]),
        "strip": ({"sweep": {"base": "tiny.toml", "parameters": {"fixture.pressure": ["0.5 MPa"]}}},
                  ["contact_fraction_final", "li_inventory_error_max"]),
        "ccs": ({"sweep": {"base": "tiny.toml", "command": "ccs",
                           "parameters": {"fixture.pressure": ["0.5 MPa"]}}},
                ["ccs.status", "ccs.lower_mA_per_cm2", "ccs.n_trials"]),
    }
    for name, (raw, columns) in sweeps.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(tomli_w.dumps(raw), encoding="utf-8")
        sweep = load_sweep(path)
        root = prepare_root(comm, sweep, tmp_path / f"out-{name}")
        report = run_sweep(sweep, root, comm)
        assert report.states == {0: "complete"}, (name, report.outcomes)
        rows = read_rows(write_results_table(sweep, root))
        assert len(rows) == 1 and rows[0]["status"] == "ok"
        for column in columns:
            assert column in rows[0] and rows[0][column] != "", (name, column, list(rows[0]))


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "examples"
                                         / "sweeps").glob("*.toml")), ids=lambda p: p.name)
def test_example_sweeps_validate(path):
    sweep = load_sweep(path)
    assert len(sweep.cases) >= 8 and sweep.description


@pytest.mark.slow
def test_interrupted_transient_case_continues_from_its_checkpoint(tmp_path):
    """A sweep whose mechanics case is stopped after its first checkpoint (as if the job were
    killed: nothing recorded) continues that case from the checkpoint on the next run, and the
    case's history equals an uninterrupted run's (on the sweep's cached mesh) exactly
    (serial)."""
    from test_checkpoint import _mechanics_case

    from ssbx.errors import RunInterrupted
    from ssbx.io.runfolder import RunFolder
    from ssbx.meshes.cache import mesh_cache_directory
    from ssbx.parallel.sweep import case_path, prepare_root, run_sweep
    from ssbx.runs.case_runner import execute_case
    from ssbx.runs.registry import run_case

    comm = MPI.COMM_SELF
    raw = {"sweep": {"name": "m", "parameters": {"operation.temperature": ["25 degC"]}},
           "base": _mechanics_case().to_toml_dict()}
    sweep = sweep_from_dict(raw)
    root = prepare_root(comm, sweep, tmp_path / "sweep")

    class Killed(BaseException):
        pass

    def killed_after_checkpoint(command, case, folder, group, console, *, source, restart):
        try:
            run_case(case, folder, group, console, stop_after_checkpoints=1)
        except RunInterrupted:
            raise Killed from None

    with pytest.raises(Killed):
        run_sweep(sweep, root, comm, runner=killed_after_checkpoint)
    folder = case_path(root, sweep.cases[0])
    assert (folder / "checkpoints").is_dir() and not (folder / "summary.json").exists()
    assert not (folder / "failure.json").exists()

    report = run_sweep(sweep, root, comm)
    assert [(o.status, o.restarted) for o in report.outcomes] == [("ok", True)]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["restarted"] is True

    reference = RunFolder(comm, tmp_path / "reference")
    with mesh_cache_directory(root / "meshes"):
        execute_case("run", sweep.cases[0].case, reference, comm, source="test")
    assert (folder / "history.csv").read_text() == \
        (tmp_path / "reference" / "history.csv").read_text()


ONE_RANK_FAILS = r'''
import sys
from pathlib import Path

from mpi4py import MPI

from ssbx.parallel.sweep import prepare_root, run_sweep
from ssbx.parallel.sweep_spec import sweep_from_dict

world = MPI.COMM_WORLD
sweep = sweep_from_dict({"sweep": {"name": "t", "parameters": {"interface.asr": ["1 ohm cm^2"]}},
                         "base": {"name": "b"}})
root = prepare_root(world, sweep, Path(sys.argv[1]))


def runner(command, case, folder, group, console, *, source, restart):
    if group.rank == 1:
        raise RuntimeError("an error on rank 1 only")
    group.Barrier()  # rank 0 waits in a collective that rank 1 never joins


run_sweep(sweep, root, world, ranks_per_case=2, agree_timeout=2.0, runner=runner)
print("not reached", flush=True)
'''


@pytest.mark.slow
def test_error_on_one_rank_of_a_group_aborts_instead_of_hanging(tmp_path):
    """A case that fails on one rank of a 2-rank group while the other waits in a collective:
    the failed rank aborts the job after --agree-timeout instead of leaving it hanging."""
    script = tmp_path / "one_rank_fails.py"
    script.write_text(ONE_RANK_FAILS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "PMIX_", "HYDRA_", "MPIR_", "OMPI_"))}
    start = time.monotonic()
    proc = subprocess.run([_mpirun(), "-n", "2", sys.executable, str(script), str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=180, env=env)
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    assert "not reached" not in proc.stdout
    # the record is in the case folder (stderr may be lost: the launcher can end the job before
    # forwarding it, as seen on CI)
    failures = list((tmp_path / "o" / "cases").glob("*/failure.json"))
    assert len(failures) == 1, proc.stdout + proc.stderr
    record = json.loads(failures[0].read_text())
    assert "failed on this rank only" in record["abort"]
    assert record["rank"] == 1 and "an error on rank 1 only" in record["error"]
    assert elapsed < 120
