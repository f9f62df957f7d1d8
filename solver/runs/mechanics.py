"""A mechanics run: the Li | electrolyte cell under a stack-pressure fixture, with Li creep.

The cell is the one of the geometry builder (voids included). Its electrolyte top ``y = h_se`` is
the mid-plane of a symmetric Li | electrolyte | Li stack (a symmetry plane: ``u_y = 0``); the
fixture acts on the Li current collector ``y = -h_li``:

- ``pressure``: uniform stack pressure (ramped over ``fixture.loading_time``);
- ``spring``: pressure = preload + stiffness x plate displacement (Winkler springs, see
  :class:`ssbx.problems.mechanics.Spring`); the preload is ramped;
- ``fixed_gap``: a rigid plate (uniform displacement) is moved over ``loading_time`` and then
  held. The end displacement is calibrated so that the pressure at the end of the ramp is
  ``fixture.pressure``, as an experimenter loads to the gauge reading: it starts from the
  elastic displacement and is rescaled by target / reached pressure, re-running the ramp
  (creep during a ramp at 25 MPa otherwise loses ~12 % of the load). The pressure then relaxes
  as the Li creeps.

Lateral sides are rollers (``fixture.sides = "symmetry"``) or traction-free (``"free"``).

Checkpoints and restart (:mod:`ssbx.io.checkpoint`): with ``output.checkpoint_every`` /
``output.checkpoint_wall_interval`` the time loop writes checkpoints into ``checkpoints/`` of the
run folder; ``run_mechanics_case(..., restart=True)`` continues an interrupted run folder from
its latest one (on any number of ranks). The history rows up to the checkpoint, the calibrated
fixed-gap displacement and the stepper state come from the checkpoint, so ``history.csv`` and
the summary scalars (timings aside) are those of an uninterrupted run. The mesh files of the
first run are kept (the mesh is rebuilt and checked against the checkpoint, not rewritten).
Fields: ``displacement.bp`` of the first run is kept as it is (it may hold outputs after the
checkpoint, up to where the run stopped); the restart writes the fields after the checkpoint to a
new file ``displacement.restart-<k>.bp`` (k = 1, 2, ... per restart).
"""

from __future__ import annotations

import math
import time
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.errors import TimeSteppingError
from ssbx.io.checkpoint import (
    Checkpointer,
    case_hash,
    original_cell_keys,
    read_checkpoint,
    read_state,
    require_checkpoint,
    restart_suffix,
)
from ssbx.io.console import human_time, say
from ssbx.io.runfolder import field_output_bytes
from ssbx.meshes.cell import build_cell_mesh, mesh_statistics, write_cell_mesh_xdmf
from ssbx.problems.mechanics import (
    StepResult,
    run_quasistatic,
)
from ssbx.setup import build_mechanics_problem, calibrate_gap_displacement

HISTORY_COLUMNS = ("time_s", "dt_s", "stack_pressure_Pa", "plate_displacement_m",
                   "newton_iterations", "max_plastic_strain_increment")


def _output_times(t_end: float, t0: float, count: int = 25) -> list[float]:
    """Log-spaced field output times between ``t0`` and ``t_end`` [s]."""
    t0 = max(t0, t_end * 1e-6)
    return [float(t) for t in np.geomspace(t0, t_end, count)]


