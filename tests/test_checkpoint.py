"""Checkpoints of transient runs and restart from them (:mod:`ssbx.io.checkpoint`).

Format: N-to-M round trip of a P2 vector field on a mesh and a quadrature field on a submesh
(written on one rank, read on all, and back), values exactly equal; incomplete checkpoints are
ignored; another mesh or case is refused. Runs: a tiny mechanics and a tiny stripping case run
uninterrupted and interrupted after a checkpoint then restarted give the same history and
summary (exactly on one rank, to 1e-10 of each column's scale on two, where parallel runs are
not bit-reproducible); a checkpoint written by a serial run restarts on all ranks.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import sys
import tomllib
from pathlib import Path

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
from basix.ufl import quadrature_element
from dolfinx import fem

from ssbx.case import resolve_case, with_overrides
from ssbx.errors import CheckpointError, RunInterrupted
from ssbx.io.checkpoint import (
    Checkpointer,
    case_hash,
    latest_checkpoint,
    list_checkpoints,
    original_cell_keys,
    read_checkpoint,
    submesh_cell_keys,
    write_checkpoint,
)
from ssbx.io.runfolder import SUMMARY, RunFolder
from ssbx.runs.registry import run_case

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import TINY, example  # noqa: E402

# --------------------------------------------------------------------------------------------
# Format
# --------------------------------------------------------------------------------------------
NX, NY = 8, 4  # vertex coordinates k/8, k/4: P2 nodes and the quadratic below are exact


def _mesh(comm: MPI.Comm, nx: int = NX, ny: int = NY) -> dolfinx.mesh.Mesh:
    ghosts = dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)
    return dolfinx.mesh.create_unit_square(comm, nx, ny, partitioner=ghosts)


def _exact(x: np.ndarray) -> np.ndarray:
    return np.vstack([x[0] ** 2 + 3.0 * x[1], x[0] * x[1] - 2.0])


def _fields(mesh: dolfinx.mesh.Mesh, fill: bool) -> tuple[dict, fem.Function, fem.Function]:
    """A P2 vector function on ``mesh`` and a (2,)-quadrature function on the submesh x < 1/2,
    with their keys; filled with exact, partition-independent values if ``fill``."""
    tdim = mesh.topology.dim
    V = fem.functionspace(mesh, ("Lagrange", 2, (2,)))
    u = fem.Function(V, name="u")
    keys = original_cell_keys(mesh)
    cells = dolfinx.mesh.locate_entities(mesh, tdim, lambda x: x[0] <= 0.5 + 1e-12)
    sub, _, _, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells)
    Q = fem.functionspace(sub, quadrature_element(sub.basix_cell(), value_shape=(2,), degree=2))
    q = fem.Function(Q, name="q")
    sub_keys = submesh_cell_keys(sub, mesh, keys)  # matched by geometry
    if fill:
        u.interpolate(_exact)
        u.x.scatter_forward()  # ghost values from their owners (interpolation is local)
        n = sub.topology.index_map(tdim).size_local + sub.topology.index_map(tdim).num_ghosts
        nq = q.x.array.size // (2 * n)
        vals = (sub_keys[:n, None, None] * 100.0 + np.arange(nq)[None, :, None] * 10.0
                + np.arange(2)[None, None, :])
        q.x.array[:] = vals.ravel()
    return {"u": (u, keys), "q": (q, sub_keys)}, u, q


def _by_cell(fields: dict, comm: MPI.Comm) -> dict[str, np.ndarray]:
    """Every field as a table (original cell index, cell-local dof values), from all ranks:
    the partition-independent content of a field (NaN rows: cells outside a submesh)."""
    out = {}
    for name, (f, keys) in fields.items():
        mesh = f.function_space.mesh
        n = mesh.topology.index_map(mesh.topology.dim).size_local
        dofs, bs = np.asarray(f.function_space.dofmap.list)[:n], f.function_space.dofmap.bs
        vals = f.x.array[(dofs[:, :, None] * bs + np.arange(bs)).reshape(n, -1)]
        table = np.full((2 * NX * NY, vals.shape[1]), np.nan)
        for k, v in comm.allgather((keys[:n], vals)):
            table[k] = v
        out[name] = table
    return out


def _write(comm: MPI.Comm, root: Path, step: int, **kw) -> tuple[Path, dict]:
    mesh = _mesh(comm)
    fields, _, _ = _fields(mesh, fill=True)
    path = write_checkpoint(comm, root, step, mesh=mesh, fields=fields,
                            arrays={"replicated": np.arange(5.0)},
                            state={"time": 0.1 * step, "rows": [[1, "strip", math.nan]]},
                            time_=0.1 * step, case_digest="abc", problem="test", **kw)
    return path, _by_cell(fields, comm)


def _read_and_check(comm: MPI.Comm, path: Path, written: dict) -> None:
    mesh = _mesh(comm)
    fields, u, q = _fields(mesh, fill=False)
    meta, state, arrays = read_checkpoint(comm, path, mesh=mesh, fields=fields,
                                          case_digest="abc")
    read = _by_cell(fields, comm)
    for name in ("u", "q"):  # exactly the written values, cell by cell
        assert np.array_equal(read[name], written[name], equal_nan=True), name
    assert np.isnan(read["q"]).any() and not np.isnan(read["u"]).any()
    # owned and ghost dofs: the values of the same functions filled on this partition (the
    # quadrature values exactly; P2 interpolation differs from partition to partition by
    # round-off in the dof coordinates)
    _, eu, eq = _fields(mesh, fill=True)
    assert np.array_equal(q.x.array, eq.x.array)
    assert np.allclose(u.x.array, eu.x.array, rtol=0.0, atol=1e-14)
    assert np.array_equal(arrays["replicated"], np.arange(5.0))
    assert state["rows"][0][:2] == [1, "strip"] and math.isnan(state["rows"][0][2])
    assert meta["problem"] == "test" and meta["format"] == 1


@pytest.mark.mpi
def test_format_round_trip_n_to_m(comm, shared_tmp_path):
    root = Path(shared_tmp_path)
    # written by one rank (COMM_SELF on rank 0), read by all ranks of comm
    written = None
    if comm.rank == 0:
        path, written = _write(MPI.COMM_SELF, root / "one", 3)
        assert path.name == "step-000003" and meta_ranks(path) == 1
    written = comm.bcast(written, root=0)
    _read_and_check(comm, latest_checkpoint(root / "one"), written)
    # written by all ranks, read by one
    _, written = _write(comm, root / "all", 4)
    if comm.rank == 0:
        assert meta_ranks(latest_checkpoint(root / "all")) == comm.size
        _read_and_check(MPI.COMM_SELF, latest_checkpoint(root / "all"), written)
    comm.Barrier()


def meta_ranks(path: Path) -> int:
    return json.loads((path / "meta.json").read_text())["ranks"]


@pytest.mark.mpi
def test_incomplete_checkpoints_are_ignored_and_old_ones_pruned(comm, shared_tmp_path):
    root = Path(shared_tmp_path)
    for step in (1, 2, 3):
        _write(comm, root, step, keep=2)
    if comm.rank == 0:
        base = root / "checkpoints"
        assert [p.name for p in list_checkpoints(root)] == ["step-000002", "step-000003"]
        # a newer folder without meta.json, one with a corrupt meta.json, a temporary folder
        shutil.copytree(base / "step-000003", base / "step-000009")
        (base / "step-000009" / "meta.json").unlink()
        shutil.copytree(base / "step-000003", base / "step-000008")
        (base / "step-000008" / "meta.json").write_text("{not json")
        shutil.copytree(base / "step-000003", base / ".step-000010.tmp-1")
        assert latest_checkpoint(root).name == "step-000003"
        assert latest_checkpoint(root / "nothing") is None
    comm.Barrier()
    mesh = _mesh(comm)
    fields, _, _ = _fields(mesh, fill=False)
    with pytest.raises(CheckpointError, match="not a complete checkpoint"):
        read_checkpoint(comm, root / "checkpoints" / "step-000009", mesh=mesh, fields=fields)
    with pytest.raises(CheckpointError, match="another case"):
        read_checkpoint(comm, latest_checkpoint(root), mesh=mesh, fields=fields,
                        case_digest="other")
    # the next complete checkpoint removes the incomplete and the temporary folders
    _write(comm, root, 4, keep=2)
    if comm.rank == 0:
        assert sorted(p.name for p in (root / "checkpoints").iterdir()) == [
            "step-000003", "step-000004"]
    comm.Barrier()


@pytest.mark.mpi
def test_other_mesh_is_refused(comm, shared_tmp_path):
    root = Path(shared_tmp_path)
    path, _ = _write(comm, root, 1)
    # the same number of cells, other coordinates
    mesh = _mesh(comm, NY, NX)
    fields, _, _ = _fields(mesh, fill=False)
    with pytest.raises(CheckpointError, match="mesh differs"):
        read_checkpoint(comm, path, mesh=mesh, fields=fields)
    # another number of cells
    mesh = _mesh(comm, NX, NY + 1)
    fields, _, _ = _fields(mesh, fill=False)
    with pytest.raises(CheckpointError, match="mesh differs"):
        read_checkpoint(comm, path, mesh=mesh, fields=fields)


def test_case_hash_ignores_output_and_solver_settings():
    case = example("pressure_hold.toml")
    same = with_overrides(case, {"output.checkpoint_every": 5, "output.fields": False,
                                 "solver.rtol": 1e-8, "description": "other words"})
    assert case_hash(same) == case_hash(case)
    for key, value in (("time.end", "2 h"), ("solver.degree", 1), ("fixture.pressure", "1 MPa")):
        assert case_hash(with_overrides(case, {key: value})) != case_hash(case), key


@pytest.mark.mpi
def test_schedule_by_steps_and_wall_clock(comm, shared_tmp_path):
    case = example("pressure_hold.toml")
    by_steps = Checkpointer(comm, shared_tmp_path, case=case, problem="mechanics", every=3)
    assert [s for s in range(1, 10) if by_steps.due(s)] == [3, 6, 9]
    off = Checkpointer(comm, shared_tmp_path, case=case, problem="mechanics")
    assert not off.active and not any(off.due(s) for s in range(1, 10))
    wall = Checkpointer(comm, shared_tmp_path, case=case, problem="mechanics",
                        wall_interval=1e-9)  # rank 0's clock decides, every rank agrees
    assert wall.active and all(wall.due(s) for s in range(1, 4))
    late = Checkpointer(comm, shared_tmp_path, case=case, problem="mechanics",
                        wall_interval=3600.0)
    assert not any(late.due(s) for s in range(1, 4))


# --------------------------------------------------------------------------------------------
# Runs: uninterrupted vs interrupted + restarted
# --------------------------------------------------------------------------------------------
TIMING_SCALARS = {"time_total"}


def _mechanics_case() -> object:
    """pressure_hold.toml, coarse, 10 min of fixed gap: 16 time steps (~2 s)."""
    return with_overrides(example("pressure_hold.toml"), {
        "time.end": "10 min", "mesh.size_fine": "40 um", "mesh.size_coarse": "50 um",
        "output.checkpoint_every": 4, "output.checkpoint_wall_interval": 0})


def _mechanics_3d_case() -> object:
    """pore_array_creep_3d.toml (3-D box, two pores, mixed formulation in the Li), 3 min:
    18 time steps (~15 s)."""
    return with_overrides(example("pore_array_creep_3d.toml"), {
        "time.end": "3 min", "output.checkpoint_every": 6,
        "output.checkpoint_wall_interval": 0})


def _stripping_case(vacancies: bool = False) -> object:
    """The tiny strip / rest / plate case of test_stripping_cli: 30 time steps (~6 s); with
    vacancy transport (S = 3: no nucleation) when ``vacancies``."""
    extra = {"vacancy.enabled": True, "vacancy.critical_supersaturation": 3.0} \
        if vacancies else {}
    return with_overrides(resolve_case(tomllib.loads(TINY)), {
        "output.checkpoint_every": 7, "output.checkpoint_wall_interval": 0,
        "contact.profile_interval": 3, **extra})


def _stripping_3d_case() -> object:
    """The tiny case in a 3-D box 8 x 4 um, Li and electrolyte 4 um thick, with a pore 3.6 um
    wide on columns of 0.9 um: strip 0.002 mAh/cm^2, rest 1 s (~20 time steps)."""
    raw = tomllib.loads(TINY)
    raw["geometry"].update(dimension=3, width="8 um", depth="4 um", h_se="4 um",
                           h_li="4 um")
    raw["geometry"]["voids"] = [{"center": "4 um", "center_y": "2 um", "width": "3.6 um",
                                 "height": "0.3 um"}]
    raw["mesh"].update(size_fine="0.9 um", size_coarse="1.8 um")
    raw["protocol"]["steps"] = ["Strip at 5 mA/cm^2 for 0.002 mAh/cm^2", "Rest for 1 s"]
    return with_overrides(resolve_case(raw), {
        "output.checkpoint_every": 4, "output.checkpoint_wall_interval": 0,
        "contact.profile_interval": 3})


def _full(case: object, path: Path, comm: MPI.Comm) -> dict:
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.write_summary(summary)
    return summary


def _interrupted(case: object, path: Path, comm: MPI.Comm, checkpoints: int) -> None:
    folder = RunFolder(comm, path, overwrite=True)
    with pytest.raises(RunInterrupted):
        run_case(case, folder, comm, stop_after_checkpoints=checkpoints)
    assert not (path / SUMMARY).exists()


def _restart(case: object, path: Path, comm: MPI.Comm) -> dict:
    folder = RunFolder(comm, path, resume=True)
    summary = run_case(case, folder, comm, restart=True)
    folder.write_summary(summary)
    return summary


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _differences(a: Path, b: Path, skip: tuple[str, ...] = ()) -> dict[str, float]:
    """Column -> largest difference of two CSV tables relative to the column's largest
    magnitude; text columns must be equal, columns whose name starts with ``skip`` are
    ignored (timings, round-off quantities)."""
    ha, ra = _table(a)
    hb, rb = _table(b)
    assert ha == hb and len(ra) == len(rb)
    out = {}
    for j, name in enumerate(ha):
        if name.startswith(skip):
            continue
        try:
            x = np.array([float(r[j]) for r in ra])
            y = np.array([float(r[j]) for r in rb])
        except ValueError:
            assert [r[j] for r in ra] == [r[j] for r in rb], name
            continue
        assert np.array_equal(np.isnan(x), np.isnan(y)), name
        ok = ~np.isnan(x)
        scale = float(np.max(np.abs(x[ok]), initial=0.0)) or 1.0
        out[name] = float(np.max(np.abs(x[ok] - y[ok]), initial=0.0)) / scale
    return out


def _max_difference(a: Path, b: Path, skip: tuple[str, ...] = ()) -> float:
    return max(_differences(a, b, skip).values())


def _scalar_difference(s1: dict, s2: dict) -> float:
    a = {k: v["value"] for k, v in s1["scalars"].items() if k not in TIMING_SCALARS}
    b = {k: v["value"] for k, v in s2["scalars"].items() if k not in TIMING_SCALARS}
    assert a.keys() == b.keys()
    return max(abs(a[k] - b[k]) / max(abs(a[k]), 1e-300) if a[k] != b[k] else 0.0 for k in a)


def _report(name: str, value: float) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print(f"{name}: {value:.3e}")


#: history columns that are timings (never reproducible) or pure round-off (the inventory
#: error ~1e-16, the peak / mean ratio of the noise current during a rest)
STRIPPING_SKIP = ("time_current_solve", "time_contact_solve", "time_vacancy_solve",
                  "li_inventory_error", "peak_to_mean_ratio", "vacancy_balance_error")


def _on_rank0(comm: MPI.Comm, action) -> object:
    """``action()`` on rank 0 (the files), its result on every rank (asserted everywhere, so
    that a failure does not leave the other ranks waiting)."""
    return comm.bcast(action() if comm.rank == 0 else None, root=0)


@pytest.mark.mpi
@pytest.mark.slow
def test_mechanics_restart_equals_uninterrupted(comm, shared_tmp_path):
    root = Path(shared_tmp_path)
    case = _mechanics_case()
    s1 = _full(case, root / "full", comm)
    _interrupted(case, root / "part", comm, checkpoints=2)
    names = _on_rank0(comm, lambda: [p.name for p in list_checkpoints(root / "part")])
    assert names == ["step-000004", "step-000008"]
    s2 = _restart(case, root / "part", comm)
    assert "displacement.restart-1.bp" in s2["files"]
    same_text, d = _on_rank0(comm, lambda: (
        (root / "full" / "history.csv").read_text() == (root / "part" / "history.csv")
        .read_text(), _max_difference(root / "full" / "history.csv",
                                      root / "part" / "history.csv")))
    ds = _scalar_difference(s1, s2)
    _report("mechanics restart, history", d)
    _report("mechanics restart, summary", ds)
    if comm.size == 1:  # serial runs are bit-reproducible
        assert same_text and d == 0.0 and ds == 0.0
    else:  # parallel runs are not (MUMPS, reductions): round-off
        assert d <= 1e-10 and ds <= 1e-10


@pytest.mark.mpi
@pytest.mark.parametrize("vacancies", [False, True], ids=["contact", "vacancies"])
@pytest.mark.slow
def test_stripping_restart_equals_uninterrupted(comm, shared_tmp_path, vacancies):
    root = Path(shared_tmp_path)
    case = _stripping_case(vacancies)
    s1 = _full(case, root / "full", comm)
    _interrupted(case, root / "part", comm, checkpoints=2)  # step 14, mid-way in protocol step 1
    s2 = _restart(case, root / "part", comm)
    assert {"li_displacement.restart-1.bp", "potential.restart-1.bp"} <= set(s2["files"])
    tol = 0.0 if comm.size == 1 else 1e-10
    skip = STRIPPING_SKIP[:3] if comm.size == 1 else STRIPPING_SKIP
    d, dp = _on_rank0(comm, lambda: (
        _max_difference(root / "full" / "history.csv", root / "part" / "history.csv", skip),
        _max_difference(root / "full" / "interface_profiles.csv",
                        root / "part" / "interface_profiles.csv")))
    _report("stripping restart, history", d)
    _report("stripping restart, profiles", dp)
    assert d <= tol and dp <= tol
    if comm.size > 1:  # the inventory error is round-off (~1e-16)
        for s in (s1, s2):
            assert abs(s["scalars"].pop("li_inventory_error_max")["value"]) < 1e-12
    ds = _scalar_difference(s1, s2)
    _report("stripping restart, summary", ds)
    assert ds <= tol


#: stripping quantities that are local (the largest nodal contact pressure) or a difference
#: quotient (the creep inflow rate): they differ most between partitions, ~2e-5
LOCAL = ("contact_pressure_max", "creep_inflow_rate")


@pytest.mark.mpi
@pytest.mark.slow
def test_restart_on_another_number_of_ranks(comm, shared_tmp_path):
    """Checkpoints written by a serial run (rank 0), the restart on every rank: the results
    agree with an uninterrupted run on every rank to the solver tolerance, as closely as
    uninterrupted serial and parallel runs agree: 1e-6 relative to each column's scale, 1e-4
    for the local stripping quantities :data:`LOCAL` (measured on 2 ranks: mechanics 5e-14,
    3-D mechanics (mixed formulation) 5e-14, stripping 2e-7, local 2e-5; summaries 3e-13 and
    1e-9; 3-D stripping 6e-15, local 2e-11). Under ``mpirun -n 2`` only: serially it would
    restart 1 -> 1 rank, what the ``..._restart_equals_uninterrupted`` tests check (it cost
    87 s of the serial run)."""
    if comm.size == 1:
        pytest.skip("another number of ranks needs mpirun -n 2 (make test runs it there)")
    root = Path(shared_tmp_path)
    for name, case, skip in (("mechanics", _mechanics_case(), ()),
                             ("mechanics_3d", _mechanics_3d_case(), ()),
                             ("stripping", _stripping_case(), STRIPPING_SKIP),
                             ("stripping_3d", _stripping_3d_case(), STRIPPING_SKIP)):
        part = root / f"{name}_part"
        if comm.rank == 0:
            _interrupted(case, part, MPI.COMM_SELF, checkpoints=1)
        comm.Barrier()
        ranks = _on_rank0(comm, lambda part=part: json.loads(
            (latest_checkpoint(part) / "meta.json").read_text())["ranks"])
        assert ranks == 1
        s2 = _restart(case, part, comm)
        s1 = _full(case, root / f"{name}_full", comm)
        diffs = _on_rank0(comm, lambda name=name, part=part, skip=skip: _differences(
            root / f"{name}_full" / "history.csv", part / "history.csv", skip))
        d = max(v for k, v in diffs.items() if not k.startswith(LOCAL))
        d_local = max([v for k, v in diffs.items() if k.startswith(LOCAL)], default=0.0)
        s1["scalars"].pop("li_inventory_error_max", None)
        s2["scalars"].pop("li_inventory_error_max", None)
        if name == "mechanics_3d":  # a held pressure: its change is round-off (< 1e-6 Pa)
            for s in (s1, s2):
                assert abs(s["scalars"].pop("stack_pressure_change")["value"]) < 1e-6
        ds = _scalar_difference(s1, s2)
        _report(f"{name} restart 1 -> {comm.size} ranks, history", d)
        _report(f"{name} restart 1 -> {comm.size} ranks, history (local)", d_local)
        _report(f"{name} restart 1 -> {comm.size} ranks, summary", ds)
        assert d <= 1e-6 and d_local <= 1e-4 and ds <= 1e-6


def test_restart_needs_a_checkpoint(tmp_path):
    comm = MPI.COMM_SELF
    case = with_overrides(_mechanics_case(), {"output.checkpoint_every": 0})
    path = tmp_path / "run"
    RunFolder(comm, path)  # an empty, incomplete ssbx run folder
    with pytest.raises(CheckpointError, match=f"{path}.*no complete checkpoint.*run the case "
                       "with output.checkpoint_every"):
        run_case(case, RunFolder(comm, path, resume=True), comm, restart=True)
    # with checkpoints on, the run stopped before the first one: start again, not "set it"
    scheduled = with_overrides(case, {"output.checkpoint_every": 4})
    with pytest.raises(CheckpointError, match=r"before its first checkpoint .*checkpoint_every "
                       r"= 4.*--overwrite") as err:
        run_case(scheduled, RunFolder(comm, path, resume=True), comm, restart=True)
    assert "run the case with" not in str(err.value)
    steady = example("flat_bv.toml")
    with pytest.raises(CheckpointError, match="steady"):
        run_case(steady, RunFolder(comm, path, resume=True), comm, restart=True)
    assert not (path / "history.csv").exists() and not (path / "mesh.msh").exists()


def test_cli_restart(tmp_path, capsys):
    """`ssbx run CASE --restart`: continues an interrupted run folder; refuses a complete one
    and a steady case, naming the reason."""
    import tomli_w

    from ssbx.cli import commands as cli

    case = _mechanics_case()
    case_file = tmp_path / "hold.toml"
    case_file.write_text(tomli_w.dumps(case.to_toml_dict()), encoding="utf-8")
    out = tmp_path / "run"
    _interrupted(case, out, MPI.COMM_SELF, 1)
    assert cli.main(["run", str(case_file), "--out", str(out), "--restart", "-q"]) == 0
    summary = json.loads((out / SUMMARY).read_text())
    assert summary["restarted"] is True and summary["status"] == "ok"
    assert cli.main(["run", str(case_file), "--out", str(out), "--restart", "-q"]) == 1
    assert "the run is complete" in capsys.readouterr().err
    steady = tmp_path / "steady.toml"
    steady.write_text((ROOT / "examples" / "void_2d.toml").read_text(), encoding="utf-8")
    assert cli.main(["run", str(steady), "--out", str(tmp_path / "s"), "--restart", "-q"]) == 1
    assert "needs a transient case" in capsys.readouterr().err