def run_mechanics_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                       restart: bool = False,
                       stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Mesh, run the time loop and write the run folder; returns the summary.

    Files: mesh.msh, mesh.xdmf, history.csv (time, stack pressure, plate displacement, Newton
    iterations, plastic increment per step), stack_pressure.png, displacement.bp (VTX, at
    log-spaced times), checkpoints/ (see ``output.checkpoint_*``). A failed time loop writes
    what it has and raises.

    restart: continue the run folder (opened with ``RunFolder(..., resume=True)``) from its
    latest checkpoint (:class:`ssbx.io.checkpoint.CheckpointError` if it has none, or one of
    another case or mesh); history.csv is complete from t = 0; the fields after the checkpoint
    go to ``displacement.restart-<k>.bp`` (``displacement.bp`` is kept; see the module
    docstring). stop_after_checkpoints: test-only, raise
    :class:`ssbx.io.checkpoint.RunInterrupted` after writing that many checkpoints.
    """
    t0 = time.perf_counter()
    resume = (require_checkpoint(comm, folder.root, case.output.checkpoint_every,
                                 case.output.checkpoint_wall_interval)
              if restart else None)
    digest = case_hash(case)
    saved: dict[str, Any] = {}
    if resume is not None:
        _, saved = read_state(comm, resume, case_digest=digest)
        say(console, f"restart from {resume.name} at t = {human_time(saved['problem']['time'])}")
    cell_mesh = build_cell_mesh(comm, case.geometry, case.mesh,
                                msh_path=None if resume else folder.path("mesh.msh"))
    if resume is None:
        write_cell_mesh_xdmf(cell_mesh, folder.path("mesh.xdmf"))
    cells = "tetrahedra" if case.geometry.dimension == 3 else "triangles"
    say(console, f"mesh: {cell_mesh.num_cells_electrolyte} electrolyte + "
                  f"{cell_mesh.num_cells_lithium} Li {cells} ({time.perf_counter() - t0:.2f} s)")
    gap = None
    if resume is not None:
        gap = saved["gap"]
    elif case.fixture.type == "fixed_gap" and case.fixture.loading_time > 0.0:
        gap, reached = calibrate_gap_displacement(case, cell_mesh)
        say(console, f"fixed gap: plate displacement {gap * 1e6:.5g} um reaches "
                      f"{reached / 1e6:.4g} MPa at the end of the {case.fixture.loading_time:g} s "
                      "ramp")
    problem = build_mechanics_problem(case, cell_mesh, gap_displacement=gap)
    mixed = (f" + P1 mean stress in Li ({problem.num_mean_stress_dofs()} dofs)"
             if problem.volumetric == "mixed" else "")
    say(console, f"mechanics: P{case.solver.degree} displacement{mixed}, "
                  f"{problem.num_dofs()} dofs, "
                  f"Li {case.mechanics.li_model}, electrolyte {case.mechanics.electrolyte_preset}, "
                  f"fixture {case.fixture.type}, T = {case.operation.temperature:.2f} K")

    keys = original_cell_keys(cell_mesh.mesh)
    rows: list[list[float]] = []
    out_times = _output_times(case.time.end, case.time.initial_step)
    next_out = [0]
    progress_every = max(case.time.end / 20.0, 1e-300)
    next_progress = [progress_every]
    dt_next: float | None = None
    field_files = ["displacement.bp"] if case.output.fields else []
    if resume is not None:
        read_checkpoint(comm, resume, mesh=cell_mesh.mesh, fields=problem.checkpoint_fields(keys),
                        case_digest=digest, array_names=())
        problem.restore_checkpoint(saved["problem"])
        rows = [[float(v) for v in row] for row in saved["rows"]]
        next_out[0] = int(saved["next_out"])
        next_progress[0] = float(saved["next_progress"])
        dt_next = float(saved["dt_next"])
        field_files = list(saved["field_files"])
        if case.output.fields:
            field_files.append(restart_suffix(folder.root, comm, "displacement"))
    if case.output.fields:  # ADIOS2 aborts the process on a full disk: check first
        folder.require_space(field_output_bytes([problem.u], len(out_times) - next_out[0] + 1),
                             f"the field output ({field_files[-1]})")
    vtx = VTXWriter(comm, folder.path(field_files[-1]), [problem.u], engine="BP4") \
        if case.output.fields else None
    one_output = field_output_bytes([problem.u])
    ckpt = Checkpointer.from_case(comm, folder, case, "mechanics",
                                  stop_after=stop_after_checkpoints, console=console)

    def after_step(dt: float) -> None:
        step = len(rows) - 1
        if not ckpt.active or not ckpt.due(step):
            return
        state = {"problem": problem.checkpoint_state(), "rows": rows, "next_out": next_out[0],
                 "next_progress": next_progress[0], "dt_next": dt, "gap": gap,
                 "field_files": field_files}
        ckpt.write(step, mesh=cell_mesh.mesh, fields=problem.checkpoint_fields(keys),
                   arrays=None, state=state, time_=problem.time)

    def record(res: StepResult) -> None:
        rows.append([res.time, res.dt, res.plate_pressure, res.plate_displacement,
                     float(res.iterations), res.max_dp])
        if vtx is not None and (res.dt == 0.0 or (next_out[0] < len(out_times)
                                                  and res.time >= out_times[next_out[0]])):
            folder.require_space(one_output, f"the field output ({field_files[-1]})")
            vtx.write(res.time)
            while next_out[0] < len(out_times) and res.time >= out_times[next_out[0]]:
                next_out[0] += 1
        if res.time >= next_progress[0]:
            say(console, f"  t = {human_time(res.time)}: stack pressure "
                          f"{res.plate_pressure / 1e6:.4f} MPa, plate displacement "
                          f"{res.plate_displacement * 1e6:.4f} um, dt {human_time(res.dt)}")
            while next_progress[0] <= res.time:
                next_progress[0] += progress_every

    error: TimeSteppingError | None = None
    try:
        run_quasistatic(problem, case.time.end, case.time.initial_step,
                        dt_min=case.time.min_step, dt_max=case.time.max_step,
                        max_dp=case.time.max_plastic_strain_increment, callback=record,
                        after_step=after_step, dt_next=dt_next)
    except TimeSteppingError as err:
        error = err
    finally:
        if vtx is not None:
            vtx.close()
        if comm.rank == 0:
            folder.write_csv("history.csv", list(HISTORY_COLUMNS), rows)
            if rows and case.output.plots:
                plot_history(case, np.array(rows), folder.path("stack_pressure.png"))
        comm.Barrier()
    if error is not None:
        raise error

    hist = np.array(rows)
    loaded = hist[hist[:, 0] >= case.fixture.loading_time - 1e-12]
    p_loaded = float(loaded[0, 2]) if loaded.size else math.nan
    scalars = {
        "stack_pressure_initial": (p_loaded, "Pa"),
        "stack_pressure_final": (float(hist[-1, 2]), "Pa"),
        "stack_pressure_change": (float(hist[-1, 2]) - p_loaded, "Pa"),
        "plate_displacement_final": (float(hist[-1, 3]), "m"),
        "plate_displacement_change": (float(hist[-1, 3] - (loaded[0, 3] if loaded.size
                                                          else math.nan)), "m"),
        "time_end": (float(hist[-1, 0]), "s"),
        "num_steps": (float(len(hist) - 1), "1"),
        "newton_iterations_total": (float(np.sum(hist[:, 4])), "1"),
        "num_dofs": (float(problem.num_dofs()), "1"),
        "time_total": (time.perf_counter() - t0, "s"),
    }
    say(console, f"stack pressure {p_loaded / 1e6:.4f} MPa after loading -> "
                  f"{hist[-1, 2] / 1e6:.4f} MPa at t = {human_time(hist[-1, 0])}; "
                  f"{len(hist) - 1} steps, {int(np.sum(hist[:, 4]))} Newton iterations")
    return {
        "case": case.name,
        "problem": "mechanics",
        "scalars": {k: {"value": v, "unit": u} for k, (v, u) in scalars.items()},
        "mesh": mesh_statistics(cell_mesh),
        "files": sorted(["mesh.msh", "mesh.xdmf", "history.csv", *field_files]
                        + (["stack_pressure.png"] if case.output.plots else [])),
    }


def plot_history(case: Case, hist: np.ndarray, path: Any) -> None:
    """Stack pressure and plate displacement against time (rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = hist[:, 0]
    keep = t > 0
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    hours = t[keep] / 3600.0
    a1.plot(hours, hist[keep, 2] / 1e6, ".-", ms=3)
    a1.set_xlabel("time [h]")
    a1.set_ylabel("stack pressure [MPa]")
    a1.set_xscale("log")
    a2.plot(hours, hist[keep, 3] * 1e6, ".-", ms=3, color="C1")
    a2.set_xlabel("time [h]")
    a2.set_ylabel("plate displacement (outward normal) [µm]")
    a2.set_xscale("log")
    fig.suptitle(f"{case.name}: {case.fixture.type} fixture, Li {case.mechanics.li_model}, "
                 f"T = {case.operation.temperature - 273.15:.1f} °C")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
